"""A language's translation memory on disk: its catalogues, imported TMX files and index cache.

The memory of language ``kk`` is every translated entry of
``locales/kk/LC_MESSAGES/*.po`` plus every unit of the TMX files that
``tmtool tm import`` stored in ``locales/kk/memory/*.tmx`` (normalised to two
languages, en and kk, so that they read fast and the same way every time).

Each file is indexed once (:class:`tmtool.tm.MemoryIndex`) and the index is cached in
``.tmtool/cache/tm/<lang>/`` under the project root, keyed on the file's identity
(device, inode, size, modification and change times): a query re-reads only files
that changed since, and opens the others with ``mmap`` without parsing anything.
The cache is a plain data format (no pickle: a project folder may come from
someone else); a cache that cannot be read or written is rebuilt or skipped.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tmtool import __version__, languages, limits
from tmtool.catalog import cleared_by_person, sentence_context
from tmtool.errors import CatalogError, InputError, TmtoolError
from tmtool.formats import tmx as tmxformat
from tmtool.formats.po import catalog_paths
from tmtool.textio import atomic_write, open_regular
from tmtool.tm import Memory, MemoryEntry, MemoryIndex

CACHE_DIR = Path(".tmtool") / "cache" / "tm"
MEMORY_DIR = "memory"
_CACHE_VERSION = 1


@dataclass
class LoadedMemory:
    """A language's memory plus the files it was read from."""

    memory: Memory
    files: list[str] = field(default_factory=list)
    # One line each, "path:line: reason". Nothing is skipped any more (a file that cannot
    # be read is an error), so this stays empty; kept for the callers that print it.
    warnings: list[str] = field(default_factory=list)


def catalogue_dir(root: Path, lang: str) -> Path:
    """``locales/<lang>/LC_MESSAGES`` (gettext's locale name, as the catalogues use)."""
    return catalog_paths(root, "x", lang).parent


def memory_dir(root: Path, lang: str) -> Path:
    """``locales/<lang>/memory``: imported TMX memories."""
    return catalogue_dir(root, lang).parent / MEMORY_DIR


def memory_files(root: Path, lang: str) -> list[Path]:
    """Every file the memory of ``lang`` is made of, catalogues first, each list sorted.

    Anything named like a memory file is listed, whatever it is (a FIFO, a broken
    link): reading it then fails with a clear error instead of leaving it out unseen.
    Hidden names (an editor's ``.#x.po`` lock link) and folders are not memory files.
    """
    found = []
    for folder, pattern in ((catalogue_dir(root, lang), "*.po"), (memory_dir(root, lang), "*.tmx")):
        if folder.is_dir():
            found += sorted(p for p in folder.glob(pattern) if not p.name.startswith(".") and not p.is_dir())
    return found


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# --- reading one file into memory entries -----------------------------------------------------


def _po_entries(data: bytes, origin: str) -> list[MemoryEntry]:
    from tmtool.catalog import written_by_aligner
    from tmtool.formats import poscan

    out = []
    for e in poscan.scan(data, origin):
        if e.obsolete or e.is_header or not e.msgstr or not e.msgstr[0]:
            continue
        ctx = sentence_context(e.msgctxt)
        automatic = written_by_aligner(e.msgstr[0], e.fuzzy, e.extracted_comments)
        out.append(MemoryEntry(e.msgid, e.msgstr[0], ctx, origin, e.line, e.fuzzy, automatic))
    return out


def _tmx_entries(data: bytes, origin: str, lang: str) -> list[MemoryEntry]:
    import io

    doc = tmxformat.read_tmx(io.BytesIO(data), origin)
    src = doc.header.get("srclang") or "en"
    if src == "*all*":
        src = "en"
    out = []
    for unit in doc.units:
        source = unit.text(src)
        for target in unit.texts(lang) if source else ():
            if target:
                out.append(MemoryEntry(source, target, unit.prop("x-context"), origin, unit.line, False))
    return out


def _identity(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _cache_file(root: Path, lang: str, origin: str) -> Path:
    name = hashlib.sha1(origin.encode("utf-8")).hexdigest()[:20]
    return root / CACHE_DIR / lang / f"{name}.idx"


def _open_cached(path: Path, key: dict) -> MemoryIndex | None:
    try:
        with open_regular(path) as fh:  # anything else in the cache folder is ignored, never waited on
            size = os.fstat(fh.fileno()).st_size
            if size == 0:
                return None
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, InputError):
        return None
    try:
        if MemoryIndex.read_meta(mm).get("key") != key:
            mm.close()
            return None
        index = MemoryIndex.from_buffer(mm)
        index.norms  # every search needs them; a damaged cache shows here, and is rebuilt
        return index
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _index_file(root: Path, path: Path, lang: str, use_cache: bool) -> MemoryIndex:
    """The index of one catalogue or TMX file, from the cache when the file did not change."""
    origin = _relative(root, path)
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), origin) from None
    key = {"v": _CACHE_VERSION, "file": origin, "lang": lang, "identity": _identity(st)}
    cache = _cache_file(root, lang, origin)
    if use_cache:
        found = _open_cached(cache, key)
        if found is not None:
            return found
    try:  # stat first, read second: a change in between only makes the cache stale
        data = limits.read_bytes(path, limits.MAX_MEMORY_FILE_BYTES, "a translation-memory file",
                                 regular_only=True)
    except InputError as exc:
        raise InputError(exc.message, origin) from None
    entries = _tmx_entries(data, origin, lang) if path.suffix == ".tmx" else _po_entries(data, origin)
    blob = MemoryIndex.serialize(entries, {"key": key})
    if use_cache:
        try:
            atomic_write(cache, blob)
            ignore = root / CACHE_DIR.parts[0] / ".gitignore"
            if not ignore.exists():
                atomic_write(ignore, "# tmtool's caches: safe to delete, never worth committing\n*\n")
        except (OSError, TmtoolError):
            pass  # a read-only project still answers, only slower
    return MemoryIndex.from_buffer(blob)


def _prune(root: Path, lang: str, keep: set[Path]) -> None:
    folder = root / CACHE_DIR / lang
    if not folder.is_dir():
        return
    for p in folder.glob("*.idx"):
        if p not in keep:
            try:
                p.unlink()
            except OSError:
                pass


def load_memory(root: Path, lang: str, *, use_cache: bool = True) -> LoadedMemory:
    """The memory of ``lang`` under project ``root``.

    A file that cannot be read (a broken catalogue, a FIFO in its place) raises its
    one-line error (``file:line: message``): a lookup, pre-translation or export that
    quietly left a catalogue out would give wrong answers, or an empty TMX, that look right.
    """
    root = Path(root)
    lang = languages.normalize(lang)
    result = LoadedMemory(Memory())
    kept = set()
    for path in memory_files(root, lang):
        index = _index_file(root, path, lang, use_cache)
        kept.add(_cache_file(root, lang, _relative(root, path)))
        result.memory.indexes.append(index)
        result.files.append(_relative(root, path))
    if use_cache:
        _prune(root, lang, kept)
    return result


# --- TMX import and export ----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    stored: Path
    units: int  # units stored (with both English and the language)
    skipped: int  # units without one of the two languages, or empty


def _safe_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).stem).strip(".-") or "memory"
    return stem[:80]


def import_tmx(root: Path, lang: str, path: Path, name: str | None = None) -> ImportResult:
    """Store the English–``lang`` units of a TMX file as ``locales/<lang>/memory/<name>.tmx``.

    The file is parsed safely and completely before anything is written; importing a
    file of the same name again replaces the earlier import.
    """
    root = Path(root)
    lang = languages.normalize(lang)
    limits.check_size(path, limits.MAX_MEMORY_FILE_BYTES, "a TMX file to import")
    with open_regular(path) as fh:
        doc = tmxformat.read_tmx(fh, str(path))
    src = doc.header.get("srclang") or "en"
    if src == "*all*":
        src = "en"
    if _base(src) != "en":
        raise InputError(f"the TMX source language is {src!r}; tmtool's memories are English → {lang}", str(path))
    units, skipped = [], 0
    for unit in doc.units:
        source = unit.text(src)
        targets = [t for t in unit.texts(lang) if t.strip()] if source and source.strip() else []
        if not targets:
            skipped += 1
            continue
        props = tuple((k, v) for k, v in unit.props if k == "x-context")
        # Alternative translations stay alternatives (one unit, several variants).
        units.append(tmxformat.TmxUnit((("en", source), *((lang, t) for t in targets)), props))
    if not units:
        langs = sorted({code for u in doc.units for code, _ in u.variants})
        raise InputError(f"no unit has both English and {lang} text (languages found: {', '.join(langs) or 'none'})",
                         str(path))
    target_path = memory_dir(root, lang) / f"{_safe_stem(name or path.name)}.tmx"
    text = "".join(tmxformat.generate_tmx(units, "en", creationtoolversion=__version__,
                                          creationdate=_tmx_now(), o_tmf=doc.header.get("o-tmf") or "TMX"))
    atomic_write(target_path, text)
    return ImportResult(target_path, len(units), skipped)


def _base(code: str) -> str:
    return code.strip().replace("_", "-").split("-")[0].lower()


def _tmx_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def export_units(memory: Memory, lang: str, *, catalogues_only: bool = True) -> tuple[list[tmxformat.TmxUnit], list[str]]:
    """Confirmed (non-fuzzy) translations as TMX units, one per distinct (context, English, translation).

    Entries with characters XML 1.0 cannot carry (C0 controls) are left out and named.
    """
    seen: set[tuple[str | None, str, str]] = set()
    units, skipped = [], []
    entries = [e for e in memory if not e.fuzzy and (not catalogues_only or e.origin.endswith(".po"))]
    entries.sort(key=lambda e: (e.origin, e.line))
    for e in entries:
        key = (e.context, e.source, e.target)
        if key in seen:
            continue
        seen.add(key)
        bad = next((c for c in (tmxformat.forbidden_char(t) for t in (e.source, e.target, e.context or "")) if c), None)
        if bad is not None:
            skipped.append(f"{e.origin}:{e.line}: U+{ord(bad):04X} cannot be written in XML; entry left out")
            continue
        props = (("x-context", e.context),) if e.context is not None else ()
        units.append(tmxformat.TmxUnit((("en", e.source), (lang, e.target)), props))
    return units, skipped


def export_tmx(root: Path, lang: str, *, use_cache: bool = True) -> tuple[str, int, list[str]]:
    """TMX 1.4b text of the confirmed translations in ``lang``'s catalogues, unit count, warnings."""
    lang = languages.normalize(lang)
    loaded = load_memory(root, lang, use_cache=use_cache)
    units, skipped = export_units(loaded.memory, lang)
    text = "".join(tmxformat.generate_tmx(units, "en", creationtoolversion=__version__, creationdate=_tmx_now()))
    return text, len(units), loaded.warnings + skipped


# --- pre-translation of one recording's catalogue --------------------------------------------


@dataclass(frozen=True)
class PretranslateResult:
    path: Path
    exact: int
    fuzzy: int
    empty: int  # empty entries the memory had nothing for
    warnings: tuple[str, ...] = ()


def pretranslate_recording(root: Path, recording_id: str, lang: str, min_score: float = 75,
                           *, use_cache: bool = True) -> PretranslateResult:
    """Fill the empty msgstr of a recording's catalogue from the memory of ``lang``.

    Runs under the recording's catalogue lock; the catalogue is read strictly, only
    entries with an empty msgstr change, and the file is replaced atomically.
    """
    import dataclasses

    from tmtool import tm
    from tmtool.formats import po
    from tmtool.locking import recording_lock

    lang = languages.normalize(lang)
    path = catalog_paths(root, recording_id, lang)
    # Checked before locking too: no lock file (or locales/) for a typo. Only absence is checked
    # here: a FIFO or a folder in the catalogue's place is read_po's one-line error.
    if not os.path.lexists(path):
        raise CatalogError(f"no {lang} catalogue for {recording_id!r} (run tmtool align first)", str(path))
    with recording_lock(root, recording_id):
        if not os.path.lexists(path):
            raise CatalogError(f"no {lang} catalogue for {recording_id!r} (run tmtool align first)", str(path))
        catalog = po.read_po(path)
        loaded = load_memory(root, lang, use_cache=use_cache)
        todo = [e for e in catalog.entries if not e.obsolete and e.msgid_plural is None and not e.msgstr
                and e.msgid.strip() and not cleared_by_person(e)]
        fills = tm.pretranslate(loaded.memory, [e.msgid for e in todo], min_score)
        exact = fuzzy = 0
        new_entries = []
        for e in catalog.entries:
            fill = fills.get(e.msgid) if (not e.obsolete and e.msgid_plural is None and not e.msgstr
                                          and not cleared_by_person(e)) else None
            if fill is None:
                new_entries.append(e)
                continue
            comments = tuple(c for c in e.extracted_comments if not c.startswith("tm: ")) + (fill.comment,)
            new_entries.append(dataclasses.replace(e, msgstr=fill.target, extracted_comments=comments)
                               .with_fuzzy(fill.fuzzy or e.fuzzy))
            if fill.fuzzy:
                fuzzy += 1
            else:
                exact += 1
        if exact or fuzzy:
            po.write_po(path, dataclasses.replace(catalog, entries=tuple(new_entries)))
    return PretranslateResult(path, exact, fuzzy, len(todo) - exact - fuzzy, tuple(loaded.warnings))
