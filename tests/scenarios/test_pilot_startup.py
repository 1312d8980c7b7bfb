"""A node refuses to start with scope_policy dynamic and no PDP (issue #20; policy/local.go Configure)."""

from __future__ import annotations

import pytest

from nutssim.profiles import Profile
from nutssim.scenarios import build
from nutssim.scenarios.s2s import shipped_policy
from nutssim.specs.scope_policy import ScopePolicyConfigError

MESSAGE = (
    '<dict>: credential profile "eoverdracht" has scope_policy "dynamic" but no AuthZen '
    "endpoint is configured (policy.authzen.endpoint)"
)


def dynamic_policy() -> dict:
    policy = shipped_policy("eoverdracht")
    policy["eoverdracht"]["scope_policy"] = "dynamic"
    return policy


@pytest.mark.parametrize("profile", ["nuts-node", "nuts-node-gf", "strict"])
def test_the_flow_does_not_start(profile: str) -> None:
    """Starting the flow raises the start-up refusal, before any message is sent."""
    world = build("s2s", profile=profile, policy=dynamic_policy())
    with pytest.raises(ScopePolicyConfigError) as raised:
        world.start()
    assert str(raised.value).startswith(MESSAGE)
    assert world.sim.trace.exchanges == []


def test_with_the_control_off_the_node_runs_and_answers_server_error() -> None:
    """``startup_checks`` off: the node starts and the token request meets no ScopeEvaluator."""
    world = build("s2s", profile=Profile("nuts-node").without("startup_checks"), policy=dynamic_policy())
    flow = world.run()
    assert flow.result.status == "denied"
    assert flow.result.error["error"] == "server_error"


def test_a_pdp_endpoint_satisfies_the_check() -> None:
    """The scenario with a PDP (s2s-dynamic-scope) starts and grants."""
    assert build("s2s-dynamic-scope").run().result.status == "granted"
