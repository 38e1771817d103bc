"""Sentence segmentation for en, ru and kk (Cyrillic and Latin), as a subtitler would cut.

The splitter works on whitespace-separated tokens, so nothing inside a token is
ever cut: ``3.5``, ``05.01.2022``, ``20,000``, ``2022-ші``, ``Veritas.kz`` and
``@Veritas_kz`` stay whole by construction, and so do ``20 000`` and ``Mr. Smith``
written with a no-break space (U+00A0, U+2007, U+202F, U+2060), which is
deliberately non-breaking. A sentence may end only after a token ending in
``.``, ``?``, ``!``, ``…`` (or a run such as ``?!``, ``!!``, ``?..``, ``...``),
optionally followed by closing quotes or brackets, which stay with the sentence.

Whether it does end depends on how the next word starts (its first letter or
digit, after opening quotes, brackets and dialogue dashes):

- ``?`` / ``!``: ends before an uppercase letter or a digit.
- ellipsis (``…``, ``...``, ``?..``): ends only before an uppercase letter.
- ``.`` after an ordinary word: ends before an uppercase letter, or before a
  digit (unless the word is a single character, as in list numbering).
- ``.`` after an abbreviation never ends before a digit (``No. 5``, ``Jan. 5``,
  ``ст. 5``) nor before lowercase. Before an uppercase word it depends on the
  abbreviation's kind:

  * *never final* (``Mr.``, ``Dr.``, ``e.g.``, ``т.е.``, ``ул.``, ``мыс.``,
    ``б.з.д.``, Kazakh ``ж.``: Kazakh is verb-final, so ``2022 ж. Астанада``
    is mid-sentence, not an end): no break.
  * *name prefix* (initials ``А.С.``, ``Қ.-Ж.``, ``J. R. R.``, uppercase
    initialisms ``U.S.``, ``St.``, Russian ``г.``/``гг.``/``им.``, any other
    single letter): breaks only before a common sentence-starting word of
    the language (``The``, ``He``, ``Это``, ``После``, ``Бұл`` …) that is not
    itself an initial. So ``А.С. Пушкин``, ``the U.S. Senate`` and
    ``В 1991 г. Ельцин …`` stay whole, while ``moved to the U.S. He said``
    and ``в 1991 г. После этого`` split.
  * *may end a sentence* (``etc.``, ``a.m.``, ``Inc.``, ``т.д.``, ``т.п.``,
    ``др.``, ``млн.``, ``руб.``, ``т.б.``, ``т.с.с.``): breaks before an
    uppercase word unless it is a known continuation (weekday, month, time
    zone: ``5 p.m. Friday``; ``долл. США``). So ``и т.д. Потом`` splits.
  * *numeral* (``No.``, ``p.``, ``Fig.``): an abbreviation only before a
    number; ``No. The police left.`` is an answer and splits.

Dialogue lines ``— Да. — Нет.`` split into ``— Да.`` and ``— Нет.``: each turn
is a separate utterance on screen. Uppercase is tested with ``str.isupper()``
(Kazakh Ә Ғ Қ Ң Ө Ұ Ү Һ І and Latin look-alikes included); a letter with no
case (CJK, Arabic …) counts as a sentence start.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tmtool.model import Segment

__all__ = ["BoundaryScore", "normalize_space", "score_boundaries", "sentences", "split_sentences"]

# Deliberate no-break spaces: never collapsed, never a sentence boundary.
_NOBREAK = frozenset("\u00a0\u2007\u202f\u2060")
_SPACE_RUN = re.compile(r"\s+")
_HAS_NOBREAK = re.compile("[" + "".join(sorted(_NOBREAK)) + "]")

TERMINATORS = ".?!…‽。！？"
_CLOSERS = "\"'»”’“›)]}"
# Russian typography glues a dash to the preceding word with a no-break space
# ("сказал он.\u00a0— «Мы …»"); such a dash stays at the end of the sentence.
_END = re.compile(
    rf"([{re.escape(TERMINATORS)}]+)([{re.escape(_CLOSERS)}]*)(?:[\u00a0\u202f][—–])?$"
)
_LEADING_NON_ALNUM = re.compile(r"^[\W_]+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’‑][^\W\d_]+)*")
# Initials and uppercase initialisms: "J", "А.С", "Қ.-Ж", "U.S" (core without the final dot).
_INITIALS = re.compile(r"[^\W\d_](?:\.[-‑]?[^\W\d_])*")
_INITIAL_TOKEN = re.compile(rf"[^\W\d_](?:\.[-‑]?[^\W\d_])*\.[{re.escape(_CLOSERS)},;:]*")
_SHORT_DOTTED = re.compile(r"[^\W\d_]{1,2}\.")
_HAS_DIGIT = re.compile(r"\d")

NEVER, PREFIX, FINAL, NUMERAL = "never", "prefix", "final", "numeral"


@dataclass(frozen=True)
class _Rules:
    """Per-language tables; keys are lowercase abbreviations with their final dot."""

    abbreviations: dict[str, str]
    starters: frozenset[str]  # words that commonly begin a sentence
    continuations: frozenset[str]  # uppercase words that continue after a final abbreviation


def _table(kind: str, words: str) -> dict[str, str]:
    return {w: kind for w in words.split()}


_COMMON = {
    **_table(NEVER, "e.g. i.e. cf. vs. viz. approx. ca. dr. prof. z.b. d.h. bzw. u.a. vgl. ggf."),
    **_table(NUMERAL, "no. nos. nr. art. fig. vol. p. pp."),
    **_table(PREFIX, "st."),
    **_table(FINAL, "etc. usw."),
}

_EN = _Rules(
    abbreviations={
        **_COMMON,
        **_table(
            NEVER,
            "mr. mrs. ms. mx. messrs. dr. prof. rev. hon. sen. sens. rep. reps. gov. gen. "
            "col. lt. capt. sgt. cmdr. adm. maj. supt. insp. det. pres. amb. est. ed. eds.",
        ),
        **_table(NUMERAL, "p. pp. ch. sec. para. tel. vol. fig. art. no. nos."),
        **_table(PREFIX, "st. mt. ft."),
        **_table(
            FINAL,
            "etc. inc. ltd. co. corp. plc. llc. jr. sr. bros. esq. a.m. p.m. "
            "jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec.",
        ),
    },
    starters=frozenset(
        """The A An This That These Those It Its It's He She They We I You His Her Their Our
        My Your But And Or So Yet Nor In On At For From With Without After Before When While If
        As Since Because Although Though However Meanwhile Then There Here What Who Why How
        Where Which Some Many Most All Not One Two Now Today Yesterday Also Still Even Other
        Another Each Every Both Such Last Next During Under Over By To Of About According
        Instead Later Earlier Once Only Just Yes No Please Let Did Does Do Is Are Was Were
        Can Could Would Should Will Has Have Had""".split()
    ),
    continuations=frozenset(
        """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
        April May June July August September October November December ET EST EDT PT PST
        PDT CT CST CDT MT MST MDT GMT UTC BST CET CEST MSK Eastern Pacific Central""".split()
    ),
)

_RU = _Rules(
    abbreviations={
        **_COMMON,
        **_table(
            NEVER,
            "т.е. т.к. т.н. т.ч. напр. см. ср. ул. пр-т. просп. пл. пер. наб. д. кв. корп. "
            "проф. акад. доц. ген. св. тов. гр. пос. дер. обл. оз. ст. ч. п. пп. рис. табл. гл. "
            "т. стр. с. англ. нем. франц. лат. каз. рус. букв. род. ок. р-н. ж.-д. прим.",
        ),
        # "В 1991 г. Ельцин …" is far more common than a sentence ending in "г."
        # before a name; "им." is also the pronoun: "доверять им. По …".
        **_table(PREFIX, "г. гг. в. вв. р. им."),
        **_table(
            FINAL,
            "т.д. т.п. др. пр. тыс. млн. млрд. трлн. руб. коп. долл. чел. ед. шт. н.э. "
            "кг. км. мин. сек.",
        ),
    },
    starters=frozenset(
        """В Во На Но А И Он Она Оно Они Мы Я Вы Ты Это Этот Эта Эти Этого Так Также Тогда
        Потом Затем После Однако Когда Если Хотя Поэтому Кроме При По С Со К Из Для Как Что
        Кто Где Почему Зачем Сейчас Сегодня Вчера Там Тут Здесь Его Её Ее Их Все Всё Многие
        Один Одна Среди Между До От О Об Не Ни Да Нет Уже Еще Ещё Впрочем Кстати Наконец
        Таким Вместе Позже Ранее Теперь Именно Лишь Только Ведь Вот Же Или Либо Чтобы Пока
        Несмотря Около Более Менее Каждый Другие Некоторые Такие Мне Нам Им Позднее Спустя
        Через За Под Над Перед Впоследствии Сначала Летом Зимой Весной Осенью Всего Помимо
        Согласно Благодаря Большинство Такой Сам Сама Сами Своя Свой""".split()
    ),
    continuations=frozenset("США МСК UTC GMT".split()),  # "млрд. долл. США"
)

_KK = _Rules(
    abbreviations={
        **_COMMON,
        **_table(
            NEVER,
            # Cyrillic, then the 2021 Latin alphabet spellings of the same abbreviations.
            "ж. жж. ғ. ғғ. б.з.д. б.з. мыс. т.ғ.к. т.ғ.д. көш. даң. ауд. обл. проф. акад. ағ. "
            "j. jj. ğ. ğğ. b.z.d. b.z. mys. köş. aud. obl.",
        ),
        **_table(
            FINAL,
            "т.б. т.с.с. млн. млрд. трлн. тг. шақ. "
            "t.b. t.s.s. mln. mlrd. trln.",
        ),
    },
    starters=frozenset(
        """Бұл Ол Олар Біз Мен Сен Сіз Бірақ Алайда Және Сондай-ақ Сондықтан Содан Кейін Ал
        Осы Сол Мұнда Онда Қазір Бүгін Кеше Егер Өйткені Себебі Дегенмен Әрине Алдымен
        Соңында Сонымен Барлық Көптеген Кейбір Бір Тағы Иә Ия Жоқ Неге Қалай Кім Не Қайда
        Қашан Мұның Оның Олардың Біздің Менің Әр Әрбір Ең Сонда Яғни Бұдан Оған Оны Бізде
        Bul Ol Olar Biz Men Siz Biraq Alaida Jäne Sondyqtan Sodan Al Osy Sol Qazir Eger
        Sebebi Joq Nege Qalai Kim Ne Qaida Qaşan""".split()
    ),
    continuations=frozenset(),
)

# Other languages: the universal rules and a few Latin-script abbreviations.
_DEFAULT = _Rules(abbreviations=dict(_COMMON), starters=frozenset(), continuations=frozenset())

_RULES = {"en": _EN, "ru": _RU, "kk": _KK}


def _rules_for(language: str) -> _Rules:
    """Rules for a BCP 47-ish tag: ``kk``, ``kk-Latn``, ``ru_RU``, ``EN-us`` …"""
    primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    return _RULES.get(primary, _DEFAULT)


def normalize_space(text: str) -> str:
    """Collapse whitespace runs to one space and strip; runs of no-break spaces are kept.

    >>> normalize_space("  Hello,\\n\\tworld.  20\\u00a0000 ")
    'Hello, world. 20\\xa0000'
    """

    if not _HAS_NOBREAK.search(text):
        return " ".join(text.split())  # the common case, without a call per whitespace run

    def collapse(m: re.Match[str]) -> str:
        run = m.group()
        return run if all(c in _NOBREAK for c in run) else " "

    return _SPACE_RUN.sub(collapse, text).strip()


def split_sentences(text: str, language: str) -> list[str]:
    """Split ``text`` into sentences; ``" ".join(result) == normalize_space(text)``.

    >>> split_sentences("Mr. Smith arrived at 5 p.m. Friday. He left.", "en")
    ['Mr. Smith arrived at 5 p.m. Friday.', 'He left.']
    >>> split_sentences("А.С. Пушкин родился в 1799 г. в Москве и т.д. Потом всё.", "ru")
    ['А.С. Пушкин родился в 1799 г. в Москве и т.д.', 'Потом всё.']
    """
    norm = normalize_space(text)
    if not norm:
        return []
    tokens = norm.split(" ")
    rules = _rules_for(language)
    result: list[str] = []
    start = 0
    for i in range(len(tokens) - 1):
        if _ends_sentence(tokens, i, rules):
            result.append(" ".join(tokens[start : i + 1]))
            start = i + 1
    result.append(" ".join(tokens[start:]))
    return result


def _next_word(tokens: list[str], j: int) -> tuple[str, str, str] | None:
    """The next word's start: (first letter or digit, leading word, rest of its token).

    Leading quotes, brackets, dashes and ``@``/``#`` are skipped, and so are
    tokens made only of them (a dialogue dash ``—`` standing alone).
    """
    for k in range(j, min(j + 3, len(tokens))):
        rest = _LEADING_NON_ALNUM.sub("", tokens[k])
        if rest:
            m = _WORD.match(rest)
            return rest[0], (m.group() if m else ""), rest
    return None


def _is_start(char: str) -> bool:
    """Uppercase, or a letter of a script without case."""
    return char.isupper() or (char.isalpha() and not char.islower())


def _ends_sentence(tokens: list[str], i: int, rules: _Rules) -> bool:
    token = tokens[i]
    m = _END.search(token)
    if not m:
        return False
    nxt = _next_word(tokens, i + 1)
    if nxt is None:
        return False
    char, word, rest = nxt
    upper = _is_start(char)
    digit = char.isdigit()
    term = m.group(1)
    if "…" in term or ".." in term:
        return upper
    if any(c in term for c in "?!‽！？"):
        return upper or digit
    if term != ".":  # 。 and other full stops
        return upper or digit
    core = _LEADING_NON_ALNUM.sub("", token[: m.start()])
    kind = _abbreviation_kind(tokens, i, core, rules)
    if kind is None:
        return upper or (digit and len(core) > 1)
    if not upper:
        return False
    if kind == NUMERAL:  # "No. 5" stays, but "No. The police left." is an answer
        return True
    if kind == NEVER:
        return False
    if kind == PREFIX:
        return word in rules.starters and not _INITIAL_TOKEN.fullmatch(rest)
    return word not in rules.continuations


def _abbreviation_kind(tokens: list[str], i: int, core: str, rules: _Rules) -> str | None:
    """NEVER, PREFIX, FINAL or NUMERAL when ``core + "."`` is an abbreviation, else None."""
    if not core or _HAS_DIGIT.search(core):
        return None
    key = "".join(core.split()).lower() + "."
    prev = tokens[i - 1] if i > 0 else ""
    # Spaced abbreviations: "т. д.", "т. е.", "e. g."
    if prev and _SHORT_DOTTED.fullmatch(prev) and _SHORT_DOTTED.fullmatch(core + "."):
        joined = prev.lower() + key
        if joined in rules.abbreviations:
            return rules.abbreviations[joined]
    if len(core) == 1 and core.isupper():
        return PREFIX  # an initial: "P. Diddy", never the "p." of a page number
    if key in rules.abbreviations:
        return rules.abbreviations[key]
    if _INITIALS.fullmatch(core):
        letters = [c for c in core if c.isalpha()]
        if len(letters) == 1 or all(c.isupper() for c in letters):
            return PREFIX  # initials, single letters, U.S.
        return FINAL  # an unknown dotted lowercase abbreviation such as "a.s.a.p."
    return None


def sentences(
    segments: Sequence[Segment], language: str, *, keep_cues: bool = True
) -> list[Segment]:
    """One Segment per sentence; timed segments (cues) stay whole when ``keep_cues``.

    Sentences of one paragraph are numbered by ``part`` (0, 1, …) and copy its
    speaker, line and cue. A paragraph's own time stamp, if it has only one,
    goes to its first sentence (a start) or last sentence (an end), never to
    all of them. When a timed segment is split (``keep_cues=False``) its time
    is shared out by sentence length, so the pieces tile the cue. A segment
    with no text is passed through unchanged rather than dropped.
    """
    out: list[Segment] = []
    for seg in segments:
        if seg.timed and keep_cues:
            out.append(seg)
            continue
        parts = split_sentences(seg.text, language)
        if len(parts) <= 1:
            out.append(replace(seg, text=parts[0]) if parts else seg)
            continue
        if seg.timed:
            times = _share_time(seg, parts)
        else:
            times = [(None, None)] * len(parts)
            times[0] = (seg.start_ms, None)
            times[-1] = (None, seg.end_ms)
        out.extend(
            replace(seg, text=text, part=n, start_ms=start, end_ms=end)
            for n, (text, (start, end)) in enumerate(zip(parts, times))
        )
    return out


def _share_time(seg: Segment, parts: list[str]) -> list[tuple[int | None, int | None]]:
    """Divide ``seg``'s span among ``parts`` in proportion to their length."""
    assert seg.start_ms is not None and seg.end_ms is not None
    total = sum(len(p) for p in parts)
    span = seg.end_ms - seg.start_ms
    bounds = [seg.start_ms]
    done = 0
    for p in parts:
        done += len(p)
        bounds.append(seg.start_ms + round(span * done / total))
    return list(zip(bounds, bounds[1:]))


@dataclass(frozen=True)
class BoundaryScore:
    """How well predicted sentence boundaries match a reference, over many documents."""

    precision: float
    recall: float
    f1: float
    exact: int  # documents whose boundaries all match
    documents: int
    false_positives: int
    false_negatives: int


_VISIBLE_END = re.compile(
    rf"[{re.escape(TERMINATORS)}][{re.escape(_CLOSERS)}]*(?:\s*[—–-])?\s*$"
)


def _offsets(parts: Sequence[str], visible_only: bool = False) -> set[int]:
    """Boundaries as the count of letters and digits before them.

    Counting only alphanumerics makes a dash or quote kept on either side of a
    boundary, and any spacing difference, irrelevant.
    """
    found: set[int] = set()
    done = 0
    for part in parts[:-1]:
        done += sum(c.isalnum() for c in part)
        if not visible_only or _VISIBLE_END.search(part):
            found.add(done)
    return found


def score_boundaries(
    reference: Sequence[Sequence[str]],
    predicted: Sequence[Sequence[str]],
    *,
    visible_only: bool = True,
) -> BoundaryScore:
    """Compare sentence lists document by document (e.g. NTREX lines with our split).

    With ``visible_only`` a reference boundary after a sentence with no final
    punctuation (a headline) is not expected: no text-only splitter can see it.
    """
    tp = fp = fn = exact = 0
    for ref, pred in zip(reference, predicted, strict=True):
        gold, got = _offsets(ref, visible_only), _offsets(pred)
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
        exact += gold == got
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BoundaryScore(precision, recall, f1, exact, len(reference), fp, fn)
