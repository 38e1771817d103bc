"""Options shared by several commands, defined once."""

from __future__ import annotations

import click

encoding_option = click.option(
    "--encoding",
    metavar="CODEC",
    help="Text encoding of input tracks that are not UTF-8/UTF-16 with BOM (e.g. cp1251).",
)

quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bar or messages on stderr.")


def format_option(*choices: str, default: str | None = None):
    """``--format`` as one choice among output formats."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )


lang_option = click.option(
    "--lang",
    "langs",
    multiple=True,
    metavar="LANG",
    help="Language code (kk, ru, en, kk-Latn …); repeat for several.",
)
