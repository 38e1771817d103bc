"""Language-independent evidence that two segments say the same thing.

Each segment becomes a multiset of *keys* that survive translation between
en, ru and kk (and, with fewer kinds, between any two languages babel knows):

* ``n:<value>`` numbers and years, normalised across locales: ``20,000``,
  ``20 000`` (NBSP, narrow NBSP, thin space), ``20.000`` give ``n:20000``;
  ``3.5`` and ``3,5`` give ``n:3.5``; ``2022-ші``, ``2022 года`` and
  ``in 2022`` all give ``n:2022``. A lone separator followed by exactly three
  digits is ambiguous between locales (``2,500``) and yields both readings.
* ``m:<1-12>`` month names, from babel's CLDR data for the segment's language.
* ``w:<value>`` small number words (two/два/екі …) for en, ru and kk.
* ``s:<skeleton>`` names and loanwords: the word transliterated to Latin and
  reduced to a consonant skeleton, so Тоқаев, Токаев and Tokayev all give
  ``s:tkv`` and Алматы/Almaty give ``s:almt``.
* ``p:?`` / ``p:!`` / ``p:"`` punctuation that translators keep.

Why an own transliteration table and not PyICU: ICU's ``Kazakh-Latin/BGN`` and
``Russian-Latin/BGN`` transforms need libicu at run time (not one of tmtool's
runtime dependencies) and still disagree with each other and with English
spelling (``Toqaev`` vs ``Tokayev``), so a *matching key* has to be derived
from their output anyway. A skeleton (first letter plus consonants, with the
letters whose spelling varies between romanisations merged: q/k/c, z/s, y/i,
kh/h) is that key; the ~40-letter table below is all it takes.

Kazakh text typed on Russian or Latin keyboards often mixes Latin look-alikes
into Cyrillic words (Latin ``i`` for ``і``, ``a``/``e``/``o``/``p``/``c``/``x``);
:func:`fix_lookalikes` maps them back before anything else is compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from babel import UnknownLocaleError
from babel.dates import get_month_names

from tmtool import languages
from tmtool.errors import InputError, TmtoolError

#: Languages with every kind of evidence (number words, look-alikes, skeletons).
FULL_SUPPORT = ("en", "kk", "kk-Latn", "ru")

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ASCII_LETTER = re.compile("[A-Za-z]")
_LATIN_LOOKALIKES = str.maketrans({
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
    "k": "к", "m": "м", "h": "һ", "t": "т", "b": "в",
    "A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С", "X": "Х", "Y": "У", "I": "І",
    "K": "К", "M": "М", "H": "Н", "T": "Т", "B": "В",
})
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f\u2009',.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?!\d)"
)

# Cyrillic (Russian and Kazakh) to a Latin spelling close to what English
# newspapers print; then _skeleton() removes what still varies.
_CYR2LAT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
    "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k",
    "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h",
    "ц": "c", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}
_CYR_TABLE = str.maketrans(_CYR2LAT)
_VOWELS = set("aeiouy")
_DIGRAPH_MAP = {"sch": "sh", "zh": "j", "kh": "k", "ph": "f", "th": "t", "kk": "k", "ck": "k",
                "tz": "s", "x": "ks", "w": "v", "q": "k", "z": "s"}
_DIGRAPH = re.compile("sch|zh|kh|ph|th|kk|tz|x|w|q|z")
_NOT_AZ = re.compile("[^a-z]+")
_C_SOFT = re.compile("c(?=[eiy])")
_REPEAT = re.compile(r"(.)\1+")
_DROP_VOWELS = str.maketrans("", "", "aeiouy")

# Number words 2..10 (and 20, 100, 1000) by stem; ``one`` is left out on
# purpose: "one of the" is too common to be evidence.
_NUMBER_WORDS: dict[str, tuple[tuple[str, int], ...]] = {
    "en": (("two", 2), ("second", 2), ("three", 3), ("third", 3), ("four", 4), ("five", 5),
           ("fifth", 5), ("six", 6), ("seven", 7), ("eight", 8), ("nine", 9), ("ninth", 9),
           ("ten", 10), ("tenth", 10), ("twenty", 20), ("hundred", 100), ("thousand", 1000),
           ("twice", 2), ("dozen", 12)),
    "ru": (("два", 2), ("две", 2), ("двух", 2), ("втор", 2), ("три", 3), ("трех", 3),
           ("трёх", 3), ("трет", 3), ("четыр", 4), ("четвер", 4), ("пят", 5), ("шест", 6),
           ("сем", 7), ("семь", 7), ("седьм", 7), ("восем", 8), ("восьм", 8), ("девят", 9), ("десят", 10),
           ("двадцат", 20), ("сто", 100), ("тысяч", 1000), ("дважды", 2), ("дюжин", 12)),
    "kk": (("екі", 2), ("екінші", 2), ("үш", 3), ("төрт", 4), ("бес", 5), ("алты", 6),
           ("алтын", 6), ("жеті", 7), ("сегіз", 8), ("тоғыз", 9), ("он", 10), ("оныншы", 10),
           ("жиырма", 20), ("жүз", 100), ("мың", 1000)),
}
# Stems that must match a whole word (too short to be a prefix safely).
_WHOLE_WORD_NUMBERS = {"сто", "сем", "семь", "он", "үш", "бес", "ten", "six", "two", "жүз", "мың"}


def language_family(language: str) -> str:
    """The code the aligner's features are chosen by; raise :class:`InputError` for unknown ones.

    ``en``, ``ru``, ``kk`` and ``kk-Latn`` get every feature; any other language
    babel knows (``de``, ``fr`` …) is accepted with the language-neutral ones
    (numbers, months, skeletons, punctuation, lexicon). Regions are dropped.

    >>> language_family("KK_latn"), language_family("ru-RU"), language_family("de")
    ('kk-Latn', 'ru', 'de')
    """
    try:
        tag = languages.normalize(language or "")
    except TmtoolError:
        raise InputError(
            f"unsupported language {language!r}: use one of {', '.join(FULL_SUPPORT)} "
            "(full support) or another language code that babel knows, e.g. de, fr "
            "(numbers, months, names and lexicon only)"
        ) from None
    base = tag.split("-")[0]
    return "kk-Latn" if base == "kk" and "-Latn" in tag else base


def fix_lookalikes(text: str) -> str:
    """Replace Latin look-alike letters inside Cyrillic words by their Cyrillic twins.

    >>> fix_lookalikes("Бiлгiм келмейдi, Kazakhstan")
    'Білгім келмейді, Kazakhstan'
    """
    if not _CYRILLIC.search(text) or not _ASCII_LETTER.search(text):
        return text

    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        if _CYRILLIC.search(w) and not w.isascii():
            return w.translate(_LATIN_LOOKALIKES)
        return w

    return _WORD.sub(fix, text)


def latinize(word: str) -> str:
    """Lower-case Latin spelling of a word in any Latin or Cyrillic script, accents removed.

    >>> latinize("Тоқаев"), latinize("Österreich")
    ('tokaev', 'osterreich')
    """
    w = word.lower().translate(_CYR_TABLE).replace("ß", "ss")
    w = unicodedata.normalize("NFKD", w)
    return "".join(ch for ch in w if not unicodedata.combining(ch))


def skeleton(word: str) -> str:
    """The matching key of a name or loanword: first letter plus consonants.

    >>> [skeleton(w) for w in ("Тоқаев", "Токаев", "Tokayev", "Алматы", "Almaty", "Ақтау", "Aktau")]
    ['tkv', 'tkv', 'tkv', 'almt', 'almt', 'akt', 'akt']
    """
    w = word.lower().translate(_CYR_TABLE)
    if not w.isascii():
        w = latinize(w)
    w = _NOT_AZ.sub("", w)
    if not w:
        return ""
    # c is /s/ before a front vowel and /k/ elsewhere (Centre/Центр, Canada/Канада).
    w = _C_SOFT.sub("s", w)
    w = _DIGRAPH.sub(lambda m: _DIGRAPH_MAP[m.group(0)], w.replace("c", "k"))
    # h carries no letter of its own in the romanisations that disagree (Kh/H/Х).
    w = w.replace("h", "") or w
    head = "i" if w[0] == "y" else w[0]
    return _REPEAT.sub(r"\1", head + w[1:].translate(_DROP_VOWELS))


@lru_cache(maxsize=None)
def _month_stems(language: str) -> tuple[tuple[str, int], ...]:
    """(stem, month) pairs from babel: format and stand-alone, wide and abbreviated."""
    loc = "kk" if language == "kk-Latn" else language
    stems: dict[str, int] = {}
    try:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, loc).items():
                    key = skeleton(name.strip(". "))
                    if len(key) >= 3:
                        stems.setdefault(key[:4], month)
    except (ValueError, UnknownLocaleError):
        return ()
    return tuple(stems.items())


@lru_cache(maxsize=None)
def _month_table(language: str) -> dict[str, int]:
    return dict(_month_stems(language))


def _number_values(token: str) -> list[str]:
    """Canonical values of one numeric token (two when the locale is ambiguous)."""
    t = token.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    seps = [ch for ch in t if not ch.isdigit()]
    if not seps:
        return [str(int(t))] if len(t) <= 15 else [t]
    digits = re.split(r"[ ',.]", t)
    if len(seps) == 1 and seps[0] in ",." and len(digits[-1]) == 3:
        # 2,500 is 2500 in en and 2.5 in ru/kk/de/fr: keep both readings.
        return [_canon(digits[0] + digits[1]), _canon(digits[0] + "." + digits[1])]
    if seps[-1] in ",." and len(digits[-1]) != 3:
        return [_canon("".join(digits[:-1]) + "." + digits[-1])]
    return [_canon("".join(digits))]


def _canon(value: str) -> str:
    if "." in value:
        whole, frac = value.split(".", 1)
        frac = frac.rstrip("0")
        whole = str(int(whole)) if whole else "0"
        return f"{whole}.{frac}" if frac else whole
    return str(int(value)) if len(value) <= 15 else value


@lru_cache(maxsize=None)
def _number_word_pattern(language: str) -> tuple[re.Pattern[str], dict[str, int]] | None:
    """One regex per language over the table, in table order (the first stem that fits wins)."""
    table = _NUMBER_WORDS.get("kk" if language == "kk-Latn" else language)
    if not table:
        return None
    alts = [re.escape(stem) + ("$" if stem in _WHOLE_WORD_NUMBERS else "") for stem, _ in table]
    return re.compile("(" + "|".join(alts) + ")"), dict((stem, v) for stem, v in reversed(table))


def _number_word(word: str, language: str) -> int | None:
    got = _number_word_pattern(language)
    if got is None:
        return None
    m = got[0].match(word)
    return got[1][m.group(1)] if m else None


#: Key kinds and their base weight (how much one shared key says).
KIND_WEIGHT = {"n": 2.0, "m": 1.5, "w": 1.0, "s": 1.0, "p": 0.5, "x": 1.0}


@lru_cache(maxsize=200_000)
def _word_keys(original: str, language: str) -> tuple[str, ...]:
    """Keys of one word (cached: words repeat a lot)."""
    word = original.lower()
    nw = _number_word(word, language)
    if nw is not None:
        return (f"w:{nw}",)
    sk = skeleton(word)
    # Two letters (main/міне "mn", this "ts") meet unrelated words all the time: no key.
    if len(word) < 4 or len(sk) < 3:
        return ()
    out = ["s:" + sk[:4]]
    if len(sk) > 3 and original[:1].isupper() and language in FULL_SUPPORT:
        # Names take case suffixes in kk and ru (Тоқаевтың, Токаева): the shorter key still meets Tokayev.
        out.append("s:" + sk[:3])
    if len(sk) <= 6:
        stems_ = _month_table(language)
        month = stems_.get(sk[:4]) or stems_.get(sk[:3])
        if month is not None:
            out.append(f"m:{month}")
    return tuple(out)


def segment_keys(text: str, language: str) -> Counter[str]:
    """The multiset of matching keys of one segment (see the module docstring).

    >>> sorted(segment_keys("Тоқаев said 20 000 in 2022-ші?", "kk"))
    ['n:20000', 'n:2022', 'p:?', 's:tkv']
    """
    keys: Counter[str] = Counter()
    if not text:
        return keys
    text = fix_lookalikes(text) if language in ("kk", "ru") else text
    for m in _NUMBER.finditer(text):
        for v in _number_values(m.group(1)):
            keys["n:" + v] += 1
    keys.update([k for w in _WORD.findall(text) for k in _word_keys(w, language)])
    for ch, name in (("?", "p:?"), ("!", "p:!")):
        if ch in text:
            keys[name] += text.count(ch)
    quotes = sum(text.count(q) for q in "«“„\"")
    if quotes:
        keys['p:"'] += 1
    return keys


def stems(text: str, language: str) -> list[str]:
    """Crude language-neutral stems (lower-case word prefixes) for lexicon learning."""
    if language in ("kk", "ru"):
        text = fix_lookalikes(text)
    out = []
    for m in _WORD.finditer(text.lower()):
        w = m.group(0)
        if len(w) >= 2:
            out.append(w[:6])
    return out
