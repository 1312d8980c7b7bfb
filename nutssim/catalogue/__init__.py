"""The failure and attack catalogue: each case is data plus one mutation of a good run.

A case names the attack or fault, the step it hits, the control that should catch
it, the outcome expected under each profile, and its references (PROTOCOL.md §4.2,
ATTACKS.md, the spec clause). ``act`` builds on a fresh world of the case's scenario,
does the attack, and returns an ``Observation`` of what the attacker (or the flow)
got: granted or denied, the error on the wire, and the check that failed.

For an attack with a ``control``, the *vulnerable variant* runs the same case with
that control switched off and expects ``vulnerable`` (usually ``granted``): the
control's value is measured, not asserted. Expectations are per profile name, with
``"*"`` for every profile: under ``strict`` another control sometimes still catches
the attack (defence in depth), and the table says so.

A case is a declaration plus, where needed, one small function: a ``Family`` holds what
the cases of one flow share (flow, scenario, world type, the step most of them hit), and
``family.case(...)`` registers the function it decorates as a case's ``act``::

    from nutssim.catalogue import Expect, Family, Observation, observe_flow
    from nutssim.scenarios import S2SWorld

    MINE = Family(S2SWorld, flow="s2s", scenario="s2s", step="token request")

    @MINE.case(
        id="s2s-empty-wallet", title="The requester's wallet is empty",
        attack="the wallet holds no credentials",
        expected={"*": Expect("denied", "invalid_request", "wallet could not fulfill requirements")},
        refs=("PROTOCOL.md §1.3",),
    )
    def empty_wallet(world: S2SWorld) -> Observation:
        world.requester.wallet.credentials.clear()  # the fault
        return observe_flow(world.run())  # the good run, mutated

``family.declare(..., act=...)`` does the same where the act is an expression.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nutssim.catalogue.base import (
    CASES,
    GRANTED,
    Case,
    Declaration,
    Expect,
    Family,
    Observation,
    Record,
    everywhere,
    last_exchange,
    observe_flow,
    observe_response,
    register,
    run_case,
)
from nutssim.errors import InputError
from nutssim.profiles import Profile, as_profile
from nutssim.scenarios.registry import missing as scenario_missing

__all__ = [
    "CASES",
    "GRANTED",
    "Case",
    "Declaration",
    "Expect",
    "Family",
    "Observation",
    "Record",
    "case",
    "cases",
    "everywhere",
    "last_exchange",
    "observe_flow",
    "observe_response",
    "register",
    "run_case",
    "run_catalogue",
    "unavailable",
]


def cases(flow: str | None = None) -> list[Case[Any]]:
    """Every case (of one flow), in id order."""
    _load_all()
    out = [factory() for _, factory in sorted(CASES.items())]
    return [c for c in out if flow is None or c.flow == flow]


def case(case_id: str) -> Case[Any]:
    """One case by id."""
    _load_all()
    if case_id not in CASES:
        import difflib

        close = difflib.get_close_matches(case_id, list(CASES), n=1)
        raise InputError(f"unknown case {case_id!r}", hint=f"did you mean {close[0]!r}?" if close else "")
    return CASES[case_id]()


def unavailable(flow: str | None = None) -> list[str]:
    """The ids of the cases (of a flow) that cannot run here: their scenario needs a missing package."""
    return [c.id for c in cases(flow) if scenario_missing(c.scenario)]


def run_catalogue(
    profile: str | Profile = "nuts-node",
    *,
    flow: str | None = None,
    controls: Iterable[str] = (),
    vulnerable: bool = False,
    seed: int = 0,
    available_only: bool = False,
) -> list[Record]:
    """Run every case (of a flow) under a profile; ``vulnerable`` switches each case's control off.

    ``available_only`` leaves out the cases whose scenario needs a package missing here
    (``unavailable()`` names them); by default such a case raises ``ComponentMissing``.
    """
    base = as_profile(profile)
    if controls:
        base = base.without(*controls)
    left_out = set(unavailable(flow)) if available_only else set()
    records = []
    for c in cases(flow):
        if (vulnerable and not (c.control and c.vulnerable)) or c.id in left_out:
            continue
        records.append(run_case(c, base.without(c.control) if vulnerable and c.control else base, seed=seed))
    return records


def _load_all() -> None:
    from nutssim.catalogue import resource_cases, s2s_cases, user_cases, vci_cases  # noqa: F401  (registers on import)
