"""One writer at a time for a recording's catalogues.

``tmtool align``, ``notes add`` and ``tm pretranslate`` each read a catalogue,
change it and write it back. Atomic writes stop a reader from seeing half a
file, but two such read-modify-write cycles running at once would still lose
one update. :func:`locked` serialises them with ``fcntl.flock`` on a lock file
beside the catalogues (``locales/.<recording>.lock``): the second process waits
(up to ``timeout`` seconds) and then fails with a clear message rather than
hanging. The kernel drops the lock when a process dies, so a crash never
leaves a stale lock behind; the lock file itself stays (removing it would let a
third process lock a different inode).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tmtool.errors import CatalogError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; documented limitation
    fcntl = None  # type: ignore[assignment]

#: Seconds a process waits for another one to finish with the same catalogues.
DEFAULT_TIMEOUT = 30.0
_POLL = 0.05


def lock_path(root: Path, recording_id: str) -> Path:
    """Where the lock file for one recording's catalogues lives."""
    return Path(root) / "locales" / f".{recording_id}.lock"


@contextmanager
def locked(path: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the ``with`` block.

    Raises :class:`CatalogError` when another process holds it for longer than
    ``timeout`` seconds (0 means: try once).
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            deadline = time.monotonic() + max(timeout, 0.0)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise CatalogError(
                            f"another tmtool process is updating these catalogues; gave up after {timeout:g} s "
                            "(try again when it has finished)",
                            str(p),
                        ) from None
                    time.sleep(_POLL)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def recording_lock(root: Path, recording_id: str, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Lock every catalogue of one recording (the ``.pot`` and each ``.po``)."""
    with locked(lock_path(root, recording_id), timeout=timeout):
        yield
