"""Fixtures for the hostile-input suite: a copy of the sample project, byte snapshots, and
two ways to run tmtool — ``CliRunner`` in-process (fast, for the bulk) and a real
``python -m tmtool`` subprocess (for end-to-end runs, kills and concurrency).

What every hostile case checks (:func:`assert_clean_error`): the exit code (1, or 2 for
usage errors), no traceback, one ``Error: …`` line on stderr naming the file (and
line where there is one), and (:func:`assert_unchanged`) every file of the project
byte for byte as it was. tmtool's own files — its caches under ``.tmtool/`` (safe to
delete, git-ignored, rebuilt on demand) and the empty ``locales/.<recording>.lock`` it
locks — are not the user's and are left out of the snapshot; every other file is compared.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tmtool.cli import cli

REPO = Path(__file__).resolve().parents[2]
RID = "the-platform-kazakhstan"
TRACKS = Path("transcripts") / RID
KK_PO = Path("locales") / "kk" / "LC_MESSAGES" / f"{RID}.po"
RU_PO = Path("locales") / "ru" / "LC_MESSAGES" / f"{RID}.po"
POT = Path("locales") / f"{RID}.pot"
CATALOGUES = (POT, KK_PO, RU_PO)
CACHE_DIRS = (".tmtool",)
BIG = 16 * 1024 * 1024  # files above this are compared by size, mtime and inode (tests' huge inputs)


def make_project(root: Path) -> Path:
    """Copy the sample recording and its committed catalogues into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / TRACKS, root / TRACKS)
    for rel in CATALOGUES:  # the catalogues only (no lock file, no memories someone imported)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / rel, root / rel)
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root holding the sample recording; the current directory during the test."""
    root = make_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))  # coverage's cache, outside the tree
    return root


# ---------------------------------------------------------------- snapshots


def is_lock_file(key: str, path: Path) -> bool:
    """``locales/.<recording>.lock``: the empty file tmtool locks, kept on purpose (see tmtool/locking.py)."""
    return key.startswith("locales/.") and key.endswith(".lock") and "/" not in key[len("locales/"):] \
        and path.stat().st_size == 0


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (symlinks as their target path), by relative path."""
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir == Path("."):
            dirnames[:] = [d for d in dirnames if d not in CACHE_DIRS]
        for name in filenames:
            p = Path(dirpath) / name
            key = (rel_dir / name).as_posix()
            if is_lock_file(key, p):
                continue
            if p.is_symlink():
                out[key] = ("-> " + os.readlink(p)).encode()
            elif (st := p.stat()).st_size > BIG:  # a huge test input: its identity, not its bytes
                out[key] = f"size={st.st_size} mtime={st.st_mtime_ns} inode={st.st_ino}".encode()
            else:
                out[key] = p.read_bytes()
    return out


def assert_unchanged(root: Path, before: dict[str, bytes]) -> None:
    """Every file as it was: none changed, none added, none removed."""
    after = snapshot(root)
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    assert not (added or removed or changed), f"files touched: added={added} removed={removed} changed={changed}"


# ---------------------------------------------------------------- running tmtool


def invoke(*args: str) -> Result:
    """Run tmtool in-process; an exception escaping the CLI (a traceback for a user) fails the test."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        pytest.fail(f"tmtool {' '.join(map(str, args))} raised instead of printing one line:\n{tb}")
    return result


def error_lines(stderr: str) -> list[str]:
    """``Error: …`` (the CLI's), ``error: …`` (a row of coverage or notes list), ``<recording>: error: …`` (build)."""
    return [ln for ln in stderr.splitlines() if ln.startswith(("Error: ", "error: ")) or ": error: " in ln]


def assert_clean_error(result, *fragments: str, code: int = 1, max_lines: int = 1) -> str:
    """Exit ``code``, no traceback, one error line on stderr containing every fragment.

    ``max_lines`` allows a summary line after it (``notes list``: "1 catalogue(s) could
    not be read"). Works for ``CliRunner`` results and ``subprocess.CompletedProcess``
    alike. Returns the line.
    """
    rc = result.exit_code if hasattr(result, "exit_code") else result.returncode
    stderr = result.stderr
    out = getattr(result, "stdout", "") or ""
    assert rc == code, f"exit {rc}, expected {code}\nstdout: {out[-2000:]}\nstderr: {stderr[-2000:]}"
    assert "Traceback" not in stderr and "Traceback" not in out, stderr
    if code == 2:  # click's usage error: a usage line, then one "Error:" line
        assert len(error_lines(stderr)) == 1, stderr
        return error_lines(stderr)[0]
    lines = error_lines(stderr)
    assert 1 <= len(lines) <= max_lines, f"expected one error line on stderr, got:\n{stderr}"
    matching = [ln for ln in lines if all(f in ln for f in fragments)]
    assert len(matching) == 1, f"no single error line holds all of {fragments}:\n{stderr}"
    return matching[0]


def tmtool_env(tmp: Path) -> dict[str, str]:
    """Environment for a ``python -m tmtool`` subprocess: this checkout first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")
    env.pop("CI", None)  # nothing here depends on it; keeps stderr free of CI-only output
    return env


def tmtool_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tmtool", *map(str, args)]


def run_tmtool(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tmtool ARGS`` in ``cwd`` as a user does; a hang fails after ``timeout`` s."""
    return subprocess.run(tmtool_cmd(*args), cwd=cwd, env=tmtool_env(cwd.parent), capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def tmtool_subprocess(project: Path) -> Iterator:
    """``run(*args)`` → CompletedProcess, in the project."""
    yield lambda *args, **kw: run_tmtool(project, *args, **kw)
