"""``nutssim timelapse``: a flow a day for months, and what failed on which day and why."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from nutssim.cli.common import EXIT_OK, emit, out_and_format, subparser
from nutssim.profiles import PROFILES


def add_parser(sub: Any) -> None:
    """The ``timelapse`` subcommand."""
    parser = subparser(
        sub,
        "timelapse",
        "run an s2s flow once a day for months while credentials expire, renew, rotate and get revoked",
        "The default story (90 days): the register issues a 45-day credential on day 0, rotates its key on\n"
        "day 20 and removes the old key on day 25, the holder renews 7 days before expiry, the register\n"
        "revokes on day 60 and re-issues on day 65.\n\n"
        "examples:\n  nutssim timelapse\n  nutssim timelapse --profile strict --png timelapse.png\n"
        "  nutssim timelapse --days 120 --format json --out days.json\n"
        "  nutssim timelapse --renew-over vci   # issuance and renewal over OpenID4VCI on the wire\n"
        "  nutssim timelapse --scenario pilot-eoverdracht --profile strict   # the pilot set: the vendor's\n"
        "    ServiceProviderCredential from the stelselhouder lives the story\n"
        "exit codes: 0 ran (denied days are a finding, not an error), 2 usage error",
    )
    parser.add_argument("--scenario", default="s2s", help="an s2s scenario to run each day (default s2s)")
    parser.add_argument("--days", type=int, default=90, help="how many days (default 90)")
    parser.add_argument("--profile", choices=PROFILES, default="nuts-node", help="default nuts-node")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--no-renewal", action="store_true", help="the holder never renews")
    parser.add_argument(
        "--renew-over",
        choices=("fiat", "vci"),
        default="fiat",
        help="fiat: the register signs into the wallet (default, fast); vci: the holder's node asks "
        "the register over OpenID4VCI",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a scenario option (repeatable), e.g. --scenario pilot-eoverdracht --option client_id=true",
    )
    parser.add_argument("--png", type=Path, help="also draw the timeline picture into this PNG file")
    out_and_format(parser, ("text", "json"))


def cmd_timelapse(args: argparse.Namespace) -> int:
    """Live through the days; print the periods (text) or one row per day (JSON)."""
    from nutssim.cli.run import parse_option
    from nutssim.terminal import progress
    from nutssim.timelapse import RenewBefore, TimeLapse

    renewal = None if args.no_renewal else RenewBefore(over=args.renew_over)
    options = dict(parse_option(args.scenario, text) for text in args.option)
    lapse = TimeLapse(
        scenario=args.scenario,
        days=args.days,
        profile=args.profile,
        seed=args.seed,
        renewal=renewal,
        options=options,
    )
    with progress(f"{args.days} days of {args.scenario} under {args.profile}"):
        result = lapse.run()
    if args.png is not None:
        from nutssim.views.timelapse import render_timelapse_png

        args.png.write_bytes(render_timelapse_png(result))
    if args.format == "json":
        emit(json.dumps(result.records(), indent=2, ensure_ascii=False) + "\n", args.out)
    else:
        emit(result.summary() + "\n", args.out)
    return EXIT_OK


COMMANDS = {"timelapse": cmd_timelapse}
