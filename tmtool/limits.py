"""Documented input limits: past them, a clear error instead of a hang or a memory blow-up.

Every limit is far above anything real use produces, and each is checked *before*
the expensive work starts (a size from ``stat``, a bounded read, a count), so a
file beyond it costs milliseconds, not minutes:

=========================  ===========  ==================================================
what                       limit        real use, for scale
=========================  ===========  ==================================================
transcript track           16 MiB       a 10-hour recording's SRT is about 1 MB
  (.txt/.srt/.vtt), and                 (the sample's 12-minute tracks: 20-30 KB);
  an ``align-files`` input              NTREX's 16,000 lines (bench/align): 2.5 MB
``recording.toml``         1 MiB        about 1 KB
segments on one side of    50,000       a 10-hour interview: about 10,000 sentences;
  one alignment                         bench/align's largest run: 16,000 (24 s).
                                        The search is linear in the segments, about
                                        1.5 ms and 15 KB each, so the limit bounds one
                                        alignment to about 1-2 minutes and 1 GB
a recording's catalogue    64 MiB       the sample's: 40 KB; a 100,000-entry catalogue
  (.po/.pot), and a                     (PO-TRAPS.md's largest) is 34 MB
  catalogue counted by
  ``coverage``
one memory file (a .po in  512 MiB      bench/tm's 1,000,000-entry memory is ~150 MB
  ``LC_MESSAGES`` or an
  imported .tmx), and a
  TMX file to import
=========================  ===========  ==================================================

Only regular files have a trustworthy size; :func:`read_bytes` also stops
reading a FIFO, a character device (``/dev/zero``) or a file that keeps
growing at the limit instead of reading for ever.
"""

from __future__ import annotations

import os
from pathlib import Path

from tmtool.errors import InputError

MiB = 1024 * 1024

MAX_TRACK_BYTES = 16 * MiB
MAX_MANIFEST_BYTES = 1 * MiB
MAX_ALIGN_SEGMENTS = 50_000
MAX_CATALOG_BYTES = 64 * MiB
MAX_MEMORY_FILE_BYTES = 512 * MiB

_CHUNK = 1 * MiB


def describe(n: int) -> str:
    """``16 MB`` for a limit in bytes (binary megabytes, as ``ls -lh`` shows them).

    >>> describe(16 * MiB)
    '16 MB'
    """
    return f"{n // MiB} MB" if n >= MiB and n % MiB == 0 else f"{n:,} bytes"


def too_large(path: str | os.PathLike[str], limit: int, what: str) -> InputError:
    """The one error for a file beyond its limit."""
    return InputError(
        f"file is larger than the {describe(limit)} limit for {what} (see tmtool/limits.py)", str(path)
    )


def check_size(path: str | os.PathLike[str], limit: int, what: str) -> None:
    """Raise :class:`InputError` when ``path`` is a regular file larger than ``limit`` bytes.

    A file that cannot be stat'ed is left to the reader (which names the OS error).
    """
    try:
        size = os.stat(path).st_size
    except OSError:
        return
    if size > limit:
        raise too_large(path, limit, what)


def read_bytes(path: str | os.PathLike[str], limit: int, what: str, *, regular_only: bool = False) -> bytes:
    """The bytes of ``path``, or :class:`InputError` if there are more than ``limit``.

    Reads at most ``limit + 1`` bytes whatever the file is (regular, FIFO, device),
    so memory stays bounded; OS errors become one-line :class:`InputError`.
    ``regular_only`` (a project's own files: catalogues, memories) refuses anything
    but a regular file before reading, so a FIFO in its place cannot block.
    """
    from tmtool.textio import open_regular, os_error

    p = Path(path)
    try:
        with (open_regular(p) if regular_only else open(p, "rb")) as fh:
            try:
                size = os.fstat(fh.fileno()).st_size
            except OSError:
                size = 0
            if size > limit:
                raise too_large(path, limit, what)
            chunks: list[bytes] = []
            total = 0
            while True:
                chunk = fh.read(min(_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise too_large(path, limit, what)
    except OSError as exc:
        raise os_error(exc, path) from None
    return b"".join(chunks)


def check_segments(count: int, what: str, path: str | None = None) -> None:
    """Raise :class:`InputError` when one side of an alignment has too many segments."""
    if count > MAX_ALIGN_SEGMENTS:
        raise InputError(
            f"{count:,} {what} is more than the {MAX_ALIGN_SEGMENTS:,} an alignment takes on one side "
            "(see tmtool/limits.py); split the text into parts",
            path,
        )
