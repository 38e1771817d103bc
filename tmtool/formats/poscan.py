"""A strict, fast PO scanner: gettext's grammar and ``msgfmt -c``'s checks, without polib.

polib is slow and lossy on broken files (it drops the last character of an
unterminated string, reads an empty file as 100 % translated, keeps duplicate
entries; see ``PO-TRAPS.md``). This module reads a catalogue the way GNU gettext
0.21 does and raises :class:`~tmtool.errors.InputError` (``path:line: reason``)
wherever ``msgfmt -c`` would stop. It is tmtool's one PO reader (coverage, the
memory, and :mod:`tmtool.formats.po`, which builds its catalogues from these
entries). Validate a file::

    warnings = poscan.check(data, "locales/kk/LC_MESSAGES/rec.po")   # raises InputError

or stream its entries (header and obsolete entries included, every comment and
flag, ``#|`` previous strings also of obsolete entries, the line of each)::

    scan = poscan.scan(data, path)
    for entry in scan: ...
    scan.header, scan.warnings

or, to count (coverage), only what counting needs, checked exactly alike but
without building :class:`Entry` values (see :data:`Brief`)::

    for msgctxt, msgid, msgid_plural, msgstr0, fuzzy, obsolete, noted in poscan.scan(data, path).brief(): ...

or, fastest, msgfmt's statistics and the source texts of each state (:class:`Tally`)::

    t = poscan.scan(data, path).tally()    # t.translated, t.fuzzy, t.untranslated, t.notes, t.sources

Rejected, as msgfmt -c rejects them: unterminated strings (end of line / end of
file within a string), a missing ``msgstr``, unknown keywords and garbage lines,
duplicate ``msgid`` (+ ``msgctxt``; obsolete entries included) naming both lines,
invalid escapes, ``#~`` used inconsistently inside one entry, plural indices
that are not ``0..n-1``, translated plural entries whose number of forms differs
from the header's ``nplurals`` or with no ``Plural-Forms``, a ``Plural-Forms``
whose expression is invalid or yields values ``>= nplurals``, translated entries
whose msgid and msgstr disagree on a leading/trailing ``\\n``, a missing or empty
header entry (an empty file included), bytes that do not decode in the header's
``charset`` (UTF-8 when it names none; ``CHARSET`` in templates means UTF-8).

Stricter than msgfmt, on purpose (each would silently change a translation):

* a UTF-8 byte-order mark is an error (msgfmt: "syntax error" at 1:2), so are
  UTF-16/32 files; tmtool writes UTF-8 without BOM and never guesses;
* NUL and EOT (``\\0``, ``\\x04``) in a string, raw or escaped (msgfmt truncates
  at NUL; EOT is gettext's context separator);
* ``domain`` directives (one catalogue per file here);
* a charset name Python does not know (msgfmt only warns, then cannot convert);
* a stray backslash at the very end of the file.

Warnings (returned, never raised) — they do not change any count:

* ``nplurals``/``plural`` disagreeing with babel (CLDR) for the header's
  ``Language``: real Russian catalogues (Django's, via Transifex) use
  ``nplurals=4``; they are read and counted as msgfmt counts them;
* a fuzzy flag that msgfmt ignores: gettext 0.21 resets the fuzzy flag on every
  ``#,`` line, so only the *last* flags line decides (``Entry.fuzzy`` follows
  msgfmt; ``Entry.flags`` lists every flag);
* an empty ``msgstr[i]`` (i > 0) in an entry msgfmt counts as translated
  (it looks at ``msgstr[0]`` only); untranslated/fuzzy plural entries with a
  wrong number of forms (msgfmt does not check those);
* no ``Language`` header, a ``CHARSET`` placeholder.

Not checked (msgfmt -c does): format strings (``c-format``, ``python-format`` …).

Speed: one regular expression matches a whole entry in the layout every gettext
tool writes; anything else (obsolete entries, odd spacing, several tokens on a
line, every error) goes through a line-by-line tokenizer that implements the
whole grammar and reports exact lines. The input is held in memory once; entries
are yielded as they are read (an error may still be raised after some entries
were yielded: consume the whole scan before trusting anything).

:meth:`Scan.tally` goes further for a file in that layout (as gettext's tools write
it): one expression reads it entry after entry, anchored where the previous entry
ended, and the counting is done column by column, with no Entry or Brief per
entry. It checks everything the exact path checks, or leaves the file to it:
a file that is not all in that layout, or has anything to report but its header's
warnings (an error, a plural-forms or flags warning), is read the exact way from
the start, so errors, warnings and their lines always come from there.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from tmtool.errors import InputError

__all__ = ["Brief", "brief_of", "Tally", "tally", "Entry", "Header", "ScanWarning", "Catalogue", "Scan", "scan", "check", "read", "decode",
           "parse_header", "plural_count_problem"]


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Entry:
    """One message as written in the file.

    ``msgstr`` has one element for a singular entry and one per plural form
    otherwise. ``fuzzy`` is msgfmt's reading (see the module docstring);
    ``line`` is the 1-based line of the ``msgid`` keyword, as gettext reports it.
    """

    msgid: str
    msgstr: tuple[str, ...]
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: tuple[str, ...] = ()
    fuzzy: bool = False
    translator_comments: tuple[str, ...] = ()  # "# ..." (a person's notes)
    extracted_comments: tuple[str, ...] = ()  # "#. ..." (written by tools)
    references: tuple[str, ...] = ()  # "#: file:line" tokens
    previous_msgctxt: str | None = None  # "#| msgctxt"
    previous_msgid: str | None = None  # "#| msgid"
    previous_msgid_plural: str | None = None  # "#| msgid_plural"
    obsolete: bool = False
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgctxt is None and self.msgid == "" and not self.obsolete

    @property
    def plural(self) -> bool:
        return self.msgid_plural is not None


@dataclass(frozen=True)
class Header:
    """The header entry's fields (``msgid ""``), parsed."""

    fields: tuple[tuple[str, str], ...]
    line: int
    charset: str | None  # as declared; None when absent or the CHARSET placeholder
    language: str | None
    nplurals: int | None
    plural: str | None  # the C expression after "plural="

    def get(self, name: str) -> str | None:
        for key, value in self.fields:
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class ScanWarning:
    """Something worth telling a translator that does not make the file unusable."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else (f"{self.path}: " if self.path else "")
        return f"{where}warning: {self.message}"


@dataclass(frozen=True)
class Catalogue:
    """A whole file, read and checked: what :func:`read` returns."""

    header: Header
    entries: tuple[Entry, ...]  # header and obsolete entries included, file order
    warnings: tuple[ScanWarning, ...]


Brief = tuple[str | None, str, str | None, str, bool, bool, bool]
"""What :meth:`Scan.brief` yields per entry: ``(msgctxt, msgid, msgid_plural, msgstr[0], fuzzy,
obsolete, noted)``, ``noted`` meaning a translator comment (``# …``) with some text."""


def brief_of(e: Entry) -> Brief:
    return (e.msgctxt, e.msgid, e.msgid_plural, e.msgstr[0], e.fuzzy, e.obsolete,
            any(c.strip() for c in e.translator_comments))


@dataclass
class Tally:
    """``msgfmt --statistics`` of one file, with the source texts of each state (for word counts).

    The header and obsolete entries are not counted. An entry whose ``msgstr`` (``msgstr[0]`` for
    a plural entry) is empty is untranslated, fuzzy flag or not; else one with the fuzzy flag
    (msgfmt's reading) is fuzzy; else translated. ``sources`` holds, per state, every counted
    entry's ``msgid`` and ``msgid_plural``; ``notes`` counts the counted entries with a
    translator comment (``# …``) holding some text.
    """

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    notes: int = 0
    sources: tuple[list[str], list[str], list[str]] = field(default_factory=lambda: ([], [], []))


def tally(briefs: Iterable[Brief]) -> Tally:
    """The :class:`Tally` of a file's :data:`Brief` values (see :meth:`Scan.tally`, the fast way)."""
    t = Tally()
    tl, fl, ul = t.sources
    for ctx, msgid, plural, s0, fuzzy, obsolete, noted in briefs:
        if obsolete or (ctx is None and msgid == ""):
            continue
        if s0 == "":
            t.untranslated += 1
            bucket = ul
        elif fuzzy:
            t.fuzzy += 1
            bucket = fl
        else:
            t.translated += 1
            bucket = tl
        bucket.append(msgid)
        if plural is not None:
            bucket.append(plural)
        if noted:
            t.notes += 1
    return t


# ---------------------------------------------------------------- patterns

_S = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'  # one complete string on one line (unrolled: fast in re)
_CONT = r"(?:[ \t]*" + _S + r"[ \t]*\n)*"
# One entry in canonical layout. Comments may not be "#~" (obsolete) or "#|"
# (previous, matched after the comments as gettext's grammar demands).
_FAST = re.compile(
    r"(?P<pre>(?:[ \t]*\n|#(?:[^~|\n][^\n]*)?(?<!\\)\n)*)"  # "\\\n" continues a line: slow path
    r"(?P<prev>(?:#\|[^\n]*\n)+)?"
    r"(?:msgctxt[ \t]*(?P<ctx>" + _S + r")[ \t]*\n(?P<ctxc>" + _CONT + r"))?"
    r"(?P<kw>)msgid[ \t]*(?P<id>" + _S + r")[ \t]*\n(?P<idc>" + _CONT + r")"
    r"(?:msgid_plural[ \t]*(?P<pl>" + _S + r")[ \t]*\n(?P<plc>" + _CONT + r")"
    r"(?P<forms>(?:msgstr\[[0-9]+\][ \t]*" + _S + r"[ \t]*\n" + _CONT + r")+)"
    r"|msgstr[ \t]*(?P<str>" + _S + r")[ \t]*\n(?P<strc>" + _CONT + r"))"
    # What follows must start the next entry (anything else, even an error, goes the slow, exact way).
    r"(?=[ \t\n]*(?:#|msgctxt[ \t\"]|msgid[ \t\"]|\Z))"
    r"(?![ \t\n]*#~[ \t]*(?:\"|msgstr|msgid_plural))"
)
# _from_match unpacks m.groups() by position.
assert tuple(_FAST.groupindex) == ("pre", "prev", "ctx", "ctxc", "kw", "id", "idc", "pl", "plc", "forms", "str", "strc")
# The whole-file path of Scan.tally (see Scan._whole_file): a file in the canonical layout
# (keyword, one space, string; continuation lines holding only a string; "#~ " before every
# line of an obsolete entry) read entry after entry by one expression, anchored where the
# previous entry ended. A string is matched loosely here, '"' + .* + '"' at the end of its
# line (the fastest loop re has; a negated class is ten times slower); the tally then
# proves every string well formed (_quotes_ok: two unescaped quotes a line).
_WHOLE = re.compile(
    r"(?:[ \t]*\n"  # blank lines, then comments; "\\\n" would continue a line: not here
    r"|\#(?:[.:].*|[,!](?P<fl>.*)|(?![.:,!~|])[^\S\n]*(?:(?P<nt>\S).*)?)(?<!\\)\n)*+"
    r"(?:(?P<prev>(?:\#\|.*\n)+)?"
    r"(?P<kw>)(?:msgctxt (?P<ctx>\".*\")\n(?P<ctxc>(?:\".*\"\n)*))?"
    r"msgid \"(?P<id>.*)\"\n(?P<idc>(?:\".*\"\n)*)"
    r"(?:msgid_plural (?P<pl>\".*\")\n(?P<plc>(?:\".*\"\n)*)msgstr\[0\] |msgstr )"
    r"\"(?P<s>.*)\"\n(?P<sc>(?:\".*\"\n)*)"
    r"(?P<forms>(?:msgstr\[[0-9]+\] \".*\"\n(?:\".*\"\n)*)*)"
    r"|(?P<obs>(?:\#~ msgctxt \".*\"\n(?:\#~ \".*\"\n)*)?\#~ msgid \".*\"\n(?:\#~ \".*\"\n)*"
    r"(?:\#~ msgid_plural \".*\"\n(?:\#~ \".*\"\n)*)?(?:\#~ msgstr(?:\[[0-9]+\])? \".*\"\n(?:\#~ \".*\"\n)*)+))"
    r"(?:[ \t\n]*\Z)?"  # blank lines at the end of the file
)
_B = r'[^"\\\n]*(?:\\.[^"\\\n]*)*'  # a string's body, strictly
_WHOLE_STRICT = re.compile(r'(?:(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[[0-9]+\])?) )?"' + _B + r'"\n)*')
_FORM_LOOSE = re.compile(r'msgstr\[([0-9]+)\] "(.*)"\n((?:".*"\n)*)')  # in _WHOLE's "forms"
_OBS_LOOSE = re.compile(  # an obsolete entry that _WHOLE matched, and its strings
    r'(?:\#~ msgctxt (".*")\n((?:\#~ ".*"\n)*))?\#~ msgid "(.*)"\n((?:\#~ ".*"\n)*)'
    r'(?:\#~ msgid_plural (".*")\n((?:\#~ ".*"\n)*))?((?:\#~ msgstr.*\n(?:\#~ ".*"\n)*)+)')
_OBS_FORM_LOOSE = re.compile(r'\#~ msgstr(?:\[([0-9]+)\])? "(.*)"\n((?:\#~ ".*"\n)*)')
_PREV_LOOSE = re.compile(  # a #| block in the order gettext writes it, each string on its own line
    r'(?:\#\| msgctxt ".*"\n(?:\#\| ".*"\n)*)?\#\| msgid ".*"\n(?:\#\| ".*"\n)*'
    r'(?:\#\| msgid_plural ".*"\n(?:\#\| ".*"\n)*)?')
_STR_BODIES = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"')  # the text between the quotes
_FORM = re.compile(r"msgstr\[([0-9]+)\][ \t]*(" + _S + r")[ \t]*\n(" + _CONT + r")")
_PREV = re.compile(r"#\|[ \t]*(?:(msgctxt|msgid_plural|msgid)[ \t]*)?(" + _S + r")[ \t]*$")
_TOKEN = re.compile(
    r"[ \t\f\v]*(?:"
    r"(?P<kw>[A-Za-z_$][A-Za-z0-9_$]*)(?:[ \t]*\[[ \t]*(?P<idx>[0-9]+)[ \t]*\])?"
    r"|(?P<str>" + _S + r")"
    r"|(?P<open>\")"
    r"|(?P<cmt>\#)"
    r"|(?P<bad>.)"
    r")"
)
_ESCAPE = re.compile(r"\\(?:([ntbrfva\\\"])|([0-7]{1,3})|x([0-9A-Fa-f]+)|(.?))")
_ESC_HARD = re.compile(r'\\(?:[^ntbrfva\\"]|$)')  # octal, hex, invalid, or a lone trailing backslash
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "\\": "\\", '"': '"'}
_SIMPLE_PAIRS = tuple(("\\" + k, v) for k, v in _SIMPLE_ESCAPES.items() if k != "\\")
_FLAG_SPLIT = re.compile(r"[\s,]+")
# Comment lines of the fast path's comment block, by kind (one leading space is not text).
# It searches "\n" + block: a literal prefix lets re skip ahead quickly.
_C_ANY = re.compile(r"\n#([.:,!]?) ?([^\n]*)")
# The same, for Scan.brief: flags lines, and a translator comment with some text.
_FLAG_LINE = re.compile(r"(?m)^#[,!] ?([^\n]*)")
_NOTE = re.compile(r"(?m)^#(?![.:,!])[^\S\n]*\S")
_CHARSET_SNIFF = re.compile(rb'"Content-Type:[^"\n]*?charset=([^\s"\\;]+)', re.IGNORECASE)
_HEADER_BYTES = re.compile(rb'(?m)^msgid[ \t]*""[ \t]*\r?\nmsgstr((?:[ \t]*"[^\r\n]*\r?\n)+)')
_BYTES_BODIES = re.compile(rb'"((?:[^"\\\r\n]|\\.)*)"')
_CHARSET_IN_BODY = re.compile(rb'charset=([^\s\\;"]+)', re.IGNORECASE)
_FIRST_MSGID = re.compile(rb'(?m)^[ \t]*msgid[ \t]*"[^"\n]')  # what _first_msgid finds, faster
_MSGID_TEXT = re.compile(rb'msgid[ \t]*"[^"\n]')
_NPLURALS = re.compile(r"nplurals=")
_PLURAL_EXPR = re.compile(r"plural=([^;\n]*)")

_EMPTY = 0  # nothing collected
_START = 1  # comments / previous collected
_CTX, _ID, _PLURAL, _STR, _FORMS = 2, 3, 4, 5, 6  # last keyword seen
_COMPLETE = (_STR, _FORMS)


# Entries of the fast path are built without __init__ (a frozen dataclass's
# __init__ costs more than the rest of the entry); the field values are the
# same, which the fast-vs-slow tests check.
_new_entry = object.__new__


def _quotes_ok(lines: str) -> bool:
    """Whether string lines matched loosely by ``_WHOLE`` (each ``[keyword ]"…"\\n``) hold well-formed
    strings, given a backslash in them; False also when unsure (``_WHOLE_STRICT`` then decides).

    Escape pairs are read left to right, so dropping every ``\\\\`` and then every ``\\"`` leaves
    exactly the quotes that are not escaped: two per line when every string is well formed, provided
    no closing quote was escaped (a string ending in a lone backslash), which is checked first.
    """
    if "\\" not in lines:
        return lines.count('"') == 2 * lines.count("\n")
    rest = lines.replace("\\\\", "") if "\\\\" in lines else lines
    if '\\"\n' in rest:
        return False
    return rest.replace('\\"', "").count('"') == 2 * lines.count("\n")


_GROUPS = re.Match.groups


class _Fallback(Exception):
    """The fast path met something unusual: redo this entry the exact way."""


# ---------------------------------------------------------------- decoding


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - start + 1


@lru_cache(maxsize=64)
def _codec(charset: str) -> str:
    """Python's codec for a gettext charset name; InputError-free (ValueError on failure)."""
    info = codecs.lookup(charset)
    name = info.name
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(f"charset {charset!r} is not a text encoding")
    if name.startswith(("utf-16", "utf-32")) or name in {"utf_16", "utf_32"}:
        raise ValueError(f"{charset} is not ASCII-compatible; gettext cannot read it")
    return name


def _declared_codec(charset: str | None, path: str | None, line: int | None) -> str:
    if charset is None or charset.upper() == "CHARSET":
        return "utf-8"
    try:
        return _codec(charset)
    except LookupError:
        raise InputError(f"unknown charset {charset!r} in the header's Content-Type", path, line) from None
    except ValueError as exc:
        raise InputError(str(exc), path, line) from None


def _first_msgid(data: bytes) -> int:
    """Where ``_FIRST_MSGID`` would match, found from the literal ``msgid`` (re cannot skip ahead to it)."""
    pos = data.find(b"msgid")
    while pos >= 0:
        start = data.rfind(b"\n", 0, pos) + 1
        if _MSGID_TEXT.match(data, pos) and not data[start:pos].strip(b" \t"):
            return start
        pos = data.find(b"msgid", pos + 5)
    return -1


def _sniff_charset(data: bytes) -> tuple[str | None, int]:
    """The header's charset, read from the raw bytes (every charset gettext knows is ASCII-compatible)."""
    first = _first_msgid(data)
    head = data[: min(first, 1 << 20)] if first >= 0 else data[: 1 << 16]
    h = _HEADER_BYTES.search(head)
    if h is not None:  # join the header's strings: "Content-Type: ..." may be wrapped
        body = b"".join(_BYTES_BODIES.findall(h.group(1)))
        c = _CHARSET_IN_BODY.search(body)
        if c:
            return c.group(1).decode("ascii", "replace"), h.start(1)
    sniff = _CHARSET_SNIFF.search(head)
    return (sniff.group(1).decode("ascii", "replace"), sniff.start()) if sniff else (None, 0)


def decode(data: bytes, path: str | None = None) -> tuple[str, str]:
    """Bytes of a PO file → (text with ``\\n`` line ends, Python codec used).

    The codec is the header's ``charset`` (UTF-8 when absent). Errors name the line.
    """
    if data.startswith(codecs.BOM_UTF8):
        raise InputError(
            "UTF-8 byte-order mark (BOM) at the start of the file: msgfmt rejects it "
            "(syntax error at 1:2); save the file as UTF-8 without BOM", path, 1)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError("UTF-16 file: gettext reads only ASCII-compatible encodings; save it as UTF-8", path, 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _line_col(data, nul)
        raise InputError(f"NUL byte at column {col}: binary file or UTF-16 without BOM, not a PO file", path, line)
    charset, offset = _sniff_charset(data)
    codec = _declared_codec(charset, path, _line_col(data, offset)[0] if charset else None)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        raise InputError(
            f"byte 0x{data[exc.start]:02x} at column {col} is not valid {charset or 'UTF-8'}"
            + ("" if charset else " (the header declares no charset)")
            + "; fix the header's charset= or re-save the file in that encoding", path, line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, codec


# ---------------------------------------------------------------- strings


def _unescape_piece(s: str, codec: str, path: str | None, line: int) -> str:
    """Resolve gettext's escapes in one string's body (between the quotes)."""
    if _ESC_HARD.search(s) is None:  # only \n \t \" \\ …: plain replacements ("\0" is never in the text)
        s = s.replace("\\\\", "\0")
        if "\\" in s:
            for esc, char in _SIMPLE_PAIRS:
                if esc in s:
                    s = s.replace(esc, char)
        return s.replace("\0", "\\")
    out: list[str] = []
    pending: list[int] = []  # bytes from \ooo and \xhh, decoded in the file's charset
    pos = 0

    def flush() -> None:
        if pending:
            try:
                out.append(bytes(pending).decode(codec))
            except UnicodeDecodeError:
                raise InputError(f"octal/hex escapes do not form valid {codec} text", path, line) from None
            pending.clear()

    for m in _ESCAPE.finditer(s):
        if m.start() > pos:
            flush()
            out.append(s[pos:m.start()])
        pos = m.end()
        simple, octal, hexa, bad = m.groups()
        if simple is not None:
            flush()
            out.append(_SIMPLE_ESCAPES[simple])
            continue
        if bad is not None:
            raise InputError(f"invalid control sequence \\{bad}", path, line)
        value = (int(octal, 8) if octal is not None else int(hexa, 16)) & 0xFF
        if value == 0:
            raise InputError("NUL (\\0) in a string: msgfmt would cut the text there", path, line)
        if value == 4:
            raise InputError("context separator <EOT> (\\x04) within string", path, line)
        if value < 0x80:
            flush()
            out.append(chr(value))
        else:
            pending.append(value)
    flush()
    out.append(s[pos:])
    return "".join(out)


# ---------------------------------------------------------------- plural rules


@lru_cache(maxsize=64)
def _plural_problem(expr: str, nplurals: int) -> str | None:
    """msgfmt -c's check_plural_eval: the expression must parse and stay in range for n ≤ 1000."""
    import gettext

    try:
        func = gettext.c2py(expr)
    except (ValueError, RecursionError, SyntaxError):
        return "invalid plural expression"
    for n in range(1001):
        try:
            value = int(func(n))
        except ZeroDivisionError:
            return "plural expression can produce division by zero"
        except Exception:  # noqa: BLE001 - any evaluation failure is an invalid expression
            return "invalid plural expression"
        if value < 0:
            return "plural expression can produce negative values"
        if value >= nplurals:
            return f"nplurals = {nplurals} but plural expression can produce values as large as {value}"
    return None


@lru_cache(maxsize=64)
def _babel_plural_mismatch(language: str, nplurals: int, expr: str) -> str | None:
    """How the file's Plural-Forms differs from babel's (CLDR) rule for ``language``, if it does."""
    import gettext

    from babel.core import UnknownLocaleError
    from babel.messages.plurals import get_plural

    tag = language.split("@")[0].replace("-", "_")
    try:
        ref = get_plural(tag)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    if ref.num_plurals != nplurals:
        return (f"Plural-Forms has nplurals={nplurals} but babel (CLDR) has {ref.num_plurals} for "
                f"{language!r}; counted as written in the file")
    try:
        mine, theirs = gettext.c2py(expr), gettext.c2py(ref.plural_expr)
        if any(mine(n) != theirs(n) for n in range(1001)):
            return (f"the plural rule differs from babel's for {language!r} ({ref.plural_expr}): "
                    "translations may be shown for the wrong numbers")
    except Exception:  # noqa: BLE001 - an invalid expression is reported as an error elsewhere
        return None
    return None


def parse_header(msgstr: str, line: int) -> Header:
    """The ``Key: value`` lines of a header entry's msgstr."""
    fields: list[tuple[str, str]] = []
    for raw in msgstr.split("\n"):
        key, sep, value = raw.partition(":")
        if sep and key.strip():
            fields.append((key.strip(), value.strip()))
    charset = language = plural = None
    nplurals: int | None = None
    for key, value in fields:
        k = key.lower()
        if k == "content-type":
            m = re.search(r"charset=([^\s;]+)", value, re.IGNORECASE)
            if m and m.group(1).upper() != "CHARSET":
                charset = m.group(1)
        elif k == "language":
            language = value or None
    # msgfmt looks for "plural=" / "nplurals=" anywhere in the header (c_strstr).
    m = _NPLURALS.search(msgstr)
    if m:
        digits = re.match(r"\s*([0-9]+)", msgstr[m.end():])
        nplurals = int(digits.group(1)) if digits else -1
    m = _PLURAL_EXPR.search(msgstr)
    if m:
        plural = m.group(1).strip()
    return Header(tuple(fields), line, charset, language, nplurals, plural)


# ---------------------------------------------------------------- plural forms of one message


def plural_count_problem(header: Header, forms: int) -> str | None:
    """Why a translated plural entry with ``forms`` forms is invalid under ``header``, or None."""
    if header.nplurals is None or header.plural is None:
        return ("message catalog has plural form translations, but the header lacks "
                "\"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\"")
    n = header.nplurals
    if forms != n:
        return (f"{'only ' if forms < n else ''}{forms} plural form{'' if forms == 1 else 's'} but the header's "
                f"Plural-Forms says nplurals={n}: a plural entry needs exactly msgstr[0] … msgstr[{n - 1}]")
    return None


# ---------------------------------------------------------------- the scanner


class _Partial:
    """An entry being put together line by line (the slow path)."""

    __slots__ = ("state", "comments", "extracted", "references", "flaglines", "prev", "prev_key",
                 "ctx", "msgid", "plural", "strs", "target", "line", "obsolete", "first_line")

    def __init__(self) -> None:
        self.state = _EMPTY
        self.comments: list[str] = []
        self.extracted: list[str] = []
        self.references: list[str] = []
        self.flaglines: list[list[str]] = []
        self.prev: dict[str, list[str]] = {}
        self.prev_key: str | None = None
        self.ctx: list[str] | None = None
        self.msgid: list[str] = []
        self.plural: list[str] | None = None
        self.strs: list[list[str]] = []
        self.target: list[str] | None = None
        self.line = 0
        self.obsolete: bool | None = None
        self.first_line = 0


def _strip1(s: str) -> str:
    return s[1:] if s.startswith(" ") else s


class Scan:
    """Iterate over a PO file's entries, checking as gettext does; one pass only.

    After (or during) iteration ``header`` holds the parsed header and
    ``warnings`` the warnings so far.
    """

    def __init__(self, data: bytes | str | Iterable[str], path: str | None = None, *, _fast: bool = True):
        self.path = path
        self.header: Header | None = None
        self.warnings: list[ScanWarning] = []
        self._data = data
        self._fast = _fast
        self._codec = "utf-8"
        self._from_bytes = isinstance(data, (bytes, bytearray, memoryview))
        self._seen: dict[tuple[str | None, str], int] = {}
        self._deferred_plurals: list[tuple[int, int]] = []  # (line, forms) seen before the header
        self._untranslated_plural_line: int | None = None
        self._started = False
        self._part = _Partial()
        self._out: list[Entry] = []
        self._eof_line = 0
        self._need: tuple[str, int] | None = None  # a keyword still waiting for its string

    # -- public

    def __iter__(self) -> Iterator[Entry]:
        if self._started:
            raise RuntimeError("a Scan can be iterated only once")
        self._started = True
        return self._run(False)

    def brief(self) -> Iterator[Brief]:
        """Iterate instead over each entry's :data:`Brief`: what counting needs, checked exactly
        as :meth:`__iter__` checks (same errors, lines, warnings) but without building
        :class:`Entry` values or reading extracted comments and references (faster)."""
        if self._started:
            raise RuntimeError("a Scan can be iterated only once")
        self._started = True
        return self._run(True)  # type: ignore[return-value]

    def tally(self) -> Tally:
        """The file's :class:`Tally`, checked exactly as :meth:`__iter__` checks (same errors,
        lines, warnings); the fastest way to count a file.

        A file in the layout gettext's tools write is read by one regular expression, entry after
        entry, building no Entry or Brief values (see :meth:`_whole_file`); any other file, and every
        file with something to report beyond its header's warnings, is read the exact way from
        the start.
        """
        if self._started:
            raise RuntimeError("a Scan can be iterated only once")
        self._started = True
        text = self._prepare()
        if self._fast:
            t = self._whole_file(text)
            if t is not None:
                return t
        return tally(self._run(True, text))  # type: ignore[arg-type]

    # -- errors

    def _error(self, message: str, line: int | None) -> InputError:
        return InputError(message, self.path, line)

    def _warn(self, message: str, line: int | None) -> None:
        self.warnings.append(ScanWarning(message, self.path, line))

    # -- driver

    def _prepare(self) -> str:
        """The whole text, decoded, with ``\\n`` line ends and a final newline."""
        data = self._data
        if self._from_bytes:
            text, self._codec = decode(bytes(data), self.path)  # type: ignore[arg-type]
        elif isinstance(data, str):
            text = data.replace("\r\n", "\n").replace("\r", "\n") if "\r" in data else data
        else:
            text = "".join(data)  # type: ignore[arg-type]
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
        self._data = None  # the text is all we keep
        # (decode() refused NUL bytes, and UTF-8 makes NUL of nothing else)
        if (not self._from_bytes or self._codec != "utf-8") and "\x00" in text:
            raise self._error("NUL character in the file", text.count("\n", 0, text.index("\x00")) + 1)
        if not text.endswith("\n"):  # an unterminated last line: gettext meets the end of the file there
            self._eof_line = text.count("\n") + 1
            text += "\n"
        return text

    def _run(self, brief: bool, text: str | None = None) -> Iterator[Entry | Brief]:
        if text is None:
            text = self._prepare()
        n = len(text)
        pos = 0
        line = 1
        fast = _FAST.match if self._fast else None
        out = self._out
        while pos < n:
            part = self._part
            if fast is not None and self._need is None and (part.state == _EMPTY or part.state in _COMPLETE):
                m = fast(text, pos)
                if m is not None and brief:
                    try:
                        b, values = self._brief_match(m, line)
                    except _Fallback:
                        pass
                    else:
                        if part.state in _COMPLETE:
                            yield brief_of(self._finish(part))
                            self._part = _Partial()
                        self._check(*values)
                        yield b
                        line += text.count("\n", pos, m.end())
                        pos = m.end()
                        continue
                elif m is not None:
                    try:
                        entry, flaglines = self._from_match(m, line)
                    except _Fallback:
                        pass
                    else:
                        if part.state in _COMPLETE:
                            yield self._finish(part)
                            self._part = _Partial()
                        yield self._accept(entry, flaglines)
                        line += text.count("\n", pos, m.end())
                        pos = m.end()
                        continue
            end = text.index("\n", pos)
            chunk = text[pos:end]
            lines = 1
            # gettext drops every backslash-newline pair before lexing (a line continuation).
            while chunk.endswith("\\") and end + 1 < n:
                nxt = text.index("\n", end + 1)
                chunk = chunk[:-1] + text[end + 1:nxt]
                end = nxt
                lines += 1
            self._slow_line(chunk, line)
            if out:
                if brief:
                    yield from map(brief_of, out)
                else:
                    yield from out
                out.clear()
            pos = end + 1
            line += lines
        self._check_need()
        part = self._part
        if part.state in _COMPLETE:
            yield brief_of(self._finish(part)) if brief else self._finish(part)
        elif part.state in (_ID, _PLURAL):
            raise self._error("missing 'msgstr' section (the file ends inside an entry: truncated?)", part.line)
        elif part.state == _CTX:
            raise self._error("missing 'msgid' section after msgctxt (the file ends inside an entry)", part.first_line)
        elif part.prev:
            raise self._error("#| lines at the end of the file belong to no entry (truncated?)", part.first_line)
        self._final_checks()

    # -- fast path

    def _text(self, first: str, cont: str | None) -> str:
        if cont:
            joined = first[1:-1] + "".join(_STR_BODIES.findall(cont))
            if "\\" not in joined:
                return joined
            if _ESC_HARD.search(first) is None and _ESC_HARD.search(cont) is None:
                return self._fast_unescape(joined)  # simple escapes cannot straddle two strings
            return "".join(self._fast_unescape(p) for p in [first[1:-1], *_STR_BODIES.findall(cont)])
        s = first[1:-1]
        return self._fast_unescape(s) if "\\" in s else s

    def _fast_unescape(self, s: str) -> str:
        if "\\" not in s:
            return s
        try:
            return _unescape_piece(s, self._codec, self.path, 0)
        except InputError:
            raise _Fallback from None  # the slow path reports it with the exact line

    def _from_match(self, m: re.Match[str], line: int) -> tuple[Entry, list[list[str]] | None]:
        pre, prevblock, ctx, ctxc, _, idq, idc, pl, plc, forms, sq, sc = m.groups()
        start = m.start()
        kwpos = m.start("kw")
        text = self._text
        e = _new_entry(Entry)
        d = e.__dict__  # only non-default fields are stored; the rest are the class defaults
        d["line"] = line + m.string.count("\n", start, kwpos) if kwpos != start else line
        if idc:
            d["msgid"] = text(idq, idc)
        else:
            v = idq[1:-1]
            d["msgid"] = self._fast_unescape(v) if "\\" in v else v
        if ctx is not None:
            d["msgctxt"] = text(ctx, ctxc)
        if pl is None:
            if sc:
                d["msgstr"] = (text(sq, sc),)
            else:
                v = sq[1:-1]
                d["msgstr"] = (self._fast_unescape(v) if "\\" in v else v,)
        else:
            msgstr = []
            for i, fm in enumerate(_FORM.finditer(forms)):
                if int(fm.group(1)) != i:
                    raise _Fallback
                msgstr.append(text(fm.group(2), fm.group(3)))
            d["msgstr"] = tuple(msgstr)
            d["msgid_plural"] = text(pl, plc)
        flaglines: list[list[str]] | None = None
        if pre and "#" in pre:
            tc: list[str] = []
            xc: list[str] = []
            refs: list[str] = []
            for k, v in _C_ANY.findall("\n" + pre):
                if not k:
                    tc.append(v)
                elif k == ".":
                    xc.append(v)
                elif k == ":":
                    refs.extend(v.split())
                else:
                    if flaglines is None:
                        flaglines = []
                    flaglines.append([f for f in _FLAG_SPLIT.split(v) if f])
            if tc:
                d["translator_comments"] = tuple(tc)
            if xc:
                d["extracted_comments"] = tuple(xc)
            if refs:
                d["references"] = tuple(refs)
            if flaglines:
                d["flags"] = tuple(f for fl in flaglines for f in fl)
                if "fuzzy" in flaglines[-1]:
                    d["fuzzy"] = True
        if prevblock:
            for k, v in self._previous(prevblock).items():
                d["previous_" + k] = v
        return e, flaglines

    def _previous(self, prevblock: str) -> dict[str, str]:
        """The strings of a ``#|`` block; anything unusual goes the exact way (``_Fallback``)."""
        prev: dict[str, str] = {}
        key = None
        order = ("msgctxt", "msgid", "msgid_plural")
        for c1 in prevblock.split("\n")[:-1]:
            pm = _PREV.match(c1)
            if pm is None:
                raise _Fallback
            kw, q = pm.groups()
            if kw is None:
                if key is None:
                    raise _Fallback
                prev[key] += self._fast_unescape(q[1:-1])
            else:
                if kw in prev or (key is not None and order.index(kw) <= order.index(key)):
                    raise _Fallback
                key = kw
                prev[kw] = self._fast_unescape(q[1:-1])
        if "msgid" not in prev:  # "#| msgctxt" or "#| msgid_plural" alone: a syntax error
            raise _Fallback
        return prev

    def _brief_match(self, m: re.Match[str], line: int) -> tuple[Brief, tuple]:  # type: ignore[type-arg]
        """:meth:`_from_match` for :meth:`brief`: the same strings (so the same checks), no Entry."""
        pre, prevblock, ctx, ctxc, _, idq, idc, pl, plc, forms, sq, sc = m.groups()
        start = m.start()
        kwpos = m.start("kw")
        text = self._text
        line = line + m.string.count("\n", start, kwpos) if kwpos != start else line
        if idc:
            msgid = text(idq, idc)
        else:
            v = idq[1:-1]
            msgid = self._fast_unescape(v) if "\\" in v else v
        msgctxt = text(ctx, ctxc) if ctx is not None else None
        plural = None
        if pl is None:
            if sc:
                msgstr: tuple[str, ...] = (text(sq, sc),)
            else:
                v = sq[1:-1]
                msgstr = (self._fast_unescape(v) if "\\" in v else v,)
        else:
            strs = []
            for i, fm in enumerate(_FORM.finditer(forms)):
                if int(fm.group(1)) != i:
                    raise _Fallback
                strs.append(text(fm.group(2), fm.group(3)))
            msgstr = tuple(strs)
            plural = text(pl, plc)
        flaglines: list[list[str]] | None = None
        fuzzy = noted = False
        if pre and "#" in pre:
            noted = _NOTE.search(pre) is not None
            if "#," in pre or "#!" in pre:
                flaglines = [[f for f in _FLAG_SPLIT.split(v) if f] for v in _FLAG_LINE.findall(pre)]
                fuzzy = bool(flaglines) and "fuzzy" in flaglines[-1]
        if prevblock:  # checked as _from_match checks it (its errors go the exact way)
            self._previous(prevblock)
        return ((msgctxt, msgid, plural, msgstr[0], fuzzy, False, noted),
                (msgctxt, msgid, plural, msgstr, fuzzy, False, line, flaglines))

    # -- whole-file path (tally only)

    def _whole_file(self, text: str) -> Tally | None:
        """The :class:`Tally`, if the whole file is in the canonical layout and has nothing to
        report but its header's warnings; else None, with nothing changed, and the exact path
        reads the file from the start (errors, warnings and their lines come from there only).

        Everything the exact path checks is checked here too, or sends the file there: the
        strings (all at the end, :func:`_quotes_ok`), escapes, duplicates, ``#|`` blocks, plural
        forms against the header, leading/trailing newlines of translated entries.
        """
        try:
            return self._whole_file_tally(text)
        except _Fallback:
            self.header = None
            self.warnings.clear()
            self._deferred_plurals.clear()
            return None

    def _joined(self, joined: str, first: str, cont: str) -> str:
        """``joined`` (a string's bodies, concatenated) with its escapes resolved."""
        plain = joined.replace('\\"', '"')
        if "\\" not in plain:  # only \" escapes (a "\\" before a '"' would have left a backslash)
            return plain
        if _ESC_HARD.search(joined) is None:  # only \n \" \\ …: they cannot straddle two strings
            return _unescape_piece(joined, self._codec, self.path, 0)
        return self._text('"' + first + '"', cont)  # octal/hex: string by string, as gettext does

    def _whole_file_tally(self, text: str) -> Tally:
        matches = list(iter(_WHOLE.scanner(text).match, None))
        if not matches or matches[-1].end() != len(text):
            raise _Fallback  # not all of it in the usual layout (or broken): the exact path says
        # Column by column, in bulk (a loop with one test per entry and column costs twice as much).
        fl, nt, prev, kw, ctx, ctxc, mid, midc, pl, plc, s, sc, forms, obs = zip(*map(_GROUPS, matches))
        n = len(matches)
        ids = [a + b[1:-2].replace('"\n"', "") if b else a for a, b in zip(mid, midc)]  # escapes unresolved
        # The entries read one by one (_whole_entry): obsolete ones, with "#|" lines, a msgctxt, plural
        # forms, an escape in the msgstr or any but \" in the msgid, and the header (msgid "").
        special: set[int] = set()
        for column in (prev, ctx, pl, obs):
            if column.count(None) != n:
                special.update(i for i, x in enumerate(column) if x is not None)
        if any(forms):
            special.update(i for i, x in enumerate(forms) if x)
        for column in (s, sc):
            if "\\" in "".join(filter(None, column)):
                special.update(i for i, x in enumerate(column) if x and "\\" in x)
        if "" in ids:
            special.update(i for i, x in enumerate(ids) if x == "")
        quoted: list[int] = []  # plain entries whose msgid has \" (the usual English case) and no other escape
        if "\\" in "".join(filter(None, ids)):
            quoted = [i for i, x in enumerate(ids) if x and "\\" in x and i not in special]
            raw = "\0".join([ids[i] for i in quoted])
            if ("\\" in raw.replace('\\"', "") or "\\\0" in "\0".join([mid[i] for i in quoted]) + "\0"
                    or '\\"\n' in "".join([midc[i] for i in quoted])):
                for i in quoted:  # a rarer escape somewhere, or a string ending with a backslash
                    x = ids[i]
                    if "\\" in x.replace('\\"', "") or mid[i].endswith("\\") or '\\"\n' in midc[i]:
                        special.add(i)
                quoted = [i for i in quoted if i not in special]
        plain = [i for i in range(n) if i not in special] if special else range(n)
        # Every string must be well formed: no quote inside but escaped ones (see _quotes_ok).
        if special or quoted:
            unquoted = set(quoted)
            strs = "\0".join([ids[i] for i in plain if i not in unquoted] + [s[i] for i in plain])
            conts = "".join([sc[i] for i in plain])
        else:
            strs = "\0".join(ids) + "\0".join(s)
            conts = "".join(sc)
        if '"' in strs or conts.count('"') != 2 * conts.count("\n"):
            raise _Fallback
        if quoted:  # in such a msgid, each backslash escapes the quote after it (none ends a string)
            raw = "\0".join([ids[i] for i in quoted])
            if raw.count('"') != raw.count('\\"'):
                raise _Fallback
            for i, x in zip(quoted, raw.replace('\\"', '"').split("\0")):
                ids[i] = x
        plain_ids = [ids[i] for i in plain] if special else ids
        seen = set(plain_ids)  # msgids of the entries without msgctxt (obsolete ones too)
        if len(seen) != len(plain_ids):
            raise _Fallback  # a duplicate
        # msgfmt's fuzzy: the last flags line decides; an ignored fuzzy flag on an earlier line is a warning.
        if fl.count(None) == n:
            fuzzy = [False] * n
        else:
            fuzzy = [f is not None and (f == " fuzzy" or ("fuzzy" in f and "fuzzy" in _FLAG_SPLIT.split(f)))
                     for f in fl]
            for i, f in enumerate(fl):
                if f is not None and not fuzzy[i] and text.find("fuzzy", matches[i].start(), matches[i].end()) >= 0:
                    raise _Fallback
        # an empty msgstr: an empty string and, maybe, empty "" lines (3 characters each)
        states = [2 if not a and (not b or len(b) == 3 * b.count("\n")) else 1 if f else 0
                  for a, b, f in zip(s, sc, fuzzy)]
        plurals: dict[int, str] = {}
        self._seen_ctx: set[tuple[str, str]] = set()
        self._plural_todo = False  # an untranslated or fuzzy plural entry: Plural-Forms is needed
        for i in sorted(special):
            state, msgid, plural = self._whole_entry(
                text, matches[i], (prev[i], kw[i], ctx[i], ctxc[i], mid[i], midc[i], pl[i], plc[i], s[i], sc[i],
                                   forms[i], obs[i]), ids[i], fuzzy[i], seen)
            states[i] = state
            ids[i] = msgid
            if plural is not None:
                plurals[i] = plural
        header = self.header
        if header is None or (self._plural_todo and (header.nplurals is None or header.plural is None)):
            raise _Fallback
        sources: tuple[list[str], list[str], list[str]]
        if plurals:
            sources = ([], [], [])
            for i, (x, state) in enumerate(zip(ids, states)):
                if state >= 0:
                    sources[state].append(x)
                    if i in plurals:
                        sources[state].append(plurals[i])
        else:
            sources = tuple([x for x, st in zip(ids, states) if st == k] for k in (0, 1, 2))  # type: ignore[assignment]
        notes = sum(1 for x, st in zip(nt, states) if x is not None and st >= 0)
        return Tally(states.count(0), states.count(1), states.count(2), notes, sources)

    def _whole_header(self, text: str, m: re.Match[str], msgstr: str) -> None:
        if self.header is not None:
            raise _Fallback  # cannot be (a duplicate); kept for safety
        try:
            self._header_entry(msgstr, text.count("\n", 0, m.start("kw")) + 1)
        except InputError:
            raise _Fallback from None

    def _whole_entry(self, text: str, m: re.Match[str], groups: tuple[str | None, ...], msgid: str,
                     fuzzy: bool, seen: set[str]) -> tuple[int, str, str | None]:
        """Any entry but the plainest: its state (0 translated, 1 fuzzy, 2 untranslated, -1 not
        counted), msgid and msgid_plural, checked as the exact path checks it. ``msgid`` is the
        msgid's strings joined, escapes unresolved."""
        prev, _, ctx, ctxc, mid, midc, pl, plc, s, sc, forms, obs = groups
        kw = text[m.start("kw"):m.end("forms")] if obs is None else ""  # the entry's string lines
        if obs is not None:
            ctx, msgid = self._whole_obsolete(obs)
        else:
            if not _quotes_ok(kw) and _WHOLE_STRICT.fullmatch(kw) is None:
                raise _Fallback
            if "\\" in msgid:
                msgid = self._joined(msgid, mid, midc)
            if ctx is not None:
                ctx = self._loose(ctx[1:-1], ctxc)
        if ctx is None:
            if msgid in seen:
                raise _Fallback
            seen.add(msgid)
        else:
            if (ctx, msgid) in self._seen_ctx:
                raise _Fallback
            self._seen_ctx.add((ctx, msgid))
        if obs is not None:
            return -1, msgid, None
        if prev is not None and (_PREV_LOOSE.fullmatch(prev) is None or not _quotes_ok(prev)
                                 or ("\\" in prev and _ESC_HARD.search(prev) is not None)):
            self._previous(prev)  # not the usual layout: checked the exact way
        escaped = "\\" in kw  # else no text holds a newline
        s0 = self._loose(s, sc)
        if pl is None and not forms:
            if ctx is None and msgid == "":
                self._whole_header(text, m, s0)
                return -1, msgid, None
            if escaped and s0 != "" and not fuzzy and msgid != "" and (
                msgid[0] == "\n" or msgid[-1] == "\n" or s0[0] == "\n" or s0[-1] == "\n"
            ):
                try:
                    self._check_newlines(msgid, None, (s0,), 0)
                except InputError:
                    raise _Fallback from None
            return (2 if s0 == "" else 1 if fuzzy else 0), msgid, None
        if pl is None or (ctx is None and msgid == ""):
            raise _Fallback  # msgstr[i] after msgstr; a plural header entry
        plural = self._loose(pl[1:-1], plc)
        strs = [s0]
        pos = 0
        for i, fm in enumerate(_FORM_LOOSE.finditer(forms), 1):
            if fm.start() != pos or int(fm.group(1)) != i:
                raise _Fallback
            pos = fm.end()
            strs.append(self._loose(fm.group(2), fm.group(3)))
        if pos != len(forms):
            raise _Fallback
        header = self.header
        if s0 != "" and not fuzzy:
            if header is None or header.plural is None or header.nplurals != len(strs):
                raise _Fallback
            if "" in strs:
                raise _Fallback  # an empty msgstr[i]: a warning
            if escaped and msgid != "":
                try:
                    self._check_newlines(msgid, plural, tuple(strs), 0)
                except InputError:
                    raise _Fallback from None
            return 0, msgid, plural
        if header is not None and header.nplurals is not None and header.nplurals > 0 \
                and len(strs) != header.nplurals:
            raise _Fallback
        self._plural_todo = True
        return (2 if s0 == "" else 1), msgid, plural

    def _loose(self, first: str, cont: str | None, skip: int = 1, sep: str = '"\n"') -> str:
        """A text from its first string's body and its continuation lines, as ``_WHOLE`` matched
        them (well formed: see _quotes_ok). ``skip``/``sep``: the lines' prefix, for ``#~`` lines."""
        t = first + cont[skip:-2].replace(sep, "") if cont else first
        return self._joined(t, first, cont or "") if "\\" in t else t

    def _whole_obsolete(self, obs: str) -> tuple[str | None, str]:
        """Check an obsolete entry and return its msgctxt and msgid."""
        om = _OBS_LOOSE.fullmatch(obs)
        if om is None or not _quotes_ok(obs):
            raise _Fallback
        ctx, ctxc, mid, midc, pl, plc, strs = om.groups()
        pos = 0
        for i, fm in enumerate(_OBS_FORM_LOOSE.finditer(strs)):
            idx = fm.group(1)
            if fm.start() != pos or (idx is None) != (pl is None) or (idx is not None and int(idx) != i) \
                    or (idx is None and i):
                raise _Fallback
            pos = fm.end()
            self._loose(fm.group(2), fm.group(3), 4, '"\n#~ "')  # its escapes are checked
        if pos != len(strs):
            raise _Fallback
        if pl is not None:
            self._loose(pl[1:-1], plc, 4, '"\n#~ "')
        return (None if ctx is None else self._loose(ctx[1:-1], ctxc, 4, '"\n#~ "'),
                self._loose(mid, midc, 4, '"\n#~ "'))

    # -- slow path: one line at a time, the whole grammar

    def _slow_line(self, s: str, line: int) -> None:
        """Feed one line; completed entries go to ``self._out``."""
        st = s.lstrip(" \t\f\v")  # a comment keeps its trailing blanks, as gettext (and the fast path) keep them
        if not st:
            return
        if st[0] == "#" and st[1:2] != "~" and st[1:2] != "|":
            return self._slow_comment(st, line)
        self._slow_tokens(st, line, False, previous=False)

    def _slow_tokens(self, st: str, line: int, obsolete: bool, previous: bool) -> None:
        i = 0
        n = len(st)
        while i < n:
            tm = _TOKEN.match(st, i)
            if tm is None:  # only blanks left
                return
            i = tm.end()
            kind = tm.lastgroup
            if kind == "cmt":
                # As gettext's lexer, anywhere on a line: "#~" makes the rest of the line
                # obsolete, "#|" (or "#~|") previous; any other "#" starts a comment.
                mark = st[i:i + 1]
                if mark == "~":
                    obsolete = True
                    i += 1
                    if st[i:i + 1] == "|":
                        previous = True
                        i += 1
                    continue
                if mark == "|":
                    previous = True
                    i += 1
                    continue
                if previous:
                    raise self._error("syntax error in a #| (previous msgid) line", line)
                self._slow_comment(st[tm.start("cmt"):], line)
                return
            if kind == "open":
                where = "end-of-file" if line == self._eof_line else "end-of-line"
                raise self._error(f"{where} within string (a closing \" is missing)", line)
            if kind == "bad":
                if not st[tm.start("bad"):].strip(" \t\f\v"):
                    return  # blanks at the end of the line (kept by _slow_line for comments)
                raise self._error(f"syntax error: unexpected {tm.group('bad')!r}", line)
            if kind == "str":
                if previous:
                    self._slow_prev_string(tm.group("str"), line)
                else:
                    self._slow_string(tm.group("str"), line, obsolete)
            elif previous:
                self._slow_prev_keyword(tm.group("kw"), tm.group("idx"), line, obsolete)
            else:
                self._slow_keyword(tm.group("kw"), tm.group("idx"), line, obsolete)

    def _new_if_complete(self) -> _Partial:
        part = self._part
        if part.state in _COMPLETE:
            self._out.append(self._finish(part))
            part = self._part = _Partial()
        return part

    def _check_obsolete(self, part: _Partial, obsolete: bool, line: int) -> None:
        if part.obsolete is None:
            part.obsolete = obsolete
        elif part.obsolete != obsolete:
            raise self._error("inconsistent use of #~ within one entry", line)

    def _check_need(self) -> None:
        if self._need is not None:
            kw, line = self._need
            raise self._error(f"syntax error: {kw} without a string after it (truncated?)", line)

    def _slow_comment(self, c: str, line: int) -> None:
        self._check_need()
        part = self._new_if_complete()
        if part.state == _CTX:
            raise self._error("missing 'msgid' section: a comment inside an entry", line)
        if part.state in (_ID, _PLURAL):
            raise self._error("missing 'msgstr' section: a comment between msgid and msgstr", part.line)
        if part.prev:
            raise self._error("syntax error: a comment after #| lines (they must come right before msgid)", line)
        if part.state == _EMPTY:
            part.state = _START
            part.first_line = line
        k = c[1:2]
        if k == ".":
            part.extracted.append(_strip1(c[2:]))
        elif k == ":":
            part.references.extend(c[2:].split())
        elif k == "," or k == "!":
            part.flaglines.append([f for f in _FLAG_SPLIT.split(c[2:]) if f])
        else:
            part.comments.append(_strip1(c[1:]))

    def _slow_prev_keyword(self, kw: str, idx: str | None, line: int, obsolete: bool) -> None:
        self._check_need()
        self._need = (f"#| {kw}", line)
        part = self._new_if_complete()
        if part.state not in (_EMPTY, _START):
            raise self._error("syntax error: #| line inside an entry", line)
        order = ("msgctxt", "msgid", "msgid_plural")
        if kw not in order or idx is not None:
            raise self._error(f"syntax error: {kw!r} in a #| line", line)
        if kw in part.prev or (part.prev_key is not None and order.index(kw) <= order.index(part.prev_key)):
            raise self._error(f"syntax error: #| {kw} out of order", line)
        self._check_obsolete(part, obsolete, line)
        if part.state == _EMPTY:
            part.state = _START
            part.first_line = line
        part.prev_key = kw
        part.prev[kw] = []

    def _slow_prev_string(self, quoted: str, line: int) -> None:
        self._need = None
        part = self._part
        if part.prev_key is None or part.state != _START:
            raise self._error("syntax error: a #| string with no #| keyword before it", line)
        part.prev[part.prev_key].append(self._piece(quoted, line))

    def _piece(self, quoted: str, line: int) -> str:
        s = quoted[1:-1]
        return _unescape_piece(s, self._codec, self.path, line) if "\\" in s else s

    def _slow_keyword(self, kw: str, idx: str | None, line: int, obsolete: bool) -> None:
        self._check_need()
        self._need = (kw if idx is None else f"{kw}[{idx}]", line)
        if kw not in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            if kw == "domain":
                raise self._error("'domain' directives are not supported (one catalogue per file)", line)
            raise self._error(f'keyword "{kw}" unknown', line)
        if idx is not None and kw != "msgstr":
            raise self._error(f"syntax error: {kw}[{idx}]", line)
        part = self._new_if_complete() if kw in ("msgctxt", "msgid") else self._part
        st = part.state
        if kw == "msgctxt":
            if st not in (_EMPTY, _START):
                raise self._error("syntax error: msgctxt inside an entry (msgstr missing before it?)", line)
            if part.prev and "msgid" not in part.prev:
                raise self._error("syntax error: #| lines without #| msgid", line)
            self._check_obsolete(part, obsolete, line)
            part.ctx = []
            part.target = part.ctx
            part.state = _CTX
            part.first_line = part.first_line or line
        elif kw == "msgid":
            if st not in (_EMPTY, _START, _CTX):
                raise self._error("missing 'msgstr' section before the next msgid", part.line)
            if part.prev and "msgid" not in part.prev:
                raise self._error("syntax error: #| lines without #| msgid", line)
            self._check_obsolete(part, obsolete, line)
            part.target = part.msgid
            part.state = _ID
            part.line = line
            part.first_line = part.first_line or line
        elif kw == "msgid_plural":
            if st != _ID:
                raise self._error("syntax error: msgid_plural without msgid just before it", line)
            self._check_obsolete(part, obsolete, line)
            part.plural = []
            part.target = part.plural
            part.state = _PLURAL
        elif idx is None:  # msgstr
            if st == _ID:
                self._check_obsolete(part, obsolete, line)
                part.strs = [[]]
                part.target = part.strs[0]
                part.state = _STR
            elif st == _PLURAL:
                raise self._error("syntax error: a plural entry needs msgstr[0], msgstr[1] …, not msgstr", line)
            elif st in _COMPLETE:
                raise self._error("syntax error: a second msgstr in one entry", line)
            else:
                raise self._error("syntax error: msgstr without msgid", line)
        else:  # msgstr[idx]
            i = int(idx)
            if st == _PLURAL:
                if i != 0:
                    raise self._error("first plural form has nonzero index", line)
            elif st == _FORMS:
                if i != len(part.strs):
                    raise self._error(
                        f"plural form has wrong index (msgstr[{i}], expected msgstr[{len(part.strs)}])", line)
            elif st == _ID:
                raise self._error("missing 'msgid_plural' section", part.line)
            elif st == _STR:
                raise self._error("syntax error: msgstr[...] after msgstr", line)
            else:
                raise self._error("syntax error: msgstr[...] without msgid", line)
            self._check_obsolete(part, obsolete, line)
            form: list[str] = []
            part.strs.append(form)
            part.target = form
            part.state = _FORMS

    def _slow_string(self, quoted: str, line: int, obsolete: bool) -> None:
        self._need = None
        part = self._part
        if part.target is None or part.state in (_EMPTY, _START):
            raise self._error("syntax error: a string with no keyword before it", line)
        self._check_obsolete(part, obsolete, line)
        part.target.append(self._piece(quoted, line))

    def _finish(self, part: _Partial) -> Entry:
        fl = part.flaglines
        prev = part.prev
        entry = Entry(
            "".join(part.msgid),
            tuple("".join(s) for s in part.strs),
            "".join(part.ctx) if part.ctx is not None else None,
            "".join(part.plural) if part.plural is not None else None,
            tuple(f for x in fl for f in x) if fl else (),
            bool(fl) and "fuzzy" in fl[-1],
            tuple(part.comments), tuple(part.extracted), tuple(part.references),
            "".join(prev["msgctxt"]) if "msgctxt" in prev else None,
            "".join(prev["msgid"]) if "msgid" in prev else None,
            "".join(prev["msgid_plural"]) if "msgid_plural" in prev else None,
            bool(part.obsolete), part.line,
        )
        return self._accept(entry, fl)

    # -- checks common to both paths

    def _accept(self, e: Entry, flaglines: list[list[str]] | None) -> Entry:
        self._check(e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, e.fuzzy, e.obsolete, e.line, flaglines)
        return e

    def _check(self, ctx: str | None, msgid: str, plural: str | None, msgstr: tuple[str, ...], fuzzy: bool,
               obsolete: bool, line: int, flaglines: list[list[str]] | None) -> None:
        """Every per-entry check, on the entry's values (both paths and :meth:`brief` share it)."""
        seen = self._seen
        first = seen.get((ctx, msgid))
        if first is not None:
            raise self._error(f"duplicate message definition (first defined at line {first})", line)
        seen[(ctx, msgid)] = line
        if obsolete:
            return
        if ctx is None and msgid == "":
            self._header_entry(msgstr[0], line)
            return
        if flaglines and len(flaglines) > 1 and not fuzzy and any("fuzzy" in fl for fl in flaglines):
            self._warn("fuzzy flag on an earlier '#,' line is ignored by msgfmt (only the last flags "
                       "line counts): put all flags on one '#,' line", line)
        s0 = msgstr[0]
        if plural is not None:
            if s0 != "" and not fuzzy:
                self._check_plural_count(line, len(msgstr))
                for i, s in enumerate(msgstr[1:], 1):
                    if s == "":
                        self._warn(f"msgstr[{i}] is empty but msgfmt counts the entry as translated", line)
                        break
            else:
                h = self.header
                if h is not None and h.nplurals is not None and h.nplurals > 0 and len(msgstr) != h.nplurals:
                    self._warn(f"{len(msgstr)} plural forms but nplurals={h.nplurals} "
                               "(msgfmt does not check untranslated or fuzzy entries)", line)
                if self._untranslated_plural_line is None:
                    self._untranslated_plural_line = line
            if s0 != "" and not fuzzy and msgid != "":
                self._check_newlines(msgid, plural, msgstr, line)
        elif s0 != "" and not fuzzy and msgid != "" and (
            msgid[0] == "\n" or msgid[-1] == "\n" or s0[0] == "\n" or s0[-1] == "\n"
        ):
            self._check_newlines(msgid, plural, msgstr, line)

    def _header_entry(self, msgstr0: str, line: int) -> None:
        if msgstr0 == "":
            raise self._error("header entry (msgid \"\") has an empty msgstr: header missing or invalid", line)
        h = parse_header(msgstr0, line)
        self.header = h
        if self._from_bytes:
            declared = _declared_codec(h.charset, self.path, line)
            if declared != self._codec:
                raise self._error(
                    f"the header says charset={h.charset} but the file was read as {self._codec} "
                    "(put the header entry first, with the charset in its Content-Type line)", line)
        if h.charset is None:
            ct = h.get("Content-Type")
            if ct and "charset=charset" in ct.lower().replace(" ", ""):
                self._warn("charset is the CHARSET placeholder; reading the file as UTF-8", line)
            elif any(ord(c) > 127 for c in msgstr0) or not ct:
                self._warn("no charset in the header; reading the file as UTF-8", line)
        if h.language is None:
            self._warn("no Language in the header: plural rules cannot be checked against babel", line)
        if h.nplurals is not None and h.plural is not None:
            if h.nplurals < 0:
                raise self._error("invalid nplurals value in Plural-Forms", line)
            problem = _plural_problem(h.plural, h.nplurals)
            if problem:
                raise self._error(problem + " (Plural-Forms)", line)
            if h.language:
                mismatch = _babel_plural_mismatch(h.language, h.nplurals, h.plural)
                if mismatch:
                    self._warn(mismatch, line)
        for line, forms in self._deferred_plurals:
            self._plural_count_against(h, line, forms)
        self._deferred_plurals.clear()

    def _check_plural_count(self, line: int, forms: int) -> None:
        if self.header is None:
            self._deferred_plurals.append((line, forms))
        else:
            self._plural_count_against(self.header, line, forms)

    def _plural_count_against(self, h: Header, line: int, forms: int) -> None:
        problem = plural_count_problem(h, forms)
        if problem:
            raise self._error(problem, line)

    def _check_newlines(self, msgid: str, plural: str | None, msgstr: tuple[str, ...], line: int) -> None:
        begins = msgid.startswith("\n")
        ends = msgid.endswith("\n")
        if plural is not None:
            pairs = [("msgid_plural", plural)] + [(f"msgstr[{i}]", s) for i, s in enumerate(msgstr)]
        else:
            pairs = [("msgstr", msgstr[0])]
        for name, s in pairs:
            if s.startswith("\n") != begins:
                raise self._error(f"'msgid' and '{name}' entries do not both begin with '\\n'", line)
            if s.endswith("\n") != ends:
                raise self._error(f"'msgid' and '{name}' entries do not both end with '\\n'", line)

    def _final_checks(self) -> None:
        if self.header is None:
            raise self._error(
                "header missing: no msgid \"\" entry (an empty or truncated file?); msgfmt -c rejects it",
                1)
        if self._deferred_plurals:  # cannot happen: the header flushes them; kept for safety
            line, forms = self._deferred_plurals[0]
            self._plural_count_against(self.header, line, forms)
        if self._untranslated_plural_line is not None and (self.header.nplurals is None or self.header.plural is None):
            self._warn("plural entries but no Plural-Forms in the header (msgfmt rejects the file "
                       "as soon as one of them is translated)", self._untranslated_plural_line)


# ---------------------------------------------------------------- entry points


def scan(data: bytes | str | Iterable[str], path: str | None = None) -> Scan:
    """Stream the entries of a PO file (bytes are decoded by the header's charset)."""
    return Scan(data, path)


def read(data: bytes | str | Iterable[str], path: str | None = None) -> Catalogue:
    """Read and check a whole PO file; raise :class:`InputError` if msgfmt -c would reject it."""
    s = Scan(data, path)
    entries = tuple(s)
    assert s.header is not None
    return Catalogue(s.header, entries, tuple(s.warnings))


def check(data: bytes | str | Iterable[str], path: str | None = None) -> tuple[ScanWarning, ...]:
    """Validate a PO file before another library parses it: raise or return its warnings.

    >>> [w.message for w in check(b'msgid ""\\nmsgstr "Language: kk\\\\n"\\n\\nmsgid "Yes."\\nmsgstr "\\xd0\\x98\\xd3\\x99"\\n')]
    ['no charset in the header; reading the file as UTF-8']
    """
    s = Scan(data, path)
    for _ in s:
        pass
    return tuple(s.warnings)
