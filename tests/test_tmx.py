"""TMX 1.4b: writing, safe reading, import/export through the CLI, on real Django catalogues."""

from __future__ import annotations

import io
import os
import random
import shutil
import xml.dom.minidom

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtool import memory, tm
from tmtool.catalog import Entry
from tmtool.cli import cli
from tmtool.errors import InputError
from tmtool.formats.tmx import TmxUnit, forbidden_char, generate_tmx, read_tmx
from tests.test_tm import copy_django, django_entries, write_catalog


def parse(data: bytes | str, path: str = "m.tmx"):
    return read_tmx(io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data), path)


def tmx_text(units, **kw) -> str:
    return "".join(generate_tmx(units, **kw))


SIMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="6" segtype="sentence" o-tmf="OmegaT TMX"
          adminlang="EN-US" srclang="EN-US" datatype="plaintext"/>
  <body>
    <tu>
      <tuv xml:lang="EN-US"><seg>Click <bpt i="1">&lt;b&gt;</bpt>here<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>
      <tuv xml:lang="RU"><seg>Нажмите <bpt i="1">&lt;b&gt;</bpt>здесь<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>
      <tuv xml:lang="KK-KZ"><seg>Осында басыңыз.</seg></tuv>
    </tu>
    <tu>
      <prop type="x-context">button</prop>
      <tuv xml:lang="en-US"><seg>Save</seg></tuv>
      <tuv xml:lang="ru"><seg>Сохранить</seg></tuv>
    </tu>
  </body>
</tmx>
"""


# --- writing --------------------------------------------------------------------------------


def test_header_is_tmx_14b():
    doc = parse(tmx_text([TmxUnit((("en", "Yes."), ("kk", "Иә.")))], creationtoolversion="0.1",
                         creationdate="20250319T113000Z"))
    for key, value in {"version": "1.4", "srclang": "en", "creationtool": "tmtool", "creationtoolversion": "0.1",
                       "segtype": "sentence", "adminlang": "en", "o-tmf": "PO", "datatype": "plaintext",
                       "creationdate": "20250319T113000Z"}.items():
        assert doc.header[key] == value
    assert doc.units[0].variants == (("en", "Yes."), ("kk", "Иә."))


def test_written_tmx_is_well_formed_for_other_xml_parsers():
    text = tmx_text([TmxUnit((("en", 'a < b & "c" ]]> d'), ("kk", "x\r\ny")), (("x-context", "t\tab"),))])
    dom = xml.dom.minidom.parseString(text.encode("utf-8"))
    segs = [s.firstChild.data for s in dom.getElementsByTagName("seg")]
    assert segs == ['a < b & "c" ]]> d', "x\r\ny"]


xml_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60).filter(lambda t: forbidden_char(t) is None)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(xml_text, xml_text, st.one_of(st.none(), xml_text)), max_size=8))
def test_round_trip_keeps_every_character_xml_can_carry(rows):
    units = [TmxUnit((("en", s), ("kk", t)), (("x-context", c),) if c is not None else ()) for s, t, c in rows]
    doc = parse(tmx_text(units))
    assert [(u.variants, u.props) for u in doc.units] == [(u.variants, u.props) for u in units]


@settings(max_examples=60, deadline=None)
@given(xml_text, st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"]), xml_text)
def test_characters_xml_forbids_are_rejected_not_dropped(before, bad, after):
    with pytest.raises(InputError, match=f"U\\+{ord(bad):04X}"):
        tmx_text([TmxUnit((("en", before + bad + after), ("kk", "x")))])


def test_export_leaves_out_entries_xml_cannot_carry_and_says_so(tmp_path):
    write_catalog(tmp_path, "rec", "kk", [Entry("Bell\x07", "Қоңырау"), Entry("Yes.", "Иә.")])
    out = tmp_path / "out.tmx"
    result = CliRunner().invoke(cli, ["tm", "export", "--lang", "kk", "-o", str(out), "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "U+0007 cannot be written in XML" in result.output and "rec.po:" in result.output
    assert [u.variants for u in parse(out.read_bytes()).units] == [(("en", "Yes."), ("kk", "Иә."))]


# --- safe reading ---------------------------------------------------------------------------

HOSTILE = {
    "billion laughs": ("""<?xml version="1.0"?>
<!DOCTYPE tmx [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&lol3;</seg></tuv></tu></body></tmx>
""", 2, "internal subset"),
    "external entity": ("""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&xxe;</seg></tuv></tu></body></tmx>
""", 2, "internal subset"),
    "parameter entity": ("""<?xml version="1.0"?>
<!DOCTYPE tmx SYSTEM "http://example.invalid/tmx14.dtd" [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<tmx version="1.4"/>
""", 2, "internal subset"),
    "undeclared entity after an external DTD": ("""<?xml version="1.0"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>&secret;</seg></tuv></tu></body></tmx>
""", 4, "undeclared entity &secret;"),
    "malformed": ("""<?xml version="1.0"?>
<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>open</tuv></tu></body></tmx>
""", 3, "malformed XML: mismatched tag"),
    "truncated": ("""<?xml version="1.0"?>
<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>cut he""", 3, "malformed XML"),
    "not tmx": ("<html><body/></html>", 1, "root element is <html>"),
    "tuv without language": ("""<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv><seg>x</seg></tuv></tu></body></tmx>""", 2, "without xml:lang"),
    "no header": ('<tmx version="1.4"><body/></tmx>', None, "no <header>"),
    "empty": ("", 1, "malformed XML"),
    "control character reference": ("""<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>&#7;</seg></tuv></tu></body></tmx>""", 2, "malformed XML"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_tmx_is_one_clear_error_with_file_and_line(name):
    data, line, words = HOSTILE[name]
    with pytest.raises(InputError) as info:
        parse(data, "evil.tmx")
    assert info.value.path == "evil.tmx" and info.value.line == line
    assert words in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_import_exits_1_and_writes_nothing(tmp_path, name):
    evil = tmp_path / "evil.tmx"
    evil.write_text(HOSTILE[name][0], encoding="utf-8")
    proj = tmp_path / "proj"
    proj.mkdir()
    result = CliRunner().invoke(cli, ["tm", "import", str(evil), "--lang", "kk", "--project", str(proj)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "evil.tmx" in lines[0]
    assert list(proj.iterdir()) == []


def test_external_dtd_is_never_fetched(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "FROM THE DTD">', encoding="utf-8")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE tmx SYSTEM "{dtd.as_uri()}">
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&leak;</seg></tuv></tu></body></tmx>"""
    with pytest.raises(InputError, match="undeclared entity &leak;"):
        parse(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_input_error(data):
    try:
        parse(b'<?xml version="1.0"?>\n<tmx version="1.4"><header/><body>' + data)
    except InputError as exc:
        assert exc.path == "m.tmx"


def test_tools_tmx_with_doctype_inline_codes_and_regions_reads(tmp_path):
    doc = parse(SIMPLE)
    assert doc.header["creationtool"] == "OmegaT"
    first, second = doc.units
    assert first.text("en") == "Click <b>here</b>." and first.text("ru") == "Нажмите <b>здесь</b>."
    assert first.text("kk") == "Осында басыңыз." and second.text("kk") is None
    assert second.prop("x-context") == "button" and first.line == 7


def test_utf16_tmx_as_trados_writes_it():
    doc = parse(SIMPLE.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert doc.units[1].text("ru") == "Сохранить"


# --- import / export through the CLI ---------------------------------------------------------


def test_import_keeps_the_language_pair_and_lookup_uses_it(tmp_path):
    src = tmp_path / "omegat.tmx"
    src.write_text(SIMPLE, encoding="utf-8")
    proj = tmp_path / "proj"
    runner = CliRunner()
    result = runner.invoke(cli, ["tm", "import", str(src), "--lang", "kk", "--project", str(proj)])
    assert result.exit_code == 0, result.output
    assert "1 units stored, 1 without English and kk text skipped" in result.output
    stored = memory.memory_dir(proj, "kk") / "omegat.tmx"
    assert [u.variants for u in parse(stored.read_bytes()).units] == [
        (("en", "Click <b>here</b>."), ("kk", "Осында басыңыз."))]
    ru = runner.invoke(cli, ["tm", "import", str(src), "--lang", "ru", "--project", str(proj)])
    assert "2 units stored" in ru.output
    found = runner.invoke(cli, ["tm", "lookup", "Save", "--lang", "ru", "--project", str(proj)])
    assert "100%  Save" in found.output and "Сохранить" in found.output
    assert "locales/ru/memory/omegat.tmx:" in found.output


def test_import_without_the_language_is_an_error(tmp_path):
    src = tmp_path / "m.tmx"
    src.write_text(SIMPLE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["tm", "import", str(src), "--lang", "de", "--project", str(tmp_path / "p")])
    assert result.exit_code == 1 and "no unit has both English and de text" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_to_import_or_in_the_memory_is_one_line_not_a_hang(tmp_path):
    from tests.test_coverage import fifo_writer

    proj = tmp_path / "p"
    proj.mkdir()
    fifo = tmp_path / "m.tmx"
    os.mkfifo(fifo)
    with fifo_writer(fifo):
        result = CliRunner().invoke(cli, ["tm", "import", str(fifo), "--lang", "kk", "--project", str(proj)])
    assert result.exit_code == 1 and result.stderr.splitlines() == [
        f"Error: {fifo}: is a named pipe (FIFO), not a regular file; tmtool reads only regular files"]
    assert list(proj.iterdir()) == []
    stored = memory.memory_dir(proj, "kk") / "omegat.tmx"
    stored.parent.mkdir(parents=True)
    os.mkfifo(stored)
    with fifo_writer(stored):
        result = CliRunner().invoke(cli, ["tm", "lookup", "Save", "--lang", "kk", "--project", str(proj)])
    assert result.exit_code == 1 and "locales/kk/memory/omegat.tmx: is a named pipe" in result.stderr


def test_export_to_stdout_only_confirmed_translations(tmp_path):
    write_catalog(tmp_path, "rec", "kk", [Entry("Yes.", "Иә."), Entry("No.", "Жоқ.", flags=("fuzzy",)),
                                          Entry("Maybe."), Entry("Yes.", "Иә.", msgctxt="occurrence 2")])
    result = CliRunner().invoke(cli, ["tm", "export", "--lang", "kk", "--project", str(tmp_path), "-q"])
    assert result.exit_code == 0
    doc = parse(result.stdout)
    assert [u.variants for u in doc.units] == [(("en", "Yes."), ("kk", "Иә."))]  # occurrence contexts collapse


def test_real_django_round_trip_export_import_lookup(corpora, tmp_path):
    """Django's real kk and ru catalogues → TMX → a fresh project's memory → look-ups."""
    rng = random.Random(11)
    for lang in ("kk", "ru"):
        src = tmp_path / "src"
        copy_django(corpora, src, lang)
        out = tmp_path / f"django-{lang}.tmx"
        runner = CliRunner()
        result = runner.invoke(cli, ["tm", "export", "--lang", lang, "-o", str(out), "--project", str(src)])
        assert result.exit_code == 0, result.output
        entries = django_entries(corpora, lang)
        distinct = {(e.context, e.source, e.target) for e in entries}
        assert len(parse(out.read_bytes()).units) == len(distinct)
        dest = tmp_path / f"dest-{lang}"
        assert runner.invoke(cli, ["tm", "import", str(out), "--lang", lang, "--project", str(dest)]).exit_code == 0
        assert not memory.catalogue_dir(dest, lang).exists()  # the memory is the imported TMX alone
        mem = memory.load_memory(dest, lang).memory
        assert len(mem) == len(distinct)
        for e in rng.sample(entries, 150):
            best = mem.lookup(e.source, 75, limit=5)
            assert best[0].percent == 100 and best[0].exact
            assert e.target in {m.entry.target for m in best if m.exact}
        # near variants (first letter lower-cased, final stop dropped) find their entry, below 100
        near = mem.lookup("Enter a valid date", 75, limit=1)[0]
        assert near.entry.source == "Enter a valid date." and near.percent < 100
        pool = [e for e in entries if len(e.source.split()) >= 3 and e.source[0].isalpha()]
        for e in rng.sample(pool, 100):
            variant = e.source[0].swapcase() + e.source[1:].rstrip(".!?:")
            best = mem.lookup(variant, 75, limit=1)[0]
            assert best.percent < 100
            assert best.entry.source == e.source or best.score >= tm.ratio(tm.normalize(variant), tm.normalize(e.source), 0)
        shutil.rmtree(src)


def test_a_variant_in_another_script_is_not_taken_for_the_language():
    # kk-Latn (2021 alphabet) and Cyrillic kk are one language in two scripts: never mixed.
    u = TmxUnit((("en", "Yes."), ("kk-KZ", "Иә.")))
    assert u.text("kk") == "Иә." and u.text("kk-Cyrl") == "Иә." and u.text("kk-Latn") is None
    v = TmxUnit((("en", "Yes."), ("kk-Latn", "Iä."), ("kk-Cyrl", "Иә.")))
    assert v.text("kk") == "Иә." and v.text("kk-Latn") == "Iä."
    assert TmxUnit((("en", "Yes."), ("sr-Latn", "Da."))).text("sr") is None  # Serbian: Cyrillic first


def test_alternative_translations_in_one_unit_are_all_kept(tmp_path):
    doc = parse('<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>Yes.</seg></tuv>'
                '<tuv xml:lang="kk"><seg>Иә.</seg></tuv><tuv xml:lang="kk"><seg>Ия.</seg></tuv></tu></body></tmx>')
    (unit,) = doc.units
    assert unit.text("kk") == "Иә." and unit.texts("kk") == ("Иә.", "Ия.")
    src = tmp_path / "alt.tmx"
    src.write_text(generate_tmx_text(doc), encoding="utf-8")
    r = CliRunner().invoke(cli, ["tm", "import", str(src), "--lang", "kk", "--project", str(tmp_path)])
    assert r.exit_code == 0, r.output
    stored = parse((tmp_path / "locales" / "kk" / "memory" / "alt.tmx").read_bytes())
    assert stored.units[0].texts("kk") == ("Иә.", "Ия.")
    # Two translations of one English: pre-translation leaves the choice to a person.
    loaded = memory.load_memory(tmp_path, "kk")
    assert tm.pretranslate(loaded.memory, ["Yes."], 75)["Yes."].fuzzy


def generate_tmx_text(doc) -> str:
    return "".join(generate_tmx(doc.units, "en"))
