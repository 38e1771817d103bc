"""The command line: a thin click layer over the library.

Each command parses its options, calls one library function and prints the
result. Every :class:`~tmtool.errors.TmtoolError` becomes one line on stderr
and exit code 1; usage errors exit 2 (click's contract).
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from tmtool import __version__
from tmtool.errors import TmtoolError


#: The module that defines each command: only the one a run needs is imported (every
#: command module loaded up front cost ~60 ms on each run, a fifth of a small export).
_COMMANDS = {
    "new": "recording", "info": "recording", "align-files": "align", "align": "align",
    "notes": "notes", "tm": "tm", "coverage": "coverage", "export": "export", "check": "export",
    "build": "build",
}


class _Group(click.Group):
    """Turns the project's errors and OS errors into one clear line, exit 1; loads commands lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in _COMMANDS:
            importlib.import_module(f"tmtool.cli.{_COMMANDS[name]}")
        return self.commands.get(name)

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


# Commands register themselves on ``cli`` when their module is imported; _Group imports a
# command's module the first time the command is asked for (see _COMMANDS).
