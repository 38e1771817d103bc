"""Sentence alignment without a model: evidence from text and structure, banded search.

Two passes, as hunalign does: the first uses length, numbers, months, name
skeletons, cognates, punctuation, sentence boundaries, turn structure, timing
and the translation-memory lexicon (if any); the second adds a lexicon learned
from the first pass's confident beads of this very document (Dice with
competitive linking), down-weights keys that the first pass found to mislead,
counts numbers with no counterpart near the first path as content one side
lacks, fits the length model (character ratio and variance) to the document,
and searches a narrow band around the first path.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from itertools import accumulate

from tmtool.align.features import KIND_WEIGHT, language_family, segment_keys, stems
from tmtool.align.lexicon import Lexicon
from tmtool.align.search import BEAD_TYPES, TIMED_BEAD_TYPES, Params, Problem, Span, centre_from_anchors, search
from tmtool.model import Bead, Segment
from tmtool.segment import split_sentences

#: Confidence is a logistic function of the bead's features, fitted on bench/align
#: (``bench/align --fit``): bias, similarity, length deviation, boundary cost,
#: margin to the best alternative at the bead's end, extra segments, extra segments when one
#: side is timed cues (speech is cut finer than sentences: many cues per sentence are normal).
_CONF = (0.073, 2.957, -0.111, -1.088, 0.611, -1.127, 0.587)
#: A deletion bead: bias, margin, key weight of the deleted segment.
_CONF_DELETION = (-3.0, 1.2, 0.52)

#: The confidence that maximises F1 of "bead is right" on ``bench/align --fit``
#: (the curve is flat between 0.3 and 0.6); below it, mark the entry fuzzy. A
#: stricter 0.8 maximises F1 of catching the wrong beads (flags ~1 bead in 8).
FUZZY_THRESHOLD = 0.5

_END = re.compile(r"[.!?…。！？»\"”’)\]]\s*$")
#: A word: two letters in a row, or a number (what a noise segment has none of).
_WORD = re.compile(r"[^\W\d_]{2}|\d")
#: A sentence boundary inside a segment: an end mark, space, and a capital (or an opening quote).
_INNER_END = re.compile(r"[.!?…][\"»”’)]*\s+(?=[\"«“„(]*[^\W\d_a-zа-яёәғқңөұүһі])")
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
    vectors: tuple[Any, Any] | None = None,
) -> list[Bead]:
    """Align two segment lists; every index of both sides appears once, in order.

    ``lexicon`` (e.g. learned from translated PO entries with
    :meth:`Lexicon.from_pairs`) adds word translations to the evidence;
    ``learn`` runs the second pass with a lexicon learned from this document.
    ``vectors`` are unit sentence embeddings of both sides (numpy arrays, one row
    per segment; :func:`tmtool.align.embed.sentence_vectors`): every bead tried
    is also scored by how close its two sides are in meaning.

    >>> s = lambda *t: [Segment(x) for x in t]
    >>> [b.kind for b in align(s("In 2022, 20,000 came.", "Why?"),
    ...                          s("В 2022 году пришли 20 000.", "Почему?"), "en", "ru")]
    ['1-1', '1-1']
    """
    path = align_spans(left, right, left_lang, right_lang, lexicon=lexicon, learn=learn, params=params,
                       vectors=vectors)
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
    vectors: tuple[Any, Any] | None = None,
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
    lstems = [frozenset(stems(t, left_lang)) for t in lt]
    rstems = [frozenset(stems(t, right_lang)) for t in rt]
    structure = _structure(left, right, left_lang, right_lang)
    structure["stems"] = (lstems, rstems)
    if len(structure["types"]) > len(BEAD_TYPES):
        # Speech cues: where a speaker's sentence ends is the transcriber's guess, and the
        # edited English joins and splits sentences freely: counting them is weaker evidence.
        params = replace(params, sentence_count=params.sentence_count_timed)
    if vectors is not None:
        if len(vectors[0]) != len(left) or len(vectors[1]) != len(right):
            raise ValueError(f"vectors have {len(vectors[0])} and {len(vectors[1])} rows "
                             f"for {len(left)} and {len(right)} segments")
        structure["vectors"] = vectors
    path, xl, xr = _run(left, right, lkeys, rkeys, left_lang, right_lang, lexicon, params, structure)
    if learn and min(len(left), len(right)) >= 8:
        reliability = _reliability(path, xl, xr)
        sets = [(set().union(*lstems[s.i0:s.i1]), set().union(*rstems[s.j0:s.j1]))
                for s in path if s.i1 > s.i0 and s.j1 > s.j0 and s.margin >= 1.0]
        learned = Lexicon.from_stem_sets(sets, left_lang, right_lang, min_count=2, min_dice=0.5, max_per_word=2)
        lex = learned.merged(lexicon) if lexicon is not None else learned
        ratio, variance = _length_model(path, left, right)
        path = _run(left, right, lkeys, rkeys, left_lang, right_lang, lex if len(lex) else lexicon,
                    params, structure, reliability, guide=path, ratio=ratio, variance=variance)[0]
    if len(structure["types"]) > len(BEAD_TYPES):  # one side is timed cues
        for s in path:
            s.extra["timed"] = 1
    return path


def confidence(s: Span) -> float:
    """Probability-like score that the bead is right (logistic; fitted with ``bench/align --fit``)."""
    a, b = s.i1 - s.i0, s.j1 - s.j0
    margin = max(-5.0, min(s.margin, 10.0))
    if a == 0 or b == 0:
        z = _CONF_DELETION[0] + _CONF_DELETION[1] * margin + _CONF_DELETION[2] * min(s.extra.get("weight", 0.0), 10.0)
    else:
        z = (_CONF[0] + _CONF[1] * s.similarity + _CONF[2] * min(s.length, 20.0) + _CONF[3] * min(s.boundary, 5.0)
             + _CONF[4] * margin + (_CONF[5] + _CONF[6] * s.extra.get("timed", 0)) * (a + b - 2))
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


def _lexicon_keys(stem_sets: Sequence[frozenset[str]], table: dict[str, set[str]]) -> list[Counter[str]]:
    out = []
    for ss in stem_sets:
        c: Counter[str] = Counter()
        for st in ss:
            for k in table.get(st, ()):
                c["x:" + k] += 1
        out.append(c)
    return out


def _inner_ends(text: str, language: str) -> int:
    """Sentence boundaries inside a segment (the segmenter's, so "Mr. Smith" is one sentence)."""
    if not _INNER_END.search(text):
        return 0
    return len(split_sentences(text, language)) - 1


def _structure(left: Sequence[Segment], right: Sequence[Segment], left_lang: str = "", right_lang: str = "") -> dict[str, list]:
    """Per-segment structure: sentence ends and starts, joins (pauses, turns), speakers."""
    names: dict[str, int] = {}

    def spk(s: Segment) -> int:
        return names.setdefault(s.speaker, len(names) + 1) if s.speaker else 0

    out: dict[str, list] = {}
    for side, segs, lang in (("left", left, left_lang), ("right", right, right_lang)):
        out[side + "_open"] = [not _END.search(s.text.strip()) for s in segs]
        out[side + "_cont"] = [bool(m and m.group(0)[-1].islower()) for m in (_START_LOWER.match(s.text) for s in segs)]
        out[side + "_speaker"] = [spk(s) for s in segs]
        out[side + "_pause"] = _pauses(segs)
        out[side + "_turn"] = _turns(segs)
        out[side + "_inner"] = [_inner_ends(s.text, lang) for s in segs]
        # (a blank line is a paragraph break, paired with the other side's as any segment)
        out[side + "_noise"] = [bool(s.text.strip()) and _WORD.search(s.text) is None for s in segs]
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
        lx = _lexicon_keys(structure["stems"][0], ltab)
        rx = _lexicon_keys(structure["stems"][1], rtab)
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
    lpost: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(lkeys):
        row = [(weight[key], postings[key]) for key in k if key in weight]
        left_keys.append(row)
        for key in k:
            if key in weight and key[0] in "nsmx":
                lpost[key].append(i)
    if guide is None:
        anchors = window_anchors(lpost, postings, [len(s.text) for s in left], [len(s.text) for s in right])
    if all(s.timed for s in left) and all(s.timed for s in right) and n and m:
        _add_time_overlap(left, right, left_keys)

    # Numbers and lexicon words are translated reliably: one with no counterpart still counts
    # as content the bead leaves unmatched (so an inserted "In 1812 …" stays apart).
    def orphan(key: str, df: int) -> float:
        return KIND_WEIGHT[key[0]] * math.log(total / df) if key[0] in "nx" and df < total else 0.0

    rorphan = [sum(orphan(key, rdf[key]) for key in k if key not in weight) for k in rkeys]
    lorphan = [sum(orphan(key, ldf[key]) for key in k if key not in weight) for k in lkeys]
    if guide is not None:
        _local_orphans(guide, lkeys, rkeys, postings, lpost, weight, lorphan, rorphan)
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
        left_inner=st["left_inner"],
        right_inner=st["right_inner"],
        left_noise=st["left_noise"],
        right_noise=st["right_noise"],
        left_vectors=st["vectors"][0] if "vectors" in st else None,
        right_vectors=st["vectors"][1] if "vectors" in st else None,
    )
    path = search(problem, params, guide, ratio=ratio, variance=variance)
    for s in path:
        if s.i0 == s.i1:
            s.extra["weight"] = rweight[s.j0]
        elif s.j0 == s.j1:
            s.extra["weight"] = lweight[s.i0]
    return path, lkeys, rkeys


def _local_orphans(guide, lkeys, rkeys, rpost, lpost, weight, lorphan, rorphan, reach: int = 4) -> None:
    """Add to the orphan weights the numbers that have a counterpart, but none near the first path.

    "2022" said again an hour later does not make this sentence's "2022" matched:
    a number with no counterpart within a few segments of where the first pass
    put the sentence is content one side has and the other does not.
    """
    n, m = len(lkeys), len(rkeys)
    jlo, jhi = [m] * (n + 1), [0] * (n + 1)
    ilo, ihi = [n] * (m + 1), [0] * (m + 1)
    for s in guide:
        for i in range(s.i0, s.i1 + 1):
            jlo[i], jhi[i] = min(jlo[i], s.j0), max(jhi[i], s.j1)
        for j in range(s.j0, s.j1 + 1):
            ilo[j], ihi[j] = min(ilo[j], s.i0), max(ihi[j], s.i1)
    for keys, post, lo, hi, out in ((lkeys, rpost, jlo, jhi, lorphan), (rkeys, lpost, ilo, ihi, rorphan)):
        for x, k in enumerate(keys):
            for key in k:
                if key[0] != "n" or key not in weight:
                    continue
                occ = post.get(key, ())
                a = bisect_left(occ, lo[x] - reach)
                if a == len(occ) or occ[a] > hi[x + 1] + reach:
                    out[x] += KIND_WEIGHT["n"]


def window_anchors(lpost: dict[str, list[int]], rpost: dict[str, list[int]],
                   left_len: Sequence[int], right_len: Sequence[int]) -> list[tuple[int, int]]:
    """Candidate anchor pairs: a key found exactly once on each side *within a window*.

    Keys unique in the whole document are rare in long recordings (names and
    numbers come back), and repeated ones are ambiguous only locally: a name
    said in minute 3 and again in minute 50 is two good anchors. The window is
    centred on the diagonal by cumulative length, then (second round) on the
    chain of the first round's anchors, narrower; the longest increasing chain
    (:func:`~tmtool.align.search.centre_from_anchors`) drops what is left inconsistent.
    """
    n, m = len(left_len), len(right_len)
    if not n or not m:
        return []
    # Diagonal by cumulative characters: left i sits where the right has the same share of text.
    pl = list(accumulate(left_len, initial=0))
    pr = list(accumulate(right_len, initial=0))
    scale = pr[-1] / pl[-1] if pl[-1] and pr[-1] else m / n
    diag = [float(min(bisect_left(pr, pl[i] * scale), m)) for i in range(n + 1)] if pl[-1] and pr[-1] \
        else [i * m / n for i in range(n + 1)]
    width = 20.0 + 4.0 * math.sqrt(m)
    anchors: list[tuple[int, int]] = []
    for rnd in range(2):
        support: Counter[tuple[int, int]] = Counter()
        for key, ls in lpost.items():
            rs = rpost.get(key)
            if not rs or len(ls) > n // 4 + 2:
                continue
            # A number, or a key found once in the whole document, is an anchor by itself;
            # a word skeleton unique only in its window needs a second key to agree (one
            # alone collides with an unrelated word about a third of the time).
            strong = 2 if key[0] == "n" or len(ls) == len(rs) == 1 else 1
            for i in ls:
                e = diag[i]
                a, b = bisect_left(rs, e - width), bisect_right(rs, e + width)
                if b - a != 1:
                    continue
                # ... and no other occurrence on the left that this right one could pair with.
                if bisect_right(ls, i + width * n / m + 1) - bisect_left(ls, i - width * n / m - 1) == 1:
                    support[(i, rs[a])] += strong
        anchors = [p for p, s in support.items() if s >= 2]
        if rnd == 0:
            centre, _ = centre_from_anchors(n, m, anchors)
            diag = centre
            width = 20.0 + 0.5 * math.sqrt(m)
    return anchors


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
