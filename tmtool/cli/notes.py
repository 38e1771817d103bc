"""``tmtool notes add|list|remove``: translator notes, stored as ``# `` comments in the PO files.

Because the notes are ordinary translator comments, notes written in Poedit,
Lokalize or Weblate show up here, and notes added here show up there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from tmtool import catalog as cat
from tmtool import languages, project
from tmtool.cli import cli
from tmtool.cli.options import format_option
from tmtool.errors import CatalogError, RecordingError
from tmtool.formats import po


def _locate(recording: str) -> tuple[Path, str]:
    """Project root and recording id from an id (under ./) or a recording folder."""
    p = Path(recording)
    if p.is_dir():
        root, folder = project.resolve(recording)
        if not (folder / project.MANIFEST).is_file():
            raise RecordingError(f"not a recording folder (no {project.MANIFEST})", str(folder))
        return root, folder.name
    return Path.cwd(), project.check_id(recording)


def _catalog_path(root: Path, rid: str, lang: str) -> Path:
    path = po.catalog_paths(root, rid, languages.normalize(lang))
    if not os.path.lexists(path):  # a FIFO or folder in its place is read_po's one-line error
        raise CatalogError(f"no {lang} catalogue for {rid} (run: tmtool align {rid})", str(path))
    return path


def _describe(entry: cat.Entry) -> str:
    span = cat.entry_time(entry)
    when = f" {project.format_time(span[0])}" if span else ""
    return f"{cat.entry_id(entry)}{when} {entry.msgid[:40]!r}"


def _one_lang(langs: tuple[str, ...]) -> str:
    if len(langs) != 1:
        raise click.UsageError("give exactly one --lang (the catalogue to change), e.g. --lang kk")
    return langs[0]


def note_rows(path: Path, recording_id: str, catalog: cat.Catalog) -> list[dict]:
    """One row per note line in a catalogue (what ``notes list`` shows).

    Notes on obsolete entries (their sentence left the English) are listed too, marked:
    they are kept in the file and would otherwise be out of sight.
    """
    lang = cat.header_fields(catalog).get("Language") or path.parent.parent.name
    rows = []
    for e in catalog.entries:
        span = cat.entry_time(e)
        for i, note in enumerate(cat.notes(e), 1):
            rows.append({
                "recording": recording_id,
                "language": lang,
                "path": str(path),
                "line": e.line,
                "entry": cat.entry_id(e),
                "time": project.format_time(span[0]) if span else None,
                "msgid": e.msgid,
                "msgstr": e.msgstr,
                "index": i,
                "note": note,
                "obsolete": e.obsolete,
            })
    return rows


@cli.group()
def notes() -> None:
    """Translator notes on catalogue entries (# comments in the PO files).

    ENTRY is an entry id (as `notes list` and `coverage --missing` show it), a
    time in the recording (00:03:12) or words from the English or the translation.
    """


@notes.command("add")
@click.argument("recording")
@click.argument("entry")
@click.argument("text")
@click.option("--lang", "langs", multiple=True, metavar="LANG", required=True, help="The catalogue's language (kk, ru …).")
def notes_add(recording: str, entry: str, text: str, langs: tuple[str, ...]) -> None:
    """Add a note TEXT to ENTRY in RECORDING's catalogue for --lang."""
    root, rid = _locate(recording)
    path = _catalog_path(root, rid, _one_lang(langs))
    chosen: list[cat.Entry] = []

    def change(c: cat.Catalog) -> cat.Catalog:
        e = cat.select_entry(c.messages, entry, _describe)
        chosen.append(e)
        return cat.add_note(c, e, text)

    po.edit_catalog(root, rid, path, change)
    click.echo(f"Added a note to {_describe(chosen[0])} in {path}", err=True)


@notes.command("remove")
@click.argument("recording")
@click.argument("entry")
@click.argument("text", required=False)
@click.option("--lang", "langs", multiple=True, metavar="LANG", required=True, help="The catalogue's language (kk, ru …).")
@click.option("--index", type=click.IntRange(min=1), help="Remove the N-th note of the entry (as `notes list` numbers them).")
@click.option("--all", "all_notes", is_flag=True, help="Remove every note of the entry.")
def notes_remove(recording: str, entry: str, text: str | None, langs: tuple[str, ...], index: int | None,
                 all_notes: bool) -> None:
    """Remove notes from ENTRY: the one whose text is TEXT, --index N, or --all."""
    if sum(x is not None and x is not False for x in (text, index, all_notes or None)) != 1:
        raise click.UsageError("say which note to remove: its TEXT, --index N or --all (exactly one)")
    root, rid = _locate(recording)
    path = _catalog_path(root, rid, _one_lang(langs))
    removed: list[str] = []

    def change(c: cat.Catalog) -> cat.Catalog:
        e = cat.select_entry(c.messages, entry, _describe)
        new, gone = cat.remove_notes(c, e, index=index, text=text, all_notes=all_notes)
        removed.extend(gone)
        return new

    po.edit_catalog(root, rid, path, change)
    click.echo(f"Removed {len(removed)} note(s) from {path}", err=True)


@notes.command("list")
@click.argument("recording", required=False)
@click.option("--lang", "langs", multiple=True, metavar="LANG", help="Only these languages; repeat for several.")
@click.option("--grep", "pattern", help="Only notes containing this text (case-insensitive).")
@format_option("table", "json")
def notes_list(recording: str | None, langs: tuple[str, ...], pattern: str | None, fmt: str) -> None:
    """List translator notes of RECORDING (or of every recording under ./locales).

    A catalogue that cannot be read stops the listing with its one-line error: a list
    that silently missed one file's notes would look complete.
    """
    if recording:
        root, rid = _locate(recording)
        paths = sorted((root / "locales").glob(f"*/LC_MESSAGES/{rid}.po"))
    else:
        root = Path.cwd()
        paths = sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))
    wanted = {languages.posix(x) for x in langs}
    rows: list[dict] = []
    for path in paths:
        if path.name.startswith(".") or (wanted and path.parent.parent.name not in wanted):
            continue
        rows += note_rows(path, path.stem, po.read_po(path))
    if pattern:
        needle = pattern.casefold()
        rows = [r for r in rows if needle in r["note"].casefold()]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            when = r["time"][:8] if r["time"] else "-"
            click.echo(f"{r['recording']}  {r['language']}  {r['entry']}  {when}  #{r['index']}  {r['note']}")
            click.echo(f"    {r['msgid'][:72]}" + ("  (obsolete: no longer in the English)" if r["obsolete"] else ""))
        if not rows:
            click.echo("No notes.", err=True)
