"""Hostile TMX: entity tricks, wrong encodings, truncation, sizes — through ``tm import`` and the memory.

``tests/test_tmx.py`` checks the parser's errors one by one; here the same attacks go
through the project: an import that fails must leave the stored memory exactly as it was
(including an earlier import of the same name), and a broken TMX that is already in
``locales/<lang>/memory/`` stops every command reading the memory with one line naming file and line.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import assert_clean_error, assert_unchanged, invoke, run_tmtool, snapshot
from tmtool.errors import InputError
from tmtool.formats.tmx import read_tmx
from tmtool.limits import MAX_MEMORY_FILE_BYTES

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
BODY = ('<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" '
        'creationtool="t" creationtoolversion="1" o-tmf="t"/><body>\n'
        '<tu><tuv xml:lang="en"><seg>What does Veritas do?</seg></tuv>'
        '<tuv xml:lang="kk"><seg>Veritas не істейді?</seg></tuv></tu>\n</body></tmx>\n')
GOOD = HEAD + BODY


def laughs(levels: int = 9) -> str:
    ents = ['<!ENTITY l0 "ha">'] + [f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, levels + 1)]
    return HEAD + f"<!DOCTYPE tmx [{''.join(ents)}]>\n" + BODY.replace("What does", f"&l{levels}; What does")


HOSTILE = {
    # name: (bytes, line named, words)
    "billion-laughs": (laughs().encode(), 2, "internal subset"),
    "external-entity-file": ((HEAD + '<!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                              + BODY.replace("What does", "&x; What does")).encode(), 2, "internal subset"),
    "parameter-entity": ((HEAD + '<!DOCTYPE tmx [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>\n'
                          + BODY).encode(), 2, "internal subset"),
    "undeclared-entity": (GOOD.replace("What does", "&nbsp;What does").encode(), 3, "entity"),
    "empty": (b"", 1, "malformed XML"),
    "binary": (bytes(range(256)), 1, "malformed XML"),
    "truncated": (GOOD.encode()[: len(GOOD) // 2], None, "malformed XML"),
    "cp1251-under-utf8-declaration": (GOOD.replace("Veritas не", "Veritas не").encode("cp1251"), 3, "malformed XML"),
    "unknown-encoding-declared": (GOOD.replace('encoding="UTF-8"', 'encoding="x-no-such"').encode(), 1, "encoding"),
    "nul-character-reference": (GOOD.replace("What does", "&#0;What does").encode(), 3, "malformed XML"),
    "not-tmx": (b'<?xml version="1.0"?>\n<html><body/></html>', 2, "root element"),
    "source-not-english": (GOOD.replace('srclang="en"', 'srclang="kk"').encode(), None, "source language"),
    "no-kazakh-text": (GOOD.replace('xml:lang="kk"', 'xml:lang="de"').encode(), None, "no unit"),
}


def _store_an_earlier_import(project) -> None:
    src = project.parent / "earlier.tmx"
    src.write_text(GOOD, encoding="utf-8")
    r = invoke("tm", "import", str(src), "--lang", "kk", "--name", "agency")
    assert r.exit_code == 0, r.stderr


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_import_is_one_line_and_keeps_the_earlier_memory(project, name):
    data, line, words = HOSTILE[name]
    _store_an_earlier_import(project)
    evil = project.parent / "evil file ü.tmx"  # spaces and non-ASCII in the path too
    evil.write_bytes(data)
    before = snapshot(project)
    where = f"evil file ü.tmx:{line}:" if line else "evil file ü.tmx"
    assert_clean_error(invoke("tm", "import", str(evil), "--lang", "kk", "--name", "agency"), where, words)
    assert_unchanged(project, before)  # locales/kk/memory/agency.tmx is the earlier import, byte for byte


def test_utf16_without_bom_is_read_by_xml_rules(project):
    """XML needs no BOM for UTF-16: '<?xml' itself tells the byte order (XML 1.0, appendix F)."""
    evil = project.parent / "utf16.tmx"
    evil.write_bytes(GOOD.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"))
    r = invoke("tm", "import", str(evil), "--lang", "kk")
    assert r.exit_code == 0, r.stderr
    r = invoke("tm", "lookup", "What does Veritas do?", "--lang", "kk", "--format", "json")
    assert "Veritas не істейді?" in r.stdout


@pytest.mark.parametrize("name", ["billion-laughs", "undeclared-entity", "truncated", "binary"])
def test_broken_tmx_in_the_memory_folder_is_one_line_error(project, name):
    data, line, _ = HOSTILE[name]
    folder = project / "locales" / "kk" / "memory"
    folder.mkdir(parents=True)
    (folder / "broken.tmx").write_bytes(data)
    before = snapshot(project)
    for args in (("tm", "lookup", "What does Veritas do?", "--lang", "kk", "--format", "json"),
                 ("tm", "pretranslate", "the-platform-kazakhstan", "--lang", "kk")):
        assert_clean_error(invoke(*args), f"locales/kk/memory/broken.tmx:{line or ''}")
    assert_unchanged(project, before)


def test_billion_laughs_costs_nothing_in_a_real_process(project):
    """End to end, as a user runs it: refused before any expansion (a 10^9-fold one would take GBs)."""
    evil = project.parent / "laughs.tmx"
    evil.write_text(laughs(9), encoding="utf-8")
    before = snapshot(project)
    r = run_tmtool(project, "tm", "import", str(evil), "--lang", "kk", timeout=60)
    assert_clean_error(r, "laughs.tmx:2:", "internal subset")
    assert_unchanged(project, before)


def _sparse(path, size: int) -> None:
    """A valid start, then zeros up to ``size`` bytes: no disk space, no time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(GOOD.encode())
        fh.truncate(size)


def test_a_tmx_over_the_limit_is_refused_before_it_is_read(project):
    huge = project.parent / "huge.tmx"
    _sparse(huge, MAX_MEMORY_FILE_BYTES + 1)
    before = snapshot(project)
    assert_clean_error(invoke("tm", "import", str(huge), "--lang", "kk"), "huge.tmx", "limit")
    assert_unchanged(project, before)


def test_a_memory_file_over_the_limit_is_one_line_error(project):
    _sparse(project / "locales" / "kk" / "memory" / "huge.tmx", MAX_MEMORY_FILE_BYTES + 1)
    assert_clean_error(invoke("tm", "lookup", "What does Veritas do?", "--lang", "kk"),
                       "locales/kk/memory/huge.tmx", "limit")


# ---------------------------------------------------------------- generated input (Hypothesis)

_XML_PIECES = st.sampled_from([
    "<tmx>", '<tmx version="1.4">', "</tmx>", "<header/>", '<header srclang="en"/>', '<header srclang="*all*"/>',
    "<body>", "</body>", "<tu>", "</tu>", '<tuv xml:lang="en">', '<tuv xml:lang="kk">', '<tuv lang="kk">', "<tuv>",
    "</tuv>", "<seg>", "</seg>", "<bpt i='1'>", "</bpt>", "<ph/>", "<hi>", "</hi>", '<prop type="x-context">',
    "</prop>", "<note>", "</note>", "&amp;", "&lt;", "&#x41;", "&#0;", "&#xD800;", "&nbsp;", "&x;",
    "<!DOCTYPE tmx>", '<!DOCTYPE tmx SYSTEM "tmx14.dtd">', '<!DOCTYPE tmx [<!ENTITY x "y">]>', "<![CDATA[", "]]>",
    "<?pi x?>", "<!-- c -->", '<?xml version="1.0"?>', '<?xml version="1.0" encoding="koi8-r"?>',
    '<?xml version="1.0" encoding="x-nope"?>', "Тоқаев", "\x00", "\ufeff", "\n", " ", '"', "'", "<", ">", "&",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_XML_PIECES, st.text(max_size=3)), max_size=40).map("".join),
       st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_any_xml_like_input_gives_a_document_or_one_located_error(text, encoding):
    data = text.encode(encoding, "replace")
    try:
        doc = read_tmx(io.BytesIO(data), "x.tmx")
    except InputError as exc:
        assert exc.path == "x.tmx" and "\n" not in str(exc)
    else:
        for unit in doc.units:  # what a document holds is plain text, entities never expanded into it
            for _, seg in unit.variants:
                assert isinstance(seg, str)
