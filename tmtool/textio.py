"""Bytes to text and text to disk: the only place that knows about encodings and atomic writes."""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from tmtool.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

ENCODING_HINT = "pass --encoding (e.g. --encoding cp1251) or set it in recording.toml"


def _line_of(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset, counting LF, CRLF and CR line ends."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def decode(data: bytes, path: str, encoding: str | None = None) -> str:
    """Decode a text file's bytes; normalise line ends to ``\\n``.

    Without an explicit ``encoding`` only UTF-8 (with or without BOM) and UTF-16
    with a BOM are accepted: guessing a legacy code page silently corrupts text.

    >>> decode(b"\\xef\\xbb\\xbfa\\r\\nb\\rc", "x.txt")
    'a\\nb\\nc'
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}", path) from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"cannot decode as {encoding} at byte {exc.start}", path, _line_of(data, exc.start)
            ) from None
        except LookupError:  # rot13, hex, base64 …: codecs, but not text encodings
            raise InputError(f"{encoding!r} is not a text encoding (e.g. cp1251, koi8-r, utf-16)", path) from None
        except (ValueError, TypeError) as exc:  # UnicodeError of idna & co. without a byte position
            raise InputError(f"cannot decode as {encoding}: {exc}", path) from None
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        for bom, name in _BOMS:
            if data.startswith(bom):
                try:
                    text = data[len(bom):].decode(name)
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"invalid {name.upper()} at byte {exc.start + len(bom)}", path,
                        _line_of(data, exc.start + len(bom)) if name == "utf-8" else None,
                    ) from None
                break
        else:
            if b"\x00" in data[:4096]:
                raise InputError(
                    "binary file or UTF-16 without a byte-order mark (NUL bytes); "
                    "save it as UTF-8 or " + ENCODING_HINT, path, _line_of(data, data.index(b"\x00")),
                )
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); {ENCODING_HINT}",
                    path, _line_of(data, exc.start),
                ) from None
    if "\x00" in text:
        raise InputError("binary file (NUL characters)", path, text[: text.index("\x00")].count("\n") + 1)
    return text.replace("\r\n", "\n").replace("\r", "\n")


_KINDS = (
    (stat.S_ISDIR, "is a directory, expected a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file; tmtool reads only regular files"),
    (stat.S_ISSOCK, "is a socket, not a regular file; tmtool reads only regular files"),
    (stat.S_ISCHR, "is a device, not a regular file; tmtool reads only regular files"),
    (stat.S_ISBLK, "is a device, not a regular file; tmtool reads only regular files"),
)


def not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` cannot be read as a project file, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((why for test, why in _KINDS if test(mode)), "not a regular file; tmtool reads only regular files")


def os_error(exc: OSError, path: str | os.PathLike[str]) -> InputError:
    """The one-line error for what the system said while opening or reading ``path``."""
    if isinstance(exc, FileNotFoundError):
        return InputError("no such file", str(path))
    if isinstance(exc, IsADirectoryError):
        return InputError("is a directory, expected a file", str(path))
    return InputError(exc.strerror or str(exc), str(path))


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for reading; anything else is a one-line :class:`InputError`.

    The file is opened non-blocking and checked with ``fstat`` on the open descriptor
    (no race with a rename): opening a FIFO without a writer, or reading a terminal,
    would otherwise wait for ever. Non-blocking has no effect on a regular file's reads.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise os_error(exc, path) from None
    try:
        why = not_regular(os.fstat(fd).st_mode)
        if why is not None:
            raise InputError(why, str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text(path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """A regular text file's content, decoded by :func:`decode`'s rules."""
    with open_regular(path) as fh:
        try:
            data = fh.read()
        except OSError as exc:
            raise InputError(exc.strerror or str(exc), str(path)) from None
    return decode(data, str(path), encoding)


def atomic_write(path: str | os.PathLike[str], data: str | bytes, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a part.

    The temp file lives in the same folder (``os.replace`` is atomic only within
    one file system) and is fsynced before the rename; the target's permission
    bits are kept. A symlink is written through (its target is replaced, the link stays),
    as editors do: replacing the link itself would leave the real file behind unchanged.
    """
    p = Path(os.path.realpath(path))
    try:
        if not stat.S_ISREG(os.stat(p).st_mode):  # a device, a pipe, a folder: never replaced
            raise InputError("not a regular file; tmtool replaces only regular files", str(path))
    except FileNotFoundError:
        pass
    raw = data.encode(encoding) if isinstance(data, str) else data
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, os.stat(p).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        dfd = os.open(p.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
