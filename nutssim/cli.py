"""The ``nutssim`` command line.

Subcommands: ``scenarios`` (list them), ``run`` (one scenario, its trace as text, JSON,
Mermaid or HTML), ``inspect`` (a JWT, a credential or a saved trace, decoded and
explained), ``cases`` (the failure catalogue), ``sweep`` (policy variants) and ``lint``
(policy files). Options mean the same everywhere: ``--seed``, ``--profile``, ``--format``
and ``--out``. Text output is coloured on a terminal and plain when piped; a progress
line appears on standard error (terminal only) for work that takes over a second.

Exit codes: 0 ran as expected; 1 an outcome differs from what was expected (a case
failed, a scenario was denied where it should be granted, a lint error); 2 usage error
(an unknown scenario, profile, option or unreadable file), reported in one line on
standard error; 130 an interrupted sweep.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from nutssim.errors import NutsSimError
from nutssim.profiles import PROFILES
from nutssim.terminal import Painter, progress

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2

EPILOG = """examples:
  nutssim scenarios
  nutssim run s2s --seed 7 --format json --out s2s.json
  nutssim run s2s --profile strict --format mermaid
  python -m nutssim run s2s-bearer
  nutssim cases --flow s2s --profile strict
  nutssim sweep issuer-trust.yaml --workers 2 --out results.parquet
  nutssim lint policies/*.json
  nutssim inspect s2s.json --seq 6
  nutssim inspect eyJhbGciOiJFUzI1NiIs…

exit codes: 0 ran as expected, 1 outcome differs from expectation, 2 usage error"""
EXIT_CODES = "exit codes: 0 ran as expected, 1 outcome differs from expectation, 2 usage error"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (and exit 2)."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem and where help is, then exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _out_and_format(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument("--format", choices=formats, default="text", help="output format (default text)")
    parser.add_argument("--out", type=Path, help="write to this file instead of standard output")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(
        prog="nutssim",
        description="Simulate the Nuts OAuth2 access-token flows in one process.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    scenarios = sub.add_parser(
        "scenarios",
        help="list the scenario names",
        epilog=f"examples:\n  nutssim scenarios\n  nutssim scenarios --format json\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _out_and_format(scenarios, ("text", "json"))
    run = sub.add_parser(
        "run",
        help="run one scenario and print or write its trace",
        epilog="examples:\n  nutssim run s2s\n  nutssim run s2s --seed 7 --format json --out s2s.json\n"
        "  nutssim run user --profile strict --format html --out user.html\n"
        "  nutssim run s2s --format mermaid\n"
        "exit codes: 0 the outcome is the scenario's expected one, 1 it is not, 2 usage error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("name", help="scenario name (see `nutssim scenarios`)")
    _common(run)
    _inspect_parser(sub)
    _cases_parser(sub)
    _sweep_parser(sub)
    _lint_parser(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nutssim")
    except PackageNotFoundError:
        return "unknown"


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
    import json

    from nutssim import scenarios

    specs = [scenarios.SCENARIOS[name] for name in scenarios.names()]
    if args.format == "json":
        rows = [{"name": s.name, "flow": s.flow, "description": s.description} for s in specs]
        _emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", args.out)
    else:
        paint = _painter(args)
        _emit("".join(f"{paint(s.name.ljust(24), 'bold')} {s.description}\n" for s in specs), args.out)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario and render its trace."""
    from nutssim import scenarios

    with progress(f"running {args.name}"):
        world = scenarios.run(args.name, seed=args.seed, profile=args.profile)
        trace = world.sim.trace
        text = render(trace, args.format)
    _emit(_painter(args).lines(text) if args.format == "text" else text, args.out)
    status = (trace.outcome or {}).get("status")
    expected = world.options.get("expect", "granted")
    if isinstance(expected, dict):  # a per-profile expectation (trust-statuslist-down)
        expected = expected.get(world.sim.profile.name, "granted")
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


def _painter(args: argparse.Namespace) -> Painter:
    """Colours for standard output when it is a terminal and nothing goes to a file."""
    return Painter.for_stream(sys.stdout) if getattr(args, "out", None) is None else Painter(False)


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
        epilog="examples:\n  nutssim cases --flow s2s\n  nutssim cases --profile strict --vulnerable --json\n"
        "  nutssim cases --flow resource --format json --out cases.json\n"
        "exit codes: 0 every outcome as expected, 1 an outcome differs (✗ says why), 2 usage error",
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
    _out_and_format(cases, ("text", "json"))  # --format json is --json


def cmd_cases(args: argparse.Namespace) -> int:
    """Run the catalogue; exit 1 when any observed outcome differs from its expectation."""
    import json

    from nutssim import catalogue
    from nutssim.errors import InputError

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
        _emit(json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False) + "\n", args.out)
    else:
        _emit(_painter(args).lines(cases_table(records)), args.out)
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


# -- the policy lab: sweeps and the policy linter ------------------------------------------------------
EXIT_INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C (128 + SIGINT)


def _sweep_parser(sub: Any) -> None:
    sweep = sub.add_parser(
        "sweep",
        help="run every variant of a sweep spec (JSON or YAML) and write one record per variant",
        epilog="examples:\n  nutssim sweep issuer-trust.yaml --out results.parquet\n"
        "  nutssim sweep spec.json --scheduler tcp://scheduler:8786 --format jsonl\n"
        "exit codes: 0 every variant ran, 1 a variant raised a simulation error, 2 bad spec, "
        "130 interrupted (what finished is written)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sweep.add_argument("spec", type=Path, help="the sweep spec (.json, .yaml or .yml)")
    sweep.add_argument(
        "--workers", type=int, help="worker processes (default: one per core; 0: in this process)"
    )
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler address, or 'local' for a LocalCluster (needs dask[distributed])",
    )
    sweep.add_argument("--out", type=Path, help="results file (default: <spec name>.<format>)")
    sweep.add_argument(
        "--format",
        choices=("csv", "jsonl", "parquet"),
        help="results format (default: from --out's suffix, else csv)",
    )


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep, stream its records to a file, and print a summary."""
    from nutssim import sweep

    spec = sweep.load_spec(args.spec)
    out = args.out or Path(f"{spec.name}.{args.format or 'csv'}")
    progress = sys.stderr.isatty()
    options: dict[str, Any] = {"out": out, "format": args.format, "progress": progress}
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
    rate = result.completed / result.elapsed if result.elapsed else 0.0
    lines = [
        f"{result.completed}/{result.total} variants in {result.elapsed:.1f} s ({rate:.0f}/s)"
        + (f" → {result.path}" if result.path else "")
        + (" — interrupted, the finished variants are written" if result.interrupted else "")
    ]
    lines += [f"  {status:<8} {count}" for status, count in sorted(result.statuses.items())]
    if result.refusals:
        lines.append("refused, by failing check:")
        lines += [f"  {count:>6}  {check}" for check, count in list(result.refusals.items())[:8]]
    return "\n".join(lines) + "\n"


def _lint_parser(sub: Any) -> None:
    lint = sub.add_parser(
        "lint",
        help="lint policy files: the self-issued gap, subject shapes, formats, reserved ids, RFC021 §8 leaks",
        epilog="examples:\n  nutssim lint config/policy/\n  nutssim lint eoverdracht.json --json\n"
        "exit codes: 0 no error-severity finding, 1 at least one error, 2 a file cannot be read",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lint.add_argument("policies", nargs="+", type=Path, help="policy files, or directories of them")
    lint.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    _out_and_format(lint, ("text", "json"))  # --format json is --json
    lint.add_argument(
        "--metadata",
        type=Path,
        help="the authorization server's metadata JSON (vp_formats_supported); default: the 4 formats",
    )
    lint.add_argument(
        "--authzen", metavar="URL", help="the node's AuthZen endpoint, for scope_policy dynamic"
    )


def cmd_lint(args: argparse.Namespace) -> int:
    """Lint policy files; exit 1 when any finding is an error."""
    import json

    from nutssim.errors import InputError
    from nutssim.lint import has_errors, lint

    missing = [str(p) for p in args.policies if not p.exists()]
    if missing:
        raise InputError(f"no such file or directory: {', '.join(missing)}", where="lint")
    metadata = json.loads(args.metadata.read_text(encoding="utf-8")) if args.metadata else None
    findings = [
        f for path in args.policies for f in lint(path, as_metadata=metadata, authzen_endpoint=args.authzen)
    ]
    if args.json or args.format == "json":
        _emit(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False) + "\n", args.out)
    else:
        counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
        lines = [
            *(str(f) for f in findings),
            f"{counts['error']} errors, {counts['warning']} warnings, "
            f"{counts['info']} info in {len(args.policies)} path(s)",
        ]
        _emit(_painter(args).lines("\n".join(lines)) + "\n", args.out)
    return EXIT_MISMATCH if has_errors(findings) else EXIT_OK


COMMANDS["sweep"] = cmd_sweep
COMMANDS["lint"] = cmd_lint


# -- inspect: tokens, credentials and saved traces ------------------------------------------------------
def _inspect_parser(sub: Any) -> None:
    inspect = sub.add_parser(
        "inspect",
        help="decode and explain a JWT, a JSON-LD credential or presentation, or a saved trace",
        description="Decode and explain, without running anything: a compact JWT (VP, VC, DPoP proof, "
        "request object, entity statement) with every header and claim explained and nested credentials "
        "decoded; a JSON-LD VP or VC; or a trace saved by `nutssim run --format json` (a table of its "
        "exchanges, or one exchange in full with --seq).",
        epilog="examples:\n  nutssim run s2s --format json --out s2s.json\n  nutssim inspect s2s.json\n"
        "  nutssim inspect s2s.json --seq 6\n  nutssim inspect s2s.json --format html --out s2s.html\n"
        "  nutssim inspect eyJhbGciOiJFUzI1NiIs… --trace s2s.json\n  pbpaste | nutssim inspect -\n"
        f"{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inspect.add_argument("input", metavar="FILE_OR_TOKEN", help="a file, a JWT, or - (standard input)")
    inspect.add_argument("--seq", type=int, metavar="N", help="a trace's exchange #N in full")
    inspect.add_argument(
        "--trace", type=Path, metavar="FILE", help="a saved trace whose DID documents verify the signatures"
    )
    _out_and_format(inspect, ("text", "json", "html", "mermaid"))


def cmd_inspect(args: argparse.Namespace) -> int:
    """Decode and explain the input; 0 when it could be read, 2 when it could not."""
    from nutssim import inspection

    keys_from = None
    if args.trace is not None:
        found = inspection.decode(*inspection.read_input(str(args.trace)))
        if found.trace is None:
            raise NutsSimError(f"{args.trace}: --trace takes a saved trace (nutssim run --format json)")
        keys_from = found.trace
    with progress("decoding"):
        item = inspection.decode(*inspection.read_input(args.input), keys_from=keys_from)
        text = inspection.render(item, args.format, seq=args.seq, painter=_painter(args))
    _emit(text, args.out)
    return EXIT_OK


COMMANDS["inspect"] = cmd_inspect
