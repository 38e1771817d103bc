"""Language codes: BCP 47 tags as tmtool writes them (``kk``, ``kk-Latn``, ``ru``), checked with babel.

Babel silently maps ``kk_Latn`` to ``kk_Cyrl`` (CLDR has no Latin Kazakh data),
so the script subtag is kept here and only the base language is given to babel.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from tmtool.errors import TmtoolError

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|[0-9]{3}))?$")


@lru_cache(maxsize=None)
def _scripts() -> frozenset[str]:
    return frozenset(Locale("en").scripts)


def normalize(code: str) -> str:
    """Return the canonical tag for ``code`` or raise :class:`TmtoolError`.

    >>> normalize("kk_latn")
    'kk-Latn'
    >>> normalize("RU"), normalize("kk-KZ"), normalize("kk-Cyrl-KZ"), normalize("en-GB")
    ('ru', 'kk', 'kk', 'en-GB')
    """
    m = _TAG.match(code.strip())
    if not m:
        raise TmtoolError(f"invalid language code {code!r} (expected e.g. en, kk, ru, kk-Latn)")
    lang, script, region = m.group(1).lower(), m.group(2), m.group(3)
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        raise TmtoolError(f"unknown language code {code!r} (expected e.g. en, kk, ru, kk-Latn)") from None
    # The language's usual script and region are left out (CLDR's likely subtags): kk-KZ,
    # kk-Cyrl and ru-RU are kk and ru, so one language has one catalogue and one memory.
    likely = get_global("likely_subtags").get(lang, "").split("_")
    tag = lang
    if script:
        script = script.title()
        if script not in _scripts():
            raise TmtoolError(f"unknown script {script!r} in language code {code!r}")
        if likely[1:2] != [script]:
            tag += "-" + script
    if region:
        region = region.upper()
        if tag != lang or likely[2:3] != [region]:
            tag += "-" + region
    return tag


def base(code: str) -> str:
    """The language without script or region: ``kk-Latn`` → ``kk``."""
    return normalize(code).split("-")[0]


def script(code: str) -> str | None:
    """The script subtag if the tag names one (``kk-Latn`` → ``Latn``)."""
    parts = normalize(code).split("-")
    return parts[1] if len(parts) > 1 and len(parts[1]) == 4 else None


def english_name(code: str) -> str:
    """Babel's English name, with the script when the tag names one: ``Kazakh (Latin)``."""
    name = Locale.parse(base(code)).english_name or code
    sc = script(code)
    if sc:
        name += f" ({Locale('en').scripts.get(sc, sc)})"
    return name


def posix(code: str) -> str:
    """The gettext/POSIX form used in PO headers and folder names: ``kk-Latn`` → ``kk@latin``.

    gettext names script variants with an ``@`` modifier (``sr@latin``, ``uz@cyrillic``).
    """
    tag = normalize(code)
    parts = tag.split("-")
    out = parts[0]
    rest = parts[1:]
    modifier = ""
    if rest and len(rest[0]) == 4:
        modifier = "@" + Locale("en").scripts.get(rest[0], rest[0]).lower()
        rest = rest[1:]
    if rest:
        out += "_" + rest[0]
    return out + modifier
