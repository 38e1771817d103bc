"""Caption profiles, cue layout and the caption checker: pure functions over timed text.

A :class:`CaptionProfile` holds the limits of professional guides (Netflix's
Timed Text Style Guide, the BBC Subtitle Guidelines): 42 characters a line for
English, 39 for Russian and Kazakh, 2 lines, 17 characters a second (spaces
and punctuation counted, as Netflix counts them), 5/6 s to 7 s on screen, 2
frames between cues at 25 fps and gaps under 0.5 s closed to those 2 frames.

:func:`layout` turns timed text units (speech segments, sentences) into
:class:`~tmtool.model.Cue` objects within those limits:

1. A unit too long for one cue (too many characters for the lines, or much
   longer than 7 s, or more text than 7 s let be read) is cut into several,
   preferably at sentence ends, then clause punctuation, then before
   conjunctions (the penalties of :mod:`tmtool.linebreak`, doubled), with cues
   of similar length; the unit's time is divided among them by length
   (characters), a cue starting later where the one before needs more time to
   be read, as far as the time up to the next unit allows. The search for the
   cheapest cut is exact but visits little: best first, with a bound on what
   the rest must cost, and each number of cues only while it can still win.
   When its cut would leave a cue too briefly on screen and another cut would
   not, within the time up to the next unit, that other cut is taken (for two
   languages, the one both can be read in): meeting the limits comes first.
2. Each cue's text is broken into lines by :mod:`tmtool.linebreak`.
3. Timing, cue by cue in time order: overlaps are resolved and every gap is at
   least 2 frames; a cue longer than 7 s is cut short; a cue too short for its
   text (reading speed) or under 5/6 s is extended into the following gap, up
   to 2 frames before the next cue; a gap under 0.5 s is closed to 2 frames by
   extending the earlier cue or, if that would make it longer than 7 s, by
   starting the later cue earlier. Otherwise a start never moves earlier than
   its unit's: captions do not appear before the words are spoken.

What still breaks a limit is reported as a :class:`Violation`, ``forced`` only
when no layout could avoid it within the source timing: the time from the
unit's start to the next unit's (less the gap) is shorter than the least time
in which any cut of its text can be read at max_cps with each cue on screen
for min_duration (for two languages on the same cues, both), or than
min_duration for each of the fewest cues its lines fit; or a single word is
longer than a line.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import partial
from itertools import accumulate
from typing import Callable, Iterator, Protocol, Sequence

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
    "BOUNDS",
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
    "least_needs",
    "profile_for",
    "setting_value",
]

# Characters per line by language (Netflix: 42 for Latin-script languages,
# 39 for Russian; Kazakh Cyrillic follows Russian).
MAX_CHARS = {"en": 42, "ru": 39, "kk": 39}
DEFAULT_MAX_CHARS = 42


# The range each setting may take (inclusive): wide enough for every professional
# style guide (children's captions at 10-13 chars/s, live captions near 30,
# 13-16 characters a line for CJK, 3 lines on some broadcasters, 24-120 fps,
# gaps of 2 to 12 frames), narrow enough to refuse a typo such as
# min_gap_frames=1000 (a 40 s gap after each cue) or fps=0.01.
BOUNDS: dict[str, tuple[float, float]] = {
    "max_chars": (5, 80),
    "max_lines": (1, 4),
    "max_cps": (5, 40),
    "min_duration_ms": (100, 10_000),
    "max_duration_ms": (1_000, 20_000),
    "fps": (1, 120),
    "min_gap_frames": (0, 60),
    "close_gap_ms": (0, 3_000),
}
#: The gap between cues, in milliseconds, may not exceed this whatever the fps.
MAX_GAP_MS = 2_000


@dataclass(frozen=True)
class CaptionProfile:
    """The limits captions in one language must keep; see :func:`profile_for`.

    Each setting must lie within :data:`BOUNDS`, the gap (``min_gap_frames`` at
    ``fps``) within :data:`MAX_GAP_MS`, and ``min_duration_ms`` may not exceed
    ``max_duration_ms`` (else :class:`~tmtool.errors.InputError`).
    """

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
        for name, (low, high) in BOUNDS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise InputError(f"caption setting {name} must be between {low:g} and {high:g}, not {value!r}")
        if self.min_duration_ms > self.max_duration_ms:
            raise InputError(
                f"caption setting min_duration_ms ({self.min_duration_ms}) is above "
                f"max_duration_ms ({self.max_duration_ms})"
            )
        if self.min_gap_ms > MAX_GAP_MS:
            raise InputError(
                f"caption setting min_gap_frames ({self.min_gap_frames}) at {self.fps:g} fps is a gap of "
                f"{self.min_gap_ms} ms, more than {MAX_GAP_MS} ms"
            )

    @property
    def min_gap_ms(self) -> int:
        """The least gap between cues in milliseconds (2 frames at 25 fps = 80)."""
        return round(self.min_gap_frames * 1000 / self.fps)

    @property
    def frame_ms(self) -> float:
        return 1000 / self.fps


_SETTINGS = {f.name: f for f in fields(CaptionProfile) if f.name != "language"}


def setting_value(name: str, value: object) -> int | float:
    """One caption setting's value, from a manifest or a flag (a number or a string),
    checked against :data:`BOUNDS` (else :class:`~tmtool.errors.InputError`).

    >>> setting_value("max_cps", "15.5"), setting_value("max_lines", 3)
    (15.5, 3)
    """
    if name not in _SETTINGS:
        known = ", ".join(sorted(_SETTINGS))
        raise InputError(f"unknown caption setting {name!r} (known: {known})")
    kind = float if _SETTINGS[name].type in ("float", float) else int
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value)  # type: ignore[call-overload]
        if kind is int and isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError):
        raise InputError(f"caption setting {name} must be a number, not {value!r}") from None
    low, high = BOUNDS[name]
    if not low <= number <= high:
        raise InputError(f"caption setting {name} must be between {low:g} and {high:g}, not {number:g}")
    return number


def profile_for(language: str, **overrides: object) -> CaptionProfile:
    """The default profile for ``language``, with ``overrides`` (``None`` values ignored).

    Values may come as strings (from a manifest or a flag); unknown names and
    bad values raise :class:`~tmtool.errors.InputError` (see :func:`setting_value`).

    >>> profile_for("kk").max_chars, profile_for("en-GB", max_lines="3").max_lines
    (39, 3)
    """
    base = language.replace("_", "-").split("-")[0].lower()
    values: dict[str, object] = {"language": language, "max_chars": MAX_CHARS.get(base, DEFAULT_MAX_CHARS)}
    for name, value in overrides.items():
        number = setting_value(name, value) if value is not None or name not in _SETTINGS else None
        if number is not None:
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


def least_needs(
    chars: int, words: int, profile: CaptionProfile, gap_ms: int | None = None, fewest: int = 1
) -> tuple[int, int]:
    """What any layout of a text needs on screen, at the least, in ms: ``(read, show)``.

    ``show``: ``min_duration_ms`` for each cue, over the fewest cues the text
    can take (its lines must fit, at least ``fewest`` cues, and no cue may
    be on longer than ``max_duration_ms``), with ``gap_ms`` (the profile's
    gap by default) between them. ``read``: the least time in which some
    number of cues show the ``chars`` characters (with spaces; those at cuts
    are not shown) at ``max_cps`` *and* each for ``min_duration_ms``. A
    limit is *forced* only when the time the source gives a text is shorter
    than this: no layout could meet it.

    >>> least_needs(85, 15, profile_for("en"))  # 85 characters take 5 s at 17 chars/s
    (5000, 833)
    """
    p = profile
    gap = p.min_gap_ms if gap_ms is None else gap_ms
    if chars <= 0 or words <= 0:
        return 0, 0
    # chars in k cues: at most k * lines * (max_chars + 1) - 1, shown in k * max_duration
    fewest = max(fewest, -(-(chars + 1) // (p.max_lines * (p.max_chars + 1))))
    while fewest < words and _reading_ms(chars - (fewest - 1), p) > fewest * p.max_duration_ms:
        fewest += 1
    fewest = min(fewest, words)

    def needs(k: int) -> int:  # k cues, each min_duration at least
        return max(k * p.min_duration_ms, _reading_ms(chars - (k - 1), p)) + (k - 1) * gap

    # needs(k) falls (reading) then rises (min_duration) from where k * min_duration
    # overtakes the reading time: the least is at an end or beside that point
    per_char = 1000 / p.max_cps
    cross = math.ceil((chars + 1) * per_char / (p.min_duration_ms + per_char))
    ks = {fewest, words, *range(cross - 2, cross + 2)}
    read = min(needs(k) for k in ks if fewest <= k <= words)
    return read, fewest * p.min_duration_ms + (fewest - 1) * gap


class _Text:
    """One language's words as the timing sees them: widths, where a cue from each
    word must end at the latest for its lines to fit (``reach``, None: anywhere),
    the profile; and, worked out once, the time each cue from a word needs."""

    __slots__ = ("widths", "reach", "profile", "_rows", "_rest", "_least", "_joint")

    def __init__(self, widths: Sequence[int], reach: Sequence[int] | None, profile: CaptionProfile) -> None:
        self.widths, self.reach, self.profile = widths, reach, profile
        self._rows: list[list[int] | None] = [None] * len(widths)
        self._rest: tuple[int, list[float]] | None = None  # rest(): (gap, rest)
        self._least: tuple[float, int, float] | None = None  # _least_time(): (time, fewest, room)
        self._joint: tuple[_Text, float, float] | None = None  # _joint_least() beside: (other, room, time)

    def needs(self, i: int) -> list[int]:
        """``[need of words[i:j] for j = i + 1 ...]``: each cue from word ``i`` whose lines fit
        and which can be read within max_duration, on screen for its reading time or min_duration."""
        found = self._rows[i]
        if found is None:
            widths, reach, p = self.widths, self.reach, self.profile
            found = []
            width, per, shortest, longest = -1, 1000 / p.max_cps, p.min_duration_ms, p.max_duration_ms
            for j in range(i + 1, (reach[i] if reach is not None else len(widths)) + 1):
                width += widths[j - 1] + 1
                read = math.ceil(width * per - _EPS)  # as _reading_ms(width, p)
                if read > longest:
                    break  # and wider from further on
                found.append(read if read > shortest else shortest)
            self._rows[i] = found
        return found

    def rest(self, gap: int) -> list[float]:
        """``rest[i]``: the least time the words from ``i`` on need (as :func:`_least_time`)."""
        if self._rest is None or self._rest[0] != gap:
            widths, reach, p = self.widths, self.reach, self.profile
            n = len(widths)
            per, shortest, longest = 1000 / p.max_cps, p.min_duration_ms, p.max_duration_ms
            rest = [INF] * n + [0.0]
            for i in range(n - 1, -1, -1):  # as needs(i), inline: this is most of the checker's work
                best, width = INF, -1
                for j in range(i + 1, (reach[i] if reach is not None else n) + 1):
                    width += widths[j - 1] + 1
                    read = math.ceil(width * per - _EPS)
                    if read > longest:
                        break
                    t = (read if read > shortest else shortest) + (gap + rest[j] if j < n else 0)
                    if t < best:
                        best = t
                rest[i] = best
            self._rest = (gap, rest)
        return self._rest[1]


JOINT_WORK = 2_000_000  # _joint_least() tries no more pairs of cue texts than this (few, pruned, are)


def _fewest(text: _Text) -> int:
    """The fewest cues the words' lines fit."""
    widths, reach = text.widths, text.reach
    fewest, i, n = 0, 0, len(widths)
    while i < n:
        i = reach[i] if reach is not None else n
        fewest += 1
    return fewest


def _least_time(text: _Text, gap: int, room: float = math.inf) -> tuple[float, int]:
    """:func:`least_needs` exactly, for words of these widths: the least time in
    which some cut of them into cues shows each cue for its reading time and
    min_duration (INF when a word alone cannot be read within max_duration), and
    the fewest cues their lines fit. ``reach[i]``: the last word (exclusive) a
    cue starting at word ``i`` can hold, for its lines to fit (None: all).

    Above ``room``, the time may be any time above it (only less is of use): a
    bound that is above it is enough.
    """
    known = text._least
    if known is not None and (known[0] <= known[2] or room <= known[2]):
        return known[0], known[1]  # exact, or above a room no larger
    widths, profile = text.widths, text.profile
    n = len(widths)
    if n == 0:
        return 0, 0
    fewest = _fewest(text)
    bound = least_needs(sum(widths) + n - 1, n, profile, gap, fewest)[0]
    if bound - 2 > room:  # (the bound rounds its reading time once, the cues each theirs)
        text._least = (bound, fewest, room)
        return bound, fewest
    least = text.rest(gap)[0]
    text._least = (least, fewest, INF)
    return least, fewest


def _joint_least(
    a: _Text, b: _Text, gap: int, room: float, cut: bool = True
) -> tuple[float | None, list[list[tuple[int, int]]]]:
    """:func:`_least_time` for two languages on the same cues (a cue may hold one of
    them only): the least time and the cut reaching it, (INF, []) when there is
    none within ``room``, (None, []) when there would be more than
    :data:`JOINT_WORK` ways to try. Without ``cut``, the time only ([] for the cut)."""
    known = a._joint
    if not cut and known is not None and known[0] is b and (known[2] <= known[1] or room <= known[1]):
        return known[2], []
    na, nb = len(a.widths), len(b.widths)
    rest_a, rest_b = a.rest(gap), b.rest(gap)
    reach_a = a.reach or [na] * na
    reach_b = b.reach or [nb] * nb
    work = (na + 1) * (nb + 1) * (1 + sum(reach_a) / na - na / 2) * (1 + sum(reach_b) / nb - nb / 2)
    if work > JOINT_WORK:
        return None, []
    if max(rest_a[0], rest_b[0]) > room:  # one language alone cannot be read in time
        a._joint = (b, room, INF)
        return INF, []
    size = nb + 1
    goal = na * size + nb
    time = [INF] * ((na + 1) * size)
    back = [0] * ((na + 1) * size)
    time[0] = 0.0
    # the next cue's ends and needs from each word (needs grow with the end), none first
    opts_a: list[list[tuple[int, int]] | None] = [None] * na + [[(na, 0)]]
    opts_b: list[list[tuple[int, int]] | None] = [None] * nb + [[(nb, 0)]]
    # Best first (A*): states (words of each language covered) in order of time so
    # far plus the least either language's rest needs; the goal comes out least.
    heap = [(max(rest_a[0], rest_b[0]), 0.0, 0)]
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        _, t, here = pop(heap)
        if here == goal:
            break
        if t > time[here]:
            continue  # a dearer way here, since bettered
        i, k = divmod(here, size)
        left = room - t  # what the next cue and the rest may need at most
        from_a, from_b = opts_a[i], opts_b[k]
        if from_a is None:
            from_a = opts_a[i] = [(i, 0), *((j, need) for j, need in enumerate(a.needs(i), i + 1))]
        if from_b is None:
            from_b = opts_b[k] = [(k, 0), *((j, need) for j, need in enumerate(b.needs(k), k + 1))]
        for ja, need_a in from_a:
            if need_a > left:
                break
            after_a = rest_a[ja]
            for jb, need_b in from_b:
                if need_b > left:
                    break
                if ja == i and jb == k:
                    continue
                more = need_a if need_a > need_b else need_b
                after = after_a if after_a > rest_b[jb] else rest_b[jb]
                if more + after > left:
                    continue  # the rest could not end in time
                total = t + more + gap
                key = ja * size + jb
                if total < time[key]:
                    time[key], back[key] = total, here
                    push(heap, (total - gap if key == goal else total + after, total, key))
    a._joint = (b, room, time[goal] - gap if time[goal] - gap <= room else INF)
    if time[goal] - gap > room:
        return INF, []
    spans: list[list[tuple[int, int]]] = [[], []]
    at = goal
    while at:
        prev = back[at]
        spans[0].append((prev // size, at // size))
        spans[1].append((prev % size, at % size))
        at = prev
    return time[goal] - gap, [spans[0][::-1], spans[1][::-1]]


def check(cues: Sequence[Cue], profile: CaptionProfile) -> list[Violation]:
    """Every limit of ``profile`` that each cue breaks, in cue order.

    With no source timing to go by, each cue's own time is its source: a
    violation is forced when the time up to the next cue (less the gap) is
    shorter than what the cue's text needs, however it were cut
    (:func:`least_needs`).

    >>> cue = Cue(0, 1000, ("Everything is under Tokayev's supervision, absolutely.",), 1)
    >>> [v.limit for v in check([cue], profile_for("en"))]
    ['max_chars', 'max_cps']
    """
    times = [(c.start_ms, c.end_ms) for c in cues]
    numbers = [c.index or i + 1 for i, c in enumerate(cues)]
    return _check(times, [tuple(c.lines) for c in cues], numbers, profile)


# (time the source leaves a text, least time to read it, least to show it), ms; or what gives them
_Window = tuple[float, float, int] | Callable[[], tuple[float, float, int]]


def _needs(
    window: _Window | None, times: Sequence[tuple[int, int]], i: int, text: tuple[str, ...], profile: CaptionProfile
) -> tuple[float, float, int]:
    """Cue ``i``'s window (see :func:`_check`), worked out only for a cue that breaks a time limit."""
    if callable(window):
        return window()
    if window is not None:
        return window
    gap = profile.min_gap_ms
    room = times[i + 1][0] - gap - times[i][0] if i + 1 < len(times) else math.inf
    return (room, *least_needs(_chars(text), sum(len(x.split()) for x in text), profile, gap))


def _check(
    times: Sequence[tuple[int, int]],
    lines: Sequence[tuple[str, ...]],
    numbers: Sequence[int],
    profile: CaptionProfile,
    windows: Sequence[_Window | None] | None = None,
) -> list[Violation]:
    """:func:`check` over parallel lists; cues with no lines only count as neighbours.

    ``windows[i]``: the time the source leaves the text cue ``i`` is part of
    (from its start to the next text's start, less the gap) and what that
    text needs at the least (:func:`least_needs`), or a function giving
    these (called only for a cue that breaks a limit); by default each cue alone.
    """
    out: list[Violation] = []
    gap = profile.min_gap_ms
    tolerance = profile.frame_ms / 2  # timings written at another frame rate
    for i, ((start, end), text) in enumerate(zip(times, lines)):
        if not text:
            continue
        number = numbers[i]
        duration = end - start
        chars = _chars(text)
        window = windows[i] if windows is not None else None
        for n, line in enumerate(text, 1):
            if len(line) > profile.max_chars:
                single_word = " " not in line
                out.append(Violation(number, "max_chars", len(line), profile.max_chars, single_word, n))
        if len(text) > profile.max_lines:
            out.append(Violation(number, "max_lines", len(text), profile.max_lines))
        cps = chars * 1000 / duration if duration > 0 else math.inf
        if cps > profile.max_cps + _EPS:
            value = round(cps, 1) if duration > 0 else cps
            room, need_read, _ = _needs(window, times, i, text, profile)
            out.append(Violation(number, "max_cps", value, profile.max_cps, need_read > room or need_read == math.inf))
        if duration < profile.min_duration_ms:
            room, _, need_show = _needs(window, times, i, text, profile)
            out.append(Violation(number, "min_duration", duration, profile.min_duration_ms, need_show > room))
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
OVERRUN_CAP_S = 3.0  # ... counted up to 3 s: cutting short loses nothing (but see UNREADABLE)
UNREADABLE = 50.0  # each character of a cue beyond what max_duration lets be read at max_cps:
#   dearer than a poor cut (2 x ~100) every 4 characters, so splitting wins
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
        # the most characters a cue can show, on for max_duration at max_cps
        self.readable = self.profile.max_duration_ms * self.profile.max_cps / 1000
        self._memo: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {}
        self._rows: list[list[float] | None] | None = None  # cue costs (chunk), by start, then end: row()
        self._table: list[list[tuple[int, float, int]]] | None = None
        self._text: _Text | None = None

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
        if _reading_ms(self.total, self.profile) > self.profile.max_duration_ms:
            return False  # too long to read in one cue, however long the unit
        cost, breaks = self.lines(0, n)
        return cost < GOOD_ENOUGH and (self.extra_line == 0 or not breaks)

    def text(self) -> _Text:
        """The words as :func:`_least_time` sees them (reach None when they fit one cue,
        as any part of them then does)."""
        if self._text is None:
            n = len(self.words)
            reach: list[int] | None = None
            if "shape" in self.__dict__:
                reach = self.shape.reach
            else:
                whole = self._memo.get((0, n))  # as the one-cue case found it
                if not (n <= 1 or self.total <= self.profile.max_chars or (whole is not None and whole[0] < INF)):
                    reach = self.shape.reach
            self._text = _Text(self.widths, reach, self.profile)
        return self._text

    def fastest(self, duration: int, gap: int, weight: float) -> tuple[float, list[tuple[int, int]]]:
        """A cut into cues each of which can be read, least in ``weight`` times the
        seconds they need on screen (reading time or min_duration, and a gap) plus
        the search's costs (balance aside): (that time in ms, INF if none; spans)."""
        n, text, cut_costs = len(self.words), self.text(), self.shape.cut_costs
        key, time, back = [0.0] + [INF] * n, [0] * (n + 1), [0] * (n + 1)
        for i in range(n):
            if key[i] == INF:
                continue
            row = self.row(i, duration)
            for j, need in enumerate(text.needs(i), i + 1):
                t = need + gap
                k = key[i] + weight * t / 1000 + row[j - i - 1] + cut_costs[j] + CUE_COST
                if k < key[j]:
                    key[j], time[j], back[j] = k, time[i] + t, i
        if key[n] == INF:
            return INF, []
        spans, j = [], n
        while j > 0:
            spans.append((back[j], j))
            j = back[j]
        return time[n] - gap, spans[::-1]

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
        over = letters + (j - i - 1) - self.readable
        if over > 0:  # more than any one cue can give time to read
            cost += UNREADABLE * over
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
        readable = self.readable
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
            over = (prefix[j] - start) + (j - i - 1) - readable
            if over > 0:
                cost += UNREADABLE * over
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
    limit: float = INF  # the next group's start less the gap: as far as this group's cues may run


@dataclass
class _Source:
    """A group's time as the source gives it, to tell forced violations from the layout's own.

    ``texts`` holds, per language, what :func:`_least_time` needs of its words
    (not the words' search, which is dropped with the group).
    """

    limit: float
    gap: int
    texts: list[_Text | None]
    start: int | None = None  # its first cue's start, once retimed
    _read: float | None = None
    _show: int | None = None  # the fewest cues both languages fit

    def window(self, side: int) -> tuple[float, float, int]:
        """(time the source leaves the text, least time to read it, least to show it), ms.

        Both languages share the cues, so what is forced is what no layout of
        both could avoid: the least time in which both can be read
        (:func:`_joint_least`, or when that is too much work, the longer of
        each language's own), as many cues as the one needing most.
        """
        assert self.start is not None
        room = self.limit - self.start
        texts = [text for text in self.texts if text is not None]
        if self._read is None:
            read = 0.0
            for text in sorted(texts, key=lambda t: sum(t.widths) / t.profile.max_cps, reverse=True):
                read = max(read, _least_time(text, self.gap, room)[0])
                if read > room:
                    break  # no need to look further
            if len(texts) == 2 and read <= room:
                a, b = self.texts
                joint, _ = _joint_least(a, b, self.gap, room, cut=False)  # type: ignore[arg-type]
                read = read if joint is None else joint
            self._read = read
        if self._show is None:
            self._show = max(_fewest(text) for text in texts)
        fewest = self._show
        show = fewest * self.texts[side].profile.min_duration_ms + (fewest - 1) * self.gap  # type: ignore[union-attr]
        return (room, self._read, show)


@dataclass
class _Draft:
    start: int
    end: int
    lines: list[tuple[str, ...]]
    sources: list[tuple[int, ...]]
    need: int  # display time the text needs (min duration, reading speed), capped at max
    source: _Source | None = None


@dataclass(frozen=True)
class _Limits:
    """What the cues of all languages share: the largest gap and least duration, the smallest longest."""

    gap: int
    close: int
    min_dur: int
    max_dur: int

    @classmethod
    def of(cls, profiles: Sequence[CaptionProfile]) -> "_Limits":
        return cls(
            max(p.min_gap_ms for p in profiles),
            max(p.close_gap_ms for p in profiles),
            max(p.min_duration_ms for p in profiles),
            min(p.max_duration_ms for p in profiles),
        )


def _times(unit: Timed, n: int) -> tuple[int, int]:
    start, end = unit.start_ms, unit.end_ms
    if start is None or end is None:
        raise InputError(f"caption unit {n + 1} has no time ({unit.text[:40]!r})")
    if start < 0 or end < start:
        raise InputError(f"caption unit {n + 1} has bad times {start}..{end} ms ({unit.text[:40]!r})")
    return int(start), int(end)


Cuts = list[list[tuple[int, int]] | None]  # per language: each cue's words (i, j), or None


def _plan(group: _Group, k: int, cuts: Cuts, limits: _Limits) -> tuple[list[int], list[int]]:
    """Where each of ``k`` cues starts and how long its text needs on screen.

    A cue starts where its share of the text does (the mean of the
    languages' length shares), or later where the cue before needs more
    time; no later, though, than lets the cues after it have their time
    before the group's limit (which may mean earlier than its share).
    """
    if k == 1:  # (the usual case) it starts with the group, whatever it needs
        need = 0
        for lg, spans in zip(group.langs, cuts):
            if lg is not None and spans:
                p = lg.profile
                need = max(need, min(max(p.min_duration_ms, _reading_ms(lg.width(*spans[0]), p)), p.max_duration_ms))
        return [group.start], [need]
    duration = group.end - group.start
    bounds = [group.start]
    for c in range(1, k):
        shares = [lg.fraction(spans[c][0]) for lg, spans in zip(group.langs, cuts) if lg and spans]
        bounds.append(group.start + round(duration * sum(shares) / len(shares)))
    each = []  # per language, what each cue's text needs
    for lg, spans in zip(group.langs, cuts):
        if lg is not None and spans is not None:
            p = lg.profile
            each.append([min(max(p.min_duration_ms, _reading_ms(lg.width(i, j), p)), p.max_duration_ms)
                         if j > i else 0 for i, j in spans])
    needs = [max(n) for n in zip(*each)]
    return _fit(bounds, needs, group.limit, limits, each), needs


def _fit(
    bounds: Sequence[int], needs: Sequence[int], limit: float, limits: _Limits, each: Sequence[list[int]] = ()
) -> list[int]:
    """Cue starts from the starts of their text (``bounds``) and the time each needs (see :func:`_plan`).

    When there is not time enough for all of it, one language (of ``each``, the
    needs per language) that can be given all it needs gets it: the other's
    violations are forced, its own would not be.
    """
    k, gap = len(needs), limits.gap
    starts = [bounds[0]]
    for c in range(1, k):
        starts.append(max(bounds[c], starts[-1] + needs[c - 1] + gap))
    if limit == INF or starts[-1] + needs[-1] <= limit:
        return starts
    latest = [0] * k
    t = int(limit)
    for c in range(k - 1, -1, -1):
        t -= needs[c]
        latest[c] = t
        t -= gap
    if latest[0] >= bounds[0]:  # time enough for every cue: as late as above, but in time
        return [min(s, x) for s, x in zip(starts, latest)]
    # Not time enough to read it all: the time there is, shared out by need, but each
    # cue with min_duration while that fits (the first cue's start never moves).
    room = int(limit) - bounds[0] - (k - 1) * gap
    if room <= 0:  # no time at all: each cue where its text starts, or just after the one before
        out = [bounds[0]]
        for c in range(1, k):
            out.append(max(bounds[c], out[-1] + 1 + gap))  # as _retime would share it out
        return out
    floors = [min(limits.min_dur, n) for n in needs]
    for one in sorted(each, key=sum, reverse=True):
        mine = [max(a, b) for a, b in zip(one, floors)]
        if sum(mine) <= room:
            floors = mine
            break
    fixed: set[int] = set()
    if sum(floors) <= room:
        while True:  # water filling: max(floor, scale * need) adding up to the room
            scale = (room - sum(floors[c] for c in fixed)) / max(sum(needs[c] for c in range(k) if c not in fixed), 1)
            more = {c for c in range(k) if c not in fixed and scale * needs[c] < floors[c]}
            if not more:
                break
            fixed |= more
    else:
        scale = room / sum(needs)
    out, t = [], bounds[0]
    for c in range(k):
        out.append(t)
        t += (floors[c] if c in fixed else int(scale * needs[c])) + gap  # (floors kept exact)
    return out


def _breaks(
    group: _Group, cuts: Cuts, starts: list[int], needs: list[int], limits: _Limits
) -> tuple[bool, bool]:
    """Whether a cue of the plan would be on screen, once :func:`_retime` has done,
    for less than min_duration, and whether one would be too briefly to read."""
    short = unread = False
    k, limit = len(starts), group.limit
    for c, start in enumerate(starts):
        if c + 1 < k:
            end = starts[c + 1] - limits.gap
        else:
            end = min(max(group.end, start + needs[c]), max(limit, start + 1))
        shown = max(1, min(end - start, limits.max_dur))
        short = short or shown < limits.min_dur
        for lg, spans in zip(group.langs, cuts):
            if not unread and lg is not None and spans is not None and spans[c][1] > spans[c][0]:
                unread = lg.width(*spans[c]) > shown * lg.profile.max_cps / 1000 + _EPS
    return short, unread


def _fitting_cut(lg: _Lang, duration: int, gap: int, room: float) -> list[tuple[int, int]]:
    """A cheap cut of ``lg``'s words whose cues can each be read within ``room`` ms
    ([] if none): the least screen time is priced ever higher (then by halves
    between the last two prices) until :meth:`_Lang.fastest` finds one."""
    low, high = 0.0, 1e7
    time, found = lg.fastest(duration, gap, high)
    if time > room:
        return []
    for weight in (100.0, 1000.0, 10_000.0):
        time, spans = lg.fastest(duration, gap, weight)
        if time <= room:
            high, found = weight, spans
            break
        low = weight
    for _ in range(4 if low else 0):  # geometric halving: a cut priced near the least that fits
        weight = math.sqrt(low * high)
        time, spans = lg.fastest(duration, gap, weight)
        if time <= room:
            high, found = weight, spans
        else:
            low = weight
    return found


def _readable(group: _Group, limits: _Limits) -> tuple[int, Cuts, tuple[list[int], list[int]]] | None:
    """A cut where every cue can be read in time, when the search's best has a cue
    on screen too briefly and the time up to the next group allows better.

    One language: the cut least in its costs plus a price on screen time, that
    price raised until the cut fits the time (:func:`_fitting_cut`). Two: the cut
    that needs least time for both (:func:`_joint_least`), if it fits. None when
    no cut fits: what the best breaks, the source timing forces.
    """
    duration, room = group.end - group.start, group.limit - group.start
    langs = [lg for lg in group.langs if lg is not None]
    # the denser first: when it cannot be read in time, neither can both
    langs.sort(key=lambda lg: lg.total / lg.profile.max_cps, reverse=True)
    if any(_least_time(lg.text(), limits.gap, room)[0] > room for lg in langs):
        return None
    if len(langs) == 1:
        spans = _fitting_cut(langs[0], duration, limits.gap, room)
        cuts: Cuts = [spans if lg is not None else None for lg in group.langs]
    else:
        a, b = group.langs
        read, joint = _joint_least(a.text(), b.text(), limits.gap, room)  # type: ignore[union-attr]
        if read is None or read > room:
            return None
        spans, cuts = joint[0], list(joint)
    if not spans:
        return None
    plan = _plan(group, len(spans), cuts, limits)
    return None if any(_breaks(group, cuts, *plan, limits)) else (len(spans), cuts, plan)


def _long_enough(group: _Group, limits: _Limits) -> tuple[int, Cuts, tuple[list[int], list[int]]] | None:
    """When no cut lets every cue be read in time: the best cut into the fewest cues
    the lines allow, if it lets every cue be on screen for min_duration (else None)."""
    k = max(1 if lg.text().reach is None else lg.shape.cues_after[0] for lg in group.langs if lg is not None)
    duration = group.end - group.start
    cuts: Cuts = [None if lg is None else lg.partition(k, duration)[1] for lg in group.langs]
    if any(lg is not None and not c for lg, c in zip(group.langs, cuts)):
        return None
    plan = _plan(group, k, cuts, limits)
    return None if _breaks(group, cuts, *plan, limits)[0] else (k, cuts, plan)


def _split_group(group: _Group, limits: _Limits) -> list[_Draft]:
    """Cut a group into cues: choose the number of cues and where each language is cut.

    Each number of cues gets each language's best cut (:meth:`_Lang.partition`);
    the cheapest is planned in time (:func:`_plan`). If a cue would then be on
    screen too briefly while the time up to the next group allows better, a
    cut where every cue can be read takes its place (:func:`_readable`).
    """
    langs = [lg for lg in group.langs if lg is not None]
    duration = group.end - group.start
    max_dur = min(lg.profile.max_duration_ms for lg in langs)
    best: tuple[float, int, Cuts] | None = None
    most = max(len(lg.words) for lg in langs)
    if duration <= max_dur and all(lg.fits_one_cue() for lg in langs):
        # The common case: one cue, lines broken at good places, readable in
        # max_duration; it fits, so it is the only layout looked at and its
        # cost does not matter (more cues would only share the same time).
        first, last = 1, 0
        best = (0.0, 1, [None if lg is None else [(0, len(lg.words))] for lg in group.langs])
    else:
        # From the fewest cues the lines allow upward, until two more cues than
        # the best so far (and than the duration asks for) bring nothing.
        first = max(lg.shape.cues_after[0] for lg in langs)
        last = most
    by_time = max(math.ceil(duration / max_dur),
                  *(math.ceil(_reading_ms(lg.total, lg.profile) / max_dur) for lg in langs))
    for k in range(first, last + 1):
        if best is not None and k > best[1] + 1 and k > by_time:
            break
        total = CUE_COST * k
        cuts: Cuts = []
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
    plan = _plan(group, k, cuts, limits)
    short, unread = _breaks(group, cuts, *plan, limits)
    if k == 1 and plan[1][0] > group.limit - group.start and all(1000 / lg.profile.max_cps <= limits.gap
                                                                 for lg in langs):
        # (the usual case of a cue that breaks a limit) it needs more time than there is,
        # and more cues would need more still (a cut saves a space, costs a gap): forced
        short = unread = False
    if short or unread:  # is there a cut where each cue can be read? or at least be on long enough?
        found = _readable(group, limits)
        if found is None and short:
            found = _long_enough(group, limits)
        if found is not None:
            k, cuts, plan = found
    starts, needs = plan
    source = _Source(group.limit, limits.gap, [
        lg.text() if lg else None for lg in group.langs
    ])
    drafts = []
    for c in range(k):
        lines: list[tuple[str, ...]] = []
        sources: list[tuple[int, ...]] = []
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
        end = starts[c + 1] if c + 1 < k else group.end
        drafts.append(_Draft(starts[c], end, lines, sources, needs[c], source))
    return drafts


def _split_all(groups: Iterator[_Group], limits: _Limits) -> list[_Draft]:
    """Every group cut into cues, in time order.

    A group starting with the one before (within the gap) starts once that
    one has had its share of the time (as :func:`_retime` shares it), so it
    is cut again from there: its cues' times are planned from its real start.
    """
    gap = limits.gap
    drafts: list[_Draft] = []
    for group in _with_limits(groups, gap):
        new = _split_group(group, limits)
        if drafts:
            prev, cur = drafts[-1], new[0]
            prev_end, cur_end = max(prev.end, prev.start + 1), max(cur.end, cur.start + 1)  # as _retime
            if cur.start < prev_end + gap and cur.start - gap <= prev.start:
                share = max(1, min(limits.min_dur, (max(cur_end, prev_end) - prev.start - gap) // 2))
                start = prev.start + share + gap
                langs = [None if lg is None else _Lang(lg.profile, lg.words, lg.owner, lg.extra_line)
                         for lg in group.langs]
                new = _split_group(_Group(start, max(group.end, start), langs, group.limit), limits)
        drafts += new
    return drafts


def _with_limits(groups: Iterator[_Group], gap: int) -> Iterator[_Group]:
    """Each group (in time order) with its limit: the next group's start less the gap."""
    held: _Group | None = None
    for group in groups:
        if held is not None:
            held.limit = group.start - gap
            yield held
        held = group
    if held is not None:
        yield held


def _retime(drafts: list[_Draft], limits: _Limits) -> None:
    """Resolve overlaps, cut long cues, extend short ones, close small gaps (in place)."""
    gap, close, max_dur, min_dur = limits.gap, limits.close, limits.max_dur, limits.min_dur
    # 1. No overlaps, at least `gap` between cues; where the source leaves no room
    #    (two cues starting together) the time is shared and the later start moves.
    for cue in drafts:
        cue.end = max(cue.end, cue.start + 1)  # zero-length source units
    for n, (prev, cur) in enumerate(zip(drafts, drafts[1:])):
        if cur.start < prev.end + gap:
            if cur.start - gap > prev.start:
                prev.end = cur.start - gap
            else:
                share = max(1, min(min_dur, (max(cur.end, prev.end) - prev.start - gap) // 2))
                prev.end = prev.start + share
                cur.start = prev.end + gap
                cur.end = max(cur.end, cur.start + 1)
                _refit(drafts, n + 1, limits)
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


def _refit(drafts: list[_Draft], i: int, limits: _Limits) -> None:
    """After the source moved cue ``i``'s start later, the cues after it from the same
    group move as :func:`_fit` says, so that they keep their time to be read."""
    src = drafts[i].source
    j = i + 1
    while j < len(drafts) and drafts[j].source is src is not None:
        j += 1
    if src is None or j == i + 1:
        return
    run = drafts[i:j]
    starts = _fit([d.start for d in run], [d.need for d in run], src.limit, limits)  # the first stays
    for c, d in enumerate(run):
        d.start = starts[c]
        d.end = starts[c + 1] if c + 1 < len(run) else max(d.end, d.start + 1)  # step 1 leaves the gap


def _result(drafts: list[_Draft], lang: int, profile: CaptionProfile) -> LayoutResult:
    times = [(d.start, d.end) for d in drafts]
    lines = [d.lines[lang] for d in drafts]
    numbers = list(range(1, len(drafts) + 1))
    # Each cue's group: from its first cue's start (as retimed: a start the source
    # forced later counts) to its limit, and what its text needs at the least.
    windows: list[_Window | None] = []
    for d in drafts:
        src = d.source
        if src is None or src.texts[lang] is None:
            windows.append(None)
            continue
        if src.start is None:
            src.start = d.start
        windows.append(partial(src.window, lang))
    violations = _check(times, lines, numbers, profile, windows)
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
    (catalogues, tracks) costs more than the layout of many groups. (What it keeps
    for the checker, the words' widths and times, holds no cycle either.)"""
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
    limits = _Limits.of([profile])
    with _no_cycle_collection():
        drafts = _split_all(_group_single(units, profile), limits)
        _retime(drafts, limits)
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

    limits = _Limits.of([profile_a, profile_b])
    with _no_cycle_collection():
        drafts = _split_all(groups(), limits)
        _retime(drafts, limits)
        first = _result(drafts, 0, profile_a)
        second = _result(drafts, 1, profile_b)
        stacked = tuple(
            Cue(d.start, d.end, d.lines[0] + d.lines[1], n) for n, d in enumerate(drafts, 1)
        )
    return BilingualLayout(stacked, first, second)
