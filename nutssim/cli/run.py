"""``nutssim scenarios`` and ``nutssim run``: list the scenarios and their options, run one."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nutssim.cli.common import (
    EXIT_CODES,
    EXIT_MISMATCH,
    EXIT_OK,
    emit,
    out_and_format,
    painter,
    subparser,
)
from nutssim.errors import InputError, did_you_mean
from nutssim.profiles import PEX_SEMANTICS, PROFILES


def add_parsers(sub: Any) -> None:
    """The ``scenarios`` and ``run`` subcommands."""
    scenarios = subparser(
        sub,
        "scenarios",
        "list the scenario names, or one scenario's options",
        "examples:\n  nutssim scenarios\n  nutssim scenarios --format json\n  nutssim scenarios s2s\n"
        f"{EXIT_CODES}",
    )
    scenarios.add_argument("name", nargs="?", help="a scenario: list its options (for run --option)")
    out_and_format(scenarios, ("text", "json"))
    run = subparser(
        sub,
        "run",
        "run one scenario and print or write its trace",
        "examples:\n  nutssim run s2s\n  nutssim run s2s --seed 7 --format json --out s2s.json\n"
        "  nutssim run user --profile strict --format html --out user.html\n"
        "  nutssim run s2s --without vp_nonce_store --policy my-policy.json\n"
        "  nutssim run s2s --option dpop=false --format mermaid\n"
        "exit codes: 0 the outcome is the scenario's expected one, 1 it is not, 2 usage error",
    )
    run.add_argument("name", help="scenario name (see `nutssim scenarios`)")
    common(run)
    run.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="a Nuts policy file (scope → presentation definitions) for the authorization server",
    )
    run.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="CONTROL",
        help="switch a security control off (repeatable); the controls: nutssim scenarios NAME",
    )
    run.add_argument(
        "--pex-semantics",
        choices=PEX_SEMANTICS,
        default=None,
        help="read Presentation Exchange as the reference (nuts-node) or the DIF PE v2.0.0 text (strict), "
        "whatever the profile (default: the profile's own reading)",
    )
    run.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a scenario option (repeatable); a scenario's options: nutssim scenarios NAME",
    )


def common(parser: argparse.ArgumentParser) -> None:
    """``--seed``, ``--profile``, ``--format`` and ``--out`` of a run."""
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0): same seed, same run")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="nuts-node",
        help="nuts-node reproduces the reference; strict follows the specifications",
    )
    out_and_format(parser, ("text", "json", "mermaid", "html"))


# -- scenario options: as each scenario declares them (nutssim.scenarios.options) ---------------------
@dataclass(frozen=True)
class OptionInfo:
    """One option of a scenario, as the CLI lists it."""

    name: str
    type: str = ""
    default: Any = None
    help: str = ""
    choices: tuple[Any, ...] = ()


def scenario_options(name: str) -> list[OptionInfo]:
    """The options scenario ``name`` declares (``nutssim.scenarios.options``)."""
    from nutssim import scenarios

    _spec(name)  # an unknown name is a usage error with a suggestion
    return [
        OptionInfo(
            o.name, getattr(o.type, "__name__", str(o.type)), o.default, o.help, tuple(o.choices or ())
        )
        for o in scenarios.options(name)
    ]


def parse_option(name: str, text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` of scenario ``name``: the keyword and its value in the declared type."""
    from nutssim import scenarios

    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InputError(f"--option {text!r} is not KEY=VALUE", hint="e.g. --option dpop=false")
    return key, scenarios.parse_option(name, key, value)


def _spec(name: str) -> Any:
    from nutssim import scenarios

    known = scenarios.names()
    if name not in known:
        raise InputError(f"unknown scenario {name!r}", hint=did_you_mean(name, known))
    return scenarios.SCENARIOS[name]


# -- the commands -------------------------------------------------------------------------------------
def cmd_scenarios(args: argparse.Namespace) -> int:
    """List scenarios with their descriptions, or one scenario's options."""
    if args.name:
        return _one_scenario(args)
    from nutssim import scenarios

    specs = scenarios.registry.listings()  # from the index: no scenario family is imported
    if args.format == "json":
        rows = [{"name": s.name, "flow": s.flow, "description": s.description} for s in specs]
        emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", args.out)
    else:
        paint = painter(args)
        emit("".join(f"{paint(s.name.ljust(24), 'bold')} {s.description}\n" for s in specs), args.out)
    return EXIT_OK


def _one_scenario(args: argparse.Namespace) -> int:
    from nutssim.profiles import CONTROLS

    spec = _spec(args.name)
    options = scenario_options(args.name)
    if args.format == "json":
        row = {
            "name": spec.name,
            "flow": spec.flow,
            "description": spec.description,
            "options": [
                {"name": o.name, "type": o.type, "default": o.default, "help": o.help, "choices": o.choices}
                for o in options
            ],
            "controls": dict(CONTROLS),
        }
        emit(json.dumps(row, indent=2, ensure_ascii=False, default=repr) + "\n", args.out)
        return EXIT_OK
    paint = painter(args)
    lines = [f"{paint(spec.name, 'bold')} ({spec.flow}): {spec.description}", ""]
    lines.append("options (nutssim run NAME --option KEY=VALUE):" if options else "options: none")
    for o in options:
        detail = ", ".join(
            part
            for part in (
                o.type,
                f"default {o.default!r}" if o.default is not None else "",
                f"one of {', '.join(map(str, o.choices))}" if o.choices else "",
            )
            if part
        )
        lines.append(f"  {o.name:<20} {detail}{'  — ' + o.help if o.help else ''}".rstrip())
    lines += ["", "controls (nutssim run NAME --without CONTROL):"]
    lines += [f"  {name:<24} {protects}" for name, protects in CONTROLS.items()]
    emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword options of the run: ``--option`` pairs, then the ``--policy`` file."""
    options = dict(parse_option(args.name, text) for text in args.option)
    if args.policy is not None:
        policy = load_policy(args.policy)
        if "policy" not in {o.name for o in scenario_options(args.name)}:
            raise InputError(f"scenario {args.name!r} takes no policy", hint="run s2s or user with --policy")
        options["policy"] = policy
        scopes = list(policy)
        has_scope = "scope" in {o.name for o in scenario_options(args.name)}
        if has_scope and "scope" not in options and len(scopes) == 1:
            options["scope"] = scopes[0]  # a one-scope policy: request that scope, whatever its name
    return options


def load_policy(path: Path) -> dict[str, Any]:
    """The content of a policy file, checked as a Nuts policy (errors name the file and pointer)."""
    from nutssim.specs import nuts_policy

    if not path.is_file():
        raise InputError("no such policy file", where=str(path), hint="--policy takes a JSON policy file")
    nuts_policy.load(path)  # the checks, with the file's name in any error
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario and render its trace."""
    from nutssim import scenarios
    from nutssim.profiles import Profile
    from nutssim.terminal import progress

    profile = Profile(args.profile, pex_semantics=args.pex_semantics).without(*args.without)
    options = run_options(args)
    with progress(f"running {args.name}"):
        world = scenarios.run(args.name, seed=args.seed, profile=profile, **options)
        trace = world.sim.trace
        text = render(trace, args.format)
    emit(painter(args).lines(text) if args.format == "text" else text, args.out)
    status = (trace.outcome or {}).get("status")
    expected = world.options.get("expect", "granted")
    if isinstance(expected, dict):  # a per-profile expectation (trust-statuslist-down)
        profile_ = world.sim.profile  # a version of the reference (nuts-node-gf) falls back on nuts-node
        expected = expected.get(profile_.name, expected.get(profile_.family, "granted"))
    return EXIT_OK if status == expected else EXIT_MISMATCH


def render(trace: Any, fmt: str) -> str:
    """Render a trace in one of the output formats."""
    if fmt == "json":
        return str(trace.to_json()) + "\n"
    if fmt == "mermaid":
        from nutssim.views.mermaid import to_mermaid

        return str(to_mermaid(trace))
    if fmt == "html":
        from nutssim.views.report import html_report

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


COMMANDS = {"scenarios": cmd_scenarios, "run": cmd_run}
