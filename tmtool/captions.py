"""Caption profiles, cue layout and the caption checker: pure functions over timed text.

A :class:`CaptionProfile` holds the limits of professional guides (Netflix's
Timed Text Style Guide, the BBC Subtitle Guidelines): 42 characters a line for
English, 39 for Russian and Kazakh, 2 lines, 17 characters a second (spaces
and punctuation counted, as Netflix counts them), 5/6 s to 7 s on screen, 2
frames between cues at 25 fps and gaps under 0.5 s closed to those 2 frames.

:func:`layout` turns timed text units (speech segments, sentences) into
:class:`~tmtool.model.Cue` objects within those limits:

1. A unit too long for one cue (too many characters for the lines, or much
   longer than 7 s) is cut into several, preferably at sentence ends, then
   clause punctuation, then before conjunctions (the penalties of
   :mod:`tmtool.linebreak`, doubled), with cues of similar length; the unit's
   time is divided among them by length (characters). The search for the
   cheapest cut is exact but visits little: best first, with a bound on what
   the rest must cost, and each number of cues only while it can still win.
2. Each cue's text is broken into lines by :mod:`tmtool.linebreak`.
3. Timing, cue by cue in time order: overlaps are resolved and every gap is at
   least 2 frames; a cue longer than 7 s is cut short; a cue too short for its
   text (reading speed) or under 5/6 s is extended into the following gap, up
   to 2 frames before the next cue; a gap under 0.5 s is closed to 2 frames by
   extending the earlier cue or, if that would make it longer than 7 s, by
   starting the later cue earlier. Otherwise a start never moves earlier:
   captions do not appear before the words are spoken.

What still breaks a limit is reported as a :class:`Violation`, ``forced`` when
the source timing leaves no way out (the next cue starts too soon to give the
text its reading time, or a single word is longer than a line).
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, fields
from itertools import accumulate
from typing import Iterator, Protocol, Sequence

from tmtool.errors import InputError
from tmtool.linebreak import (
    BALANCE_WEIGHT,
    TOP_HEAVY_WEIGHT,
    PREPOSITION,
    LineFitter,
    break_penalties,
    lazy,
    sentence_ends,
    split_at,
    words_of,
)
from tmtool.model import Cue

__all__ = [
    "MAX_CHARS",
    "BilingualLayout",
    "CaptionProfile",
    "LayoutResult",
    "Timed",
    "TimedText",
    "Violation",
    "check",
    "layout",
    "layout_bilingual",
    "profile_for",
]

# Characters per line by language (Netflix: 42 for Latin-script languages,
# 39 for Russian; Kazakh Cyrillic follows Russian).
MAX_CHARS = {"en": 42, "ru": 39, "kk": 39}
DEFAULT_MAX_CHARS = 42


@dataclass(frozen=True)
class CaptionProfile:
    """The limits captions in one language must keep; see :func:`profile_for`."""

    language: str = "en"
    max_chars: int = DEFAULT_MAX_CHARS  # characters per line
    max_lines: int = 2
    max_cps: float = 17.0  # reading speed, characters (with spaces) per second
    min_duration_ms: int = 833  # 5/6 s
    max_duration_ms: int = 7000
    fps: float = 25.0
    min_gap_frames: int = 2
    close_gap_ms: int = 500  # gaps shorter than this are closed to min_gap_frames

    def __post_init__(self) -> None:
        positive = ("max_chars", "max_lines", "max_cps", "min_duration_ms", "max_duration_ms", "fps")
        for name in positive:
            if not getattr(self, name) > 0:
                raise InputError(f"caption setting {name} must be positive, not {getattr(self, name)!r}")
        for name in ("min_gap_frames", "close_gap_ms"):
            if getattr(self, name) < 0:
                raise InputError(f"caption setting {name} must not be negative, not {getattr(self, name)!r}")
        if self.min_duration_ms > self.max_duration_ms:
            raise InputError(
                f"caption setting min_duration_ms ({self.min_duration_ms}) is above "
                f"max_duration_ms ({self.max_duration_ms})"
            )

    @property
    def min_gap_ms(self) -> int:
        """The least gap between cues in milliseconds (2 frames at 25 fps = 80)."""
        return round(self.min_gap_frames * 1000 / self.fps)

    @property
    def frame_ms(self) -> float:
        return 1000 / self.fps


_SETTINGS = {f.name: f for f in fields(CaptionProfile) if f.name != "language"}


def profile_for(language: str, **overrides: object) -> CaptionProfile:
    """The default profile for ``language``, with ``overrides`` (``None`` values ignored).

    Values may come as strings (from a manifest or a flag); unknown names and
    bad values raise :class:`~tmtool.errors.InputError`.

    >>> profile_for("kk").max_chars, profile_for("en-GB", max_lines="3").max_lines
    (39, 3)
    """
    base = language.replace("_", "-").split("-")[0].lower()
    values: dict[str, object] = {"language": language, "max_chars": MAX_CHARS.get(base, DEFAULT_MAX_CHARS)}
    for name, value in overrides.items():
        if name not in _SETTINGS:
            known = ", ".join(sorted(_SETTINGS))
            raise InputError(f"unknown caption setting {name!r} (known: {known})")
        if value is None:
            continue
        kind = float if _SETTINGS[name].type in ("float", float) else int
        try:
            if isinstance(value, bool):
                raise ValueError
            number = kind(value)  # type: ignore[call-overload]
            if kind is int and isinstance(value, float) and value != number:
                raise ValueError
        except (TypeError, ValueError):
            raise InputError(f"caption setting {name} must be a number, not {value!r}") from None
        values[name] = number
    return CaptionProfile(**values)  # type: ignore[arg-type]


class Timed(Protocol):
    """Anything with text and times: :class:`TimedText` or a timed :class:`~tmtool.model.Segment`."""

    @property
    def text(self) -> str: ...

    @property
    def start_ms(self) -> int | None: ...

    @property
    def end_ms(self) -> int | None: ...


@dataclass(frozen=True)
class TimedText:
    """A piece of text spoken between two times (ms); the input of :func:`layout`."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Violation:
    """One cue breaking one limit.

    ``cue_index`` is the cue's number (its ``Cue.index``, 1-based as in SRT;
    position + 1 when the index is 0). ``limit`` names the broken rule:
    ``max_chars`` (``line`` says which line), ``max_lines``, ``max_cps``,
    ``min_duration``, ``max_duration``, ``min_gap`` (gap before this cue too
    small, negative when cues overlap) or ``close_gap`` (a gap under
    ``close_gap_ms`` not closed to 2 frames). ``value`` and ``allowed`` are in
    characters, lines, characters per second or milliseconds. ``forced``: the
    cue's neighbours leave no way to meet the limit without moving them.
    """

    cue_index: int
    limit: str
    value: float
    allowed: float
    forced: bool = False
    line: int | None = None

    @property
    def excess(self) -> float:
        """By how much the limit is broken (always positive)."""
        return abs(self.value - self.allowed)

    def describe(self) -> str:
        """One line for people, e.g. ``cue 12: reading speed 23.4 chars/s > 17 chars/s``."""
        what, unit, op = _DESCRIPTIONS[self.limit]
        where = f"cue {self.cue_index}" + (f" line {self.line}" if self.line else "")
        text = f"{where}: {what} {round(self.value, 1):g}{unit} {op} {self.allowed:g}{unit}"
        if not self.forced:
            return text
        if self.limit == "max_chars":
            return text + " (a single word longer than a line)"
        return text + " (forced by the source timing)"


_DESCRIPTIONS = {
    "max_chars": ("line length", " chars", ">"),
    "max_lines": ("lines", "", ">"),
    "max_cps": ("reading speed", " chars/s", ">"),
    "min_duration": ("duration", " ms", "<"),
    "max_duration": ("duration", " ms", ">"),
    "min_gap": ("gap before", " ms", "<"),
    "close_gap": ("gap before", " ms", "should be closed to 2 frames, or be at least"),
}


@dataclass(frozen=True)
class LayoutResult:
    """Cues in time order, numbered from 1, and what they still break.

    ``sources[i]`` holds the indexes of the input units whose text is in
    ``cues[i]``. ``violations`` come from :func:`check`; layout leaves only
    forced ones.
    """

    cues: tuple[Cue, ...]
    sources: tuple[tuple[int, ...], ...]
    violations: tuple[Violation, ...]

    @property
    def forced(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.forced)


@dataclass(frozen=True)
class BilingualLayout:
    """Two languages on the same cue times.

    ``cues`` stack the first language's lines above the second's; ``first`` and
    ``second`` hold each language alone (same times and numbers; a cue with no
    text in one language is absent from that language's list), checked against
    that language's profile.
    """

    cues: tuple[Cue, ...]
    first: LayoutResult
    second: LayoutResult


# --- the checker -------------------------------------------------------------

_EPS = 1e-9


def _reading_ms(chars: int, profile: CaptionProfile) -> int:
    return math.ceil(chars * 1000 / profile.max_cps - _EPS)


def _chars(lines: Sequence[str]) -> int:
    return len(" ".join(lines))


def check(cues: Sequence[Cue], profile: CaptionProfile) -> list[Violation]:
    """Every limit of ``profile`` that each cue breaks, in cue order.

    >>> cue = Cue(0, 1000, ("Everything is under Tokayev's supervision, absolutely.",), 1)
    >>> [v.limit for v in check([cue], profile_for("en"))]
    ['max_chars', 'max_cps']
    """
    times = [(c.start_ms, c.end_ms) for c in cues]
    numbers = [c.index or i + 1 for i, c in enumerate(cues)]
    return _check(times, [tuple(c.lines) for c in cues], numbers, profile)


def _check(
    times: Sequence[tuple[int, int]],
    lines: Sequence[tuple[str, ...]],
    numbers: Sequence[int],
    profile: CaptionProfile,
) -> list[Violation]:
    """:func:`check` over parallel lists; cues with no lines only count as neighbours."""
    out: list[Violation] = []
    gap = profile.min_gap_ms
    tolerance = profile.frame_ms / 2  # timings written at another frame rate
    for i, ((start, end), text) in enumerate(zip(times, lines)):
        if not text:
            continue
        number = numbers[i]
        duration = end - start
        room = times[i + 1][0] - gap - end if i + 1 < len(times) else math.inf
        for n, line in enumerate(text, 1):
            if len(line) > profile.max_chars:
                single_word = " " not in line
                out.append(Violation(number, "max_chars", len(line), profile.max_chars, single_word, n))
        if len(text) > profile.max_lines:
            out.append(Violation(number, "max_lines", len(text), profile.max_lines))
        chars = _chars(text)
        cps = chars * 1000 / duration if duration > 0 else math.inf
        if cps > profile.max_cps + _EPS:
            stuck = room <= 0 or duration >= profile.max_duration_ms
            value = round(cps, 1) if duration > 0 else cps
            out.append(Violation(number, "max_cps", value, profile.max_cps, stuck))
        if duration < profile.min_duration_ms:
            out.append(Violation(number, "min_duration", duration, profile.min_duration_ms, room <= 0))
        if duration > profile.max_duration_ms:
            out.append(Violation(number, "max_duration", duration, profile.max_duration_ms))
        if i > 0 and lines[i - 1]:
            prev_start, prev_end = times[i - 1]
            before = start - prev_end
            if before < gap:
                out.append(Violation(number, "min_gap", before, gap, start - gap <= prev_start))
            elif gap + tolerance < before < profile.close_gap_ms:
                out.append(Violation(number, "close_gap", before, profile.close_gap_ms))
    return out


# --- layout ------------------------------------------------------------------

# Weights of the cue-splitting search (penalties of tmtool.linebreak are ~0-100).
CUE_COST = 6.0  # each extra cue
SPLIT_FACTOR = 2.0  # a cue boundary costs twice a line break at the same place ...
MID_PHRASE = 6.0  # ... and more where it is not a clause boundary
CHUNK_BALANCE = 4.0  # times the squared relative deviation from equal cue lengths
OVERRUN_PER_S = 4.0  # a cue longer than max_duration (it will be cut short) ...
OVERRUN_CAP_S = 3.0  # ... counted up to 3 s: cutting short loses nothing
UNDERRUN = 20.0  # a cue shorter than min_duration in a unit with time enough for its text ...
UNDERRUN_PER_S = 10.0  # ... and more the shorter it is
MIXED = 15.0  # a cue holding the end of one sentence and a piece of the next
EXTRA_LINE = 15.0  # bilingual: a second line in one language
GOOD_ENOUGH = 20.0  # a one-cue layout cheaper than this is taken without searching
EMPTY = 1e6  # bilingual: a cue with nothing in one language (only when unavoidable)
INF = math.inf


_STATE_LISTS = 1 << 14  # partition(): states kept in lists up to this many (else in dicts)


def _infinite() -> float:
    return INF


@dataclass
class _Lang:
    """One language's text in a group: words, where units start, penalties.

    The cue-splitting search (:meth:`partition`) is exact but visits little:
    only cut positions from which the remaining words can still fill the
    remaining cues, and only partial cuts that, with the least the rest must
    cost (:attr:`to_go`), can still beat the best layout found so far. The
    costs of the cues starting at a word are worked out together the first
    time the search starts a cue there (:meth:`row`), and kept for every
    number of cues tried.
    """

    profile: CaptionProfile
    words: list[str]
    owner: list[int]  # unit index of each word
    extra_line: float

    def __post_init__(self) -> None:
        self.widths = widths = [len(w) for w in self.words]
        self.prefix = prefix = [0, *accumulate(widths)]
        self.total = prefix[-1] + len(widths) - 1 if widths else 0  # text_width(words)
        self._memo: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {}
        self._rows: list[list[float] | None] | None = None  # cue costs (chunk), by start, then end: row()
        self._table: list[list[tuple[int, float, int]]] | None = None

    # Penalties and sentence ends are only needed when the text does not fit
    # on one line, which most speech segments do: computed on demand.

    @lazy
    def ends(self) -> set[int]:
        """Word indexes where a sentence or a unit ends before the word."""
        ends = sentence_ends(self.words, self.profile.language)
        return ends | {i for i in range(1, len(self.words)) if self.owner[i] != self.owner[i - 1]}

    @lazy
    def ends_before(self) -> list[int]:
        """``ends_before[k]``: how many sentence ends are at indexes <= k."""
        counts = [0]
        for k in range(1, len(self.words) + 1):
            counts.append(counts[-1] + (k in self.ends))
        return counts

    @lazy
    def pens(self) -> list[float]:
        pens = break_penalties(self.words, self.profile.language, self.ends)
        for i in self.ends:
            pens[i] = 0.0
        return pens

    @lazy
    def fitter(self) -> LineFitter:
        return LineFitter(self.widths, self.pens, self.profile.max_chars, prefix=self.prefix)

    def width(self, i: int, j: int) -> int:
        return self.prefix[j] - self.prefix[i] + (j - i - 1)

    def lines(self, i: int, j: int) -> tuple[float, tuple[int, ...]]:
        """Cost and breaks (absolute indexes) of words[i:j] as one cue; INF when too many lines."""
        key = (i, j)
        found = self._memo.get(key)
        if found is None:
            if j - i == 1 or self.prefix[j] - self.prefix[i] + (j - i - 1) <= self.profile.max_chars:
                found = (0.0, ())
            else:
                cost, breaks = self.fitter.best(i, j, self.profile.max_lines)
                cost += self.extra_line * len(breaks)
                found = (cost, breaks)
            self._memo[key] = found
        return found

    def fits_one_cue(self) -> bool:
        """All the words fit one cue with no poor line break (bilingual: on one line)."""
        n = len(self.words)
        if self.extra_line and n > 1 and self.width(0, n) > self.profile.max_chars:
            return False  # not on one line: lines() would break it
        cost, breaks = self.lines(0, n)
        return cost < GOOD_ENOUGH and (self.extra_line == 0 or not breaks)

    @lazy
    def shape(self) -> _Shape:
        """Which spans fit one cue, how many cues each side of a cut needs, what cuts cost."""
        return _Shape(self)

    def chunk(self, i: int, j: int, duration: int) -> float:
        """Cost of words[i:j] as one cue of the group (lines, mixed sentences, duration); INF if it does not fit."""
        p, prefix = self.profile, self.prefix
        letters = prefix[j] - prefix[i]
        if j - i == 1 or letters + (j - i - 1) <= p.max_chars:
            cost = 0.0
        else:
            found = self._memo.get((i, j))
            shape = self.__dict__.get("shape")
            if found is None and shape is not None and p.max_lines >= 2:
                line_end = shape.line_end
                if j <= line_end[line_end[i]]:  # two lines: as lines() would say, without keeping the break
                    two = self.fitter.two(i, j, shape.line_start[j], line_end[i])
                    if two is not None:
                        found = (two[0] + self.extra_line, ())
            if found is None:
                found = self.lines(i, j)
            cost = found[0]
            if cost == INF:
                return cost
        n = len(self.words)
        if i > 0 or j < n:  # the whole text mixes nothing
            ends_before = self.ends_before
            if ends_before[j - 1] - ends_before[i] > 0:
                ends = self.ends
                cost += MIXED * ((i > 0 and i not in ends) + (j < n and j not in ends))
        span = duration * letters / max(prefix[-1], 1)
        if span > p.max_duration_ms:
            cost += OVERRUN_PER_S * min(span - p.max_duration_ms, OVERRUN_CAP_S * 1000) / 1000
        elif span < p.min_duration_ms:
            cost += UNDERRUN_PER_S * (p.min_duration_ms - span) / 1000
            cost += UNDERRUN if self.total * 1000 <= p.max_cps * duration else 0.0
        return cost

    def row(self, i: int, duration: int) -> list[float]:
        """``row(i)[j - i - 1]``: :meth:`chunk` of words[i:j] for every j up to ``shape.reach[i]``.

        The same sums as :meth:`chunk` (and :meth:`LineFitter.two`) in the same
        order, a row at a time: the search asks for most of a row when it
        starts a cue at i.
        """
        rows = self._rows
        if rows is None:
            rows = self._rows = [None] * (len(self.words) + 1)
        found = rows[i]
        if found is not None:
            return found
        p, prefix, shape = self.profile, self.prefix, self.shape
        n = len(self.words)
        one, far = shape.line_end[i], shape.reach[i]
        two_end = shape.line_end[one] if p.max_lines >= 2 else one
        start = prefix[i]
        whole = max(prefix[-1], 1)
        # span = duration * letters / whole; compared in integers first (exact)
        longest, shortest = p.max_duration_ms, p.min_duration_ms
        too_long, too_short = longest * whole, shortest * whole
        ends = self.ends
        # a cue from i past the first sentence end after i mixes two sentences
        mixed_from = n + 1
        if ends:
            ends_before = self.ends_before
            if ends_before[far - 1] - ends_before[i] > 0:
                mixed_from = i + 2
                while ends_before[mixed_from - 1] - ends_before[i] <= 0:
                    mixed_from += 1
        mixed_start = i > 0 and i not in ends
        line_start, extra, pens = shape.line_start, self.extra_line, self.pens
        half_weight = BALANCE_WEIGHT / 2
        out: list[float] = []
        for j in range(i + 1, far + 1):
            if j <= one:
                cost = 0.0
            elif j <= two_end:
                # LineFitter.two(i, j): the best break into two lines, inline
                end = prefix[j]
                letters = end - start
                scale = half_weight / (letters * letters)
                best, at = INF, -1
                first = line_start[j]
                for b in range(first if first > i + 1 else i + 1, (one if one < j - 1 else j - 1) + 1):
                    pen = pens[b]
                    if pen >= best:
                        continue  # the rest only adds
                    middle = prefix[b]
                    diff = (middle - start) - (end - middle)
                    c = pen + scale * diff * diff
                    if diff > 0:
                        c += TOP_HEAVY_WEIGHT * diff / letters
                    if c < best:
                        best, at = c, b
                cost = self.lines(i, j)[0] if at < 0 else best + extra
                if cost == INF:
                    out.append(cost)
                    continue
            else:
                cost = self.lines(i, j)[0]
                if cost == INF:
                    out.append(cost)
                    continue
            if j >= mixed_from and (i > 0 or j < n):
                cost += MIXED * (mixed_start + (j < n and j not in ends))
            scaled = duration * (prefix[j] - start)
            if scaled > too_long:
                span = scaled / whole
                if span > longest:
                    cost += OVERRUN_PER_S * min(span - longest, OVERRUN_CAP_S * 1000) / 1000
            elif scaled < too_short:
                span = scaled / whole
                if span < shortest:
                    cost += UNDERRUN_PER_S * (shortest - span) / 1000
                    cost += UNDERRUN if self.total * 1000 <= p.max_cps * duration else 0.0
            out.append(cost)
        rows[i] = out
        return out

    def lower_bound(self, k: int) -> float:
        """A cost no cut of the words into ``k`` cues can go below (INF: none fits)."""
        if k > len(self.words):
            return 0.0
        shape = self.shape
        if shape.cues_after[0] > k:
            return INF
        # k cues need k - 1 cuts, each at a different place: at least the k - 1 cheapest
        cheapest = shape.cheapest_cuts
        cuts = cheapest[k - 1] if k - 1 < len(cheapest) else INF
        still = shape.still(0, k)
        return cuts if cuts > still else still

    def partition(self, k: int, duration: int, limit: float = INF) -> tuple[float, list[tuple[int, int]]]:
        """The best cut of the words into exactly ``k`` cues (some empty only if k > words).

        Only a cost below ``limit`` matters to the caller: a cut costing more
        may come back as ``(INF, [])``. Whatever is under the limit is found
        exactly as a search of every cut would find it, ties included (the
        same sums in the same order; what is skipped could not have won).
        """
        n = len(self.words)
        if k > n:
            return self._partition_with_empty(k, duration)
        if k == 1:  # one cue: nothing to search (balance and the last cut cost 0)
            chunk = self.chunk(0, n, duration)
            if chunk == INF:
                return INF, []
            dev = (self.width(0, n) - self.total) / self.total
            return 0.0 + chunk + CHUNK_BALANCE * dev * dev + 0.0, [(0, n)]
        shape = self.shape
        if shape.cues_after[0] > k:
            return INF, []
        # A margin above the limit, so that float rounding never drops what the
        # caller's own sum would keep.
        bound = limit + 1e-6 + 1e-9 * abs(limit) if limit < INF else INF
        to_go = shape.to_go
        if to_go[0] > bound:
            return INF, []
        # Best first (A*): a state is (cues so far, words covered); states come
        # out in order of their cost plus to_go, a bound on what is still to
        # pay, so the first time the goal comes out its cost is the least.
        # The search goes on through states no dearer, for ties: among equal
        # costs the cue starting last wins, as in a left-to-right search.
        ideal = self.total / k
        reach, after_start, ends_at = shape.reach, shape.after_start, shape.ends_at
        cut_costs, lines_after, two_line = shape.cut_costs, shape.lines_after, shape.two_line
        row_of = self.row
        size = n + 1
        # value[c * size + j]: least cost of words[:j] in c cues; back[...]: where its last
        # cue starts. Heap entries (f, c, j) pop in the order (f, c * size + j) would.
        # Lists for the usual text; for a long one (hundreds of cues), only the states
        # reached are kept: all of them would take memory in the square of its length.
        cells = (k + 1) * size
        value: list[float] | dict[int, float]
        back: list[int] | dict[int, int]
        if cells <= _STATE_LISTS:
            value, back = [INF] * cells, [0] * cells
        else:
            value, back = defaultdict(_infinite), {}
        value[0] = 0.0
        heap = [(shape.still(0, k), 0, 0)]
        pop, push = heapq.heappop, heapq.heappush
        n_after = len(after_start)
        while heap:
            f, c, i = pop(heap)
            if f > bound:
                break
            p = value[c * size + i]
            m = k - c
            h = to_go[i]  # as shape.still(i, m)
            over = lines_after[i] - m
            if over > 0 and over * two_line[i] > h:
                h = over * two_line[i]
            if f > p + h + 1e-9:
                continue  # a dearer way here, since bettered
            if m == 0:  # the goal: words[:n] in k cues
                bound = min(bound, p + 1e-6 + 1e-9 * abs(p))  # only ties are left to find
                continue
            rest = m - 1  # cues after the next one
            if rest:
                lo = after_start[rest] if rest < n_after else 0
                if lo <= i:
                    lo = i + 1
                hi = n - rest
                far = reach[i]
                if far < hi:
                    hi = far
            elif reach[i] >= n:
                lo = hi = n
            else:
                continue
            c1 = c + 1
            base = c1 * size
            room = bound - p  # what words[i:j], its cut and the rest may still cost
            start = ends_at[i] + 1
            row = None
            for j in range(lo, hi + 1):
                cut = cut_costs[j]
                h = to_go[j]
                if cut + h > room:
                    continue  # too dear whatever words[i:j] costs
                over = lines_after[j] - rest  # as shape.still(j, rest)
                if over > 0 and over * two_line[j] > h:
                    h = over * two_line[j]
                if row is None:
                    row = row_of(i, duration)
                dev = (ends_at[j] - start - ideal) / ideal
                total = p + row[j - 1 - i] + CHUNK_BALANCE * dev * dev + cut
                key = base + j
                old = value[key]
                if total < old:
                    if total + h <= bound:
                        value[key], back[key] = total, i
                        push(heap, (total + h, c1, j))
                elif total == old and i > back[key]:
                    back[key] = i
        goal = k * size + n
        if value[goal] == INF:
            return INF, []
        spans: list[tuple[int, int]] = []
        j = n
        for c in range(k, 0, -1):
            i = back[c * size + j]
            spans.append((i, j))
            j = i
        return value[goal], spans[::-1]

    def _partition_with_empty(self, k: int, duration: int) -> tuple[float, list[tuple[int, int]]]:
        """:meth:`partition` when there are more cues than words: some cues are empty."""
        n = len(self.words)
        ideal = self.total / k
        table = self.table(duration)
        cost = [[INF] * (n + 1) for _ in range(k + 1)]
        back = [[0] * (n + 1) for _ in range(k + 1)]
        cost[0][0] = 0.0
        for c in range(1, k + 1):
            prev, cur, arg = cost[c - 1], cost[c], back[c]
            for j in range(n if c == k else 0, n + 1):
                best, at = INF, 0
                if prev[j] + EMPTY < best:
                    best, at = prev[j] + EMPTY, j
                cut = self.cut_cost(j)
                for i, chunk, width in table[j]:
                    p = prev[i]
                    if p == INF:
                        continue
                    dev = (width - ideal) / ideal
                    total = p + chunk + CHUNK_BALANCE * dev * dev + cut
                    if total < best:
                        best, at = total, i
                cur[j], arg[j] = best, at
        if cost[k][n] == INF:
            return INF, []
        spans: list[tuple[int, int]] = []
        j = n
        for c in range(k, 0, -1):
            i = back[c][j]
            spans.append((i, j))
            j = i
        return cost[k][n], spans[::-1]

    def table(self, duration: int) -> list[list[tuple[int, float, int]]]:
        """``table[j]``: (i, cost, width) of every cue words[i:j] that fits (the group's duration)."""
        if self._table is None:
            n, prefix, first_start = len(self.words), self.prefix, self.shape.first_start
            table: list[list[tuple[int, float, int]]] = [[] for _ in range(n + 1)]
            for j in range(1, n + 1):
                for i in range(j - 1, first_start[j] - 1, -1):
                    table[j].append((i, self.chunk(i, j, duration), prefix[j] - prefix[i] + (j - i - 1)))
            self._table = table
        return self._table

    def cut_cost(self, j: int) -> float:
        """Cost of ending a cue before word ``j``: worse than a line break there."""
        if j >= len(self.words):
            return 0.0
        pen = self.pens[j]
        return SPLIT_FACTOR * pen + (MID_PHRASE if pen >= PREPOSITION else 0.0)

    def fraction(self, i: int) -> float:
        """Share of the text's length before word ``i``: time is divided by length."""
        return self.prefix[i] / max(self.prefix[-1], 1)


class _Shape:
    """What :meth:`_Lang.partition` needs beyond the words, worked out once per text.

    A span fits one cue when it fits ``max_lines`` lines; any part of a span
    that fits, fits, so filling lines greedily gives each start its farthest
    end (``reach``), and jumping from reach to reach the fewest cues.
    """

    __slots__ = (
        "line_end", "line_start", "reach", "_first_start", "cues_after", "after_start",
        "cut_costs", "to_go", "lines_after", "two_line", "_cheapest", "ends_at",
    )

    def __init__(self, lang: _Lang) -> None:
        n = len(lang.words)
        fitter = lang.fitter
        self.line_end = line_end = fitter.line_end
        self.line_start = fitter.line_start
        # reach[i]: the largest j such that words[i:j] fits one cue
        if lang.profile.max_lines == 2:
            reach = [line_end[x] for x in line_end]
        else:
            reach = []
            for x in range(n + 1):
                for _ in range(lang.profile.max_lines):
                    x = line_end[x]
                reach.append(x)
        self.reach = reach
        pens, extra = lang.pens, lang.extra_line
        self.cut_costs = cut_costs = [SPLIT_FACTOR * pen + (MID_PHRASE if pen >= PREPOSITION else 0.0) for pen in pens]
        cut_costs.append(0.0)
        # Backwards, in one pass:
        # to_go[j]: what any cut of words[j:] into cues pays at least, whatever
        #   their number: the cut costs on the way, and for each cue too wide
        #   for one line extra_line plus the least penalty of a line break in
        #   it (balance and duration only add);
        # lines_after[j]: the fewest one-line cues words[j:] fit in; a two-line
        #   cue holds no more than two of them, so in m cues at least
        #   lines_after[j] - m have two lines, each costing two_line[j] or more.
        self.cues_after = cues_after = [0] * (n + 1)
        self.lines_after = lines_after = [0] * (n + 1)
        self.to_go = to_go = [0.0] * (n + 1)
        # two_line[j]: extra plus the least penalty of a break in words[j:] (suffix minima)
        self.two_line = two_line = [extra + pen for pen in accumulate(reversed(pens[1:]), min)][::-1]
        two_line += [extra, extra] if n > 1 else [extra] * (n + 1 - len(two_line))
        via = [0.0] * (n + 1)  # via[e]: a cut before word e, then the rest
        for j in range(n - 1, -1, -1):
            one, far = line_end[j], reach[j]
            cues_after[j] = 1 + cues_after[far]
            lines_after[j] = 1 + lines_after[one]
            least = min(via[j + 1 : one + 1])
            if far > one:
                two = extra + min(pens[j + 1 : one + 1]) + min(via[one + 1 : far + 1])
                if two < least:
                    least = two
            to_go[j] = least
            via[j] = cut_costs[j] + least
        # after_start[m]: the first j from which words[j:] fit in m cues (0 for m beyond)
        after_start, j = [], n
        for m in range(cues_after[0] + 1):
            while j > 0 and cues_after[j - 1] <= m:
                j -= 1
            after_start.append(j)
        self.after_start = after_start
        self._cheapest: list[float] | None = None
        self._first_start: list[int] | None = None
        # ends_at[j]: prefix[j] + j, so words[i:j] is ends_at[j] - ends_at[i] - 1 wide
        self.ends_at = [w + j for j, w in enumerate(lang.prefix)]

    @property
    def first_start(self) -> list[int]:
        """``first_start[j]``: the smallest i such that words[i:j] fits one cue."""
        if self._first_start is None:
            reach = self.reach
            first_start, i = [0], 0
            for j in range(1, len(reach)):
                while reach[i] < j:
                    i += 1
                first_start.append(i)
            self._first_start = first_start
        return self._first_start

    @property
    def cheapest_cuts(self) -> list[float]:
        """``cheapest_cuts[m]``: the sum of the m cheapest cut costs (cuts inside the text)."""
        found = self._cheapest
        if found is None:
            found = self._cheapest = [0.0]
            for cost in sorted(self.cut_costs[1:-1]):
                found.append(found[-1] + cost)
        return found

    def still(self, j: int, cues: int) -> float:
        """A least cost of words[j:] in ``cues`` cues: to_go, or more when that
        many cues force some onto two lines (a bound the search may rely on)."""
        h = self.to_go[j]
        over = self.lines_after[j] - cues
        if over > 0 and over * self.two_line[j] > h:
            return over * self.two_line[j]
        return h


@dataclass
class _Group:
    start: int
    end: int
    langs: list[_Lang | None]


@dataclass
class _Draft:
    start: int
    end: int
    lines: list[tuple[str, ...]]
    sources: list[tuple[int, ...]]
    need: int  # display time the text needs (min duration, reading speed), capped at max


def _times(unit: Timed, n: int) -> tuple[int, int]:
    start, end = unit.start_ms, unit.end_ms
    if start is None or end is None:
        raise InputError(f"caption unit {n + 1} has no time ({unit.text[:40]!r})")
    if start < 0 or end < start:
        raise InputError(f"caption unit {n + 1} has bad times {start}..{end} ms ({unit.text[:40]!r})")
    return int(start), int(end)


def _split_group(group: _Group) -> list[_Draft]:
    """Cut a group into cues: choose the number of cues and where each language is cut."""
    langs = [lg for lg in group.langs if lg is not None]
    duration = group.end - group.start
    max_dur = min(lg.profile.max_duration_ms for lg in langs)
    best: tuple[float, int, list[list[tuple[int, int]] | None]] | None = None
    most = max(len(lg.words) for lg in langs)
    if duration <= max_dur and all(lg.fits_one_cue() for lg in langs):
        # The common case: one cue, lines broken at good places; it fits, so
        # it is the only layout looked at and its cost does not matter.
        first, last = 1, 0
        best = (0.0, 1, [None if lg is None else [(0, len(lg.words))] for lg in group.langs])
    else:
        # From a lower bound on the number of cues upward, until two more cues
        # than the best so far (and than the duration asks for) bring nothing.
        room = [lg.total / (lg.profile.max_lines * lg.profile.max_chars + 1) for lg in langs]
        first = max(1, min(most, math.ceil(max(room))))
        last = most
    by_time = math.ceil(duration / max_dur)
    for k in range(first, last + 1):
        if best is not None and k > best[1] + 1 and k > by_time:
            break
        total = CUE_COST * k
        cuts: list[list[tuple[int, int]] | None] = []
        # Only a cut cheaper than the best so far can win: each language's
        # search is told what is left once the others have had their least.
        lows = [lg.lower_bound(k) if lg is not None and best is not None else 0.0 for lg in group.langs]
        if best is not None and total + sum(lows) > best[0] + 1e-6:
            continue
        for n, lg in enumerate(group.langs):
            if lg is None:
                cuts.append(None)
                continue
            limit = INF if best is None else best[0] - total - sum(lows[n + 1:])
            cost, spans = lg.partition(k, duration, limit)
            total += cost
            cuts.append(spans)
            if total == INF:
                break
        if total < INF and (best is None or total < best[0]):
            best = (total, k, cuts)
    assert best is not None  # one word a cue always fits
    _, k, cuts = best
    # Cue boundaries: the mean of each language's length shares.
    bounds = [group.start]
    for c in range(1, k):
        shares = [lg.fraction(spans[c][0]) for lg, spans in zip(group.langs, cuts) if lg and spans]
        bounds.append(group.start + round(duration * sum(shares) / len(shares)))
    bounds.append(group.end)
    drafts = []
    for c in range(k):
        lines: list[tuple[str, ...]] = []
        sources: list[tuple[int, ...]] = []
        need = 0
        for lg, spans in zip(group.langs, cuts):
            if lg is None or spans is None:
                lines.append(())
                sources.append(())
                continue
            i, j = spans[c]
            if j <= i:
                lines.append(())
                sources.append(())
                continue
            p, words = lg.profile, lg.words
            width = lg.prefix[j] - lg.prefix[i] + (j - i - 1)  # as len(" ".join(lines))
            if width <= p.max_chars or j - i == 1:
                lines.append((" ".join(words[i:j]),))
            else:
                lines.append(split_at(words[i:j], [b - i for b in lg.lines(i, j)[1]]))
            owners = set(lg.owner[i:j])
            sources.append((lg.owner[i],) if len(owners) == 1 else tuple(sorted(owners)))
            need = max(need, min(max(p.min_duration_ms, _reading_ms(width, p)), p.max_duration_ms))
        drafts.append(_Draft(bounds[c], bounds[c + 1], lines, sources, need))
    return drafts


def _retime(drafts: list[_Draft], profiles: Sequence[CaptionProfile]) -> None:
    """Resolve overlaps, cut long cues, extend short ones, close small gaps (in place)."""
    gap = max(p.min_gap_ms for p in profiles)
    close = max(p.close_gap_ms for p in profiles)
    max_dur = min(p.max_duration_ms for p in profiles)
    min_dur = max(p.min_duration_ms for p in profiles)
    # 1. No overlaps, at least `gap` between cues; where the source leaves no room
    #    (two cues starting together) the time is shared and the later start moves.
    for cue in drafts:
        cue.end = max(cue.end, cue.start + 1)  # zero-length source units
    for prev, cur in zip(drafts, drafts[1:]):
        if cur.start < prev.end + gap:
            if cur.start - gap > prev.start:
                prev.end = cur.start - gap
            else:
                share = max(1, min(min_dur, (max(cur.end, prev.end) - prev.start - gap) // 2))
                prev.end = prev.start + share
                cur.start = prev.end + gap
                cur.end = max(cur.end, cur.start + 1)
    # 2. Durations and gaps, left to right (each step only moves the next start earlier).
    for i, cur in enumerate(drafts):
        nxt = drafts[i + 1] if i + 1 < len(drafts) else None
        limit = nxt.start - gap if nxt else math.inf
        if cur.end - cur.start > max_dur:
            cur.end = cur.start + max_dur
        target = cur.start + cur.need
        if cur.end < target:
            cur.end = int(max(cur.end, min(target, limit)))
        if nxt and gap < nxt.start - cur.end < close:
            if nxt.start - gap - cur.start <= max_dur:
                cur.end = nxt.start - gap
            else:
                nxt.start = cur.end + gap


def _result(drafts: list[_Draft], lang: int, profile: CaptionProfile) -> LayoutResult:
    times = [(d.start, d.end) for d in drafts]
    lines = [d.lines[lang] for d in drafts]
    numbers = list(range(1, len(drafts) + 1))
    violations = _check(times, lines, numbers, profile)
    kept = [n for n in range(len(drafts)) if lines[n]]
    cues = tuple(Cue(times[n][0], times[n][1], lines[n], n + 1) for n in kept)
    sources = tuple(drafts[n].sources[lang] for n in kept)
    return LayoutResult(cues, sources, tuple(violations))


def _group_single(units: Sequence[Timed], profile: CaptionProfile) -> Iterator[_Group]:
    # Groups are made one at a time: each is dropped, with what its search
    # kept, as soon as it is cut into cues (memory, and the garbage collector).
    for n, unit in sorted(enumerate(units), key=lambda p: (_times(p[1], p[0])[0], p[0])):
        start, end = _times(unit, n)
        words = words_of(unit.text)
        if words:
            yield _Group(start, end, [_Lang(profile, words, [n] * len(words), 0.0)])


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused: the layout makes many short-lived lists and tuples
    but no reference cycles, and a full collection over everything a command holds
    (catalogues, tracks) costs more than the layout of many groups."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def layout(units: Sequence[Timed], profile: CaptionProfile) -> LayoutResult:
    """Lay timed text out as cues within ``profile``'s limits (see the module docstring).

    Units with no text give no cue; a cue never mixes two units. Times must be
    set, non-negative and in order within a unit (else :class:`InputError`).

    >>> r = layout([TimedText("We can't get registered by the government.", 1000, 2500)], profile_for("en"))
    >>> r.cues
    (Cue(start_ms=1000, end_ms=3471, lines=("We can't get registered by the government.",), index=1),)
    """
    with _no_cycle_collection():
        drafts = [d for g in _group_single(units, profile) for d in _split_group(g)]
    _retime(drafts, [profile])
    return _result(drafts, 0, profile)


def layout_bilingual(
    units_a: Sequence[Timed],
    units_b: Sequence[Timed],
    profile_a: CaptionProfile,
    profile_b: CaptionProfile,
) -> BilingualLayout:
    """Two languages on one set of cues: ``a`` above, ``b`` below, one line each where it fits.

    Units of both languages whose times overlap (by more than a frame) form one
    group, e.g. an English sentence with the two Kazakh speech segments it is
    aligned with. A group is cut into the same number of cues in both
    languages, each at its own best places; cue times divide the group's time
    by the mean of the two length shares. Each language keeps its own limits,
    so a cue has at most ``max_lines`` lines per language (4 in all with the
    defaults); a second line in a language costs as much as a poor cut, so one
    line each is preferred while the cues stay long enough to read.
    """
    tagged = [(0, n, u) for n, u in enumerate(units_a)] + [(1, n, u) for n, u in enumerate(units_b)]
    tagged.sort(key=lambda t: (_times(t[2], t[1])[0], t[0], t[1]))
    tolerance = max(profile_a.frame_ms, profile_b.frame_ms)
    raw: list[tuple[int, int, list[list[tuple[int, str]]]]] = []
    for side, n, unit in tagged:
        start, end = _times(unit, n)
        if raw and (start < raw[-1][1] - tolerance or start == raw[-1][0]):
            g_start, g_end, members = raw[-1]
            members[side].append((n, unit.text))
            raw[-1] = (g_start, max(g_end, end), members)
        else:
            members = [[], []]
            members[side].append((n, unit.text))
            raw.append((start, end, members))
    def groups() -> Iterator[_Group]:  # one at a time, as in layout()
        for start, end, members in raw:
            langs: list[_Lang | None] = []
            for side, profile in ((0, profile_a), (1, profile_b)):
                words: list[str] = []
                owner: list[int] = []
                for n, text in members[side]:
                    ws = words_of(text)
                    words += ws
                    owner += [n] * len(ws)
                langs.append(_Lang(profile, words, owner, EXTRA_LINE) if words else None)
            if any(langs):
                yield _Group(start, end, langs)

    with _no_cycle_collection():
        drafts = [d for g in groups() for d in _split_group(g)]
    _retime(drafts, [profile_a, profile_b])
    first = _result(drafts, 0, profile_a)
    second = _result(drafts, 1, profile_b)
    stacked = tuple(
        Cue(d.start, d.end, d.lines[0] + d.lines[1], n) for n, d in enumerate(drafts, 1)
    )
    return BilingualLayout(stacked, first, second)
