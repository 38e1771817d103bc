"""``tmtool tm lookup|pretranslate|import|export``: reuse what was translated before."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tmtool import memory, project
from tmtool.cli import cli
from tmtool.cli.options import format_option, lang_option, quiet_option

min_score_option = click.option(
    "--min-score", type=click.IntRange(0, 100), default=75, show_default=True,
    help="Lowest similarity (0–100, as translators' tools show it) a match needs.",
)
project_option = click.option(
    "--project", "root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
    help="Project folder (the one holding locales/).",
)


def _one_lang(langs: tuple[str, ...]) -> str:
    if len(langs) != 1:
        raise click.UsageError("give exactly one --lang (e.g. --lang kk)")
    return langs[0]


def _warn(lines, quiet: bool) -> None:
    if not quiet:
        for line in lines:
            click.echo(f"warning: {line}", err=True)


@cli.group()
def tm() -> None:
    """Translation memory: look up, pre-translate, import and export TMX."""


@tm.command()
@click.argument("text")
@lang_option
@min_score_option
@click.option("--limit", type=click.IntRange(1), default=5, show_default=True, help="At most this many matches.")
@click.option("--include-fuzzy", is_flag=True, help="Also show fuzzy (unconfirmed) translations, marked.")
@format_option("table", "json")
@project_option
@quiet_option
def lookup(text: str, langs: tuple[str, ...], min_score: int, limit: int, include_fuzzy: bool,
           fmt: str, root: Path, quiet: bool) -> None:
    """Show exact and fuzzy matches for TEXT from LANG's memory.

    The memory is every catalogue in locales/LANG/LC_MESSAGES and every TMX file imported
    into locales/LANG/memory. Scores are whole percent, 100 only for the same text.
    """
    if not text.strip():
        raise click.UsageError("TEXT is empty: give the English sentence to look up")
    loaded = memory.load_memory(root, _one_lang(langs))  # a broken file is an error, never left out
    matches = loaded.memory.lookup(text, min_score, limit, include_fuzzy)
    if fmt == "json":
        click.echo(json.dumps([{
            "score": m.percent,
            "exact": m.exact,
            "fuzzy": m.entry.fuzzy,
            "msgid": m.entry.source,
            "msgstr": m.entry.target,
            "msgctxt": m.entry.context,
            "file": m.entry.origin,
            "line": m.entry.line,
            "count": m.count,
        } for m in matches], ensure_ascii=False, indent=2))
        return
    if not matches:
        if not quiet:
            click.echo(f"No match of {min_score}% or more in {len(loaded.memory)} entries "
                       f"({len(loaded.files)} files).", err=True)
        return
    for m in matches:
        marks = [w for w, on in (("exact", m.exact), ("fuzzy", m.entry.fuzzy)) if on]
        if m.count > 1:
            marks.append(f"in {m.count} entries")
        where = f"{m.entry.origin}:{m.entry.line}" + (f"  [{', '.join(marks)}]" if marks else "")
        click.echo(f"{m.percent:>3}%  {' '.join(m.entry.source.split())}")
        click.echo(f"      {' '.join(m.entry.target.split())}")
        click.echo(f"      {where}")


@tm.command()
@click.argument("recording")
@lang_option
@min_score_option
@quiet_option
def pretranslate(recording: str, langs: tuple[str, ...], min_score: int, quiet: bool) -> None:
    """Fill RECORDING's empty translations from the memory.

    Exact matches (the same English) are filled as they are; fuzzy matches of at least
    --min-score are filled and marked fuzzy. A '#. tm:' comment says where each came
    from. A translation that is already there is never touched.
    """
    if not langs:
        raise click.UsageError("give at least one --lang (e.g. --lang kk)")
    root, folder = project.resolve(recording)
    for lang in langs:
        result = memory.pretranslate_recording(root, folder.name, lang, min_score)
        _warn(result.warnings, quiet)
        if not quiet:
            click.echo(f"{result.path}: {result.exact} exact, {result.fuzzy} fuzzy "
                       f"(≥ {min_score}%), {result.empty} left empty", err=True)


@tm.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
@click.option("--name", help="Name of the stored memory (default: the file's name).")
@project_option
@quiet_option
def import_(file: Path, langs: tuple[str, ...], name: str | None, root: Path, quiet: bool) -> None:
    """Add a TMX file's English–LANG units to the memory.

    They are stored as locales/LANG/memory/NAME.tmx; importing the same name again
    replaces them. Entity declarations and internal DTD subsets are refused.
    """
    result = memory.import_tmx(root, _one_lang(langs), file, name)
    if not quiet:
        click.echo(f"{result.stored}: {result.units} units stored"
                   + (f", {result.skipped} without English and {_one_lang(langs)} text skipped" if result.skipped else ""),
                   err=True)


@tm.command()
@lang_option
@format_option("tmx")
@click.option("-o", "--output", default="-", show_default=True, help="File to write, or - for standard output.")
@project_option
@quiet_option
def export(langs: tuple[str, ...], fmt: str, output: str, root: Path, quiet: bool) -> None:
    """Write LANG's confirmed translations as TMX 1.4b.

    One unit per distinct English and translation from the catalogues (fuzzy entries
    are left out), for OmegaT, memoQ, Trados and the like.
    """
    if output != "-":
        project.check_output(root, output)  # before the work: never over a catalogue or a memory
    text, count, warnings = memory.export_tmx(root, _one_lang(langs))
    _warn(warnings, quiet)
    if output == "-":
        click.echo(text, nl=False)
    else:
        project.write_output(root, output, text)
    if not quiet:
        click.echo(f"{count} translation units written to {'standard output' if output == '-' else output}", err=True)
