"""``nutssim inspect``: decode and explain a JWT, a credential or a saved trace, without running anything."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nutssim.cli.common import EXIT_CODES, EXIT_OK, emit, out_and_format, painter, subparser
from nutssim.errors import NutsSimError


def add_parser(sub: Any) -> None:
    """The ``inspect`` subcommand."""
    inspect = subparser(
        sub,
        "inspect",
        "decode and explain a JWT, a JSON-LD credential or presentation, or a saved trace",
        "examples:\n  nutssim run s2s --format json --out s2s.json\n  nutssim inspect s2s.json\n"
        "  nutssim inspect s2s.json --seq 6\n  nutssim inspect s2s.json --format html --out s2s.html\n"
        "  nutssim inspect eyJhbGciOiJFUzI1NiIs… --trace s2s.json\n  pbpaste | nutssim inspect -\n"
        f"{EXIT_CODES}",
        description="Decode and explain, without running anything: a compact JWT (VP, VC, DPoP proof, "
        "request object, entity statement) with every header and claim explained and nested credentials "
        "decoded; a JSON-LD VP or VC; or a trace saved by `nutssim run --format json` (a table of its "
        "exchanges, or one exchange in full with --seq).",
    )
    inspect.add_argument("input", metavar="FILE_OR_TOKEN", help="a file, a JWT, or - (standard input)")
    inspect.add_argument("--seq", type=int, metavar="N", help="a trace's exchange #N in full")
    inspect.add_argument(
        "--trace", type=Path, metavar="FILE", help="a saved trace whose DID documents verify the signatures"
    )
    out_and_format(inspect, ("text", "json", "html", "mermaid"))


def cmd_inspect(args: argparse.Namespace) -> int:
    """Decode and explain the input; 0 when it could be read, 2 when it could not."""
    from nutssim import inspection
    from nutssim.terminal import progress

    keys_from = None
    if args.trace is not None:
        found = inspection.decode(*inspection.read_input(str(args.trace)))
        if found.trace is None:
            raise NutsSimError(f"{args.trace}: --trace takes a saved trace (nutssim run --format json)")
        keys_from = found.trace
    with progress("decoding"):
        item = inspection.decode(*inspection.read_input(args.input), keys_from=keys_from)
        text = inspection.render(item, args.format, seq=args.seq, painter=painter(args))
    emit(text, args.out)
    return EXIT_OK


COMMANDS = {"inspect": cmd_inspect}
