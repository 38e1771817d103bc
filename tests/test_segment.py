"""Sentence segmentation: the rules a subtitler expects, on real sentences, and NTREX measured."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtool import segment
from tmtool.model import Segment
from tmtool.segment import normalize_space, score_boundaries, sentences, split_sentences

NBSP, NNBSP = "\u00a0", "\u202f"


def check(language: str, expected: list[str]) -> None:
    """Joining ``expected`` gives the input; splitting it must give ``expected`` back."""
    assert split_sentences(" ".join(expected), language) == expected


# --- English: abbreviations, initials, numbers (seed and NTREX sentences) ---------------


@pytest.mark.parametrize(
    "expected",
    [
        # NTREX: titles and saints before names never end a sentence.
        [
            "The expert, Tiffany Ng of the University of Michigan, also noted that it was the "
            "first carillon in the world to be played by a black musician, Dionisio A. Lind, "
            "who moved to the larger carillon at the Riverside Church 18 years ago.",
            "Mr. Adams said the bells of St. Martin's had fallen silent.",
        ],
        ["Sean Combs has been variously known as Puff Daddy, P. Diddy or Diddy.", "It stuck."],
        [
            "The released information reportedly included the home addresses and phone numbers "
            "for U.S. Sens. Lindsey Graham of South Carolina, and Mike Lee and Orrin Hatch, "
            "both of Utah.",
            "U.S. Rep. Maxine Waters on Saturday denounced allegations.",
        ],
        # a.m./p.m. end a sentence, but not before a weekday or time zone.
        [
            "Rosa had winds of 85 mph, a Category 1 Hurricane, as of 5 a.m. Eastern time "
            "Sunday, and was located 385 miles southwest of Punta Eugenia, Mexico.",
            "Trump's Wheeling, West Virginia rally is scheduled for 7 p.m. ET tonight.",
            "It starts at 7 p.m.",
            "The doors open earlier.",
        ],
        # U.S. ends a sentence before a sentence starter, not before "President".
        [
            "Meanwhile, a trough is beginning to take shape over the Pacific Ocean and move east "
            "toward the West Coast of the U.S.",
            "As Rosa approaches the Baja California peninsula on Monday it will push deep "
            "tropical moisture northward.",
            "Both Kim and U.S. President Donald Trump want a second summit.",
        ],
        ["J. R. R. Tolkien wrote it in Oxford, i.e. at home.", "Mrs. Tolkien typed it."],
        ["Prices rose, e.g. for bread, on Jan. 5.", "No. 10 Downing St. issued a statement."],
        ["Dr. Jones spoke first.", "Then Prof. Smith did, etc.", "That was all."],
        # Seed: numbers stay whole, handles and domains are not cut.
        [
            "[Tokayev] said that 20,000 terrorists came to Kazakhstan to protest.",
            "After the January protests, 10,000 people were arrested and 100 are still under "
            "investigation.",
        ],
        [
            "I recently interviewed Alma Nurusheva (@Alma_Karimgan) of the Kazakh-based civil "
            "society group Veritas (@Veritas_kz) in Astana.",
            "See Veritas.kz for 3.5 million records.",
        ],
        # Seed: a one-word answer "No." is a sentence; "No, ..." is not cut.
        ["No, unfortunately.", "The police just disappeared suddenly."],
        ["No.", "The police just disappeared suddenly."],
        # A number ends a sentence before a number.
        ["The toll rose to 832.", "20 people are missing."],
        ["Protests in Almaty, Kazakhstan in January 2022.", "(Vladimir Tretyakov)"],
    ],
)
def test_english(expected: list[str]) -> None:
    check("en", expected)


@pytest.mark.parametrize(
    "expected",
    [
        ["What does Veritas do?", "Veritas is an organization."],
        ["Really?!", "Yes!!", "Fine."],
        # Quotes and brackets after the end mark stay with their sentence.
        ['He said: "We lost."', "Then he left."],
        ["(See the photo.)", "It was sad."],
        [
            "\"I yelled at everyone to get out of the water: 'There's a shark in the water!'\"",
            "Hammel added.",
        ],
        # Ellipsis: split only before an uppercase start.
        ["Wait... what did you say?", "Nothing…", "Then go."],
        ["It was 20… 30 people, I think.", "Maybe more."],
    ],
)
def test_english_punctuation(expected: list[str]) -> None:
    check("en", expected)


@pytest.mark.parametrize(
    "text",
    [
        "What? he asked.",  # a question mark before lowercase is inside the sentence
        "He paid 20 000 dollars, 20,000 in all.",
        f"He paid 20{NBSP}000 dollars or 20{NNBSP}000 euros.",
        "On 05.01.2022 the price was 3.5 or 3,5 tenge.",
        "Mr. Smith and Mrs. Smith met Dr. Jones at 5 p.m. Friday.",
        "Follow @Veritas_kz or Veritas.kz or https://veritas.kz/a.b?c=1!",
    ],
)
def test_never_split_inside(text: str) -> None:
    assert split_sentences(text, "en") == [text]


def test_no_break_space_is_never_a_boundary() -> None:
    assert split_sentences(f"He left.{NBSP}Then she did.", "en") == [f"He left.{NBSP}Then she did."]


# --- Russian -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expected",
    [
        # NTREX: "англ." and "Св." before capitalised words.
        [
            "Среди некоторых членов Национальной ассамблеи зреет недовольство предложением "
            "принять для их наименования аббревиатуру MWP (от англ. Member of the Welsh "
            "Parliament — член Парламента Уэльса).",
            "Эксперт отметила, что именно карильон из церкви Св. Мартина был первым в мире, "
            "на котором играл черный музыкант, Дионисио А. Линд.",
            "18 лет назад его пригласили играть на более крупном карильоне.",
        ],
        # NTREX: "млрд. долл. США" is one phrase; a year with "г." mid-sentence.
        [
            "Упоминается, что мировые лидеры пообещали выделить средства на сумму более 37 млрд. "
            "долл. США, которая должна повлиять на жизнь более 2,25 млрд. человек к 2030 году.",
            "На этом месте 2 октября 1968 г. во время мирной демонстрации студентов раздались "
            "первые выстрелы.",
        ],
        # An abbreviation can end a sentence: "и т.д. Потом …"
        ["Пришли Иванов, Петров и т.д.", "Потом все ушли."],
        ["Пришли Иванов, Петров и т. д.", "Потом все ушли."],
        ["Он купил хлеб, молоко и т.п.", "Это стоило 500 руб.", "Дорого."],
        ["Это произошло в 1991 г.", "После этого всё изменилось."],
        ["В 1991 г. Ельцин стал президентом.", "Это было давно."],
        # Initials stay with the name; "т.е.", "см.", "ул.", "им." before names.
        ["А.С. Пушкин жил на ул. Мойке, т.е. в центре.", "Это известно."],
        ["Пушкин А. С. родился в Москве.", "См. рис. 5 и прим. Иванова."],
        ["Он живёт в г. Алматы на ул. Абая, в парке им. Горького.", "Там тихо."],
        ["Надо доверять им.", "По крайней мере, пока."],
        # Numbers, ellipses, quotes, ?.. and ?!
        ["В 2022 году арестовали 10 000 человек, из них 20\u00a0000 — в Алматы.", "Ужасно."],
        ["Встреча 05.01.2022 прошла хорошо…", "Затем все ушли… и вернулись."],
        ["Почему?..", "Не знаю.", "Как?!", "Вот так."],
        ["«Куда ты?» — спросил он.", "«Домой», — ответил я."],
        # NTREX: a dash glued to the sentence by a no-break space stays at its end.
        [
            "«С Северной Кореей дела обстоят замечательно»,\u00a0— сказал он.\u00a0—",
            "«Мы были на грани войны с Северной Кореей.",
        ],
    ],
)
def test_russian(expected: list[str]) -> None:
    check("ru", expected)


def test_russian_dialogue_lines_split_per_turn() -> None:
    assert split_sentences("— Да. — Нет. — Почему?.. — Потому что.", "ru") == [
        "— Да.",
        "— Нет.",
        "— Почему?..",
        "— Потому что.",
    ]


# --- Kazakh (Cyrillic and Latin) -----------------------------------------------------------


@pytest.mark.parametrize(
    "expected",
    [
        # "ж." after a year never ends a Kazakh sentence (the verb comes last).
        ["2022 ж. қаңтарда Алматыда наразылық болды.", "Қ.-Ж. Тоқаев сөйледі."],
        ["2022 ж. Алматыда оқиғалар болды.", "Бұл маңызды."],
        # NTREX
        [
            "Солтүстік Корея 1950-53 жж. соғысты ресми аяқтағысы келгенімен, АҚШ оның алдымен "
            "ядролық қарудан бас тартуы керегін айтты.",
            "Үш жыл бұрын Sainsbury's компаниясы дәріхана бизнесін Celesio компаниясына 125 млн. "
            "фунтқа сатты.",
        ],
        [
            "Мичиган университетіндегі эксперт Тиффани Нг қара нәсілді музыкант Дионисио А. Линд "
            "ойнаған әлемдегі бірінші карильон екенін айтты.",
            "Ол 18 жыл бұрын ауысқан.",
        ],
        # Abbreviations that can end a sentence, and ones that cannot.
        ["Базарда алма, алмұрт т.б.", "Бұл жемістер арзан."],
        ["Ескерткіш б.з.д. IV ғасырда салынған.", "Мыс. Алматыда да бар."],
        ["Бюджет 2,8 млрд. теңге болды.", "Әлихан келді.", "Ұлттық кеңес ашылды."],
        # Numbers and ordinals stay whole; Kazakh capitals Ә Ғ Қ Ң Ө Ұ Ү Һ І start sentences.
        ["2022-ші жылы 20 000 адам ұсталды.", "Өкінішке орай, бұл рас."],
        ["Іс жүрді.", "Үкімет үнсіз.", "Һәм солай болды.", "Ғалымдар келісті."],
        # Real text mixes Latin look-alikes (Latin "K" here).
        ["Бәрі тыныш.", "\u004bеше жиналыс болды."],
        ["Неге?", "Білмеймін…", "Мүмкін."],
        ["Біз @Veritas_kz және Veritas.kz арқылы жазамыз.", "Оқыңыз."],
    ],
)
def test_kazakh(expected: list[str]) -> None:
    check("kk", expected)


def test_kazakh_latin_script() -> None:
    for language in ("kk-Latn", "kk_Latn_KZ"):
        check(
            language,
            ["2022 j. qañtarda Almatyda narazylyq boldy.", "Bul mañyzdy.", "Älihan keldi."],
        )
        check(language, ["Alma, almūrt t.b.", "Bul jemister."])


def test_uppercase_detection_is_not_a_hardcoded_range() -> None:
    # Kazakh-only capitals, Latin look-alikes, Greek, and a letter with no case.
    for start in ("Ә", "Ғ", "Қ", "Ң", "Ө", "Ұ", "Ү", "Һ", "І", "K", "Ω", "漢"):
        assert split_sentences(f"Бітті. {start}басы.", "kk") == ["Бітті.", f"{start}басы."]


def test_other_languages_get_universal_rules() -> None:
    assert split_sentences("Dr. Müller kam um 8 Uhr. Er ging, z.B. nach Berlin.", "de") == [
        "Dr. Müller kam um 8 Uhr.",
        "Er ging, z.B. nach Berlin.",
    ]
    assert split_sentences("これはペンです。 それは本です。", "ja") == ["これはペンです。", "それは本です。"]
    assert split_sentences("One. Two.", "") == ["One.", "Two."]


# --- whitespace and the join invariant ----------------------------------------------------


def test_normalize_space() -> None:
    assert normalize_space(" a \n\t b ") == "a b"
    # A trailing no-break space is stripped like any other.
    assert normalize_space(f"20{NBSP}000 \u2007") == f"20{NBSP}000"
    assert normalize_space(f"a {NBSP} b") == "a b"  # a run with a breaking space collapses
    assert split_sentences("  \n ", "en") == []


def test_module_doctests() -> None:
    assert doctest.testmod(segment).failed == 0


FRAGMENTS = [
    "Mr.", "U.S.", "т.д.", "т. д.", "ж.", "А.С.", "Қ.-Ж.", "No.", "e.g.", "a.m.", "г.",
    "Он", "он", "The", "the", "Бұл", "Әлихан", "20,000", "20 000", "3.5", "05.01.2022",
    "2022-ші", "@Veritas_kz", "Veritas.kz", ".", "?", "!", "?!", "?..", "...", "…", "»", "«",
    '"', "'", "(", ")", "[", "]", "—", "-", " ", "  ", "\n", "\t", NBSP, NNBSP, "\u2007",
    "\u2060", "x", "Z", "5",
]
LANGUAGES = ["en", "ru", "kk", "kk-Latn", "de", ""]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
        st.text(max_size=200),
    ),
    st.sampled_from(LANGUAGES),
)
def test_split_invariants(text: str, language: str) -> None:
    result = split_sentences(text, language)
    assert " ".join(result) == normalize_space(text)
    for sentence in result:
        assert sentence
        assert sentence == sentence.strip()  # no sentence starts or ends with whitespace


# --- Segments ----------------------------------------------------------------------------


def test_sentences_numbers_parts_and_copies_fields() -> None:
    paragraph = Segment(
        "What are the issues? We can’t get registered. Nothing else.",
        speaker="Alma Nurusheva",
        line=17,
        start_ms=83_000,
    )
    result = sentences([paragraph, Segment("Why?", speaker="Interviewer", line=19)], "en")
    assert [s.text for s in result] == [
        "What are the issues?",
        "We can’t get registered.",
        "Nothing else.",
        "Why?",
    ]
    assert [s.part for s in result] == [0, 1, 2, 0]
    assert {s.speaker for s in result[:3]} == {"Alma Nurusheva"}
    assert {s.line for s in result[:3]} == {17}
    # A single time stamp belongs to the paragraph's first sentence, not to all of them.
    assert [s.start_ms for s in result[:3]] == [83_000, None, None]
    assert result[3] == Segment("Why?", speaker="Interviewer", line=19)


def test_sentences_keep_cues_whole() -> None:
    cue = Segment("Да. Нет. Может быть.", start_ms=1_000, end_ms=4_000, line=5, cue=2)
    assert sentences([cue], "ru") == [cue]


def test_sentences_can_split_cues_sharing_their_time() -> None:
    cue = Segment("Да. Нет. Может быть.", speaker="A", start_ms=1_000, end_ms=4_000, line=5, cue=2)
    result = sentences([cue], "ru", keep_cues=False)
    assert [s.text for s in result] == ["Да.", "Нет.", "Может быть."]
    assert {(s.cue, s.line, s.speaker) for s in result} == {(2, 5, "A")}
    assert result[0].start_ms == 1_000 and result[-1].end_ms == 4_000
    assert all(a.end_ms == b.start_ms for a, b in zip(result, result[1:]))
    assert all(s.start_ms < s.end_ms for s in result)  # type: ignore[operator]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30).map("".join),
    st.integers(0, 10_000_000),
    st.integers(0, 100_000),
)
def test_sentences_time_tiles_the_cue(text: str, start: int, length: int) -> None:
    cue = Segment(text, start_ms=start, end_ms=start + length, cue=1)
    result = sentences([cue], "en", keep_cues=False)
    assert result
    assert result[0].start_ms == start and result[-1].end_ms == start + length
    assert all(a.end_ms == b.start_ms for a, b in zip(result, result[1:]))
    assert [s.part for s in result] == list(range(len(result)))


# --- NTREX-128: one sentence per line, measured -------------------------------------------

NTREX = {
    "en": "newstest2019-src.eng.txt",
    "ru": "newstest2019-ref.rus.txt",
    "kk": "newstest2019-ref.kaz.txt",
}
# Measured here: en 0.997, ru 0.975, kk 0.988. The ru/kk references often hold two
# sentences on one line (a translator's merge), which counts against precision.
# A naive split at every end mark scores en 0.95, ru 0.96, kk 0.98; splitting also
# requiring an uppercase start scores en 0.970, ru 0.968, kk 0.984: both fail.
MIN_F1 = {"en": 0.99, "ru": 0.97, "kk": 0.985}


def ntrex_documents(corpora: Path, language: str) -> list[list[str]]:
    folder = corpora / "ntrex128"
    ids = (folder / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").split()
    lines = (folder / NTREX[language]).read_text(encoding="utf-8").splitlines()
    assert len(ids) == len(lines)
    docs: dict[str, list[str]] = {}
    for doc, line in zip(ids, lines):
        docs.setdefault(doc, []).append(line)
    return list(docs.values())


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_ntrex_boundaries(corpora: Path, language: str) -> None:
    """Join each document's lines into a paragraph; the split must find the line breaks."""
    docs = ntrex_documents(corpora, language)
    predicted = [split_sentences(" ".join(doc), language) for doc in docs]
    score = score_boundaries(docs, predicted)
    print(
        f"NTREX {language}: F1 {score.f1:.3f} (P {score.precision:.3f}, R {score.recall:.3f}), "
        f"{score.exact}/{score.documents} documents exact, "
        f"{score.false_positives} extra, {score.false_negatives} missed"
    )
    assert score.recall >= 0.99
    assert score.f1 >= MIN_F1[language]


def test_score_boundaries_counts_errors() -> None:
    reference = [["Headline", "One.", "Two."]]
    assert score_boundaries(reference, [["Headline One.", "Two."]]).f1 == 1.0
    missed = score_boundaries(reference, [["Headline One. Two."]])
    assert (missed.recall, missed.false_negatives) == (0.0, 1)
    extra = score_boundaries(reference, [["Headline", "One.", "Two."]])
    assert (extra.false_positives, extra.exact) == (1, 0)
    assert score_boundaries(reference, [["Headline", "One.", "Two."]], visible_only=False).f1 == 1.0
