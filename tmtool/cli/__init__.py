"""The command line: a thin click layer over the library.

Each command parses its options, calls one library function and prints the
result. Every :class:`~tmtool.errors.TmtoolError` becomes one line on stderr
and exit code 1; usage errors exit 2 (click's contract).
"""

from __future__ import annotations

import os
import sys

import click

from tmtool import __version__
from tmtool.errors import TmtoolError


class _Group(click.Group):
    """Turns the project's errors and OS errors into one clear line, exit 1."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except TmtoolError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:
            raise  # the reader went away (| head): main() ends quietly
        except (OSError, MemoryError) as exc:
            where = getattr(exc, "filename", None)
            reason = getattr(exc, "strerror", None) or exc.__class__.__name__
            raise click.ClickException(f"{where}: {reason}" if where else str(reason)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tmtool")
def cli() -> None:
    """Translation memory and captions for interview recordings."""


def main() -> None:
    try:
        cli.main(prog_name="tmtool")
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # As the Python docs advise for `| head`: no traceback, no error line; stdout is
        # pointed at devnull so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


# Commands register themselves on ``cli`` when their module is imported.
from tmtool.cli import recording  # noqa: E402,F401
from tmtool.cli import align  # noqa: E402,F401
from tmtool.cli import notes  # noqa: E402,F401
from tmtool.cli import tm  # noqa: E402,F401
from tmtool.cli import coverage  # noqa: E402,F401
from tmtool.cli import export  # noqa: E402,F401
from tmtool.cli import build  # noqa: E402,F401
