"""PO I/O: strict reading, gettext's exact layout on writing, validity for gettext, polib and babel."""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import os
import random
import subprocess
import unicodedata
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_poscan import gettext_tool
from tmtool import catalog as cat
from tmtool.catalog import Catalog, Entry
from tmtool.errors import CatalogError
from tmtool.formats import po
from tmtool.model import Bead, Manifest, Recording, Segment, Track

NOW = datetime(2025, 3, 1, 12, 30, tzinfo=timezone.utc)
HEADER = (
    'msgid ""\nmsgstr ""\n"Project-Id-Version: t\\n"\n"Language: kk\\n"\n"MIME-Version: 1.0\\n"\n'
    '"Content-Type: text/plain; charset={cs}\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
)


def msgcat(path: Path) -> str:
    out = subprocess.run([gettext_tool("msgcat"), str(path)], capture_output=True, text=True, check=True)
    return out.stdout


def msgfmt_check(path: Path) -> None:
    res = subprocess.run([gettext_tool("msgfmt"), "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def po_file(tmp_path: Path, body: str, cs: str = "UTF-8", encoding: str = "utf-8", name: str = "x.po") -> Path:
    p = tmp_path / name
    p.write_bytes((HEADER.format(cs=cs) + body).encode(encoding))
    return p


def changed_lines(a: str, b: str) -> int:
    import difflib

    return sum(1 for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---")))


# --- gettext's layout -------------------------------------------------------------------------


def test_django_catalogues_round_trip_with_zero_changed_lines(corpora, tmp_path):
    files = sorted((corpora / "django_po").rglob("*.po"))
    assert len(files) == 26
    total = 0
    for f in files:
        normalised = tmp_path / "n.po"
        normalised.write_text(msgcat(f), encoding="utf-8")
        expected = normalised.read_text(encoding="utf-8")
        total += changed_lines(expected, po.generate_po(po.read_po(normalised)))
    assert total == 0


def test_django_russian_reads_four_plural_forms_with_a_warning(corpora):
    c = po.read_po(corpora / "django_po/django/conf/locale/ru/LC_MESSAGES/django.po")
    plural = [e for e in c.messages if e.msgid_plural is not None]
    assert plural and all(len(e.msgstr_plural) == 4 for e in plural)
    assert any("nplurals=4" in w for w in c.warnings)
    kk = po.read_po(corpora / "django_po/django/conf/locale/kk/LC_MESSAGES/django.po")
    assert not kk.warnings


_WORDS = ["Kazakhstan", "government", "the", "of", "и", "в", "Қазақстан", "үкімет", "құқықтары", "«Veritas»", "—",
          "–", "…", "http://example.com/a/b", "%s", "%(name)s", "{0}", "5%", "$20", "100 000", "e.g.", "(see)", "[1]",
          "don't", "“quoted”", "a/b", "x-y", "tab\there", "new\nline", 'quote"s', "back\\slash", "\u00a0", "2022-ші",
          "12:30", "!?", "¿", "ӘҒҚҢӨҰҮҺІ", "a.b.c", "x;y", "под\u00adчерк", "wordwordwordwordword"]


def _random_catalog(seed: int, n: int) -> Catalog:
    rnd = random.Random(seed)

    def text() -> str:
        parts = []
        for _ in range(rnd.choice([0, 1, 3, 8, 20, 40])):
            parts += [rnd.choice(_WORDS), rnd.choice([" ", " ", "", "  ", ", ", ". "])]
        return "".join(parts) + ("\n" if rnd.random() < 0.1 else "")

    entries = []
    for i in range(n):
        fl = rnd.choice([(), ("python-format",), ("c-format",), ("python-brace-format",)])
        fuzzy = rnd.random() < 0.3
        obsolete = rnd.random() < 0.1
        e = Entry(
            msgid=f"{text()} #{i}",
            msgstr=text() or ("y" if obsolete else ""),
            msgctxt=rnd.choice([None, None, "occurrence 2", text()]),
            translator_comments=tuple(rnd.choice(["note", "", "  indented"]) for _ in range(rnd.randint(0, 2))),
            extracted_comments=tuple(rnd.choice(["speaker: Alma", "confidence: 0.83"]) for _ in range(rnd.randint(0, 2))),
            references=tuple(f"transcripts/rec-{rnd.randint(0, 99)}/kk.srt:{rnd.randint(1, 9999)}"
                             for _ in range(rnd.randint(0, 6))),
            flags=(("fuzzy",) if fuzzy else ()) + fl,
            previous_msgid=text() if fuzzy and rnd.random() < 0.5 else None,
            obsolete=obsolete,
        )
        entries.append(e)
    header = cat.new_header("t", "kk", now=NOW, plural_forms="nplurals=2; plural=(n != 1);")
    return Catalog(header, tuple(entries))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_layout_equals_msgcat_on_hostile_text(tmp_path, seed):
    """Long lines, Cyrillic, escapes, URLs, format strings, previous msgids, obsolete entries."""
    text = po.generate_po(_random_catalog(seed, 400))
    p = tmp_path / "r.po"
    p.write_text(text, encoding="utf-8")
    assert changed_lines(msgcat(p), text) == 0


def test_long_strings_wrap_at_79_columns_like_gettext():
    long = "Because we work on pressing issues like human rights abuses and the unjust persecution of Kazakh citizens."
    lines = po._wrap("", "msgid", long)
    assert lines[0] == 'msgid ""'
    assert all(len(line) <= 79 for line in lines)
    assert "".join(line.strip('"') for line in lines[1:]) == long
    assert po._wrap("", "msgstr", "a\nb") == ['msgstr ""', '"a\\n"', '"b"']
    assert po._wrap("#~ ", "msgid", 'say "hi"\\') == ['#~ msgid "say \\"hi\\"\\\\"']


def _libunistring():
    name = ctypes.util.find_library("unistring")
    if not name:
        pytest.skip("libunistring (the line breaker gettext uses) is not installed")
    lib = ctypes.CDLL(name)

    def breaks(s: str) -> list[bool]:
        b = s.encode()
        out = ctypes.create_string_buffer(len(b))
        lib.u8_possible_linebreaks(b, ctypes.c_size_t(len(b)), b"UTF-8", out)
        res, i = [], 0
        for ch in s:
            res.append(out.raw[i] == 2)
            i += len(ch.encode())
        return res

    return breaks


def test_line_break_opportunities_match_libunistring():
    """Pair by pair, for the characters interview PO files are made of."""
    breaks = _libunistring()
    probes = ["\u2060", "\u00a0", "\u2014", "\u2010", "\u00b4", "-", "}", ")", "!", "\u2026", "\u203c", "(", '"',
              ",", "1", "%", "$", "/", "a", "\u4e00", "\u05d0", "\u0301", " ", "«", "»", "–", "\u00ad"]
    chars = [chr(c) for r in [(0x21, 0x7E), (0xA0, 0x17F), (0x400, 0x4FF), (0x2010, 0x2030)] for c in range(*r)]
    bad = []
    for c in chars:
        if unicodedata.category(c) == "Cn":
            continue
        for y in probes:
            for s, k in ((f"a{c}{y}", 2), (f"a{y}{c}", 2), (f"a{c} {y}", 3), (f"a{y} {c}", 3)):
                if breaks(s)[k] != (po._possible_breaks(s)[k] == po._POSS):
                    bad.append(s)
    assert bad == []


# --- validity: msgfmt -c, polib, babel ----------------------------------------------------------


def _sample_project(tmp_path: Path) -> list[Path]:
    english = [Segment('He said "no" \\ twice.', "Alma", line=1), Segment("Why do you think that is?", line=3),
               Segment("Because we work on pressing issues like human rights abuses and the unjust persecution "
                       "of Kazakh citizens, and this angers the authorities.", "Alma", line=5),
               Segment("Why do you think that is?", line=7), Segment("Only English here.", line=9)]
    source = [Segment("Ол «жоқ» деді.", None, 0, 1000, 1), Segment("Неге деп ойлайсыз?", None, 1000, 2000, 5),
              Segment("Өйткені біз адам құқықтарының бұзылуы сияқты өзекті мәселелермен айналысамыз.", None,
                      2000, 9000, 9),
              Segment("Иә.", None, 9000, 9500, 13), Segment("Неге деп ойлайсыз?", None, 10000, 11000, 17)]
    beads = [Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.3), Bead((2,), (2,), 0.8), Bead((), (3,), 0.0),
             Bead((3,), (4,), 0.9), Bead((4,), (), 0.0)]
    rec = Recording(Manifest(id="rec", languages=("en", "kk", "ru")),
                    (Track("en", tuple(english), "en.txt", "txt"), Track("kk", tuple(source), "kk.srt", "srt"),
                     Track("ru", tuple(source), "ru.srt", "srt")))
    written = po.update_catalogs(tmp_path, rec, {"kk": (english, source, beads), "ru": (english, source, beads)},
                                 now=NOW)
    # A second run after edits: previous msgids, obsolete entries, notes.
    kkpo = po.catalog_paths(tmp_path, "rec", "kk")
    po.edit_catalog(tmp_path, "rec", kkpo, lambda c: cat.add_note(c, c.messages[2], "Ask Alma about the term."))
    po.edit_catalog(tmp_path, "rec", kkpo, lambda c: cat.add_note(c, c.messages[0], "A person's note."))
    english2 = [Segment("He said \"no\" \\ once.", "Alma", line=1)] + english[1:4]
    beads2 = beads[:5]
    written += po.update_catalogs(tmp_path, rec, {"kk": (english2, source, beads2)}, now=NOW)
    return sorted(set(written))


def test_written_catalogues_pass_msgfmt_and_load_in_polib_and_babel(tmp_path):
    import polib
    from babel.messages.pofile import read_po as babel_read_po

    paths = _sample_project(tmp_path)
    assert {p.name for p in paths} == {"rec.pot", "rec.po"} and len(paths) == 3
    text = po.catalog_paths(tmp_path, "rec", "kk").read_text(encoding="utf-8")
    assert '#~ msgid "Only English here."' not in text  # untranslated, no notes: nothing to keep
    assert "#| msgid" not in text or "#, fuzzy" in text
    assert "# Ask Alma about the term." in text
    assert "#. unaligned kk: Иә." in text
    for p in paths:
        msgfmt_check(p)
        ours = po.read_po(p)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            pol = polib.pofile(str(p))
            bab = babel_read_po(io.BytesIO(p.read_bytes()), abort_invalid=True)
        assert len([e for e in pol if not e.obsolete]) == len(ours.messages)
        assert len(bab) == len({e.key for e in ours.messages})
        assert {e.msgid for e in pol.translated_entries()} == {e.msgid for e in ours.messages if e.translated}
    ru = cat.header_fields(po.read_po(po.catalog_paths(tmp_path, "rec", "ru")))
    assert ru["Plural-Forms"].startswith("nplurals=3;") and ru["Language-Team"] == "Russian"


# --- reading: hostile files ---------------------------------------------------------------------

GOOD = 'msgid "Yes."\nmsgstr "Иә."\n'


@pytest.mark.parametrize(
    "name, body, line, message",
    [
        ("syntax", 'msgid "a"\nmsgstr "b"\ngarbage here\n', 12, ""),
        ("unterminated", 'msgid "a"\nmsgstr "Broken line\n\nmsgid "c"\nmsgstr "d"\n', 11, "string"),
        ("truncated mid-string", 'msgid "a"\nmsgstr "Иә', 11, ""),
        ("truncated before msgstr", GOOD + '\nmsgid "No."\n', 13, "msgstr"),
        ("duplicate", GOOD + "\n" + GOOD, 13, "duplicate"),
        ("bad plural count", 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\n', 10, ""),
    ],
)
def test_broken_catalogue_names_file_and_line(tmp_path, name, body, line, message):
    p = po_file(tmp_path, body)
    with pytest.raises(CatalogError) as err:
        po.read_po(p)
    assert err.value.path == str(p)
    assert err.value.line == line, str(err.value)
    assert message in str(err.value).lower()


def test_bom_empty_and_wrong_charset_are_refused(tmp_path):
    bom = tmp_path / "bom.po"
    bom.write_bytes(b"\xef\xbb\xbf" + (HEADER.format(cs="UTF-8") + GOOD).encode())
    with pytest.raises(CatalogError, match="byte-order mark") as err:
        po.read_po(bom)
    assert err.value.line == 1
    empty = tmp_path / "empty.po"
    empty.write_bytes(b"")
    with pytest.raises(CatalogError):
        po.read_po(empty)
    cp = po_file(tmp_path, 'msgid "Yes."\nmsgstr "Да."\n', cs="UTF-8", encoding="cp1251", name="cp.po")
    with pytest.raises(CatalogError) as err:
        po.read_po(cp)
    assert err.value.line == 11


def test_crlf_and_cp1251_with_its_header_read_correctly(tmp_path):
    lf = po.read_po(po_file(tmp_path, GOOD, name="lf.po"))
    crlf = tmp_path / "crlf.po"
    crlf.write_bytes((HEADER.format(cs="UTF-8") + GOOD).replace("\n", "\r\n").encode())
    assert po.read_po(crlf) == lf
    cp = po_file(tmp_path, 'msgid "Yes."\nmsgstr "Да."\n', cs="CP1251", encoding="cp1251", name="cp.po")
    c = po.read_po(cp)
    assert c.messages[0].msgstr == "Да." and c.charset == "CP1251"
    before = cp.read_bytes()
    po.write_po(cp, c)  # written back in its own charset, unchanged
    assert cp.read_bytes() == before


RU_HEADER = HEADER.replace("Language: kk", "Language: ru").replace(
    "nplurals=2; plural=(n != 1);",
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);")


@pytest.mark.parametrize("first", ["файл", ""])
def test_two_of_three_russian_plural_forms_are_refused_reading_and_writing(tmp_path, first):
    """PO-TRAPS: polib counts such an entry as translated; msgfmt -c rejects it (when translated)."""
    p = tmp_path / "ru.po"
    p.write_text(RU_HEADER.format(cs="UTF-8") + f'msgid "a file"\nmsgid_plural "files"\nmsgstr[0] "{first}"\n'
                 'msgstr[1] "файла"\n', encoding="utf-8")
    if first:
        res = subprocess.run([gettext_tool("msgfmt"), "-c", "-o", os.devnull, str(p)], capture_output=True)
        assert res.returncode != 0
    with pytest.raises(CatalogError) as err:
        po.read_po(p)
    assert (err.value.path, err.value.line) == (str(p), 10)
    assert "only 2 plural forms" in err.value.message and "nplurals=3" in err.value.message
    header = cat.new_header("t", "ru", now=NOW, plural_forms=po.plural_forms_for("ru"))
    two = Catalog(header, (Entry("a file", msgid_plural="files", msgstr_plural=(first, "файла")),))
    with pytest.raises(CatalogError, match="nplurals=3"):
        po.generate_po(two)
    out = tmp_path / "out.po"
    with pytest.raises(CatalogError, match="nplurals=3") as err:
        po.write_po(out, two)
    assert err.value.path == str(out) and not out.exists()
    three = Catalog(header, (Entry("a file", msgid_plural="files", msgstr_plural=(first, "файла", "файлов")),))
    po.write_po(out, three)
    msgfmt_check(out)
    assert po.read_po(out) == three


def test_only_the_last_flags_line_decides_fuzzy_as_msgcat_reads_it(tmp_path):
    """gettext resets the fuzzy flag on every '#,' line: msgcat drops an earlier one, and so do we."""
    p = po_file(tmp_path, '#, fuzzy\n#, c-format\nmsgid "%d file"\nmsgstr "%d файл"\n\n'
                          '#, c-format\n#, fuzzy\nmsgid "b"\nmsgstr "c"\n')
    c = po.read_po(p)
    assert [(e.flags, e.fuzzy, e.state) for e in c.messages] == [
        (("c-format",), False, "translated"), (("c-format", "fuzzy"), True, "fuzzy")]
    assert po.generate_po(c).split("\n\n")[1] == msgcat(p).split("\n\n")[1]


def test_entry_states_agree_with_coverage_and_msgfmt(corpora):
    """One definition (tmtool.coverage.state): the first form decides, fuzzy with no text is untranslated."""
    from collections import Counter

    from tmtool import coverage
    from tmtool.formats import poscan

    for f in sorted((corpora / "django_po").rglob("*.po")):
        counts = coverage.count(poscan.scan(f.read_bytes(), str(f)))
        states = Counter(e.state for e in po.read_po(f).messages)
        assert (states["translated"], states["fuzzy"], states["untranslated"]) == (
            counts.translated, counts.fuzzy, counts.untranslated), f


def test_obsolete_previous_msgid_and_bare_comments_are_read(tmp_path):
    body = '#  two spaces\n#no space\n#\n#.x\nmsgid "a"\nmsgstr "b"\n\n#, fuzzy\n#~| msgid "older"\n#~ msgid "gone"\n#~ msgstr "кетті"\n'
    c = po.read_po(po_file(tmp_path, body))
    assert c.messages[0].translator_comments == (" two spaces", "no space", "")
    assert c.messages[0].extracted_comments == ("x",)
    (o,) = c.obsolete
    assert (o.msgid, o.msgstr, o.previous_msgid, o.fuzzy) == ("gone", "кетті", "older", True)
    assert '#~| msgid "older"' in po.generate_po(c)


def test_broken_catalogue_is_left_byte_for_byte_unchanged(tmp_path):
    p = po_file(tmp_path, GOOD + '\nmsgid "No."\nmsgstr "Жоқ\n')
    before = p.read_bytes()
    with pytest.raises(CatalogError):
        po.edit_catalog(tmp_path, "x", p, lambda c: cat.add_note(c, c.messages[0], "note"))
    assert p.read_bytes() == before


def test_unwritable_character_leaves_file_unchanged(tmp_path):
    p = po_file(tmp_path, 'msgid "Yes."\nmsgstr "Да."\n', cs="CP1251", encoding="cp1251")
    before = p.read_bytes()
    c = po.read_po(p)
    bad = Catalog(c.header, (Entry("Yes.", "Иә (қазақша)."),))
    with pytest.raises(CatalogError, match="cannot be written"):
        po.write_po(p, bad)
    assert p.read_bytes() == before


# --- parse ∘ generate is the identity -----------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x04"), max_size=80)


@settings(max_examples=80, deadline=None)
@given(
    msgid=_text.filter(bool),
    msgstr=_text,
    ctx=st.none() | _text,
    prev=st.none() | _text,
    comments=st.lists(_text.map(lambda s: " ".join(s.splitlines())), max_size=3),
    obsolete=st.booleans(),
)
def test_generated_text_parses_back_to_the_same_entries(msgid, msgstr, ctx, prev, comments, obsolete):
    e = Entry(msgid=msgid, msgstr=msgstr or ("x" if obsolete else ""), msgctxt=ctx, translator_comments=tuple(comments),
              extracted_comments=tuple(comments), flags=("fuzzy",) if prev is not None else (),
              previous_msgid=prev, obsolete=obsolete)
    c = Catalog(cat.new_header("t", "kk", now=NOW), (e,))
    if any(x.endswith("\\") for x in comments):  # gettext would join the comment with the next line
        with pytest.raises(CatalogError, match="backslash"):
            po.generate_po(c)
        return
    text = po.generate_po(c)
    if e.translated and any(f(msgid, "\n") != f(msgstr, "\n") for f in (str.startswith, str.endswith)):
        with pytest.raises(CatalogError, match="both (begin|end) with"):  # msgfmt -c rejects it, so do we
            po.parse_po(text)
        return
    back = po.parse_po(text)
    assert back.entries[0] == e if (e.msgstr or not e.fuzzy) else back.entries[0].previous_msgid == prev
    assert po.generate_po(back) == text


_VALID = (HEADER.format(cs="UTF-8") + '#. speaker: Alma\n#: a.txt:1\n#, fuzzy\n#| msgid "Old"\nmsgid "Yes."\n'
          'msgstr "Иә."\n\nmsgid "A"\nmsgid_plural "As"\nmsgstr[0] "x"\nmsgstr[1] "y"\n\n#~ msgid "gone"\n'
          '#~ msgstr "кетті"\n').encode()


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.tuples(st.integers(0, len(_VALID)), st.integers(0, 8), st.binary(max_size=4)), max_size=4))
def test_damaged_bytes_give_a_catalogue_or_a_located_error(cuts):
    """Whatever a file holds, reading gives a catalogue that writes cleanly, or one CatalogError."""
    data = bytearray(_VALID)
    for at, length, insert in cuts:
        data[at:at + length] = insert
    try:
        c = po.parse_po_bytes(bytes(data), "x.po")
    except CatalogError as exc:
        assert exc.path == "x.po" and "\n" not in str(exc)
        return
    text = po.generate_po(c)
    assert po.generate_po(po.parse_po(text)) == text
    assert [e.msgstr for e in po.parse_po(text).entries] == [e.msgstr for e in c.entries if not e.obsolete] + [
        e.msgstr for e in c.entries if e.obsolete]


def test_obsolete_entries_written_with_hash_tilde_hash_are_read(tmp_path):
    """PO-TRAPS: polib fails on "#~ #|" lines; gettext accepts them, and so do we."""
    c = po.read_po(po_file(tmp_path, '#~ # a note\n#~ #| msgid "older"\n#~ msgid "gone"\n#~ msgstr "кетті"\n'))
    (o,) = c.obsolete
    assert (o.translator_comments, o.previous_msgid, o.msgstr) == (("a note",), "older", "кетті")
    assert '# a note\n#~| msgid "older"\n#~ msgid "gone"\n' in po.generate_po(c)
