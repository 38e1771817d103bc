"""Translation coverage: how much of a catalogue is translated, in messages and in source words.

Pure arithmetic over :class:`tmtool.formats.poscan.Entry` values, over the lighter
:data:`~tmtool.formats.poscan.Brief` tuples of ``Scan.brief()``, or, fastest, over a
whole file's :class:`~tmtool.formats.poscan.Tally` (:func:`count_scan`; no files, no printing).

**Messages** are counted exactly as ``msgfmt --statistics`` (GNU gettext 0.21)
counts them:

* the header entry (``msgid ""`` without ``msgctxt``) and obsolete (``#~``)
  entries are not counted;
* an entry whose ``msgstr`` — for a plural entry, ``msgstr[0]`` — is empty is
  *untranslated*, fuzzy flag or not;
* otherwise an entry with the fuzzy flag is *fuzzy* (msgfmt's reading of the
  flag: the last ``#,`` line decides, see :mod:`tmtool.formats.poscan`);
* everything else is *translated*: a plural entry whose ``msgstr[0]`` is
  filled counts as translated even when a later form is empty (the scanner
  warns about it).

**Words** are the English *source* words of each entry, counted as translate-
toolkit's ``pocount`` counts source words: ``msgid`` plus ``msgid_plural``; before
counting, ``<br>`` tags become line breaks, other XML/HTML tags are removed and
every "non-digit . non-digit" triple becomes one space (so ``e.g.`` counts 0
words and ``Hello.World`` two, as in pocount); then words are Unicode UAX #29
word segments that contain a letter or digit (``don't``, ``3.14``, ``1,000``,
``foo_bar`` are one word each; every CJK ideograph is a word). The word is put
in the bucket of its entry's message state, so ``translated_words`` are the
source words of translated entries. (UAX #29 is implemented here with
``unicodedata``; it agrees with pocount's segmenter on Latin, Cyrillic, digits
and punctuation; rare corner cases — Hebrew quotes, Katakana next to ``_`` —
may differ by a word.) The English of a catalogue is counted in bulk, all texts of a
state joined by a separator that no rule crosses (:func:`words_sum`): the same
numbers, text by text, as counting each on its own.

**Notes** are entries (counted ones only) that carry a translator comment
(``# …``): what ``tmtool notes`` writes and what Poedit shows as a comment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from itertools import repeat

from tmtool.formats.poscan import Brief, Entry, Scan, Tally, brief_of, tally

TRANSLATED, FUZZY, UNTRANSLATED = "translated", "fuzzy", "untranslated"


def state(entry: Entry) -> str | None:
    """The entry's msgfmt state, or None for the header and obsolete entries."""
    if entry.obsolete or (entry.msgctxt is None and entry.msgid == ""):
        return None
    if entry.msgstr[0] == "":
        return UNTRANSLATED
    return FUZZY if entry.fuzzy else TRANSLATED


# ---------------------------------------------------------------- counts


@dataclass(frozen=True)
class Counts:
    """Message and source-word counts of one catalogue (or a sum of several)."""

    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    total_words: int = 0
    translated_words: int = 0
    fuzzy_words: int = 0
    untranslated_words: int = 0
    notes: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Counts)))

    @property
    def percent(self) -> float | None:
        """Translated messages in %; None when there is nothing to translate."""
        return 100.0 * self.translated / self.total if self.total else None

    @property
    def percent_words(self) -> float | None:
        """Source words of translated messages in %; None when there are no words."""
        return 100.0 * self.translated_words / self.total_words if self.total_words else None

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(Counts)}


def count(entries: Iterable[Entry]) -> Counts:
    """Count a catalogue's entries the way msgfmt and pocount do (see the module docstring).

    >>> from tmtool.formats.poscan import Entry
    >>> count([Entry("", ("Language: kk\\n",)), Entry("Yes, of course.", ("Иә, әрине.",)),
    ...        Entry("Go", ("",), fuzzy=True)])
    Counts(total=2, translated=1, fuzzy=0, untranslated=1, total_words=4, translated_words=3, fuzzy_words=0, untranslated_words=1, notes=0)
    """
    return count_brief(map(brief_of, entries))


def count_brief(briefs: Iterable[Brief]) -> Counts:
    """:func:`count` over :meth:`Scan.brief <tmtool.formats.poscan.Scan.brief>` values."""
    return counts_of(tally(briefs))


def count_scan(scan: Scan) -> Counts:
    """Count a whole file, the fastest way (:meth:`Scan.tally <tmtool.formats.poscan.Scan.tally>`);
    raises :class:`~tmtool.errors.InputError` as reading it does."""
    return counts_of(scan.tally())


def counts_of(t: Tally) -> Counts:
    """:class:`Counts` of a :class:`~tmtool.formats.poscan.Tally`: its messages, and the words of its sources."""
    tw, fw, uw = map(words_sum, t.sources)
    return Counts(t.translated + t.fuzzy + t.untranslated, t.translated, t.fuzzy, t.untranslated,
                  tw + fw + uw, tw, fw, uw, t.notes)


# ---------------------------------------------------------------- words

_BR = re.compile(r"<br\s*?/?>")
_TAG = re.compile(r"""<([\w.:]+)(\s([\w.:]+=((".*?")|('.*?')))?)*/?>|</([\w.]+)>""")
_DOT = re.compile(r"\D\.\D")
# UAX #29 on ASCII, on bytes for speed. Classes: letters → a, digits → 0, "_" stays,
# MidLetter ":" stays, MidNumLet "." stays and "'" → q, MidNum "," ";" → ","; all else → space.
_ASCII_TABLE = bytes(
    ord("a") if (65 <= i <= 90 or 97 <= i <= 122) else ord("0") if 48 <= i <= 57
    else ord("q") if i == 39 else ord(",") if i == 59 else i if i in b"_:.," else ord(" ")
    for i in range(256)
)
_ASCII_WORDISH = bytes(ord("a") if i in b"a0" else ord("_") if i == 95 else ord("|") if i == 124 else ord(" ")
                       for i in range(256))
# For words_sum: NUL, the separator of the texts counted together, becomes "|", a class of its own
# that no rule below reads (no "." triple, no join) and that ends every word.
_SUM_TABLE = b"|" + _ASCII_TABLE[1:]
# Every pattern below starts with a literal byte, which re finds quickly (one that starts with a
# class, like "[^0|]\.[^0|]", is tried at every position: ten times slower on a whole catalogue).
# pocount's "." triple: a "." between two non-digits (and not next to "|") is a candidate, marked \x01;
_DOT_CANDIDATE = re.compile(rb"\.(?<=[^0|]\.)(?=[^0|])")
# candidates two or fewer apart form a chain, taken left to right as pocount's re.sub takes them;
_DOT_CHAIN = re.compile(rb"\x01(?:.?\x01)+", re.DOTALL)
# a taken one blanks itself and the byte after it (\x02 marks it), then, read backwards, the byte before.
_DOT_AFTER = re.compile(rb"\x01.", re.DOTALL)
_DOT_BEFORE = re.compile(rb"\x02.", re.DOTALL)
# A mid character joins two letters (":" "'"; a "." between letters is always a dot triple) or two
# digits ("." "," "'"); UAX #29 reads each one between its two original neighbours.
_JOINS = ((b":", re.compile(rb":(?<=a:)(?=a)")), (b"q", re.compile(rb"q(?:(?<=aq)(?=a)|(?<=0q)(?=0))")),
          (b".", re.compile(rb"\.(?<=0\.)(?=0)")), (b",", re.compile(rb",(?<=0,)(?=0)")))
_LONE_UNDERSCORES = re.compile(rb"(?<![a_])_+(?![a_])")  # a run of only "_" is no word
# Words of the texts words_sum counted lately (a few catalogues' English; emptied when full).
_SUM_CACHE: dict[str, int] = {}
_SUM_CACHE_SIZE = 20_000


def _dot_triples(b: bytes) -> bytes:
    r"""pocount's rule on class bytes: each non-digit "." non-digit triple becomes spaces, leftmost
    first, never overlapping (what ``re.sub(r"\D\.\D", " ", text)`` removes)."""
    marked = _DOT_CANDIDATE.sub(b"\x01", b)
    if b"\x01" not in marked:
        return b
    if _DOT_CHAIN.search(marked) is not None:  # "e.g.", "U.S.", "...": a few, done one by one
        ba = bytearray(marked)
        for chain in _DOT_CHAIN.finditer(marked):
            taken = -3
            for i in range(chain.start(), chain.end()):
                if ba[i] == 1:
                    if i > taken + 2:
                        taken = i
                    else:
                        ba[i] = 46  # overlaps the triple just taken: stays a "."
        marked = bytes(ba)
    return _DOT_BEFORE.sub(b"  ", _DOT_AFTER.sub(b"\x02 ", marked)[::-1])[::-1]


def _class_words_classes(b: bytes) -> bytes:
    """ASCII text turned into class bytes (``_ASCII_TABLE``) → "a" for each letter or digit of a
    word, " " elsewhere ("|", the separator of words_sum, stays): a word is each " a" (or a first "a")."""
    if b"." in b:
        b = _dot_triples(b)
    for mid, join in _JOINS:
        if mid in b:
            b = join.sub(b"a", b)
    b = b.translate(_ASCII_WORDISH)
    if b"_" in b:  # "_" joins words ("foo_bar" is one word)
        b = _LONE_UNDERSCORES.sub(b" ", b).replace(b"_", b"a")
    return b


def _class_words(b: bytes) -> int:
    """Words in ASCII text turned into class bytes (``_ASCII_TABLE``): no token lists, no loops."""
    b = _class_words_classes(b)
    return b.count(b" a") + b.count(b"|a") + (b[:1] == b"a")


def _ascii_words(text: str) -> int:
    """:func:`words` for ASCII text without tags."""
    return _class_words(text.encode("ascii").translate(_ASCII_TABLE))


def words_sum(texts: list[str]) -> int:
    """``sum(map(words, texts))``, counting the ASCII texts without tags (English, mostly) in one go.

    They are joined by NUL, which every rule treats as a wall: the "." triple and the joins never
    span it, and it ends a word. So no word is made, lost or merged across two texts and the sum
    is exact (tests compare the two on generated and real catalogues). Texts holding a NUL or a
    ``<``, or non-ASCII ones, are counted one by one (:func:`words`). Each text's count is kept a
    while: the catalogues of one recording in other languages have the same English.
    """
    if not texts:
        return 0
    counts = list(map(_SUM_CACHE.get, texts))
    if None not in counts:
        return sum(counts)  # type: ignore[arg-type]
    n = sum(filter(None, counts))  # type: ignore[arg-type]
    texts = [t for t, c in zip(texts, counts) if c is None]
    if len(_SUM_CACHE) > _SUM_CACHE_SIZE:
        _SUM_CACHE.clear()
    joined = "\0".join(texts)
    if not joined.isascii() or "<" in joined:
        other = [t for t in texts if not t.isascii() or "<" in t]
        each = list(map(words, other))
        _SUM_CACHE.update(zip(other, each))
        n += sum(each)
        texts = [t for t in texts if t.isascii() and "<" not in t]
        joined = "\0".join(texts)
    if not joined or joined.count("\0") != len(texts) - 1:  # a NUL in a text (never in one read from a file)
        return n + sum(map(words, texts))
    # Each text's words: its part of the word classes, behind a space so that every word starts with " a".
    classes = _class_words_classes(joined.encode("ascii").translate(_SUM_TABLE))
    each = list(map(bytes.count, (b" " + classes.replace(b"|", b"| ")).split(b"|"), repeat(b" a")))
    _SUM_CACHE.update(zip(texts, each))
    return n + sum(each)


# The same rules on a string of word-break classes (see _word_class).
_DROP_EXTEND = re.compile(r"(?<=[^Z])X+")
_JOIN = re.compile(r"(?<=A)[LQ](?=A)|(?<=N)[MQ](?=N)")
_KATAKANA_BREAK = re.compile(r"(?<=[AN])(?=K)|(?<=K)(?=[AN])")
_SEGMENT = re.compile(r"[ANEK]*[ANK][ANEK]*|O")

_MID_LETTER = frozenset(":\u00b7\u0387\u055f\u05f4\u2027\ufe13\ufe55\uff1a")
_MID_NUM_LET = frozenset(".'\u2018\u2019\u2024\ufe52\uff07\uff0e")
_MID_NUM = frozenset(",;\u037e\u0589\u060c\u060d\u066c\u07f8\u2044\ufe10\ufe14\ufe50\ufe54\uff0c\uff1b")
_NEWLINE = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
_SA_SCRIPTS = ("THAI ", "LAO ", "MYANMAR ", "KHMER ", "TAI LE ", "NEW TAI LUE ", "TAI THAM ", "TAI VIET ", "AHOM ")


def _word_class(ch: str) -> str:
    """One letter for the character's UAX #29 Word_Break class (approximated with unicodedata)."""
    if ch in _NEWLINE:
        return "Z"
    if ch in _MID_LETTER:
        return "L"
    if ch in _MID_NUM_LET:
        return "Q"
    if ch in _MID_NUM:
        return "M"
    cat = unicodedata.category(ch)
    if cat == "Pc" or ch == "\u202f":
        return "E"
    if cat in ("Mn", "Me", "Mc") or ch in "\u200c\u200d" or (cat == "Cf" and ch != "\u200b"):
        return "X"
    if cat == "Nd":
        return "N"
    if cat[0] == "L" or cat == "Nl":
        name = unicodedata.name(ch, "")
        if name.startswith(("KATAKANA", "HALFWIDTH KATAKANA")):
            return "K"
        if name.startswith(("CJK ", "HIRAGANA", "IDEOGRAPHIC", "TANGUT", "NUSHU", "KHITAN")) or name.startswith(_SA_SCRIPTS):
            return "O"
        return "A"
    if cat == "No":
        return "O"
    return " "


class _Classes(dict):  # type: ignore[type-arg]
    """str.translate table that learns each character's class on first sight."""

    def __missing__(self, code: int) -> str:
        value = self[code] = _word_class(chr(code))
        return value


_CLASSES = _Classes()


@lru_cache(maxsize=1 << 16)  # every English msgid is in each language's catalogue of a recording
def words(text: str) -> int:
    """Source words in ``text`` by pocount's rule (see the module docstring).

    >>> words("Don't stop: 3.14 is e.g. pi, <b>Привет</b> мир_2!")
    7
    """
    if not text:
        return 0
    if "<" in text:
        text = _TAG.sub("", _BR.sub("\n", text))
    if text.isascii():
        return _ascii_words(text)
    if "." in text[:-1]:  # a final "." has nothing after it to match
        text = _DOT.sub(" ", text)
    classes = text.translate(_CLASSES)
    if "X" in classes:
        classes = _DROP_EXTEND.sub("", classes)
    classes = _JOIN.sub("", classes)
    if "K" in classes:
        classes = _KATAKANA_BREAK.sub(" ", classes)
    return len(_SEGMENT.findall(classes))


# ---------------------------------------------------------------- what is left


@dataclass(frozen=True)
class Missing:
    """An entry still to translate (or to review, when fuzzy), where a translator finds it."""

    entry: str  # tmtool's entry id (8 hex digits, as ``tmtool notes`` takes it)
    msgctxt: str | None
    text: str  # the English msgid
    state: str  # "untranslated" or "fuzzy"
    line: int
    time_ms: int | None  # start in the recording, from a "#. time: …" comment


_TIME = re.compile(r"^\s*time:\s*(\S+)")


def entry_time(entry: Entry) -> int | None:
    """Start of the entry in the recording (ms) from its ``#. time: 00:01:23.450 …`` comment."""
    from tmtool.project import parse_duration
    from tmtool.errors import TmtoolError

    for c in entry.extracted_comments:
        m = _TIME.match(c)
        if m:
            try:
                return parse_duration(m.group(1))
            except TmtoolError:
                continue
    return None


def missing(entries: Iterable[Entry]) -> Iterator[Missing]:
    """The untranslated and fuzzy entries, in file order."""
    from tmtool.catalog import entry_id

    for e in entries:
        st = state(e)
        if st is None or st == TRANSLATED:
            continue
        yield Missing(entry_id(e), e.msgctxt, e.msgid, st, e.line, entry_time(e))  # type: ignore[arg-type]
