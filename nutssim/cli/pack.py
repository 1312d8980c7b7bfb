"""``nutssim pack``: a scenario's sample pack for a pilot vendor (issue #20 item 6)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nutssim.cli.common import EXIT_MISMATCH, EXIT_OK, subparser
from nutssim.profiles import PROFILES


def add_parser(sub: Any) -> None:
    """The ``pack`` subcommand."""
    pack = subparser(
        sub,
        "pack",
        "write a scenario's sample pack: every payload, the wallets, the policies, the trace",
        "examples:\n  nutssim pack s2s-dynamic-scope --out pack/\n"
        "  nutssim pack user --profile strict --seed 7 --out user-pack/\n"
        "the pack's README.md explains its layout; the same arguments give the same bytes.\n"
        "exit codes: 0 the outcome is the scenario's expected one, 1 it is not, 2 usage error",
    )
    pack.add_argument("name", metavar="SCENARIO", help="scenario name (see `nutssim scenarios`)")
    pack.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new (or empty) directory")
    pack.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    pack.add_argument("--profile", default="nuts-node", choices=PROFILES, help="behaviour profile")
    pack.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a scenario option (repeatable); a scenario's options: nutssim scenarios NAME",
    )


def cmd_pack(args: argparse.Namespace) -> int:
    """Run the scenario and write its pack; one line on standard output says where and how it ended."""
    from nutssim.cli.run import parse_option
    from nutssim.terminal import progress
    from nutssim.views.pack import write_pack

    options = dict(parse_option(args.name, text) for text in args.option)
    with progress(f"packing {args.name}"):
        pack = write_pack(args.name, args.out, seed=args.seed, profile=args.profile, options=options)
    status = pack.outcome.get("status")
    print(f"{len(pack.files)} files in {pack.directory} (outcome: {status}); start with README.md")
    return EXIT_OK if status == "granted" else EXIT_MISMATCH


COMMANDS = {"pack": cmd_pack}
