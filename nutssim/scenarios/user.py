"""User-flow scenarios (PROTOCOL.md §2): a GP's employee opens hospital data through the browser.

The GP's EHR asks its node for a user access token for a pre-authorized employee; the
browser lands on the GP node, is sent to the hospital's authorization endpoint with a
signed request object, the hospital asks the GP node's organization wallet and then the
employee's session wallet for presentations (OpenID4VP, ``direct_post``), and the code
comes back to the GP node, which redeems it with PKCE and DPoP. The EHR then collects
the token and calls the hospital's API.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nutssim.profiles import Profile
from nutssim.scenarios import s2s
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import shipped_policy, two_nodes
from nutssim.scenarios.world import UserWorld
from nutssim.simulation import FlowRun, Simulation

#: The employee the EHR vouches for (``preauthorized_user``, PROTOCOL.md §2.2 step 1).
USER = {"id": "jdoe@huisarts-west.example", "name": "John Doe", "role": "Huisarts"}
SCOPE = "zorgtoepassing"
OPTIONS = (
    s2s.DPOP,
    replace(s2s.SCOPE, default=SCOPE),
    replace(s2s.POLICY, help="the hospital's policy (a policy file's JSON; default: zorgtoepassing.json)"),
    Option("user", dict, None, "the employee the EHR vouches for: id, name, role (default: John Doe)"),
)


def user_world(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    dpop: bool = True,
    policy: dict[str, Any] | None = None,
    scope: str = SCOPE,
    user: dict[str, str] | None = None,
) -> UserWorld:
    """Two nodes, the register's NutsOrganizationCredential for the GP, an EHR, a browser and an API."""
    sim = Simulation(seed=seed, profile=profile)
    parts = two_nodes(sim, policy or shipped_policy("zorgtoepassing"))
    gp, hospital, ehr = parts["requester"], parts["authorization_server"], parts["ehr"]
    browser = sim.add_browser()
    api = sim.add_resource_server(parts["authorization_server_node"])

    def start(*, dpop: bool = dpop, scope: str = scope, user: dict[str, str] | None = user) -> FlowRun:
        return sim.user_access(
            gp,
            hospital,
            scope,
            preauthorized_user=dict(user or USER),
            ehr=ehr,
            browser=browser,
            resource_server=api,
            dpop=dpop,
        )

    options = {"dpop": dpop, "scope": scope}
    return UserWorld(
        name="user", sim=sim, starter=start, options=options, browser=browser, resource_server=api, **parts
    )


def organization_only(policy: dict[str, Any], scope: str = SCOPE) -> dict[str, Any]:
    """A policy whose profile keeps only its organization definition (steps 16–18 then vanish)."""
    profile = {k: v for k, v in policy[scope].items() if k != "user"}
    return {**policy, scope: profile}


@register(
    "user",
    options=OPTIONS,
)
def user(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> UserWorld:
    """The user flow with both definitions of ``zorgtoepassing``."""
    return user_world(seed, profile, **options)


@register(
    "user-no-user-pd",
    options=OPTIONS,
)
def user_no_user_pd(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    policy: dict[str, Any] | None = None,
    **options: Any,
) -> UserWorld:
    """The user flow against a profile with only the organization definition (of ``policy``)."""
    reduced = organization_only(policy or shipped_policy("zorgtoepassing"))
    return user_world(seed, profile, policy=reduced, **options)
