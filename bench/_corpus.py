"""Interview-like parallel documents with gold beads, made from line-aligned corpora.

NTREX-128 is 1-1 by construction (news sentences translated one by one). An
interview transcript is not: the English was edited for brevity and the source
was cut into short speech segments. :func:`interview_doc` turns a run of 1-1
sentences into that shape, seeded, and keeps the gold beads:

* with ``p_drop_en`` an English sentence is dropped: its source segments stay,
  each a gold ``[]:[j]`` bead (said, not published);
* with ``p_drop_src`` a source sentence is dropped: gold ``[i]:[]`` (the
  interpreter's or editor's addition);
* with ``p_merge`` two English sentences are merged into one (an editor's
  summary): gold ``[i]:[j, j+1, …]``;
* a source sentence longer than ``split_min`` characters is, with ``p_split``,
  split at clause boundaries (comma, semicolon, colon, dash) into 2–3 speech segments of at
  least 20 characters each; a bead never gets more than four source segments.

All randomness comes from the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–-]\s)")

Gold = list[tuple[list[int], list[int]]]


def split_clauses(sentence: str, pieces: int, min_chars: int = 20) -> list[str]:
    """Split at the clause boundaries closest to equal parts; fewer pieces if none fit."""
    cuts = [m.start() for m in _CLAUSE.finditer(sentence)]
    ends = {m.start(): m.end() for m in _CLAUSE.finditer(sentence)}
    chosen: list[int] = []
    for k in range(1, pieces):
        target = len(sentence) * k / pieces
        cands = [c for c in cuts if c not in chosen and c - (chosen[-1] if chosen else 0) >= min_chars
                 and len(sentence) - c >= min_chars]
        if not cands:
            break
        chosen.append(min(cands, key=lambda c: abs(c - target)))
        chosen.sort()
    out, start = [], 0
    for c in chosen:
        out.append(sentence[start:c].strip())
        start = ends[c]
    out.append(sentence[start:].strip())
    return [p for p in out if p]


def interview_doc(
    english: Sequence[str],
    source: Sequence[str],
    rng: random.Random,
    *,
    p_merge: float = 0.15,
    p_drop_en: float = 0.07,
    p_drop_src: float = 0.04,
    split_min: int = 100,
    p_split: float = 0.5,
) -> tuple[list[str], list[str], Gold]:
    """One interview-like document (English segments, source segments, gold beads)."""
    en: list[str] = []
    src: list[str] = []
    gold: Gold = []

    def pieces(s: str, budget: int) -> list[str]:
        if len(s) <= split_min or budget < 2 or rng.random() >= p_split:
            return [s]
        want = 2 if len(s) < 180 else 3
        return split_clauses(s, min(want, budget))

    k = 0
    while k < len(english):
        r = rng.random()
        if r < p_drop_en:
            for p in pieces(source[k], 3):
                gold.append(([], [len(src)]))
                src.append(p)
            k += 1
        elif r < p_drop_en + p_drop_src:
            gold.append(([len(en)], []))
            en.append(english[k])
            k += 1
        elif r < p_drop_en + p_drop_src + p_merge and k + 1 < len(english):
            a = pieces(source[k], 2)
            b = pieces(source[k + 1], 4 - len(a))
            ids = list(range(len(src), len(src) + len(a) + len(b)))
            src.extend(a + b)
            gold.append(([len(en)], ids))
            en.append(english[k] + " " + english[k + 1])
            k += 2
        else:
            ps = pieces(source[k], 4)
            gold.append(([len(en)], list(range(len(src), len(src) + len(ps)))))
            src.extend(ps)
            en.append(english[k])
            k += 1
    return en, src, gold


def ntrex(corpora: Path, lang: str) -> list[tuple[str, list[str], list[str]]]:
    """NTREX-128 documents as (doc id, English lines, source lines); lang is "ru" or "kk"."""
    base = corpora / "ntrex128"
    code = {"ru": "rus", "kk": "kaz"}[lang]
    en = (base / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    xx = (base / f"newstest2019-ref.{code}.txt").read_text(encoding="utf-8").splitlines()
    ids = (base / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    docs: list[tuple[str, list[str], list[str]]] = []
    for doc_id, e, x in zip(ids, en, xx):
        doc_id = doc_id.split("\t")[0]
        if not docs or docs[-1][0] != doc_id:
            docs.append((doc_id, [], []))
        docs[-1][1].append(e)
        docs[-1][2].append(x)
    return docs


def interview_docs(corpora: Path, lang: str, seed: int = 1, group: int = 8) -> list[tuple[list[str], list[str], Gold]]:
    """NTREX documents grouped ``group`` at a time into interview-like documents."""
    rng = random.Random(f"{seed}-{lang}")
    docs = ntrex(corpora, lang)
    out = []
    for g in range(0, len(docs), group):
        en = [s for d in docs[g:g + group] for s in d[1]]
        xx = [s for d in docs[g:g + group] for s in d[2]]
        out.append(interview_doc(en, xx, rng))
    return out


def read_gold(path: Path) -> Gold:
    """A vecalign-format alignment file: ``[0, 1]:[2]`` per line."""
    gold: Gold = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        a, b = line.split(":")
        gold.append((_ids(a), _ids(b)))
    return gold


def _ids(s: str) -> list[int]:
    s = s.strip().strip("[]").strip()
    return [int(x) for x in s.split(",")] if s else []
