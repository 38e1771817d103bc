"""The strict PO scanner: every trap of PO-TRAPS.md, gettext's grammar, and agreement with msgfmt -c."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtool.errors import InputError
from tmtool.formats import poscan

RU_PLURALS = ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
              "(n%100<10 || n%100>=20) ? 1 : 2);")
DJANGO_RU_PLURALS = ("nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
                     "(n%100<10 || n%100>=20) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || "
                     "(n%100>=11 && n%100<=14)? 2 : 3);")
PLURAL_FORMS = {2: "nplurals=2; plural=(n != 1);", 3: RU_PLURALS, 4: DJANGO_RU_PLURALS}


def header(lang: str = "ru", plural: str | None = RU_PLURALS, charset: str = "UTF-8") -> str:
    h = ('msgid ""\nmsgstr ""\n"Project-Id-Version: test\\n"\n'
         f'"Content-Type: text/plain; charset={charset}\\n"\n"Language: {lang}\\n"\n')
    if plural:
        h += f'"Plural-Forms: {plural}\\n"\n'
    return h + "\n"


def entries(text: str) -> list[poscan.Entry]:
    return [e for e in poscan.scan(text.encode("utf-8"), "t.po") if not e.is_header]


def error_of(data: bytes | str) -> InputError:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(InputError) as info:
        poscan.check(raw, "t.po")
    assert info.value.path == "t.po"
    return info.value


# ---------------------------------------------------------------- msgfmt, the reference


def gettext_tool(name: str) -> str:
    """Path of a gettext program; a skip locally, a failure under CI, when it is missing."""
    exe = shutil.which(name)
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} (GNU gettext) is required under CI")
        pytest.skip(f"{name} (GNU gettext) is not installed")
    return exe


def msgfmt_path() -> str:
    return gettext_tool("msgfmt")


def run_msgfmt(path: Path, check: bool = True) -> tuple[int, tuple[int, int, int], str]:
    """msgfmt's verdict and its --statistics (translated, fuzzy, untranslated)."""
    args = [msgfmt_path(), "--statistics", "-o", os.devnull, str(path)]
    if check:
        args.insert(1, "-c")
    r = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})

    def num(word: str) -> int:
        m = re.search(r"(\d+) " + word, r.stderr)
        return int(m.group(1)) if m else 0

    return r.returncode, (num("translated"), num("fuzzy"), num("untranslated")), r.stderr


# ---------------------------------------------------------------- the traps, one by one


def test_unclosed_quote_is_an_error_with_its_line():
    err = error_of(header() + 'msgid "a"\nmsgstr "Broken line\n\nmsgid "b"\nmsgstr "c"\n')
    assert err.line == 9 and "end-of-line within string" in err.message


def test_file_truncated_mid_string():
    err = error_of(header() + 'msgid "a"\nmsgstr "Trunc')
    assert err.line == 9 and "end-of-file within string" in err.message


def test_file_truncated_before_msgstr():
    err = error_of(header() + 'msgid "a"\nmsgstr "x"\n\nmsgid "b"\n')
    assert err.line == 11 and "missing 'msgstr'" in err.message


def test_keyword_without_string_at_the_end():
    err = error_of(header() + 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1]')
    assert err.line == 11 and "without a string" in err.message


@pytest.mark.parametrize("data", [b"", b"\n\n", b"# only a comment\n"])
def test_empty_file_has_no_header(data):
    err = error_of(data)
    assert "header missing" in err.message


def test_duplicate_msgid_names_both_lines():
    err = error_of(header() + 'msgid "a"\nmsgstr "x"\n\nmsgid "a"\nmsgstr "y"\n')
    assert err.line == 11 and "line 8" in err.message and "duplicate" in err.message


def test_duplicate_with_an_obsolete_entry_is_an_error_too():
    err = error_of(header() + 'msgid "a"\nmsgstr "x"\n\n#~ msgid "a"\n#~ msgstr "y"\n')
    assert err.line == 11


def test_same_msgid_in_different_contexts_is_fine():
    es = entries(header() + 'msgctxt "occurrence 2"\nmsgid "a"\nmsgstr "x"\n\nmsgid "a"\nmsgstr "y"\n')
    assert [(e.msgctxt, e.msgid) for e in es] == [("occurrence 2", "a"), (None, "a")]


def test_garbage_line():
    err = error_of(header() + 'msgid "a"\nmsgstr "x"\ngarbage\n')
    assert err.line == 10 and 'keyword "garbage" unknown' in err.message


def test_domain_directive_is_refused():
    assert "domain" in error_of(header() + 'domain "x"\nmsgid "a"\nmsgstr "x"\n').message


def test_cp1251_bytes_under_a_utf8_header_name_the_line():
    data = (header() + 'msgid "Yes."\nmsgstr "Да."\n').encode("cp1251")
    err = error_of(data)
    assert err.line == 9 and "UTF-8" in err.message


def test_cp1251_with_its_charset_header_is_decoded():
    text = header(charset="CP1251") + 'msgid "Yes."\nmsgstr "Да, конечно."\n'
    es = [e for e in poscan.scan(text.encode("cp1251"), "t.po") if not e.is_header]
    assert es[0].msgstr == ("Да, конечно.",)


def test_charset_in_a_wrapped_content_type_line():
    text = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; "\n"charset=KOI8-R\\n"\n"Language: ru\\n"\n\n'
            'msgid "Yes."\nmsgstr "Да."\n')
    es = [e for e in poscan.scan(text.encode("koi8-r"), "t.po") if not e.is_header]
    assert es[0].msgstr == ("Да.",)


def test_unknown_charset():
    assert "unknown charset" in error_of(header(charset="UT-8") + 'msgid "a"\nmsgstr "b"\n').message


def test_charset_placeholder_reads_utf8_with_a_warning():
    s = poscan.scan((header(charset="CHARSET") + 'msgid "a"\nmsgstr "б"\n').encode(), "t.pot")
    assert [e.msgstr for e in s][-1] == ("б",)
    assert any("CHARSET" in w.message for w in s.warnings)


def test_only_two_of_three_russian_forms():
    err = error_of(header() + 'msgid "a file"\nmsgid_plural "files"\nmsgstr[0] "файл"\nmsgstr[1] "файла"\n')
    assert err.line == 8 and "nplurals=3" in err.message


def test_three_forms_under_nplurals_2():
    err = error_of(header("kk", PLURAL_FORMS[2]) + 'msgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\nmsgstr[1] "y"\nmsgstr[2] "z"\n')
    assert err.line == 8 and "nplurals=2" in err.message


def test_translated_plural_without_plural_forms_header():
    err = error_of(header("kk", None) + 'msgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\nmsgstr[1] "y"\n')
    assert err.line == 7 and "Plural-Forms" in err.message


def test_untranslated_plural_without_plural_forms_is_a_warning():
    s = poscan.scan(header("kk", None) + 'msgid "a"\nmsgid_plural "b"\nmsgstr[0] ""\nmsgstr[1] ""\n', "t.po")
    list(s)
    assert any("Plural-Forms" in w.message for w in s.warnings)


@pytest.mark.parametrize("forms, message", [
    ('msgstr[1] "x"\nmsgstr[2] "y"\n', "nonzero index"),
    ('msgstr[0] "x"\nmsgstr[2] "y"\n', "wrong index"),
    ('msgstr "x"\n', "msgstr[0]"),
])
def test_plural_indices_must_be_0_to_n(forms, message):
    assert message in error_of(header() + 'msgid "a"\nmsgid_plural "b"\n' + forms).message


def test_msgstr_index_without_msgid_plural():
    assert "msgid_plural" in error_of(header() + 'msgid "a"\nmsgstr[0] "x"\n').message


def test_utf8_bom_is_an_error():
    err = error_of(b"\xef\xbb\xbf" + header().encode())
    assert err.line == 1 and "byte-order mark" in err.message


def test_nul_byte():
    assert "NUL" in error_of(header().encode() + b'msgid "a\x00"\nmsgstr ""\n').message


def test_obsolete_previous_lines_are_accepted():
    text = header() + ('#~ #| msgid "old"\n#~ msgid "a"\n#~ msgstr "y"\n\n'
                       '#~| msgid "old2"\n#~ msgid "b"\n#~ msgstr "z"\n')
    es = entries(text)
    assert [(e.obsolete, e.previous_msgid, e.msgid) for e in es] == [(True, "old", "a"), (True, "old2", "b")]


@pytest.mark.parametrize("body, expected", [
    ('#~ msgid "a"\n#~ msgid_plural "as"#~ msgstr[0] "x"\n#~ msgstr[1] "y"\n#~ msgstr[2] "z"\n',
     [("a", ("x", "y", "z"), None, True)]),
    ('msgid "b"\nmsgstr "x" #| msgid "old"\nmsgid "c"\nmsgstr "y"\n',
     [("b", ("x",), None, False), ("c", ("y",), "old", False)]),
    ('#~ #~ msgid "d"\n#~ msgstr "e"\n', [("d", ("e",), None, True)]),
])
def test_hash_tilde_and_hash_bar_anywhere_on_a_line_as_in_gettext(tmp_path, body, expected):
    """gettext's lexer switches to obsolete (#~) or previous (#|) mode wherever the mark stands."""
    text = header() + body
    assert [(e.msgid, e.msgstr, e.previous_msgid, e.obsolete) for e in entries(text)] == expected
    path = tmp_path / "t.po"
    path.write_text(text, encoding="utf-8")
    assert run_msgfmt(path)[0] == 0


def test_inconsistent_obsolete_marks():
    assert "#~" in error_of(header() + 'msgid "a"\nmsgstr "y"\n#~ "z"\n').message


def test_django_russian_four_forms_are_read_with_a_warning():
    text = header("ru", DJANGO_RU_PLURALS) + 'msgid "a"\nmsgid_plural "b"\nmsgstr[0] "1"\nmsgstr[1] "2"\nmsgstr[2] "3"\nmsgstr[3] "4"\n'
    s = poscan.scan(text, "t.po")
    es = [e for e in s if not e.is_header]
    assert es[0].msgstr == ("1", "2", "3", "4")
    assert s.header is not None and s.header.nplurals == 4
    assert any("nplurals=4" in w.message and "babel" in w.message for w in s.warnings)


def test_wrong_rule_that_msgfmt_accepts_is_a_warning():
    s = poscan.scan(header("ru", "nplurals=3; plural=(n != 1);") + 'msgid "a"\nmsgstr "b"\n', "t.po")
    list(s)
    assert any("differs from babel" in w.message for w in s.warnings)


def test_babel_agreeing_header_has_no_plural_warning():
    s = poscan.scan(header("kk", PLURAL_FORMS[2]) + 'msgid "a"\nmsgstr "b"\n', "t.po")
    list(s)
    assert s.warnings == []


@pytest.mark.parametrize("rule, message", [
    ("nplurals=2; plural=(n>1 ? 2 : 0);", "as large as 2"),
    ("nplurals=2; plural=(n>1 ?;", "invalid plural expression"),
    ("nplurals=2; plural=(n%0);", "division by zero"),
    ("nplurals=x; plural=(n!=1);", "nplurals"),
])
def test_bad_plural_forms_headers(rule, message):
    assert message in error_of(header("en", rule) + 'msgid "a"\nmsgstr "b"\n').message


@pytest.mark.parametrize("escape", ["\\q", "\\u0041", "\\'", "\\x"])
def test_invalid_escapes(escape):
    err = error_of(header() + f'msgid "a"\nmsgstr "x{escape}y"\n')
    assert err.line == 9 and "control sequence" in err.message


def test_valid_escapes_are_decoded():
    es = entries(header() + 'msgid "a\\n\\t\\"q\\"\\\\"\nmsgstr "x\\x41\\101\\n\\t\\"q\\"\\\\"\n')
    assert es[0].msgid == 'a\n\t"q"\\' and es[0].msgstr == ('xAA\n\t"q"\\',)


def test_escaped_nul_and_eot_are_refused():
    assert "NUL" in error_of(header() + 'msgid "a"\nmsgstr "\\0"\n').message
    assert "EOT" in error_of(header() + 'msgid "a"\nmsgstr "\\x04"\n').message


def test_newline_mismatch_in_a_translated_entry():
    err = error_of(header() + 'msgid "a\\n"\nmsgstr "b"\n')
    assert err.line == 8 and "end with" in err.message


def test_newline_mismatch_is_allowed_when_fuzzy():
    assert entries(header() + '#, fuzzy\nmsgid "a\\n"\nmsgstr "b"\n')[0].fuzzy


def test_header_with_empty_msgstr_is_invalid():
    assert "header" in error_of('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n').message


def test_crlf_and_cr_line_ends():
    text = header() + 'msgid "a"\nmsgstr "b"\n'
    for sep in ("\r\n", "\r"):
        assert entries(text.replace("\n", sep))[0].msgstr == ("b",)


def test_backslash_newline_continues_a_line_as_in_gettext():
    es = entries(header() + 'msgid "ab\\\ncd"\nmsgstr "x"\n')
    assert es[0].msgid == "abcd"


def test_comment_ending_with_backslash_swallows_the_next_line():
    # gettext joins the lines, so the msgid line becomes part of the comment.
    err = error_of(header() + '# C:\\\nmsgid "a"\nmsgstr "x"\n')
    assert "msgstr" in err.message


def test_only_the_last_flags_line_decides_fuzzy_as_in_msgfmt():
    s = poscan.scan(header() + '#, fuzzy\n#, c-format\nmsgid "a"\nmsgstr "b"\n\n'
                    '#, c-format\n#, fuzzy\nmsgid "c"\nmsgstr "d"\n', "t.po")
    es = [e for e in s if not e.is_header]
    assert [e.fuzzy for e in es] == [False, True]
    assert es[0].flags == ("fuzzy", "c-format")
    assert any("ignored by msgfmt" in w.message for w in s.warnings)


def test_comments_keep_trailing_blanks_on_both_paths():
    """As gettext (msgcat writes them back); the obsolete entry's comment is read the exact way."""
    text = header() + '# note  \nmsgid "a"\nmsgstr "x"\n\n# gone note \t\n#~ msgid "b"\n#~ msgstr "y"\n'
    fast, slow = outcome(text), outcome(text, fast=False)
    assert fast == slow
    assert [e.translator_comments for e in fast[0][1:]] == [("note  ",), ("gone note \t",)]


def test_several_tokens_on_one_line_and_trailing_comments():
    es = entries(header() + 'msgid "a" msgstr "x" "y" # a comment\n\n  msgid\t"b"\n\tmsgstr "z"  \n')
    assert [(e.msgid, e.msgstr) for e in es] == [("a", ("xy",)), ("b", ("z",))]


def test_entry_fields():
    text = header() + ("# a note\n#  indented note\n#. speaker: Alma\n#. time: 00:01:23.450 --> 00:01:25.000\n"
                       "#: transcripts/rec/kk.srt:12 transcripts/rec/ru.srt:14\n#, fuzzy, python-format\n"
                       '#| msgctxt "old ctx"\n#| msgid "old"\n#| "er"\nmsgctxt "occurrence 2"\nmsgid ""\n"Why "\n"is that?"\n'
                       'msgstr "Почему?"\n')
    (e,) = entries(text)
    assert e.translator_comments == ("a note", " indented note")
    assert e.extracted_comments == ("speaker: Alma", "time: 00:01:23.450 --> 00:01:25.000")
    assert e.references == ("transcripts/rec/kk.srt:12", "transcripts/rec/ru.srt:14")
    assert e.flags == ("fuzzy", "python-format") and e.fuzzy
    assert (e.previous_msgctxt, e.previous_msgid) == ("old ctx", "older")
    assert (e.msgctxt, e.msgid, e.msgstr) == ("occurrence 2", "Why is that?", ("Почему?",))
    assert e.line == 18 and not e.obsolete


def test_header_is_parsed():
    s = poscan.scan(header("kk", PLURAL_FORMS[2]) + 'msgid "a"\nmsgstr "b"\n', "t.po")
    first = next(iter(s))
    assert first.is_header and s.header is not None
    assert (s.header.language, s.header.nplurals, s.header.charset) == ("kk", 2, "UTF-8")
    assert s.header.get("project-id-version") == "test"


def test_bytes_text_and_lines_read_alike():
    text = header() + '# n\nmsgid "a"\nmsgstr "б"\n'
    a = list(poscan.scan(text.encode(), "t.po"))
    b = list(poscan.scan(text, "t.po"))
    c = list(poscan.scan(iter(text.splitlines(keepends=True)), "t.po"))
    assert a == b == c


def test_read_returns_the_whole_catalogue():
    cat = poscan.read(header() + 'msgid "a"\nmsgstr "b"\n', "t.po")
    assert cat.header.language == "ru" and len(cat.entries) == 2 and cat.warnings == ()


# ---------------------------------------------------------------- generated catalogues

WORDS = ["Yes", "no", "don't", "3.14", "e.g.", "Hello.World", "a\\nb", "tab\\there", 'q\\"x\\"',
         "back\\\\slash", "Қазақ", "мир", "<b>x</b>", "x_y", "1,000"]


@st.composite
def catalogues(draw, max_entries: int = 10) -> str:
    """PO text with fuzzy/empty/plural/obsolete/previous/context entries in varied layouts."""
    nplurals = draw(st.sampled_from([2, 3, 4]))
    lang = draw(st.sampled_from(["kk", "ru", "en"]))
    parts = [header(lang, PLURAL_FORMS[nplurals])]

    def text(allow_empty: bool = True) -> str:
        if allow_empty and draw(st.booleans()):
            return ""
        return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))

    def q(value: str, kw: str) -> str:
        if len(value) > 6 and draw(st.booleans()):
            cut = draw(st.integers(1, len(value) - 1))
            while cut < len(value) and value[cut - 1] == "\\":
                cut += 1
            if cut < len(value):
                return f'{kw} ""\n"{value[:cut]}"\n"{value[cut:]}"'
        return f'{kw} "{value}"'

    for i in range(draw(st.integers(0, max_entries))):
        lines = []
        if draw(st.booleans()):
            lines.append(f"# note {i}")
        if draw(st.booleans()):
            lines.append(f"#. time: 00:00:{i % 60:02d}.000")
        flags = draw(st.sampled_from(["", "#, fuzzy", "#, fuzzy, no-wrap", "#, fuzzy\n#, no-wrap",
                                      "#, no-wrap\n#, fuzzy", "#,fuzzy"]))
        if flags:
            lines.append(flags)
        if draw(st.integers(0, 9)) == 0:
            lines.append('#| msgid "old"')
        msgid = text(False) + f" {i}"
        body = []
        if draw(st.integers(0, 4)) == 0:
            body.append(q(f"ctx {i % 3}", "msgctxt"))
        body.append(q(msgid, "msgid"))
        if draw(st.integers(0, 3)) == 0:
            body.append(q(msgid + "s", "msgid_plural"))
            first = text()
            for j in range(nplurals):
                body.append(q(first if j == 0 else text(), f"msgstr[{j}]"))
        else:
            body.append(q(text(), "msgstr"))
        block = "\n".join(body)
        if draw(st.integers(0, 6)) == 0:
            block = "\n".join("#~ " + x for x in block.split("\n"))
            lines = [x for x in lines if x.startswith("# ")]
        parts.append("\n".join(lines + [block]) + "\n\n")
    return "".join(parts)


MUTATIONS = ["garbage", '"x"', 'msgstr "y"', '#~ msgid "z"', 'msgstr[1] "q"', 'msgid_plural "p"',
             '#| msgid "o"', 'msgid "a\\q"', "#, fuzzy", "", "msgid"]


@st.composite
def broken_catalogues(draw) -> str:
    """A generated catalogue with a few random edits (deleted/inserted characters and lines, truncation, duplicates)."""
    text = draw(catalogues(6))
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.integers(0, 5))
        if kind == 0 and text:
            i = draw(st.integers(0, len(text) - 1))
            text = text[:i] + text[i + 1:]
        elif kind == 1:
            lines = text.split("\n")
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
        elif kind == 2:
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == 3:
            lines = text.split("\n")
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(MUTATIONS)))
            text = "\n".join(lines)
        elif kind == 4:
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(st.sampled_from(['"', "\\", "#", "\n", "[", "~", "0"])) + text[i:]
        else:
            blocks = text.split("\n\n")
            if len(blocks) > 2:
                blocks.insert(-1, draw(st.sampled_from(blocks[1:-1])))
            text = "\n\n".join(blocks)
    return text


def outcome(data: bytes | str, fast: bool = True):
    try:
        return list(poscan.Scan(data, "t.po", _fast=fast)), None
    except InputError as exc:
        return None, (exc.message, exc.line)


def brief_outcome(data: bytes | str):
    """Scan.brief's result (briefs, warnings) or its error."""
    s = poscan.Scan(data, "t.po")
    try:
        return (list(s.brief()), s.warnings), None
    except InputError as exc:
        return None, (exc.message, exc.line)


def full_outcome(data: bytes | str, fast: bool = True):
    s = poscan.Scan(data, "t.po", _fast=fast)
    try:
        return ([poscan.brief_of(e) for e in s], s.warnings), None
    except InputError as exc:
        return None, (exc.message, exc.line)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_catalogues())
def test_fast_path_and_exact_path_agree(text):
    """The whole-entry regex is only a shortcut: same entries, same errors, same lines."""
    assert outcome(text, fast=True) == outcome(text, fast=False)


@pytest.mark.parametrize("body", [
    '#! fuzzy\nmsgid "a"\nmsgstr "b"\n',  # "#!" is a flags line too
    '#, fuzzy\n#, c-format\nmsgid "a"\nmsgstr "b"\n',  # an ignored fuzzy flag: a warning
    '#, c-format\n#, fuzzy, python-format\nmsgid "a"\nmsgstr "b"\n',
    '# \t \n#.  x\n#: a.py:1\nmsgid "a"\nmsgstr "b"\n',  # a blank translator comment is no note
    '#\tnote #, fuzzy\nmsgid "a"\nmsgstr "b"\n',  # "#," inside a note is no flag
    '#, fuzzy\n#| msgid "old\\q"\nmsgid "a"\nmsgstr "b"\n',  # invalid escape in a #| line
    '#, fuzzy\n#| msgid_plural "x"\n#| msgid "y"\nmsgid "a"\nmsgstr "b"\n',  # #| out of order
    '#| "x"\nmsgid "a"\nmsgstr "b"\n',  # a #| string without a keyword
    'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[2] "y"\n',  # wrong plural index
    'msgid "\\na"\nmsgstr "b"\n',  # newline mismatch
    'msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n',  # duplicate
    'msgid "a"\n"\\x41"\nmsgstr "b"\n\nmsgid "aA"\nmsgstr "c"\n',  # duplicate once unescaped
])
def test_brief_path_agrees_on_flags_notes_and_errors(body):
    text = header() + body
    assert brief_outcome(text) == full_outcome(text, fast=False)
    assert brief_outcome(text) == full_outcome(text, fast=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_catalogues())
def test_brief_path_agrees_with_the_exact_path(text):
    """Scan.brief (coverage's fast path, no Entry values) checks exactly as the exact path:
    same briefs, same warnings, same errors and lines."""
    assert brief_outcome(text) == full_outcome(text, fast=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_catalogues())
def test_rejects_exactly_what_msgfmt_c_rejects(tmp_path_factory, text):
    msgfmt_path()
    path = tmp_path_factory.mktemp("po") / "t.po"
    path.write_text(text, encoding="utf-8")
    rc, _, stderr = run_msgfmt(path)
    _, error = outcome(text)
    assert brief_outcome(text)[1] == error  # the brief (counting) path rejects the same, at the same line
    if text.rstrip("\n").endswith("\\"):
        return  # a stray backslash at the very end: gettext ignores it, we refuse (documented)
    if error is not None and ("NUL" in error[0] or "EOT" in error[0]):
        return  # an escaped NUL (msgfmt silently cuts the string there): refused on purpose
    assert (rc != 0) == (error is not None), (stderr, error)


@pytest.mark.parametrize("name", ["django/conf/locale/ru/LC_MESSAGES/django.po",
                                  "django/conf/locale/kk/LC_MESSAGES/django.po"])
def test_real_django_catalogues_fast_equals_exact(corpora, name):
    data = (corpora / "django_po" / name).read_bytes()
    fast, slow = outcome(data), outcome(data, fast=False)
    assert fast[1] is None and fast == slow
    assert brief_outcome(data) == full_outcome(data, fast=False)
    assert len(fast[0]) > 300


# ---------------------------------------------------------------- Scan.tally: the whole-file path


def tally_outcome(data: bytes | str, fast: bool = True):
    """Scan.tally's result (tally, warnings) or its error; fast=False reads the exact way only."""
    s = poscan.Scan(data, "t.po", _fast=fast)
    try:
        return (s.tally(), [str(w) for w in s.warnings]), None
    except InputError as exc:
        return None, (exc.message, exc.line)


def takes_whole_file_path(data: bytes | str) -> bool:
    s = poscan.Scan(data, "t.po")
    return s._whole_file(s._prepare()) is not None


def test_tally_counts_as_msgfmt_and_keeps_the_sources_of_each_state():
    text = header() + ('# a note\nmsgid "a"\nmsgstr "x"\n\n#, fuzzy\nmsgid "b"\nmsgstr "y"\n\n'
                       '#, fuzzy\nmsgid "c"\nmsgstr ""\n\nmsgid "d"\nmsgid_plural "ds"\n'
                       'msgstr[0] ""\nmsgstr[1] ""\nmsgstr[2] ""\n\n#~ msgid "e"\n#~ msgstr "z"\n')
    assert takes_whole_file_path(text)
    t = poscan.scan(text, "t.po").tally()
    assert (t.translated, t.fuzzy, t.untranslated, t.notes) == (1, 1, 2, 1)
    assert t.sources == (["a"], ["b"], ["c", "d", "ds"])


# Each of these must come out of the whole-file path exactly as out of the exact path: the same
# tally, warnings, errors and lines (most of them make it fall back, which is the point).
WHOLE_FILE_CASES = [
    'msgid "a"\nmsgstr "b"\n',
    'msgid ""\n"a "\n"b"\nmsgstr ""\n""\n""\n',  # an empty msgstr of empty lines: untranslated
    'msgid "a" "b"\nmsgstr "c"\n',  # two strings on a line (valid gettext, not the usual layout)
    'msgid "a"b"\nmsgstr "c"\n',  # a quote inside a string
    'msgid ""\n"a"b"\nmsgstr "c"\n',
    'msgid "a"\nmsgstr ""\n"x"y"\n',
    'msgid "a"\nmsgstr "x"y"\n',
    'msgid "say \\"hi\\""\nmsgstr "x"\n',  # escaped quotes (the usual English case)
    'msgid ""\n"say \\"hi\\" "\n"now"\nmsgstr "x"\n',
    'msgid ""\n"ends with \\"\n"more"\nmsgstr "x"\n',  # an escaped closing quote: unterminated
    'msgid "a\\\\"\nmsgstr "x"\n',  # an escaped backslash before the closing quote
    'msgid ""\n"a\\\\"\n"b"\nmsgstr "x"\n',
    'msgid ""\n"a\\\\\\"b"\nmsgstr "x"\n',
    'msgid "a\\\\"b"\nmsgstr "x"\n',  # escaped backslash, then a bare quote
    'msgid "a"\nmsgstr "\\\\"\n',
    'msgid "a\\q"\nmsgstr "x"\n',  # invalid escape
    'msgid "a"\nmsgstr "x\\q"\n',
    'msgid "a"\nmsgstr ""\n"x"\n"\\q"\n',
    '#, fuzzy\nmsgid "a"\nmsgstr "x\\q"\n',  # invalid even when fuzzy
    'msgid ""\n"\\1"\n"23"\nmsgstr "x"\n\nmsgid "\\123"\nmsgstr "y"\n',  # octal split over two strings
    'msgid "\\x41"\nmsgstr "x"\n\nmsgid "A"\nmsgstr "y"\n',  # duplicate once unescaped
    'msgid "\\101"\nmsgstr "\\xd0\\x98"\n',
    'msgid "a\\n"\nmsgstr "x"\n',  # newline mismatch
    'msgid "a\\n"\nmsgstr "x\\n"\n',
    '#, fuzzy\nmsgid "a\\n"\nmsgstr "x"\n',
    'msgid "a"\nmsgstr ""\n"x\\n"\n',
    'msgid "\\na"\nmsgid_plural "\\nas"\nmsgstr[0] "\\nx"\nmsgstr[1] "y"\nmsgstr[2] "\\nz"\n',
    'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] "y"\n',  # 2 of 3 forms: an error
    'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n',  # untranslated: a warning
    '#, fuzzy\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] "y"\n',
    'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] ""\nmsgstr[2] "z"\n',  # empty form: a warning
    'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[2] "y"\nmsgstr[1] "z"\n',
    'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[01] "y"\nmsgstr[2] "z"\n',
    'msgid "a"\nmsgid_plural "as"\nmsgstr[00] "x"\nmsgstr[1] "y"\nmsgstr[2] "z"\n',
    'msgid "a"\nmsgid_plural "as"\nmsgstr "x"\n',
    'msgid "a"\nmsgstr "x"\nmsgstr[1] "y"\n',
    'msgid "a"\nmsgid_plural ""\n"as"\nmsgstr[0] ""\n"x"\nmsgstr[1] "y"\n""\nmsgstr[2] "z"\n',
    'msgctxt "c"\nmsgid "a"\nmsgstr "x"\n\nmsgid "a"\nmsgstr "y"\n',  # context makes them differ
    'msgctxt "c"\nmsgid "a"\nmsgstr "x"\n\nmsgctxt "c"\nmsgid "a"\nmsgstr "y"\n',
    'msgctxt ""\nmsgid "a"\nmsgstr "x"\n\nmsgid "a"\nmsgstr "y"\n',  # an empty context is a context
    'msgctxt ""\n"c\\"d"\nmsgid ""\nmsgstr "x"\n',  # msgid "" with a context: not the header
    'msgctxt "c\\q"\nmsgid "a"\nmsgstr "x"\n',
    '#, fuzzy\n#, c-format\nmsgid "a"\nmsgstr "b"\n',  # an ignored fuzzy flag: a warning
    '#, c-format\n# fuzzy?\nmsgid "a"\nmsgstr "b"\n',
    '#,fuzzy,c-format\nmsgid "a"\nmsgstr "b"\n',
    '#! fuzzy\nmsgid "a"\nmsgstr "b"\n',
    '#, fuzzy\n#| msgid "old"\nmsgid "a"\nmsgstr "b"\n',
    '#, fuzzy\n#| msgctxt "c"\n#| msgid "old"\n#| "er"\n#| msgid_plural "olds"\nmsgid "a"\nmsgstr "b"\n',
    '#| msgctxt "c"\nmsgid "a"\nmsgstr "b"\n',  # no "#| msgid"
    '#| msgid_plural "x"\n#| msgid "y"\nmsgid "a"\nmsgstr "b"\n',
    '#| msgid "old\\q"\nmsgid "a"\nmsgstr "b"\n',
    '#| msgid "o\\"ld"\nmsgid "a"\nmsgstr "b"\n',
    '#|  msgid   "old"\nmsgid "a"\nmsgstr "b"\n',
    '#| msgid "old"\n# note\nmsgid "a"\nmsgstr "b"\n',
    '#| msgid "old"\n\nmsgid "a"\nmsgstr "b"\n',
    '# note \\\nmsgid "a"\nmsgstr "b"\n',  # a comment continued by a backslash
    '#\n#  \n# x\nmsgid "a"\nmsgstr "b"\n',
    '#~ msgid "a"\n#~ msgstr "x"\n\nmsgid "a"\nmsgstr "y"\n',  # a duplicate of an obsolete entry
    '#~ msgctxt "c"\n#~ msgid "a"\n#~ msgstr "x"\n\nmsgctxt "c"\nmsgid "a"\nmsgstr "y"\n',
    '# n\n#~ msgid ""\n#~ "a"\n#~ msgid_plural "as"\n#~ msgstr[0] "x"\n#~ msgstr[1] "y"\n',
    '#~ msgid "a"\n#~ msgid_plural "as"\n#~ msgstr[0] "x"\n#~ msgstr[2] "y"\n',
    '#~ msgid "a"\n#~ msgstr[0] "x"\n',
    '#~ msgid "a"\n#~ msgstr "x\\q"\n',
    '#~ msgid "a"b"\n#~ msgstr "x"\n',
    '#~ msgid "a"\n#~ msgstr "x"\n#~ msgstr "y"\n',
    '#~ msgid "a"\nmsgstr "x"\n',  # #~ used inconsistently
    'msgid "a"\n#~ msgstr "x"\n',
    '#~| msgid "old"\n#~ msgid "a"\n#~ msgstr "x"\n',
    'msgid "a"\nmsgstr "x"\n\n\n\n',
    'msgid "a"\nmsgstr "x"\n\n# a comment at the end\n',
    'msgid "a"\nmsgstr "x"',  # no final newline
    'msgid "a"\nmsgstr "x',
    'msgid "a"\nmsgstr "x"  \n',  # trailing blanks
    'msgid\t"a"\nmsgstr "x"\n',
    '  msgid "a"\nmsgstr "x"\n',
    'msgid "a"\nmsgstr "x"\ngarbage\n',
    'msgid "a"\n',
    'msgid "a"\nmsgid "b"\nmsgstr "x"\n',
]


@pytest.mark.parametrize("body", WHOLE_FILE_CASES)
def test_whole_file_path_agrees_with_the_exact_path(body):
    for text in (header() + body, header(plural=None) + body, body + "\n" + header(),
                 header("kk", PLURAL_FORMS[2]) + body):
        assert tally_outcome(text) == tally_outcome(text, fast=False), text


def test_whole_file_path_leaves_a_plural_entry_before_the_header_to_the_exact_path():
    text = 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] "y"\n\n' + header()
    assert tally_outcome(text) == tally_outcome(text, fast=False)
    assert "only 2 plural forms" in tally_outcome(text)[1][0]


@pytest.mark.parametrize("body, warning", [
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n', "2 plural forms but nplurals=3"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] ""\nmsgstr[2] "z"\n', "msgstr[1] is empty"),
    ('#, fuzzy\n#, c-format\nmsgid "a"\nmsgstr "b"\n', "fuzzy flag on an earlier '#,' line"),
])
def test_warnings_of_the_exact_path_are_kept(body, warning):
    """A file with something to report is read the exact way: its warnings, with their lines."""
    text = header() + 'msgid "z"\nmsgstr "y"\n\n' + body
    (t, warnings), error = tally_outcome(text)
    assert error is None and any(warning in w and "t.po:" in w for w in warnings), warnings
    assert not takes_whole_file_path(text)


def test_header_warnings_come_from_the_whole_file_path_too():
    text = header("ru", DJANGO_RU_PLURALS) + 'msgid "a"\nmsgstr "b"\n'
    assert takes_whole_file_path(text)
    (_, warnings), _ = tally_outcome(text)
    assert len(warnings) == 1 and "t.po:1: warning:" in warnings[0] and "nplurals=4" in warnings[0]
    text = header(plural=None) + 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n'
    assert tally_outcome(text) == tally_outcome(text, fast=False)
    assert "no Plural-Forms" in tally_outcome(text)[0][1][0]


@st.composite
def tricky_catalogues(draw) -> str:
    """Generated catalogues with the things the whole-file path must get right: quotes and
    backslashes at string ends, escapes split over strings, empty strings, odd spacing."""
    text = draw(catalogues(8))
    pieces = ['\\"', '\\\\', '\\\\"', '"', '\\', '\\101', '\\x41', '\\n', '""', ' ', '\t', '#', '#,', 'fuzzy', '~', '|']
    for _ in range(draw(st.integers(0, 3))):
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if line.endswith('"') and len(line) > 1:
            at = draw(st.sampled_from([len(line) - 1, line.index('"') + 1, len(line) // 2]))
            lines[i] = line[:at] + draw(st.sampled_from(pieces)) + line[at:]
        else:
            lines.insert(i, draw(st.sampled_from(['""', '"\\\\"', 'msgstr ""', '#, fuzzy', '# \\', '#~ msgstr "x"'])))
        text = "\n".join(lines)
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(broken_catalogues(), tricky_catalogues()))
def test_tally_agrees_with_the_exact_path(text):
    """Scan.tally (coverage's whole-file path) counts and checks exactly as the exact path:
    same counts, source texts, notes, warnings, errors and lines."""
    assert tally_outcome(text) == tally_outcome(text, fast=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues())
def test_generated_catalogues_mostly_take_the_whole_file_path(text):
    """Every catalogue in gettext's layout with nothing to warn about is read the fast way."""
    s = poscan.Scan(text, "t.po", _fast=False)
    try:
        list(s.brief())
    except InputError:
        return
    if not s.warnings:
        assert takes_whole_file_path(text)


def test_real_catalogues_take_the_whole_file_path(corpora):
    files = sorted((corpora / "django_po").rglob("*.po"))
    files += sorted((Path(__file__).resolve().parents[1] / "locales").rglob("*.po"))
    assert len(files) >= 20
    for path in files:
        data = path.read_bytes()
        assert takes_whole_file_path(data), path
        assert tally_outcome(data) == tally_outcome(data, fast=False), path


def test_a_long_run_of_comments_before_garbage_is_reported_at_its_line():
    """The whole-file expression is anchored at each entry: a broken file costs one pass."""
    text = header() + "# note\n" * 20000 + "garbage\n"
    assert tally_outcome(text)[1] == ('keyword "garbage" unknown', 20008)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"msgid", b"msgid_plural", b" ", b"\t", b"\n", b"\r", b'"', b"x", b"#"]),
                max_size=14).map(b"".join))
def test_first_msgid_is_found_as_the_regex_finds_it(data):
    m = poscan._FIRST_MSGID.search(data)
    assert poscan._first_msgid(data) == (m.start() if m else -1)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "msgid ", "msgstr[1] "]),
                          st.lists(st.sampled_from(["a", "Қ", '"', "\\", "\\\\", '\\"', "n", " "]),
                                   max_size=6).map("".join)),
                max_size=4))
def test_quotes_ok_agrees_with_the_strict_grammar(lines):
    """_quotes_ok decides, for lines the whole-file expression matched loosely, whether each
    holds one well-formed string, exactly as the strict grammar does."""
    text = "".join(f'{kw}"{body}"\n' for kw, body in lines)
    assert poscan._quotes_ok(text) == (poscan._WHOLE_STRICT.fullmatch(text) is not None)
