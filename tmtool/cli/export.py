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
    """The --set values, each checked here so that an error names the flag, not recording.toml."""
    from tmtool.captions import setting_value

    out: dict[str, object] = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set takes NAME=VALUE (e.g. --set max_cps=15), not {item!r}")
        key = name.strip().replace("-", "_")
        try:
            setting_value(key, value.strip())
        except InputError as exc:
            raise InputError(f"--set {item.strip()}: {exc.message}") from None
        out[key] = value.strip()
    return out


def _check_overrides(loaded, langs: tuple[str, ...], overrides: dict) -> None:  # type: ignore[no-untyped-def]
    """Settings that only disagree once --set is applied (min_duration_ms above max_duration_ms)
    are the flags' fault: say so, before recording.toml is blamed."""
    from tmtool.captions import profile_for

    captions = loaded.recording.manifest.captions
    for lang in langs or loaded.languages:
        values = {**captions.get("", {}), **captions.get(lang, {})}
        try:
            profile_for(lang, **values)
        except InputError:
            continue  # recording.toml's own error, reported as such
        try:
            profile_for(lang, **{**values, **overrides})
        except InputError as exc:
            flags = " ".join(f"--set {k}={v}" for k, v in overrides.items())
            raise InputError(f"{flags}: {exc.message}") from None


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
                      "in recording.toml: max_chars 5-80, max_lines 1-4, max_cps 5-40, min_duration_ms "
                      "100-10000, max_duration_ms 1000-20000, fps 1-120, min_gap_frames 0-60 (at most "
                      "2 s), close_gap_ms 0-3000)."),
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
    overrides = _overrides(settings)
    loaded = build.load(recording, encoding=encoding)
    _check_overrides(loaded, langs, overrides)
    text, result = build.export_captions(
        loaded, langs, fmt, fallback=fallback, duration_ms=_duration(duration), overrides=overrides
    )
    _emit(text, output, loaded.root)
    messages = list(result.messages)
    if fallback is None and any(u.untranslated for u in result.units) and len(langs) == 1:
        messages.append(f"(--fallback {loaded.recording.manifest.source_language} shows the untranslated "
                        "entries in the source language)")
    found = [v for lang in langs for v in result.violations.get(lang, ())]
    if found:  # not an error: the file is written; editors should know, and where to look
        forced = sum(v.forced for v in found)
        again = " ".join(["tmtool check captions", recording, *(f"--lang {x}" for x in langs),
                          *(f"--set {x}" for x in settings)])
        messages.append(f"{'+'.join(langs)}: {len(found)} caption limit{'s' if len(found) != 1 else ''} broken "
                        f"({forced} {_FORCED_NOTE}, {len(found) - forced} not); see: {again}")
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

    Each language is checked alone; two --lang check the two stacked, as
    `export` lays them out. Violations the source timing forces (no layout
    could give the text its reading time before the next segment starts) are
    marked; --strict fails only on the others.
    """
    from tmtool import build
    from tmtool.project import format_time

    if len(langs) > 2:
        raise click.UsageError("check one language or two stacked (--lang kk --lang en)")
    overrides = _overrides(settings)
    loaded = build.load(recording, encoding=encoding)
    _check_overrides(loaded, langs, overrides)
    if len(langs) == 2:
        both = build.caption_result(loaded, langs, duration_ms=_duration(duration), overrides=overrides)
        results = {lang: both for lang in langs}
        label = "+".join(langs)
    else:
        results = build.check_captions(loaded, langs, duration_ms=_duration(duration), overrides=overrides)
        label = ""
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
        report.append({"language": lang, "captions": label or lang, "cues": len(result.cues), "violations": items,
                       "forced": forced, "unforced": len(items) - forced,
                       "messages": list(result.messages) if not report or not label else []})
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
            where = r["language"] + (f" (in {r['captions']})" if r["captions"] != r["language"] else "")
            summary = (f"{where}: {r['cues']} cues, {n} violation{'s' if n != 1 else ''}"
                       + (f" ({r['forced']} {_FORCED_NOTE}, {r['unforced']} not)" if n else ""))
            click.echo(summary)
    if strict and unforced:
        click.echo(f"{unforced} violation{'s' if unforced != 1 else ''} not forced by the source timing", err=True)
        sys.exit(1)
