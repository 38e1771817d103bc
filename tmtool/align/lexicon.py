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
        lc: Counter[str] = Counter()
        rc: Counter[str] = Counter()
        joint: Counter[tuple[str, str]] = Counter()
        for left, right in pairs:
            ls = set(stems(left, left_lang))
            rs = set(stems(right, right_lang))
            if not ls or not rs:
                continue
            lc.update(ls)
            rc.update(rs)
            joint.update(product(ls, rs))
        best: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for (a, b), c in joint.items():
            if c < min_count:
                continue
            dice = 2.0 * c / (lc[a] + rc[b])
            if dice >= min_dice:
                best[a].append((dice, b))
        entries = {
            a: dict((b, round(d, 4)) for d, b in sorted(cands, key=lambda x: (-x[0], x[1]))[:max_per_word])
            for a, cands in best.items()
        }
        return cls(left_lang, right_lang, entries)

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
