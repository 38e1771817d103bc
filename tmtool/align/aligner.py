"""Sentence alignment without a model: evidence from text and structure, banded search.

Two passes, as hunalign does: the first uses length, numbers, months, name
skeletons, cognates, punctuation, sentence boundaries, turn structure, timing
and the translation-memory lexicon (if any); the second adds a lexicon learned
from the first pass's confident beads of this very document, down-weights keys
that the first pass found to mislead, fits the length model (character ratio
and variance) to the document, and searches a narrow band around the first path.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence

from tmtool.align.features import KIND_WEIGHT, language_family, segment_keys, stems
from tmtool.align.lexicon import Lexicon
from tmtool.align.search import BEAD_TYPES, TIMED_BEAD_TYPES, Params, Problem, Span, search
from tmtool.model import Bead, Segment

#: Confidence is a logistic function of the bead's features, fitted on bench/align
#: (``bench/align --fit``): bias, similarity, length deviation, boundary cost,
#: margin to the best alternative at the bead's end, extra segments.
_CONF = (0.24, 2.38, -0.067, -0.82, 0.59, -0.97)
#: A deletion bead: bias, margin, key weight of the deleted segment.
_CONF_DELETION = (-3.0, 1.2, 0.52)

#: The confidence that maximises F1 of "bead is right" on ``bench/align --fit``
#: (the curve is flat between 0.3 and 0.6); below it, mark the entry fuzzy. A
#: stricter 0.8 maximises F1 of catching the wrong beads (flags ~1 bead in 8).
FUZZY_THRESHOLD = 0.5

_END = re.compile(r"[.!?…。！？»\"”’)\]]\s*$")
ANCHOR_MAX = 1
_START_LOWER = re.compile(r"^[\s\"'«“„‘(\[—–-]*[^\W\d_]")


def align(
    left: Sequence[Segment],
    right: Sequence[Segment],
    left_lang: str,
    right_lang: str,
    *,
    lexicon: Lexicon | None = None,
    learn: bool = True,
    params: Params | None = None,
) -> list[Bead]:
    """Align two segment lists; every index of both sides appears once, in order.

    ``lexicon`` (e.g. learned from translated PO entries with
    :meth:`Lexicon.from_pairs`) adds word translations to the evidence;
    ``learn`` runs the second pass with a lexicon learned from this document.

    >>> s = lambda *t: [Segment(x) for x in t]
    >>> [b.kind for b in align(s("In 2022, 20,000 came.", "Why?"),
    ...                          s("В 2022 году пришли 20 000.", "Почему?"), "en", "ru")]
    ['1-1', '1-1']
    """
    path = align_spans(left, right, left_lang, right_lang, lexicon=lexicon, learn=learn, params=params)
    # Sides of wildly different size (10 lines against 1,000) are not one text in two
    # languages: what is left over is flagged for a person, never trusted.
    lopsided = min(len(left), len(right)) * 4 < max(len(left), len(right))
    return [Bead(tuple(range(s.i0, s.i1)), tuple(range(s.j0, s.j1)),
                 min(confidence(s), 0.3) if lopsided and (s.i0 == s.i1 or s.j0 == s.j1) else confidence(s))
            for s in path]


def align_spans(
    left: Sequence[Segment],
    right: Sequence[Segment],
    left_lang: str,
    right_lang: str,
    *,
    lexicon: Lexicon | None = None,
    learn: bool = True,
    params: Params | None = None,
) -> list[Span]:
    """:func:`align` before confidences: the search's :class:`Span` beads with their features."""
    params = params or Params()
    left_lang, right_lang = language_family(left_lang), language_family(right_lang)
    if lexicon is not None and (lexicon.left_lang, lexicon.right_lang) == (right_lang, left_lang):
        lexicon = lexicon.reversed()
    lt = [s.text for s in left]
    rt = [s.text for s in right]
    lkeys = [segment_keys(t, left_lang) for t in lt]
    rkeys = [segment_keys(t, right_lang) for t in rt]
    structure = _structure(left, right)
    path, xl, xr = _run(left, right, lkeys, rkeys, left_lang, right_lang, lexicon, params, structure)
    if learn and min(len(left), len(right)) >= 8:
        reliability = _reliability(path, xl, xr)
        pairs = [(" ".join(lt[s.i0:s.i1]), " ".join(rt[s.j0:s.j1]))
                 for s in path if s.i1 > s.i0 and s.j1 > s.j0 and s.margin >= 1.0]
        learned = Lexicon.from_pairs(pairs, left_lang, right_lang, min_count=2, min_dice=0.5, max_per_word=2)
        lex = learned.merged(lexicon) if lexicon is not None else learned
        ratio, variance = _length_model(path, left, right)
        path = _run(left, right, lkeys, rkeys, left_lang, right_lang, lex if len(lex) else lexicon,
                    params, structure, reliability, guide=path, ratio=ratio, variance=variance)[0]
    return path


def confidence(s: Span) -> float:
    """Probability-like score that the bead is right (logistic; fitted with ``bench/align --fit``)."""
    a, b = s.i1 - s.i0, s.j1 - s.j0
    margin = max(-5.0, min(s.margin, 10.0))
    if a == 0 or b == 0:
        z = _CONF_DELETION[0] + _CONF_DELETION[1] * margin + _CONF_DELETION[2] * min(s.extra.get("weight", 0.0), 10.0)
    else:
        z = (_CONF[0] + _CONF[1] * s.similarity + _CONF[2] * min(s.length, 20.0) + _CONF[3] * min(s.boundary, 5.0)
             + _CONF[4] * margin + _CONF[5] * (a + b - 2))
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def _length_model(path: Sequence[Span], left, right) -> tuple[float | None, float | None]:
    """Character ratio and Gale–Church variance of this document, from the first pass's 1-1 beads."""
    pairs = [(sum(len(left[i].text) for i in range(s.i0, s.i1)), sum(len(right[j].text) for j in range(s.j0, s.j1)))
             for s in path if s.i1 > s.i0 and s.j1 > s.j0]
    pairs = [(x, y) for x, y in pairs if x > 0 and y > 0]
    if len(pairs) < 20:
        return None, None
    ratio = sum(y for _, y in pairs) / sum(x for x, _ in pairs)
    ratio = min(max(ratio, 0.6), 1.7)
    dev = sorted((y - ratio * x) ** 2 / ((ratio * x + y) / 2) for x, y in pairs)
    # The median of a chi-square(1) variable is 0.455: robust against the wrong beads.
    variance = dev[len(dev) // 2] / 0.455
    return ratio, min(max(variance, 1.5), 12.0)


def _reliability(path: Sequence[Span], lkeys, rkeys) -> dict[str, float]:
    """How often each key was matched inside a bead of the first pass, smoothed.

    Keys that keep landing in different beads (skeleton collisions between
    unrelated words) lose their weight in the second pass.
    """
    ldf: Counter[str] = Counter()
    rdf: Counter[str] = Counter()
    for k in lkeys:
        ldf.update(k.keys())
    for k in rkeys:
        rdf.update(k.keys())
    matched: Counter[str] = Counter()
    for s in path:
        if s.i1 > s.i0 and s.j1 > s.j0:
            a: set[str] = set()
            for i in range(s.i0, s.i1):
                a.update(lkeys[i])
            b: set[str] = set()
            for j in range(s.j0, s.j1):
                b.update(rkeys[j])
            matched.update(a & b)
    return {k: (matched[k] + 0.3) / (min(ldf[k], rdf[k]) + 0.6) for k in ldf if k in rdf}


def _lexicon_keys(texts: Sequence[str], lang: str, table: dict[str, set[str]] | None) -> list[Counter[str]]:
    out = []
    for t in texts:
        c: Counter[str] = Counter()
        if table is not None:
            for st in set(stems(t, lang)):
                for k in table.get(st, ()):
                    c["x:" + k] += 1
        out.append(c)
    return out


def _structure(left: Sequence[Segment], right: Sequence[Segment]) -> dict[str, list]:
    """Per-segment structure: sentence ends and starts, joins (pauses, turns), speakers."""
    names: dict[str, int] = {}

    def spk(s: Segment) -> int:
        return names.setdefault(s.speaker, len(names) + 1) if s.speaker else 0

    out: dict[str, list] = {}
    for side, segs in (("left", left), ("right", right)):
        out[side + "_open"] = [not _END.search(s.text.strip()) for s in segs]
        out[side + "_cont"] = [bool(m and m.group(0)[-1].islower()) for m in (_START_LOWER.match(s.text) for s in segs)]
        out[side + "_speaker"] = [spk(s) for s in segs]
        out[side + "_pause"] = _pauses(segs)
        out[side + "_turn"] = _turns(segs)
    both_known = any(out["left_speaker"]) and any(out["right_speaker"])
    if not both_known:  # speaker labels on one side only cannot be compared
        out["left_speaker"] = [0] * len(left)
        out["right_speaker"] = [0] * len(right)
    timed = (bool(left) and all(s.timed for s in left)) or (bool(right) and all(s.timed for s in right))
    out["types"] = list(BEAD_TYPES) + (list(TIMED_BEAD_TYPES) if timed else [])
    return out


def _run(left, right, lkeys, rkeys, left_lang, right_lang, lexicon, params, structure, reliability=None,
         guide=None, ratio=None, variance=None):
    n, m = len(left), len(right)
    if lexicon is not None and len(lexicon):
        ltab = {a: {a} for a in lexicon.entries}
        rtab: dict[str, set[str]] = defaultdict(set)
        for a, t in lexicon.entries.items():
            for b in t:
                rtab[b].add(a)
        lx = _lexicon_keys([s.text for s in left], left_lang, ltab)
        rx = _lexicon_keys([s.text for s in right], right_lang, rtab)
        lkeys = [a + b for a, b in zip(lkeys, lx)]
        rkeys = [a + b for a, b in zip(rkeys, rx)]
    ldf: Counter[str] = Counter()
    rdf: Counter[str] = Counter()
    for k in lkeys:
        ldf.update(k.keys())
    for k in rkeys:
        rdf.update(k.keys())
    postings: dict[str, list[int]] = defaultdict(list)
    for j, k in enumerate(rkeys):
        for key in k:
            if key in ldf:
                postings[key].append(j)
    total = max(n + m, 2)
    weight: dict[str, float] = {}
    anchors: list[tuple[int, int]] = []
    for key, post in postings.items():
        df = ldf[key] + len(post)
        w = KIND_WEIGHT[key[0]] * math.log(total / df) if df < total else 0.0
        if reliability is not None:
            w *= reliability.get(key, 0.5)
        if w > 0:
            weight[key] = w
    left_keys = []
    seen: Counter[str] = Counter()
    for i, k in enumerate(lkeys):
        row = [(weight[key], postings[key]) for key in k if key in weight]
        left_keys.append(row)
        for key in k:
            # A rare key seen as often on both sides: its k-th occurrences are a candidate pair
            # (the longest increasing chain of candidates keeps the consistent ones).
            if key in weight and key[0] in "nsmx" and ldf[key] == len(postings[key]) <= ANCHOR_MAX:
                seen[key] += 1
                anchors.append((i, postings[key][seen[key] - 1]))
    if all(s.timed for s in left) and all(s.timed for s in right) and n and m:
        _add_time_overlap(left, right, left_keys)

    # Numbers and lexicon words are translated reliably: one with no counterpart still counts
    # as content the bead leaves unmatched (so an inserted "In 1812 …" stays apart).
    def orphan(key: str, df: int) -> float:
        return KIND_WEIGHT[key[0]] * math.log(total / df) if key[0] in "nx" and df < total else 0.0

    rorphan = [sum(orphan(key, rdf[key]) for key in k if key not in weight) for k in rkeys]
    lorphan = [sum(orphan(key, ldf[key]) for key in k if key not in weight) for k in lkeys]
    rweight = [sum(weight.get(key, 0.0) or orphan(key, rdf[key]) for key in k) for k in rkeys]
    lweight = [sum(w for w, _ in row) + sum(orphan(key, ldf[key]) for key in k if key not in weight)
               for row, k in zip(left_keys, lkeys)]
    st = structure
    tc = params.turn_cross
    problem = Problem(
        left_len=[float(len(s.text)) for s in left],
        right_len=[float(len(s.text)) for s in right],
        anchors=anchors,
        left_keys=left_keys,
        left_weight=lweight,
        right_weight=rweight,
        left_join=[p + (tc if t else 0.0) for p, t in zip(st["left_pause"], st["left_turn"])],
        right_join=[p + (tc if t else 0.0) for p, t in zip(st["right_pause"], st["right_turn"])],
        left_open=st["left_open"],
        right_open=st["right_open"],
        left_cont=st["left_cont"],
        right_cont=st["right_cont"],
        left_speaker=st["left_speaker"],
        right_speaker=st["right_speaker"],
        bead_types=tuple(st["types"]),
        left_orphan=lorphan,
        right_orphan=rorphan,
    )
    path = search(problem, params, guide, ratio=ratio, variance=variance)
    for s in path:
        if s.i0 == s.i1:
            s.extra["weight"] = rweight[s.j0]
        elif s.j0 == s.j1:
            s.extra["weight"] = lweight[s.i0]
    return path, lkeys, rkeys


def _turns(segs: Sequence[Segment]) -> list[bool]:
    """True where a segment starts a new speaker's turn (unknown speakers never do)."""
    out = [True] * len(segs)
    for i in range(1, len(segs)):
        a, b = segs[i - 1].speaker, segs[i].speaker
        out[i] = bool(a and b and a != b)
    return out


def _pauses(segs: Sequence[Segment]) -> list[float]:
    """Cost of joining segment i-1 and i in one bead: long pauses separate sentences."""
    out = [0.0] * len(segs)
    for i in range(1, len(segs)):
        a, b = segs[i - 1], segs[i]
        if a.end_ms is not None and b.start_ms is not None:
            gap = (b.start_ms - a.end_ms) / 1000.0
            if gap > 0.7:
                out[i] = min(3.0, 0.8 * (gap - 0.7))
    return out


def _add_time_overlap(left, right, left_keys) -> None:
    """Both sides timed: segments that overlap in time share evidence."""
    starts = [s.start_ms for s in right]
    for i, s in enumerate(left):
        k = max(0, bisect_right(starts, s.end_ms) - 1)
        hits = []
        while k >= 0 and right[k].end_ms > s.start_ms:
            k -= 1
        k += 1
        while k < len(right) and right[k].start_ms < s.end_ms:
            ov = min(s.end_ms, right[k].end_ms) - max(s.start_ms, right[k].start_ms)
            span = max(1, min(s.end_ms - s.start_ms, right[k].end_ms - right[k].start_ms))
            if ov / span > 0.3:
                hits.append(k)
            k += 1
        if hits:
            left_keys[i] = list(left_keys[i]) + [(2.0, hits)]
