"""Hostile PO catalogues under every command that reads one.

A broken catalogue (hand-edited, truncated by a half-finished sync, saved in the wrong
encoding) must stop every command that would change or export it with one line naming
file and line, and nothing on disk may change — not even the other catalogues of the
recording that ``align`` would otherwise have rewritten. ``tm lookup``/``tm export`` read
*all* catalogues of a language as memory: a broken one stops them too, with one line naming
file and line (an answer or a TMX without it would look complete), and ``coverage`` shows
it as an error row.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import (
    KK_PO, REPO, RID, RU_PO, TRACKS, assert_clean_error, assert_unchanged, invoke, snapshot,
)
from tmtool.errors import TmtoolError
from tmtool.formats import po

GOOD = (REPO / KK_PO).read_text(encoding="utf-8")
SHOWN = f"LC_MESSAGES/{RID}.po"

# Commands that must refuse a broken kk catalogue outright.
REFUSING = (
    ("notes", "add", RID, "00:03:12", "--lang", "kk", "Check the date"),
    ("notes", "remove", RID, "00:03:12", "--lang", "kk", "--all"),
    ("tm", "pretranslate", RID, "--lang", "kk"),
    ("align", RID),
    ("export", "srt", RID, "--lang", "kk", "-o", "out.srt"),
    ("export", "vtt", RID, "--lang", "ru", "-o", "out.vtt"),  # another language: the recording is still broken
    ("export", "text", RID, "--lang", "kk", "--lang", "en", "-o", "out.md", "--format", "md"),
    ("check", "captions", RID),
    ("build", RID),
)


def _line(text: str, pattern: str) -> int:
    m = re.search(pattern, text, re.M)
    assert m, pattern
    return text[: m.start()].count("\n") + 1


def _first_msgstr_line() -> int:
    return _line(GOOD, r'^msgstr ".+"$')


def _unterminated() -> tuple[bytes, int]:
    n = _first_msgstr_line()
    lines = GOOD.split("\n")
    lines[n - 1] = lines[n - 1][:-1]  # drop the closing quote
    return "\n".join(lines).encode(), n


def _truncated_in_string() -> tuple[bytes, int]:
    n = _first_msgstr_line()
    lines = GOOD.split("\n")
    text = "\n".join(lines[: n - 1] + [lines[n - 1][: len('msgstr "') + 5]])
    return text.encode(), n


def _truncated_before_msgstr() -> tuple[bytes, int]:
    n = _first_msgstr_line()
    lines = GOOD.split("\n")
    return ("\n".join(lines[: n - 1]) + "\n").encode(), n - 1


def _appended(block: str, at: int = 0) -> tuple[bytes, int]:
    """``block`` as a new entry at the end; the error is expected on its line ``at`` (0: the first)."""
    text = GOOD.rstrip("\n") + "\n\n"
    return (text + block).encode(), text.count("\n") + 1 + at


def _first_msgid() -> str:
    return re.search(r'(?m)^msgid "(.+)"$', GOOD).group(1)


HEADER_LINES = range(_line(GOOD, r'^msgid ""$'), _line(GOOD, r"^$"))  # the header entry, comments aside


def _header_replaced(old: str, new: str) -> tuple[bytes, range]:
    """A header field changed: any line of the header entry names the problem well enough."""
    assert old in GOOD
    return GOOD.replace(old, new, 1).encode(), HEADER_LINES


def _nul_at(line: int) -> tuple[bytes, int]:
    lines = GOOD.split("\n")
    lines[line - 1] = lines[line - 1][:2] + "\x00" + lines[line - 1][2:]
    return "\n".join(lines).encode(), line


def _cp1251() -> tuple[bytes, int]:
    first = next(i for i, ln in enumerate(GOOD.split("\n"), 1) if not ln.isascii())
    return GOOD.encode("cp1251", "replace"), first


BROKEN = {
    "empty": (b"", 1),
    "blank": (b"\n\n   \n", 1),
    "binary": (bytes(range(256)) * 8, 1),
    "utf16-no-bom": (GOOD.encode("utf-16-le"), 1),
    "utf16-bom": (b"\xff\xfe" + GOOD.encode("utf-16-le"), 1),
    "utf8-bom": (b"\xef\xbb\xbf" + GOOD.encode(), 1),
    "nul": _nul_at(20),
    "cp1251-under-utf8-header": _cp1251(),
    "unterminated-string": _unterminated(),
    "truncated-in-a-string": _truncated_in_string(),
    "truncated-before-msgstr": _truncated_before_msgstr(),
    "duplicate-entry": _appended(f'msgid "{_first_msgid()}"\nmsgstr "Қайталанған"\n'),
    "plural-index-out-of-range": _appended('msgid "one file"\nmsgid_plural "%d files"\nmsgstr[0] "a"\nmsgstr[5] "b"\n',
                                           at=3),
    "plural-form-missing": _appended('msgid "one day"\nmsgid_plural "%d days"\nmsgstr[0] "бір күн"\n'),
    "garbage-line": _appended("this is not PO\n"),
    "plural-forms-unparsable": _header_replaced("plural=(n != 1);", "plural=(n != ;"),
    "charset-unknown": _header_replaced("charset=UTF-8", "charset=x-no-such"),
    "charset-not-text": _header_replaced("charset=UTF-8", "charset=rot13"),
}


@pytest.fixture
def english_changed(project):
    """An edited English transcript: ``align`` now has something to write to all three catalogues."""
    en = project / TRACKS / "en.txt"
    text = en.read_text(encoding="utf-8")
    en.write_text(text.replace("What does Veritas do?", "What exactly does Veritas do?", 1), encoding="utf-8")
    return project


EVERY_COMMAND = {"truncated-in-a-string", "duplicate-entry", "utf16-no-bom", "plural-form-missing"}
SLOW = {"align", "build", "check"}

@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_catalogue_stops_every_command_and_changes_nothing(english_changed, name):
    project = english_changed
    data, lines = BROKEN[name]
    (project / KK_PO).write_bytes(data)
    lines = lines if isinstance(lines, range) else range(lines, lines + 1)
    before = snapshot(project)
    # Every command reads catalogues through the same strict reader: each kind of damage goes
    # through the quick ones, a few through all (align and build align first, then read).
    commands = REFUSING if name in EVERY_COMMAND else [c for c in REFUSING if c[0] not in SLOW]
    results = [invoke(*command) for command in commands]
    for result in results:
        assert_located(assert_clean_error(result, f"kk/{SHOWN}:"), lines)
    # an error row (the other catalogues are still counted)
    assert_located(assert_clean_error(invoke("coverage"), f"kk/{SHOWN}:"), lines)
    assert_located(assert_clean_error(invoke("notes", "list"), f"kk/{SHOWN}:"), lines)
    assert_unchanged(project, before)


def assert_located(error_line: str, lines: range) -> None:
    line = int(re.search(rf"{re.escape(SHOWN)}:(\d+):", error_line).group(1))
    assert line in lines, f"line {line} named, expected {lines.start}..{lines.stop - 1}: {error_line}"


@pytest.mark.parametrize("name", ["duplicate-entry", "unterminated-string", "binary"])
def test_memory_refuses_a_broken_catalogue_with_one_line(project, name):
    data, line = BROKEN[name]
    (project / KK_PO).write_bytes(data)
    other = project / "locales" / "kk" / "LC_MESSAGES" / "other-recording.po"
    other.write_bytes((REPO / KK_PO).read_bytes())
    before = snapshot(project)
    for args in (("tm", "lookup", "What does Veritas do?", "--lang", "kk", "--format", "json"),
                 ("tm", "export", "--lang", "kk", "-o", "-")):
        r = invoke(*args)
        assert_clean_error(r, f"locales/kk/{SHOWN}:{line}:")
        assert r.stdout == ""  # no answer, no TMX that would look complete without it
    assert_unchanged(project, before)


def test_broken_russian_catalogue_keeps_align_from_writing_the_healthy_ones(english_changed):
    project = english_changed
    data, line = BROKEN["duplicate-entry"]
    (project / RU_PO).write_bytes(data)
    before = snapshot(project)
    assert_clean_error(invoke("align", RID), f"ru/{SHOWN}:{line}:")
    assert_clean_error(invoke("build"), f"ru/{SHOWN}:{line}:")
    assert_unchanged(project, before)  # the .pot and kk.po were not rewritten either


def test_plural_forms_that_disagree_with_cldr_are_read_as_written_with_a_warning(project):
    data, line = _header_replaced("nplurals=2; plural=(n != 1);", "nplurals=3; plural=(n != 1);")
    (project / KK_PO).write_bytes(data)
    r = invoke("coverage", "--lang", "kk", "--format", "json")
    assert r.exit_code == 0 and f"{SHOWN}:" in r.stderr and "warning" in r.stderr
    r = invoke("notes", "add", RID, "00:03:12", "--lang", "kk", "Checked.")
    assert r.exit_code == 0, r.stderr
    text = (project / KK_PO).read_text(encoding="utf-8")
    assert "nplurals=3; plural=(n != 1);" in text and "# Checked." in text  # the header is kept as written


def test_cr_only_and_crlf_catalogues_read_like_lf(project):
    want = po.read_po(project / KK_PO)
    for end in ("\r", "\r\n"):
        (project / KK_PO).write_bytes(GOOD.replace("\n", end).encode())
        got = po.read_po(project / KK_PO)
        assert got.header == want.header and got.entries == want.entries


def test_notes_add_on_a_cr_only_catalogue_keeps_every_entry(project):
    want = po.read_po(project / KK_PO)
    (project / KK_PO).write_bytes(GOOD.replace("\n", "\r").encode())
    r = invoke("notes", "add", RID, "00:03:12", "--lang", "kk", "Checked.")
    assert r.exit_code == 0, r.stderr
    got = po.read_po(project / KK_PO)
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in got.entries] == [(e.msgctxt, e.msgid, e.msgstr) for e in want.entries]


# ---------------------------------------------------------------- generated damage (Hypothesis)

GOOD_BYTES = GOOD.encode()
GOOD_ENTRIES = po.parse_po_bytes(GOOD_BYTES, "kk.po").entries


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(GOOD_BYTES) - 1))
def test_a_truncated_catalogue_never_yields_a_translation_that_was_not_there(cut):
    """Cut anywhere: a located error, or a prefix of the entries whose last msgstr is a prefix of the real one.

    (A cut at a line boundary inside a multi-line msgstr is indistinguishable from a valid
    file — msgfmt accepts it too — but it can only lose text at the end, never invent any.)
    """
    try:
        got = po.parse_po_bytes(GOOD_BYTES[:cut], "kk.po")
    except TmtoolError as exc:
        assert exc.path == "kk.po" and exc.line is not None and "\n" not in str(exc)
        return
    entries = got.entries
    assert len(entries) <= len(GOOD_ENTRIES)
    for i, e in enumerate(entries):
        real = GOOD_ENTRIES[i]
        assert (e.msgctxt, e.msgid) == (real.msgctxt, real.msgid)
        if i < len(entries) - 1:
            assert e.msgstr == real.msgstr and e.flags == real.flags
        else:
            assert real.msgstr.startswith(e.msgstr)


_PO_PIECES = st.sampled_from([
    'msgid ""\n', 'msgstr ""\n', '"Content-Type: text/plain; charset=UTF-8\\n"\n', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n',
    'msgid "a"\n', 'msgid "b"\n', 'msgstr "x"\n', "msgctxt \"c\"\n", 'msgid_plural "as"\n', 'msgstr[0] "x"\n',
    'msgstr[1] "y"\n', 'msgstr[2] "z"\n', 'msgstr[9] "q"\n', '"cont"\n', "#, fuzzy\n", "# note\n", "#. x\n",
    "#: f:1\n", "#| msgid \"old\"\n", "#~ msgid \"o\"\n", "#~ msgstr \"p\"\n", "\n", '"', "\\", "\\n", "\\x",
    "\\0", "\r", "\x00", "\ufeff", "domain \"d\"\n", "charset=cp1251", "charset=rot13", "nplurals=0", "plural=(",
])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PO_PIECES, st.text(max_size=3)), max_size=30).map("".join))
def test_any_po_like_text_gives_a_catalogue_or_one_located_error(text):
    for data in (text.encode("utf-8"), text.encode("utf-8", "replace")[::-1]):
        try:
            catalog = po.parse_po_bytes(data, "x.po")
        except TmtoolError as exc:
            assert exc.path == "x.po" and "\n" not in str(exc)
        else:
            assert catalog.header is not None  # a catalogue without a header is never accepted


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200) | _PO_PIECES.map(str.encode))
def test_any_bytes_as_a_catalogue_never_crash_a_command_or_change_a_file(project, data):
    path = project / KK_PO
    original = path.read_bytes()
    path.write_bytes(original[: len(original) // 3] + data)
    try:
        for command in (("export", "srt", RID, "--lang", "kk"), ("notes", "add", RID, "00:03:12", "--lang", "kk", "x")):
            before = snapshot(project)
            r = invoke(*command)
            if r.exit_code != 0:
                assert_clean_error(r, SHOWN)
                assert_unchanged(project, before)
    finally:
        path.write_bytes(original)
