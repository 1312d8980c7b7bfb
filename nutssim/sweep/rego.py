"""A small sweep for the PDP: Rego policies × wallet compositions on ``s2s-dynamic-scope`` (issue #20 item 5).

Each cell builds the scenario with one Rego file, applies one wallet composition
(``nutssim.sweep.wallets``), runs the flow and records what the token got: the outcome, the
granted scopes (the introspected ``scope``) and whether the PDP was asked at all (a wallet that
fails the presentation definition is refused before the AS asks its PDP, PROTOCOL.md §1.5 #18).
For the thousands-of-variants sweeps over policy files, see ``nutssim.sweep.run_sweep``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from nutssim.profiles import Profile
from nutssim.scenarios import build
from nutssim.sweep.wallets import composition

EVALUATIONS = "AuthZEN access evaluations"


@dataclass(frozen=True)
class RegoCell:
    """One run of the sweep: which policy and wallet, and what the token got."""

    policy: str
    wallet: str
    status: str
    error: str
    granted: str
    pdp_asked: bool


def rego_sweep(
    policies: Mapping[str, str | Path | None],
    wallets: Iterable[str],
    *,
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    scope: str | None = None,
) -> list[RegoCell]:
    """Every policy (name → .rego path; None: the shipped one) × every wallet composition, in order."""
    cells = []
    wallet_names = list(wallets)
    for name, path in policies.items():
        for wallet in wallet_names:
            options: dict[str, object] = {"rego": str(path)} if path is not None else {}
            if scope is not None:
                options["scope"] = scope
            world = build("s2s-dynamic-scope", seed=seed, profile=profile, **options)
            composition(wallet)(world)
            world.run()
            outcome = world.sim.trace.outcome or {}
            error = outcome.get("error") or {}
            cells.append(
                RegoCell(
                    name,
                    wallet,
                    str(outcome.get("status")),
                    str(error.get("error") or ""),
                    str((outcome.get("introspection") or {}).get("scope", "")),
                    bool(world.sim.trace.find(EVALUATIONS)),
                )
            )
    return cells
