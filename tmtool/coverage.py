"""Translation coverage: how much of a catalogue is translated, in messages and in source words.

Pure arithmetic over :class:`tmtool.formats.poscan.Entry` values, or over the lighter
:data:`~tmtool.formats.poscan.Brief` tuples of ``Scan.brief()`` (no files, no printing).

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
may differ by a word.)

**Notes** are entries (counted ones only) that carry a translator comment
(``# …``): what ``tmtool notes`` writes and what Poedit shows as a comment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache

from tmtool.formats.poscan import Brief, Entry, brief_of

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
    """:func:`count` over :meth:`Scan.brief <tmtool.formats.poscan.Scan.brief>` (the fast way to count a file)."""
    t = f = u = tw = fw = uw = notes = 0
    w_of = words
    for ctx, msgid, plural, s0, fuzzy, obsolete, noted in briefs:
        if obsolete or (ctx is None and msgid == ""):
            continue
        w = w_of(msgid)
        if plural is not None:
            w += w_of(plural)
        if s0 == "":
            u += 1
            uw += w
        elif fuzzy:
            f += 1
            fw += w
        else:
            t += 1
            tw += w
        if noted:
            notes += 1
    return Counts(t + f + u, t, f, u, tw + fw + uw, tw, fw, uw, notes)


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
# A mid character joins two letters (":" "." "'") or two digits ("," "." "'"); replacing the
# pattern twice catches chains ("a.b.c"), as each pass leaves no two unjoined marks side by side.
_ASCII_JOINS = ((b"a.a", b"aaa"), (b"a:a", b"aaa"), (b"aqa", b"aaa"),
                (b"0.0", b"000"), (b"0,0", b"000"), (b"0q0", b"000"))
_ASCII_WORDISH = bytes(ord("a") if i in b"a0" else ord("_") if i == 95 else ord(" ") for i in range(256))


def _ascii_words(text: str) -> int:
    """:func:`words` for ASCII text without tags, on class bytes (no token lists)."""
    b = text.encode("ascii").translate(_ASCII_TABLE)
    if b"." in b:
        # pocount turns every non-digit "." non-digit triple into a space (leftmost, non-overlapping).
        ba = bytearray(b)
        n = len(ba)
        end = 0
        i = ba.find(46, 1)
        while 0 < i < n - 1:
            if i - 1 >= end and ba[i - 1] != 48 and ba[i + 1] != 48:
                ba[i - 1:i + 2] = b"   "
                end = i + 2
            i = ba.find(46, i + 1)
        b = bytes(ba)
    for pattern, joined in _ASCII_JOINS:
        if pattern in b:
            b = b.replace(pattern, joined).replace(pattern, joined)
    b = b.translate(_ASCII_WORDISH)
    if b"_" in b:  # "_" joins words, but a run of only "_" is no word
        return sum(1 for t in b.split() if b"a" in t)
    return b.count(b" a") + (b[:1] == b"a")


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
