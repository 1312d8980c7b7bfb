"""What every subcommand shares: exit codes, the one-line-error parser, --format/--out, output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    from nutssim.terminal import Painter

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C (128 + SIGINT)
EXIT_INTERNAL = 70  # sysexits.h EX_SOFTWARE: a bug in nutssim, never the user's input
EXIT_CODES = "exit codes: 0 ran as expected, 1 outcome differs from expectation, 2 usage error"


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (and exit 2)."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem and where help is, then exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def subparser(sub: Any, name: str, help: str, epilog: str, description: str | None = None) -> Parser:
    """A subcommand parser whose epilog keeps its line breaks."""
    parser: Parser = sub.add_parser(
        name,
        help=help,
        epilog=epilog,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def out_and_format(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """The ``--format`` and ``--out`` options, meaning the same in every subcommand."""
    parser.add_argument("--format", choices=formats, default="text", help="output format (default text)")
    parser.add_argument("--out", type=Path, help="write to this file instead of standard output")


def painter(args: argparse.Namespace) -> Painter:
    """Colours for standard output when it is a terminal and nothing goes to a file."""
    from nutssim.terminal import Painter

    return Painter.for_stream(sys.stdout) if getattr(args, "out", None) is None else Painter(False)


def emit(text: str, out: Path | None, stream: TextIO | None = None) -> None:
    """Write ``text`` to ``out``, or to the stream (standard output by default)."""
    if out is not None:
        out.write_text(text, encoding="utf-8")
        return
    (stream or sys.stdout).write(text)
