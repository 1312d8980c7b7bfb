"""``nutssim cases``: run the failure catalogue and compare every outcome with its expectation."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from nutssim.cli.common import EXIT_MISMATCH, EXIT_OK, emit, out_and_format, painter, subparser
from nutssim.profiles import PROFILES


def add_parser(sub: Any) -> None:
    """The ``cases`` subcommand."""
    cases = subparser(
        sub,
        "cases",
        "run the failure catalogue and compare every outcome with its expectation",
        "examples:\n  nutssim cases --flow s2s\n  nutssim cases --profile strict --vulnerable --json\n"
        "  nutssim cases --flow resource --format json --out cases.json\n"
        "exit codes: 0 every outcome as expected, 1 an outcome differs (✗ says why), 2 usage error",
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
    out_and_format(cases, ("text", "json"))  # --format json is --json


def cmd_cases(args: argparse.Namespace) -> int:
    """Run the catalogue; exit 1 when any observed outcome differs from its expectation."""
    from nutssim import catalogue
    from nutssim.errors import InputError
    from nutssim.terminal import progress

    if args.flow and not catalogue.cases(args.flow):
        flows = sorted({c.flow for c in catalogue.cases()})
        raise InputError(f"no cases for flow {args.flow!r}", hint=f"known flows: {', '.join(flows)}")
    profiles = [args.profile] if args.profile else list(PROFILES)
    with progress(f"running the failure catalogue under {', '.join(profiles)}"):
        records = [
            record
            for profile in profiles
            for record in catalogue.run_catalogue(
                profile, flow=args.flow, vulnerable=args.vulnerable, seed=args.seed
            )
        ]
    if args.json or args.format == "json":
        emit(json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False) + "\n", args.out)
    else:
        emit(painter(args).lines(cases_table(records)), args.out)
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


COMMANDS = {"cases": cmd_cases}
