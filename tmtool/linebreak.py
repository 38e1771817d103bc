"""Break caption text into lines the way subtitlers do, for English, Russian and Kazakh.

Every gap between two words gets a *penalty*: low where a subtitler likes to
break (after a full stop, after a comma, before a conjunction or preposition),
high where they never would (after a preposition or article, before a Kazakh
postposition, inside a name, between a number and its unit). Among all ways
to lay the words out in the fewest lines that fit, the one with the smallest
sum of penalties plus an imbalance cost wins (two-line captions prefer a
bottom-heavy pyramid). The same penalties tell :mod:`tmtool.captions` where a
long segment may be cut into several cues.

Heuristics, since there is no part-of-speech tagger here:

- *Function words* come from small per-language lists (:data:`RULES`):
  conjunctions and prepositions start a phrase (good to break before, bad to
  break after); articles/determiners, titles (``Mr.``, ``г.``), initials and
  particles such as Russian ``не`` or intensifiers (``very``, ``очень``,
  ``өте``) stay with the next word, and so do a few fixed pairs (``sort of``,
  ``потому что``, ``қаза тап-``); Kazakh postpositions (``үшін``, ``туралы``,
  …) and enclitics (``ма``, ``да``, ``мен``, ``деп``) stay with the previous
  word. English possessives (``Tokayev's control``) work as determiners.
- *Adjective + noun*: a word with an adjective ending (ru ``-ый -ий -ой -ая
  -яя -ое -ее -ые -ие`` and oblique ``-ого -ому -ую -ых -ым -ыми …``, but not the
  noun endings ``-ние -тие``; kk ``-дағы -тегі -ғы -лық -сыз …`` and the
  genitive ``-ның -дың -тың …`` (``қақпаның жоғарғы бұрышы``); en
  ``-al -ous -ive -ic -ful -less -able …``) followed by a plain lower-case word
  is kept with it. A mild penalty: the lists catch some nouns too.
- *Names*: two capitalised words in a row (the first not at a sentence start,
  where capitals say nothing; there the penalty is halved), and initials.
- *Numbers*: never split a digit group (``20 000``) or a number from ``%`` or a
  currency sign; keep a number with the word that follows it (``5 people``,
  ``30 жыл``) unless that word is a function word (``in 2017 the``).

Words are compared after case folding and folding Latin look-alike letters to
Cyrillic (a/а, e/е, o/о, p/р, c/с, x/х, y/у, i/і, k/к, B/в, H/н, M/м, T/т,
ə/ә, ɵ/ө), because Kazakh text often mixes them; capitals and letters are
recognised with :meth:`str.isupper`/:meth:`str.isalpha`, never with
hard-coded ranges. Words are split at spaces only (no-break spaces hold
``20 000`` together) and sentence ends come from :mod:`tmtool.segment`.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from tmtool.segment import TERMINATORS, normalize_space, split_sentences

__all__ = [
    "LanguageRules",
    "LineFitter",
    "RULES",
    "rules_for",
    "break_penalties",
    "best_lines",
    "break_lines",
    "fold",
    "sentence_ends",
    "split_at",
    "text_width",
    "words_of",
]

class lazy:  # noqa: N801 (used as a decorator, like functools.cached_property)
    """:func:`functools.cached_property` without the lock Python 3.11 takes on every
    first use: worked out once per object, then an ordinary attribute."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


# Latin (and IPA) letters that look like Cyrillic ones in either case, folded
# (after case folding) to the Cyrillic letter; ё folded to е as Russian writers
# often omit the dots. Upper-case look-alikes decide for B/в, H/н, M/м, T/т.
_FOLD = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "i": "і",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "t": "т",
        "x": "х",
        "y": "у",
        "ə": "ә",
        "ɵ": "ө",
        "ё": "е",
    }
)


# The same mapping as a list by code point (faster for str.translate); letters
# past its end are left as they are.
_FOLD_TABLE = list(range(max(_FOLD) + 1))
for _k, _v in _FOLD.items():
    _FOLD_TABLE[_k] = ord(_v)  # type: ignore[arg-type]


def fold(word: str) -> str:
    """Lower-case ``word`` and fold look-alike letters, for lexicon look-ups.

    >>> fold("Жәнe") == fold("және")
    True
    """
    return word.casefold().translate(_FOLD_TABLE)


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(w) for w in words.split())


def _pairs(phrases: str) -> frozenset[tuple[str, str]]:
    return frozenset(tuple(fold(w) for w in p.split()) for p in phrases.split(","))  # type: ignore[misc]


@dataclass(frozen=True)
class LanguageRules:
    """The word lists and suffixes that drive line breaking for one language."""

    language: str
    conjunctions: frozenset[str] = frozenset()  # break before; never end a line with one
    prepositions: frozenset[str] = frozenset()  # break before; never end a line with one
    determiners: frozenset[str] = frozenset()  # never end a line with one
    particles: frozenset[str] = frozenset()  # never end a line with one (ru "не")
    postpositions: frozenset[str] = frozenset()  # never start a line with one
    titles: frozenset[str] = frozenset()  # abbreviations before a name: "Mr.", "г."
    multipliers: frozenset[str] = frozenset()  # "million", "млн": glued to the number
    adjective_endings: tuple[str, ...] = ()
    not_adjective_endings: tuple[str, ...] = ()
    fixed_phrases: frozenset[tuple[str, str]] = frozenset()  # pairs never split: "sort of"; "тап*" a prefix
    possessive: tuple[str, ...] = ()  # endings of possessives, which stay with their noun

    @lazy
    def folded_adjective_endings(self) -> tuple[str, ...]:
        return tuple(fold(e) for e in self.adjective_endings)

    @lazy
    def folded_not_adjective_endings(self) -> tuple[str, ...]:
        return tuple(fold(e) for e in self.not_adjective_endings)

    @lazy
    def phrase_ends(self) -> dict[str, tuple[str, ...]]:
        """First word of each fixed phrase -> the words that may follow it."""
        ends: dict[str, tuple[str, ...]] = {}
        for first, second in self.fixed_phrases:
            ends[first] = (*ends.get(first, ()), second)
        return ends

    @lazy
    def function_words(self) -> frozenset[str]:
        return (
            self.conjunctions
            | self.prepositions
            | self.determiners
            | self.particles
            | self.postpositions
        )


RULES: dict[str, LanguageRules] = {
    "en": LanguageRules(
        language="en",
        conjunctions=_folded(
            "and but or nor so yet because that which who whom whose when where while "
            "although though if unless until whether since whereas"
        ),
        prepositions=_folded(
            "of in on at to for with by from into onto about over under after before "
            "between among through during without within against across along around "
            "behind beyond toward towards upon via per than like despite including"
        ),
        determiners=_folded(
            "a an the this these those my your his her its our their some any every "
            "each no another such several both either neither whatever whichever "
            "all many much few most more less"
        ),
        # contractions ending in 's are not possessives: listed so they never glue
        particles=_folded(
            "not very quite rather too really even it's that's he's she's there's what's who's "
            "let's here's where's it’s that’s he’s she’s there’s what’s who’s let’s here’s where’s"
        ),
        possessive=(fold("'s"), fold("’s")),
        fixed_phrases=_pairs("sort of, kind of, lot of, such as, according to, due to, as well"),
        titles=_folded("mr mrs ms dr prof st mt gen sen rep gov lt col capt sgt rev no"),
        multipliers=_folded("hundred thousand million billion trillion percent per cent"),
        adjective_endings=(
            "ical", "al", "ous", "ive", "ic", "ful", "less", "able", "ible", "ary", "ish",
        ),
        not_adjective_endings=(),
    ),
    "ru": LanguageRules(
        language="ru",
        conjunctions=_folded(
            "и а но или что чтобы потому поэтому который которая которое которые "
            "которого которой котором которому которым которых которую которыми "
            "если когда хотя поскольку зато однако либо ибо причём притом будто "
            "словно пока где куда откуда как также"
        ),
        prepositions=_folded(
            "в во на с со к ко по о об обо от до из изо за для без у при про над "
            "под перед через между среди около возле после вокруг против ради "
            "сквозь вдоль вместо кроме мимо внутри вне"
        ),
        determiners=_folded(
            "этот эта это эти этого этой этом этому этим этих эту этими тот та то те "
            "того той том тому тем тех ту теми мой моя моё мое мои моего моей моих "
            "наш наша наше наши нашего нашей наших ваш ваша ваше ваши вашего вашей "
            "ваших свой своя своё свое свои своего своей своих его её ее их каждый "
            "каждая каждое каждого каждой весь вся всё все всего всей всех какой "
            "какая какое какие такой такая такое такие несколько многие многих"
        ),
        particles=_folded(
            "не ни очень слишком весьма наиболее самый самая самое самые гораздо намного "
            "более менее еще ещё даже лишь только"
        ),
        fixed_phrases=_pairs("потому что, так как, то есть, для того, в том, тем не, не менее"),
        postpositions=_folded("бы б ли ль же ж"),
        titles=_folded("г гг ул им проф акад ст т тыс д"),
        multipliers=_folded(
            "тыс млн млрд трлн тысяча тысячи тысяч миллион миллиона миллионов "
            "миллиард миллиарда миллиардов процент процента процентов руб"
        ),
        # Nominative endings from the brief plus the oblique ones; words ending in
        # -ние/-тие/-ствие are neuter nouns ("решение"), not adjectives.
        adjective_endings=(
            "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие",
            "ого", "его", "ому", "ему", "ую", "юю", "ых", "их", "ыми", "ими", "ым", "им",
        ),
        not_adjective_endings=("ние", "тие", "вие"),
    ),
    "kk": LanguageRules(
        language="kk",
        conjunctions=_folded(
            "және бірақ немесе себебі өйткені сондықтан яғни алайда дегенмен әйтпесе "
            "әрі ал егер сонымен ендеше не я"
        ),
        # Kazakh has postpositions instead; nothing to keep with the next word.
        prepositions=frozenset(),
        determiners=_folded(
            "бұл осы сол мына ана әр барлық кейбір бірнеше қандай өз менің сенің "
            "оның біздің сіздің олардың бір"
        ),
        particles=_folded("өте ең тым аса"),
        fixed_phrases=_pairs("қаза тап*, ер адам*, әйел адам*, қол қой*, көз жұм*"),
        postpositions=_folded(
            "үшін туралы арқылы бойынша сияқты секілді дейін шейін кейін қарсы бері "
            "соң бірге қатысты сәйкес қарай жөнінде жайлы сайын бұрын гөрі кезінде "
            "ішінде арасында алдында артында үстінде астында жанында орнына бойы "
            "емес еді екен ғой ма ме ба бе па пе да де та те мен бен пен деп деген "
            "тарапынан байланысты"
        ),
        titles=frozenset(),
        multipliers=_folded("мың млн млрд миллион миллиард трлн пайыз"),
        # adjective suffixes, and the genitive, which also modifies the next noun
        adjective_endings=(
            "ның", "нің", "дың", "дің", "тың", "тің",
            "дағы", "дегі", "тағы", "тегі", "ғы", "гі", "қы", "кі",
            "лық", "лік", "дық", "дік", "тық", "тік", "сыз", "сіз", "шыл", "шіл",
        ),
        not_adjective_endings=(),
    ),
}

_ALIASES = {"eng": "en", "rus": "ru", "kaz": "kk"}

# Penalties (lower is a better place to break). Line breaks use them as they
# are; cue splits double them (see tmtool.captions).
SENTENCE = 0.0
CLAUSE = 1.0
PHRASE_OPEN = 3.0  # before "(" or an opening quote
CONJUNCTION = 5.0
PREPOSITION = 6.0
CLOSING_QUOTE = 4.0
PLAIN = 10.0
KEEP = 40.0  # after a preposition/article/conjunction, before a postposition
NAME = 30.0
NUMBER_WORD = 30.0
MULTIPLIER = 60.0
UNBREAKABLE = 100.0  # inside a digit group, number and % or currency
ADJECTIVE = 15.0

BALANCE_WEIGHT = 32.0  # times the sum of squared deviations from the mean line, / total²
TOP_HEAVY_WEIGHT = 1.5  # times (top - bottom) / total when the top line is longer

_SENTENCE_END = ".!?…"
_HAS_TERMINATOR = re.compile(f"[{re.escape(TERMINATORS)}]")
_CLAUSE_END = ",;:—–"
_DASHES = frozenset("—–-")
_OPENING = "([{«“„‘\"'"
_CURRENCY = frozenset("$€£¥₸₽₴")
_SYMBOL_UNITS = frozenset({"%", "‰", "°", "°c", "°f", "$", "€", "£", "¥", "₸", "₽", "₴"})


def rules_for(language: str) -> LanguageRules:
    """The rules for ``language`` ("en", "ru", "kk"; "en-GB", "kaz" also work).

    Other languages get punctuation, name and number rules only.
    """
    key = language.replace("_", "-").split("-")[0].lower()
    key = _ALIASES.get(key, key)
    return RULES.get(key, LanguageRules(language=key))


def text_width(words: Sequence[str]) -> int:
    """Characters of ``words`` joined by single spaces."""
    return sum(len(w) for w in words) + max(len(words) - 1, 0)


class _Token:
    """A word split into its core and surrounding punctuation, with what the rules ask of it.

    Everything is worked out once per word (penalties look at each word twice).
    """

    __slots__ = ("text", "core", "key", "lead", "trail", "is_word", "capitalised", "numeric", "initial")

    def __init__(self, text: str) -> None:
        start, end = 0, len(text)
        if end and text[0].isalnum() and text[-1].isalnum():
            core = text  # the usual plain word
        else:
            while start < end and not text[start].isalnum():
                start += 1
            while end > start and not text[end - 1].isalnum():
                end -= 1
            core = text[start:end]
        self.text = text
        self.core = core  # without leading/trailing punctuation
        self.key = fold(core)
        self.lead = text[:start]
        self.trail = text[end:]
        if core.isalpha():
            self.is_word, self.capitalised, self.numeric = True, core[0].isupper(), False
        else:
            self.is_word = any(ch.isalpha() for ch in core)
            self.capitalised = False
            for ch in core:
                if ch.isalpha():
                    self.capitalised = ch.isupper()
                    break
            self.numeric = bool(core) and any(ch.isdigit() for ch in core) and all(
                ch.isdigit() or ch in ".,'’" for ch in core
            )
        # "J." or "Ж.Ж." (one-letter capitals with full stops)
        bare = text.rstrip(",;:")
        self.initial = False
        if bare.endswith("."):
            parts = bare.split(".")
            self.initial = (
                len(parts) >= 2
                and all(len(p) == 1 and p.isalpha() and p.isupper() for p in parts[:-1])
                and parts[-1] == ""
            )



def words_of(text: str) -> list[str]:
    r"""The words of ``text`` as captions show them: split at spaces, never at no-break spaces.

    >>> words_of(" 20\u00a0000  people\n")
    ['20\xa0000', 'people']
    """
    words = text.split(" ")
    if words == text.split():  # already normalised: single spaces only
        return words
    norm = normalize_space(text)
    return norm.split(" ") if norm else []


def sentence_ends(words: Sequence[str], language: str) -> set[int]:
    """Indexes ``i`` where a sentence ends before ``words[i]`` (by :func:`split_sentences`)."""
    ends: set[int] = set()
    # A sentence only ends after a word holding a terminator (segment's rule):
    # most speech segments have none before their last word.
    if not _HAS_TERMINATOR.search(" ".join(words[:-1])):
        return ends
    count = 0
    for sentence in split_sentences(" ".join(words), language)[:-1]:
        count += len(sentence.split(" "))
        ends.add(count)
    return ends


def _ends_clause(tok: _Token) -> bool:
    if tok.core == "" and tok.text and tok.text[0] in _DASHES:
        return True  # a free-standing dash: break after it
    trail = tok.trail.rstrip("\"'»”’)]")
    return bool(trail) and (trail[-1] in _CLAUSE_END or trail[-1] in _SENTENCE_END)


def _adjective_like(tok: _Token, rules: LanguageRules) -> bool:
    key = tok.key
    if len(key) < 4 or key in rules.function_words or not key.isalpha():
        return False
    if key.endswith(rules.folded_not_adjective_endings):
        return False
    return key.endswith(rules.folded_adjective_endings)


def _noun_like(tok: _Token, rules: LanguageRules) -> bool:
    return (
        tok.is_word
        and not tok.lead
        and tok.key not in rules.function_words
        and not tok.numeric
    )


def break_penalties(
    words: Sequence[str],
    language: str,
    ends: set[int] | None = None,
) -> list[float]:
    """Penalty for breaking before each word: ``result[i]`` is the gap before ``words[i]``.

    ``result[0]`` is 0 (nothing to break). ``ends``, when given, holds
    the indexes ``i`` where a sentence ends before ``words[i]``; by default
    :func:`sentence_ends` finds them.

    >>> p = break_penalties("He lives in Almaty, and works".split(), "en")
    >>> p[4] < p[2] < p[1] < p[3]  # after the comma, before "in", plain, after "in"
    True
    """
    rules = rules_for(language)
    if ends is None:
        ends = sentence_ends(words, language)
    # Each word's part in the rules is worked out once per language (_features)
    cache = _FEATURES.get(rules.language)
    if cache is None or len(cache) > _FEATURES_KEPT:
        cache = _FEATURES[rules.language] = {}
    feats: list[_Features] = []
    for w in words:
        f = cache.get(w)
        if f is None:
            f = cache[w] = _features(w, rules)
        feats.append(f)
    n = len(feats)
    out = [0.0] * n
    if not n:
        return out
    a = feats[0]
    a_at_start = True  # is the word before the gap the first of a sentence?
    for i in range(1, n):
        b = feats[i]
        if i in ends:
            pen = SENTENCE + a.open_free
            if b.free:  # free-standing punctuation ("—", "»", "%"): never starts a line
                pen += UNBREAKABLE if b.symbol and a.numeric else KEEP
            out[i] = pen
            a, a_at_start = b, True
            continue
        # Where the break falls: the base penalty.
        if a.clause:
            pen = CLAUSE
        elif b.open_lead:
            pen = PHRASE_OPEN
        elif a.closes:
            pen = CLOSING_QUOTE
        else:
            pen = b.base  # before a conjunction, a preposition, or plain
        pen += a.open_free  # after a free-standing opening quote or bracket
        if b.free:
            pen += UNBREAKABLE if b.symbol and a.numeric else KEEP
        if a.glued:  # nothing punctuates the gap: what keeps the two words together
            pen += a.keep + b.keep_before
            if a.rare:
                pen += _rare_glue(a, b, rules)
            if a.name_left and b.name_right:  # a first and last name
                pen += NAME if not a_at_start else a.name_at_start
            if a.adjective and b.noun:  # an adjective and its noun
                pen += ADJECTIVE
        out[i] = pen
        a, a_at_start = b, False
    return out

class _Features:
    """What the penalty of a gap needs to know about one word, on either side of it, in one language.

    Worked out once per word and language (:func:`_features`), so that the
    penalty of a gap is a few look-ups (tests/test_linebreak.py keeps the rules
    written pair by pair, to check these against).
    """

    __slots__ = (
        "key", "text", "core_len", "lead", "numeric", "is_word",
        "clause", "closes", "open_free", "glued", "keep", "rare", "name_left", "name_right", "name_at_start",
        "adjective", "open_lead", "base", "free", "symbol", "keep_before", "noun",
    )

    key: str
    text: str
    core_len: int
    lead: bool
    numeric: bool
    is_word: bool
    clause: bool
    closes: bool
    open_free: float
    glued: bool
    keep: float
    rare: bool
    name_left: bool
    name_right: bool
    name_at_start: float
    adjective: bool
    open_lead: bool
    base: float
    free: bool
    symbol: bool
    keep_before: float
    noun: bool



def _base_penalty(key: str, rules) -> float:  # type: ignore[no-untyped-def]
    """The cost of a line break before this word, by its part of speech."""
    if key in rules.conjunctions:
        return CONJUNCTION
    if key in rules.prepositions or key in rules.determiners:
        return PREPOSITION
    return PLAIN

def _features(word: str, rules: LanguageRules) -> _Features:
    """The :class:`_Features` of ``word``: a plain word (letters, no punctuation) the short way."""
    f = _Features()
    if word.isalpha():  # the usual word: its own core, no punctuation around it
        key = word.casefold().translate(_FOLD_TABLE)
        function = key in rules.function_words
        capital = word[0].isupper()
        f.key, f.text, f.core_len, f.lead, f.numeric, f.is_word = key, word, len(word), False, False, True
        f.clause = f.closes = f.open_lead = f.free = False
        f.open_free = 0.0
        f.glued = True
        if key in rules.titles:
            keep = KEEP
        elif function and key not in rules.postpositions:
            keep = KEEP
        else:
            keep = 0.0
        if rules.possessive and key.endswith(rules.possessive) and key not in rules.particles:
            keep += KEEP
        f.keep = keep
        f.rare = key in rules.phrase_ends
        f.name_left = f.name_right = capital
        f.name_at_start = 0.0 if function else NAME / 2
        f.adjective = (
            len(key) >= 4
            and not function
            and key.isalpha()
            and not key.endswith(rules.folded_not_adjective_endings)
            and key.endswith(rules.folded_adjective_endings)
        )
        f.base = _base_penalty(key, rules)
        f.symbol = False
        f.keep_before = KEEP if key in rules.postpositions else 0.0
        f.noun = not function and not capital
        return f
    tok = _Token(word)
    key = tok.key
    f.key, f.text, f.core_len, f.lead, f.numeric, f.is_word = key, word, len(tok.core), bool(tok.lead), tok.numeric, tok.is_word
    # as the word before a gap
    f.clause = _ends_clause(tok)
    f.closes = bool(tok.trail) and tok.trail[-1] in "\"'»”’)"
    f.open_free = KEEP if not tok.core and tok.text and tok.text[-1] in _OPENING else 0.0
    f.glued = tok.trail in ("", "]") or tok.initial or (tok.trail == "." and key in rules.titles)
    keep = 0.0
    if tok.initial or key in rules.titles:
        keep += KEEP
    elif key in rules.function_words and key not in rules.postpositions:
        keep += KEEP
    if rules.possessive and key.endswith(rules.possessive) and key not in rules.particles:
        keep += KEEP
    f.keep = keep
    f.rare = tok.numeric or tok.text in _CURRENCY or key in rules.phrase_ends
    # a first and last name: two capitalised words, the second with nothing before it
    f.name_left = tok.is_word and tok.capitalised
    f.name_right = f.name_left and not tok.lead
    f.name_at_start = 0.0 if key in rules.function_words else NAME / 2
    f.adjective = _adjective_like(tok, rules)
    # as the word after a gap
    f.open_lead = bool(tok.lead) and tok.lead[0] in _OPENING
    f.base = _base_penalty(key, rules)
    f.free = not tok.core and bool(tok.text) and tok.text[0] not in _OPENING
    f.symbol = tok.text in _SYMBOL_UNITS
    f.keep_before = KEEP if key in rules.postpositions and not tok.lead else 0.0
    f.noun = _noun_like(tok, rules) and not tok.capitalised
    return f


_FEATURES: dict[str, dict[str, _Features]] = {}
_FEATURES_KEPT = 1 << 16  # words per language, then the cache starts again


def _rare_glue(a: _Features, b: _Features, rules: LanguageRules) -> float:
    """The extra penalty for a fixed phrase, a number and what it counts, or a currency sign and its number."""
    pen = 0.0
    for y in rules.phrase_ends.get(a.key, ()):
        if b.key == y or (y.endswith("*") and b.key.startswith(y[:-1])):
            pen += KEEP
            break
    if a.numeric:
        if b.numeric and b.core_len == 3 and not b.lead:
            pen += UNBREAKABLE  # "20 000"
        elif b.key in rules.multipliers or b.key in _SYMBOL_UNITS:
            pen += MULTIPLIER
        elif b.is_word and b.key not in rules.function_words and not b.lead:
            pen += NUMBER_WORD
    elif a.text in _CURRENCY and b.numeric:
        pen += UNBREAKABLE
    return pen


class LineFitter:
    """Best line layouts of any run ``words[i:j]`` of one text (shared sums, so cheap to ask often)."""

    def __init__(
        self, widths: Sequence[int], penalties: Sequence[float], max_chars: int, *, prefix: list[int] | None = None
    ):
        """``prefix``, when the caller has it: the running sums of ``widths`` from 0."""
        self.penalties = penalties
        self.max_chars = max_chars
        self.prefix = prefix if prefix is not None else [0, *accumulate(widths)]

    # A line is words[a:b] no wider than max_chars, or a single word. Any part
    # of a line is a line, so the fullest line from each word (and to each
    # word) bounds every search below. Worked out for all words when asked
    # often (captions), word by word for a single text.

    @lazy
    def line_end(self) -> list[int]:
        """``line_end[a]``: the largest b such that words[a:b] is a line (``line_end[n] == n``)."""
        # words[a:b] is ends[b] - ends[a] - 1 characters wide
        ends = [w + j for j, w in enumerate(self.prefix)]
        room = self.max_chars + 1
        line_end = [bisect_right(ends, e + room) - 1 for e in ends]
        for a in range(len(ends) - 1):
            if line_end[a] <= a:
                line_end[a] = a + 1  # a word wider than a line
        return line_end

    @lazy
    def line_start(self) -> list[int]:
        """``line_start[b]``: the smallest a such that words[a:b] is a line."""
        ends = [w + j for j, w in enumerate(self.prefix)]
        room = self.max_chars + 1
        line_start = [bisect_left(ends, e - room) for e in ends]
        for b in range(1, len(ends)):
            if line_start[b] >= b:
                line_start[b] = b - 1  # a word wider than a line
        return line_start

    def _end(self, a: int) -> int:
        """``line_end[a]``, without working out the whole list."""
        if "line_end" in self.__dict__:
            return self.line_end[a]
        prefix, max_chars = self.prefix, self.max_chars
        n, e = len(prefix) - 1, a + 1
        while e < n and prefix[e + 1] - prefix[a] + (e - a) <= max_chars:
            e += 1
        return min(e, n)

    def _start(self, b: int) -> int:
        """``line_start[b]``, without working out the whole list."""
        if "line_start" in self.__dict__:
            return self.line_start[b]
        prefix, max_chars = self.prefix, self.max_chars
        a = b - 1
        while a > 0 and prefix[b] - prefix[a - 1] + (b - a) <= max_chars:
            a -= 1
        return max(a, 0)

    def width(self, i: int, j: int) -> int:
        """Characters of words[i:j] joined by spaces."""
        return self.prefix[j] - self.prefix[i] + (j - i - 1)

    def best(self, i: int, j: int, limit: int | None = None) -> tuple[float, tuple[int, ...]]:
        """Like :func:`best_lines` for words[i:j]; breaks are absolute word indexes.

        With ``limit``, text needing more lines gets ``(inf, ())`` without a search.
        """
        n = j - i
        if n <= 0:
            return 0.0, ()
        total = self.width(i, j)
        if n == 1 or total <= self.max_chars:
            return 0.0, ()
        if j <= self._end(self._end(i)):  # two lines, the usual case
            if limit is not None and limit < 2:
                return math.inf, ()
            return self._two(i, j)  # type: ignore[return-value]
        lines = self._fewest(i, j)
        while lines <= n:
            if limit is not None and lines > limit:
                return math.inf, ()
            found = self._two(i, j) if lines == 2 else self._many(i, j, lines)
            if found is not None:
                return found
            lines += 1
        return 0.0, tuple(range(i + 1, j))  # unreachable: one word a line always fits

    def _fewest(self, i: int, j: int) -> int:
        """The fewest lines words[i:j] fit in (filling each line greedily is optimal for that)."""
        line_end = self.line_end
        lines, end = 1, line_end[i]
        while end < j:
            lines, end = lines + 1, line_end[end]
        return lines

    def _two(self, i: int, j: int) -> tuple[float, tuple[int, ...]] | None:
        found = self.two(i, j)
        return None if found is None else (found[0], (found[1],))

    def two(self, i: int, j: int, first: int | None = None, last: int | None = None) -> tuple[float, int] | None:
        """The best break of words[i:j] into two lines: (cost, first word of line 2); None if none fits.

        ``first`` and ``last``, when the caller has them, are ``line_start[j]`` and ``line_end[i]``.
        """
        prefix, pens = self.prefix, self.penalties
        start, end = prefix[i], prefix[j]
        letters = end - start
        scale = BALANCE_WEIGHT / 2 / (letters * letters)
        best, at = math.inf, -1
        # b runs over the breaks leaving both lines within the limit, in order
        if first is None or last is None:
            first, last = self._start(j), self._end(i)
        for b in range(max(i + 1, first), min(j - 1, last) + 1):
            middle = prefix[b]
            diff = (middle - start) - (end - middle)
            cost = pens[b] + scale * diff * diff
            if diff > 0:
                cost += TOP_HEAVY_WEIGHT * diff / letters
            if cost < best:
                best, at = cost, b
        return None if at < 0 else (best, at)

    def _many(self, i: int, j: int, lines: int) -> tuple[float, tuple[int, ...]] | None:
        # Dynamic programming over (lines used, words placed); balance only.
        prefix, pens, limit = self.prefix, self.penalties, self.max_chars
        letters = prefix[j] - prefix[i]
        mean = letters / lines
        scale = BALANCE_WEIGHT / (letters * letters)
        inf = math.inf
        cost = [[inf] * (j + 1) for _ in range(lines + 1)]
        back = [[0] * (j + 1) for _ in range(lines + 1)]
        cost[0][i] = 0.0
        for k in range(1, lines + 1):
            for e in range(i + k, j + 1):
                for s in range(e - 1, i + k - 2, -1):
                    if e - s > 1 and prefix[e] - prefix[s] + (e - s - 1) > limit:
                        break
                    if cost[k - 1][s] == inf:
                        continue
                    dev = prefix[e] - prefix[s] - mean
                    c = cost[k - 1][s] + scale * dev * dev + (pens[s] if s > i else 0.0)
                    if c < cost[k][e]:
                        cost[k][e], back[k][e] = c, s
        if cost[lines][j] == inf:
            return None
        breaks = []
        e = j
        for k in range(lines, 1, -1):
            e = back[k][e]
            breaks.append(e)
        return cost[lines][j], tuple(reversed(breaks))


def best_lines(
    widths: Sequence[int],
    penalties: Sequence[float],
    max_chars: int,
) -> tuple[float, tuple[int, ...]]:
    """Best layout of words of ``widths`` in the fewest lines of at most ``max_chars``.

    ``penalties[i]`` is the cost of breaking before word ``i``. Returns
    ``(cost, breaks)`` where ``breaks`` are the indexes of the words that start
    lines 2, 3, …; cost is the sum of their penalties plus the imbalance
    (squared deviations from equal lines, and for two lines a little more when
    the top one is longer). A single word wider than ``max_chars`` gets a line
    of its own. Whether the number of lines is acceptable is for the caller to
    decide (:mod:`tmtool.captions` cuts longer text into several cues first).

    >>> best_lines([5, 5, 5, 5], [0, 10, 1, 10], 12)
    (1.0, (2,))
    """
    return LineFitter(widths, penalties, max_chars).best(0, len(widths))


def break_lines(text: str, max_chars: int = 42, language: str = "en") -> tuple[str, ...]:
    """Lay ``text`` out in the fewest lines of at most ``max_chars``, broken as a subtitler would.

    Text that fits on one line stays on one line; whitespace is normalised
    (:func:`words_of`). A word longer than ``max_chars`` gets a line of its
    own. Checking the number of lines against a limit is the caller's job:
    :func:`tmtool.captions.layout` cuts text into cues that fit first.

    >>> break_lines("There is consternation among some AMs at a suggestion their title should change.")
    ('There is consternation among some AMs', 'at a suggestion their title should change.')
    >>> break_lines("Бірақ денуклеаризация туралы келіссөздер тығырыққа келіп тірелді.", 39, "kk")
    ('Бірақ денуклеаризация туралы', 'келіссөздер тығырыққа келіп тірелді.')
    """
    words = words_of(text)
    if not words:
        return ()
    pens = break_penalties(words, language)
    _, breaks = best_lines([len(w) for w in words], pens, max_chars)
    return split_at(words, breaks)


def split_at(words: Sequence[str], breaks: Sequence[int]) -> tuple[str, ...]:
    """Join ``words`` into lines starting at the indexes in ``breaks``."""
    bounds = [0, *breaks, len(words)]
    return tuple(" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:]) if b > a)
