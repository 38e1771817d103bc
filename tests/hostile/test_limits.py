"""Documented limits (``tmtool/limits.py``): past them a clear error, fast and in bounded memory.

The huge inputs are made quickly — a repeated block for real text, a sparse file (a
valid start, then a hole) where only the size matters — and each test shows the file is
refused *before* being read: in-process by the message, in a real process by its peak
resident memory (``VmHWM``), which stays far below the size of the file. No test measures time.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.hostile.conftest import (
    KK_PO, REPO, RID, TRACKS, assert_clean_error, assert_unchanged, invoke, snapshot, tmtool_env,
)
from tmtool import limits

MB = 1024 * 1024
EN_BLOCK = b"This is one more sentence of a very long interview. And here is another one!\n\n"


def write_repeated(path, block: bytes, size: int, head: bytes = b"") -> None:
    """``head`` then ``block`` repeated up to ``size`` bytes, in a few large writes."""
    chunk = block * max(1, (8 * MB) // len(block))
    with open(path, "wb") as fh:
        fh.write(head)
        left = size - len(head)
        while left > 0:
            fh.write(chunk[:left])
            left -= len(chunk)


def sparse(path, head: bytes, size: int) -> None:
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)


# Runs tmtool's main in a fresh interpreter, then writes the process's peak resident memory.
# VmHWM belongs to the process's current address space, so unlike ru_maxrss it does not
# count the memory of the parent (pytest) it was forked from.
_MEASURED = """
import os, runpy, sys
sys.argv = ["tmtool"] + sys.argv[1:]
try:
    runpy.run_module("tmtool", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as fh:
        hwm = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
    with open(os.environ["TMTOOL_TEST_HWM"], "w") as out:
        out.write(hwm)
"""


def run_measured(cwd, *args: str) -> tuple[int, str, float]:
    """Run tmtool in a real process: (exit code, stderr, its own peak resident memory in MB)."""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs /proc (Linux) to read a process's peak memory")
    hwm = cwd.parent / "hwm.txt"
    env = {**tmtool_env(cwd.parent), "TMTOOL_TEST_HWM": str(hwm)}
    r = subprocess.run([sys.executable, "-c", _MEASURED, *args], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=120)
    return r.returncode, r.stderr, int(hwm.read_text()) / 1024


def test_the_memory_measure_sees_a_track_that_is_read(project):
    """The measure can fail: a 3 MB transcript, read and parsed under the limit, shows in the peak."""
    _, _, baseline = run_measured(project, "--version")
    write_repeated(project / TRACKS / "en.txt", EN_BLOCK, 3 * MB)
    code, stderr, peak = run_measured(project, "info", RID)
    assert code == 0, stderr
    assert peak > baseline + 15, (baseline, peak)


# ---------------------------------------------------------------- tracks and manifests

def test_a_100_mb_transcript_is_refused_by_its_limit_not_parsed(project):
    write_repeated(project / TRACKS / "en.txt", EN_BLOCK, 100 * MB)
    before = snapshot(project)
    for args in (("info", RID), ("align", RID), ("build", RID), ("export", "srt", RID, "--lang", "kk")):
        assert_clean_error(invoke(*args), "en.txt", "16 MB limit for a transcript track")
    assert_unchanged(project, before)


def test_a_100_mb_transcript_costs_a_real_process_no_more_memory_than_a_small_one(project):
    write_repeated(project / TRACKS / "kk.srt", b"1\n00:00:01,000 --> 00:00:02,000\n" + "Сөз. ".encode() * 20 + b"\n\n",
                   100 * MB)
    _, _, baseline = run_measured(project, "--version")
    code, stderr, peak = run_measured(project, "info", RID)
    assert code == 1 and "kk.srt" in stderr and "limit" in stderr and "Traceback" not in stderr
    assert peak < baseline + 40, f"peak memory {peak:.0f} MB (python alone: {baseline:.0f} MB): the file was read"


def _t(i: int, extra: int = 0) -> str:
    ms = i * 1000 + extra
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def test_a_huge_manifest_is_refused(project):
    manifest = project / TRACKS / "recording.toml"
    write_repeated(manifest, b"# padding padding padding padding\n", 2 * MB, head=manifest.read_bytes())
    before = snapshot(project)
    assert_clean_error(invoke("info", RID), "recording.toml", "1 MB limit")
    assert_unchanged(project, before)


def test_a_character_device_as_input_is_refused_at_the_limit_not_read_for_ever(project):
    (project / "a.txt").write_text("Hello.\n", encoding="utf-8")
    assert_clean_error(invoke("align-files", "/dev/zero", "a.txt", "--left-lang", "en", "--right-lang", "ru"),
                       "/dev/zero", "limit")


def test_a_fifo_named_like_a_track_is_not_a_track(project):
    """A FIFO would block a reader for ever: only regular files are tracks."""
    fifo = project / TRACKS / "de.srt"
    os.mkfifo(fifo)
    r = invoke("info", RID, "--format", "json")
    assert r.exit_code == 0 and '"de"' not in r.stdout


# ---------------------------------------------------------------- alignment size

def _lines(path, n: int, template: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(template.format(i) for i in range(n))


def test_aligning_200k_by_200k_lines_is_refused_with_the_documented_limit(project):
    _lines(project / "left.txt", 200_000, "Sentence number {} of the document.\n")
    _lines(project / "right.txt", 200_000, "Предложение номер {} документа.\n")
    code, stderr, peak = run_measured(project, "align-files", "left.txt", "right.txt",
                                      "--left-lang", "en", "--right-lang", "ru")
    assert code == 1 and "Traceback" not in stderr
    assert "left.txt" in stderr and f"{limits.MAX_ALIGN_SEGMENTS:,}" in stderr
    assert peak < 200, f"peak memory {peak:.0f} MB"  # two 7 MB files read, nothing aligned


def test_a_track_with_more_segments_than_an_alignment_takes_is_refused_naming_it(project):
    n = limits.MAX_ALIGN_SEGMENTS + 1
    with open(project / TRACKS / "kk.srt", "w", encoding="utf-8") as fh:
        fh.writelines(f"{i}\n{_t(i)} --> {_t(i, 900)}\nИә.\n\n" for i in range(1, n + 1))
    before = snapshot(project)
    assert_clean_error(invoke("align", RID), "kk.srt", f"{limits.MAX_ALIGN_SEGMENTS:,}")
    assert_unchanged(project, before)


def test_the_aligner_limit_is_also_enforced_for_library_callers():
    from tmtool.build import alignments
    from tmtool.errors import InputError
    from tmtool.model import Manifest, Recording, Segment, Track

    many = tuple(Segment(f"Sentence {i}.", line=i + 1) for i in range(limits.MAX_ALIGN_SEGMENTS + 1))
    rec = Recording(Manifest(id="big", languages=("en", "kk")),
                    (Track("en", (Segment("Hello."),), "en.txt", "txt"), Track("kk", many, "kk.txt", "txt")))
    with pytest.raises(InputError, match="kk.txt"):
        alignments(REPO, rec)


# ---------------------------------------------------------------- catalogues and memories

def _padded_catalogue(path, size: int) -> None:
    """The sample catalogue after a translator comment long enough to reach ``size`` bytes."""
    good = (REPO / KK_PO).read_bytes()
    with open(path, "wb") as fh:
        fh.write(b"# ")
        pad = size - len(good) - 3
        block = b"x" * (8 * MB)
        while pad > 0:
            fh.write(block[:pad])
            pad -= len(block)
        fh.write(b"\n" + good)


def test_a_catalogue_over_the_limit_is_refused_by_every_command(project):
    _padded_catalogue(project / KK_PO, limits.MAX_CATALOG_BYTES + 1)
    before = snapshot(project)
    for args in (("notes", "add", RID, "00:03:12", "--lang", "kk", "x"), ("tm", "pretranslate", RID, "--lang", "kk"),
                 ("export", "srt", RID, "--lang", "kk"), ("coverage",)):
        assert_clean_error(invoke(*args), f"kk/LC_MESSAGES/{RID}.po", "64 MB limit")
    assert_unchanged(project, before)


def test_a_memory_file_over_its_limit_is_one_line_error_not_left_out(project):
    other = project / "locales" / "kk" / "LC_MESSAGES" / "huge-memory.po"
    sparse(other, (REPO / KK_PO).read_bytes(), limits.MAX_MEMORY_FILE_BYTES + 1)
    before = snapshot(project)
    assert_clean_error(invoke("tm", "lookup", "What does Veritas do?", "--lang", "kk"),
                       "locales/kk/LC_MESSAGES/huge-memory.po", "512 MB limit")
    assert_clean_error(invoke("coverage"), "huge-memory.po", "64 MB limit")  # an error row; the rest counted
    assert_unchanged(project, before)


def test_limits_read_bytes_stops_at_the_limit_whatever_the_file_is(tmp_path):
    from tmtool.errors import InputError

    f = tmp_path / "f"
    f.write_bytes(b"x" * 101)
    assert limits.read_bytes(f, 101, "a test file") == b"x" * 101
    with pytest.raises(InputError, match="limit for a test file"):
        limits.read_bytes(f, 100, "a test file")
    with pytest.raises(InputError, match="limit"):
        limits.read_bytes("/dev/zero", 1000, "a test file")
    with pytest.raises(InputError, match="no such file"):
        limits.read_bytes(tmp_path / "missing", 10, "a test file")
    with pytest.raises(InputError, match="directory"):
        limits.read_bytes(tmp_path, 10, "a test file")


# ---------------------------------------------------------------- one very long entry

def _long_translation(root, words: int) -> None:
    """The kk translation of one entry replaced by ``words`` words (a run-on transcript with no full stop)."""
    path = root / KK_PO
    text = path.read_text(encoding="utf-8")
    start = text.index('msgid "What does Veritas do?"')
    at = text.index("\nmsgstr ", start) + 1
    end = text.index("\n\n", at)
    path.write_text(text[:at] + 'msgstr "' + " ".join(["сөз"] * words) + '"' + text[end:], encoding="utf-8")


def test_one_very_long_entry_is_laid_out_in_bounded_memory(project):
    """A 12,000-word translation (a run-on paragraph) is cut into cues without quadratic tables
    (it once took 167 MB, and 390 MB and 8 s at 20,000 words)."""
    _long_translation(project, 12_000)
    _, _, baseline = run_measured(project, "--version")
    code, stderr, peak = run_measured(project, "export", "srt", RID, "--lang", "kk", "-o", "out.srt", "-q")
    assert code == 0, stderr
    assert peak < baseline + 60, f"peak memory {peak:.0f} MB for a 12,000-word entry (python alone: {baseline:.0f} MB)"
