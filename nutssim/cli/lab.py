"""The policy lab: ``nutssim sweep`` (policy variants) and ``nutssim lint`` (policy files)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nutssim.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_MISMATCH,
    EXIT_OK,
    emit,
    out_and_format,
    painter,
    subparser,
)
from nutssim.errors import InputError


def add_parsers(sub: Any) -> None:
    """The ``sweep`` and ``lint`` subcommands."""
    sweep = subparser(
        sub,
        "sweep",
        "run every variant of a sweep spec (JSON or YAML) and write one record per variant",
        "examples:\n  nutssim sweep --example > issuer-trust.yaml\n"
        "  nutssim sweep issuer-trust.yaml --out results.parquet\n"
        "  nutssim sweep spec.json --scheduler tcp://scheduler:8786 --format jsonl\n"
        "  nutssim sweep big.yaml --format dataset --out big/ --partition-by profile --resume\n"
        "exit codes: 0 every variant ran, 1 a variant raised a simulation error, 2 bad spec, "
        "130 interrupted (what finished is written)",
    )
    sweep.add_argument("spec", type=Path, nargs="?", help="the sweep spec (.json, .yaml or .yml)")
    sweep.add_argument(
        "--example", action="store_true", help="print a commented example spec (YAML) and exit"
    )
    sweep.add_argument(
        "--workers", type=int, help="worker processes (default: one per core; 0: in this process)"
    )
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler address, or 'local' for a LocalCluster (needs dask[distributed])",
    )
    sweep.add_argument(
        "--out", type=Path, help="results file, or directory for a dataset (default: <spec name>.<format>)"
    )
    sweep.add_argument(
        "--format",
        choices=("csv", "jsonl", "parquet", "dataset"),
        help="results format (default: from --out's suffix, else csv); dataset: a Parquet directory "
        "written chunk by chunk (docs/SWEEPS.md)",
    )
    sweep.add_argument(
        "--partition-by",
        action="append",
        default=[],
        metavar="DIMENSION",
        help="partition a dataset by a dimension (repeatable, or comma-separated): profile=strict/…",
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="continue the dataset in --out: run only the chunks it lacks (same spec only)",
    )
    lint = subparser(
        sub,
        "lint",
        "lint policy files: the self-issued gap, subject shapes, formats, reserved ids, RFC021 §8 leaks",
        "examples:\n  nutssim lint config/policy/\n  nutssim lint eoverdracht.json --json\n"
        "exit codes: 0 no error-severity finding, 1 at least one error, 2 a file cannot be read",
    )
    lint.add_argument("policies", nargs="+", type=Path, help="policy files, or directories of them")
    lint.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    lint.add_argument(
        "--semantics",
        action="store_true",
        help="also report filters a reference node and a spec-exact verifier read differently",
    )
    lint.add_argument(
        "--profile",
        choices=("nuts-node", "strict"),
        default="nuts-node",
        help="whose reading of Presentation Exchange decides what loads (default: nuts-node)",
    )
    out_and_format(lint, ("text", "json"))  # --format json is --json
    lint.add_argument(
        "--metadata",
        type=Path,
        help="the authorization server's metadata JSON (vp_formats_supported); default: the 4 formats",
    )
    lint.add_argument(
        "--authzen", metavar="URL", help="the node's AuthZen endpoint, for scope_policy dynamic"
    )


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep, stream its records to a file, and print a summary (or print the example spec)."""
    if args.example:
        from nutssim.cli.example import EXAMPLE_SPEC

        emit(EXAMPLE_SPEC, args.out)
        return EXIT_OK
    if args.spec is None:
        raise InputError(
            "a sweep needs a spec file", hint="`nutssim sweep --example` prints one to start from"
        )
    from nutssim import sweep

    spec = sweep.load_spec(args.spec)
    partition_by = [name for text in args.partition_by for name in text.split(",") if name.strip()]
    fmt = "dataset" if args.format is None and (partition_by or args.resume) else args.format
    out = args.out or Path(spec.name if fmt == "dataset" else f"{spec.name}.{fmt or 'csv'}")
    options: dict[str, Any] = {
        "out": out,
        "format": fmt,
        "progress": sys.stderr.isatty(),
        "partition_by": partition_by or None,
        "resume": args.resume,
    }
    if args.scheduler:
        address = None if args.scheduler == "local" else args.scheduler
        with sweep.dask_executor(address, workers=args.workers) as executor:
            result = sweep.run_sweep(spec, executor=executor, **options)
    else:
        result = sweep.run_sweep(spec, workers=args.workers, **options)
    print(sweep_summary(result), end="")
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_MISMATCH if result.statuses.get("error") else EXIT_OK


def sweep_summary(result: Any) -> str:
    """Variants run, per status, and the most common refusals by failing check."""
    ran = result.completed - getattr(result, "resumed", 0)  # a resumed dataset's old rows took no time
    rate = ran / result.elapsed if result.elapsed else 0.0
    lines = [
        f"{result.completed}/{result.total} variants{_design_note(result.spec)} in {result.elapsed:.1f} s "
        f"({rate:.0f}/s)"
        + (f" → {result.path}" if result.path else "")
        + (" — interrupted, the finished variants are written" if result.interrupted else "")
    ]
    if getattr(result, "resumed", 0):
        lines.append(f"  resumed: {result.resumed} variants were already in the dataset, not run again")
    lines += [f"  {status:<8} {count}" for status, count in sorted(result.statuses.items())]
    if result.refusals:
        lines.append("refused, by failing check:")
        lines += [f"  {count:>6}  {check}" for check, count in list(result.refusals.items())[:8]]
    return "\n".join(lines) + "\n"


def _design_note(spec: Any) -> str:
    """`` (lhs sample of a 1,201-point grid)`` for a sampled design; nothing for the full grid."""
    design = getattr(spec, "design", None)
    if design is None or design.kind == "grid":
        return ""
    return f" ({design.kind} sample of a {spec.grid_size:,}-point grid)"


def cmd_lint(args: argparse.Namespace) -> int:
    """Lint policy files; exit 1 when any finding is an error."""
    from nutssim.lint import has_errors, lint

    missing = [str(p) for p in args.policies if not p.exists()]
    if missing:
        raise InputError(f"no such file or directory: {', '.join(missing)}", where="lint")
    metadata = json.loads(args.metadata.read_text(encoding="utf-8")) if args.metadata else None
    findings = [
        f
        for path in args.policies
        for f in lint(
            path,
            as_metadata=metadata,
            authzen_endpoint=args.authzen,
            semantics=args.semantics,
            profile=args.profile,
        )
    ]
    if args.json or args.format == "json":
        emit(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False) + "\n", args.out)
    else:
        counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
        lines = [
            *(str(f) for f in findings),
            f"{counts['error']} errors, {counts['warning']} warnings, "
            f"{counts['info']} info in {len(args.policies)} path(s)",
        ]
        emit(painter(args).lines("\n".join(lines)) + "\n", args.out)
    return EXIT_MISMATCH if has_errors(findings) else EXIT_OK


COMMANDS = {"sweep": cmd_sweep, "lint": cmd_lint}
