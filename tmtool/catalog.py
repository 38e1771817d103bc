"""Translation catalogues as values: build them from an alignment, merge them on re-run, edit notes.

Pure: no files, no polib, no printing. :mod:`tmtool.formats.po` reads and writes
these values; the CLI wires the two.

**Entry identity.** An entry is named by its English sentence (``msgid``). A
sentence that occurs more than once in a recording ("Why do you think that
is?") gets ``msgctxt "occurrence 2"`` (``3`` …) from its second occurrence on;
the first keeps no context, so the most common case stays a plain msgid that a
translation memory shares across recordings. Timecodes never go into
``msgctxt`` (translate-toolkit's ``sub2po`` does that, and identical lines then
never share a translation). :func:`entry_id` turns ``(msgctxt, msgid)`` into a
short hex name (``3f2a9c1b``) that stays the same in the ``.pot`` and in every
``.po``, and while unrelated lines are edited; it changes only when the
sentence itself changes (then it is a different entry, and the merge links it
to the old one with ``#|``).

**What the aligner owns.** Each entry the aligner fills carries an extracted
comment ``#. aligner: <hash>`` of the msgstr and fuzzy flag it wrote. On re-run
an entry whose msgstr and fuzzy flag still hash to that value is the aligner's
and may be refreshed; anything else (a person edited the text, removed or
added the fuzzy flag, the memory pre-filled it) belongs to a person and is
never overwritten.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tmtool.chains import increasing_chain
from tmtool.errors import TmtoolError
from tmtool.model import Bead, Segment

__all__ = [
    "Catalog",
    "Entry",
    "FUZZY_THRESHOLD",
    "OCCURRENCE_CONTEXT",
    "SourceTrack",
    "add_note",
    "aligner_owned",
    "build_catalog",
    "build_template",
    "clean_text",
    "cleared_by_person",
    "entry_id",
    "entry_time",
    "find_entries",
    "header_fields",
    "merge",
    "new_header",
    "notes",
    "po_date",
    "remove_notes",
    "select_entry",
    "sentence_context",
    "set_header_fields",
    "TRACKS_FIELD",
    "changed_tracks",
    "track_digest",
    "tracks_field",
]

#: Alignment confidence below which an entry is written ``#, fuzzy``.
#: 0.5 until the alignment benchmark gives a better value (one constant, one place).
FUZZY_THRESHOLD = 0.5

#: ``msgctxt`` of the n-th (n ≥ 2) occurrence of a sentence in one recording.
OCCURRENCE_CONTEXT = "occurrence {n}"

# Extracted comments tmtool writes and rewrites on every run; any other ``#.`` line
# (from the memory, another tool, a hand edit) is kept as it is.
_GENERATED = ("speaker: ", "confidence: ", "time: ", "unaligned ", "aligner: ")
_TIME = re.compile(r"^time: (\d\d+):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d+):(\d\d):(\d\d)\.(\d\d\d)$")


@dataclass(frozen=True)
class Entry:
    """One PO message, as gettext structures it.

    ``translator_comments`` are the ``# `` lines (a person's notes, never written by
    tmtool except through ``tmtool notes``), ``extracted_comments`` the ``#.``
    lines, ``references`` the ``#:`` tokens (``path:line``). ``line`` is where the
    entry starts in the file it was read from (0 when built).
    """

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: tuple[str, ...] = ()
    translator_comments: tuple[str, ...] = ()
    extracted_comments: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    line: int = field(default=0, compare=False)

    @property
    def key(self) -> tuple[str | None, str]:
        """What gettext uses to tell messages apart: ``(msgctxt, msgid)``."""
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translations(self) -> tuple[str, ...]:
        """The msgstr, or every plural form."""
        return self.msgstr_plural if self.msgid_plural is not None else (self.msgstr,)

    @property
    def state(self) -> str | None:
        """``"translated"``, ``"fuzzy"`` or ``"untranslated"`` as msgfmt counts; None for the header
        and obsolete entries.

        The one definition is :func:`tmtool.coverage.state`: only the first form
        (``msgstr`` or ``msgstr[0]``) decides, and a fuzzy entry with an empty
        msgstr is untranslated.
        """
        from tmtool import coverage
        from tmtool.formats.poscan import Entry as Message

        first = self.translations[0] if self.translations else ""
        return coverage.state(Message(self.msgid, (first,), self.msgctxt, fuzzy=self.fuzzy, obsolete=self.obsolete))

    @property
    def translated(self) -> bool:
        """As msgfmt (and ``tmtool coverage``) count it: see :attr:`state`."""
        from tmtool.coverage import TRANSLATED

        return self.state == TRANSLATED

    @property
    def has_text(self) -> bool:
        """True when some msgstr is non-empty (there is a translation to keep)."""
        return any(self.translations)

    def with_fuzzy(self, fuzzy: bool) -> Entry:
        flags = tuple(f for f in self.flags if f != "fuzzy")
        return dataclasses.replace(self, flags=(("fuzzy",) + flags) if fuzzy else flags)


@dataclass(frozen=True)
class Catalog:
    """A PO/POT file: the header entry (``msgid ""``) and the messages in file order.

    Obsolete (``#~``) entries are part of ``entries``; gettext writes them last.
    ``warnings`` holds what the reader noticed but accepted (e.g. a Plural-Forms
    that differs from CLDR's); it does not take part in equality.
    """

    header: Entry | None
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def messages(self) -> tuple[Entry, ...]:
        """The live (non-obsolete) entries."""
        return tuple(e for e in self.entries if not e.obsolete)

    @property
    def obsolete(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.obsolete)

    @property
    def charset(self) -> str:
        m = re.search(r"charset=([^\s;]+)", header_fields(self).get("Content-Type", ""))
        cs = m.group(1) if m else "UTF-8"
        return "UTF-8" if cs.upper() == "CHARSET" else cs


# --- identity -------------------------------------------------------------------------------


def entry_id(entry: Entry) -> str:
    """A short stable name for an entry: 8 hex digits of SHA-1 over ``msgctxt`` + ``msgid``.

    The same in the template and every language; unaffected by edits of other lines.

    >>> entry_id(Entry("Why do you think that is?"))
    'c9f6f992'
    >>> entry_id(Entry("Why do you think that is?", msgctxt="occurrence 2")) != entry_id(Entry("Why do you think that is?"))
    True
    """
    raw = (entry.msgctxt + "\x04" if entry.msgctxt is not None else "") + entry.msgid
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:8]


def _occurrence_context(n: int) -> str | None:
    return None if n <= 1 else OCCURRENCE_CONTEXT.format(n=n)


_OCCURRENCE = re.compile(re.escape(OCCURRENCE_CONTEXT).replace(re.escape("{n}"), r"\d+"))


def sentence_context(msgctxt: str | None) -> str | None:
    """``msgctxt`` without the occurrence number: every occurrence of a sentence shares it.

    >>> sentence_context("occurrence 3"), sentence_context("menu"), sentence_context(None)
    (None, 'menu', None)
    """
    return None if msgctxt is None or _OCCURRENCE.fullmatch(msgctxt) else msgctxt


def _sentence(entry: Entry) -> tuple[str | None, str]:
    return (sentence_context(entry.msgctxt), entry.msgid)


# --- header ---------------------------------------------------------------------------------


def header_fields(catalog: Catalog) -> dict[str, str]:
    """The header's ``Key: value`` lines as a dict (order kept)."""
    if catalog.header is None:
        return {}
    out: dict[str, str] = {}
    for line in catalog.header.msgstr.split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip():
            out.setdefault(key.strip(), value.strip())
    return out


def set_header_fields(catalog: Catalog, updates: Mapping[str, str]) -> Catalog:
    """Replace header fields in place (new ones go last), keeping every other line as it was."""
    header = catalog.header or Entry("", "")
    lines = header.msgstr.split("\n")
    trailing = lines[-1] == ""
    if trailing:
        lines = lines[:-1]
    todo = dict(updates)
    out = []
    for line in lines:
        key, sep, _ = line.partition(":")
        if sep and key.strip() in todo:
            out.append(f"{key.strip()}: {todo.pop(key.strip())}")
        else:
            out.append(line)
    out.extend(f"{k}: {v}" for k, v in todo.items())
    msgstr = "\n".join(out) + ("\n" if trailing or not lines else "")
    return dataclasses.replace(catalog, header=dataclasses.replace(header, msgstr=msgstr))


#: Header field naming the transcript tracks a catalogue was built from, each with a digest of
#: its content: captions made from a catalogue whose track changed since would put text at the
#: wrong times (its ``#:`` lines name other cues), so exports refuse it until it is aligned again.
TRACKS_FIELD = "X-Tmtool-Tracks"


def track_digest(segments: Iterable[Segment]) -> str:
    """12 hex digits over what the catalogue depends on: each segment's text, line, times, speaker."""
    h = hashlib.sha1()
    for s in segments:
        h.update(f"{s.line}\x1f{s.start_ms}\x1f{s.end_ms}\x1f{s.speaker or ''}\x1f{s.text}\x1e"
                 .encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:12]


def tracks_field(tracks: Mapping[str, Iterable[Segment]]) -> dict[str, str]:
    """The header update recording ``tracks`` (file name -> segments) as a catalogue's sources."""
    return {TRACKS_FIELD: ", ".join(f"{name} {track_digest(segs)}" for name, segs in tracks.items())}


def changed_tracks(catalog: Catalog, tracks: Mapping[str, Sequence[Segment]]) -> list[str]:
    """The tracks the catalogue was built from that have changed since, or are gone.

    A catalogue without the field (made by hand, or by another tool) is taken as it is.
    """
    value = header_fields(catalog).get(TRACKS_FIELD, "")
    out = []
    for item in value.split(","):
        name, _, digest = item.strip().rpartition(" ")
        if name and (name not in tracks or track_digest(tracks[name]) != digest):
            out.append(name)
    return out


def po_date(when: datetime) -> str:
    """A timestamp as gettext writes it in headers: ``2025-03-19 11:30+0000``."""
    if when.tzinfo is None:
        raise ValueError("po_date needs an aware datetime")
    return when.strftime("%Y-%m-%d %H:%M%z")


def new_header(
    project: str,
    language: str | None,
    *,
    now: datetime,
    language_team: str = "",
    plural_forms: str | None = None,
    comments: Sequence[str] = (),
) -> Entry:
    """A header entry with every field gettext writes, in gettext's order.

    ``language`` None makes a template header (``.pot``). Values are passed in:
    the caller asks babel for the language name and plural rule, this module
    stays free of locale data.
    """
    date = po_date(now)
    fields = [
        ("Project-Id-Version", project),
        ("Report-Msgid-Bugs-To", ""),
        ("POT-Creation-Date", date),
        ("PO-Revision-Date", date),
        ("Last-Translator", ""),
        ("Language-Team", language_team),
        ("Language", language or ""),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    if plural_forms:
        fields.append(("Plural-Forms", plural_forms))
    return Entry("", "".join(f"{k}: {v}\n" for k, v in fields), translator_comments=tuple(comments))


# --- building from an alignment --------------------------------------------------------------


@dataclass(frozen=True)
class SourceTrack:
    """One source language's side of an alignment, as :func:`build_catalog` needs it.

    ``segments`` are the right-hand segments the ``beads`` index; ``reference`` is
    the track file's path as written in ``#:`` (``transcripts/<id>/kk.srt``).
    """

    language: str
    segments: Sequence[Segment]
    beads: Sequence[Bead]
    reference: str


def _time_comment(segments: Iterable[Segment]) -> str | None:
    timed = [s for s in segments if s.timed]
    if not timed:
        return None
    start = min(s.start_ms for s in timed)  # type: ignore[type-var]
    end = max(s.end_ms for s in timed)  # type: ignore[type-var]
    return f"time: {_fmt_time(start)} --> {_fmt_time(end)}"


def _fmt_time(ms: int | None) -> str:
    from tmtool.project import format_time  # one formatter for HH:MM:SS.mmm project-wide

    return format_time(ms)


def _refs(path: str, segments: Iterable[Segment]) -> list[str]:
    out: list[str] = []
    for s in segments:
        ref = f"{path}:{s.line}" if s.line else path
        if ref not in out:
            out.append(ref)
    return out


def _aligner_hash(msgstr: str, fuzzy: bool) -> str:
    return hashlib.sha1(f"{msgstr}\x00{int(fuzzy)}".encode("utf-8")).hexdigest()[:8]


def _mark(entry: Entry) -> Entry:
    """Record what the aligner wrote (see module docstring)."""
    comments = tuple(c for c in entry.extracted_comments if not c.startswith("aligner: "))
    comments += (f"aligner: {_aligner_hash(entry.msgstr, entry.fuzzy)}",)
    return dataclasses.replace(entry, extracted_comments=comments)


def aligner_owned(entry: Entry) -> bool:
    """True when the entry's msgstr and fuzzy flag are still exactly what the aligner wrote."""
    if entry.msgid_plural is not None:
        return False
    return written_by_aligner(entry.msgstr, entry.fuzzy, entry.extracted_comments)


def written_by_aligner(msgstr: str, fuzzy: bool, extracted_comments: Sequence[str]) -> bool:
    """The test behind :func:`aligner_owned`, for entries read by other parsers (poscan)."""
    marks = [c[len("aligner: "):] for c in extracted_comments if c.startswith("aligner: ")]
    return bool(marks) and marks[-1] == _aligner_hash(msgstr, fuzzy)


_WS = re.compile(r"[ \t\r\n]+")


def clean_text(text: str) -> str:
    r"""One line of text: cue line breaks and runs of ASCII whitespace become one space.

    No-break spaces (U+00A0, U+202F …) are deliberate and kept.

    >>> clean_text(" Менің атым\nАлма. ")
    'Менің атым Алма.'
    """
    return _WS.sub(" ", text).strip(" ")


def _english_entries(english: Sequence[Segment], english_ref: str) -> list[Entry]:
    seen: dict[str, int] = {}
    out = []
    for seg in english:
        text = clean_text(seg.text)
        seen[text] = seen.get(text, 0) + 1
        comments = []
        if seg.speaker:
            comments.append(f"speaker: {seg.speaker}")
        t = _time_comment([seg])
        if t:
            comments.append(t)
        out.append(
            Entry(
                msgid=text,
                msgctxt=_occurrence_context(seen[text]),
                extracted_comments=tuple(comments),
                references=tuple(_refs(english_ref, [seg])),
            )
        )
    return out


def build_template(english: Sequence[Segment], english_ref: str) -> list[Entry]:
    """The ``.pot`` entries: one per English sentence, with speaker, time and references."""
    _check_english(english)
    return _english_entries(english, english_ref)


def _check_english(english: Sequence[Segment]) -> None:
    for i, seg in enumerate(english):
        if not clean_text(seg.text):
            raise TmtoolError(f"English sentence {i + 1} is empty (line {seg.line})")


def build_catalog(
    english: Sequence[Segment],
    english_ref: str,
    source: SourceTrack,
    *,
    fuzzy_threshold: float = FUZZY_THRESHOLD,
) -> list[Entry]:
    """The ``.po`` entries for one source language: English msgid, aligned source text as msgstr.

    Beads index ``english`` (left) and ``source.segments`` (right). Source
    segments no English matches (0-n beads) are kept on the entry of the
    nearest English sentence before them (or the first entry) as
    ``#. unaligned kk: …`` so a translator sees them.
    """
    _check_english(english)
    base = _english_entries(english, english_ref)
    n = len(english)
    right_of: list[list[int]] = [[] for _ in range(n)]
    conf: list[float | None] = [None] * n
    unaligned: list[list[int]] = [[] for _ in range(max(n, 1))]
    last_left = -1
    for bead in source.beads:
        for j in bead.right:
            if not 0 <= j < len(source.segments):
                raise TmtoolError(f"alignment refers to {source.language} segment {j + 1}, the track has {len(source.segments)}")
        for i in bead.left:
            if not 0 <= i < n:
                raise TmtoolError(f"alignment refers to English sentence {i + 1}, there are {n}")
        if bead.left:
            for i in bead.left:
                right_of[i].extend(bead.right)
                conf[i] = bead.confidence if conf[i] is None else min(conf[i], bead.confidence)  # type: ignore[type-var]
            last_left = max(bead.left)
        elif bead.right:
            if n == 0:
                raise TmtoolError(f"{source.language} text has no English sentence to go with")
            unaligned[max(last_left, 0)].extend(bead.right)
    out = []
    lang = source.language
    for i, entry in enumerate(base):
        segs = [source.segments[j] for j in right_of[i]]
        msgstr = " ".join(t for t in (clean_text(s.text) for s in segs) if t)
        comments = [c for c in entry.extracted_comments if not c.startswith("time: ")]
        if english[i].speaker is None:
            speakers = [s.speaker for s in segs if s.speaker]
            if speakers:
                comments.insert(0, f"speaker: {speakers[0]}")
        if msgstr and conf[i] is not None:
            comments.append(f"confidence: {conf[i]:.2f}")
        t = _time_comment(segs) or _time_comment([english[i]])
        if t:
            comments.append(t)
        for j in unaligned[i] if i < len(unaligned) else ():
            comments.append(f"unaligned {lang}: " + clean_text(source.segments[j].text))
        refs = list(entry.references) + _refs(source.reference, segs)
        fuzzy = bool(msgstr) and (conf[i] is None or conf[i] < fuzzy_threshold)  # type: ignore[operator]
        e = dataclasses.replace(
            entry,
            msgstr=msgstr,
            extracted_comments=tuple(comments),
            references=tuple(refs),
            flags=("fuzzy",) if fuzzy else (),
        )
        out.append(_mark(e) if msgstr else e)
    return out


# --- merging --------------------------------------------------------------------------------


def _similarity(a: str, b: str) -> float:
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < 0.5 or sm.quick_ratio() < 0.5:
        return 0.0
    return sm.ratio()


# Within the stretch between two unchanged sentences an edited sentence is found
# at this similarity; anywhere else (a sentence that moved) it must be closer.
GAP_SIMILARITY = 0.5
MOVED_SIMILARITY = 0.9


# Above this many sentence pairs, compare only pairs that share a rare word.
_PAIR_LIMIT = 20_000
_WORD = re.compile(r"\w{3,}")


def _candidate_pairs(
    new: Sequence[Entry], old: Sequence[Entry], cands_new: list[int], cands_old: list[int], per_entry: int = 8
) -> Iterable[tuple[int, int]]:
    """Pairs worth a similarity computation: each new sentence with the old ones sharing most words."""
    index: dict[str, list[int]] = {}
    for j in cands_old:
        for w in set(_WORD.findall(old[j].msgid.casefold())):
            index.setdefault(w, []).append(j)
    for i in cands_new:
        counts: dict[int, int] = {}
        for w in set(_WORD.findall(new[i].msgid.casefold())):
            hits = index.get(w, ())
            if len(hits) > 200:
                continue  # too common to tell sentences apart
            for j in hits:
                counts[j] = counts.get(j, 0) + 1
        for j, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:per_entry]:
            yield i, j


def _match(old: Sequence[Entry], new: Sequence[Entry]) -> tuple[dict[int, int], dict[int, int]]:
    """Pair new entries with old ones: same sentence first, then by similarity and position.

    Returns ``(exact, fuzzy)`` maps from new index to old index. A sentence
    found once on each side pairs by its text; these pairs, chained in order,
    are the anchors. A sentence said more than once ("Why do you think that
    is?") pairs by position between the anchors, not by its occurrence number:
    when the first of two is deleted, the second keeps its own translation
    (its ``msgctxt`` becomes "occurrence 1", since it now is the first).
    """
    new_count = Counter(_sentence(e) for e in new)
    old_count = Counter(_sentence(e) for e in old if not e.obsolete)
    old_of: dict[tuple[str | None, str], list[int]] = {}
    for j, e in enumerate(old):
        old_of.setdefault(_sentence(e), []).append(j)
    exact: dict[int, int] = {}
    repeated: list[int] = []
    for i, e in enumerate(new):
        g = _sentence(e)
        if new_count[g] > 1 or old_count[g] > 1:
            repeated.append(i)
        elif g in old_of:  # the live entry, else an obsolete one (revived)
            exact[i] = min(old_of[g], key=lambda j: (old[j].obsolete, old[j].key != e.key))
    used = set(exact.values())
    live_pairs = [(i, j) for i, j in exact.items() if not old[j].obsolete]
    anchors = [(-1, -1)] + increasing_chain(live_pairs) + [(len(new), len(old))]
    if repeated:
        _pair_repeated(old, new, repeated, anchors, old_of, exact, used)
    fuzzy: dict[int, int] = {}

    def best(cands_new: list[int], cands_old: list[int], threshold: float) -> None:
        scored = []
        if len(cands_new) * len(cands_old) > _PAIR_LIMIT:
            pairs = _candidate_pairs(new, old, cands_new, cands_old)
        else:
            pairs = ((i, j) for i in cands_new for j in cands_old)
        for i, j in pairs:
            s = _similarity(new[i].msgid, old[j].msgid)
            if s >= threshold:
                # Prefer closer positions between equal scores.
                scored.append((-s, abs(i - j), i, j))
        scored.sort()
        for _, _, i, j in scored:
            if i not in fuzzy and j not in used:
                fuzzy[i] = j
                used.add(j)

    for (a_new, a_old), (b_new, b_old) in zip(anchors, anchors[1:]):
        gap_new = [i for i in range(a_new + 1, b_new) if i not in exact]
        gap_old = [j for j in range(a_old + 1, b_old) if j not in used and not old[j].obsolete]
        if gap_new and gap_old:
            best(gap_new, gap_old, GAP_SIMILARITY)
    rest_new = [i for i in range(len(new)) if i not in exact and i not in fuzzy]
    rest_old = [j for j in range(len(old)) if j not in used]
    if rest_new and rest_old:
        best(rest_new, rest_old, MOVED_SIMILARITY)
    return exact, fuzzy


def _pair_repeated(old: Sequence[Entry], new: Sequence[Entry], repeated: Sequence[int],
                   anchors: Sequence[tuple[int, int]], old_of: Mapping[tuple[str | None, str], list[int]],
                   exact: dict[int, int], used: set[int]) -> None:
    """Pair the occurrences of repeated sentences by position (adds to ``exact`` and ``used``).

    Between two anchors, the occurrences of one sentence on each side are
    paired in order, each new one with the old one at the nearest offset from
    the anchor before them. What is left pairs with the nearest unused old
    occurrence anywhere, live first, then obsolete (a sentence said again).
    """
    starts = [a for a, _ in anchors]
    gaps: dict[tuple[int, tuple[str | None, str]], list[int]] = {}
    for i in repeated:
        g = bisect_right(starts, i) - 1
        gaps.setdefault((g, _sentence(new[i])), []).append(i)
    for (g, sent), ins in gaps.items():
        (a_new, a_old), (_, b_old) = anchors[g], anchors[g + 1]
        js = [j for j in old_of.get(sent, ()) if a_old < j < b_old and not old[j].obsolete and j not in used]
        for i, j in _monotone_pairs([i - a_new for i in ins], [j - a_old for j in js]):
            exact[ins[i]] = js[j]
            used.add(js[j])
    for i in repeated:
        if i in exact:
            continue
        js = [j for j in old_of.get(_sentence(new[i]), ()) if j not in used]
        if js:
            j = min(js, key=lambda j: (old[j].obsolete, abs(j - i)))
            exact[i] = j
            used.add(j)


def _monotone_pairs(xs: Sequence[int], ys: Sequence[int]) -> list[tuple[int, int]]:
    """As many in-order pairs (index into xs, index into ys) as possible, with the least total |x - y|.

    Sizes beyond a few hundred (a sentence said hundreds of times between two
    unique ones) pair the first with the first, in order.
    """
    k, m = len(xs), len(ys)
    if not k or not m:
        return []
    if k * m > 40_000:
        return list(zip(range(k), range(m)))
    swap = k > m
    if swap:
        xs, ys, k, m = ys, xs, m, k
    # f[x][y]: the best cost of pairing all of xs[:x] within ys[:y] (k <= m, so all of xs pair).
    inf = float("inf")
    f = [[0.0] * (m + 1)] + [[inf] * (m + 1) for _ in range(k)]
    for x in range(1, k + 1):
        row, prev = f[x], f[x - 1]
        for y in range(x, m + 1):
            take = prev[y - 1] + abs(xs[x - 1] - ys[y - 1])
            row[y] = take if take < row[y - 1] else row[y - 1]
    pairs = []
    x, y = k, m
    while x:
        if f[x][y] == f[x][y - 1] and y > x:
            y -= 1
        else:
            pairs.append((x - 1, y - 1))
            x, y = x - 1, y - 1
    pairs.reverse()
    return [(b, a) for a, b in pairs] if swap else pairs


def _keep_extracted(old: Entry, new: Entry) -> tuple[str, ...]:
    """Fresh generated comments from ``new``, plus any ``#.`` line someone else wrote on ``old``."""
    foreign = tuple(c for c in old.extracted_comments if not c.startswith(_GENERATED) and c not in new.extracted_comments)
    own = tuple(c for c in new.extracted_comments if not c.startswith("aligner: "))
    return own + foreign


def _person_owned(entry: Entry) -> bool:
    return entry.has_text and not aligner_owned(entry)


def cleared_by_person(entry: Entry) -> bool:
    """The aligner filled the entry and a person emptied it: they rejected that text (nothing refills it)."""
    return not entry.has_text and bool(_aligner_of(entry))


def merge(old: Catalog, new_entries: Sequence[Entry], *, template: bool = False) -> Catalog:
    """Merge freshly built entries into an existing catalogue without losing a person's work.

    As ``msgmerge`` and stricter:

    - an unchanged sentence keeps its translator comments; its msgstr and fuzzy
      flag are refreshed from the alignment only while they are still the
      aligner's own (see :func:`aligner_owned`);
    - a changed sentence (found by similarity within the stretch between two
      unchanged neighbours, or anywhere when very close) keeps a person's
      translation as fuzzy with the previous msgid (``#|``);
    - an entry whose sentence disappeared becomes obsolete (``#~``) if it holds
      a translation or a note; an obsolete entry whose sentence comes back is
      revived with its translation.

    ``template`` merges a ``.pot``: no translations, only notes carry over.
    """
    olds = list(old.entries)
    exact, fuzzy = _match(olds, new_entries)
    out: list[Entry] = []
    for i, new in enumerate(new_entries):
        if i not in exact and i not in fuzzy:
            out.append(new)
            continue
        o = olds[exact[i]] if i in exact else olds[fuzzy[i]]
        # An entry a person emptied stays empty while its sentence stays the same.
        cleared = i in exact and not template and cleared_by_person(o)
        if template or not (_person_owned(o) or cleared):
            # The aligner's own entry (or a template): refresh it, keep the notes and the
            # flags a person added ("reviewed", "no-wrap"); the fuzzy flag is the aligner's.
            merged = dataclasses.replace(
                new,
                flags=new.flags + tuple(f for f in o.flags if f != "fuzzy" and f not in new.flags),
                translator_comments=o.translator_comments,
                extracted_comments=_keep_extracted(o, new) + _aligner_of(new),
            )
        elif i in exact:
            merged = dataclasses.replace(
                new,
                msgstr=o.msgstr,
                msgid_plural=o.msgid_plural,
                msgstr_plural=o.msgstr_plural,
                flags=o.flags,
                previous_msgctxt=o.previous_msgctxt,
                previous_msgid=o.previous_msgid,
                previous_msgid_plural=o.previous_msgid_plural,
                translator_comments=o.translator_comments,
                extracted_comments=_keep_extracted(o, new) + (_aligner_of(o) if cleared else ()),
            )
        else:
            merged = dataclasses.replace(
                new,
                msgstr=o.msgstr,
                msgid_plural=o.msgid_plural,
                msgstr_plural=o.msgstr_plural,
                flags=("fuzzy",) + tuple(f for f in o.flags if f != "fuzzy"),
                # Keep the oldest previous msgid while the entry stays fuzzy: the translator
                # needs the difference to the text they translated, not to the last run.
                previous_msgctxt=o.previous_msgctxt if o.previous_msgid is not None else o.msgctxt,
                previous_msgid=o.previous_msgid if o.previous_msgid is not None else o.msgid,
                previous_msgid_plural=o.previous_msgid_plural if o.previous_msgid is not None else o.msgid_plural,
                translator_comments=o.translator_comments,
                extracted_comments=_keep_extracted(o, new),
            )
        out.append(merged)
    matched = set(exact.values()) | set(fuzzy.values())
    keys = {e.key for e in out}
    for j, o in enumerate(olds):
        if j in matched:
            continue
        if not (o.has_text or o.translator_comments):
            continue  # an untranslated entry without notes holds nothing of anyone's
        if template and not o.translator_comments:
            continue
        if o.key in keys and sentence_context(o.msgctxt) is None:
            # Its occurrence number now names another occurrence (an earlier one was
            # deleted): it takes the next free one, gettext allows no two alike.
            n = 2
            while (_occurrence_context(n), o.msgid) in keys:
                n += 1
            o = dataclasses.replace(o, msgctxt=_occurrence_context(n))
        keys.add(o.key)
        out.append(dataclasses.replace(o, obsolete=True, references=()))
    return dataclasses.replace(old, entries=tuple(out), warnings=())


def _aligner_of(new: Entry) -> tuple[str, ...]:
    return tuple(c for c in new.extracted_comments if c.startswith("aligner: "))


# --- notes ----------------------------------------------------------------------------------


def notes(entry: Entry) -> tuple[str, ...]:
    """A translator's notes on an entry: its ``# `` comment lines."""
    return entry.translator_comments


def _replace_entry(catalog: Catalog, old: Entry, new: Entry) -> Catalog:
    entries = tuple(new if e is old else e for e in catalog.entries)
    return dataclasses.replace(catalog, entries=entries)


def add_note(catalog: Catalog, entry: Entry, text: str) -> Catalog:
    """Append a note (one ``# `` line per line of ``text``) to ``entry``."""
    lines = tuple(line.rstrip() for line in text.strip("\n").split("\n"))
    if not any(lines):
        raise TmtoolError("the note is empty")
    return _replace_entry(
        catalog, entry, dataclasses.replace(entry, translator_comments=entry.translator_comments + lines)
    )


def remove_notes(
    catalog: Catalog, entry: Entry, *, index: int | None = None, text: str | None = None, all_notes: bool = False
) -> tuple[Catalog, tuple[str, ...]]:
    """Remove notes from ``entry``: the ``index``-th (1-based), those equal to ``text``, or all.

    Returns the new catalogue and the removed lines; nothing matching is an error.
    """
    current = entry.translator_comments
    if sum(x is not None and x is not False for x in (index, text, all_notes or None)) != 1:
        raise TmtoolError("say which note to remove: --index N, --all or its text")
    if all_notes:
        removed, kept = current, ()
    elif index is not None:
        if not 1 <= index <= len(current):
            raise TmtoolError(f"no note {index} on this entry (it has {len(current)})")
        removed, kept = (current[index - 1],), current[: index - 1] + current[index:]
    else:
        assert text is not None
        want = [line.strip() for line in text.strip("\n").split("\n")]
        if len(want) == 1:
            removed = tuple(c for c in current if c.strip() == want[0])
            kept = tuple(c for c in current if c.strip() != want[0])
        else:  # a note of several lines (add_note stored one comment line per line): that run of lines
            k = len(want)
            at = next((i for i in range(len(current) - k + 1) if [c.strip() for c in current[i:i + k]] == want), None)
            removed = current[at:at + k] if at is not None else ()
            kept = current[:at] + current[at + k:] if at is not None else current
    if not removed:
        raise TmtoolError("no such note on this entry" if current else "this entry has no notes")
    return _replace_entry(catalog, entry, dataclasses.replace(entry, translator_comments=kept)), removed


# --- finding entries the way a person would ----------------------------------------------------


def entry_time(entry: Entry) -> tuple[int, int] | None:
    """The entry's span in the recording from its ``#. time:`` comment, in ms."""
    for c in entry.extracted_comments:
        m = _TIME.match(c)
        if m:
            g = [int(x) for x in m.groups()]
            start = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
            end = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
            return start, end
    return None


_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")


def _parse_clock(text: str) -> int | None:
    m = _CLOCK.match(text.strip())
    if not m:
        return None
    h, mnt, s, frac = m.groups()
    if int(s) >= 60 or (h is not None and int(mnt) >= 60):
        return None
    return ((int(h or 0) * 60 + int(mnt)) * 60 + int(s)) * 1000 + int((frac or "0").ljust(3, "0"))


#: A time this long after the last entry's end still names the last entry (a pause, a late click).
_PAST_END_MS = 10_000


def find_entries(entries: Sequence[Entry], query: str) -> list[Entry]:
    """Entries a person means by ``query``, most specific reading first.

    ``query`` is an entry id (or a unique prefix of at least 4 hex digits), a
    time in the recording (``00:03:12`` → the entry whose time span contains it,
    else the one that starts nearest before it), or a text fragment found in
    msgid or msgstr (case-insensitive). Returns every candidate of the first
    reading that finds any; the caller decides what ambiguity means.
    """
    live = [e for e in entries if not e.obsolete and e.msgid]
    q = query.strip()
    if re.fullmatch(r"[0-9a-fA-F]{4,8}", q):
        hits = [e for e in live if entry_id(e).startswith(q.lower())]
        if hits:
            return hits
    ms = _parse_clock(q)
    if ms is not None:
        timed = [(entry_time(e), e) for e in live]
        inside = [e for t, e in timed if t and t[0] <= ms <= t[1]]
        if inside:
            return inside
        # In a pause, the entry just before; after the last entry's end (and a pause's worth
        # more), nothing: 99:00:00 in a 12-minute recording names no entry.
        last_end = max((t[1] for t, _ in timed if t), default=-1)
        before = [(t[0], e) for t, e in timed if t and t[0] <= ms <= last_end + _PAST_END_MS]
        if before:
            best = max(s for s, _ in before)
            return [e for s, e in before if s == best]
    needle = q.casefold()
    if not needle:
        return []
    exact = [e for e in live if e.msgid.casefold() == needle or any(t.casefold() == needle for t in e.translations)]
    if exact:
        return exact
    return [e for e in live if needle in e.msgid.casefold() or any(needle in t.casefold() for t in e.translations)]


def select_entry(entries: Sequence[Entry], query: str, describe: Callable[[Entry], str] | None = None) -> Entry:
    """The one entry ``query`` names, or a :class:`TmtoolError` listing the candidates."""
    hits = find_entries(entries, query)
    if not hits:
        raise TmtoolError(f"no entry matches {query!r} (give an entry id, a time such as 00:03:12, or words from the text)")
    if len(hits) > 1:
        show = describe or (lambda e: f"{entry_id(e)} {e.msgid[:50]!r}")
        listed = "; ".join(show(e) for e in hits[:8])
        more = f"; … {len(hits) - 8} more" if len(hits) > 8 else ""
        raise TmtoolError(f"{query!r} matches {len(hits)} entries: {listed}{more}; give the entry id")
    return hits[0]
