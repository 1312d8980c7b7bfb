"""The ``nutssim`` command line.

Subcommands: ``scenarios`` (list them, or one scenario's options), ``run`` (one scenario, its
trace as text, JSON, Mermaid or HTML; ``--policy``, ``--without`` and ``--option`` change the
world as the API does), ``inspect`` (a JWT, a credential or a saved trace, decoded and
explained), ``cases`` (the failure catalogue), ``sweep`` (policy variants), ``lint`` (policy
files), ``timelapse`` (a flow a day for months), ``pack`` (a scenario's sample pack for a
pilot vendor), ``profiles`` (each profile and the reference commit it reproduces) and
``explain`` (an error text back to its check) and ``limits`` (every parser, wire and work
limit, docs/LIMITS.md). Options mean the same everywhere: ``--seed``,
``--profile``, ``--format`` and ``--out``. Text output is coloured on a terminal and plain when
piped; a progress line appears on standard error (terminal only) for work that takes over a
second.

Building the parser imports no simulation code, and each command imports what it uses when it
runs, so ``nutssim --help`` starts in a fraction of a second (benchmarks/bench_cli.py).

Exit codes: 0 ran as expected; 1 an outcome differs from what was expected (a case
failed, a scenario was denied where it should be granted, a lint error); 2 usage error
(an unknown scenario, profile, control, option or unreadable file), reported in one line on
standard error; 130 an interrupted sweep; 70 an internal error (a bug: one line saying so;
``NUTSSIM_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from nutssim.cli import cases, explain, inspect, lab, limits, pack, profiles, run, timelapse
from nutssim.cli.cases import cases_table
from nutssim.cli.common import (
    EXIT_CODES,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MISMATCH,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
)
from nutssim.cli.lab import sweep_summary
from nutssim.cli.run import render, text_summary
from nutssim.errors import NutsSimError

__all__ = [
    "COMMANDS",
    "EXIT_CODES",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_MISMATCH",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "cases_table",
    "main",
    "render",
    "sweep_summary",
    "text_summary",
]

EPILOG = """examples:
  nutssim scenarios
  nutssim scenarios s2s
  nutssim run s2s --seed 7 --format json --out s2s.json
  nutssim run s2s --profile strict --format mermaid
  nutssim run s2s --without vp_nonce_store --policy my-policy.json
  nutssim run user --option dpop=false
  python -m nutssim run s2s-bearer
  nutssim cases --flow s2s --profile strict
  nutssim sweep --example > issuer-trust.yaml
  nutssim sweep issuer-trust.yaml --workers 2 --out results.parquet
  nutssim lint policies/*.json
  nutssim inspect s2s.json --seq 6
  nutssim inspect eyJhbGciOiJFUzI1NiIs…
  nutssim pack s2s-dynamic-scope --out pack/
  nutssim timelapse --png timelapse.png
  nutssim explain 'presentation nonce has already been used'

exit codes: 0 ran as expected, 1 outcome differs from expectation, 2 usage error"""

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    **run.COMMANDS,
    **inspect.COMMANDS,
    **cases.COMMANDS,
    **lab.COMMANDS,
    **pack.COMMANDS,
    **timelapse.COMMANDS,
    **profiles.COMMANDS,
    **explain.COMMANDS,
    **limits.COMMANDS,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = Parser(
        prog="nutssim",
        description="Simulate the Nuts OAuth2 access-token flows in one process.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run.add_parsers(sub)
    inspect.add_parser(sub)
    cases.add_parser(sub)
    lab.add_parsers(sub)
    pack.add_parser(sub)
    timelapse.add_parser(sub)
    profiles.add_parser(sub)
    explain.add_parser(sub)
    limits.add_parser(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nutssim")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(COMMANDS[args.command](args))
    except NutsSimError as exc:
        print(f"nutssim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"nutssim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UnicodeDecodeError as exc:  # a file given to a command is not text
        print(f"nutssim: not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug in nutssim, not the user's input: one line, and how to report it
        if os.environ.get("NUTSSIM_DEBUG"):
            raise
        print(
            f"nutssim: internal error ({type(exc).__name__}: {str(exc)[:200]}); "
            "run again with NUTSSIM_DEBUG=1 for the traceback and report it with the command line",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
