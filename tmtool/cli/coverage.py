"""``tmtool coverage``: how far each recording is translated into each language.

The counting is :mod:`tmtool.coverage` over :mod:`tmtool.formats.poscan`; this
module finds the catalogues, keeps a cache of per-file counts and prints.

**Cache.** A repeated run on an unchanged tree only stats files. Per-file
results live in ``$XDG_CACHE_HOME/tmtool/coverage/<hash of the root>.json``
(``~/.cache`` by default; never inside the user's tree), keyed on the file's
identity: size, ``mtime_ns``, ``ctime_ns``, inode and device. ``ctime`` cannot
be set by a user, so restoring an old mtime (``touch -d``, ``rsync -a``,
``git checkout``) still invalidates. File-system timestamps are coarse (a few
ms), so a file modified less than 2 s before it was read could change again
within the same tick without its identity changing ("racily clean", as git
calls it): for such files the cache also stores a BLAKE2 hash of the bytes and
re-reads and compares them next time. A result is cached only if the file's
identity did not change while it was being read. The cache is versioned with
the counting rules; a damaged or foreign cache file is ignored; ``--no-cache``
bypasses it.

Cold runs of a big tree (≥ 8 files, ≥ 8 MB to read) use two worker processes
on a machine with two cores or more (``--jobs`` overrides). Memory stays flat:
each process holds one file at a time, results are small.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from tmtool import __version__
from tmtool.cli import cli
from tmtool.cli.options import format_option, lang_option, quiet_option
from tmtool.errors import InputError, TmtoolError

CACHE_SCHEMA = 1  # bump when counting rules or the stored fields change
RACY_NS = 2_000_000_000
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 8_000_000
PROGRESS_MIN_FILES = 40
TABLE_WIDTH = 80


# ---------------------------------------------------------------- what a run produces


@dataclass
class FileResult:
    """The outcome for one catalogue: counts, or an error that names file and line."""

    path: str  # as shown to the user
    recording: str
    language: str | None
    counts: dict[str, int] | None = None
    error: str | None = None
    line: int | None = None
    warnings: list[str] = field(default_factory=list)
    missing: list[dict[str, object]] | None = None
    absent: bool = False  # a catalogue a manifest declares that is not there: 0 %

    @property
    def status(self) -> str:
        """``ok``, ``missing`` (no catalogue yet) or ``error``."""
        return "missing" if self.absent else ("error" if self.error is not None else "ok")

    def to_cache(self) -> dict[str, object]:
        return {"shown": self.path, "language": self.language, "counts": self.counts, "error": self.error,
                "line": self.line, "warnings": self.warnings}

    @classmethod
    def from_cache(cls, cat: Catalogue, hit: dict) -> FileResult:  # type: ignore[type-arg]
        """A cached result; messages name the file as this run shows it."""
        old = hit.get("shown") or cat.shown

        def here(msg: str) -> str:
            return cat.shown + msg[len(old):] if msg.startswith(old) else msg

        r = cls(cat.shown, cat.recording, hit.get("language") or cat.folder_language)
        r.counts = hit.get("counts")
        r.error = here(hit["error"]) if hit.get("error") else None
        r.line = hit.get("line")
        r.warnings = [here(w) for w in hit.get("warnings") or []]
        return r


@dataclass(frozen=True)
class Catalogue:
    """A PO file found on disk."""

    path: Path  # absolute
    shown: str  # as shown to the user
    key: str  # relative to the root, the cache key
    recording: str
    folder_language: str | None


# ---------------------------------------------------------------- finding catalogues


def _walk(top: Path) -> Iterator[os.DirEntry[str]]:
    """Every ``*.po`` below ``top`` (hidden names and symlinked folders skipped), sorted.

    Whatever a ``*.po`` name is (a FIFO, a device, a broken link) it is listed: reading
    it is then an error row, never a catalogue silently left out of the counts.
    """
    stack = [str(top)]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for e in entries:
            if e.name.startswith("."):
                continue
            if e.is_dir(follow_symlinks=False):
                subdirs.append(e.path)
            elif e.name.endswith(".po") and not _is_dir(e):
                yield e
        stack.extend(reversed(subdirs))


def _is_dir(e: os.DirEntry[str]) -> bool:
    try:
        return e.is_dir()  # a symlink to a folder
    except OSError:
        return False


def find_catalogues(root: Path, tree: Path | None) -> list[tuple[Catalogue, os.stat_result]]:
    """tmtool's ``locales/<lang>/LC_MESSAGES/<recording>.po``, or every PO file below ``tree``.

    Paths are shown as the user gave them (``tree``) or relative to the project root.
    """
    base = (tree if tree is not None else root / "locales").resolve()
    if tree is None and not base.is_dir():
        raise TmtoolError(f"no locales/ folder in {root} (run in the project root, or use --path DIR)")
    prefix = len(str(base)) + 1
    found = []
    for e in _walk(base):
        rel = e.path[prefix:].replace(os.sep, "/")
        parts = rel.split("/")
        if tree is None:
            if len(parts) != 3 or parts[1] != "LC_MESSAGES":
                continue
            folder_lang: str | None = parts[0]
            shown = os.path.join("locales", *parts)
        else:
            folder_lang = parts[-3] if len(parts) >= 3 and parts[-2] == "LC_MESSAGES" else None
            shown = os.path.join(str(tree), *parts)
        try:
            st = e.stat()
        except OSError:
            try:
                st = e.stat(follow_symlinks=False)  # a broken link: reading it names the problem
            except OSError:
                continue  # gone since the listing
        found.append((Catalogue(Path(e.path), shown, rel, e.name[:-3], folder_lang), st))
    return found


@dataclass(frozen=True)
class Declared:
    """A catalogue a recording's manifest asks for: one per language besides the source."""

    recording: str
    language: str  # tmtool's code (kk, kk-Latn)
    folder: str  # gettext's locale folder under locales/ (kk, kk@latin)
    shown: str  # locales/<folder>/LC_MESSAGES/<recording>.po


def declared_catalogues(root: Path) -> tuple[list[Declared], list[FileResult]]:
    """Every (recording, language) the manifests under ``transcripts/`` declare.

    The manifests, not the files on disk, say what must be counted: a catalogue that
    was never made (or was deleted) is then a row at 0 %, not a row nobody sees. Only
    the manifests are read (not the tracks). A manifest that cannot be read is an error
    row for its recording.
    """
    from tmtool import languages, limits, project
    from tmtool.textio import decode

    declared: list[Declared] = []
    errors: list[FileResult] = []
    for rid in project.list_recordings(root):
        shown = os.path.join("transcripts", rid, project.MANIFEST)
        try:
            raw = limits.read_bytes(root / shown, limits.MAX_MANIFEST_BYTES, "a recording.toml", regular_only=True)
            manifest = project.parse_manifest(decode(raw, shown), shown, rid)
        except TmtoolError as exc:
            where = shown if exc.path in (None, str(root / shown)) else exc.path
            errors.append(FileResult(shown, rid, None, error=str(TmtoolError(exc.message, where, exc.line)),
                                     line=exc.line))
            continue
        for lang in manifest.languages:
            if lang == manifest.source_language:
                continue
            folder = languages.posix(lang)
            declared.append(Declared(rid, lang, folder, os.path.join("locales", folder, "LC_MESSAGES", f"{rid}.po")))
    return declared, errors


def _lang_key(code: str) -> str:
    return code.strip().lower().replace("-", "_")


def lang_matches(language: str | None, wanted: Sequence[str]) -> bool:
    """``--lang ru`` matches ``ru`` and ``ru_RU``; ``--lang kk-Latn`` matches ``kk@latin``, ``--lang kk`` does not."""
    if not wanted:
        return True
    if not language:
        return False
    have = _lang_key(language)
    for w in wanted:
        # A region is the same language; an @modifier is another script (kk@latin is not kk).
        if have == w or (have.startswith(w) and have[len(w)] == "_"):
            return True
    return False


def _wanted_languages(langs: Sequence[str]) -> list[str]:
    from tmtool import languages

    out = []
    for code in langs:
        try:
            out.append(_lang_key(languages.normalize(code)))
            out.append(_lang_key(languages.posix(code)))
        except TmtoolError as exc:
            raise click.BadParameter(str(exc), param_hint="--lang") from None
    return sorted(set(out))


# ---------------------------------------------------------------- scanning one file


def _identity(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def scan_file(cat: Catalogue, want_missing: bool, started_ns: int) -> tuple[FileResult, list[int] | None, str | None]:
    """Read and count one catalogue; also return its identity (None if it changed while
    being read) and a content hash when its mtime is too recent to be trusted alone."""
    from tmtool import coverage
    from tmtool.formats import poscan

    from tmtool import limits
    from tmtool.textio import open_regular

    result = FileResult(cat.shown, cat.recording, cat.folder_language)
    try:
        with open_regular(cat.path) as fh:  # a FIFO would block the run: refused before reading
            before = os.fstat(fh.fileno())
            if before.st_size > limits.MAX_CATALOG_BYTES:
                result.error = str(limits.too_large(cat.shown, limits.MAX_CATALOG_BYTES, "a catalogue"))
                return result, None, None
            data = fh.read(limits.MAX_CATALOG_BYTES + 1)
            after = os.fstat(fh.fileno())
    except InputError as exc:
        result.error = f"{cat.shown}: {exc.message}"
        return result, None, None
    except OSError as exc:
        result.error = f"{cat.shown}: {exc.strerror or exc}"
        return result, None, None
    if len(data) > limits.MAX_CATALOG_BYTES:  # it grew while being read
        result.error = str(limits.too_large(cat.shown, limits.MAX_CATALOG_BYTES, "a catalogue"))
        return result, None, None
    ident = _identity(before) if _identity(before) == _identity(after) else None
    digest = hashlib.blake2b(data, digest_size=16).hexdigest() if before.st_mtime_ns > started_ns - RACY_NS else None
    scan = poscan.scan(data, cat.shown)
    try:
        if want_missing:
            entries = list(scan)
            counts = coverage.count(entries)
            result.missing = [
                {"entry": m.entry, "msgctxt": m.msgctxt, "line": m.line, "time_ms": m.time_ms,
                 "state": m.state, "text": m.text}
                for m in coverage.missing(entries)
            ]
        else:
            counts = coverage.count_scan(scan)
    except InputError as exc:
        result.error = str(exc)
        result.line = exc.line
    else:
        result.counts = counts.as_dict()
        if scan.header is not None and scan.header.language:
            result.language = scan.header.language
    result.warnings = [str(w) for w in scan.warnings]
    return result, ident, digest


def _scan_job(args: tuple[Catalogue, bool, int]) -> tuple[FileResult, list[int] | None, str | None]:
    return scan_file(*args)


# ---------------------------------------------------------------- the cache


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tmtool" / "coverage"


class CountCache:
    """Per-file results keyed on file identity (see the module docstring)."""

    def __init__(self, root: Path, enabled: bool = True):
        self.enabled = enabled
        self.version = f"{__version__}/{CACHE_SCHEMA}"
        key = hashlib.sha1(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self.file = _cache_dir() / f"{key}.json"
        self.files: dict[str, dict[str, object]] = {}
        self.dirty = False
        if enabled:
            try:
                raw = json.loads(self.file.read_text(encoding="utf-8"))
                if raw.get("version") == self.version and raw.get("root") == str(root):
                    self.files = raw["files"]
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self.files = {}
        self.root = str(root)

    def lookup(self, cat: Catalogue, st: os.stat_result, now_ns: int) -> dict[str, object] | None:
        if not self.enabled:
            return None
        rec = self.files.get(cat.key)
        if not isinstance(rec, dict) or rec.get("identity") != _identity(st):
            return None
        digest = rec.get("hash")
        if digest is not None:
            try:
                data = cat.path.read_bytes()
            except OSError:
                return None
            if hashlib.blake2b(data, digest_size=16).hexdigest() != digest:
                return None
            if st.st_mtime_ns <= now_ns - RACY_NS:  # old enough now: identity alone will do
                del rec["hash"]
                self.dirty = True
        return rec.get("result")  # type: ignore[return-value]

    def store(self, cat: Catalogue, ident: list[int] | None, digest: str | None, result: FileResult) -> None:
        if not self.enabled or ident is None:
            return
        rec: dict[str, object] = {"identity": ident, "result": result.to_cache()}
        if digest is not None:
            rec["hash"] = digest
        self.files[cat.key] = rec
        self.dirty = True

    def forget_others(self, keep: Iterable[str]) -> None:
        keep = set(keep)
        for k in list(self.files):
            if k not in keep:
                del self.files[k]
                self.dirty = True

    def save(self) -> None:
        if not self.enabled or not self.dirty:
            return
        from tmtool.textio import atomic_write

        payload = json.dumps({"version": self.version, "root": self.root, "files": self.files},
                             ensure_ascii=False, separators=(",", ":"))
        try:
            atomic_write(self.file, payload)
        except OSError:
            pass  # a read-only home must not break counting


# ---------------------------------------------------------------- running


def collect(
    found: list[tuple[Catalogue, os.stat_result]],
    cache: CountCache,
    want_missing: bool,
    progress: bool,
    jobs: int = 0,
) -> list[FileResult]:
    """Results for every catalogue, from the cache where it is valid, else by scanning."""
    now = time.time_ns()
    results: dict[str, FileResult] = {}
    todo: list[Catalogue] = []
    for cat, st in found:
        hit = None if want_missing else cache.lookup(cat, st, now)
        if hit is not None:
            results[cat.key] = FileResult.from_cache(cat, hit)
        else:
            todo.append(cat)
    if todo:
        pending = {cat.key for cat in todo}
        size = sum(st.st_size for cat, st in found if cat.key in pending)
        # A recording's catalogues side by side: one worker then counts their shared English once.
        todo.sort(key=lambda c: (c.recording, c.key))
        work = [(cat, want_missing, now) for cat in todo]
        workers = jobs if jobs > 0 else _auto_workers(len(todo), size)
        bar = click.progressbar(length=len(todo), label="Counting", file=sys.stderr) \
            if progress and len(todo) >= PROGRESS_MIN_FILES else None
        if workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            from tmtool import coverage  # noqa: F401  (imported once, before the workers fork)

            with ProcessPoolExecutor(max_workers=workers) as pool:
                outcomes: Iterable = pool.map(_scan_job, work, chunksize=max(1, min(16, len(work) // 32)))
                _gather(todo, outcomes, cache, results, bar)
        else:
            _gather(todo, map(_scan_job, work), cache, results, bar)
    return [results[cat.key] for cat, _ in found]


def _auto_workers(files: int, size: int) -> int:
    """Two processes for a big cold run when the machine has two cores, else one."""
    if (os.cpu_count() or 1) < 2 or files < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
        return 1
    return 2


def _gather(todo: list[Catalogue], outcomes: Iterable, cache: CountCache,
            results: dict[str, FileResult], bar) -> None:  # type: ignore[no-untyped-def]
    if bar is not None:
        bar.__enter__()
    try:
        for cat, (result, ident, digest) in zip(todo, outcomes):
            results[cat.key] = result
            cache.store(cat, ident, digest, result)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


# ---------------------------------------------------------------- output


def _floor(p: float | None, digits: int = 1) -> float | None:
    """Round down, so that 99.97 % never shows as 100 %."""
    if p is None:
        return None
    f = 10 ** digits
    return math.floor(p * f) / f


def _percent(counts: dict[str, int], by: str) -> float | None:
    if by == "words":
        total, done = counts["total_words"], counts["translated_words"]
    else:
        total, done = counts["total"], counts["translated"]
    return 100.0 * done / total if total else None


def row_dict(r: FileResult) -> dict[str, object]:
    """One JSON/CSV row (a stable shape for scripts)."""
    d: dict[str, object] = {"path": r.path, "recording": r.recording, "language": r.language}
    keys = ("total", "translated", "fuzzy", "untranslated", "total_words", "translated_words",
            "fuzzy_words", "untranslated_words", "notes")
    for k in keys:
        d[k] = r.counts[k] if r.counts else None
    d["percent"] = _floor(_percent(r.counts, "messages"), 2) if r.counts else None
    d["percent_words"] = _floor(_percent(r.counts, "words"), 2) if r.counts else None
    if r.absent:  # nothing translated yet; the totals are unknown until the catalogue exists
        d["percent"] = d["percent_words"] = 0.0
    d["error"] = r.error
    d["warnings"] = list(r.warnings)
    d["status"] = r.status
    return d


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


_COLS = [("lang", 5), ("total", 7), ("translated", 10), ("fuzzy", 6), ("untransl.", 9), ("%", 6), ("notes", 5)]
_NOISE = {"locale", "locales", "lc_messages", "po", "i18n"}


def short_names(paths: Sequence[str]) -> dict[str, str]:
    """Readable labels for catalogues of a gettext tree: no common prefix, no
    ``locale/<lang>/LC_MESSAGES`` folders, no ``.po``.

    >>> short_names(["d/contrib/admin/locale/kk/LC_MESSAGES/django.po", "d/conf/locale/kk/LC_MESSAGES/django.po"])
    {'d/contrib/admin/locale/kk/LC_MESSAGES/django.po': 'contrib/admin/django', 'd/conf/locale/kk/LC_MESSAGES/django.po': 'conf/django'}
    """
    split = []
    for p in paths:
        parts = Path(p).parts
        keep = []
        for i, part in enumerate(parts[:-1]):
            nxt = parts[i + 1] if i + 1 < len(parts) else ""
            if part.lower() in _NOISE or nxt == "LC_MESSAGES":
                continue
            keep.append(part)
        anchor = Path(p).anchor
        if keep and anchor and keep[0] == anchor:  # "/" of an absolute path is no name to join with "/"
            keep[0] = anchor.rstrip("/\\") or ""
        split.append((p, keep, Path(parts[-1]).stem if parts else p))
    common = 0
    if len(split) > 1:
        first = split[0][1]
        while common < len(first) and all(len(k) > common + 1 and k[common] == first[common] for _, k, _ in split):
            common += 1
    return {p: "/".join(keep[common:] + [stem]) for p, keep, stem in split}


def render_table(rows: list[FileResult], by: str, fail_under: float | None, label: str) -> Iterator[str]:
    """The human table: one line per catalogue, a totals line; fits 80 columns."""
    unit = "words" if by == "words" else ""
    sfx = "_words" if by == "words" else ""
    # The language column widens for kk@latin (never cut to "kk@la"), taken from the name's.
    lang_w = min(max([5] + [len(r.language or "?") for r in rows]), 10)
    name_w = TABLE_WIDTH - 1 - sum(w + 1 for _, w in _COLS) - (lang_w - 5)
    head = f"{label:<{name_w}}" + "".join(f" {c:>{w}}" if c != "lang" else f" {c:<{lang_w}}" for c, w in _COLS)
    yield click.style(head + (f"   ({unit})" if unit else ""), bold=True)
    total: dict[str, int] = {}
    short = short_names([r.path for r in rows]) if label != "recording" else {}
    for r in rows:
        name = _fit(r.recording if label == "recording" else short.get(r.path, r.path), name_w)
        lang = (r.language or "?")[:lang_w]
        if r.absent:
            yield click.style(f"{name:<{name_w}} {lang:<{lang_w}} MISSING: no catalogue yet (tmtool align)", fg="red")
            continue
        if r.counts is None:
            yield click.style(f"{name:<{name_w}} {lang:<{lang_w}} ERROR {r.error}", fg="red")
            continue
        c = r.counts
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
        yield _table_line(name, lang, c, sfx, by, fail_under, name_w, lang_w=lang_w)
    if total:
        yield click.style(_table_line("TOTAL", "", total, sfx, by, fail_under, name_w, colour=False, lang_w=lang_w),
                          bold=True)


def _table_line(name: str, lang: str, c: dict[str, int], sfx: str, by: str, fail_under: float | None,
                name_w: int, colour: bool = True, lang_w: int = 5) -> str:
    p = _percent(c, by)
    ptxt = "-" if p is None else f"{_floor(p):.1f}"
    cells = (f"{name:<{name_w}} {lang:<{lang_w}} {c['total' + sfx]:>7} {c['translated' + sfx]:>10} "
             f"{c['fuzzy' + sfx]:>6} {c['untranslated' + sfx]:>9} ")
    pcell = f"{ptxt:>6}"
    if colour:
        ok = p is not None and (p >= fail_under if fail_under is not None else p >= 100.0)
        pcell = click.style(pcell, fg="green" if ok else ("red" if fail_under is not None or p is None else "yellow"))
    return cells + pcell + f" {c['notes']:>5}"


def render_missing_table(rows: list[FileResult]) -> Iterator[str]:
    from tmtool.project import format_time

    # The recording column takes what its ids need (up to 28), so a person can copy an id,
    # and the time is to the second (JSON and CSV keep milliseconds); the English text gets
    # the rest of the 80 columns.
    rec_w = max([9] + [min(len(r.recording), 28) for r in rows if r.missing])
    lang_w = min(max([6] + [len(r.language or "?") for r in rows if r.missing]), 10)
    widths = (rec_w, lang_w, 8, 8, 5)
    text_w = max(20, TABLE_WIDTH - sum(w + 1 for w in widths))
    yield click.style(f"{'recording':<{rec_w}} {'lang':<{lang_w}} {'entry':<8} {'time':<8} {'state':<5} English",
                      bold=True)
    for r in rows:
        for m in r.missing or []:
            t = format_time(m["time_ms"])[:8] if m["time_ms"] is not None else ""  # type: ignore[arg-type]
            state = "fuzzy" if m["state"] == "fuzzy" else "todo"
            yield (f"{_fit(r.recording, rec_w):<{rec_w}} {(r.language or '?')[:lang_w]:<{lang_w}} {m['entry']:<8} {t:<8} "
                   f"{state:<5} {_cut(str(m['text']), text_w)}")


def missing_dicts(rows: list[FileResult]) -> list[dict[str, object]]:
    from tmtool.project import format_time

    out = []
    for r in rows:
        for m in r.missing or []:
            out.append({
                "path": r.path, "recording": r.recording, "language": r.language,
                "entry": m["entry"], "msgctxt": m["msgctxt"], "line": m["line"],
                "time": format_time(m["time_ms"]) if m["time_ms"] is not None else None,  # type: ignore[arg-type]
                "time_ms": m["time_ms"], "state": m["state"], "text": m["text"],
            })
    return out


def _csv(rows: list[dict[str, object]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for d in rows:
        w.writerow(["; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                    for v in (d[c] for c in columns)])
    return buf.getvalue()


def _print_warnings(rows: list[FileResult]) -> None:
    """Each distinct warning once (Django's 13 Russian catalogues share one)."""
    seen: dict[str, list[str]] = {}
    for r in rows:
        for w in r.warnings:
            msg = w.split("warning: ", 1)[-1]
            seen.setdefault(msg, []).append(w)
    for msg, ws in seen.items():
        more = f" (and {len(ws) - 1} more catalogue{'s' if len(ws) > 2 else ''})" if len(ws) > 1 else ""
        click.echo(ws[0] + more, err=True)


# ---------------------------------------------------------------- the command


def _finite_percent(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """click's FloatRange lets NaN through (every comparison with it is false): a gate that never fails."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("must be a number from 0 to 100, not nan")
    return value


def _absent_rows(declared: list[Declared], found: list[tuple[Catalogue, os.stat_result]]) -> list[FileResult]:
    """A row marked missing for each declared catalogue that is not on disk."""
    have = {(c.recording, c.folder_language) for c, _ in found}
    return [FileResult(d.shown, d.recording, d.folder, absent=True)
            for d in declared if (d.recording, d.folder) not in have]


@cli.command("coverage")
@click.argument("recordings", nargs=-1, metavar="[RECORDING]...")
@lang_option
@format_option("table", "json", "csv")
@click.option("--by", type=click.Choice(["messages", "words"]), default="messages", show_default=True,
              help="Unit of the table and of --fail-under: messages (as msgfmt) or English source words.")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT", callback=_finite_percent,
              help="Exit 1 and name the catalogues translated less than PCT % (a missing one counts as 0 %).")
@click.option("--missing", is_flag=True, help="List the untranslated and fuzzy entries instead of counts.")
@click.option("--path", "tree", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Count every *.po below DIR (any gettext tree) instead of this project's locales/.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the count cache.")
@click.option("--jobs", type=click.IntRange(0, 64), default=0, metavar="N",
              help="Processes for counting uncached files (0: two on a big run with two cores or more).")
@quiet_option
def coverage_command(recordings: tuple[str, ...], langs: tuple[str, ...], fmt: str, by: str,
                     fail_under: float | None, missing: bool, tree: Path | None, no_cache: bool,
                     jobs: int, quiet: bool) -> None:
    """How much of each recording is translated, per language (messages counted as msgfmt does).

    Every language a recording's manifest declares (besides the source) is a row, and a
    catalogue that does not exist yet is a row marked missing that counts as 0 %; catalogues
    under locales/ that no manifest declares are counted too. RECORDING names a recording
    id; without one, every recording is counted. Source words follow translate-toolkit's pocount.
    """
    from tmtool.project import check_id

    root = Path.cwd().resolve()
    wanted = _wanted_languages(langs)
    declared: list[Declared] = []
    manifest_errors: list[FileResult] = []
    if tree is None:
        declared, manifest_errors = declared_catalogues(root)
    if tree is None and not (root / "locales").is_dir() and (declared or manifest_errors):
        found: list[tuple[Catalogue, os.stat_result]] = []  # recordings, but nothing aligned yet
    else:
        found = find_catalogues(root, tree)
    if recordings:
        if tree is None:
            for rid in recordings:
                check_id(rid)
        names = set(recordings)
        known = {c.recording for c, _ in found} | {d.recording for d in declared} | {r.recording for r in manifest_errors}
        unknown = sorted(names - known)
        if unknown:
            where = tree if tree is not None else "locales/ or transcripts/"
            raise TmtoolError(f"no catalogue or recording {', '.join(unknown)} under {where}")
        found = [(c, st) for c, st in found if c.recording in names]
        declared = [d for d in declared if d.recording in names]
        manifest_errors = [r for r in manifest_errors if r.recording in names]
    if tree is None and wanted:  # the folder names the language in tmtool's layout
        found = [(c, st) for c, st in found if lang_matches(c.folder_language, wanted)]
        declared = [d for d in declared if lang_matches(d.folder, wanted)]
    cache = CountCache(tree.resolve() if tree is not None else root / "locales", enabled=not no_cache)
    progress = not quiet and sys.stderr.isatty()
    rows = collect(found, cache, missing, progress, jobs)
    if tree is not None and wanted:
        rows = [r for r in rows if lang_matches(r.language, wanted)]
    if not recordings and not langs:
        cache.forget_others(c.key for c, _ in found)
    cache.save()
    absent = _absent_rows(declared, found)
    rows += absent + manifest_errors
    rows.sort(key=lambda r: (r.recording, r.language or "", r.path))

    if missing:
        data = missing_dicts(rows)
        if fmt == "json":
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            click.echo(_csv(data, ["path", "recording", "language", "entry", "msgctxt", "line", "time",
                                   "state", "text"]), nl=False)
        else:
            for line in render_missing_table(rows):
                click.echo(line)
        for r in absent:  # nothing to list entry by entry: say so, or the list looks complete
            click.echo(f"{r.path}: no {r.language} catalogue yet, every entry is left "
                       f"(run: tmtool align {r.recording})", err=True)
    else:
        data = [row_dict(r) for r in rows]
        if fmt == "json":
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            click.echo(_csv(data, list(data[0]) if data else ["path"]), nl=False)
        else:
            for line in render_table(rows, by, fail_under, "recording" if tree is None else "catalogue"):
                click.echo(line)

    if not quiet:
        _print_warnings(rows)
    failed = False
    for r in rows:
        if r.error is not None:
            click.echo(f"error: {r.error}", err=True)
            failed = True
    if not rows:
        click.echo("no catalogues found" + (f" under {tree}" if tree is not None else " under locales/"), err=True)
        if fail_under is not None:  # a gate over nothing must not pass
            failed = True
    if fail_under is not None:
        low = []
        for r in rows:
            if r.absent:
                low.append(f"{r.recording if tree is None else r.path} ({r.language or '?'}) no catalogue")
                continue
            if r.counts is None:
                continue
            p = _percent(r.counts, by)
            if p is None or p < fail_under:
                shown = "no entries" if p is None else f"{_floor(p):.1f}%"
                low.append(f"{r.recording if tree is None else r.path} ({r.language or '?'}) {shown}")
        if low:
            click.echo(f"coverage below {fail_under:g}% ({by}): " + ", ".join(low), err=True)
            failed = True
    if failed:
        sys.exit(1)
