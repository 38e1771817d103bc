"""When each entry is on screen: a start and an end for every entry of every language.

Pure: ordered entries with the spans that are known for them in, spans out.
Where a span comes from (see :func:`choose`):

1. the language's own timed track (a Kazakh entry: the Kazakh speech segments
   it was aligned with, as its ``#. time:`` comment records them);
2. else through the alignment: the same English sentence's segments in another
   language (the partner language of a bilingual export first, then the other
   timed languages in the manifest's order). One English sentence aligned to two
   Kazakh segments spans both;
3. else interpolated between its timed neighbours by length (:func:`fill`).

With no timed track at all, the recording's duration is spread over the entries
by length, and the result says the timing is estimated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tmtool.errors import TmtoolError

__all__ = ["READING_MS_PER_CHAR", "Span", "Timing", "choose", "fill"]

Span = tuple[int, int]

#: How long an interpolated entry is shown per character when there is room:
#: 1/17 s, the adult reading speed of the caption guides.
READING_MS_PER_CHAR = 1000 / 17
#: An interpolated entry never gets more than this times its reading time, however
#: wide the gap between its neighbours (a long stretch of speech cut from the text).
MAX_STRETCH = 1.5
#: Before/after the first/last timed entry with no duration to bound it: a short pause.
EDGE_GAP_MS = 200
#: Borrowing time for squeezed entries takes at most this share of a neighbour's span.
MAX_BORROW = 0.5


@dataclass(frozen=True)
class Timing:
    """A span for every entry, and how it was found.

    ``estimated``: no entry had a known span; the duration was spread by length.
    ``interpolated``: indexes of the entries placed between timed neighbours.
    ``shared``: indexes of entries that divided one known span with their
    neighbours (two English sentences aligned to the same Kazakh segment).
    ``adjusted``: indexes of known spans shortened to make room for an
    interpolated neighbour.
    """

    spans: tuple[Span, ...]
    estimated: bool = False
    interpolated: tuple[int, ...] = ()
    shared: tuple[int, ...] = ()
    adjusted: tuple[int, ...] = ()


def choose(own: Sequence[Mapping[str, Span]], order: Sequence[str]) -> list[Span | None]:
    """Per entry, the span of the first language in ``order`` that has one.

    Each language's spans are consistent among themselves (one alignment), but
    two languages' alignments may disagree. So a later language only fills the
    entries the earlier ones left without a span, and its span is clipped to
    the gap between the spans chosen so far around the entry (dropped when
    nothing of it is left there: the entry is then interpolated).

    >>> choose([{"kk": (0, 900), "ru": (100, 800)}, {"ru": (700, 1200)}, {"ru": (1250, 1450)}, {"kk": (1200, 3000)}],
    ...        ["kk", "ru"])
    [(0, 900), (900, 1200), None, (1200, 3000)]
    """
    out: list[Span | None] = [None] * len(own)
    for lang in order:
        todo = [i for i, spans in enumerate(own) if out[i] is None and _valid(spans.get(lang)) is not None]
        if not todo:
            continue
        # Window of each entry: the chosen spans around it before this language's pass.
        before: list[int] = []
        last = 0
        for s in out:
            before.append(last)
            if s is not None:
                last = max(last, s[1])
        after: list[float] = [0.0] * len(out)
        nxt: float = float("inf")
        for i in range(len(out) - 1, -1, -1):
            after[i] = nxt
            if out[i] is not None:
                nxt = min(nxt, out[i][0])  # type: ignore[index]
        for i in todo:
            start, end = _valid(own[i][lang])  # type: ignore[misc]
            start, end = max(start, before[i]), int(min(end, after[i]))
            if end > start:
                out[i] = (start, end)
    return out


def _split(start: int, end: int, weights: Sequence[int]) -> list[Span]:
    """Divide ``start..end`` among parts in proportion to ``weights`` (each at least 1)."""
    w = [max(1, x) for x in weights]
    total = sum(w)
    bounds = [start]
    done = 0
    for x in w:
        done += x
        bounds.append(start + round((end - start) * done / total))
    return list(zip(bounds, bounds[1:]))


def _valid(span: Span | None) -> Span | None:
    if span is None:
        return None
    start, end = int(span[0]), int(span[1])
    return (start, end) if 0 <= start < end else None


def fill(
    known: Sequence[Span | None],
    lengths: Sequence[int],
    *,
    duration_ms: int | None = None,
    ms_per_char: float = READING_MS_PER_CHAR,
    gap_ms: int = 80,
) -> Timing:
    """A span for every entry: known ones kept, the rest interpolated by length.

    ``known[i]`` is entry i's span or None; ``lengths[i]`` its text length in
    characters. Entries next to each other with the same known span divide it by
    length. A run of entries with no span is placed in the gap between its
    timed neighbours (before the first: from 0; after the last: up to
    ``duration_ms``), each as long as its text takes to read (``ms_per_char``)
    stretched by at most :data:`MAX_STRETCH` to fill the gap, the rest of the gap
    spread evenly around them. A gap too short for them (and ``gap_ms``, 2 frames
    at 25 fps, around each) borrows up to half of each neighbour's span. With no
    known span at all ``duration_ms`` is spread over every entry by length
    (``estimated``); without it :class:`TmtoolError`.

    >>> fill([(0, 1000), None, (5000, 6000)], [10, 17, 10]).spans
    ((0, 1000), (2250, 3750), (5000, 6000))
    """
    n = len(known)
    if len(lengths) != n:
        raise ValueError("known and lengths must be the same length")
    if n == 0:
        return Timing(())
    weights = [max(1, int(x)) for x in lengths]
    spans: list[Span | None] = [_valid(s) for s in known]
    if all(s is None for s in spans):
        if not duration_ms or duration_ms <= 0:
            raise TmtoolError(
                "no timed track and no duration: cannot time the captions "
                "(give --duration, or set duration in recording.toml)"
            )
        return Timing(tuple(_split(0, int(duration_ms), weights)), estimated=True)

    # 1. Neighbours with the very same known span share it by length.
    shared: list[int] = []
    i = 0
    while i < n:
        j = i + 1
        if spans[i] is not None:
            while j < n and spans[j] == spans[i]:
                j += 1
            if j - i > 1:
                s = spans[i]
                assert s is not None
                for k, part in zip(range(i, j), _split(s[0], s[1], weights[i:j])):
                    spans[k] = part
                shared.extend(range(i, j))
        i = j

    # 2. Runs without a span, placed between their neighbours.
    interpolated: list[int] = []
    adjusted: set[int] = set()
    i = 0
    while i < n:
        if spans[i] is not None:
            i += 1
            continue
        j = i
        while j < n and spans[j] is None:
            j += 1
        need = [w * ms_per_char for w in weights[i:j]]
        total_need = sum(need)
        room_need = total_need + (j - i + 1) * gap_ms
        prev = spans[i - 1] if i > 0 else None
        nxt = spans[j] if j < n else None
        left = prev[1] if prev else 0
        if nxt is not None:
            right = nxt[0]
        elif duration_ms and duration_ms > left:
            right = int(duration_ms)
        else:
            right = int(left + EDGE_GAP_MS + total_need * MAX_STRETCH)
        if right - left < room_need:
            # Too tight: take time from the neighbours, at most half of each span.
            missing = room_need - max(0, right - left)
            take_l = min(missing / 2, (prev[1] - prev[0]) * MAX_BORROW) if prev else 0
            take_r = min(missing - take_l, (nxt[1] - nxt[0]) * MAX_BORROW) if nxt else 0
            if take_l + take_r < missing and prev:
                take_l = min(missing - take_r, (prev[1] - prev[0]) * MAX_BORROW)
            centre = (left + right) / 2 if right < left else None
            if centre is not None:  # neighbours overlap: start from their midpoint
                left = right = int(centre)
            if prev and take_l:
                spans[i - 1] = (prev[0], max(prev[0] + 1, min(prev[1], int(left - take_l))))
                left = spans[i - 1][1]  # type: ignore[index]
                adjusted.add(i - 1)
            if nxt and take_r:
                spans[j] = (min(nxt[1] - 1, max(nxt[0], int(right + take_r))), nxt[1])
                right = spans[j][0]  # type: ignore[index]
                adjusted.add(j)
        width = max(right - left, j - i)
        stretch = min(MAX_STRETCH, width / total_need) if total_need else 1.0
        lengths_ms = [x * stretch for x in need]
        slack = max(0.0, width - sum(lengths_ms)) / (j - i + 1)
        t = left + slack
        for k, d in zip(range(i, j), lengths_ms):
            start = int(round(t))
            end = max(start + 1, int(round(t + d)))
            spans[k] = (start, end)
            t += d + slack
        interpolated.extend(range(i, j))
        i = j
    return Timing(
        tuple(s for s in spans if s is not None),
        interpolated=tuple(interpolated),
        shared=tuple(shared),
        adjusted=tuple(sorted(adjusted)),
    )
