"""``tmtool notes add|list|remove`` through the CLI."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from tmtool import catalog as cat
from tmtool.cli import cli
from tmtool.formats import po
from tmtool.model import Bead, Manifest, Recording, Segment, Track

NOW = datetime(2025, 3, 1, 12, 30, tzinfo=timezone.utc)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    english = [Segment("What does Veritas do?", "Interviewer", line=1),
               Segment("Veritas is an organization.", "Alma", line=3),
               Segment("Why do you think that is?", "Interviewer", line=5),
               Segment("Because we work on pressing issues.", "Alma", line=7),
               Segment("Why do you think that is?", "Interviewer", line=9)]
    source = [Segment("Veritas не істейді?", None, 1000, 3000, 1), Segment("Veritas — ұйым.", None, 3500, 6000, 5),
              Segment("Неге деп ойлайсыз?", None, 7000, 8000, 9),
              Segment("Өйткені біз өзекті мәселелермен айналысамыз.", None, 8000, 12000, 13),
              Segment("Неге деп ойлайсыз?", None, 192000, 194000, 17)]
    rec = Recording(Manifest(id="veritas", languages=("en", "kk")),
                    (Track("en", tuple(english), "en.txt", "txt"), Track("kk", tuple(source), "kk.srt", "srt")))
    beads = [Bead((i,), (i,), 0.9) for i in range(5)]
    po.update_catalogs(tmp_path, rec, {"kk": (english, source, beads), "ru": (english, source, beads)}, now=NOW)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tm(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def kk_po(root: Path) -> Path:
    return po.catalog_paths(root, "veritas", "kk")


def notes_of(root: Path, msgid_fragment: str) -> tuple[str, ...]:
    c = po.read_po(kk_po(root))
    (e,) = [e for e in c.messages if msgid_fragment in e.msgid]
    return e.translator_comments


def test_add_by_text_fragment_and_list(project):
    r = tm("notes", "add", "veritas", "pressing", "--lang", "kk", "Check the term with Alma.")
    assert r.exit_code == 0, r.output
    assert notes_of(project, "pressing") == ("Check the term with Alma.",)
    assert "# Check the term with Alma." in kk_po(project).read_text(encoding="utf-8")
    r = tm("notes", "list")
    assert r.exit_code == 0
    assert "Check the term with Alma." in r.stdout and "Because we work on pressing issues." in r.stdout


def test_add_by_time_and_by_id(project):
    assert tm("notes", "add", "veritas", "00:03:13", "--lang", "kk", "late one").exit_code == 0
    c = po.read_po(kk_po(project))
    second_why = [e for e in c.messages if e.msgctxt == "occurrence 2"][0]
    assert second_why.translator_comments == ("late one",)
    eid = cat.entry_id(c.messages[0])
    assert tm("notes", "add", "veritas", eid, "--lang", "kk", "by id").exit_code == 0
    assert notes_of(project, "What does") == ("by id",)


def test_ambiguous_entry_lists_candidates_and_changes_nothing(project):
    before = kk_po(project).read_bytes()
    r = CliRunner().invoke(cli, ["notes", "add", "veritas", "Why do you", "--lang", "kk", "x"])
    assert r.exit_code == 1
    assert "matches 2 entries" in r.output and "00:00:07" in r.output and "00:03:12" in r.output
    assert kk_po(project).read_bytes() == before


def test_notes_written_in_poedit_show_up(project):
    path = kk_po(project)
    text = path.read_text(encoding="utf-8").replace('msgid "Veritas is', '# From Poedit.\nmsgid "Veritas is', 1)
    path.write_text(text, encoding="utf-8")
    r = tm("notes", "list", "veritas", "--lang", "kk", "--format", "json")
    rows = json.loads(r.stdout)
    assert [(x["note"], x["msgid"], x["language"]) for x in rows] == [("From Poedit.", "Veritas is an organization.", "kk")]
    assert rows[0]["entry"] == cat.entry_id(cat.Entry("Veritas is an organization."))
    assert rows[0]["time"] == "00:00:03.500"


def test_list_filters_by_language_and_grep(project):
    tm("notes", "add", "veritas", "pressing", "--lang", "kk", "kazakh note")
    tm("notes", "add", "veritas", "pressing", "--lang", "ru", "russian note")
    rows = json.loads(tm("notes", "list", "--format", "json").stdout)
    assert {r["note"] for r in rows} == {"kazakh note", "russian note"}
    rows = json.loads(tm("notes", "list", "--lang", "ru", "--format", "json").stdout)
    assert [r["note"] for r in rows] == ["russian note"]
    rows = json.loads(tm("notes", "list", "--grep", "KAZAKH", "--format", "json").stdout)
    assert [r["note"] for r in rows] == ["kazakh note"]


def test_remove_by_index_text_and_all(project):
    for note in ("one", "two", "three"):
        tm("notes", "add", "veritas", "pressing", "--lang", "kk", note)
    assert tm("notes", "remove", "veritas", "pressing", "--lang", "kk", "--index", "2").exit_code == 0
    assert notes_of(project, "pressing") == ("one", "three")
    assert tm("notes", "remove", "veritas", "pressing", "--lang", "kk", "three").exit_code == 0
    assert notes_of(project, "pressing") == ("one",)
    assert tm("notes", "remove", "veritas", "pressing", "--lang", "kk", "--all").exit_code == 0
    assert notes_of(project, "pressing") == ()
    r = CliRunner().invoke(cli, ["notes", "remove", "veritas", "pressing", "--lang", "kk", "--all"])
    assert r.exit_code == 1 and "no notes" in r.output


def test_usage_errors_exit_2(project):
    r = CliRunner().invoke(cli, ["notes", "remove", "veritas", "pressing", "--lang", "kk"])
    assert r.exit_code == 2
    r = CliRunner().invoke(cli, ["notes", "add", "veritas", "pressing", "--lang", "kk", "--lang", "ru", "x"])
    assert r.exit_code == 2


def test_missing_or_broken_catalogue_is_one_clear_line(project):
    r = CliRunner().invoke(cli, ["notes", "add", "veritas", "pressing", "--lang", "de", "x"])
    assert r.exit_code == 1 and "no de catalogue" in r.output
    path = kk_po(project)
    broken = path.read_bytes().replace(b'msgid "Veritas is', b'msgid "Veritas is\n', 1)
    path.write_bytes(broken)
    r = CliRunner().invoke(cli, ["notes", "add", "veritas", "pressing", "--lang", "kk", "x"])
    assert r.exit_code == 1
    assert f"{path}:" in r.output and "Traceback" not in r.output
    assert path.read_bytes() == broken
    r = CliRunner().invoke(cli, ["notes", "list"])
    assert r.exit_code == 1 and str(path) in r.output
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith(f"Error: {path}:") and r.stdout == ""
    r = CliRunner().invoke(cli, ["notes", "list", "--format", "json"])
    assert r.exit_code == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_place_of_a_catalogue_is_one_line_not_a_hang(project):
    from tests.test_coverage import fifo_writer

    path = kk_po(project)
    path.unlink()
    os.mkfifo(path)
    with fifo_writer(path):
        listed = CliRunner().invoke(cli, ["notes", "list"])
        added = CliRunner().invoke(cli, ["notes", "add", "veritas", "pressing", "--lang", "kk", "x"])
    for r in (listed, added):
        assert r.exit_code == 1
        assert r.stderr.splitlines() == [f"Error: {path}: is a named pipe (FIFO), not a regular file; "
                                         "tmtool reads only regular files"]
    assert path.is_fifo()


def test_notes_on_an_entry_whose_sentence_left_are_still_listed(project):
    assert tm("notes", "add", "veritas", "pressing", "--lang", "kk", "Ask Alma.").exit_code == 0
    c = po.read_po(kk_po(project))
    gone = [dataclasses.replace(e, obsolete=True) if "pressing" in e.msgid else e for e in c.entries]
    po.write_po(kk_po(project), dataclasses.replace(c, entries=tuple(gone)))
    r = tm("notes", "list", "--format", "json")
    (row,) = [x for x in json.loads(r.stdout) if x["note"] == "Ask Alma."]
    assert row["obsolete"] is True
    assert "obsolete" in tm("notes", "list").stdout
