"""The one exception family of tmtool.

Every error caused by input a user can fix is a :class:`TmtoolError`; the CLI
prints it as one line (``path:line: message``) and exits 1.
"""

from __future__ import annotations


class TmtoolError(Exception):
    """Base class: a problem with the user's input or environment, not a bug."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def located(self, path: str | None = None, line: int | None = None) -> "TmtoolError":
        """Return the same error with a path (and line) filled in where missing."""
        if self.path is None and path is not None:
            self.path = path
        if self.line is None and line is not None:
            self.line = line
        return self

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        # One line, always: a message never carries a raw newline to stderr.
        return (where + self.message).replace("\r", " ").replace("\n", " ")


class InputError(TmtoolError):
    """A file that cannot be read as what it claims to be (format, encoding, structure)."""


class RecordingError(TmtoolError):
    """A recording folder or manifest that is missing, incomplete or inconsistent."""


class CatalogError(TmtoolError):
    """A PO/POT catalogue that is broken or would lose a translation."""
