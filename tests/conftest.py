"""Shared fixtures: where the real corpora are, and how their absence is treated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"


def require(path: Path) -> Path:
    """Return ``path``; skip the test where it is absent, fail under CI (CI=true)."""
    if not path.exists():
        reason = f"{path} is absent (real data from ../shared is needed for this test)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def corpora() -> Path:
    """The real parallel corpora in ../shared/corpora."""
    return require(CORPORA)


@pytest.fixture
def seed_text() -> str:
    """The English interview the project was created from."""
    return require(SHARED / "seed" / "000_a48cf85807a8169a.txt").read_text(encoding="utf-8")
