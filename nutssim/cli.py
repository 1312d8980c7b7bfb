"""The ``nutssim`` command line.

Exit codes: 0 ran as expected; 1 an outcome differs from what was expected (a case
failed, a scenario was denied where it should be granted, a lint error); 2 usage error
(an unknown scenario, profile, option or unreadable file).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from nutssim.errors import NutsSimError
from nutssim.profiles import PROFILES

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2

EPILOG = """examples:
  nutssim scenarios
  nutssim run s2s --seed 7 --format json --out s2s.json
  nutssim run s2s --profile strict --format mermaid
  python -m nutssim run s2s-bearer
  nutssim cases --flow s2s --profile strict

exit codes: 0 ran as expected, 1 outcome differs from expectation, 2 usage error"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="nutssim",
        description="Simulate the Nuts OAuth2 access-token flows in one process.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("scenarios", help="list the scenario names")
    run = sub.add_parser(
        "run",
        help="run one scenario and print or write its trace",
        epilog="example: nutssim run s2s --seed 7 --format json --out s2s.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("name", help="scenario name (see `nutssim scenarios`)")
    _common(run)
    _cases_parser(sub)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0): same seed, same run")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="nuts-node",
        help="nuts-node reproduces the reference; strict follows the specifications",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "mermaid", "html"),
        default="text",
        help="output format (default text)",
    )
    parser.add_argument("--out", type=Path, help="write to this file instead of standard output")


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


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List scenarios with their descriptions."""
    from nutssim import scenarios

    for name in scenarios.names():
        print(f"{name:<24} {scenarios.SCENARIOS[name].description}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario and render its trace."""
    from nutssim import scenarios

    world = scenarios.run(args.name, seed=args.seed, profile=args.profile)
    trace = world.sim.trace
    _emit(render(trace, args.format), args.out)
    status = (trace.outcome or {}).get("status")
    expected = world.options.get("expect", "granted")
    return EXIT_OK if status == expected else EXIT_MISMATCH


def render(trace: Any, fmt: str) -> str:
    """Render a trace in one of the output formats."""
    if fmt == "json":
        return str(trace.to_json()) + "\n"
    if fmt == "mermaid":
        from nutssim.views import to_mermaid

        return str(to_mermaid(trace))
    if fmt == "html":
        from nutssim.views import html_report

        return str(html_report(trace))
    return text_summary(trace)


def text_summary(trace: Any) -> str:
    """A compact terminal rendering: one line per exchange, failed checks, the outcome."""
    lines = []
    for x in trace.exchanges:
        indent = "  " if x.parent else ""
        err = f"  [{x.error}]" if x.error else ""
        lines.append(f"{x.seq:>3} {indent}{x.sender} → {x.receiver}: {x.label} → {x.response.status}{err}")
        for check in x.failed_checks:
            lines.append(f"      ✗ {check.id} ({check.ref}): {check.detail}")
    outcome = trace.outcome or {}
    lines.append(f"outcome: {outcome.get('status')}")
    if outcome.get("error"):
        lines.append(f"  error: {outcome['error'].get('error')}: {outcome['error'].get('error_description')}")
    return "\n".join(lines) + "\n"


def _emit(text: str, out: Path | None, stream: TextIO | None = None) -> None:
    if out is not None:
        out.write_text(text, encoding="utf-8")
        return
    (stream or sys.stdout).write(text)


# -- the failure catalogue ------------------------------------------------------------------------------
def _cases_parser(sub: Any) -> None:
    cases = sub.add_parser(
        "cases",
        help="run the failure catalogue and compare every outcome with its expectation",
        epilog="examples:\n  nutssim cases --flow s2s\n  nutssim cases --profile strict --vulnerable --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cases.add_argument(
        "--profile", choices=PROFILES, help="run under one profile only (default: every profile)"
    )
    cases.add_argument("--flow", help="only the cases of one flow (s2s, resource, …)")
    cases.add_argument(
        "--vulnerable",
        action="store_true",
        help="run each attack with its control switched off and expect its vulnerable outcome",
    )
    cases.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    cases.add_argument("--json", action="store_true", help="print one JSON row per run instead of a table")


def cmd_cases(args: argparse.Namespace) -> int:
    """Run the catalogue; exit 1 when any observed outcome differs from its expectation."""
    import json

    from nutssim import catalogue
    from nutssim.errors import InputError

    if args.flow and not catalogue.cases(args.flow):
        flows = sorted({c.flow for c in catalogue.cases()})
        raise InputError(f"no cases for flow {args.flow!r}", hint=f"known flows: {', '.join(flows)}")
    profiles = [args.profile] if args.profile else list(PROFILES)
    records = [
        record
        for profile in profiles
        for record in catalogue.run_catalogue(
            profile, flow=args.flow, vulnerable=args.vulnerable, seed=args.seed
        )
    ]
    if args.json:
        print(json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False))
    else:
        print(cases_table(records), end="")
    return EXIT_OK if all(r.passed for r in records) else EXIT_MISMATCH


def cases_table(records: Sequence[Any]) -> str:
    """One line per run: case, profile, expected and observed outcome, ✓ or ✗ (with why)."""

    def outcome(status: str, error: str | None) -> str:
        return status if status == "granted" or not error else f"{status} {error}"

    rows = [
        (
            r.case.id,
            r.profile,
            outcome(r.expected.status, r.expected.error),
            outcome(r.observed.status, r.observed.error),
            "✓" if r.passed else "✗",
        )
        for r in records
    ]
    head = ("case", "profile", "expected", "observed", "")
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)).rstrip()]
    for row, record in zip(rows, records, strict=True):
        lines.append("  ".join([*(v.ljust(w) for v, w in zip(row, widths, strict=False)), row[4]]))
        if not record.passed:
            lines.append(f"    ✗ {record.why}")
    failed = sum(not r.passed for r in records)
    count = len({r.case.id for r in records})
    lines.append(f"{len(records)} runs, {count} cases: {len(records) - failed} as expected, {failed} differ")
    return "\n".join(lines) + "\n"


COMMANDS = {"scenarios": cmd_scenarios, "run": cmd_run}
COMMANDS["cases"] = cmd_cases
