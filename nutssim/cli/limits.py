"""``nutssim limits``: every parser, wire and work limit, from ``nutssim.limits`` (docs/LIMITS.md)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nutssim.cli.common import EXIT_CODES, EXIT_OK, emit, out_and_format, subparser


def add_parser(sub: Any) -> None:
    """The ``limits`` subcommand."""
    parser = subparser(
        sub,
        "limits",
        "list every parser, wire and work limit: value, what it bounds, the refusal, its source",
        "examples:\n  nutssim limits\n  nutssim limits --format json\n"
        f"  nutssim limits --format markdown --out docs/LIMITS.md\n{EXIT_CODES}",
    )
    out_and_format(parser, ("text", "json", "markdown"))


def cmd_limits(args: argparse.Namespace) -> int:
    """Print the limits table as text, JSON rows or the Markdown of docs/LIMITS.md."""
    from nutssim import limits

    if args.format == "json":
        emit(json.dumps(limits.rows(), indent=2, ensure_ascii=False) + "\n", args.out)
    elif args.format == "markdown":
        emit(limits.markdown(), args.out)
    else:
        emit(limits.text(), args.out)
    return EXIT_OK


COMMANDS = {"limits": cmd_limits}
