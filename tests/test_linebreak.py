"""Line breaking as subtitlers do it, on real en/ru/kk sentences (seed, NTREX-128)."""

from __future__ import annotations

import doctest
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtool import linebreak
from tmtool.linebreak import (
    best_lines,
    break_lines,
    break_penalties,
    fold,
    rules_for,
    sentence_ends,
    words_of,
)

NTREX = {
    "en": ("newstest2019-src.eng.txt", 42),
    "ru": ("newstest2019-ref.rus.txt", 39),
    "kk": ("newstest2019-ref.kaz.txt", 39),
}


def test_doctests() -> None:
    assert doctest.testmod(linebreak).failed == 0


def lines(text: str, language: str) -> tuple[str, ...]:
    return break_lines(text, 42 if language == "en" else 39, language)


# --- each rule, per language, with real sentences --------------------------------------
# (sentences copied from the seed interview and from NTREX-128; expected breaks are
#  what a subtitler would choose, and each differs from the most balanced split)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # after punctuation
        ("en", ("For readers outside of Wales:", "In Welsh twp means daft and pwp means poo.")),
        ("en", ("After the January protests,", "10,000 people were arrested", "and 100 are still under investigation.")),
        ("ru", ("Далее он передал пас на ход Азару,", "который вышел на ворота.")),
        ("kk", ("Ол соққы жасар алдында,", "допты сол аяғына ауыстырды.")),
        # before a conjunction
        ("en", ("We have applied eight times", "but every time we have been rejected.")),
        ("ru", ("Он сместился влево", "и пробил в дальний угол ворот.")),
        # before a preposition, never after it
        ("en", ("He said the disappearance", "of bars was understandable.")),
        ("en", ("The species of shark responsible", "for the attack was unknown.")),
        ("ru", ("Мяч пролетел высоко и очутился", "в дальнем верхнем угле сетки.")),
        ("ru", ("Голкипер Кепа Аррисабалага прыгнул", "в направлении мяча, но было уже поздно.")),
        # never before a Kazakh postposition
        ("kk", ("Бірақ денуклеаризация туралы", "келіссөздер тығырыққа келіп тірелді.")),
        # a title and a name stay together; break before "that"
        ("en", ("Mr. Merriweather said", "that St. Martin's did not replace him.")),
        # a number and what it counts
        ("en", ("He said that 20,000 terrorists arrived", "in Kazakhstan.")),
        ("kk", ("Тұрғыны 380 000 адамнан", "асатын Палу қаласы қираған", "ғимараттардан көз ашпай қалды.")),
        # an intensifier stays with its word ("гораздо более оптимистичную")
        ("ru", ("Президент Трамп высказал", "гораздо более оптимистичную оценку.")),
        # adjective and noun ("оптимисттік күйде")
        ("kk", ("Трамп өз мәлімдемесінде", "оптимисттік күйде болды.")),
    ],
)
def test_rules_on_real_sentences(language: str, expected: tuple[str, ...]) -> None:
    assert lines(" ".join(expected), language) == expected


def test_text_that_fits_stays_on_one_line() -> None:
    assert lines("We can’t get registered by the government.", "en") == (
        "We can’t get registered by the government.",
    )
    assert lines("Ведется расследование убийства.", "ru") == ("Ведется расследование убийства.",)


def penalty_between(text: str, left: str, language: str) -> float:
    """The penalty of breaking right after the word ``left``."""
    words = words_of(text)
    return break_penalties(words, language)[words.index(left) + 1]


@pytest.mark.parametrize(
    ("language", "text", "glued", "free"),
    [
        # preposition + noun vs. a plain gap, same sentence
        ("en", "Because we work on pressing issues like human rights abuses.", "on", "work"),
        ("ru", "Стихийные бедствия еще больше затрудняют логистику.", "еще", "бедствия"),
        # article/determiner + noun
        ("en", "The main focus of Veritas is to highlight human rights abuses by the government.", "the", "abuses"),
        # Russian adjective + noun ("местных жителей") vs. noun + noun
        ("ru", "Полиция ищет возможных свидетелей убийства среди местных жителей.", "местных", "свидетелей"),
        ("ru", "Их здание было выкуплено черным приходом, располагавшимся по соседству.", "черным", "здание"),
        # first and last name (not at a sentence start) vs. an ordinary gap
        ("en", "I recently interviewed Alma Nurusheva in Astana.", "Alma", "recently"),
        ("ru", "Полиция арестовала 32-летнего мужчину, сообщил Сутопо Пурво Нугрохо.", "Сутопо", "арестовала"),
        # initials
        ("en", "It was played by a black musician, Dionisio A. Lind, who moved away.", "A.", "black"),
        # number + unit and digit groups
        ("en", "As a result, five people died and 5 people were hurt.", "5", "died"),
        ("ru", "Город Палу с населением свыше 380 тысяч людей был завален обломками.", "380", "Палу"),
        ("kk", "Тұрғыны 380 000 адамнан асатын Палу қаласы қираған ғимараттардан көз ашпай қалды.", "380", "Палу"),
        ("kk", "Тұрғыны 380 000 адамнан асатын Палу қаласы қираған ғимараттардан көз ашпай қалды.", "000", "қаласы"),
        ("kk", "Мен 30 жыл бойы осы жерде тұрдым.", "30", "жерде"),
        # a Kazakh postposition stays with the word before it
        ("kk", "Бұл мәселе Уэльс парламенті туралы және сайлау үшін маңызды.", "парламенті", "мәселе"),
        ("kk", "Ассамблея мүшесінің атауы саяси аумақ бойынша күлкі болатынына қауіптенеді.", "аумақ", "атауы"),
        # Russian negation stays with its verb
        ("ru", "«Ни от чего я не отказывался».", "не", "я"),
    ],
)
def test_glued_pairs_cost_more_than_plain_gaps(language: str, text: str, glued: str, free: str | None) -> None:
    bad = penalty_between(text, glued, language)
    if free is None:
        assert bad >= linebreak.KEEP
    else:
        assert bad > penalty_between(text, free, language) + 10


def test_currency_and_percent_never_split() -> None:
    words = words_of("Prices rose by 5 % and $ 20 000 was lost.")
    pens = break_penalties(words, "en")
    assert pens[words.index("%")] >= linebreak.UNBREAKABLE
    assert pens[words.index("20")] >= linebreak.UNBREAKABLE  # "$ | 20"
    assert pens[words.index("000")] >= linebreak.UNBREAKABLE


def test_sentence_start_capitals_are_not_a_name() -> None:
    text = "The Welsh letter w is pronounced similarly."
    assert penalty_between(text, "The", "en") < penalty_between("We met The Welsh here.", "The", "en")


def test_after_punctuation_beats_balance() -> None:
    """A comma break wins over a more balanced plain break; a one-word line loses."""
    assert lines("As long as these authorities are in power, there is no hope.", "en") == (
        "As long as these authorities are in power,",
        "there is no hope.",
    )
    assert lines("Yes, none of the reforms have been realized.", "en") == (
        "Yes, none of the reforms",
        "have been realized.",
    )


def test_balance_and_bottom_heavy() -> None:
    """With no rule to decide, lines come out balanced, the longer one below."""
    words = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii".split()
    cost, breaks = best_lines([4] * 9, [10.0] * 9, 30)
    top, bottom = " ".join(words[: breaks[0]]), " ".join(words[breaks[0] :])
    assert abs(len(top) - len(bottom)) <= 5 and len(top) <= len(bottom)


def test_long_word_gets_its_own_line() -> None:
    word = "Kassym-Jomart-Tokayev-Kassym-Jomart-Tokayev-Kassym"
    assert lines(f"This is {word} here.", "en") == ("This is", word, "here.")
    assert break_lines(word, 42) == (word,)


def test_three_lines_when_two_cannot_hold_the_text() -> None:
    text = "Everything is under [Tokayev’s] control like enforcement, security, and the intelligence services."
    got = break_lines(text, 42, "en")
    assert got == ("Everything is under [Tokayev’s] control", "like enforcement, security,", "and the intelligence services.")


def test_no_break_spaces_are_kept() -> None:
    assert words_of("20\u00a0000 адам  келді") == ["20\u00a0000", "адам", "келді"]
    assert lines("Бұл жерге 20\u00a0000 адам келді және олар ұзақ уақыт күтті.", "kk")[0].count("\u00a0") == 1


def test_sentence_ends_come_from_the_segmenter() -> None:
    words = words_of("Mr. Smith arrived at 5 p.m. Friday. He left.")
    assert sentence_ends(words, "en") == {words.index("He")}


# --- Kazakh with Latin look-alike letters -------------------------------------------

LOOKALIKES = str.maketrans({"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i"})


def test_fold_treats_lookalikes_as_the_same_letter() -> None:
    assert fold("жәнe") == fold("және")
    assert fold("TYPAЛЫ") == fold("туралы")
    assert rules_for("kk-Latn").language == "kk"
    assert rules_for("kaz") is rules_for("kk")


@pytest.mark.parametrize(
    "text",
    [
        "Бірақ денуклеаризация туралы келіссөздер тығырыққа келіп тірелді.",
        "Ол Киммен бірінші кездесуді үлкен қадам деп айтты және оның келесі кездесуге ниеті бар.",
        "Тергеу жүруде, себебі полиция қаза болған адамның жақын туыстарына хабар берді.",
    ],
)
def test_mixed_script_kazakh_breaks_the_same(text: str) -> None:
    mixed = text.translate(LOOKALIKES)
    assert mixed != text
    assert break_penalties(words_of(mixed), "kk") == break_penalties(words_of(text), "kk")
    assert [len(x) for x in lines(mixed, "kk")] == [len(x) for x in lines(text, "kk")]


# --- the whole NTREX set: ours against a naive balanced breaker ----------------------

LINE_END_BAD = {
    "en": set("the a an of in on at to for with by from and".split()),
    "ru": set("в во на с со к ко по о об от до из за для без у при про не и".split()),
    "kk": set(),
}
LINE_START_BAD = {
    "en": set(),
    "ru": set("бы ли же".split()),
    "kk": set("үшін туралы арқылы бойынша сияқты дейін кейін қарсы бері".split()),
}


def bad_breaks(result: tuple[str, ...], language: str) -> int:
    count = 0
    for top, bottom in zip(result, result[1:]):
        last, first = top.split()[-1].lower(), bottom.split()[0].lower()
        if last in LINE_END_BAD[language] or first in LINE_START_BAD[language]:
            count += 1
        elif re.fullmatch(r"\d+", last) and re.fullmatch(r"\d{3}\W*", first):
            count += 1
    return count


def naive_balanced(text: str, width: int) -> tuple[str, ...] | None:
    words = words_of(text)
    options = [
        (" ".join(words[:i]), " ".join(words[i:]))
        for i in range(1, len(words))
        if len(" ".join(words[:i])) <= width and len(" ".join(words[i:])) <= width
    ]
    return min(options, key=lambda p: abs(len(p[0]) - len(p[1]))) if options else None


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_ntrex_breaks_follow_the_rules(corpora, language: str) -> None:
    name, width = NTREX[language]
    sentences = (corpora / "ntrex128" / name).read_text(encoding="utf-8").splitlines()
    ours = naive = total = 0
    for text in sentences:
        naive_lines = naive_balanced(text, width)
        if len(text) <= width or naive_lines is None:
            continue
        got = break_lines(text, width, language)
        assert " ".join(got) == " ".join(words_of(text))
        assert len(got) == 2 and all(len(x) <= width for x in got), got
        total += 1
        ours += bad_breaks(got, language)
        naive += bad_breaks(naive_lines, language)
    assert total > 100
    assert ours <= 0.035 * total  # only where the 2-line limit forces it
    assert ours <= naive
    if language != "kk":  # the naive breaker rarely meets a postposition
        assert ours * 3 < naive


# --- properties -----------------------------------------------------------------------

WORDS = st.sampled_from(
    "the of and, Alma Nurusheva 20 000 адам жыл үшін туралы және в на не очень "
    "Kassym-Jomart-Tokayev-Kassym-Jomart-Tokayev-X 5% $ — « » (Veritas) end. Да? x".split()
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(WORDS, min_size=1, max_size=30),
    st.integers(min_value=5, max_value=50),
    st.sampled_from(["en", "ru", "kk", "de"]),
)
def test_break_lines_properties(words: list[str], width: int, language: str) -> None:
    text = " ".join(words)
    got = break_lines(text, width, language)
    assert " ".join(got) == text
    assert all(got)
    for line in got:
        assert len(line) <= width or " " not in line
    if len(text) <= width:
        assert got == (text,)
    # the fewest lines: no two neighbouring lines could be one
    for top, bottom in zip(got, got[1:]):
        assert len(top) + 1 + len(bottom) > width


# --- the penalties, rule by rule ----------------------------------------------------------
# break_penalties works each word's part in the rules out once (linebreak._features) and
# adds them up per gap. The reference below applies the rules to each pair of words as the
# module docstring states them; both must give the same penalty for every gap.


def reference_penalties(words: list[str], language: str, ends: set[int]) -> list[float]:
    lb = linebreak
    rules = rules_for(language)
    toks = [lb._Token(w) for w in words]
    out = [0.0] * len(toks)
    sentence_start = True
    for i in range(1, len(toks)):
        a, b = toks[i - 1], toks[i]
        a_at_start, at_end = sentence_start, i in ends
        sentence_start = at_end
        if at_end:
            pen = lb.SENTENCE
        elif lb._ends_clause(a):
            pen = lb.CLAUSE
        elif b.lead and b.lead[0] in lb._OPENING:
            pen = lb.PHRASE_OPEN
        elif a.trail and a.trail[-1] in "\"'»”’)":
            pen = lb.CLOSING_QUOTE
        elif b.key in rules.conjunctions:
            pen = lb.CONJUNCTION
        elif b.key in rules.prepositions or b.key in rules.determiners:
            pen = lb.PREPOSITION
        else:
            pen = lb.PLAIN
        if not a.core and a.text and a.text[-1] in lb._OPENING:
            pen += lb.KEEP
        if not b.core and b.text and b.text[0] not in lb._OPENING:
            pen += lb.UNBREAKABLE if b.text in lb._SYMBOL_UNITS and a.numeric else lb.KEEP
        glued = not at_end and (a.trail in ("", "]") or a.initial or (a.trail == "." and a.key in rules.titles))
        if not glued:
            out[i] = pen
            continue
        if a.initial or a.key in rules.titles:
            pen += lb.KEEP
        elif a.key in rules.function_words and a.key not in rules.postpositions:
            pen += lb.KEEP
        if b.key in rules.postpositions and not b.lead:
            pen += lb.KEEP
        for y in rules.phrase_ends.get(a.key, ()):
            if b.key == y or (y.endswith("*") and b.key.startswith(y[:-1])):
                pen += lb.KEEP
                break
        if rules.possessive and a.key.endswith(rules.possessive) and a.key not in rules.particles:
            pen += lb.KEEP
        if a.numeric:
            if b.numeric and len(b.core) == 3 and not b.lead:
                pen += lb.UNBREAKABLE
            elif b.key in rules.multipliers or b.key in lb._SYMBOL_UNITS:
                pen += lb.MULTIPLIER
            elif b.is_word and b.key not in rules.function_words and not b.lead:
                pen += lb.NUMBER_WORD
        elif a.text in lb._CURRENCY and b.numeric:
            pen += lb.UNBREAKABLE
        if a.is_word and b.is_word and a.capitalised and b.capitalised and not b.lead:
            if not a_at_start:
                pen += lb.NAME
            elif a.key not in rules.function_words:
                pen += lb.NAME / 2
        if lb._adjective_like(a, rules) and lb._noun_like(b, rules) and not b.capitalised:
            pen += lb.ADJECTIVE
        out[i] = pen
    return out


# Words and pairs that meet every rule: function words, names, titles, initials, numbers and
# units, currency, quotes and brackets, dashes, possessives, fixed phrases, postpositions,
# adjectives before nouns and names, mixed scripts.
RULE_WORDS = st.sampled_from(
    "the a of and but in Mr. Dr Smith's it's sort|of kind|of lot|of such|as due|to J. Ж.Ж. "
    "Alma|Nurusheva Tokayev 20|000 2017 5|% ‰ $|5 $5 ₸ 3|million 2|млн тыс|мың 10|пайыз 5|people "
    "« » ( ) (Veritas) \"open|minded\" — – - ... [Tokayev's] end. Да? ok! well, so: famous|Alma "
    "political|party political famous бурный|рост новые|Москва решение в на не очень и потому|что "
    "то|есть г.|Алматы және үшін туралы мен деп қаза|тапты ер|адам жоғарғы|Алма қақпаның|бұрышы "
    "ма Жәнe TYPAЛЫ x ɵмір ёлка the|Smith The|Smith".split()
).map(lambda w: w.split("|"))


@settings(max_examples=300, deadline=None)
@given(st.lists(RULE_WORDS, min_size=1, max_size=16), st.sampled_from(["en", "ru", "kk", "de"]), st.data())
def test_penalties_follow_the_rules_pair_by_pair(pieces: list[list[str]], language: str, data) -> None:
    words = [w for p in pieces for w in p]
    ends = set(data.draw(st.lists(st.integers(1, max(len(words) - 1, 1)), max_size=3), label="ends"))
    assert break_penalties(words, language, ends) == reference_penalties(words, language, ends)
    found = sentence_ends(words, language)
    assert break_penalties(words, language) == reference_penalties(words, language, found)


def test_penalties_on_ntrex_match_the_rules(corpora) -> None:
    for language, (name, _) in NTREX.items():
        lines_ = (corpora / "ntrex128" / name).read_text(encoding="utf-8").splitlines()[:300]
        for line in lines_:
            words = words_of(line)
            assert break_penalties(words, language) == reference_penalties(words, language, sentence_ends(words, language))
