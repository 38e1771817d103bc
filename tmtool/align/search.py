"""Banded dynamic programming over bead types (Gale–Church search, richer costs).

The search sees numbers, not text: segment lengths, a sparse table of pairwise
evidence (the weight of the keys segments ``l`` and ``r`` share) and
per-segment structure flags. Only cells near a *centre path* are visited: the
centre runs through anchor pairs (keys found once on each side within a window,
chained by a longest increasing subsequence), or along an earlier pass's path.
Where the best path presses against the band's edge, only that stretch is
searched again, wider, between two cells of the path: the time stays linear in
the length of the document.

Runs of 0-1 beads (source segments with no English) are one state of the
search, so a run that ends in the middle of a sentence pays once
(``deletion_open``): speech is cut into pieces of sentences, and an editor
drops whole sentences, rarely half of one.

Why it is fast in pure Python: every per-segment quantity (prefix sums of
lengths and key weights, boundary costs) is computed once; within a row of the
band each bead type is scored for all columns at once by one list
comprehension over pre-sliced arrays, and no back-pointers are kept (the
backtrack recomputes the few candidates of each cell on the path).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import add, sub
from typing import Any

from tmtool.chains import increasing_chain

#: Bead types searched by default, as (left count, right count).
BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1), (1, 4), (4, 1), (2, 3), (3, 2),
)
#: Added when one side is speech cues (an edited sentence may sum up five of them).
TIMED_BEAD_TYPES: tuple[tuple[int, int], ...] = ((1, 5), (5, 1), (1, 6), (6, 1))
_INF = float("inf")


@dataclass(frozen=True)
class Params:
    """Costs in nats; the defaults were tuned with ``bench/align`` (see its docstring)."""

    # Asymmetric on purpose: the left side is the edited transcript (sentences merged, rarely
    # split) and the right the speech segments (a sentence cut into pieces), so 2-1 costs more
    # than 1-2, 3-1 more than 1-3 (bench/align, seeds 1-3: strict F1 en-ru +0.005, en-kk +0.006,
    # Text+Berg +0.003).
    prior: tuple[tuple[tuple[int, int], float], ...] = (
        ((1, 1), 0.0), ((1, 0), 1.6), ((0, 1), 1.6), ((1, 2), 1.4), ((2, 1), 2.0),
        ((2, 2), 4.0), ((1, 3), 2.5), ((3, 1), 3.0), ((1, 4), 3.8), ((4, 1), 3.8),
        ((2, 3), 7.0), ((3, 2), 7.0), ((1, 5), 4.2), ((5, 1), 4.2), ((1, 6), 5.5), ((6, 1), 5.5),
    )
    variance: float = 4.0  # Gale–Church's s² for character counts (measured: 3.6–4.1)
    length_weight: float = 0.4  # times the squared normalised length deviation
    length_cap: float = 30.0  # the deviation's cost saturates (heavy tails: free translation)
    similarity: float = 1.5  # per segment, times (1 - share of key weight matched)
    smoothing: float = 0.5  # key weight added per segment (little evidence, little share)
    deletion_per_char: float = 0.004
    sentence_end: float = 1.2  # one side ends a sentence, the other does not
    sentence_start: float = 1.5  # one side starts mid-sentence (lower case), the other does not
    turn_cross: float = 40.0  # a speaker change inside a bead: never, in practice
    speaker_mismatch: float = 40.0  # a question aligned with an answer: never, in practice
    orphan_discount: float = 0.3  # per unit of orphan key weight, off a deletion's cost
    deletion_open: float = 1.5  # a run of 0-1 beads ends inside a sentence (mid-sentence cue)
    # Shared evidence counts up to this share of the bead's key weight: a key repeated in the next
    # sentence must not make two sentences look more alike together than each alone.
    evidence_cap: float = 0.5
    sentence_count: float = 1.0  # per sentence one side of a bead has more than the other
    sentence_count_timed: float = 0.0  # the same between speech cues (see align_spans)
    noise_deletion: float = 0.5  # leaving out a segment with no words
    # Sentence embeddings (Problem.left_vectors), tuned with bench/align --embed: the weight of
    # vecalign's normalised cosine cost of a bead (see tmtool.align.embed.SpanScorer).
    embed_weight: float = 10.0
    embed_power: float = 0.5  # the term grows as (segments in the bead / 2) ** embed_power
    # Half-widths of the band (segments) around the anchors' centre and around the first path;
    # narrow, because the band is widened locally wherever the path presses its edge.
    band: int = 8
    band_second: int = 6

    def prior_of(self) -> dict[tuple[int, int], float]:
        return dict(self.prior)


@dataclass
class Problem:
    """Everything the search needs, as plain numbers (one entry per segment)."""

    left_len: Sequence[float]
    right_len: Sequence[float]
    anchors: Sequence[tuple[int, int]]  # candidate (l, r) pairs, any order
    # for each left l: (key weight, sorted right indexes holding the key) pairs
    left_keys: Sequence[Sequence[tuple[float, Sequence[int]]]]
    left_weight: Sequence[float]  # total weight of each segment's shareable keys
    right_weight: Sequence[float]
    left_join: Sequence[float]  # [k]: cost of joining segment k-1 and k in one bead ([0] unused)
    right_join: Sequence[float]
    left_open: Sequence[bool]  # the segment does not end a sentence
    right_open: Sequence[bool]
    left_cont: Sequence[bool]  # the segment starts in the middle of a sentence
    right_cont: Sequence[bool]
    left_speaker: Sequence[int] = ()  # speaker number, 0 where unknown
    right_speaker: Sequence[int] = ()
    bead_types: tuple[tuple[int, int], ...] = BEAD_TYPES
    left_orphan: Sequence[float] = ()  # weight of keys (numbers, lexicon words) found nowhere on the other side
    right_orphan: Sequence[float] = ()
    left_inner: Sequence[int] = ()  # sentence boundaries inside the segment's text
    right_inner: Sequence[int] = ()
    left_noise: Sequence[bool] = ()  # no words at all ("...", "—", scanner debris): said by nobody
    right_noise: Sequence[bool] = ()
    # Unit sentence embeddings, one numpy row per segment (optional: tmtool.align.embed).
    left_vectors: Any = None
    right_vectors: Any = None


@dataclass
class Span:
    """One bead of the best path with what its cost was made of."""

    i0: int
    i1: int
    j0: int
    j1: int
    evidence: float = 0.0  # key weight shared
    similarity: float = 0.0  # share of the bead's key weight that is matched
    length: float = 0.0  # normalised squared length deviation
    boundary: float = 0.0  # structure costs (sentence ends/starts, pauses, turns)
    cost: float = 0.0  # the bead's whole cost
    margin: float = 0.0  # cost of the best other way through the bead's end, minus this path's
    extra: dict = field(default_factory=dict)


def _prefix(xs: Sequence[float]) -> list[float]:
    out = [0.0]
    s = 0.0
    for x in xs:
        s += x
        out.append(s)
    return out


def centre_from_anchors(n: int, m: int, anchors: Sequence[tuple[int, int]]) -> tuple[list[float], list[float]]:
    """A monotone centre j = f(i) through the longest chain of anchors, and a slack per row.

    The slack grows with the distance to the nearest anchor: between far-apart
    anchors the straight line is only a guess.
    """
    chain = increasing_chain(anchors)
    knots = [(0.0, 0.0)] + [(l + 0.5, r + 0.5) for l, r in chain] + [(float(n), float(m))]
    center = [0.0] * (n + 1)
    slack = [0.0] * (n + 1)
    seg = 0
    for i in range(n + 1):
        while seg + 1 < len(knots) - 1 and knots[seg + 1][0] <= i:
            seg += 1
        (x0, y0), (x1, y1) = knots[seg], knots[min(seg + 1, len(knots) - 1)]
        if x1 <= x0:
            center[i] = y1
        else:
            center[i] = y0 + (y1 - y0) * (i - x0) / (x1 - x0)
        slack[i] = min(40.0, 0.08 * min(abs(i - x0), abs(x1 - i)) * max(1.0, (y1 - y0) / max(x1 - x0, 1.0)))
    return center, slack


def centre_from_path(n: int, path: Sequence[Span]) -> tuple[list[float], list[float]]:
    """The lowest and highest column a path visits in each row (long 0-1 runs stay inside)."""
    jmin = [float("inf")] * (n + 1)
    jmax = [0.0] * (n + 1)
    for s in path:
        for i in range(s.i0, s.i1 + 1):
            if s.j0 < jmin[i]:
                jmin[i] = s.j0
            if s.j1 > jmax[i]:
                jmax[i] = s.j1
    return jmin, jmax


def band_around(n: int, m: int, jmin: Sequence[float], jmax: Sequence[float], width: float,
                slack: Sequence[float] | None = None) -> tuple[list[int], list[int]]:
    """Monotone column bounds lo[i] <= j <= hi[i] for rows 0..n."""
    lo = [0] * (n + 1)
    hi = [0] * (n + 1)
    for i in range(n + 1):
        w = width + (slack[i] if slack else 0.0)
        lo[i] = max(0, int(min(jmin[max(i - 1, 0)], jmin[i]) - w))
        hi[i] = min(m, int(max(jmax[min(i + 1, n)], jmax[i]) + w) + 1)
    lo[0] = 0
    hi[n] = m
    for i in range(1, n + 1):  # monotone, so every row's predecessors exist
        if lo[i] < lo[i - 1]:
            lo[i] = lo[i - 1]
    for i in range(n - 1, -1, -1):
        if hi[i] > hi[i + 1]:
            hi[i] = hi[i + 1]
    for i in range(n + 1):
        if hi[i] < lo[i]:
            hi[i] = lo[i]
        if i and lo[i] > hi[i - 1]:  # keep consecutive rows connected
            lo[i] = hi[i - 1]
    return lo, hi


def search(
    problem: Problem,
    params: Params = Params(),
    guide: Sequence[Span] | None = None,
    *,
    ratio: float | None = None,
    variance: float | None = None,
) -> list[Span]:
    """Best path as :class:`Span` beads, in order.

    ``guide`` is an earlier path (the first pass) to centre a narrower band on.
    The band is widened (and the search run again) only where the best path
    presses against its edge.
    """
    n, m = len(problem.left_len), len(problem.right_len)
    if n == 0 or m == 0:
        if n:
            return [Span(i, i + 1, 0, 0) for i in range(n)]
        return [Span(0, 0, j, j + 1) for j in range(m)]
    if guide:
        jmin, jmax = centre_from_path(n, guide)
        slack: list[float] | None = None
        width = float(params.band_second)
    else:
        center, slack = centre_from_anchors(n, m, problem.anchors)
        jmin = jmax = center
        width = float(params.band)
    dp = _DP(problem, params, ratio, variance)
    lo, hi = band_around(n, m, jmin, jmax, width, slack)
    path, touched = dp.run(lo, hi)
    widen = width
    for _attempt in range(5):
        if not touched:
            break
        # Where the path pressed the band's edge, search that stretch again with a wider
        # band, between two cells of the path itself: the rest of the path stays as it is.
        widen *= 2
        regions: list[list[int]] = []
        for t in sorted(set(touched)):
            a, b = max(0, t - 30), min(n, t + 30)
            if regions and a <= regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], b)
            else:
                regions.append([a, b])
        touched = []
        for r0, r1 in regions:
            first = _first_cells(path, n, m)
            while first[r0] < 0:  # a bead spans this row: start where it starts
                r0 -= 1
            while first[r1] < 0:
                r1 += 1
            sj, ej = first[r0], (first[r1] if r1 < n else m)
            jmin, jmax = centre_from_path(n, path)
            lo2, hi2 = band_around(n, m, jmin, jmax, widen)
            lo2[r0], hi2[r1] = sj, ej
            for i in range(r0 + 1, r1 + 1):  # monotone and connected inside the stretch
                lo2[i] = max(lo2[i], lo2[i - 1])
            for i in range(r1 - 1, r0 - 1, -1):
                hi2[i] = min(hi2[i], hi2[i + 1])
            for i in range(r0, r1 + 1):
                hi2[i] = max(hi2[i], lo2[i])
                if i > r0 and lo2[i] > hi2[i - 1]:
                    lo2[i] = hi2[i - 1]
            sub, t2 = dp.run(lo2, hi2, r0, r1, sj, ej)
            a = next(k for k, s in enumerate(path) if (s.i0, s.j0) == (r0, sj))
            b = next((k for k, s in enumerate(path) if (s.i0, s.j0) == (r1, ej)), len(path))
            path = path[:a] + sub + path[b:]
            # An edge of the stretch that is also the band's edge is where the old path ran.
            touched += [t for t in t2 if r0 + 5 < t < r1 - 5]
    return path


def _first_cells(path: Sequence[Span], n: int, m: int) -> list[int]:
    """The first column the path visits in each row."""
    first = [-1] * (n + 1)
    for s in path:
        if first[s.i0] < 0:
            first[s.i0] = s.j0
    if first[n] < 0:
        first[n] = m
    return first  # -1 where a bead of two or more left segments passes over the row


class _DP:
    """Per-document arrays computed once; :meth:`run` searches one band."""

    def __init__(self, pb: Problem, params: Params, ratio: float | None, variance: float | None) -> None:
        self.pb = pb
        self.n, self.m = n, m = len(pb.left_len), len(pb.right_len)
        self.PL = _prefix(pb.left_len)
        self.PR = _prefix(pb.right_len)
        self.TL = _prefix(pb.left_weight)
        self.TR = _prefix(pb.right_weight)
        if ratio is None:
            ratio = self.PR[-1] / self.PL[-1] if self.PL[-1] > 0 and self.PR[-1] > 0 else 1.0
            # Sides of very different size (10 lines against 1,000) say nothing about the
            # character ratio of translations; real pairs stay within these bounds.
            ratio = min(max(ratio, 0.6), 1.7)
        self.c = ratio
        self.v = (variance or params.variance) * 0.5
        self.p = params
        prior = params.prior_of()
        self.types = [(a, b, prior[(a, b)]) for a, b in pb.bead_types if a and b]
        self.maxb = max(b for _, b, _ in self.types)
        self.maxa = max(a for a, _, _ in self.types)
        self.SJL = _prefix([0.0] + list(pb.left_join[1:n]))  # SJL[k] = sum of join[1..k-1]
        self.SJR = _prefix([0.0] + list(pb.right_join[1:m]))
        dch = params.deletion_per_char
        sim = params.similarity
        # A segment whose content keys matched nothing nearby is more likely said on one side only.
        od = params.orphan_discount
        nd = params.noise_deletion
        self.del_cost = [nd if z else prior[(1, 0)] + sim + dch * x - od * min(w, 4.0)
                         for x, w, z in zip(pb.left_len, pb.left_orphan or [0.0] * n, pb.left_noise or [False] * n)]
        self.ins_cost = [0.0] + [nd if z else prior[(0, 1)] + sim + dch * x - od * min(w, 4.0)
                                 for x, w, z in zip(pb.right_len, pb.right_orphan or [0.0] * m,
                                                    pb.right_noise or [False] * m)]  # [j]: segment j-1
        # Ending a run of 0-1 beads on a cue that does not end a sentence (and is not followed by a
        # pause or a new turn) leaves the rest of that sentence to an aligned bead: speech is cut
        # into pieces of sentences, and editors drop whole sentences, rarely half of one.
        # Only where the text marks its sentences: in a list of bare phrases every segment is "open".
        ro = pb.right_open
        rj = list(pb.right_join) + [params.turn_cross]
        pen = params.deletion_open if m and sum(ro) <= 0.8 * m else 0.0
        self.run_end = [0.0] + [max(0.0, pen - rj[j]) if ro[j - 1] else 0.0
                                for j in range(1, m + 1)]  # [j]: a run ending with segment j-1
        lsp = list(pb.left_speaker) or [0] * n
        rsp = list(pb.right_speaker) or [0] * m
        self.lsp, self.rsp = lsp, rsp
        self._fr_cache: dict[tuple[int, bool, bool, int, int], list[float]] = {}
        # Sentences in a span: boundaries inside segments, plus segment ends before its last segment.
        self.GL = _prefix([x + (not o) for x, o in zip(pb.left_inner or [0] * n, pb.left_open)])
        self.GR = _prefix([x + (not o) for x, o in zip(pb.right_inner or [0] * m, pb.right_open)])
        # right-side span arrays, indexed by the bead's end j
        self.LR = {b: [0.0] * b + [self.PR[j] - self.PR[j - b] for j in range(b, m + 1)] for b in range(1, self.maxb + 1)}
        self.TRb = {b: [0.0] * b + [self.TR[j] - self.TR[j - b] for j in range(b, m + 1)]
                    for b in range(1, self.maxb + 1)}
        self.vs = None
        if pb.left_vectors is not None and pb.right_vectors is not None and n and m:
            from tmtool.align.embed import SpanScorer  # numpy: only with the embedding extra
            self.vs = SpanScorer(pb.left_vectors, pb.right_vectors, self.maxa, self.maxb)
        self._ec: list = []  # embedding rows of the band being searched, set by _sims beside RC

    def fixed_right(self, b: int, lopen: bool, lcont: bool, lspk: int, lsent: int) -> list[float]:
        """Structure cost of a right span of ``b`` ending at each j, given the left span's flags."""
        key = (b, lopen, lcont, lspk, lsent)
        got = self._fr_cache.get(key)
        if got is not None:
            return got
        pb, p, m = self.pb, self.p, self.m
        out = [_INF] * (m + 1)
        ro, rc, rsp, SJR, GR = pb.right_open, pb.right_cont, self.rsp, self.SJR, self.GR
        sc = p.sentence_count
        for j in range(b, m + 1):
            s = j - b
            f = SJR[j] - SJR[s + 1]
            if sc:
                f += sc * abs(GR[j] - GR[s] - (not ro[j - 1]) - lsent)
            if ro[j - 1] != lopen:
                f += p.sentence_end
            if rc[s] != lcont:
                f += p.sentence_start
            if lspk and rsp[s] and rsp[s] != lspk:
                f += p.speaker_mismatch
            out[j] = f
        self._fr_cache[key] = out
        return out

    def left_terms(self, i: int, a: int) -> tuple[float, float, float, bool, bool, int, int]:
        """(length, key weight, structure cost, open end, continued start, speaker, sentence boundaries)
        of left span i-a..i."""
        pb = self.pb
        s = i - a
        return (self.PL[i] - self.PL[s], self.TL[i] - self.TL[s], self.SJL[i] - self.SJL[s + 1],
                pb.left_open[i - 1], pb.left_cont[s], self.lsp[s],
                int(self.GL[i] - self.GL[s]) - (not pb.left_open[i - 1]))

    def _sims(self, lo: list[int], hi: list[int], r0: int, r1: int) -> tuple[list[list[float]], list[int], list[bool]]:
        """Row-cumulative evidence: RC[l][k] = sum of sim(l, r) for C0[l] <= r < C0[l] + k (rows r0..r1-1)."""
        n, m, pb = self.n, self.m, self.pb
        rcs: list[list[float]] = [[]] * n
        c0s: list[int] = [0] * n
        has: list[bool] = [False] * n
        A = self.maxa
        for l in range(r0, r1):
            c0 = lo[max(0, l + 1 - A)] - self.maxb
            c0 = max(c0, 0)
            c1 = min(hi[min(n, l + A)], m)
            width = c1 - c0 + 1
            row = [0.0] * width
            hit = False
            for w, posting in pb.left_keys[l]:
                k = bisect_left(posting, c0)
                kend = bisect_right(posting, c1 - 1)
                while k < kend:
                    row[posting[k] - c0 + 1] += w
                    k += 1
                    hit = True
            if hit:
                s = 0.0
                for k in range(width):
                    s += row[k]
                    row[k] = s
            rcs[l] = row
            c0s[l] = c0
            has[l] = hit
        if self.vs is not None:
            self._ec = [[]] * n
            for l in range(r0, r1):
                self._ec[l] = self.vs.row(l, c0s[l], len(rcs[l]))
        return rcs, c0s, has

    def run(self, lo: list[int], hi: list[int], r0: int = 0, r1: int | None = None,
            start: int = 0, end: int | None = None) -> tuple[list[Span], list[int]]:
        """Best path from cell (r0, start) to (r1, end) (default: the whole table) and the rows where it
        came within two columns of the band's edge."""
        n, m = self.n, self.m
        r1 = n if r1 is None else r1
        end = m if end is None else end
        p = self.p
        RC, C0, HAS = self._sims(lo, hi, r0, r1)
        c, v = self.c, self.v
        Q = p.length_cap
        wlQ = p.length_weight * Q
        ws = p.similarity
        s0 = p.smoothing
        hc = p.evidence_cap
        LR, TRb = self.LR, self.TRb
        ins = self.ins_cost
        dele = self.del_cost
        cost: list[list[float]] = [[]] * (n + 1)
        runs: list[list[float]] = [[]] * (n + 1)
        endpen = self.run_end
        vs, EC, we, ep = self.vs, self._ec, p.embed_weight, p.embed_power
        for i in range(r0, r1 + 1):
            loi, hii = lo[i], hi[i]
            width = hii - loi + 1
            best = [_INF] * width
            if i == r0:
                best[start - loi] = 0.0
            else:
                # 1-0: from (i-1, j)
                plo, phi = lo[i - 1], hi[i - 1]
                js, je = max(loi, plo), min(hii, phi)
                if js <= je:
                    d = dele[i - 1]
                    prow = cost[i - 1]
                    best[js - loi:je - loi + 1] = [x + d for x in prow[js - plo:je - plo + 1]]
                for a, b, pc in self.types:
                    pi = i - a
                    if pi < r0:
                        continue
                    plo, phi = lo[pi], hi[pi]
                    js, je = max(loi, plo + b), min(hii, phi + b)
                    if js > je:
                        continue
                    ll, tl, fl, lopen, lcont, lspk, lsent = self.left_terms(i, a)
                    F = self.fixed_right(b, lopen, lcont, lspk, lsent)[js:je + 1]
                    P = cost[pi][js - b - plo:je - b - plo + 1]
                    R = LR[b][js:je + 1]
                    K = pc + ws * (a + b) + fl
                    cl = c * ll
                    ev = None
                    for l in range(pi, i):
                        if HAS[l]:
                            rc, c0 = RC[l], C0[l]
                            e = list(map(sub, rc[js - c0:je - c0 + 1], rc[js - b - c0:je - b - c0 + 1]))
                            ev = e if ev is None else list(map(add, ev, e))
                    if ev is None:
                        k2 = ws * (a + b)
                        cand = [x + f + K + wlQ * (q := (r - cl) * (r - cl) / (v * (cl + r) + 1.0)) / (q + Q)
                                for x, f, r in zip(P, F, R)]
                    else:
                        k2 = 2.0 * ws * (a + b)
                        t0 = tl + s0 * (a + b)
                        T = TRb[b][js:je + 1]
                        cand = [x + f + K + wlQ * (q := (r - cl) * (r - cl) / (v * (cl + r) + 1.0)) / (q + Q)
                                - k2 * (e if e < hc * (tl + t) else hc * (tl + t)) / (t0 + t)
                                for x, f, r, t, e in zip(P, F, R, T, ev)]
                    if vs is not None:
                        cand = list(map(add, cand, vs.costs(i, a, b, js, je, EC, C0, we, ep).tolist()))
                    o = js - loi
                    best[o:o + len(cand)] = map(min, best[o:o + len(cand)], cand)
            # 0-1: same row, left to right. A run of them is one state: the cost of ending it on
            # a cue that does not end a sentence is paid once, where the run ends.
            run = [_INF] * width
            runp = _INF
            prev = best[0]
            for k in range(1, width):
                r = (prev if prev < runp else runp) + ins[loi + k]
                run[k] = runp = r
                x = r + endpen[loi + k]
                prev = best[k]
                if x < prev:
                    best[k] = prev = x
            cost[i] = best
            runs[i] = run
        return self._backtrack(cost, runs, lo, hi, RC, C0, HAS, r0, start, r1, end)

    def _bead(self, i: int, j: int, a: int, b: int, pc: float, cost, lo, RC, C0, HAS) -> tuple[float, Span]:
        """Cost of reaching (i, j) by bead (a, b), computed exactly as :meth:`run` does."""
        p = self.p
        pi, pj = i - a, j - b
        prev = cost[pi][pj - lo[pi]]
        ll, tl, fl, lopen, lcont, lspk, lsent = self.left_terms(i, a)
        f = self.fixed_right(b, lopen, lcont, lspk, lsent)[j]
        r = self.LR[b][j]
        cl = self.c * ll
        Q = p.length_cap
        ws = p.similarity
        K = pc + ws * (a + b) + fl
        e = 0.0
        any_ev = False
        for l in range(pi, i):
            if HAS[l]:
                rc, c0 = RC[l], C0[l]
                e = (e + (rc[j - c0] - rc[pj - c0])) if any_ev else rc[j - c0] - rc[pj - c0]
                any_ev = True
        q = (r - cl) * (r - cl) / (self.v * (cl + r) + 1.0)
        total = prev + f + K + p.length_weight * Q * q / (q + Q)
        t = self.TRb[b][j]
        if any_ev:
            total -= 2.0 * ws * (a + b) * min(e, p.evidence_cap * (tl + t)) / (tl + p.smoothing * (a + b) + t)
        if self.vs is not None:
            total += float(self.vs.costs(i, a, b, j, j, self._ec, C0, p.embed_weight, p.embed_power)[0])
        share = 2.0 * e / (tl + t) if tl + t > 0 else 0.0
        span = Span(pi, i, pj, j, evidence=e, similarity=min(share, 1.0), length=q, boundary=f + fl,
                    cost=total - prev)
        return total, span

    def _backtrack(self, cost, runs, lo, hi, RC, C0, HAS, r0, start, r1, end) -> tuple[list[Span], list[int]]:
        m = self.m
        i, j = r1, end
        path: list[Span] = []
        touched: list[int] = []
        in_run = False
        while i > r0 or j > start:
            here = cost[i][j - lo[i]]
            if (lo[i] > 0 and j - lo[i] < 2) or (hi[i] < m and hi[i] - j < 2):
                touched.append(i)
            if in_run:  # inside a run of 0-1 beads: from the run state or from the cell before
                v = runs[i][j - lo[i]]
                others = [c for c, _ in self._cands(i, j, cost, lo, hi, RC, C0, HAS, r0)]
                ins = self.ins_cost[j]
                span = Span(i, i, j - 1, j, cost=ins)
                span.margin = (min(others) - (v + self.run_end[j])) if others else 10.0
                path.append(span)
                j -= 1
                from_run = runs[i][j - lo[i]] + ins if j > lo[i] else _INF
                in_run = abs(from_run - v) < abs(cost[i][j - lo[i]] + ins - v)
                continue
            cands = self._cands(i, j, cost, lo, hi, RC, C0, HAS, r0)
            if j > lo[i]:  # first: on a tie the later segment is the one left out
                cands.insert(0, (runs[i][j - lo[i]] + self.run_end[j], None))
            cands.sort(key=lambda x: abs(x[0] - here))
            chosen = cands[0][1]
            if chosen is None:
                in_run = True
                continue
            others = [c for c, s in cands[1:] if c < _INF]
            chosen.margin = (min(others) - here) if others else 10.0
            path.append(chosen)
            i, j = chosen.i0, chosen.j0
        path.reverse()
        return path, touched

    def _cands(self, i, j, cost, lo, hi, RC, C0, HAS, r0) -> list[tuple[float, Span | None]]:
        """Every way into cell (i, j) but a 0-1 bead, with its total cost."""
        cands: list[tuple[float, Span | None]] = []
        if i > r0 and lo[i - 1] <= j <= hi[i - 1]:
            c = cost[i - 1][j - lo[i - 1]] + self.del_cost[i - 1]
            cands.append((c, Span(i - 1, i, j, j, cost=self.del_cost[i - 1])))
        for a, b, pc in self.types:
            pi, pj = i - a, j - b
            if pi < r0 or pj < lo[pi] or pj > hi[pi]:
                continue
            if cost[pi][pj - lo[pi]] == _INF:
                continue
            cands.append(self._bead(i, j, a, b, pc, cost, lo, RC, C0, HAS))
        return cands
