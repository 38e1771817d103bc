"""Every command with hostile arguments: usage errors exit 2, bad input exits 1 with one line,
outputs never land on the project's inputs, and the real executable behaves the same.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.hostile.conftest import (
    KK_PO, RID, TRACKS, assert_clean_error, assert_unchanged, invoke, run_tmtool, snapshot,
)
from tmtool.formats import po

# ---------------------------------------------------------------- usage errors: exit 2

USAGE = [
    ("info",),
    ("info", RID, "--format", "xml"),
    ("align", RID, "--format", "nope"),
    ("align-files", "a.txt"),
    ("align-files", "a.txt", "b.txt", "--left-lang", "en"),
    ("notes", "add", RID, "00:03:12", "text"),  # no --lang
    ("notes", "add", RID, "00:03:12", "text", "--lang", "kk", "--lang", "ru"),
    ("notes", "remove", RID, "00:03:12", "--lang", "kk"),  # which note?
    ("notes", "remove", RID, "00:03:12", "--lang", "kk", "--all", "--index", "1"),
    ("notes", "remove", RID, "00:03:12", "--lang", "kk", "--index", "0"),
    ("tm", "lookup", "x"),  # no --lang
    ("tm", "lookup", "   ", "--lang", "kk"),
    ("tm", "lookup", "x", "--lang", "kk", "--min-score", "101"),
    ("tm", "lookup", "x", "--lang", "kk", "--limit", "0"),
    ("tm", "pretranslate", RID),
    ("tm", "import", "x.tmx"),
    ("tm", "import", "transcripts", "--lang", "kk"),  # a folder
    ("tm", "export", "--lang", "kk", "--lang", "ru"),
    ("export", "srt", RID),
    ("export", "vtt", RID, "--lang", "kk", "--lang", "ru", "--lang", "en"),
    ("export", "text", RID),
    ("export", "text", RID, "--lang", "kk", "--format", "pdf"),
    ("coverage", "--fail-under", "101"),
    ("coverage", "--by", "lines"),
    ("coverage", "--jobs", "-1"),
    ("coverage", "--path", "does-not-exist"),
    ("check", "captions", RID, "--format", "xml"),
    ("build", "--no-such-option"),
    ("no-such-command",),
]


@pytest.mark.parametrize("args", USAGE, ids=[" ".join(a) for a in USAGE])
def test_usage_errors_exit_2_with_one_error_line_and_change_nothing(project, args):
    before = snapshot(project)
    assert_clean_error(invoke(*args), code=2)
    assert_unchanged(project, before)


# ---------------------------------------------------------------- bad values: exit 1

BAD_VALUES = [
    (("info", RID, "--encoding", "no-such-codec"), ()),  # unused unless a track needs it: see below
    (("export", "srt", RID, "--lang", "xx"), ("xx",)),
    (("export", "srt", RID, "--lang", "de"), ("de",)),
    (("export", "srt", RID, "--lang", "kk", "--fallback", "de"), ("de",)),
    (("export", "srt", RID, "--lang", "kk", "--set", "max_cps"), ("NAME=VALUE",)),
    (("export", "srt", RID, "--lang", "kk", "--set", "max_cps=fast"), ("max_cps",)),
    (("export", "srt", RID, "--lang", "kk", "--set", "max_cps=nan"), ("max_cps",)),
    (("export", "srt", RID, "--lang", "kk", "--set", "fps=0"), ("fps",)),
    (("export", "srt", RID, "--lang", "kk", "--set", "no_such=1"), ("no_such",)),
    (("export", "srt", RID, "--lang", "kk", "--set", "min_duration_ms=99999999999"), ("min_duration_ms",)),
    (("export", "srt", RID, "--lang", "kk", "--duration", "inf"), ("--duration",)),
    (("export", "vtt", RID, "--lang", "kk", "--duration", "-5"), ("--duration",)),
    (("check", "captions", RID, "--lang", "xx"), ("xx",)),
    (("notes", "add", RID, "", "--lang", "kk", "x"), ("no entry",)),
    (("notes", "add", RID, "99:99:99", "--lang", "kk", "x"), ("99:99:99",)),
    (("notes", "add", RID, "Why do you think that is?", "--lang", "kk", "x"), ("2 entries",)),
    (("notes", "add", RID, "00:03:12", "--lang", "kk", "   "), ("empty",)),
    (("notes", "add", RID, "00:03:12", "--lang", "de", "x"), ("de",)),
    (("notes", "add", RID, "00:03:12", "--lang", "../../etc", "x"), ("language",)),
    (("notes", "remove", RID, "00:03:12", "--lang", "kk", "no such note"), ()),
    (("tm", "lookup", "x", "--lang", "../../etc"), ("language",)),
    (("tm", "pretranslate", RID, "--lang", "de"), ("de",)),
    (("tm", "import", "missing.tmx", "--lang", "kk"), ("missing.tmx",)),
    (("coverage", "no-such-recording"), ()),
    (("align-files", "missing.txt", "missing.txt", "--left-lang", "en", "--right-lang", "ru"), ("missing.txt",)),
    (("align-files", "a.txt", "a.txt", "--left-lang", "xx!", "--right-lang", "ru"), ("xx!",)),
    (("build", "no-such-recording"), ("no-such-recording",)),
    (("new", "fresh-one", "--lang", "../x"), ("../x",)),
    (("new", RID), ("already exists",)),
]


@pytest.mark.parametrize("args, words", BAD_VALUES, ids=[" ".join(a) for a, _ in BAD_VALUES])
def test_bad_values_exit_1_with_one_line_and_change_nothing(project, args, words):
    (project / "a.txt").write_text("Hello.\n", encoding="utf-8")
    before = snapshot(project)
    r = invoke(*args)
    if args[:2] == ("info", RID):  # --encoding is a fallback for non-UTF-8 tracks: unused here
        assert r.exit_code == 0
        return
    assert_clean_error(r, *words)
    assert_unchanged(project, before)


# ---------------------------------------------------------------- align-files with hostile files

ALIGN_FILES = {
    "binary": (bytes(range(256)), ("left.txt:1:", "binary")),
    "utf16-no-bom": ("Hello.\nWorld.\n".encode("utf-16-le"), ("left.txt:1:", "UTF-16")),
    "cp1251": ("Привет.\nМир.\n".encode("cp1251"), ("left.txt:1:", "UTF-8")),
    "nul": (b"Hello.\nWor\x00ld.\n", ("left.txt:2:", "NUL")),
}


@pytest.mark.parametrize("name", sorted(ALIGN_FILES))
def test_align_files_with_a_hostile_file_is_one_line(project, name):
    data, words = ALIGN_FILES[name]
    (project / "left.txt").write_bytes(data)
    (project / "right.txt").write_text("Привет.\nМир.\n", encoding="utf-8")
    before = snapshot(project)
    assert_clean_error(invoke("align-files", "left.txt", "right.txt", "--left-lang", "en", "--right-lang", "ru"),
                       *words)
    assert_unchanged(project, before)


@pytest.mark.parametrize("data, lines", [(b"", 0), (b"\n\n\n", 3), (b"   \n", 1), (b"a\rb\rc\r", 3),
                                         (b"a\r\nb", 2), (b"x" * 100_000 + b"\n", 1)])
def test_align_files_odd_but_valid_files_keep_every_line(project, data, lines):
    (project / "left.txt").write_bytes(data)
    (project / "right.txt").write_text("Один.\nДва.\n", encoding="utf-8")
    r = invoke("align-files", "left.txt", "right.txt", "--left-lang", "en", "--right-lang", "ru", "--format", "json")
    assert r.exit_code == 0, r.stderr
    beads = json.loads(r.stdout)
    assert [i for b in beads for i in b["left"]] == list(range(lines))  # every line once, in order
    assert [j for b in beads for j in b["right"]] == [0, 1]


def test_align_files_with_an_unusable_encoding_is_one_line(project):
    (project / "a.txt").write_text("Hello.\n", encoding="utf-8")
    for codec in ("rot13", "hex", "no-such"):
        assert_clean_error(invoke("align-files", "a.txt", "a.txt", "--left-lang", "en", "--right-lang", "ru",
                                  "--encoding", codec), "a.txt", "encoding")


# ---------------------------------------------------------------- outputs never replace inputs

INPUTS = [str(KK_PO), str(TRACKS / "kk.srt"), str(TRACKS / "recording.toml"), "locales/new.srt",
          "transcripts/../locales/kk/LC_MESSAGES/x.srt"]


@pytest.mark.parametrize("target", INPUTS)
def test_an_export_never_overwrites_a_catalogue_track_or_manifest(project, target):
    before = snapshot(project)
    for args in (("export", "srt", RID, "--lang", "kk", "-o", target),
                 ("export", "text", RID, "--lang", "kk", "--lang", "en", "-o", target),
                 ("tm", "export", "--lang", "kk", "-o", target)):
        assert_clean_error(invoke(*args), target, "will not write")
    assert_unchanged(project, before)


def test_an_export_to_a_folder_is_one_line(project):
    before = snapshot(project)
    for target in (".", "build", str(project)):
        (project / "build").mkdir(exist_ok=True)
        assert_clean_error(invoke("export", "srt", RID, "--lang", "kk", "-o", target), "is a directory")
        assert_clean_error(invoke("tm", "export", "--lang", "kk", "-o", target), "is a directory")
    (project / "build").rmdir()
    assert_unchanged(project, before)


def test_an_export_to_a_device_writes_into_it_and_never_replaces_it(project):
    st = os.stat("/dev/null")
    r = invoke("export", "srt", RID, "--lang", "kk", "-o", "/dev/null", "-q")
    assert r.exit_code == 0, r.stderr
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_rdev, after.st_ino) == (st.st_mode, st.st_rdev, st.st_ino)
    if os.path.exists("/dev/full"):
        full = os.stat("/dev/full")
        assert_clean_error(invoke("export", "srt", RID, "--lang", "kk", "-o", "/dev/full", "-q"), "/dev/full")
        assert os.stat("/dev/full").st_rdev == full.st_rdev and os.stat("/dev/full").st_ino == full.st_ino


def test_an_export_through_a_symlink_keeps_the_link(project):
    real = project.parent / "captions.srt"
    real.write_text("old", encoding="utf-8")
    link = project / "kk.srt"
    link.symlink_to(real)
    r = invoke("export", "srt", RID, "--lang", "kk", "-o", "kk.srt", "-q")
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("1\n")


def test_notes_add_with_control_characters_and_a_huge_note_keeps_the_catalogue_valid(project):
    for note in ("line one\nline two", "tab\there", "x" * 100_000, "«Тоқаев» — «Токаев»"):
        r = invoke("notes", "add", RID, "00:03:12", "--lang", "kk", note)
        if r.exit_code != 0:
            assert_clean_error(r)
        po.read_po(project / KK_PO)  # whatever was accepted, the file still reads


TITLES = ["C:\\new\\bold", "line one\nline two", 'He said "hi"', "'''", '"""', "tab\there\x7f",
          "Сұхбат — «Тоқаев»", "# not a comment", "a = 1"]


@pytest.mark.parametrize("title", TITLES)
def test_new_keeps_any_title_exactly(project, title):
    from tmtool import project as proj

    r = invoke("new", "fresh-one", "--title", title)
    assert r.exit_code == 0, r.stderr
    path = project / "transcripts" / "fresh-one" / "recording.toml"
    assert proj.parse_manifest(path.read_text(encoding="utf-8"), str(path), "fresh-one").title == title


# ---------------------------------------------------------------- the real executable


def test_real_process_broken_track_is_one_line_on_stderr(project):
    (project / TRACKS / "kk.srt").write_bytes(b"1\n00:00:05,000 --> 00:00:02,000\nhello\n")
    before = snapshot(project)
    r = run_tmtool(project, "align", RID)
    line = assert_clean_error(r, "kk.srt:2:", "backwards")
    assert r.stderr.strip() == line and r.stdout == ""
    assert_unchanged(project, before)


def test_real_process_broken_catalogue_is_one_line_on_stderr(project):
    path = project / KK_PO
    path.write_bytes(path.read_bytes() + b'\nmsgid "What does Veritas do?"\nmsgstr "x"\n')
    before = snapshot(project)
    r = run_tmtool(project, "notes", "add", RID, "00:03:12", "--lang", "kk", "Check")
    line = assert_clean_error(r, f"kk/LC_MESSAGES/{RID}.po:", "duplicate")
    assert r.stderr.strip() == line
    assert_unchanged(project, before)


def test_real_process_usage_error_exits_2(project):
    r = run_tmtool(project, "export", "srt", RID)
    assert_clean_error(r, code=2)
