"""``nutssim profiles``: each profile with the version of the reference (or the specs) it reproduces."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nutssim.cli.common import EXIT_CODES, EXIT_OK, emit, out_and_format, subparser


def add_parser(sub: Any) -> None:
    """The ``profiles`` subcommand."""
    parser = subparser(
        sub,
        "profiles",
        "list the profiles with the reference commit each reproduces",
        f"examples:\n  nutssim profiles\n  nutssim profiles --format json\n{EXIT_CODES}",
    )
    out_and_format(parser, ("text", "json"))


def rows() -> list[dict[str, Any]]:
    """One row per profile: name, repository, branch, commit, what it reproduces, its jwt-bearer AS."""
    from nutssim.profiles import PROFILES, REFERENCES

    return [
        {
            "profile": name,
            "repo": REFERENCES[name].repo,
            "branch": REFERENCES[name].branch,
            "commit": REFERENCES[name].commit,
            "jwt_bearer_as": REFERENCES[name].jwt_bearer_as,
            "reproduces": REFERENCES[name].reproduces,
        }
        for name in PROFILES
    ]


def cmd_profiles(args: argparse.Namespace) -> int:
    """Print the profiles table (text) or its rows (json)."""
    table = rows()
    if args.format == "json":
        emit(json.dumps(table, indent=2) + "\n", args.out)
        return EXIT_OK
    lines = []
    for row in table:
        where = (
            f"{row['repo']} {row['branch']} @ {row['commit'][:7]} ({row['commit']})"
            if row["repo"]
            else "the specifications (no implementation)"
        )
        lines += [f"{row['profile']}", f"  reference: {where}", f"  reproduces: {row['reproduces']}", ""]
    emit("\n".join(lines), args.out)
    return EXIT_OK


COMMANDS = {"profiles": cmd_profiles}
