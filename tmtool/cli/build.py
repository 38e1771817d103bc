"""``tmtool build``: the main job, from transcripts to catalogues, captions and bilingual text."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tmtool.cli import cli
from tmtool.cli.options import quiet_option


def _coverage_table(root: Path, ids: list[str]) -> list[str]:
    """The coverage table of the built recordings (``tmtool coverage``'s own rendering)."""
    from tmtool.cli import coverage

    found = [(c, st) for c, st in coverage.find_catalogues(root, None) if c.recording in set(ids)]
    if not found:
        return []
    cache = coverage.CountCache(root / "locales", enabled=True)
    rows = coverage.collect(found, cache, False, False)
    cache.save()
    rows.sort(key=lambda r: (r.recording, r.language or "", r.path))
    return list(coverage.render_table(rows, "messages", None, "recording"))


@cli.command("build")
@click.argument("recordings", nargs=-1, metavar="[RECORDING]...")
@quiet_option
def build_command(recordings: tuple[str, ...], quiet: bool) -> None:
    """Align, update the catalogues, pre-fill from the memory and write captions and text.

    For every recording under transcripts/ (or those named): the catalogues under
    locales/, and under build/<recording>/ captions named as video players look for
    them next to the video (<recording>.kk.srt, .vtt, bilingual <recording>.kk+en.srt)
    and bilingual text (<recording>.kk+en.html, .md). Ends with the coverage table.
    """
    from tmtool import build
    from tmtool.project import list_recordings, resolve

    root = Path.cwd().resolve()
    ids = [resolve(r, root)[1].name for r in recordings] if recordings else list_recordings(root)
    show = not quiet and sys.stderr.isatty()
    if show:
        with click.progressbar(length=len(ids) * len(build.STEPS), label="Building", file=sys.stderr,
                               show_pos=True) as bar:
            results = build.build(root, ids, step=lambda name: bar.update(1))
    else:
        results = build.build(root, ids)
    failed = False
    for r in results:
        if r.error:
            failed = True
            click.echo(f"{r.id}: error: {r.error}", err=True)
            continue
        if not quiet:
            for m in r.messages:
                click.echo(f"{r.id}: {m}", err=True)
            where = Path(build.BUILD_DIR) / r.id
            click.echo(f"{r.id}: wrote {len(r.written)} files under {where}/", err=True)
    built = [r.id for r in results if not r.error]
    for line in _coverage_table(root, built):
        click.echo(line)
    if failed:
        sys.exit(1)
