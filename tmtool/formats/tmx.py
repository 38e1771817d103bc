"""TMX 1.4b (Translation Memory eXchange): safe reading and writing.

Reading uses expat directly, streaming, with every door to entity tricks shut: a DOCTYPE
may name an external DTD (OmegaT and Trados write ``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``),
which is never fetched, but an internal subset — where entity declarations, billion-laughs
and external-entity attacks live — is refused, as is any entity declaration or reference to
an undeclared entity. This is what ``defusedxml`` does with the same expat handlers; doing
it here costs no dependency and keeps the line number for the error message.

Text in ``<seg>`` is taken with the content of inline elements (``<bpt>``, ``<ph>``, ``<hi>`` …)
kept as plain text: a PO memory stores strings, not markup.
"""

from __future__ import annotations

import functools

import re
import xml.parsers.expat as expat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from tmtool.errors import InputError

TMX_VERSION = "1.4"
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class TmxUnit:
    """One ``<tu>``: its text per language (``xml:lang`` as written), props, notes and line."""

    variants: tuple[tuple[str, str], ...]
    props: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    line: int = 0

    def text(self, lang: str) -> str | None:
        """The variant for ``lang``: an exact tag first, else the same language in the same script.

        The script is the tag's own (``kk-Latn``) or the language's usual one (Kazakh:
        Cyrillic), so Cyrillic Kazakh never lands in a ``kk-Latn`` memory nor Latin in ``kk``.

        >>> u = TmxUnit((("en-US", "Yes"), ("kk-KZ", "Иә"), ("kk-Latn", "Iä")))
        >>> u.text("kk"), u.text("kk-Latn"), u.text("kk-Cyrl-KZ"), u.text("ru")
        ('Иә', 'Iä', 'Иә', None)
        """
        found = self.texts(lang)
        return found[0] if found else None

    def texts(self, lang: str) -> tuple[str, ...]:
        """Every variant for ``lang`` (alternative translations), chosen as :meth:`text` chooses."""
        want = _tag(lang)
        exact = tuple(text for code, text in self.variants if _tag(code) == want)
        if exact:
            return exact
        key = _language_script(want)
        return tuple(text for code, text in self.variants if _language_script(_tag(code)) == key)

    def prop(self, kind: str) -> str | None:
        for k, v in self.props:
            if k == kind:
                return v
        return None


@dataclass
class TmxDocument:
    """A whole TMX file: the ``<header>`` attributes and the units in file order."""

    header: dict[str, str] = field(default_factory=dict)
    units: list[TmxUnit] = field(default_factory=list)


def _tag(code: str) -> str:
    return code.strip().replace("_", "-").lower()


@functools.lru_cache(maxsize=256)
def _language_script(tag: str) -> tuple[str, str]:
    """(language, script) of a lower-case tag; the script from CLDR's likely subtags when not given."""
    from babel.core import get_global

    parts = tag.split("-")
    script = next((x for x in parts[1:] if len(x) == 4 and x.isalpha()), None)
    if script is None:
        likely = get_global("likely_subtags").get(parts[0], "")
        script = next((x.lower() for x in likely.split("_")[1:] if len(x) == 4), "")
    return parts[0], script


def forbidden_char(text: str) -> str | None:
    """The first character XML 1.0 cannot carry (C0 controls but tab/LF/CR, U+FFFE/U+FFFF), or None.

    >>> forbidden_char("bell\\x07")
    '\\x07'
    """
    m = _FORBIDDEN.search(text)
    return m.group() if m else None


class _Reject(Exception):
    pass


def read_tmx(fp: BinaryIO, path: str) -> TmxDocument:
    """Parse a TMX file (bytes, any encoding expat knows; UTF-16 with BOM included).

    Every problem — malformed XML, an entity trick, a ``<tuv>`` without language — is an
    :class:`InputError` naming ``path`` and the line.
    """
    doc = TmxDocument()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[str] = []
    state: dict = {"unit": None, "lang": None, "seg": None, "prop": None, "prop_type": None, "root": False}

    def fail(message: str):
        state["error_line"] = parser.CurrentLineNumber
        raise _Reject(message)

    def on_doctype(name, system_id, public_id, has_internal_subset):
        if has_internal_subset:
            fail("DOCTYPE with an internal subset (entity declarations) is not accepted in TMX")

    def on_entity(name, *args):
        fail(f"entity declaration {name!r} is not accepted in TMX (entity expansion)")

    def on_external(*args):
        fail("external entity reference is not accepted in TMX")
        return 0

    def on_skipped(name, is_parameter_entity):
        fail(f"reference to undeclared entity &{name}; (entities are not accepted in TMX)")

    def start(name: str, attrs: dict[str, str]):
        if not stack:
            if name != "tmx":
                fail(f"not a TMX file: the root element is <{name}>, expected <tmx>")
            doc.header["version"] = attrs.get("version", "")
        stack.append(name)
        if state["seg"] is not None:
            return  # inline markup inside <seg>: its text is kept, the tags are not
        if name == "header" and len(stack) == 2:
            doc.header.update(attrs)
            state["has_header"] = True
        elif name == "tu":
            state["unit"] = {"variants": [], "props": [], "notes": [], "line": parser.CurrentLineNumber}
        elif name == "tuv":
            if state["unit"] is None:
                fail("<tuv> outside a <tu>")
            lang = attrs.get("xml:lang") or attrs.get("lang")  # TMX 1.1 used plain "lang"
            if not lang:
                fail("<tuv> without xml:lang")
            state["lang"] = lang
            state["has_seg"] = False
        elif name == "seg":
            if state["lang"] is None:
                fail("<seg> outside a <tuv>")
            state["seg"] = []
        elif name in ("prop", "note") and state["unit"] is not None and state["lang"] is None:
            state["prop"] = []
            state["prop_type"] = attrs.get("type", "") if name == "prop" else None

    def end(name: str):
        stack.pop()
        if state["seg"] is not None and name != "seg":
            return
        unit = state["unit"]
        if name == "seg":
            unit["variants"].append((state["lang"], "".join(state["seg"])))
            state["seg"] = None
            state["has_seg"] = True
        elif name == "tuv":
            if not state.get("has_seg"):
                fail("<tuv> without <seg>")
            state["lang"] = None
        elif name in ("prop", "note") and state["prop"] is not None:
            text = "".join(state["prop"])
            if name == "prop":
                unit["props"].append((state["prop_type"], text))
            else:
                unit["notes"].append(text)
            state["prop"] = None
        elif name == "tu" and unit is not None:
            # Two variants in one language are alternative translations (TMX allows them): both kept.
            variants = tuple(dict.fromkeys(unit["variants"]))
            doc.units.append(TmxUnit(variants, tuple(unit["props"]), tuple(unit["notes"]), unit["line"]))
            state["unit"] = None

    def chars(data: str):
        if state["seg"] is not None:
            state["seg"].append(data)
        elif state["prop"] is not None:
            state["prop"].append(data)

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_entity
    parser.UnparsedEntityDeclHandler = on_entity
    parser.ExternalEntityRefHandler = on_external
    parser.SkippedEntityHandler = on_skipped
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.ParseFile(fp)
    except _Reject as exc:
        raise InputError(str(exc), path, state.get("error_line")) from None
    except expat.ExpatError as exc:
        raise InputError(f"malformed XML: {expat.ErrorString(exc.code)}", path, exc.lineno) from None
    except UnicodeError as exc:
        raise InputError(f"cannot decode the XML ({getattr(exc, 'reason', exc)})", path) from None
    except LookupError as exc:  # encoding="x-unknown" in the XML declaration
        raise InputError(f"unknown encoding in the XML declaration ({exc})", path, 1) from None
    if not state.get("has_header"):
        raise InputError("not a TMX file: no <header>", path)
    return doc


def _text(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _attr(value: str) -> str:
    return (_text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;"))


def _check(text: str, what: str) -> str:
    bad = forbidden_char(text)
    if bad is not None:
        raise InputError(f"{what} contains U+{ord(bad):04X}, which XML 1.0 (and so TMX) cannot carry")
    return text


def generate_tmx(units: Iterable[TmxUnit], srclang: str = "en", *, creationtoolversion: str = "",
                 creationdate: str | None = None, o_tmf: str = "PO", adminlang: str = "en") -> Iterator[str]:
    """TMX 1.4b text, piece by piece. A text XML cannot carry raises :class:`InputError`.

    ``creationdate`` is TMX's ``YYYYMMDDThhmmssZ`` (left out when None, for reproducible files).
    """
    header = {
        "creationtool": "tmtool",
        "creationtoolversion": creationtoolversion,
        "datatype": "plaintext",
        "segtype": "sentence",
        "adminlang": adminlang,
        "srclang": srclang,
        "o-tmf": o_tmf,
    }
    if creationdate:
        header["creationdate"] = creationdate
    attrs = " ".join(f'{k}="{_attr(v)}"' for k, v in header.items())
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="{TMX_VERSION}">\n  <header {attrs}/>\n  <body>\n'
    for n, unit in enumerate(units, 1):
        parts = ["    <tu>\n"]
        for kind, value in unit.props:
            parts.append(f'      <prop type="{_attr(kind)}">{_text(_check(value, f"unit {n}: prop {kind}"))}</prop>\n')
        for note in unit.notes:
            parts.append(f"      <note>{_text(_check(note, f'unit {n}: note'))}</note>\n")
        for lang, text in unit.variants:
            parts.append(f'      <tuv xml:lang="{_attr(lang)}"><seg>{_text(_check(text, f"unit {n}: {lang} text"))}</seg></tuv>\n')
        parts.append("    </tu>\n")
        yield "".join(parts)
    yield "  </body>\n</tmx>\n"
