"""Translation-memory matching: the fuzzy-match index and its score (pure: values in, values out).

The score is the one gettext's ``msgmerge`` (``fstrcmp``) and rapidfuzz's ``fuzz.ratio``
compute — the normalised InDel (insert/delete) similarity ``2·LCS(a, b) / (|a| + |b|)`` —
taken on *normalised* text (Unicode NFC, runs of white space collapsed to one space, ends
stripped), case-sensitive, as a percentage. Only identical normalised texts score 100.

The index answers a query without scanning the memory:

* entries are numbered in order of normalised length, so the lengths an entry must have to
  reach the threshold (``|b| ∈ [|a|·s/(200−s), |a|·(200−s)/s]``, a lossless bound) are one
  contiguous id range, and every posting list is cut to that range by bisection;
* an inverted index maps word tokens (case-folded words and their 4-letter prefixes) to
  posting lists; the lists of the query's rarest tokens are read first, until
  :data:`CANDIDATES` entries are collected, and those are scored exactly (one C call with
  rapidfuzz). A near variant keeps most of its rare words, so its source is among them;
  what this misses is low-scoring look-alikes that share only common words;
* identical normalised texts are found through a hash table, so exact matches never depend
  on the heuristic above.

An index is one flat byte buffer (:meth:`MemoryIndex.serialize`) that can be memory-mapped
back (:meth:`MemoryIndex.from_buffer`) without parsing anything: a cached 1,000,000-entry
memory opens in well under a second (measured in ``bench/tm``).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
import sys
import unicodedata
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import itemgetter

try:  # rapidfuzz is an optional speed-up; the fallback below computes the same numbers.
    from rapidfuzz import fuzz as _fuzz
    from rapidfuzz import process as _process
    from rapidfuzz.distance import Indel as _Indel
except ImportError:  # pragma: no cover - exercised by forcing the fallback in tests
    _Indel = _fuzz = _process = None

FORMAT_VERSION = 4
MAGIC = b"TMTOOLIX"
CANDIDATES_FIRST = 1000  # entries scored exactly per query and index in the first batch
CANDIDATES = 4000  # … and at most, when the first batch found nothing of CONFIDENT or more
CONFIDENT = 90.0
_EPS = 1e-9  # scores within this of the threshold count as reaching it
_WORD = re.compile(r"\w+")
_FUZZY = 1
_HAS_CONTEXT = 2
_AUTOMATIC = 4


def normalize(text: str) -> str:
    """The text the score is computed on: NFC, white space collapsed, ends stripped.

    >>> normalize("  Why do\\n you  think?")
    'Why do you think?'
    """
    return unicodedata.normalize("NFC", " ".join(text.split()))


def tokens(norm: str) -> set[str]:
    """Index keys of a normalised text: case-folded words, 4-letter prefixes of longer words,
    and adjacent word pairs.

    Prefixes let inflected or re-spelled words still meet (``colour``/``color``); word pairs
    are rare keys that lead straight to the sentences a near variant came from, even when an
    edit put a rare word into it.

    >>> sorted(tokens("Colour me"))
    ['colo', 'colour', 'colour me', 'me']
    """
    words = _WORD.findall(norm.casefold())
    found = set(words)
    found.update([w[:4] for w in words if len(w) > 4])
    found.update(map(" ".join, zip(words, words[1:])))
    if not found and norm.strip("\0"):
        found.add(norm.replace("\0", ""))  # punctuation-only text ("…", "%s") is its own key
    return found


def _ratio_py(a: str, b: str, score_cutoff: float = 0.0) -> float:
    """Pure-Python InDel ratio (bit-parallel LCS, Allison–Dix/Hyyrö), same numbers as rapidfuzz."""
    total = len(a) + len(b)
    if total == 0:
        return 100.0
    if len(a) > len(b):
        a, b = b, a
    if 200.0 * len(a) / total < score_cutoff:
        return 0.0
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for ch in b:
        u = v & masks.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    lcs = len(a) - v.bit_count()
    score = 100.0 * (1.0 - (total - 2 * lcs) / total)
    return score if score >= score_cutoff - _EPS else 0.0


def _ratio_rf(a: str, b: str, score_cutoff: float = 0.0) -> float:
    # rapidfuzz may drop a score lying exactly on the cutoff (float rounding): ask a hair
    # lower and decide here, so both implementations agree at the threshold.
    score = 100.0 * _Indel.normalized_similarity(a, b, score_cutoff=max(score_cutoff - 1e-6, 0.0) / 100.0)
    return score if score >= score_cutoff - _EPS else 0.0


ratio: Callable[[str, str, float], float] = _ratio_rf if _Indel is not None else _ratio_py
"""``ratio(a, b, score_cutoff=0)``: InDel similarity 0–100 of two (normalised) texts; 0 below the cutoff."""


def score_many(query: str, texts: Sequence[str], score_cutoff: float = 0.0) -> list[float]:
    """:func:`ratio` of ``query`` against each of ``texts`` (one C call with rapidfuzz)."""
    if _process is not None and texts:
        out = [0.0] * len(texts)
        cutoff = max(score_cutoff - 1e-6, 0.0)
        for _, score, k in _process.extract(query, texts, scorer=_fuzz.ratio, score_cutoff=cutoff, limit=None):
            if score >= score_cutoff - _EPS:
                out[k] = score
        return out
    return [ratio(query, t, score_cutoff) for t in texts]


def display_score(score: float) -> int:
    """Whole percent, rounded down, so that only identical texts show 100."""
    return int(math.floor(score + _EPS))


def length_window(length: int, min_score: float) -> tuple[int, int]:
    """Lengths an entry can have and still reach ``min_score`` against a text of ``length``.

    >>> length_window(40, 75)
    (24, 66)
    """
    s = min(max(min_score, 0.0), 100.0)
    if s <= 0:
        return 0, sys.maxsize
    return math.ceil(length * s / (200.0 - s) - 1e-9), math.floor(length * (200.0 - s) / s + 1e-9)


def _token_key(token: str) -> int:
    """A stable 64-bit key for an index token (CRC-32 and Adler-32 side by side: fast, in C)."""
    b = token.encode("utf-8")
    return (zlib.crc32(b) << 32) | zlib.adler32(b)


def _hash(norm: str) -> int:
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class MemoryEntry:
    """One translation unit of a memory: English ``source``, its ``target`` and where it lives."""

    source: str
    target: str
    context: str | None = None  # msgctxt
    origin: str = ""  # file, relative to the project root
    line: int = 0  # line of the entry (msgid or <tu>) in that file
    fuzzy: bool = False
    # Written by the aligner and not touched by a person since: a translation, but not
    # evidence to learn the aligner's own lexicon from (that would feed its guesses back).
    automatic: bool = False


@dataclass(frozen=True)
class Match:
    """A memory entry found for a query, with its score (0–100, float) and how often it recurs."""

    score: float
    entry: MemoryEntry
    exact: bool  # the same English, character for character
    count: int = 1  # how many entries carry the same source and target

    @property
    def percent(self) -> int:
        return display_score(self.score)


class _Strings:
    """A column of strings stored as one UTF-8 blob plus offsets; decoded on access."""

    __slots__ = ("blob", "offsets")

    def __init__(self, blob: memoryview, offsets: memoryview):
        self.blob, self.offsets = blob, offsets

    def __getitem__(self, i: int) -> str:
        return str(self.blob[self.offsets[i]:self.offsets[i + 1]], "utf-8")

    def __len__(self) -> int:
        return len(self.offsets) - 1


def _pack_strings(values: Sequence[str]) -> tuple[bytes, array]:
    offsets = array("Q", [0])
    parts = []
    pos = 0
    for v in values:
        b = v.encode("utf-8")
        parts.append(b)
        pos += len(b)
        offsets.append(pos)
    return b"".join(parts), offsets


class MemoryIndex:
    """An immutable, searchable set of :class:`MemoryEntry` (translated entries only)."""

    def __init__(self, buffer, meta: dict, sections: dict[str, memoryview]):
        self._buffer = buffer  # keeps an mmap alive
        self.meta = meta
        self.origins: list[str] = meta["origins"]
        self._source = _Strings(sections["source"], sections["source_off"].cast("Q"))
        self._target = _Strings(sections["target"], sections["target_off"].cast("Q"))
        self._context = _Strings(sections["context"], sections["context_off"].cast("Q"))
        # Normalised texts are joined by "\n", which normalisation never leaves inside one.
        self._norm_blob = sections["norm"]
        self._norms: list[str] | None = None
        self._length = sections["length"].cast("I")
        self._line = sections["line"].cast("I")
        self._origin = sections["origin"].cast("I")
        self._flags = sections["flags"].cast("B")
        self._post_off = sections["post_off"].cast("Q")
        self._post = sections["post"].cast("I")
        self._hash = sections["hash"].cast("Q")
        self._hash_id = sections["hash_id"].cast("I")
        self._token_keys = sections["token_keys"].cast("Q")
        n = len(self._length)
        if not (len(self._source) == len(self._target) == len(self._context) == n
                and len(self._line) == len(self._origin) == len(self._flags) == len(self._hash) == n
                and len(self._post_off) == len(self._token_keys) + 1 and self._post_off[-1] == len(self._post)):
            raise ValueError("inconsistent memory index")

    # --- building and (de)serialising ------------------------------------------------------

    @classmethod
    def build(cls, entries: Iterable[MemoryEntry], meta: dict | None = None) -> "MemoryIndex":
        """Index the translated entries (empty targets are left out)."""
        return cls.from_buffer(cls.serialize(entries, meta))

    @staticmethod
    def serialize(entries: Iterable[MemoryEntry], meta: dict | None = None) -> bytes:
        """The index of ``entries`` as one byte string (see :meth:`from_buffer`)."""
        rows = []
        for e in entries:
            if not e.target or not e.source:
                continue
            norm = normalize(e.source)
            rows.append((len(norm), norm, e))
        rows.sort(key=lambda r: r[0])  # stable: file order within one length
        origins: dict[str, int] = {}
        postings: defaultdict[str, list[int]] = defaultdict(list)
        hashes = []
        flags = array("B")
        for i, (_, norm, e) in enumerate(rows):
            for t in tokens(norm):
                postings[t].append(i)
            hashes.append((_hash(norm), i))
            flags.append((_FUZZY if e.fuzzy else 0) | (_HAS_CONTEXT if e.context is not None else 0)
                         | (_AUTOMATIC if e.automatic else 0))
            origins.setdefault(e.origin, len(origins))
        hashes.sort()
        # Tokens are stored as sorted 64-bit keys, not strings: opening an index then costs
        # nothing, and a (very rare) collision only adds candidates that are scored anyway.
        lists = list(postings.values())
        keys = [_token_key(t) for t in postings]
        order = sorted(range(len(keys)), key=keys.__getitem__)
        token_keys = array("Q", map(keys.__getitem__, order))
        if any(a == b for a, b in zip(token_keys, token_keys[1:])):  # a collision: merge the lists
            merged: dict[int, set[int]] = {}
            for k in order:
                merged.setdefault(keys[k], set()).update(lists[k])
            token_keys = array("Q", merged)
            lists, order = [sorted(v) for v in merged.values()], range(len(merged))
        post = array("I", chain.from_iterable(map(lists.__getitem__, order)))
        post_off = array("Q", [0])
        post_off.extend(accumulate(map(len, map(lists.__getitem__, order))))
        sections: list[tuple[str, bytes]] = []
        for name, values in (
            ("source", [r[2].source for r in rows]),
            ("target", [r[2].target for r in rows]),
            ("context", [r[2].context or "" for r in rows]),
        ):
            blob, off = _pack_strings(values)
            sections += [(name, blob), (name + "_off", off.tobytes())]
        sections += [
            ("norm", "\n".join(r[1] for r in rows).encode("utf-8")),
            ("length", array("I", [r[0] for r in rows]).tobytes()),
            ("line", array("I", [max(0, min(r[2].line, 2**32 - 1)) for r in rows]).tobytes()),
            ("origin", array("I", [origins[r[2].origin] for r in rows]).tobytes()),
            ("flags", flags.tobytes()),
            ("token_keys", token_keys.tobytes()),
            ("post_off", post_off.tobytes()),
            ("post", post.tobytes()),
            ("hash", array("Q", [h for h, _ in hashes]).tobytes()),
            ("hash_id", array("I", [i for _, i in hashes]).tobytes()),
        ]
        layout: dict[str, list[int]] = {}
        pos = 0
        for name, data in sections:
            layout[name] = [pos, len(data)]
            pos += len(data) + (-len(data) % 8)
        head = dict(meta or {})
        head.update(format=FORMAT_VERSION, byteorder=sys.byteorder, origins=list(origins), sections=layout)
        head_bytes = json.dumps(head, ensure_ascii=False).encode("utf-8")
        head_bytes += b" " * (-(len(head_bytes) + 12) % 8)
        out = [MAGIC, len(head_bytes).to_bytes(4, "little"), head_bytes]
        for _, data in sections:
            out += [data, b"\0" * (-len(data) % 8)]
        return b"".join(out)

    @staticmethod
    def read_meta(buffer) -> dict:
        """The JSON header of a serialised index (cheap: used to check a cache is current)."""
        mv = memoryview(buffer)
        if bytes(mv[:8]) != MAGIC or len(mv) < 12:
            raise ValueError("not a tmtool memory index")
        size = int.from_bytes(mv[8:12], "little")
        meta = json.loads(str(mv[12:12 + size], "utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION or meta.get("byteorder") != sys.byteorder:
            raise ValueError("memory index of another format")
        meta["_data_start"] = 12 + size
        return meta

    @classmethod
    def from_buffer(cls, buffer) -> "MemoryIndex":
        """Open a serialised index over ``buffer`` (bytes or an mmap) without copying it.

        Raises ValueError when the buffer is not a consistent index of this format.
        """
        meta = cls.read_meta(buffer)
        mv = memoryview(buffer)
        start = meta.pop("_data_start")
        sections = {}
        for name, (off, size) in meta["sections"].items():
            a, b = start + off, start + off + size
            if off < 0 or size < 0 or b > len(mv):
                raise ValueError("truncated memory index")
            sections[name] = mv[a:b]
        try:
            return cls(buffer, meta, sections)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"inconsistent memory index ({exc})") from None

    # --- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._length)

    def entry(self, i: int) -> MemoryEntry:
        flags = self._flags[i]
        return MemoryEntry(
            source=self._source[i],
            target=self._target[i],
            context=self._context[i] if flags & _HAS_CONTEXT else None,
            origin=self.origins[self._origin[i]],
            line=self._line[i],
            fuzzy=bool(flags & _FUZZY),
            automatic=bool(flags & _AUTOMATIC),
        )

    def __iter__(self):
        return (self.entry(i) for i in range(len(self)))

    def _exact_ids(self, norm: str) -> list[int]:
        h = _hash(norm)
        i = bisect.bisect_left(self._hash, h)
        out = []
        while i < len(self._hash) and self._hash[i] == h:
            out.append(self._hash_id[i])
            i += 1
        return out

    @property
    def norms(self) -> list[str]:
        """The normalised English texts by id, decoded on first use (slicing one big buffer per
        candidate costs more than the score itself)."""
        if self._norms is None:
            norms = str(self._norm_blob, "utf-8").split("\n") if len(self) else []
            if len(norms) != len(self):
                raise ValueError("inconsistent memory index (normalised texts)")
            self._norms = norms
        return self._norms

    def candidates(self, norm: str, min_score: float, caps: Sequence[int] | None = None) -> Iterator[list[int]]:
        """Batches of ids worth scoring exactly: entries of fitting length holding the query's rarest tokens.

        Posting lists are read rarest first; each batch stops before the collected ids would
        exceed the next of ``caps``. A token found in more entries than a cap contributes the
        entries closest in length to the query.
        """
        lo_len, hi_len = length_window(len(norm), min_score)
        lo = bisect.bisect_left(self._length, lo_len)
        hi = bisect.bisect_right(self._length, hi_len)
        if lo >= hi:
            return
        lists = []
        for t in tokens(norm):
            key = _token_key(t)
            k = bisect.bisect_left(self._token_keys, key)
            if k == len(self._token_keys) or self._token_keys[k] != key:
                continue
            a, b = self._post_off[k], self._post_off[k + 1]
            a = bisect.bisect_left(self._post, lo, a, b)
            b = bisect.bisect_left(self._post, hi, a, b)
            if a < b:
                lists.append((b - a, a, b))
        lists.sort()
        seen: set[int] = set()
        pos = 0
        for cap in caps or (CANDIDATES_FIRST, CANDIDATES):
            batch: set[int] = set()
            while pos < len(lists):
                size, a, b = lists[pos]
                if (seen or batch) and len(seen) + len(batch) + size > cap:
                    break
                if size > cap:
                    centre = bisect.bisect_left(self._length, len(norm), lo, hi)
                    mid = bisect.bisect_left(self._post, centre, a, b)
                    a = max(a, min(mid - cap // 2, b - cap))
                    b = min(b, a + cap)
                batch.update(self._post[a:b])
                pos += 1
            batch -= seen
            seen |= batch
            if batch:
                yield list(batch)

    def search(self, query: str, min_score: float = 75, include_fuzzy: bool = False,
               norm: str | None = None) -> list[tuple[float, int]]:
        """``(score, id)`` of entries scoring at least ``min_score`` against ``query``, unordered.

        The candidates are scored in batches; once a batch has produced a match of
        :data:`CONFIDENT` or more, the wider batches are not needed.
        """
        norm = normalize(query) if norm is None else norm
        found: dict[int, float] = {}
        norms = self.norms
        for i in self._exact_ids(norm):
            if norms[i] == norm:
                found[i] = 100.0
        best = 100.0 if found else 0.0
        for ids in self.candidates(norm, min_score):
            if best >= CONFIDENT:
                break
            texts = itemgetter(*ids)(norms) if len(ids) > 1 else [norms[ids[0]]]  # a C-level gather
            for i, score in zip(ids, score_many(norm, texts, min_score)):
                if score and i not in found:
                    found[i] = score
                    best = max(best, score)
        return [(s, i) for i, s in found.items() if include_fuzzy or not self._flags[i] & _FUZZY]


class Memory:
    """All memories of one language (one :class:`MemoryIndex` per catalogue or TMX file)."""

    def __init__(self, indexes: Sequence[MemoryIndex] = ()):
        self.indexes = list(indexes)

    def __len__(self) -> int:
        return sum(len(ix) for ix in self.indexes)

    def __iter__(self):
        for ix in self.indexes:
            yield from ix

    def lookup(self, query: str, min_score: float = 75, limit: int | None = 5,
               include_fuzzy: bool = False) -> list[Match]:
        """Best matches first; one :class:`Match` per distinct (source, target) pair.

        Order: score, then exact English, then confirmed (non-fuzzy) translations, then the
        translation found most often, then file and line (so results are reproducible).
        """
        norm = normalize(query)
        groups: dict[tuple[str, str], list[tuple[float, MemoryEntry]]] = {}
        for ix in self.indexes:
            for score, i in ix.search(query, min_score, include_fuzzy, norm=norm):
                e = ix.entry(i)
                groups.setdefault((e.source, e.target), []).append((score, e))
        matches = []
        for members in groups.values():
            # A group stands for its most trusted member: confirmed, then reviewed by a person.
            members.sort(key=lambda m: (m[1].fuzzy, m[1].automatic, m[1].origin, m[1].line))
            score, e = members[0]
            matches.append(Match(score, e, e.source == query, len(members)))
        matches.sort(key=lambda m: (-m.score, not m.exact, m.entry.fuzzy, -m.count, m.entry.origin, m.entry.line))
        return matches if limit is None else matches[:limit]

    def best(self, query: str, min_score: float = 75) -> Match | None:
        """The single best confirmed match, or None below ``min_score``."""
        found = self.lookup(query, min_score, limit=1)
        return found[0] if found else None


# --- pre-translation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fill:
    """What pre-translation puts into one empty entry."""

    target: str
    fuzzy: bool
    comment: str  # the extracted comment saying where the translation came from
    match: Match


def _quote(text: str, width: int = 60) -> str:
    one_line = " ".join(text.split())
    if len(one_line) > width:
        one_line = one_line[: width - 1].rstrip() + "…"
    return '"' + one_line + '"'


def origin_comment(match: Match) -> str:
    """``tm: 87% from locales/kk/LC_MESSAGES/other.po:12 "…"`` (one line, for a ``#.`` comment)."""
    where = match.entry.origin + (f":{match.entry.line}" if match.entry.line else "")
    text = f"tm: {match.percent}% from {where} {_quote(match.entry.source)}"
    if match.entry.context:
        text += f" (context {_quote(match.entry.context, 30)})"
    return text


def pretranslate(memory: Memory, msgids: Iterable[str], min_score: float = 75) -> dict[str, Fill]:
    """Translations for English ``msgids`` from ``memory``: exact ones confirmed, others fuzzy.

    An exact match whose English has two different translations in the memory is also
    marked fuzzy: a person has to choose. So is one that is the aligner's output no
    person has reviewed (:attr:`MemoryEntry.automatic`): copied as confirmed, it would
    pass for a person's work, and the next alignment would learn from its own guess.
    A reviewed translation is preferred to an unreviewed one of the same score.
    """
    out: dict[str, Fill] = {}
    for msgid in msgids:
        if msgid in out or not msgid.strip():
            continue
        found = memory.lookup(msgid, min_score, limit=4)
        if not found:
            continue
        top = found[0].score
        best = min((m for m in found if m.score == top), key=lambda m: m.entry.automatic)
        conflict = best.exact and any(m.exact and m is not best for m in found)
        comment = origin_comment(best)
        if conflict:
            comment += "; another translation exists"
        if best.entry.automatic:
            comment += "; the aligner's, unreviewed"
        out[msgid] = Fill(best.entry.target, fuzzy=not best.exact or conflict or best.entry.automatic,
                          comment=comment, match=best)
    return out
