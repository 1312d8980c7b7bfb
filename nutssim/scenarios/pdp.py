"""Scope policies decided by an AuthZEN PDP that evaluates Rego (issue #20, PROTOCOL.md §3.8).

The hospital's credential profile for ``eoverdracht`` carries ``scope_policy: dynamic``: its
node asks a PDP (``nutssim.parties.pdp``), in one AuthZEN batch, about every requested scope.
A denied profile scope is ``access_denied``; other denied scopes are dropped; a PDP that is
down is ``server_error`` "policy decision point unavailable" (nuts-node
``policy/scope_granter.go``). The Rego policy is a file a user edits (``rego=`` option).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from nutssim.parties.node import Node
from nutssim.parties.pdp import PolicyDecisionPoint, RegoPolicy
from nutssim.profiles import Profile
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import CREDENTIAL_FORMAT, DPOP, service_access, shipped_policy, two_nodes
from nutssim.scenarios.user import user_world
from nutssim.scenarios.world import S2SWorld, UserWorld
from nutssim.simulation import Simulation
from nutssim.specs.nuts_policy import SCOPE_POLICIES

#: Profile scope first, then two extra scopes the shipped Rego grants and one it does not.
REQUESTED = "eoverdracht patient/Observation.read patient/Condition.read patient/Secret.read"

SCOPE = Option("scope", str, REQUESTED, "the scopes the EHR asks for (the profile scope first)")
REGO = Option("rego", str, None, "a .rego file for the PDP (default: nutssim/data/rego/scopes.rego)")
SCOPE_POLICY = Option(
    "scope_policy",
    str,
    "dynamic",
    "the eoverdracht profile's scope_policy (the PDP is there whichever is chosen)",
    choices=SCOPE_POLICIES,
)
PEP = Option("pep", bool, False, "the resource server asks the PDP about every request (knooppunt PEP)")
OPTIONS = (DPOP, SCOPE, REGO, CREDENTIAL_FORMAT, SCOPE_POLICY, PEP)
#: The user flow's options: the zorgtoepassing profile, asked for with one extra scope.
USER_SCOPE = "zorgtoepassing patient/Secret.read"
USER_OPTIONS = (DPOP, replace(SCOPE, default=USER_SCOPE), REGO, SCOPE_POLICY)
#: The Rego engine: no browser wheel of regopy exists, so these scenarios run on CPython only.
NEEDS = ("regopy",)


@dataclass(kw_only=True)
class PdpWorld(S2SWorld):
    """An s2s world whose hospital asks a PDP which scopes to grant."""

    pdp: PolicyDecisionPoint


def shipped_rego() -> RegoPolicy:
    """The PDP policy shipped with nutssim (``nutssim/data/rego/scopes.rego``)."""
    text = (resources.files("nutssim") / "data" / "rego" / "scopes.rego").read_text(encoding="utf-8")
    return RegoPolicy({"scopes.rego": text})


def dynamic_policy(scope: str = "eoverdracht", scope_policy: str = "dynamic") -> dict[str, Any]:
    """The shipped policy of ``scope`` with its ``scope_policy`` set (``dynamic`` by default)."""
    policy = copy.deepcopy(shipped_policy(scope))
    policy[scope]["scope_policy"] = scope_policy
    return policy


def add_pdp(sim: Simulation, node: Node, rego: str | None, *, online: bool = True) -> PolicyDecisionPoint:
    """A PDP at https://pdp.example that ``node`` is configured with (``policy.authzen.endpoint``)."""
    policy = RegoPolicy.from_files(rego) if rego else shipped_rego()
    pdp = sim.add(PolicyDecisionPoint("pdp", "PDP (OPA)", "https://pdp.example", policy))
    pdp.online = online
    node.authzen_endpoint = pdp.endpoint
    return pdp


def pdp_world(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    dpop: bool = True,
    scope: str = REQUESTED,
    rego: str | None = None,
    credential_format: str = "jwt_vc",
    scope_policy: str = "dynamic",
    pep: bool = False,
    online: bool = True,
) -> PdpWorld:
    """The s2s world plus a PDP the hospital's node is configured with (``policy.authzen.endpoint``)."""
    sim = Simulation(seed=seed, profile=profile)
    parts = two_nodes(sim, dynamic_policy(scope_policy=scope_policy), credential_format)
    pdp = add_pdp(sim, parts["authorization_server_node"], rego, online=online)
    api = sim.add_resource_server(parts["authorization_server_node"])
    api.pep_endpoint = pdp.endpoint if pep else None
    start = service_access(sim, parts["requester"], parts["authorization_server"], parts["ehr"], api)
    return PdpWorld(
        name="s2s-dynamic-scope",
        sim=sim,
        starter=start,
        options={"dpop": dpop, "scope": scope},
        resource_server=api,
        pdp=pdp,
        **parts,
    )


@register(
    "s2s-dynamic-scope",
    options=OPTIONS,
    needs=NEEDS,
)
def s2s_dynamic_scope(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> PdpWorld:
    """Granted: eoverdracht with the two extra scopes scopes.rego lists; patient/Secret.read dropped."""
    return pdp_world(seed, profile, **options)


@register(
    "s2s-pdp-down",
    options=OPTIONS,
    needs=NEEDS,
)
def s2s_pdp_down(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> PdpWorld:
    """Refused under every profile: no decision, no token (policy/scope_granter.go)."""
    return pdp_world(seed, profile, online=False, **options)


@dataclass(kw_only=True)
class UserPdpWorld(UserWorld):
    """A user-flow world whose hospital has a PDP and a scope policy on ``zorgtoepassing``."""

    pdp: PolicyDecisionPoint


@register(
    "user-dynamic-scope",
    options=USER_OPTIONS,
    needs=NEEDS,
)
def user_dynamic_scope(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    rego: str | None = None,
    scope_policy: str = "dynamic",
    scope: str = USER_SCOPE,
    **options: Any,
) -> UserPdpWorld:
    """nuts-node issues the requested scope unasked (issue #4202); strict asks the PDP and drops the extra."""
    policy = dynamic_policy("zorgtoepassing", scope_policy)
    base = user_world(seed, profile, policy=policy, scope=scope, **options)
    pdp = add_pdp(base.sim, base.authorization_server_node, rego)
    parts = {name: getattr(base, name) for name in UserWorld.part_names()}
    return UserPdpWorld(
        name="user-dynamic-scope",
        sim=base.sim,
        starter=base.starter,
        options=base.options,
        pdp=pdp,
        **parts,
    )
