"""``tmtool export srt|vtt|text`` and ``tmtool check captions``: captions and bilingual text."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tmtool.cli import cli
from tmtool.cli.options import encoding_option, format_option, lang_option, quiet_option
from tmtool.errors import InputError

_FORCED_NOTE = "forced by the source timing"


def _overrides(settings: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set takes NAME=VALUE (e.g. --set max_cps=15), not {item!r}")
        out[name.strip().replace("-", "_")] = value.strip()
    return out


def _duration(value: str | None) -> int | None:
    from tmtool.project import parse_duration

    return parse_duration(value.strip(), "--duration") if value is not None else None


def _emit(text: str, output: str, root: Path) -> None:
    from tmtool.project import write_output

    if output == "-":
        click.echo(text, nl=False)
    else:
        write_output(root, output, text)


def _say(messages: list[str] | tuple[str, ...], quiet: bool) -> None:
    if not quiet:
        for m in messages:
            click.echo(m, err=True)


caption_options = [
    click.argument("recording"),
    lang_option,
    click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
                 help="Write to FILE (replaced atomically); - for stdout."),
    click.option("--duration", metavar="HH:MM:SS",
                 help="Length of the recording, to spread the text over when no track is timed "
                      "(default: the manifest's duration)."),
    click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
                 help="A caption limit, e.g. --set max_cps=15 --set max_chars=37 (also [captions] "
                      "in recording.toml: max_chars, max_lines, max_cps, min_duration_ms, "
                      "max_duration_ms, fps, min_gap_frames, close_gap_ms)."),
    encoding_option,
    quiet_option,
]


def _with(options):  # type: ignore[no-untyped-def]
    def wrap(f):  # type: ignore[no-untyped-def]
        for option in reversed(options):
            f = option(f)
        return f
    return wrap


@cli.group("export")
def export_group() -> None:
    """Captions (SRT, WebVTT) and bilingual text of a recording, from its catalogues."""


def _captions(fmt: str, recording: str, langs: tuple[str, ...], output: str, duration: str | None,
              settings: tuple[str, ...], encoding: str | None, quiet: bool, fallback: str | None) -> None:
    from tmtool import build

    if not langs:
        raise click.UsageError("give the language: --lang kk (or two, stacked: --lang kk --lang en)")
    if len(langs) > 2:
        raise click.UsageError("captions take one language or two (--lang kk --lang en)")
    loaded = build.load(recording, encoding=encoding)
    text, result = build.export_captions(
        loaded, langs, fmt, fallback=fallback, duration_ms=_duration(duration), overrides=_overrides(settings)
    )
    _emit(text, output, loaded.root)
    messages = list(result.messages)
    if fallback is None and any(u.untranslated for u in result.units) and len(langs) == 1:
        messages.append(f"(--fallback {loaded.recording.manifest.source_language} shows the untranslated "
                        "entries in the source language)")
    _say(messages, quiet)


@export_group.command("srt")
@_with(caption_options)
@click.option("--fallback", metavar="LANG",
              help="Show untranslated entries in LANG (e.g. en) instead of leaving them out.")
def export_srt(recording: str, langs: tuple[str, ...], output: str, duration: str | None, settings: tuple[str, ...],
               encoding: str | None, quiet: bool, fallback: str | None) -> None:
    """SubRip captions of RECORDING in one language, or two stacked in each cue (first above).

    Untranslated entries are left out (the count goes to stderr) unless --fallback
    names a language to show instead; fuzzy entries are exported and counted.
    """
    _captions("srt", recording, langs, output, duration, settings, encoding, quiet, fallback)


@export_group.command("vtt")
@_with(caption_options)
@click.option("--fallback", metavar="LANG",
              help="Show untranslated entries in LANG (e.g. en) instead of leaving them out.")
def export_vtt(recording: str, langs: tuple[str, ...], output: str, duration: str | None, settings: tuple[str, ...],
               encoding: str | None, quiet: bool, fallback: str | None) -> None:
    """WebVTT captions of RECORDING in one language, or two stacked in each cue (first above).

    As `export srt`; an estimated timing (no timed track) is also said in a NOTE.
    """
    _captions("vtt", recording, langs, output, duration, settings, encoding, quiet, fallback)


@export_group.command("text")
@click.argument("recording")
@lang_option
@format_option("txt", "md", "html", "csv")
@click.option("--layout", type=click.Choice(["side-by-side", "interleaved"]), default="side-by-side",
              show_default=True, help="Languages in columns, or one under the other.")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="Write to FILE (replaced atomically); - for stdout.")
@click.option("--duration", metavar="HH:MM:SS", help="Length of the recording when no track is timed.")
@encoding_option
def export_text(recording: str, langs: tuple[str, ...], fmt: str, layout: str, output: str,
                duration: str | None, encoding: str | None) -> None:
    """Bilingual text of RECORDING for editors and fact-checkers: speaker, time, notes as footnotes.

    HTML is a self-contained page that prints well; CSV has one row per entry.
    """
    from tmtool import build

    if not langs:
        raise click.UsageError("give the languages: --lang kk --lang en")
    loaded = build.load(recording, encoding=encoding)
    _emit(build.export_text(loaded, langs, fmt, layout, duration_ms=_duration(duration)), output, loaded.root)


@cli.group("check")
def check_group() -> None:
    """Check a recording's outputs against their limits."""


@check_group.command("captions")
@click.argument("recording")
@lang_option
@click.option("--strict", is_flag=True, help="Exit 1 when a cue breaks a limit the source timing does not force.")
@format_option("text", "json")
@click.option("--duration", metavar="HH:MM:SS", help="Length of the recording when no track is timed.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="A caption limit, e.g. --set max_cps=15 (as in export).")
@encoding_option
def check_captions(recording: str, langs: tuple[str, ...], strict: bool, fmt: str, duration: str | None,
                   settings: tuple[str, ...], encoding: str | None) -> None:
    """List every caption cue that breaks a limit (which, by how much), and a summary per language.

    Violations the source timing forces (the next segment starts too soon to give
    the text its reading time) are marked; --strict fails only on the others.
    """
    from tmtool import build
    from tmtool.project import format_time

    loaded = build.load(recording, encoding=encoding)
    results = build.check_captions(loaded, langs, duration_ms=_duration(duration), overrides=_overrides(settings))
    report = []
    unforced = 0
    for lang, result in results.items():
        cues = {c.index: c for c in result.cues}
        items = []
        for v in result.violations[lang]:
            cue = cues.get(v.cue_index)
            items.append({
                "cue": v.cue_index,
                "start": format_time(cue.start_ms) if cue else None,
                "end": format_time(cue.end_ms) if cue else None,
                "limit": v.limit,
                "value": v.value,
                "allowed": v.allowed,
                "excess": round(v.excess, 3),
                "forced": v.forced,
                "line": v.line,
                "text": " / ".join(cue.lines) if cue else "",
                "message": v.describe(),
            })
        forced = sum(1 for i in items if i["forced"])
        unforced += len(items) - forced
        report.append({"language": lang, "cues": len(result.cues), "violations": items,
                       "forced": forced, "unforced": len(items) - forced, "messages": list(result.messages)})
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for r in report:
            for m in r["messages"]:
                click.echo(m, err=True)
        for r in report:
            for i in r["violations"]:
                text = i["text"] if len(i["text"]) <= 60 else i["text"][:59] + "…"
                click.echo(f"{r['language']} {i['start']} {i['message']}: {text}")
        for r in report:
            n = len(r["violations"])
            summary = (f"{r['language']}: {r['cues']} cues, {n} violation{'s' if n != 1 else ''}"
                       + (f" ({r['forced']} {_FORCED_NOTE}, {r['unforced']} not)" if n else ""))
            click.echo(summary)
    if strict and unforced:
        click.echo(f"{unforced} violation{'s' if unforced != 1 else ''} not forced by the source timing", err=True)
        sys.exit(1)
