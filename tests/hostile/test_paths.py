"""Recording ids and paths: ``..``, absolute paths, spaces, non-ASCII, Windows paths.

A recording id names a folder and file names, never a path: anything else is one line
and exit 1, and nothing is created or changed anywhere — inside the project or beside
it. A project whose own path has spaces and non-ASCII letters works like any other, and
a recording folder given by its path is found from any current directory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.hostile.conftest import (
    CATALOGUES, KK_PO, RID, TRACKS, assert_clean_error, invoke, make_project, run_tmtool,
)


def tree(top: Path) -> dict[str, bytes]:
    """Every file below ``top`` (the project and what lies beside it), tmtool's caches aside."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in (".tmtool", "xdg-cache")]
        for name in filenames:
            p = Path(dirpath) / name
            if name.endswith(".lock") and p.stat().st_size == 0 and p.parent.name == "locales":
                continue  # the lock file of the sample recording, kept by design
            out[str(p.relative_to(top))] = p.read_bytes()
    return out


HOSTILE_IDS = [
    "..", "../etc", "../../../../tmp/x", "/etc", "/etc/passwd", "/tmp", "x/../y", "transcripts/../../x",
    "a b", "қазақ-сұхбат", "Интервью", "UPPER", ".hidden", "a..b", "C:\\Users\\x", "x\\..\\y", "a" * 200,
    f"{RID}/", "-", "\u202ertl", "nul\x01byte",
]
COMMANDS = [
    ("new", "{}"),
    ("info", "{}"),
    ("align", "{}"),
    ("align", "{}", "--print"),
    ("notes", "add", "{}", "00:03:12", "--lang", "kk", "x"),
    ("notes", "list", "{}"),
    ("tm", "pretranslate", "{}", "--lang", "kk"),
    ("coverage", "{}"),
    ("export", "srt", "{}", "--lang", "kk", "-o", "out.srt"),
    ("check", "captions", "{}"),
    ("build", "{}"),
]


@pytest.mark.parametrize("rid", HOSTILE_IDS)
def test_hostile_recording_ids_are_one_line_and_touch_nothing_anywhere(project, rid):
    top = project.parent
    (top / "tmp").mkdir(exist_ok=True)  # "../../tmp/x"-style targets exist as folders
    before = tree(top)
    for command in COMMANDS:
        args = [a.format(rid) if a == "{}" else a for a in command]
        r = invoke(*args)
        if r.exit_code == 2 and rid.startswith("-"):
            continue  # "-" is read as an option: a usage error
        assert_clean_error(r, max_lines=2 if command[:2] == ("notes", "list") else 1)
    assert tree(top) == before


def test_pretranslate_of_a_folder_that_is_no_recording_creates_no_lock_or_locales(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "some folder").mkdir()
    assert_clean_error(invoke("tm", "pretranslate", "some folder", "--lang", "kk"), "no kk catalogue")
    assert_clean_error(invoke("notes", "add", "some folder", "x", "--lang", "kk", "y"), "no recording.toml")
    assert_clean_error(invoke("notes", "list", "some folder"), "no recording.toml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["some folder"]


@pytest.fixture
def odd_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample project under a path with spaces, Cyrillic, Kazakh letters and an apostrophe."""
    root = make_project(tmp_path / "my projects" / "Сұхбат 2024 — Qazaq'stan")
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return root


def test_a_project_under_spaces_and_non_ascii_builds_end_to_end(odd_project):
    en = odd_project / TRACKS / "en.txt"
    en.write_text(en.read_text(encoding="utf-8").replace("What does Veritas do?", "What does Veritas do now?"),
                  encoding="utf-8")
    r = run_tmtool(odd_project, "build", timeout=120)
    assert r.returncode == 0, r.stderr
    assert (odd_project / "build" / RID / f"{RID}.kk.srt").is_file()
    assert "What does Veritas do now?" in (odd_project / KK_PO).read_text(encoding="utf-8")
    (odd_project / "out dir").mkdir()
    for args in (("coverage",), ("notes", "add", RID, "00:03:12", "--lang", "kk", "Проверить дату"),
                 ("notes", "list"), ("export", "vtt", RID, "--lang", "kk", "-o", "out dir/субтитры ü.vtt", "-q")):
        r = invoke(*args)
        assert r.exit_code == 0, (args, r.stderr)
    assert (odd_project / "out dir" / "субтитры ü.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_a_recording_folder_path_works_from_anywhere_and_writes_only_in_its_project(odd_project, tmp_path,
                                                                                     monkeypatch):
    elsewhere = tmp_path / "somewhere else"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    folder = str(odd_project / TRACKS)
    en = odd_project / TRACKS / "en.txt"
    en.write_text(en.read_text(encoding="utf-8").replace("What does Veritas do?", "What does Veritas do today?"),
                  encoding="utf-8")
    for args in (("info", folder), ("align", folder), ("notes", "add", folder, "00:03:12", "--lang", "ru", "Note"),
                 ("tm", "pretranslate", folder, "--lang", "kk"), ("export", "srt", folder, "--lang", "kk", "-q")):
        r = invoke(*args)
        assert r.exit_code == 0, (args, r.stderr)
    assert list(elsewhere.iterdir()) == []  # nothing landed in the current directory
    assert "What does Veritas do today?" in (odd_project / KK_PO).read_text(encoding="utf-8")
    assert "# Note" in (odd_project / "locales/ru/LC_MESSAGES" / f"{RID}.po").read_text(encoding="utf-8")


def test_a_relative_folder_with_dot_dot_is_a_path_not_an_id(project, tmp_path, monkeypatch):
    sub = tmp_path / "work"
    sub.mkdir()
    monkeypatch.chdir(sub)
    r = invoke("info", f"../project/{TRACKS.as_posix()}", "--format", "json")
    assert r.exit_code == 0, r.stderr
    before = {p: (project / p).read_bytes() for p in CATALOGUES}
    assert_clean_error(invoke("info", "../project"), "no recording.toml")
    assert {p: (project / p).read_bytes() for p in CATALOGUES} == before
    shutil.rmtree(sub)


def test_a_symlinked_catalogue_is_updated_through_its_link(project, tmp_path):
    """Catalogues kept in another repository and linked in: the link stays, the real file gets the work."""
    real = tmp_path / "translations repo" / "kk.po"
    real.parent.mkdir()
    shutil.move(project / KK_PO, real)
    (project / KK_PO).symlink_to(real)
    r = invoke("notes", "add", RID, "00:03:12", "--lang", "kk", "Through the link")
    assert r.exit_code == 0, r.stderr
    en = project / TRACKS / "en.txt"
    en.write_text(en.read_text(encoding="utf-8").replace("What does Veritas do?", "What does Veritas do now?"),
                  encoding="utf-8")
    r = invoke("align", RID)
    assert r.exit_code == 0, r.stderr
    assert (project / KK_PO).is_symlink()
    text = real.read_text(encoding="utf-8")
    assert "# Through the link" in text and "What does Veritas do now?" in text
    assert [p.name for p in real.parent.iterdir()] == ["kk.po"]  # no temp file left beside it


def test_a_device_or_pipe_where_an_output_goes_is_never_replaced(project):
    """A FIFO (or, through a symlink, a device) in the way of a write: one line, and it is still there."""
    folder = project / "build" / RID
    folder.mkdir(parents=True)
    fifo = folder / f"{RID}.kk.srt"
    os.mkfifo(fifo)
    r = invoke("build", RID)
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert f"{RID}.kk.srt" in r.stderr and "regular file" in r.stderr
    assert fifo.is_fifo()
    from tmtool.errors import InputError
    from tmtool.textio import atomic_write

    link = project / "to-the-fifo.txt"
    link.symlink_to(fifo)
    with pytest.raises(InputError, match="regular file"):
        atomic_write(link, "x")
    assert fifo.is_fifo() and link.is_symlink()


@pytest.mark.parametrize("command", [("export", "srt", RID, "--lang", "kk"), ("tm", "export", "--lang", "kk")])
def test_an_output_in_a_missing_folder_is_one_line_and_creates_no_folder(project, tmp_path, command):
    target = tmp_path / "no-such-folder" / "deeper" / "out.x"
    r = invoke(*command, "-o", str(target))
    if r.exit_code == 2:
        pytest.fail(r.stderr)
    assert_clean_error(r)
    assert "no such folder" in r.stderr and "no-such-folder" in r.stderr
    assert not (tmp_path / "no-such-folder").exists()
