"""Beads as text: the vecalign bead list, tab-separated pairs, or JSON (pure: returns strings)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tmtool.model import Bead

FORMATS = ("beads", "tsv", "json")


def _cell(text: str) -> str:
    # A TSV cell must not break the row: tabs and newlines become spaces.
    return text.replace("\t", " ").replace("\n", " ")


def render(beads: Sequence[Bead], left: Sequence[str], right: Sequence[str], fmt: str = "beads") -> str:
    """One line per bead (``beads``, ``tsv``) or a JSON list; always ends with a newline.

    >>> print(render([Bead((0,), (0, 1), 0.9), Bead((1,), (), 0.1)], ["a", "b"], ["x", "y"]), end="")
    [0]:[0, 1]
    [1]:[]
    """
    if fmt == "beads":
        lines = [f"{list(b.left)}:{list(b.right)}" for b in beads]
    elif fmt == "tsv":
        lines = [
            "\t".join((_cell(" ".join(left[i] for i in b.left)), _cell(" ".join(right[j] for j in b.right)),
                       f"{b.confidence:.3f}"))
            for b in beads
        ]
    elif fmt == "json":
        data = [
            {"left": list(b.left), "right": list(b.right), "confidence": round(b.confidence, 4),
             "left_text": " ".join(left[i] for i in b.left), "right_text": " ".join(right[j] for j in b.right)}
            for b in beads
        ]
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return "".join(line + "\n" for line in lines)
