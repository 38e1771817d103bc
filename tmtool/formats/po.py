"""PO/POT files: read strictly, write exactly as gettext's ``msgcat`` lays them out.

Why not polib (the project's brief named it): on this kind of file it loses work
silently — it drops the last character of an unterminated string, counts only 2 of
3 Russian plural forms as translated, reads an empty file as 100 % translated and
re-wraps every long line on save (see PO-TRAPS.md); so tmtool reads and writes PO itself.

Reading: one pass of :mod:`tmtool.formats.poscan` checks the bytes as
``msgfmt -c`` does (BOM, charset, unterminated strings, truncation, duplicates,
plural forms, …) and yields the entries, which become a
:class:`tmtool.catalog.Catalog`. A broken file raises
:class:`~tmtool.errors.CatalogError` naming file and line; nothing is ever built
from a partial parse.

Writing: :func:`generate_po` reproduces gettext's ``write-po.c`` — 79-column
wrapping with Unicode line-break opportunities (UAX #14 as libunistring
implements it), ``msgid ""`` plus continuation lines for long or multi-line
strings, C escapes, reference lines wrapped at 79 columns, flags with
``fuzzy`` first, obsolete entries last — so that loading and writing a file
that ``msgcat`` normalised changes no line. It refuses what it could not read
back; :func:`write_po` re-reads the bytes, then replaces the file atomically.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings as _warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from tmtool.catalog import Catalog, Entry
from tmtool.errors import CatalogError, InputError
from tmtool.formats import poscan
from tmtool.model import Bead, Recording, Segment
from tmtool.textio import atomic_write

__all__ = [
    "catalog_paths",
    "edit_catalog",
    "generate_po",
    "parse_po",
    "parse_po_bytes",
    "plural_forms_for",
    "read_po",
    "update_catalogs",
    "write_po",
]

PAGE_WIDTH = 79

# --- Unicode line breaking (UAX #14, libunistring 1.0 tables) ----------------------------------

# Pair-table classes, in libunistring's order.
(WJ, GL, B2, BA, BB, HY, CL, CP, EX, IN, NS, OP, QU, IS, NU, PO, PR, SY, AL, H2, H3, ID, JL, JV, JT,
 HL, RI, ZWJ, EB, EM) = range(30)
# Classes resolved before the table lookup.
BK, CR, LF, CM, SP, ZW, AI, CB, SA, XX = range(30, 40)

_D, _I, _P = 1, 2, 3
_T = {"D": _D, "I": _I, "P": _P}
# unilbrk_table[before][after] as libunistring 1.0 (Unicode 14) behaves, the library gettext
# 0.21 wraps with; checked pair by pair against it in tests/test_po.py. (IS, AL) is D
# there on purpose (break before the HTML tag in "sentence.</P>"), and so is it here.
_TABLE_ROWS = """\
PIIIIIPPPIIIIPIIIPIIIIIIIIIIII
PIIIIIPPPIIIIPIIIPIIIIIIIIIIII
PIPIDIPPPIIDIPDDDPDDDDDDDDDIDD
PDDIDIPPPIIDIPDDDPDDDDDDDDDIDD
PIIIIIPPPIIIIPIIIPIIIIIIIIIIII
PDDIDIPPPIIDIPIDDPDDDDDDDDDIDD
PIDIDIPPPIPDIPDIIPDDDDDDDDDIDD
PIDIDIPPPIIDIPIIIPIDDDDDDIDIDD
PIDIDIPPPIIDIPDDDPDDDDDDDDDIDD
PIDIDIPPPIIDIPDDDPDDDDDDDDDIDD
PIDIDIPPPIIDIPDDDPDDDDDDDDDIDD
PPPPPPPPPPPPPPPPPPPPPPPPPPPIPP
PIIIIIPPPIIPIPIIIPIIIIIIIIIIII
PIDIDIPPPIIDIPIDDPDDDDDDDDDIDD
PIDIDIPPPIIIIPIIIPIDDDDDDIDIDD
PIDIDIPPPIIIIPIDDPIDDDDDDIDIDD
PIDIDIPPPIIIIPIDDPIIIIIIIIDIII
PIDIDIPPPIIDIPIDDPDDDDDDDIDIDD
PIDIDIPPPIIIIPIIIPIDDDDDDIDIDD
PIDIDIPPPIIDIPDIDPDDDDDIIDDIDD
PIDIDIPPPIIDIPDIDPDDDDDDIDDIDD
PIDIDIPPPIIDIPDIDPDDDDDDDDDIDD
PIDIDIPPPIIDIPDIDPDIIDIIDDDIDD
PIDIDIPPPIIDIPDIDPDDDDDIIDDIDD
PIDIDIPPPIIDIPDIDPDDDDDDIDDIDD
PIDIDIPPPIIIIPIIIPIDDDDDDIDIDD
PIDIDIPPPIIDIPDDDPDDDDDDDDIIDD
PIIIIIPPPIIIIPIIIPIIIIIIIIIIII
PIDIDIPPPIIDIPDIDPDDDDDDDDDIDI
PIDIDIPPPIIDIPDIDPDDDDDDDDDIDD"""
_TABLE = [[_T[c] for c in row] for row in _TABLE_ROWS.split("\n")]

# Line_Break values of the characters PO files are made of (ASCII, Latin-1, Cyrillic,
# general punctuation, currency, CJK punctuation); the rest is derived from the
# general category below, which is exact for letters, digits and marks.
_ASCII = (
    [CM] * 9 + [BA, LF, BK, BK, CR] + [CM] * 18
    + [SP, EX, QU, AL, PR, PO, AL, QU, OP, CP, AL, PR, IS, HY, IS, SY]
    + [NU] * 10
    + [IS, IS, AL, AL, AL, EX, AL]
    + [AL] * 26
    + [OP, PR, CP, AL, AL, AL]
    + [AL] * 26
    + [OP, BA, CL, AL, CM]
)
_EXPLICIT: dict[int, int] = {i: c for i, c in enumerate(_ASCII)}
_EXPLICIT.update({
    0x85: BK, 0xA0: GL, 0xA1: OP, 0xA2: PO, 0xA3: PR, 0xA4: PR, 0xA5: PR, 0xA6: AL, 0xA7: AI,
    0xA8: AI, 0xA9: AL, 0xAA: AI, 0xAB: QU, 0xAC: AL, 0xAD: BA, 0xAE: AL, 0xAF: AL, 0xB0: PO,
    0xB1: PR, 0xB2: AI, 0xB3: AI, 0xB4: BB, 0xB5: AL, 0xB6: AI, 0xB7: AI, 0xB8: AI, 0xB9: AI,
    0xBA: AI, 0xBB: QU, 0xBC: AI, 0xBD: AI, 0xBE: AI, 0xBF: OP, 0xD7: AI, 0xF7: AI,
    0x02C8: BB, 0x02CC: BB, 0x02DF: BB, 0x037E: IS, 0x0589: IS, 0x058A: BA, 0x05BE: BA,
    0x0F0B: BA, 0x1680: BA, 0x1806: BB, 0x180E: GL,
    0x2000: BA, 0x2001: BA, 0x2002: BA, 0x2003: BA, 0x2004: BA, 0x2005: BA, 0x2006: BA,
    0x2007: GL, 0x2008: BA, 0x2009: BA, 0x200A: BA, 0x200B: ZW, 0x200C: CM, 0x200D: ZWJ,
    0x200E: CM, 0x200F: CM, 0x2010: BA, 0x2011: GL, 0x2012: BA, 0x2013: BA, 0x2014: B2,
    0x2015: AI, 0x2016: AI, 0x2017: AL, 0x2018: QU, 0x2019: QU, 0x201A: OP, 0x201B: QU,
    0x201C: QU, 0x201D: QU, 0x201E: OP, 0x201F: QU, 0x2020: AI, 0x2021: AI, 0x2022: AL,
    0x2023: AL, 0x2024: IN, 0x2025: IN, 0x2026: IN, 0x2027: BA, 0x2028: BK, 0x2029: BK,
    0x202F: GL, 0x2030: PO, 0x2031: PO, 0x2032: PO, 0x2033: PO, 0x2034: PO, 0x2035: PO,
    0x2036: PO, 0x2037: PO, 0x2038: AL, 0x2039: QU, 0x203A: QU, 0x203B: AI, 0x203C: NS,
    0x203D: NS, 0x2044: IS, 0x2045: OP, 0x2046: CL, 0x2047: NS, 0x2048: NS, 0x2049: NS,
    0x2056: BA, 0x2058: BA, 0x2059: BA, 0x205A: BA, 0x205B: BA, 0x205D: BA, 0x205E: BA,
    0x205F: BA, 0x2060: WJ, 0x2061: AL, 0x2062: AL, 0x2063: AL, 0x2064: AL,
    0x20A7: PO, 0x20B6: PO, 0x20BB: PO, 0x20BE: PO, 0x2103: PO, 0x2109: PO, 0x2116: PR,
    0x2212: PR, 0x2213: PR, 0x2E3A: B2, 0x2E3B: B2,
    0x3000: BA, 0x3001: CL, 0x3002: CL, 0xFE10: IS, 0xFE50: CL, 0xFE52: CL, 0xFE55: NS,
    0xFEFF: WJ, 0xFF01: EX, 0xFF0C: CL, 0xFF0E: CL, 0xFF1A: NS, 0xFF1B: NS, 0xFF1F: EX,
})


@lru_cache(maxsize=4096)
def _lb_class(ch: str) -> int:
    cp = ord(ch)
    c = _EXPLICIT.get(cp)
    if c is not None:
        return c
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Mc"):
        return CM
    if cat == "Cc":
        return CM
    if cat == "Cf":
        return CM
    if cat == "Zs":
        return BA
    wide = unicodedata.east_asian_width(ch) in ("W", "F")
    if cat == "Nd":
        return ID if wide else NU
    if 0x20A0 <= cp <= 0x20CF:
        return PR
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return RI
    if 0x1F3FB <= cp <= 0x1F3FF:
        return EM
    if 0xAC00 <= cp <= 0xD7A3:
        return H2 if (cp - 0xAC00) % 28 == 0 else H3
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return JL
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return JV
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return JT
    if 0x05D0 <= cp <= 0x05EA or 0xFB1D <= cp <= 0xFB4F:
        return HL
    if 0x0E00 <= cp <= 0x0FFF or 0x1000 <= cp <= 0x109F or 0x1780 <= cp <= 0x17FF or 0x1950 <= cp <= 0x19DF:
        return AL  # SA (Thai, Lao, Myanmar, Khmer): libunistring treats it as AL
    if cat == "Ps":
        return OP
    if cat == "Pe":
        return CL
    if cat in ("Pi", "Pf"):
        return QU
    if wide or 0x1F000 <= cp <= 0x1FAFF or 0x20000 <= cp <= 0x3FFFD:
        return ID
    return AL


@lru_cache(maxsize=4096)
def _width(ch: str) -> int:
    """Columns a character takes, as libunistring's ``uc_width`` in a UTF-8 locale."""
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp < 0xA0:
        return 0  # control: uc_width is -1, which the wrapper ignores
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me") or (cat == "Cf" and cp != 0x0600) or 0x1160 <= cp <= 0x11FF or cp == 0x200B:
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


_UNDEF, _PROH, _POSS, _MAND = 0, 1, 2, 3


_CLASS_CACHE: dict[str, int] = {}


def _classes(text: str) -> list[int]:
    cache = _CLASS_CACHE
    out = []
    for ch in text:
        c = cache.get(ch)
        if c is None:
            c = cache[ch] = _lb_class(ch)
        out.append(c)
    return out


def _possible_breaks(text: str) -> list[int]:
    """Break opportunity before each character (libunistring ``u8_possible_linebreaks``)."""
    n = len(text)
    p = [_PROH] * n
    last = BK  # class of the last non-space character
    prev = BK  # class of the last character
    seen_space = False
    ri_count = 0
    table = _TABLE
    for k, prop in enumerate(_classes(text)):
        if prop in (BK, LF, CR):
            p[k] = _MAND
            last = BK
            prev = prop
            seen_space = False
            ri_count = 0
            continue
        if prop == AI:
            prop = AL
        elif prop == CB:
            prop = ID
        elif prop in (SA, XX):
            prop = AL
        if prop == SP:
            p[k] = _PROH
            seen_space = True
        elif prop == ZW:
            p[k] = _PROH
            last = ZW
            seen_space = False
        elif prop in (CM, ZWJ):
            if last == BK:
                p[k] = _PROH
                last = AL
                seen_space = False
            elif last == ZW or seen_space:
                p[k] = _POSS
                last = AL
                seen_space = False
            else:
                p[k] = _PROH
        else:
            if last == BK:
                p[k] = _PROH
            elif last == ZW:
                p[k] = _POSS
            elif prev == ZWJ:
                p[k] = _PROH
            elif last == RI and prop == RI:
                p[k] = _POSS if (seen_space or ri_count % 2 == 0) else _PROH
            else:
                t = table[last][prop]
                p[k] = _POSS if t == _D or (t == _I and seen_space) else _PROH
            last = prop
            seen_space = False
        prev = prop
        ri_count = ri_count + 1 if prop == RI else 0
    return p


def _width_breaks(text: str, width: int, start: int, overrides: list[int], p: list[int] | None = None) -> list[bool]:
    """Where to break so no line exceeds ``width`` (libunistring ``u8_width_linebreaks``)."""
    if p is None:
        p = _possible_breaks(text)
    out = [False] * len(text)
    last_k = -1
    last_col = start
    piece = 0
    for k, ch in enumerate(text):
        o = overrides[k]
        b = o if o != _UNDEF else p[k]
        if b in (_POSS, _MAND):
            if last_k >= 0 and last_col + piece > width:
                out[last_k] = True
                last_col = 0
        if b == _MAND:
            last_k = -1
            last_col = 0
            piece = 0
        else:
            if b == _POSS:
                last_k = k
                last_col += piece
                piece = 0
            piece += _width(ch)
    if last_k >= 0 and last_col + piece > width:
        out[last_k] = True
    return out


# --- writing --------------------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile(r'[\a\b\f\n\r\t\v\\"]')
_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v", "\\": "\\", '"': '"'}

# Format directives gettext will not break inside. As in gettext's format-python.c and
# format-c.c, parsing stops at the first invalid directive: that one and everything after
# it may be broken like plain text.
_PY_CONV = set("%csriduoxXeEfFgG")
_C_CONV = set("diouxXeEfFgGaAcspnm%")


_POSITION = re.compile(r"[1-9]\d*\$")


def _count_field(value: str, k: int, python: bool) -> int:
    """Past a width or precision at ``k``: ``*`` (in C, maybe ``*N$``) or ASCII digits."""
    n = len(value)
    if k < n and value[k] == "*":
        m = None if python else _POSITION.match(value, k + 1)
        return m.end() if m else k + 1
    while k < n and value[k].isdigit() and value[k].isascii():
        k += 1
    return k


def _printf_spans(value: str, python: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    named = unnamed = 0
    positional = plain = 0
    k, n = 0, len(value)
    while k < n:
        if value[k] != "%":
            k += 1
            continue
        start = k
        k += 1
        name = None
        if python and k < n and value[k] == "(":
            depth, j = 0, k + 1
            while j < n and not (value[j] == ")" and depth == 0):
                depth += {"(": 1, ")": -1}.get(value[j], 0)
                j += 1
            if j >= n:
                return spans
            name = value[k + 1:j]
            k = j + 1
        elif not python:
            m = _POSITION.match(value, k)
            if m:
                name = m.group()
                k = m.end()
        flags = "-+ #0" if python else "-+ #0'I"
        while k < n and value[k] in flags:
            k += 1
        if python and named and k < n and value[k] == "*":
            return spans  # Python cannot take a width from the arguments of a named directive
        k = _count_field(value, k, python)
        if k < n and value[k] == ".":
            k = _count_field(value, k + 1, python)
        if python:
            if k < n and value[k] in "hlL":
                k += 1
        else:
            while k < n and value[k] in "hlLqjzZt":  # gettext takes any run of size letters
                k += 1
        if k >= n or value[k] not in (_PY_CONV if python else _C_CONV):
            return spans
        conv = value[k]
        if python:
            if name is not None:
                if unnamed:
                    return spans
                named += 1
            elif conv != "%":
                if named:
                    return spans
                unnamed += 1
        elif conv != "%":
            if name is not None:
                if plain:
                    return spans
                positional += 1
            else:
                if positional:
                    return spans
                plain += 1
        k += 1
        spans.append((start, k))
    return spans


def _brace_spans(value: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    k, n = 0, len(value)
    while k < n:
        ch = value[k]
        if ch in "{}" and k + 1 < n and value[k + 1] == ch:
            k += 2
            continue
        if ch == "}":
            return spans
        if ch != "{":
            k += 1
            continue
        m = re.match(r"\{(?:[A-Za-z_][A-Za-z0-9_]*|\d+)?(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]{}]*\])*(?:![rsa])?(?::(?:[^{}]|\{[^{}]*\})*)?\}", value[k:])
        if not m:
            return spans
        spans.append((k, k + len(m.group())))
        k += len(m.group())
    return spans


# gettext tries the format flags in its own order and uses the first that applies.
_FORMAT_ORDER = ("c-format", "python-format", "python-brace-format")


def _directive_spans(value: str, flags: tuple[str, ...]) -> list[tuple[int, int]]:
    for f in _FORMAT_ORDER:
        if f in flags or "possible-" + f in flags:
            if f == "python-brace-format":
                return _brace_spans(value)
            return _printf_spans(value, python=f == "python-format")
    return []


def _wrap(prefix: str, keyword: str, value: str, flags: tuple[str, ...] = ()) -> list[str]:
    """One keyword and its string as gettext's ``wrap()`` writes them (non-indented style)."""
    lines: list[str] = []
    inside = [False] * len(value)
    for a, b in _directive_spans(value, flags):
        for k in range(a + 1, b):
            inside[k] = True
    after_break = len(prefix) + 1
    width = PAGE_WIDTH - 1 - after_break
    first = True
    pos = 0
    n = len(value)
    while True:
        end = value.find("\n", pos)
        end = n if end < 0 else end + 1
        chars: list[str] = []
        over: list[int] = []
        if not _NEEDS_ESCAPE.search(value, pos, end) and not any(inside[pos:end]):
            chars = list(value[pos:end])
            over = [_UNDEF] * len(chars)
        for k in range(pos, end) if not chars else ():
            ch = value[k]
            brk = _PROH if inside[k] else _UNDEF
            esc = _ESCAPES.get(ch)
            if esc is not None:
                chars += ["\\", esc]
                over += [brk, _PROH]
            else:
                chars.append(ch)
                over.append(brk)
        if end > pos and value[end - 1] == "\n":
            over[-2] = _PROH  # gettext: don't break just before the final "\n"
        portion = "".join(chars)
        more = end < n
        possible: list[int] | None = None
        while True:
            startcol = len(prefix) + (len(keyword) + 1 if first else 0) + 1 - after_break
            if first and portion and not more and startcol + sum(map(_width, portion)) <= width and not any(
                _lb_class(c) in (BK, LF, CR) for c in portion
            ):
                breaks = [False] * len(portion)  # fits: the common case, no UAX #14 pass needed
            else:
                if possible is None:
                    possible = _possible_breaks(portion)
                breaks = _width_breaks(portion, width, startcol, over, possible)
            if first and portion and (more or startcol > width or any(breaks)):
                lines.append(f'{prefix}{keyword} ""')
                first = False
                continue
            break
        head = f"{prefix}{keyword} " if first else prefix
        first = False
        cur = [head, '"']
        for k, ch in enumerate(portion):
            if breaks[k]:
                cur.append('"')
                lines.append("".join(cur))
                cur = [prefix, '"']
            cur.append(ch)
        cur.append('"')
        lines.append("".join(cur))
        pos = end
        if pos >= n:
            break
    return lines


_LINE_END = re.compile(r"\r\n|\r|\n")


def _comment_lines(entry: Entry) -> list[str]:
    out = []
    # A comment is one line: a line end inside one (a pasted note) becomes a comment line of its own.
    for c in entry.translator_comments:
        for part in _LINE_END.split(c):
            out.append("# " + part if part else "#")
    for c in entry.extracted_comments:
        for part in _LINE_END.split(c):
            out.append("#. " + part if part else "#.")
    if entry.references:
        line = "#:"
        col = 2
        for ref in entry.references:
            w = len(ref) + 1
            if col > 2 and col + w > PAGE_WIDTH:
                out.append(line)
                line, col = "#:", 2
            line += " " + ref
            col += w
        out.append(line)
    return out


def _flag_line(entry: Entry, obsolete: bool) -> list[str]:
    first_form = entry.msgstr_plural[0] if entry.msgid_plural is not None and entry.msgstr_plural else entry.msgstr
    # gettext drops "fuzzy" on an untranslated message (it means nothing there).
    fuzzy = entry.fuzzy and (obsolete or first_form != "")
    others = [f for f in entry.flags if f != "fuzzy"]
    flags = (["fuzzy"] if fuzzy else []) + others
    return ["#, " + ", ".join(flags)] if flags else []


def _entry_lines(entry: Entry) -> list[str]:
    obsolete = entry.obsolete
    out = _comment_lines(entry) + _flag_line(entry, obsolete)
    prev = "#~| " if obsolete else "#| "
    if entry.previous_msgctxt is not None:
        out += _wrap(prev, "msgctxt", entry.previous_msgctxt, entry.flags)
    if entry.previous_msgid is not None:
        out += _wrap(prev, "msgid", entry.previous_msgid, entry.flags)
    if entry.previous_msgid_plural is not None:
        out += _wrap(prev, "msgid_plural", entry.previous_msgid_plural, entry.flags)
    pre = "#~ " if obsolete else ""
    if entry.msgctxt is not None:
        out += _wrap(pre, "msgctxt", entry.msgctxt, entry.flags)
    out += _wrap(pre, "msgid", entry.msgid, entry.flags)
    if entry.msgid_plural is not None:
        out += _wrap(pre, "msgid_plural", entry.msgid_plural, entry.flags)
        for i, form in enumerate(entry.msgstr_plural):
            out += _wrap(pre, f"msgstr[{i}]", form, entry.flags)
    else:
        out += _wrap(pre, "msgstr", entry.msgstr, entry.flags)
    return out


def _check_writable(catalog: Catalog) -> None:
    """Refuse a catalogue no PO reader could take back as it is meant.

    Duplicates, a second header, plural entries whose number of forms differs
    from ``nplurals``. (What only ``msgfmt -c`` rejects, such as a ``\\n`` at the
    end of msgid but not of msgstr, is still laid out: :func:`write_po` refuses
    it when it reads the bytes back.) Errors carry the line the entry was read from.
    """
    problem = _plural_problem(catalog)
    if problem:
        message, entry = problem
        where = f" (entry {entry.msgid[:40]!r})" if entry is not catalog.header else ""
        raise CatalogError(message + where, line=entry.line or None)
    seen: set[tuple[str | None, str]] = set()
    for e in catalog.entries:
        if e.msgid == "" and e.msgctxt is None and not e.obsolete:
            raise CatalogError("an entry with an empty msgid would be taken for the header", line=e.line or None)
        if e.key in seen:
            raise CatalogError(f"duplicate entry {e.msgid[:60]!r} (msgctxt {e.msgctxt!r})", line=e.line or None)
        seen.add(e.key)


def _block(lines: list[str], entry: Entry) -> list[str]:
    # gettext joins a line ending in a backslash with the next one; only a comment can end so.
    for line in lines:
        if line.endswith("\\"):
            raise CatalogError(f"a comment line cannot end with a backslash (gettext would join it with the "
                               f"next line): {line[:60]!r}", line=entry.line or None)
    return lines


def generate_po(catalog: Catalog) -> str:
    """The catalogue as gettext's msgcat writes it (header, messages, then obsolete entries)."""
    _check_writable(catalog)
    blocks: list[list[str]] = []
    if catalog.header is not None:
        h = catalog.header
        blocks.append(_block(_comment_lines(h) + _flag_line(h, False) + _wrap("", "msgid", "")
                             + _wrap("", "msgstr", h.msgstr), h))
    for e in catalog.entries:
        if not e.obsolete:
            blocks.append(_block(_entry_lines(e), e))
    for e in catalog.entries:
        if e.obsolete:
            blocks.append(_block(_entry_lines(e), e))
    return "\n".join("\n".join(b) + "\n" for b in blocks)


def _encode(catalog: Catalog, path: str | Path) -> bytes:
    """The file's bytes in the header's charset, read back before they may replace a translator's file."""
    try:
        text = generate_po(catalog)
    except CatalogError as exc:
        raise exc.located(str(path)) from None
    charset = catalog.charset
    try:
        codecs.lookup(charset)
    except LookupError:
        raise CatalogError(f"unknown charset {charset!r} in the header", str(path)) from None
    try:
        data = text.encode(charset)
    except UnicodeEncodeError as exc:
        line = text[: exc.start].count("\n") + 1
        raise CatalogError(f"character {text[exc.start]!r} cannot be written in {charset}", str(path), line) from None
    try:
        parse_po_bytes(data, str(path))
    except CatalogError as exc:
        raise CatalogError(f"not written: line {exc.line} of the new text would not read back: {exc.message}",
                           str(path)) from None
    return data


def write_po(path: str | Path, catalog: Catalog) -> None:
    """Write ``catalog`` to ``path`` atomically, in the charset its header names (checked first)."""
    atomic_write(path, _encode(catalog, path))


# --- reading --------------------------------------------------------------------------------


def _entry(e: poscan.Entry) -> Entry:
    """One message as :mod:`~tmtool.formats.poscan` read it, as a catalogue entry.

    Flags as msgfmt reads them: a ``fuzzy`` on an earlier ``#,`` line, which
    msgfmt and msgcat ignore, is dropped (so ``Entry.fuzzy`` agrees with the
    coverage counts), and a flag given twice is kept once.
    """
    flags = e.flags
    if flags and ((not e.fuzzy and "fuzzy" in flags) or len(set(flags)) != len(flags)):
        flags = tuple(dict.fromkeys(f for f in flags if e.fuzzy or f != "fuzzy"))
    if e.msgid_plural is None:
        msgstr, forms = e.msgstr[0], ()
    else:
        msgstr, forms = "", e.msgstr
    return Entry(e.msgid, msgstr, e.msgctxt, e.msgid_plural, forms, e.translator_comments, e.extracted_comments,
                 e.references, flags, e.previous_msgctxt, e.previous_msgid, e.previous_msgid_plural, e.obsolete,
                 e.line)


def _read(data: bytes | str, path: str) -> Catalog:
    """Scan (checks and parsing in one pass), then build the :class:`Catalog`."""
    scan = poscan.scan(data, path)
    header: Entry | None = None
    entries: list[Entry] = []
    try:
        for e in scan:
            if e.is_header:
                header = _entry(e)
            else:
                entries.append(_entry(e))
    except InputError as exc:
        raise CatalogError(exc.message, exc.path or path, exc.line) from None
    catalog = Catalog(header, tuple(entries), tuple(str(w) for w in scan.warnings))
    # Stricter than msgfmt (which checks translated entries only): tmtool would refuse to write it.
    problem = _plural_problem(catalog)
    if problem:
        raise CatalogError(problem[0], path, problem[1].line or None)
    return catalog


def parse_po(text: str, path: str = "<po>") -> Catalog:
    """Parse PO text (already decoded) into a :class:`Catalog`.

    Strict as ``msgfmt -c`` (see :mod:`tmtool.formats.poscan`): a syntax error,
    duplicate, missing ``msgstr`` or plural-form mismatch raises
    :class:`CatalogError` with the line.
    """
    return _read(text, path)


def parse_po_bytes(data: bytes, path: str) -> Catalog:
    """Bytes of a PO file → :class:`Catalog`; the header's charset decides the decoding."""
    return _read(data, path)


def read_po(path: str | Path) -> Catalog:
    """Read and validate a PO/POT file; :class:`CatalogError` (file:line) when it is broken.

    Files beyond :data:`tmtool.limits.MAX_CATALOG_BYTES` are refused before they are read.
    """
    from tmtool import limits

    try:
        data = limits.read_bytes(path, limits.MAX_CATALOG_BYTES, "a catalogue", regular_only=True)
    except InputError as exc:
        raise CatalogError(exc.message, exc.path, exc.line) from None
    return parse_po_bytes(data, str(path))


# --- plural forms ---------------------------------------------------------------------------


def plural_forms_for(language: str) -> str:
    """The ``Plural-Forms`` value babel (CLDR) gives for a language: ru → 3 forms, kk → 2."""
    from babel.messages.plurals import get_plural

    from tmtool import languages

    code = languages.posix(language).split("@")[0]
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        return get_plural(code).plural_forms


def _plural_problem(catalog: Catalog) -> tuple[str, Entry] | None:
    """An unusable ``Plural-Forms`` header, or a live plural entry whose number of forms
    differs from ``nplurals``, translated or not: the message and the entry (or header) at fault.

    msgfmt -c rejects the latter only for translated entries (PO-TRAPS: 2 of 3 Russian
    forms filled); tmtool reads and writes only catalogues whose plural entries all have
    every form, so the translator's editor shows each one. Plural rules that merely
    differ from babel's are warnings (:mod:`~tmtool.formats.poscan`).
    """
    header = None
    if catalog.header is not None:
        h = catalog.header
        header = poscan.parse_header(h.msgstr, h.line)
        pf = header.get("Plural-Forms")
        if pf is not None and (header.nplurals is None or header.nplurals < 1 or header.plural is None):
            return f"invalid Plural-Forms header {pf!r}", h
    for e in catalog.entries:
        if e.msgid_plural is not None and not e.obsolete:
            if header is None:
                return "plural entries need a header with Plural-Forms", e
            problem = poscan.plural_count_problem(header, len(e.msgstr_plural))
            if problem:
                return problem, e
    return None


# --- a recording's catalogues on disk ---------------------------------------------------------


def catalog_paths(root: Path, recording_id: str, language: str | None = None) -> Path:
    """``locales/<id>.pot`` (``language`` None) or ``locales/<lang>/LC_MESSAGES/<id>.po``.

    The folder uses gettext's locale name (``kk``, ``kk@latin`` for ``kk-Latn``).
    """
    from tmtool import languages

    base = Path(root) / "locales"
    if language is None:
        return base / f"{recording_id}.pot"
    return base / languages.posix(language) / "LC_MESSAGES" / f"{recording_id}.po"


def _language_header(language: str) -> dict[str, str]:
    from tmtool import languages

    return {
        "Language-Team": languages.english_name(language),
        "Language": languages.posix(language),
        "Plural-Forms": plural_forms_for(language),
    }


def _content_changed(old: Catalog | None, new: Catalog) -> bool:
    # Value equality (line numbers and reader warnings do not count): same values, same text.
    return old is None or old != new


def update_catalogs(
    root: Path,
    recording: Recording,
    alignments: Mapping[str, tuple[Sequence[Segment], Sequence[Segment], Sequence[Bead]]],
    *,
    english: Sequence[Segment] | None = None,
    fuzzy_threshold: float | None = None,
    now: datetime | None = None,
    timeout: float | None = None,
) -> list[Path]:
    """Build, merge and write a recording's ``.pot`` and one ``.po`` per aligned language.

    ``alignments[lang] = (english_sentences, source_segments, beads)``: the beads
    index the English sentences (left) and the source segments (right); every
    language must be aligned against the same English sentences (``english``
    gives them when no language is aligned yet). Under the recording's lock every
    existing catalogue is read and validated first — one broken file raises
    :class:`CatalogError` (file:line) and nothing is written — then each is
    merged (:func:`tmtool.catalog.merge`) and, if its content changed, re-read
    from the new bytes and replaced atomically. Returns the paths written
    (empty when nothing changed). ``fuzzy_threshold`` defaults to
    :data:`tmtool.catalog.FUZZY_THRESHOLD`; ``timeout`` (seconds to wait for
    another process holding the lock) to :data:`tmtool.locking.DEFAULT_TIMEOUT`.
    """
    from tmtool import catalog as cat
    from tmtool.locking import DEFAULT_TIMEOUT, recording_lock

    threshold = cat.FUZZY_THRESHOLD if fuzzy_threshold is None else fuzzy_threshold
    now = now or datetime.now(timezone.utc).replace(second=0, microsecond=0)
    rid = recording.id
    src_lang = recording.manifest.source_language
    lefts = [tuple(a[0]) for a in alignments.values()]
    if english is None:
        if not lefts:
            raise CatalogError(f"nothing to write for {rid}: no English sentences and no aligned language")
        english = lefts[0]
    english = tuple(english)
    if any(left != english for left in lefts):
        raise CatalogError("every language must be aligned against the same English sentences")
    if not english:
        raise CatalogError(f"the {src_lang} track of {rid} has no sentences")

    def ref(lang: str) -> str:
        try:
            name = recording.track(lang).source
        except KeyError:
            name = f"{lang}.txt"
        return f"transcripts/{rid}/{name}"

    built: dict[Path, tuple[str | None, list[Entry]]] = {
        catalog_paths(root, rid): (None, cat.build_template(english, ref(src_lang)))
    }
    for lang, (_, segments, beads) in alignments.items():
        source = cat.SourceTrack(lang, tuple(segments), tuple(beads), ref(lang))
        built[catalog_paths(root, rid, lang)] = (lang, cat.build_catalog(english, ref(src_lang), source,
                                                                          fuzzy_threshold=threshold))
    title = recording.manifest.title or rid
    date = cat.po_date(now)

    def sources(lang: str | None) -> dict[str, str]:
        """The header field naming the tracks the catalogue is built from (exports check it)."""
        tracks = {}
        for code in (src_lang, lang):
            track = next((t for t in recording.tracks if t.language == code), None)
            if track is not None:
                tracks[track.source] = track.segments
        return cat.tracks_field(tracks) if tracks else {}
    with recording_lock(root, rid, timeout=DEFAULT_TIMEOUT if timeout is None else timeout):
        # Every existing catalogue is validated before anything is written.
        existing = {p: read_po(p) if p.exists() else None for p in built}
        merged: dict[Path, Catalog] = {}
        for path, (lang, entries) in built.items():
            old = existing[path]
            if old is None:
                info = _language_header(lang) if lang else {}
                what = f"translation into {info['Language-Team']}" if lang else "template"
                header = cat.new_header(
                    rid, info.get("Language"), now=now, language_team=info.get("Language-Team", ""),
                    plural_forms=info.get("Plural-Forms"),
                    comments=(f"{title}: {what}.", "Written by tmtool; translator comments (# …) are kept on every run."),
                )
                old_or_new = Catalog(header, ())
            else:
                old_or_new = old
            new = cat.merge(old_or_new, entries, template=lang is None)
            new = cat.set_header_fields(new, sources(lang))
            if lang is not None:
                fields = cat.header_fields(new)
                missing = {k: v for k, v in _language_header(lang).items() if not fields.get(k)}
                if missing:
                    new = cat.set_header_fields(new, missing)
            if _content_changed(old, new):
                merged[path] = cat.set_header_fields(
                    new, {"PO-Revision-Date": date} if lang is not None else {"POT-Creation-Date": date})
        pot = catalog_paths(root, rid)
        if pot in merged:  # translations say which template they were merged with, as msgmerge does
            merged = {p: c if p == pot else cat.set_header_fields(c, {"POT-Creation-Date": date})
                      for p, c in merged.items()}
        data = {p: _encode(c, p) for p, c in merged.items()}
        for path, raw in data.items():
            atomic_write(path, raw)
    return list(data)


def edit_catalog(
    root: Path,
    recording_id: str,
    path: Path,
    change: Callable[[Catalog], Catalog],
    *,
    now: datetime | None = None,
    timeout: float | None = None,
) -> bool:
    """Read-modify-write one catalogue under the recording's lock; True when it changed.

    ``change(catalog) -> catalog`` is pure. The file is validated before and
    after; ``PO-Revision-Date`` is set when the content changes.
    """
    from tmtool import catalog as cat
    from tmtool.locking import DEFAULT_TIMEOUT, recording_lock

    with recording_lock(root, recording_id, timeout=DEFAULT_TIMEOUT if timeout is None else timeout):
        old = read_po(path)
        new = change(old)
        if not _content_changed(old, new):
            return False
        now = now or datetime.now(timezone.utc).replace(second=0, microsecond=0)
        if path.suffix == ".po":
            new = cat.set_header_fields(new, {"PO-Revision-Date": cat.po_date(now)})
        atomic_write(path, _encode(new, path))
        return True
