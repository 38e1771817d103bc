"""Captions and bilingual documents from a recording's catalogues: pure values in, text out.

The unit of a caption is a catalogue entry: one English sentence (its msgid)
and, per language, its msgstr. :func:`rows_from_catalogs` gathers what every
language has for each entry (text, fuzzy flag, translator notes, and the span
of the language's own timed speech segments); :func:`caption_units` times one
language's entries (:mod:`tmtool.timing`); :func:`make_captions` lays them out
as cues (:mod:`tmtool.captions`), one language or two stacked, and composes
SRT or WebVTT; :func:`make_document` and the ``render_*`` functions write the
bilingual text (txt, Markdown, HTML, CSV). Timed speech that no entry refers
to (the aligner matched it to no English sentence) becomes a row of its own
language (:attr:`Row.unaligned`), so it is still captioned where it is heard.

Nothing is dropped without a word: untranslated and fuzzy entries, entries
shown in the fallback language, estimated timing and cues that cannot be
written are all counted in the result's ``messages``.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tmtool import captions as cap
from tmtool import timing
from tmtool.catalog import Catalog, Entry, clean_text, entry_id, entry_time
from tmtool.errors import TmtoolError
from tmtool.formats._common import safe_lines
from tmtool.linebreak import words_of
from tmtool.model import Cue, Track
from tmtool.project import format_time

__all__ = [
    "CaptionResult",
    "Cell",
    "DocRow",
    "Document",
    "Row",
    "TEXT_FORMATS",
    "TEXT_LAYOUTS",
    "Units",
    "caption_units",
    "compose",
    "make_captions",
    "make_document",
    "render_text",
    "rows_from_catalogs",
    "sound_cues",
    "timing_order",
]

TEXT_FORMATS = ("txt", "md", "html", "csv")
TEXT_LAYOUTS = ("side-by-side", "interleaved")
_SPEAKER = "speaker: "


# --- what every language has for each entry ----------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One catalogue entry (one English sentence) across languages.

    ``texts[lang]`` is the msgstr ("" when untranslated; the source language's
    is the msgid). ``own[lang]`` is the span of that language's own timed
    segments the entry was aligned with; ``pieces[lang]`` those segments
    (text and times) when the msgstr is still exactly their text, so captions
    follow the pauses of the speech. ``notes[lang]`` are the translator
    comments of that language's catalogue.
    """

    id: str
    msgid: str
    speaker: str | None = None
    texts: Mapping[str, str] = field(default_factory=dict)
    fuzzy: frozenset[str] = frozenset()
    own: Mapping[str, timing.Span] = field(default_factory=dict)
    pieces: Mapping[str, tuple[cap.TimedText, ...]] = field(default_factory=dict)
    notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: set on a row that is no entry but one of this language's timed speech
    #: segments no entry refers to (the aligner matched it to no English
    #: sentence: a 0-1 bead); ``texts``, ``own`` and ``pieces`` hold only it.
    unaligned: str | None = None

    def text(self, lang: str) -> str:
        return self.texts.get(lang, "")


def _speaker(entries: Sequence[Entry | None]) -> str | None:
    for e in entries:
        if e is None:
            continue
        for c in e.extracted_comments:
            if c.startswith(_SPEAKER) and c[len(_SPEAKER):].strip():
                return c[len(_SPEAKER):].strip()
    return None


def _track_ref(recording_id: str, track: Track) -> str:
    return f"transcripts/{recording_id}/{track.source}"


def _clean(text: str) -> str:
    """:func:`~tmtool.catalog.clean_text`, without its regular expression for text already clean."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or text[:1] == " " or text[-1:] == " ":
        return clean_text(text)
    return text


def _pieces(msgstr: str, track: Track, found: set[int]) -> tuple[cap.TimedText, ...]:
    """The track's timed segments ``found`` (an entry refers to them), if ``msgstr`` (clean) is exactly their text."""
    if not found:
        return ()
    segs = [track.segments[k] for k in sorted(found)]
    if not all(s.timed for s in segs):
        return ()
    texts = [_clean(s.text) for s in segs]
    if " ".join(t for t in texts if t) != msgstr:
        return ()  # a person changed the text: time it as one piece
    return tuple(cap.TimedText(t, s.start_ms, s.end_ms) for t, s in zip(texts, segs) if t)  # type: ignore[arg-type]


def rows_from_catalogs(
    template: Catalog | None,
    catalogs: Mapping[str, Catalog],
    tracks: Mapping[str, Track],
    *,
    source_language: str = "en",
    recording_id: str = "",
) -> list[Row]:
    """One :class:`Row` per live entry of the template (else of the first catalogue), in order.

    ``catalogs`` maps a language to its ``.po``; ``tracks`` the languages to
    their transcript tracks (a language's own span is used only when its track is
    timed and the entry refers to it).
    """
    base = template if template is not None else next(iter(catalogs.values()), None)
    if base is None:
        raise TmtoolError("no catalogue to export from (run tmtool build first)")
    by_key = {lang: {e.key: e for e in c.messages} for lang, c in catalogs.items()}
    lines = {lang: _segments_by_line(t) for lang, t in tracks.items() if t.timed}
    refs = {lang: _track_ref(recording_id, tracks[lang]) for lang in lines}
    src_track = tracks.get(source_language)
    src_timed = src_track is not None and src_track.timed and template is not None
    others = [(lang, entries) for lang, entries in by_key.items() if lang != source_language]
    rows: list[Row] = []
    referenced: dict[str, list[set[int]]] = {  # per timed language, per row: the segments it names
        lang: [] for lang in by_key if lang in lines and lang != source_language}
    for e in base.messages:
        if not e.msgid:
            continue
        texts: dict[str, str] = {source_language: e.msgid}
        fuzzy: set[str] = set()
        own: dict[str, timing.Span] = {}
        pieces: dict[str, tuple[cap.TimedText, ...]] = {}
        notes: dict[str, tuple[str, ...]] = {}
        if template is not None and e.translator_comments:
            notes[source_language] = e.translator_comments
        if src_timed:
            t = entry_time(e)
            if t is not None:
                own[source_language] = t
        found: list[Entry | None] = [e]
        for lang, entries in others:
            pe = entries.get(e.key)
            found.append(pe)
            if pe is None:
                texts[lang] = ""
                if lang in referenced:
                    referenced[lang].append(set())
                continue
            text = texts[lang] = _clean(pe.translations[0] if pe.translations else "")
            if pe.fuzzy and text:
                fuzzy.add(lang)
            if pe.translator_comments:
                notes[lang] = pe.translator_comments
            if lang not in lines:
                continue
            ref = refs[lang]
            named = _referenced(pe, ref, lines[lang])
            if lang in referenced:
                referenced[lang].append(named)
            if any(r.rpartition(":")[0] == ref or r == ref for r in pe.references):
                t = entry_time(pe)
                if t is not None:
                    own[lang] = t
                    if text:
                        msgstr = text if pe.msgid_plural is None else _clean(pe.msgstr)
                        p = _pieces(msgstr, tracks[lang], named)
                        if p:
                            pieces[lang] = p
        rows.append(Row(entry_id(e), e.msgid, _speaker(found), texts, frozenset(fuzzy), own, pieces, notes))
    for lang, per_row in referenced.items():
        rows = _with_unaligned(rows, per_row, tracks[lang], lang)
    return rows


def _referenced(entry: Entry, ref: str, by_line: Mapping[int, list[int]]) -> set[int]:
    """Indexes of the track's segments the entry's ``#:`` references name."""
    out: set[int] = set()
    for r in entry.references:
        path, _, line = r.rpartition(":")
        if path == ref and line.isdigit():
            out.update(by_line.get(int(line), ()))
    return out


def _with_unaligned(rows: list[Row], per_row: Sequence[set[int]], track: Track, lang: str) -> list[Row]:
    """``rows`` with a row for each timed segment of ``track`` no entry refers to.

    Each goes before the first entry that refers to a later segment of the
    track, so the language's rows stay in the speech's order.
    """
    entry_rows = [r for r in rows if r.unaligned is None]
    seen = set().union(*per_row) if per_row else set()
    extra: dict[int, list[Row]] = {}  # entry row index -> unaligned rows to put before it
    firsts = [min(s) if s else None for s in per_row]
    for k, seg in enumerate(track.segments):
        text = _clean(seg.text)
        if k in seen or not text or not seg.timed:
            continue
        at = next((i for i, f in enumerate(firsts) if f is not None and f > k), len(entry_rows))
        span = (seg.start_ms, seg.end_ms)
        extra.setdefault(at, []).append(Row(
            f"{lang}:{seg.line}", "", seg.speaker, {lang: text}, frozenset(), {lang: span},  # type: ignore[dict-item]
            {lang: (cap.TimedText(text, seg.start_ms, seg.end_ms),)}, {}, lang))  # type: ignore[arg-type]
    if not extra:
        return rows
    out: list[Row] = []
    i = 0
    for r in rows:
        if r.unaligned is None:
            out += extra.pop(i, [])
            i += 1
        out.append(r)
    out += extra.pop(len(entry_rows), [])
    return out


def _segments_by_line(track: Track) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for k, s in enumerate(track.segments):
        out.setdefault(s.line, []).append(k)
    return out


# --- timing one language -------------------------------------------------------------------------


def timing_order(lang: str, partner: str | None, timed: Sequence[str]) -> list[str]:
    """Whose timing a language's entries take: its own, the partner's, then other timed languages.

    >>> timing_order("en", "ru", ["kk", "ru"])
    ['en', 'ru', 'kk']
    """
    out = [lang]
    for x in ([partner] if partner else []) + list(timed):
        if x not in out:
            out.append(x)
    return out


@dataclass(frozen=True)
class Units:
    """One language's caption text, timed: what :func:`tmtool.captions.layout` takes.

    ``units`` are in entry order; ``rows[i]`` the row indexes unit i comes from.
    """

    language: str
    units: tuple[cap.TimedText, ...]
    rows: tuple[tuple[int, ...], ...]
    untranslated: int = 0  # entries left out (no translation, no fallback)
    fuzzy: int = 0  # fuzzy entries exported (they are translations, unreviewed)
    fallback: int = 0  # entries shown in the fallback language
    interpolated: int = 0  # entries timed between their neighbours
    estimated: bool = False  # no timed track: spread over the duration
    unaligned: int = 0  # the language's speech segments no entry refers to, shown on their own


def caption_units(
    rows: Sequence[Row],
    lang: str,
    *,
    order: Sequence[str] | None = None,
    fallback: str | None = None,
    duration_ms: int | None = None,
    ms_per_char: float = timing.READING_MS_PER_CHAR,
) -> Units:
    """Time one language's entries (see :mod:`tmtool.timing`).

    ``order``: whose spans to use, best first (default: ``lang`` only).
    Untranslated entries show the ``fallback`` language's text, else are left
    out and counted. Neighbouring entries with the same text and span (two
    English sentences aligned to one Kazakh segment) become one unit. Rows of
    speech no entry refers to (:attr:`Row.unaligned`) are units of their own
    language only, with their own timing, and are counted.
    """
    order = list(order or [lang])
    items: list[tuple[list[int], str, dict[str, timing.Span], bool]] = []
    untranslated = fuzzy = used_fallback = unaligned = 0
    for i, row in enumerate(rows):
        if row.unaligned is not None:
            if row.unaligned == lang and row.text(lang):
                unaligned += 1
                items.append(([i], row.text(lang), dict(row.own), False))
            continue
        text = row.text(lang)
        is_fallback = False
        if not text:
            text = row.text(fallback) if fallback else ""
            if not text:
                untranslated += 1
                continue
            is_fallback = True
            used_fallback += 1
        elif lang in row.fuzzy:
            fuzzy += 1
        own = dict(row.own)
        if is_fallback:
            own.pop(lang, None)
        if items and not is_fallback and items[-1][1] == text and lang in own and items[-1][2].get(lang) == own[lang]:
            items[-1][0].append(i)  # the same segment aligned to two sentences: shown once
            continue
        items.append(([i], text, own, is_fallback))
    if not items:
        return Units(lang, (), (), untranslated, fuzzy, used_fallback, unaligned=unaligned)
    known = timing.choose([it[2] for it in items], order)
    t = timing.fill(known, [len(it[1]) for it in items], duration_ms=duration_ms, ms_per_char=ms_per_char)
    units: list[cap.TimedText] = []
    sources: list[tuple[int, ...]] = []
    for (idx, text, own, is_fallback), span in zip(items, t.spans):
        pieces = rows[idx[0]].pieces.get(lang) if not is_fallback else None
        if pieces and span == own.get(lang):
            units.extend(pieces)
            sources.extend([tuple(idx)] * len(pieces))
        else:
            units.append(cap.TimedText(text, span[0], span[1]))
            sources.append(tuple(idx))
    return Units(lang, tuple(units), tuple(sources), untranslated, fuzzy, used_fallback,
                 len(t.interpolated), t.estimated, unaligned)


# --- captions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptionResult:
    """Cues ready to compose, what they still break, and what to tell the user."""

    languages: tuple[str, ...]
    cues: tuple[Cue, ...]
    violations: Mapping[str, tuple[cap.Violation, ...]]  # per language
    units: tuple[Units, ...]
    messages: tuple[str, ...] = ()

    @property
    def estimated(self) -> bool:
        return any(u.estimated for u in self.units)


def sound_cues(cues: Sequence[Cue]) -> tuple[list[Cue], list[str]]:
    """The cues a subtitle file can hold as given, and one message per cue it cannot.

    ``compose_srt``/``compose_vtt`` refuse the whole file for one bad cue; this
    says which cue and why, and the exporter leaves it out *with* that message.
    """
    good: list[Cue] = []
    problems: list[str] = []
    end = -1  # of the last good cue
    for n, c in enumerate(cues, 1):
        if c.start_ms >= 0 and c.end_ms > c.start_ms and c.start_ms >= end and _has_text(c.lines):
            good.append(c)  # the usual cue, told apart without building any message
            end = c.end_ms
            continue
        where = f"cue {n} at {format_time(c.start_ms)}"
        text = " / ".join(c.lines)[:50]
        if not safe_lines(c.lines):
            problems.append(f"{where} has no text; left out")
        elif c.start_ms < 0 or c.end_ms <= c.start_ms:
            problems.append(f"{where} has no duration ({c.start_ms}..{c.end_ms} ms); left out: {text!r}")
        elif good and c.start_ms < good[-1].end_ms:
            problems.append(f"{where} overlaps the cue before it; left out: {text!r}")
        else:
            good.append(c)
            end = c.end_ms
    return good, problems


def _has_text(lines: Sequence[str]) -> bool:
    """``bool(safe_lines(lines))`` for the usual lines, without its regular expressions:
    a line with a letter or digit keeps it whatever is cleaned around it."""
    for line in lines:
        if any(ch.isalnum() for ch in line):
            return True
    return bool(safe_lines(lines))


def _unit_messages(u: Units, fallback: str | None) -> list[str]:
    out = []
    if u.untranslated:
        out.append(f"{u.language}: {u.untranslated} untranslated entr{'y' if u.untranslated == 1 else 'ies'} "
                   "left out")
    if u.fallback:
        out.append(f"{u.language}: {u.fallback} untranslated entr{'y' if u.fallback == 1 else 'ies'} "
                   f"shown in {fallback}")
    if u.fuzzy:
        out.append(f"{u.language}: {u.fuzzy} fuzzy (unreviewed) entr{'y' if u.fuzzy == 1 else 'ies'} exported")
    if u.unaligned:
        out.append(f"{u.language}: {u.unaligned} speech segment{'' if u.unaligned == 1 else 's'} aligned with "
                   "no entry, captioned with their own timing")
    if u.interpolated:
        out.append(f"{u.language}: {u.interpolated} entr{'y' if u.interpolated == 1 else 'ies'} with no timed "
                   "segment, timed between their neighbours")
    return out


def make_captions(
    rows: Sequence[Row],
    languages: Sequence[str],
    profiles: Mapping[str, cap.CaptionProfile],
    *,
    timed: Sequence[str] = (),
    fallback: str | None = None,
    duration_ms: int | None = None,
) -> CaptionResult:
    """Lay one language (or two, stacked: first above, second below) out as cues.

    ``timed`` lists the languages with timed tracks, in the manifest's order
    (whose timing the others borrow). ``profiles`` holds each language's limits.

    Speech of a timed language that no entry is aligned with (a 0-1 bead: the
    English was shortened) is still heard, so it is captioned with its own
    timing. Stacked with another language, it is shown too, with that
    language's half left empty: a viewer should never hear speech without a
    caption, and inventing a translation is not the exporter's job.
    """
    if not 1 <= len(languages) <= 2:
        raise TmtoolError("captions take one language, or two stacked (--lang kk --lang en)")
    if len(languages) == 2 and languages[0] == languages[1]:
        raise TmtoolError(f"the same language twice ({languages[0]})")
    shared = None
    if len(languages) == 2 and not any(r.own for r in rows):
        # No timing at all: both languages take one estimate per entry (by the English's
        # length), so the two halves of a cue say the same thing at the same time.
        rows, shared = _estimated_rows(rows, duration_ms, min(1000 / profiles[x].max_cps for x in languages))
    units = []
    for k, lang in enumerate(languages):
        partner = languages[1 - k] if len(languages) == 2 else None
        fb = None if fallback in (lang, partner) else fallback
        profile = profiles[lang]
        units.append(caption_units(
            rows, lang, order=timing_order(lang, partner, timed) + ([_ESTIMATE] if shared else []), fallback=fb,
            duration_ms=duration_ms, ms_per_char=1000 / profile.max_cps,
        ))
    messages: list[str] = []
    for k, u in enumerate(units):
        partner = languages[1 - k] if len(languages) == 2 else None
        messages += _unit_messages(u, None if fallback in (u.language, partner) else fallback)
    if shared or any(u.estimated for u in units):
        messages.append("no timed track: timing is estimated, spread over the recording's duration by length")
    if not any(u.units for u in units):
        raise TmtoolError(f"nothing to caption in {' and '.join(languages)}: no translated entries")
    if len(languages) == 1:
        result = cap.layout(units[0].units, profiles[languages[0]])
        cues = result.cues
        violations = {languages[0]: result.violations}
    else:
        a, b = languages
        bi = cap.layout_bilingual(units[0].units, units[1].units, profiles[a], profiles[b])
        cues = bi.cues
        violations = {a: bi.first.violations, b: bi.second.violations}
    good, problems = sound_cues(cues)
    messages += problems
    lost = sum(len(words_of(x.text)) for u in units for x in u.units) - sum(
        len(words_of(" ".join(c.lines))) for c in good)
    if lost > 0 and not problems:  # the layout must place every word; say so if it did not
        messages.append(f"{lost} word{'s' if lost != 1 else ''} of the text did not make it into a cue")
    if not good:
        raise TmtoolError(f"nothing to caption in {' and '.join(languages)}: no text to show"
                          + (f" ({'; '.join(problems)})" if problems else ""))
    return CaptionResult(tuple(languages), tuple(good), violations, tuple(units), tuple(messages))


#: The ``Row.own`` key of the shared estimate (no language has timing).
_ESTIMATE = "*estimated"


def _estimated_rows(rows: Sequence[Row], duration_ms: int | None, ms_per_char: float) -> tuple[list[Row], bool]:
    """``rows`` with one estimated span each, spread over ``duration_ms`` by the English's length."""
    t = timing.fill([None] * len(rows), [len(r.msgid) for r in rows], duration_ms=duration_ms,
                    ms_per_char=ms_per_char)
    return [dataclasses.replace(r, own={_ESTIMATE: span}) for r, span in zip(rows, t.spans)], True


def compose(result: CaptionResult, fmt: str, *, title: str = "") -> str:
    """The SRT or WebVTT text of ``result``; an estimated timing is said in a VTT ``NOTE``."""
    from tmtool.formats.subrip import compose_srt
    from tmtool.formats.webvtt import compose_vtt

    if not result.cues:
        raise TmtoolError("no cues to write")
    if fmt not in ("srt", "vtt"):
        raise ValueError(fmt)
    if fmt == "srt":
        return compose_srt(result.cues)
    notes = []
    if result.estimated:
        notes.append("Timing is estimated: no timed track; the recording's duration "
                     "was spread over the text by length.")
    return compose_vtt(result.cues, header=title, notes=notes)


# --- bilingual documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One language's text of one row: ``state`` is translated, fuzzy, missing or
    ``unaligned`` (empty: the row is another language's speech aligned with no entry)."""

    language: str
    text: str
    state: str
    notes: tuple[int, ...] = ()  # footnote numbers


@dataclass(frozen=True)
class DocRow:
    id: str
    start_ms: int | None
    end_ms: int | None
    speaker: str | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Document:
    """A bilingual (or n-lingual) transcript: rows in order, translator notes as footnotes."""

    title: str
    recording: str
    languages: tuple[str, ...]
    rows: tuple[DocRow, ...]
    footnotes: tuple[str, ...]
    estimated: bool = False
    timed: bool = True


def make_document(
    rows: Sequence[Row],
    languages: Sequence[str],
    *,
    title: str = "",
    recording: str = "",
    timed: Sequence[str] = (),
    duration_ms: int | None = None,
) -> Document:
    """The rows of a bilingual text with a time for each entry (``None`` when nothing is timed).

    Speech of one of ``languages`` aligned with no entry is a row of its own,
    the other languages' cells empty (state ``unaligned``).
    """
    if not languages:
        raise TmtoolError("name the languages of the text (--lang kk --lang en)")
    rows = [r for r in rows if r.unaligned is None or r.unaligned in languages]
    order = timing_order(languages[0], languages[1] if len(languages) > 1 else None, timed)
    known = timing.choose([r.own for r in rows], order)
    spans: Sequence[timing.Span | None]
    estimated = False
    try:
        t = timing.fill(known, [len(r.msgid or r.text(r.unaligned or "")) for r in rows], duration_ms=duration_ms)
        spans, estimated = t.spans, t.estimated
    except TmtoolError:
        spans = [None] * len(rows)  # no timing at all: the text is still worth having
    footnotes: list[str] = []
    out = []
    for row, span in zip(rows, spans):
        cells = []
        for lang in languages:
            text = row.text(lang)
            state = ("unaligned" if row.unaligned not in (None, lang) else "missing" if not text
                     else "fuzzy" if lang in row.fuzzy else "translated")
            marks = []
            for line in _note_texts(row.notes.get(lang, ())):
                footnotes.append(line)
                marks.append(len(footnotes))
            cells.append(Cell(lang, text, state, tuple(marks)))
        start, end = span if span else (None, None)
        out.append(DocRow(row.id, start, end, row.speaker, tuple(cells)))
    return Document(title, recording, tuple(languages), tuple(out), tuple(footnotes), estimated,
                    timed=any(s is not None for s in spans))


def _note_texts(comments: Sequence[str]) -> list[str]:
    """A language's notes on an entry as one footnote (its lines joined)."""
    text = " ".join(c.strip() for c in comments if c.strip())
    return [text] if text else []


def _lang_name(code: str) -> str:
    from tmtool import languages

    try:
        return languages.english_name(code)
    except TmtoolError:
        return code


def _time(ms: int | None) -> str:
    return format_time(ms) if ms is not None else ""


def _short_time(ms: int | None) -> str:
    """``00:01:23`` (documents show seconds; the CSV has milliseconds)."""
    return format_time(ms)[:8] if ms is not None else ""


def render_text(doc: Document, fmt: str, layout: str = "side-by-side") -> str:
    """The document as ``txt``, ``md``, ``html`` or ``csv`` (CSV is always one row per entry)."""
    if layout not in TEXT_LAYOUTS:
        raise TmtoolError(f"unknown layout {layout!r} (expected {' or '.join(TEXT_LAYOUTS)})")
    if fmt == "txt":
        return _render_txt(doc, layout)
    if fmt == "md":
        return _render_md(doc, layout)
    if fmt == "html":
        return _render_html(doc, layout)
    if fmt == "csv":
        return _render_csv(doc)
    raise TmtoolError(f"unknown text format {fmt!r} (expected one of {', '.join(TEXT_FORMATS)})")


def _marks(cell: Cell, style: str) -> str:
    if not cell.notes:
        return ""
    if style == "md":
        return "".join(f"[^{n}]" for n in cell.notes)
    return "".join(f"[{n}]" for n in cell.notes)


_FUZZY_MARK = " (?)"
_MISSING = "—"


def _plain(cell: Cell, style: str = "txt") -> str:
    if cell.state == "missing":
        return _MISSING + _marks(cell, style)
    return cell.text + (_FUZZY_MARK if cell.state == "fuzzy" else "") + _marks(cell, style)


def _legend(doc: Document) -> list[str]:
    out = []
    if any(c.state == "fuzzy" for r in doc.rows for c in r.cells):
        out.append("(?) marks an unreviewed (fuzzy) translation; — an entry not translated yet.")
    elif any(c.state == "missing" for r in doc.rows for c in r.cells):
        out.append("— marks an entry not translated yet.")
    if any(c.state == "unaligned" for r in doc.rows for c in r.cells):
        out.append("A row in one language only is speech aligned with no sentence of the other.")
    if doc.estimated:
        out.append("Times are estimated: the recording has no timed track.")
    return out


def _header_lines(doc: Document) -> list[str]:
    names = " / ".join(_lang_name(x) for x in doc.languages)
    return [doc.title or doc.recording, f"{names}" + (f" — {doc.recording}" if doc.title and doc.recording else "")]


_TXT_WIDTH = 100


def _render_txt(doc: Document, layout: str) -> str:
    lines = _header_lines(doc)
    lines += _legend(doc)
    lines.append("")
    k = len(doc.languages)
    col = (_TXT_WIDTH - 3 * (k - 1)) // k
    speaker = None
    for row in doc.rows:
        head = _short_time(row.start_ms)
        if row.speaker and (row.speaker != speaker or layout == "side-by-side"):
            head = f"{head}  {row.speaker}".strip()
        speaker = row.speaker or speaker
        if head:
            lines.append(f"[{head}]" if layout == "side-by-side" else head)
        if layout == "interleaved":
            for cell in row.cells:
                wrapped = textwrap.wrap(_plain(cell), _TXT_WIDTH - 4) or [""]
                lines.append(f"{cell.language}: " + wrapped[0])
                lines += ["    " + w for w in wrapped[1:]]
        else:
            cols = [textwrap.wrap(_plain(c), col) or [""] for c in row.cells]
            height = max(len(c) for c in cols)
            for h in range(height):
                parts = [(c[h] if h < len(c) else "").ljust(col) for c in cols]
                lines.append(" | ".join(parts).rstrip())
        lines.append("")
    if doc.footnotes:
        lines.append("Notes")
        lines += [f"[{n}] {text}" for n, text in enumerate(doc.footnotes, 1)]
        lines.append("")
    return "\n".join(_one_line(x) for x in lines).rstrip("\n") + "\n"


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~#!])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])(?=\s|$)")


def md_escape(text: str) -> str:
    r"""Text as Markdown shows it literally: no emphasis, links, HTML, table cells or headings.

    >>> md_escape("*not* a [link](x) | <b>")
    '\\*not\\* a \\[link\\](x) \\| \\<b\\>'
    """
    text = " ".join(text.split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_cell(cell: Cell) -> str:
    if cell.state == "missing":
        return _MISSING + _marks(cell, "md")
    text = md_escape(cell.text)
    if cell.state == "fuzzy":
        text = f"*{text}*" + _FUZZY_MARK
    return text + _marks(cell, "md")


def _render_md(doc: Document, layout: str) -> str:
    title, sub = _header_lines(doc)
    out = [f"# {md_escape(title)}", "", md_escape(sub), ""]
    legend = _legend(doc)
    if legend:
        out += [" ".join(legend), ""]  # our own words: nothing to escape
    if layout == "side-by-side":
        heads = ["Time", "Speaker"] + [_lang_name(x) for x in doc.languages]
        out.append("| " + " | ".join(heads) + " |")
        out.append("|" + "|".join(["---"] * len(heads)) + "|")
        for row in doc.rows:
            cells = [_short_time(row.start_ms), md_escape(row.speaker or "")] + [_md_cell(c) for c in row.cells]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    else:
        speaker = None
        for row in doc.rows:
            head = _short_time(row.start_ms)
            if row.speaker and row.speaker != speaker:
                head = f"{head} **{md_escape(row.speaker)}**".strip()
            speaker = row.speaker or speaker
            if head:
                out += [head, ""]
            for cell in row.cells:
                out += [f"{_md_cell(cell)}", ""]
    for n, text in enumerate(doc.footnotes, 1):
        out.append(f"[^{n}]: {md_escape(text)}")
    return "\n".join(out).rstrip("\n") + "\n"


_CSS = """
body { font-family: "Noto Serif", "PT Serif", Georgia, serif; margin: 2em auto; max-width: 60em;
       line-height: 1.4; color: #111; }
h1 { font-size: 1.4em; margin-bottom: .2em; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .35em .5em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.time, td.speaker { white-space: nowrap; color: #555; font-size: .9em; }
.fuzzy { background: #fff6d6; }
.fuzzy::after { content: " (?)"; color: #a60; }
.missing { color: #999; }
.entry { margin: 0 0 1em 0; }
.entry .head { color: #555; font-size: .9em; }
.entry p { margin: .15em 0; }
.lang { color: #777; font-size: .8em; text-transform: uppercase; margin-right: .4em; }
sup a { text-decoration: none; }
ol.notes { font-size: .9em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  th { background: none; border-bottom: 1.5pt solid #000; }
  thead { display: table-header-group; }
  tr, .entry { page-break-inside: avoid; break-inside: avoid; }
  .fuzzy { background: none; font-style: italic; }
  a { color: inherit; text-decoration: none; }
  @page { margin: 1.8cm 1.5cm; }
}
""".strip()


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_cell(cell: Cell, tag: str = "td") -> str:
    cls = {"fuzzy": ' class="fuzzy"', "missing": ' class="missing"'}.get(cell.state, "")
    body = _MISSING if cell.state == "missing" else _h(cell.text)
    marks = "".join(f'<sup><a href="#note-{n}" id="ref-{n}">{n}</a></sup>' for n in cell.notes)
    return f'<{tag} lang="{_h(cell.language)}"{cls}>{body}{marks}</{tag}>'


def _render_html(doc: Document, layout: str) -> str:
    title, sub = _header_lines(doc)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(title)}</h1>",
        f'<p class="meta">{_h(sub)}</p>',
    ]
    for line in _legend(doc):
        out.append(f'<p class="meta">{_h(line)}</p>')
    if layout == "side-by-side":
        out.append("<table>")
        heads = ["Time", "Speaker"] + [_lang_name(x) for x in doc.languages]
        out.append("<thead><tr>" + "".join(f"<th>{_h(x)}</th>" for x in heads) + "</tr></thead>")
        out.append("<tbody>")
        for row in doc.rows:
            out.append(
                f'<tr id="e-{_h(row.id)}"><td class="time">{_h(_short_time(row.start_ms))}</td>'
                f'<td class="speaker">{_h(row.speaker or "")}</td>'
                + "".join(_html_cell(c) for c in row.cells) + "</tr>"
            )
        out.append("</tbody>")
        out.append("</table>")
    else:
        speaker = None
        for row in doc.rows:
            head = _short_time(row.start_ms)
            if row.speaker and row.speaker != speaker:
                head = f"{head} · {row.speaker}" if head else row.speaker
            speaker = row.speaker or speaker
            out.append(f'<div class="entry" id="e-{_h(row.id)}">')
            if head:
                out.append(f'<div class="head">{_h(head)}</div>')
            for cell in row.cells:
                inner = _html_cell(cell, "span")
                out.append(f'<p><span class="lang">{_h(cell.language)}</span>{inner}</p>')
            out.append("</div>")
    if doc.footnotes:
        out.append("<h2>Notes</h2>")
        out.append('<ol class="notes">')
        for n, text in enumerate(doc.footnotes, 1):
            out.append(f'<li id="note-{n}">{_h(text)} <a href="#ref-{n}" aria-label="back">↩</a></li>')
        out.append("</ol>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _render_csv(doc: Document) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    head = ["entry", "start", "end", "speaker"]
    for lang in doc.languages:
        head += [lang, f"{lang}_state"]
    head.append("notes")
    w.writerow(head)
    for row in doc.rows:
        cells: list[str] = [row.id, _time(row.start_ms), _time(row.end_ms), row.speaker or ""]
        notes: list[str] = []
        for c in row.cells:
            cells += [c.text, c.state]
            notes += [f"{c.language}: {doc.footnotes[n - 1]}" for n in c.notes]
        cells.append(" | ".join(notes))
        w.writerow([_csv_safe(x) for x in cells])
    return buf.getvalue()


def _csv_safe(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (=, +, -, @ at the start)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") and not re.match(r"^-?\d", value) else value

