"""Several tmtool processes updating one recording's catalogues at the same moment.

Six ``notes add`` (two of them on the same entry), a ``notes add`` on the Russian
catalogue, a ``tm pretranslate`` and an ``align`` with an edited English transcript all
start together. Each is a read-modify-write of the same files; the recording's lock
must serialise them so that at the end every note, every pre-translation and the new
English sentence are all there, and every catalogue passes ``msgfmt -c``.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.hostile.conftest import CATALOGUES, KK_PO, POT, RID, RU_PO, make_project, tmtool_cmd, tmtool_env
from tests.hostile.test_crash import blank_translations, change_english
from tmtool import catalog as cat
from tmtool.formats import po

ROUNDS = 2


def msgfmt_check(path) -> None:
    if shutil.which("msgfmt") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("msgfmt (gettext) is needed in CI")
        pytest.skip("msgfmt (gettext) is not installed")
    r = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert r.returncode == 0, f"msgfmt -c {path}: {r.stderr}"


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_updates_lose_nothing_and_corrupt_nothing(tmp_path, round_):
    root = make_project(tmp_path / "project")
    change_english(root)
    # Emptied by a person, so align leaves them empty: pretranslate fills them back from the
    # memory's copy, which it takes only where that copy is not fuzzy.
    blanked = {e.msgid for e in po.read_po(root / KK_PO).messages if e.msgstr and not e.fuzzy}
    blank_translations(root)
    blanked -= {e.msgid for e in po.read_po(root / KK_PO).messages if e.msgstr}
    blanked.discard("What does Veritas do?")  # the sentence align replaces
    assert blanked

    untouched = [e for e in po.read_po(root / KK_PO).messages if "Veritas do" not in e.msgid]
    targets = [cat.entry_id(e) for e in untouched[1:12:2]]  # six entries
    targets[1] = targets[0]  # two processes note the same entry
    notes = [f"Note {i} of round {round_}: check with Alma" for i in range(len(targets))]
    jobs = [("notes", "add", RID, t, "--lang", "kk", n) for t, n in zip(targets, notes)]
    jobs += [("notes", "add", RID, targets[2], "--lang", "ru", "Русская заметка"),
             ("tm", "pretranslate", RID, "--lang", "kk"),
             ("align", RID)]
    order = jobs[round_ % 2::2] + jobs[1 - round_ % 2::2]  # a different start order each round

    env = tmtool_env(tmp_path)
    procs = [subprocess.Popen(tmtool_cmd(*args), cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for args in order]
    results = [(args, *p.communicate(timeout=120), p.returncode) for args, p in zip(order, procs)]
    for args, _, stderr, code in results:
        assert code == 0, f"{' '.join(args)} failed: {stderr}"

    kk = po.read_po(root / KK_PO)
    comments = {cat.entry_id(e): e.translator_comments for e in kk.messages}
    for target, note in zip(targets, notes):
        assert note in comments[target], f"lost update: {note!r} is not on entry {target}"
    ru = po.read_po(root / RU_PO)
    assert any("Русская заметка" in e.translator_comments for e in ru.messages), "lost the Russian note"
    filled = {e.msgid for e in kk.messages if e.msgstr}
    assert blanked <= filled, f"lost pre-translations: {sorted(blanked - filled)[:3]}"
    assert any(e.msgid == "What does Veritas do today?" for e in po.read_po(root / POT).messages), "lost the align"
    for rel in CATALOGUES:
        msgfmt_check(root / rel)
    leftovers = [p.name for p in (root / "locales").rglob("*.tmp")]
    assert leftovers == [], f"temp files left by processes that were not killed: {leftovers}"
