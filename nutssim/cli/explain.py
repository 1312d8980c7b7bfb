"""``nutssim explain``: an error text or body, as a real node prints it, back to its check and fix."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nutssim.cli.common import EXIT_CODES, EXIT_OK, emit, subparser


def add_parser(sub: Any) -> None:
    """The ``explain`` subcommand."""
    explain = subparser(
        sub,
        "explain",
        "say which check produced an error text or body, its clause, the cases and the usual fix",
        "examples:\n"
        "  nutssim explain 'presentation nonce has already been used'\n"
        '  nutssim explain \'{"error":"invalid_scope","error_description":"unsupported scope (x) …"}\'\n'
        "  pbpaste | nutssim explain -\n"
        f"{EXIT_CODES}",
        description="Paste an error as a nuts-node prints it: an OAuth error body, the internal API's "
        "RFC 7807 problem ('remote authorization server: <code> - <desc>'), a '<code> - <desc>' line or "
        "the description alone. Prints the check that produces it, its clause, the catalogue cases that "
        "show it and the usual fix.",
    )
    explain.add_argument("text", metavar="TEXT", help="the error text or JSON body, or - (standard input)")
    explain.add_argument("--profile", default="nuts-node", help="the profile whose texts to match")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")


def cmd_explain(args: argparse.Namespace) -> int:
    """Explain the text; 0 always (an unknown text is explained as unknown)."""
    from dataclasses import asdict

    from nutssim.catalogue.explain import explain

    text = sys.stdin.read() if args.text == "-" else args.text
    found = explain(text, profile=args.profile)
    emit((json.dumps(asdict(found), indent=2) if args.format == "json" else str(found)) + "\n", args.out)
    return EXIT_OK


COMMANDS = {"explain": cmd_explain}
