"""Scope policies decided by an AuthZEN PDP that evaluates Rego (issue #20, PROTOCOL.md §3.8).

The hospital's credential profile for ``eoverdracht`` carries ``scope_policy: dynamic``: its
node asks a PDP (``nutssim.parties.pdp``), in one AuthZEN batch, about every requested scope.
A denied profile scope is ``access_denied``; other denied scopes are dropped; a PDP that is
down is ``server_error`` "policy decision point unavailable" (nuts-node
``policy/scope_granter.go``). The Rego policy is a file a user edits (``rego=`` option).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from typing import Any

from nutssim.parties.pdp import PolicyDecisionPoint, RegoPolicy
from nutssim.profiles import Profile
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import CREDENTIAL_FORMAT, DPOP, service_access, shipped_policy, two_nodes
from nutssim.scenarios.world import S2SWorld
from nutssim.simulation import Simulation

#: Profile scope first, then two extra scopes the shipped Rego grants and one it does not.
REQUESTED = "eoverdracht patient/Observation.read patient/Condition.read patient/Secret.read"

SCOPE = Option("scope", str, REQUESTED, "the scopes the EHR asks for (the profile scope first)")
REGO = Option("rego", str, None, "a .rego file for the PDP (default: nutssim/data/rego/scopes.rego)")
OPTIONS = (DPOP, SCOPE, REGO, CREDENTIAL_FORMAT)


@dataclass(kw_only=True)
class PdpWorld(S2SWorld):
    """An s2s world whose hospital asks a PDP which scopes to grant."""

    pdp: PolicyDecisionPoint


def shipped_rego() -> RegoPolicy:
    """The PDP policy shipped with nutssim (``nutssim/data/rego/scopes.rego``)."""
    text = (resources.files("nutssim") / "data" / "rego" / "scopes.rego").read_text(encoding="utf-8")
    return RegoPolicy({"scopes.rego": text})


def dynamic_policy() -> dict[str, Any]:
    """The shipped eoverdracht policy with ``scope_policy: dynamic``."""
    policy = copy.deepcopy(shipped_policy("eoverdracht"))
    policy["eoverdracht"]["scope_policy"] = "dynamic"
    return policy


def pdp_world(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    dpop: bool = True,
    scope: str = REQUESTED,
    rego: str | None = None,
    credential_format: str = "jwt_vc",
    online: bool = True,
) -> PdpWorld:
    """The s2s world plus a PDP the hospital's node is configured with (``policy.authzen.endpoint``)."""
    sim = Simulation(seed=seed, profile=profile)
    parts = two_nodes(sim, dynamic_policy(), credential_format)
    pdp = sim.add(
        PolicyDecisionPoint(
            "pdp", "PDP (OPA)", "https://pdp.example", RegoPolicy.from_files(rego) if rego else shipped_rego()
        )
    )
    pdp.online = online
    parts["authorization_server_node"].authzen_endpoint = pdp.endpoint
    api = sim.add_resource_server(parts["authorization_server_node"])
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
    "scope_policy dynamic: an AuthZEN PDP in Rego grants the profile scope and the extra scopes it allows",
    options=OPTIONS,
)
def s2s_dynamic_scope(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> PdpWorld:
    """Granted: eoverdracht with the two extra scopes scopes.rego lists; patient/Secret.read dropped."""
    return pdp_world(seed, profile, **options)


@register(
    "s2s-pdp-down",
    "scope_policy dynamic with the PDP down: server_error 'policy decision point unavailable'",
    options=OPTIONS,
)
def s2s_pdp_down(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> PdpWorld:
    """Refused under every profile: no decision, no token (policy/scope_granter.go)."""
    return pdp_world(seed, profile, online=False, **options)
