"""The on-disk layout of a tmtool project, and reading recordings from it.

A project root holds::

    transcripts/<recording-id>/recording.toml   the manifest
    transcripts/<recording-id>/<lang>.<txt|srt|vtt>   one track per language
    locales/<recording-id>.pot
    locales/<lang>/LC_MESSAGES/<recording-id>.po
    build/<recording-id>/…

This module does the I/O; the readers in :mod:`tmtool.formats` stay pure.
"""

from __future__ import annotations

import math
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, NoReturn

from tmtool import languages, limits
from tmtool.errors import InputError, RecordingError, TmtoolError
from tmtool.model import Manifest, Recording, Segment, Speaker, Track
from tmtool.textio import atomic_write, decode

MANIFEST = "recording.toml"
TRACK_FORMATS = ("txt", "srt", "vtt")
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?$")
_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")
#: A duration beyond this (about six weeks) is a typo, not a recording.
MAX_DURATION_HOURS = 1000


def check_id(recording_id: str) -> str:
    """A recording id is a lowercase ASCII slug: it names a folder and files, never a path.

    >>> check_id("the-platform-kazakhstan")
    'the-platform-kazakhstan'
    """
    if not _ID.match(recording_id) or ".." in recording_id:
        raise RecordingError(
            f"invalid recording id {recording_id!r}: use lowercase letters, digits, '-', '_' or '.' "
            "(e.g. the-platform-kazakhstan)"
        )
    return recording_id


def parse_duration(value: Any, path: str = "") -> int:
    """``"00:13:55"``, ``"13:55.5"`` or a number of seconds → milliseconds.

    >>> parse_duration("00:13:55")
    835000
    """
    if isinstance(value, bool):
        raise InputError(f"duration must be hh:mm:ss or seconds, not {value!r}", path)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"duration must be a number of seconds, not {value!r}", path)
        if value < 0:
            raise InputError("duration must not be negative", path)
        if value > MAX_DURATION_HOURS * 3600:
            raise InputError(f"duration {value!r} s is more than {MAX_DURATION_HOURS} hours", path)
        return round(value * 1000)
    m = _DURATION.match(str(value).strip())
    if not m:
        raise InputError(f"duration must be hh:mm:ss or seconds, not {value!r}", path)
    h, mnt, s, frac = m.groups()
    if int(s) >= 60 or (h is not None and int(mnt) >= 60):
        raise InputError(f"invalid duration {value!r}", path)
    if h is not None and (len(h) > 6 or int(h) > MAX_DURATION_HOURS):
        raise InputError(f"duration {value!r} is more than {MAX_DURATION_HOURS} hours", path)
    ms = int((frac or "0").ljust(3, "0"))
    return ((int(h or 0) * 60 + int(mnt)) * 60 + int(s)) * 1000 + ms


def format_time(ms: int | None) -> str:
    """Milliseconds → ``HH:MM:SS.mmm`` (the form used in PO comments and reports).

    >>> format_time(83450)
    '00:01:23.450'
    """
    if ms is None:
        return "-"
    s, ms = divmod(int(ms), 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


# --- manifest -------------------------------------------------------------------------------


_HEADER = re.compile(r"""^\s*(\[\[?)\s*([^\[\]#]*?)\s*\]\]?\s*(?:#.*)?$""")
_ANY_KEY = re.compile(r"""^\s*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*'))*\s*=""")


def _table_name(raw: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in raw.split("."))


def _toml_lines(text: str) -> list[tuple[int, str, int | None, bool, str]]:
    """``(line number, table, index of an array-of-tables entry, is a header, line)`` of
    each line outside multi-line strings: enough to point at a key, which tomllib cannot."""
    out: list[tuple[int, str, int | None, bool, str]] = []
    table, nth = "", None
    counts: dict[str, int] = {}
    quote: str | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if quote is not None:
            if line.count(quote) % 2:
                quote = None
            continue
        m = _HEADER.match(line)
        if m:
            table = _table_name(m.group(2))
            if m.group(1) == "[[":
                nth = counts.get(table, 0)
                counts[table] = nth + 1
            else:
                nth = None
        out.append((number, table, nth, bool(m), line))
        quote = next((q for q in ('"""', "'''") if line.count(q) % 2), None)
    return out


def key_line(text: str, key: str | None = None, table: str = "", nth: int | None = None,
             item: str | None = None, occurrence: int = 0) -> int | None:
    """The 1-based line of ``key`` in ``[table]`` (the ``nth`` ``[[table]]``) of TOML ``text``.

    With ``item``, the line of that string in the key's array (its ``occurrence``-th
    time); without ``key``, the table's header. None when it cannot be told.

    >>> key_line('id = "x"\\n[[speakers]]\\nname = "A"\\n[[speakers]]\\nrole = "boss"\\n', "role", "speakers", 1)
    5
    """
    lines = [e for e in _toml_lines(text) if e[1] == table and (nth is None or e[2] == nth)]
    header = next((no for no, _, _, is_header, _ in lines if is_header), None)
    if key is None:
        return header
    pattern = re.compile(r"""^\s*(?:%s|"%s"|'%s')\s*=""" % ((re.escape(key),) * 3))
    found = next((i for i, e in enumerate(lines) if not e[3] and pattern.match(e[4])), None)
    if found is None:
        return header
    number = lines[found][0]
    if item is None:
        return number
    # The array may run over several lines: up to the next key or header.
    raw = text.split("\n")
    stop = next((no for no, _, _, is_header, line in _toml_lines(text)
                 if no > number and (is_header or _ANY_KEY.match(line))), len(raw) + 1)
    quoted = re.compile(r"""(?:"%s"|'%s')""" % (re.escape(item), re.escape(item)))
    seen = 0
    for no in range(number, stop):
        text_line = raw[no - 1] if no > number else raw[no - 1].split("=", 1)[1]
        for _ in quoted.finditer(text_line):
            if seen == occurrence:
                return no
            seen += 1
    return number


def _str(data: Mapping[str, Any], key: str, fail: Callable[..., NoReturn], default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        fail(f"'{key}' must be a string, not {type(value).__name__}", key)
    return value


def _first_bad(mapping: Mapping[str, Any], ok: Any) -> str | None:
    return next((str(k) for k, v in mapping.items() if not ok(v)), None)


def parse_manifest(text: str, path: str, folder_id: str) -> Manifest:
    """Read ``recording.toml`` text into a :class:`Manifest` (the folder name is the id).

    Every error names the file and, where the key can be found in the text, its line.
    """
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise InputError("invalid TOML: arrays or tables nested too deeply", path) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = int(m.group(1)) if m else (text.count("\n") + 1 if "end of document" in msg else None)
        reason = re.sub(r" \(at (line|end of document).*\)$", "", msg)
        raise InputError(f"invalid TOML: {reason}", path, line) from None

    def fail(msg: str, key: str | None = None, table: str = "", nth: int | None = None,
             item: str | None = None, occurrence: int = 0) -> NoReturn:
        line = key_line(text, key, table, nth, item, occurrence)
        if line is None and table and nth is None:  # an inline table: encoding = {…}
            line = key_line(text, table.split(".")[0])
        if line is None and table == "speakers":  # speakers = [{…}]
            line = key_line(text, "speakers")
        raise InputError(msg, path, line)

    def table_of(key: str, hint: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            fail(hint, key)
        return value

    rid = _str(data, "id", fail, folder_id)
    if rid != folder_id:
        fail(f"id {rid!r} does not match the folder name {folder_id!r}", "id")
    langs = data.get("languages", [])
    if not isinstance(langs, list) or not all(isinstance(x, str) for x in langs):
        fail("'languages' must be a list of language codes", "languages")
    langs_n: list[str] = []
    for raw in langs:
        try:
            code = languages.normalize(raw)
        except TmtoolError as exc:
            fail(exc.message, "languages", item=raw)
        if code in langs_n:
            first = langs[langs_n.index(code)]
            fail(f"'languages' lists {code} twice ({first!r} and {raw!r})", "languages",
                 item=raw, occurrence=langs[:len(langs_n)].count(raw))
        langs_n.append(code)
    try:
        source = languages.normalize(_str(data, "source_language", fail, "en"))
    except TmtoolError as exc:
        fail(f"source_language: {exc.message}", "source_language")
    speakers = []
    raw_speakers = data.get("speakers", [])
    if not isinstance(raw_speakers, list):
        fail("'speakers' must be an array of tables ([[speakers]])", "speakers")
    for i, sp in enumerate(raw_speakers):
        if not isinstance(sp, dict) or not isinstance(sp.get("name"), str) or not sp["name"].strip():
            fail("each [[speakers]] needs a name", "name", "speakers", i)
        role = sp.get("role")
        if role not in (None, "question", "answer"):
            fail(f"speaker role must be 'question' or 'answer', not {role!r}", "role", "speakers", i)
        aliases = sp.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            fail(f"aliases of speaker {sp['name']!r} must be a list of strings", "aliases", "speakers", i)
        speakers.append(Speaker(sp["name"].strip(), role, tuple(a.strip() for a in aliases if a.strip())))
    duration = data.get("duration")
    duration_ms = None
    if duration is not None:
        try:
            duration_ms = parse_duration(duration, path)
        except InputError as exc:
            fail(exc.message, "duration")
    encodings = table_of("encoding", "[encoding] must map a language to an encoding name, e.g. ru = \"cp1251\"")
    bad = _first_bad(encodings, lambda v: isinstance(v, str))
    if bad is not None:
        fail("[encoding] must map a language to an encoding name, e.g. ru = \"cp1251\"", bad, "encoding")
    encoding: dict[str, str] = {}
    for k, v in encodings.items():
        try:
            encoding[languages.normalize(k)] = v
        except TmtoolError as exc:
            fail(f"[encoding]: {exc.message}", k, "encoding")
    metadata = table_of("metadata", "[metadata] must be a table")
    captions = table_of("captions", "[captions] must be a table (e.g. max_cps = 15, or [captions.kk])")
    caption_settings: dict[str, dict[str, object]] = {"": {k: v for k, v in captions.items() if not isinstance(v, dict)}}
    for k, v in captions.items():
        if isinstance(v, dict):
            try:
                caption_settings[languages.normalize(k)] = dict(v)
            except TmtoolError as exc:
                line = key_line(text, None, f"captions.{k}") or key_line(text, k, "captions")
                raise InputError(f"[captions.{k}]: {exc.message}", path, line) from None
    media = data.get("media")
    if media is not None and (not isinstance(media, str) or "/" in media or "\\" in media):
        fail("'media' must be a file name next to the captions (no folders)", "media")
    return Manifest(
        id=rid,
        title=_str(data, "title", fail),
        date=str(data.get("date", "")),
        languages=tuple(langs_n),
        source_language=source,
        speakers=tuple(speakers),
        media=media,
        duration_ms=duration_ms,
        encoding=encoding,
        metadata={str(k): str(v) for k, v in metadata.items()},
        captions=caption_settings,
    )


_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(value: str) -> str:
    r"""A TOML basic string that reads back as exactly ``value`` (quotes, backslashes, controls escaped).

    >>> s = 'He said "hi": C:\\new\tdir\x7f'
    >>> tomllib.loads('t = ' + toml_string(s))['t'] == s
    True
    """
    out = []
    for ch in value:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def new_languages(langs: Collection[str]) -> tuple[str, ...]:
    """The languages ``tmtool new`` was given, normalised; each once (else :class:`RecordingError`).

    >>> new_languages(["EN", "kk_latn"])
    ('en', 'kk-Latn')
    """
    out: list[str] = []
    for raw in langs:
        try:
            code = languages.normalize(raw)
        except TmtoolError as exc:
            raise RecordingError(f"--lang: {exc.message}") from None
        if code in out:
            raise RecordingError(f"--lang {code} is given twice; give each language once")
        out.append(code)
    if not out:
        raise RecordingError("give at least one language (--lang en)")
    return tuple(out)


def template_source(langs: tuple[str, ...]) -> str:
    """The source language a new manifest names: English if listed, else the first language."""
    return "en" if "en" in langs else langs[0]


def track_names(langs: tuple[str, ...]) -> list[str]:
    """Example track file names for ``langs``: the source as text, the others as SubRip."""
    source = template_source(langs)
    return [f"{x}.txt" if x == source else f"{x}.srt" for x in langs]


def manifest_template(recording_id: str, title: str = "", langs: tuple[str, ...] = ("en", "kk", "ru")) -> str:
    """The ``recording.toml`` that ``tmtool new`` writes, with every field explained."""
    langs = new_languages(langs)
    quoted = ", ".join(f'"{x}"' for x in langs)
    source = template_source(langs)
    return f'''# tmtool recording manifest
id = "{recording_id}"
title = {toml_string(title)}
date = ""                  # YYYY-MM-DD of the recording
source_language = "{source}"     # the published transcript: its sentences become the msgids
languages = [{quoted}]     # one track per language, e.g. {", ".join(track_names(langs))} (txt, srt or vtt)
# duration = "00:12:30"    # media length; spreads untimed text when no track is timed
# media = "{recording_id}.mp4"   # the video the captions go next to

# [[speakers]]               # list every speaker: then only their names and aliases are labels
# name = "Interviewer"
# role = "question"        # question / answer: Q/A transcripts without speaker labels
# aliases = []             # labels used in the tracks ("Тео:", "Алма:")

# [encoding]
# ru = "cp1251"            # a track that is not UTF-8 / UTF-16 with BOM
'''


# --- tracks ---------------------------------------------------------------------------------


def _read_track(text: str, fmt: str, path: str, manifest: Manifest) -> list[Segment]:
    from tmtool.formats import READERS

    # Tracks written by different people label speakers differently ("Алма:", "Alma Nurusheva");
    # the manifest's aliases map them onto one name.
    aliases: dict[str, str] = {}
    for sp in manifest.speakers:
        aliases[sp.name] = sp.name
        for a in sp.aliases:
            aliases[a] = sp.name
    q = [s.name for s in manifest.speakers if s.role == "question"]
    a = [s.name for s in manifest.speakers if s.role == "answer"]
    qa = (q[0], a[0]) if q and a else None
    # A manifest that lists its speakers lists all of them: "Короче: …" is speech, not a speaker.
    segments = READERS[fmt](text, path, qa_speakers=qa, speaker_aliases=aliases,
                            known_speakers_only=bool(manifest.speakers))
    if not segments:
        raise InputError("the track has no segments", path)
    return segments


def _track_candidates(folder: Path) -> list[tuple[str, Path]]:
    """``(language, file)`` of every file named like a track: ``kk.srt``, ``kk-Latn.vtt``."""
    out = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.suffix[1:].lower() not in TRACK_FORMATS:
            continue
        try:
            out.append((languages.normalize(p.stem), p))
        except TmtoolError:
            continue  # notes.txt, draft.srt … are not tracks
    return out


def track_languages(manifest: Manifest) -> tuple[str, ...]:
    """The languages that have tracks: the source language, then the manifest's ``languages``."""
    return tuple(dict.fromkeys((manifest.source_language, *manifest.languages)))


def find_tracks(folder: Path, wanted: Collection[str] | None = None) -> dict[str, Path]:
    """Track files in a recording folder, by language: ``kk.srt`` → ``{"kk": …}``.

    With ``wanted`` (see :func:`track_languages`) only those languages: a stray
    ``de.srt`` the manifest does not list is no track (see :func:`stray_tracks`).
    """
    found: dict[str, Path] = {}
    for lang, p in _track_candidates(folder):
        if wanted is not None and lang not in wanted:
            continue
        if lang in found:
            raise RecordingError(f"two tracks for language {lang}: {found[lang].name} and {p.name}", str(folder))
        found[lang] = p
    return found


def stray_tracks(folder: Path, manifest: Manifest) -> list[str]:
    """Files named like a track whose language the manifest does not list (left out)."""
    wanted = track_languages(manifest)
    return [p.name for lang, p in _track_candidates(folder) if lang not in wanted]


def suggest_id(name: str) -> str:
    """A valid recording id made from a folder name, for hints: ``qaB`` → ``qab``.

    >>> suggest_id("Interview 2 (Astana)")
    'interview-2-astana'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9._-]+", "-", ascii_name).replace("..", ".")[:100].strip("-._")
    return slug if _ID.match(slug) else "my-recording"


def _decode_track(data: bytes, path: str, forced: str | None, fallback: str | None) -> str:
    if forced:
        return decode(data, path, forced)
    try:
        return decode(data, path)
    except InputError:
        if not fallback:
            raise
        return decode(data, path, fallback)


def resolve(recording: str | Path, root: Path | None = None) -> tuple[Path, Path]:
    """Find a recording folder from a path or an id; return ``(project_root, folder)``.

    An id is looked up under ``<root>/transcripts/``. A folder path works from anywhere;
    its project root is the folder above ``transcripts/`` (else the current directory).
    """
    root = Path.cwd() if root is None else root
    p = Path(recording)
    if p.is_dir():
        folder = p.resolve()
        proot = folder.parent.parent if folder.parent.name == "transcripts" else root.resolve()
        return proot, folder
    if len(p.parts) == 1 and not p.is_absolute():
        check_id(str(recording))
        folder = root / "transcripts" / str(recording)
        if folder.is_dir():
            return root.resolve(), folder.resolve()
        raise RecordingError(f"no recording {recording!r} under {root / 'transcripts'}")
    raise RecordingError("no such recording folder", str(recording))


def _no_manifest_hint(folder: Path) -> str:
    """What to do about a folder without a manifest (``tmtool new`` takes an id, not a path)."""
    if (folder / "transcripts").is_dir():
        ids = list_recordings(folder)
        example = f"e.g. tmtool info {ids[0]}" if ids else "or create one with: tmtool new my-recording"
        return f"no {MANIFEST}: this is a project folder; give a recording id ({example})"
    rid = suggest_id(folder.name)
    if folder.parent.name == "transcripts":
        if rid != folder.name:
            return (f"no {MANIFEST}, and {folder.name!r} is not a valid recording id: rename the folder "
                    f"to {rid} and run: tmtool new {rid} (in {folder.parent.parent})")
        return f"no {MANIFEST} (create one with: tmtool new {rid}, run in {folder.parent.parent})"
    return f"no {MANIFEST}: not a recording folder (create one under ./transcripts/ with: tmtool new {rid})"


def load_recording(recording: str | Path, root: Path | None = None, encoding: str | None = None) -> Recording:
    """Read a recording's manifest and every track in its folder.

    ``encoding`` is the fallback for tracks that are neither UTF-8 nor UTF-16 with a BOM
    (the manifest's ``[encoding]`` table names one per language and wins).
    """
    _, folder = resolve(recording, root)
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise RecordingError(_no_manifest_hint(folder), str(folder))
    raw = limits.read_bytes(mpath, limits.MAX_MANIFEST_BYTES, "a recording.toml")
    manifest = parse_manifest(decode(raw, str(mpath)), str(mpath), folder.name)
    tracks = []
    for lang, path in find_tracks(folder, track_languages(manifest)).items():
        fmt = path.suffix[1:].lower()
        data = limits.read_bytes(path, limits.MAX_TRACK_BYTES, "a transcript track")
        text = _decode_track(data, str(path), manifest.encoding.get(lang), encoding)
        segments = _read_track(text, fmt, str(path), manifest)
        tracks.append(Track(lang, tuple(segments), path.name, fmt))
    order = {lang: i for i, lang in enumerate(manifest.languages)}
    tracks.sort(key=lambda t: (order.get(t.language, len(order)), t.language))
    return Recording(manifest, tuple(tracks))


def missing_tracks(rec: Recording) -> list[str]:
    """Languages the manifest names that have no track file yet."""
    have = {t.language for t in rec.tracks}
    wanted = list(rec.manifest.languages)
    if rec.manifest.source_language not in wanted:
        wanted.insert(0, rec.manifest.source_language)
    return [lang for lang in wanted if lang not in have]


def create_recording(root: Path, recording_id: str, title: str = "", langs: tuple[str, ...] = ("en", "kk", "ru")) -> Path:
    """Scaffold ``transcripts/<id>/recording.toml``; refuse to touch an existing recording."""
    check_id(recording_id)
    langs = new_languages(langs)
    folder = root / "transcripts" / recording_id
    if (folder / MANIFEST).exists():
        raise RecordingError("recording already exists", str(folder / MANIFEST))
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / MANIFEST, manifest_template(recording_id, title, langs))
    return folder


def check_output(root: Path, output: str | Path) -> None:
    """Refuse an output file that is a folder or would replace one of the project's inputs.

    Exports write where they are told (``-o FILE``), but never over a track, a
    manifest, a catalogue or an imported memory: anything under ``transcripts/``
    or ``locales/`` is a person's work, and a typo must not replace it.
    """
    p = Path(output)
    if p.is_dir():
        raise InputError("is a directory; give a file name to write (-o FILE)", str(output))
    target = p.resolve()
    for area in ("transcripts", "locales"):
        if target.is_relative_to((Path(root) / area).resolve()):
            raise InputError(
                f"will not write an export under {area}/: that folder holds the project's inputs "
                "(write to build/ or anywhere else)", str(output),
            )


def write_output(root: Path, output: str | Path, text: str) -> None:
    """Write an export to ``output`` (checked with :func:`check_output`).

    The folder must exist. A regular file (or a symlink to one: the link is kept) is replaced atomically;
    a device or pipe (``/dev/stdout``, a FIFO) is written to as it is, never replaced.
    """
    check_output(root, output)
    target = Path(os.path.realpath(output))
    if not target.parent.is_dir():  # a typo in the folder must not create folders
        raise InputError("no such folder: create it first, or check the path", str(Path(output).parent))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(exc.strerror or str(exc), str(output)) from None
        return
    atomic_write(target, text)


def list_recordings(root: Path) -> list[str]:
    """Ids of every recording under ``<root>/transcripts`` (folders with a manifest)."""
    base = root / "transcripts"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / MANIFEST).is_file())
