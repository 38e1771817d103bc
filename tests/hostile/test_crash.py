"""Crash safety: ``tmtool align``, ``tm pretranslate`` and ``notes add`` killed with SIGKILL at
seeded random moments, mostly around the end of the run where the writes happen.

After every kill each catalogue must be exactly the old file or exactly the new one (as a
run that was not killed writes it, its revision date aside), and read back with tmtool's
own strict reader. ``atomic_write`` may leave a ``.<name>.*.tmp`` file behind when the
kill lands between creating and renaming it: every reader (coverage, notes, the memory,
the next align) must ignore it.
"""

from __future__ import annotations

import dataclasses
import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.hostile.conftest import (
    CATALOGUES, KK_PO, RID, TRACKS, invoke, make_project, tmtool_cmd, tmtool_env,
)
from tmtool.formats import po

KILLS_PER_COMMAND = 9
_DATES = re.compile(rb'^"(PO-Revision-Date|POT-Creation-Date): [^"\\]*\\n"$', re.M)


def undated(data: bytes) -> bytes:
    """The catalogue without its revision dates (a run a minute later writes another date)."""
    return _DATES.sub(rb'"\1: -\\n"', data)


def change_english(root: Path) -> None:
    en = root / TRACKS / "en.txt"
    en.write_text(en.read_text(encoding="utf-8").replace("What does Veritas do?", "What does Veritas do today?", 1),
                  encoding="utf-8")


def blank_translations(root: Path, every: int = 4) -> int:
    """Empty every ``every``-th translation of the kk catalogue and give the memory a copy of the full one."""
    path = root / KK_PO
    shutil.copyfile(path, path.with_name("earlier-recording.po"))
    catalog = po.read_po(path)
    entries, blanked = [], 0
    for i, e in enumerate(catalog.entries):
        if i % every == 0 and e.msgstr and not e.obsolete and e.msgid_plural is None:
            # Empty and nobody's (no aligner mark): what the memory is there to fill. (An entry
            # a person emptied keeps its mark, and nothing refills it.)
            e = dataclasses.replace(e, msgstr="", flags=tuple(f for f in e.flags if f != "fuzzy"),
                                    extracted_comments=tuple(c for c in e.extracted_comments
                                                             if not c.startswith("aligner: ")))
            blanked += 1
        entries.append(e)
    po.write_po(path, dataclasses.replace(catalog, entries=tuple(entries)))
    return blanked


SCENARIOS = {
    "align": (change_english, ("align", RID)),
    "pretranslate": (blank_translations, ("tm", "pretranslate", RID, "--lang", "kk")),
    "notes-add": (lambda root: None, ("notes", "add", RID, "00:03:12", "--lang", "kk", "Check the date with Alma")),
}


def catalogue_bytes(root: Path) -> dict[Path, bytes]:
    return {rel: (root / rel).read_bytes() for rel in CATALOGUES}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_sigkill_at_any_moment_leaves_each_catalogue_old_or_new(tmp_path, name):
    prepare, args = SCENARIOS[name]
    root = make_project(tmp_path / "project")
    prepare(root)
    old = catalogue_bytes(root)
    env = tmtool_env(tmp_path)

    # What an uninterrupted run writes, in a copy.
    reference = tmp_path / "reference"
    shutil.copytree(root, reference)
    started = time.monotonic()
    done = subprocess.run(tmtool_cmd(*args), cwd=reference, env=env, capture_output=True, text=True, timeout=120)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    new = catalogue_bytes(reference)
    changed = [rel for rel in CATALOGUES if old[rel] != new[rel]]
    assert changed, f"{name} changed nothing: the scenario tests nothing"

    rng = random.Random(f"tmtool-crash-{name}")
    seen = {"old": 0, "new": 0}
    for attempt in range(KILLS_PER_COMMAND):
        for rel, data in old.items():
            (root / rel).write_bytes(data)
        proc = subprocess.Popen(tmtool_cmd(*args), cwd=root, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # Mostly around the end, where the catalogues are written; sometimes anywhere.
        delay = duration * (rng.uniform(0.75, 1.15) if attempt % 3 else rng.uniform(0.1, 1.0))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        for rel in CATALOGUES:
            data = (root / rel).read_bytes()
            if data == old[rel]:
                seen["old"] += 1
            elif undated(data) == undated(new[rel]):
                seen["new"] += 1
            else:
                pytest.fail(f"{name}, kill {attempt} after {delay:.3f} s: {rel} is neither the old nor the new "
                            f"file ({len(data)} bytes; old {len(old[rel])}, new {len(new[rel])})")
            po.read_po(root / rel)  # and tmtool's strict reader takes it
    assert seen["old"] + seen["new"] == KILLS_PER_COMMAND * len(CATALOGUES)


def test_temp_files_left_by_a_kill_are_ignored_by_every_reader(project):
    """What a SIGKILL between mkstemp and rename leaves: ``.<name>.<random>.tmp``, possibly half written."""
    before = {
        "coverage": invoke("coverage", "--format", "json", "--no-cache").stdout,
        "notes": invoke("notes", "list", "--format", "json").stdout,
        "lookup": invoke("tm", "lookup", "What does Veritas do?", "--lang", "kk", "--format", "json").stdout,
        "info": invoke("info", RID, "--format", "json").stdout,
    }
    for rel in CATALOGUES:
        half = (project / rel).read_bytes()[:1000]
        (project / rel).with_name(f".{rel.name}.k3j_9x2a.tmp").write_bytes(half)
    for name in ("kk.srt", "en.txt", "recording.toml"):
        (project / TRACKS / f".{name}.q1w2e3r4.tmp").write_bytes(b"\x00garbage")
    memory = project / "locales" / "kk" / "memory"
    memory.mkdir()
    (memory / ".agency.tmx.z9y8x7w6.tmp").write_bytes(b"<tmx")
    after = {
        "coverage": invoke("coverage", "--format", "json", "--no-cache"),
        "notes": invoke("notes", "list", "--format", "json"),
        "lookup": invoke("tm", "lookup", "What does Veritas do?", "--lang", "kk", "--format", "json"),
        "info": invoke("info", RID, "--format", "json"),
    }
    for key, result in after.items():
        assert result.exit_code == 0, (key, result.stderr)
        assert ".tmp" not in result.stderr and ".tmp" not in result.stdout, key
        assert result.stdout == before[key], key
    r = invoke("align", RID)  # the next run over the same folders works and overwrites nothing it should not
    assert r.exit_code == 0, r.stderr
    r = invoke("build")
    assert r.exit_code == 0, r.stderr
