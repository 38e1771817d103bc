"""The longest chain of index pairs increasing in both coordinates (a patience-sort LIS).

Two places need it: the aligner's anchors (:mod:`tmtool.align.search`) and the
catalogue merge's unchanged sentences (:mod:`tmtool.catalog`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable


def increasing_chain(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of distinct ``(a, b)`` pairs strictly increasing in both ``a`` and ``b``.

    >>> increasing_chain([(0, 0), (1, 5), (1, 1), (2, 2), (3, 1)])
    [(0, 0), (1, 1), (2, 2)]
    """
    # Within one a, the larger b first: two pairs of the same a can never both be chained.
    pts = sorted(set(pairs), key=lambda p: (p[0], -p[1]))
    tails: list[int] = []
    tails_idx: list[int] = []
    prev = [-1] * len(pts)
    for k, (_, b) in enumerate(pts):
        pos = bisect_left(tails, b)
        if pos == len(tails):
            tails.append(b)
            tails_idx.append(k)
        else:
            tails[pos] = b
            tails_idx[pos] = k
        prev[k] = tails_idx[pos - 1] if pos else -1
    chain: list[tuple[int, int]] = []
    k = tails_idx[-1] if tails_idx else -1
    while k >= 0:
        chain.append(pts[k])
        k = prev[k]
    chain.reverse()
    return chain
