"""A bilingual word lexicon learned from sentence pairs, as hunalign's dictionary.

Words are compared by crude stems (six-letter prefixes, see
:func:`tmtool.align.features.stems`): Kazakh and Russian inflect heavily and a
prefix is the cheapest stemmer that needs no model. Two stems are translations
when they co-occur in pairs much more often than chance (Dice coefficient).
The lexicon grows with the translation memory: feed it every translated PO
entry, and the aligner also learns one from the document's own confident beads.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

from tmtool.align.features import language_family, stems


@dataclass(frozen=True)
class Lexicon:
    """Stem-to-stem translations with a strength in (0, 1] (the Dice coefficient)."""

    left_lang: str
    right_lang: str
    entries: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @classmethod
    def from_pairs(
        cls,
        pairs: Iterable[tuple[str, str]],
        left_lang: str,
        right_lang: str,
        *,
        min_count: int = 2,
        min_dice: float = 0.3,
        max_per_word: int = 3,
    ) -> "Lexicon":
        """Learn translations from already translated pairs (left text, right text).

        >>> lex = Lexicon.from_pairs([("the red house", "красный дом"),
        ...     ("a red car", "красная машина"), ("the house", "дом")] * 2, "en", "ru")
        >>> lex.translations("house")  # "red house" co-occurs too, weaker
        {'дом': 1.0, 'красны': 0.6667}
        """
        left_lang, right_lang = language_family(left_lang), language_family(right_lang)
        sets = [(set(stems(left, left_lang)), set(stems(right, right_lang))) for left, right in pairs]
        return cls.from_stem_sets(sets, left_lang, right_lang, min_count=min_count, min_dice=min_dice,
                                  max_per_word=max_per_word)

    @classmethod
    def from_stem_sets(
        cls,
        sets: Iterable[tuple[set[str], set[str]]],
        left_lang: str,
        right_lang: str,
        *,
        min_count: int = 2,
        min_dice: float = 0.3,
        max_per_word: int = 3,
    ) -> "Lexicon":
        """:meth:`from_pairs` for pairs already cut into stems (the aligner has them at hand)."""
        lc: Counter[str] = Counter()
        rc: Counter[str] = Counter()
        kept = [(ls, rs) for ls, rs in sets if ls and rs]
        for ls, rs in kept:
            lc.update(ls)
            rc.update(rs)
        joint: Counter[tuple[str, str]] = Counter()
        for ls, rs in kept:
            # A stem seen fewer than min_count times cannot reach min_count pairs: skip it early
            # (the pairs of a sentence grow with the square of its length).
            a = [x for x in ls if lc[x] >= min_count]
            b = [y for y in rs if rc[y] >= min_count]
            if a and b:
                joint.update(product(a, b))
        scored = []
        for (a, b), c in joint.items():
            if c < min_count:
                continue
            dice = 2.0 * c / (lc[a] + rc[b])
            if dice >= min_dice:
                scored.append((-dice, a, b))
        # Competitive linking (Melamed 2000): strongest pairs first, each stem on either side
        # takes at most max_per_word partners, so a frequent word cannot collect the
        # indirect associations of everything it co-occurs with.
        scored.sort()
        left_links: Counter[str] = Counter()
        right_links: Counter[str] = Counter()
        entries: dict[str, dict[str, float]] = defaultdict(dict)
        for d, a, b in scored:
            if left_links[a] < max_per_word and right_links[b] < max_per_word:
                left_links[a] += 1
                right_links[b] += 1
                entries[a][b] = round(-d, 4)
        return cls(left_lang, right_lang, dict(entries))

    def translations(self, word: str) -> dict[str, float]:
        """Known translations (right stems) of a left word, strongest first."""
        return dict(self.entries.get(stems(word, self.left_lang)[0] if stems(word, self.left_lang) else "", {}))

    def merged(self, other: "Lexicon | None") -> "Lexicon":
        """This lexicon with ``other``'s entries added (the stronger value wins)."""
        if other is None or not other.entries:
            return self
        out: dict[str, dict[str, float]] = {a: dict(t) for a, t in self.entries.items()}
        for a, t in other.entries.items():
            slot = out.setdefault(a, {})
            for b, d in t.items():
                slot[b] = max(d, slot.get(b, 0.0))
        return Lexicon(self.left_lang, self.right_lang, out)

    def reversed(self) -> "Lexicon":
        """The same lexicon read right to left."""
        out: dict[str, dict[str, float]] = defaultdict(dict)
        for a, t in self.entries.items():
            for b, d in t.items():
                out[b][a] = d
        return Lexicon(self.right_lang, self.left_lang, dict(out))

    def __len__(self) -> int:
        return len(self.entries)
