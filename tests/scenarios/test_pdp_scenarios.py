"""scope_policy dynamic end to end: the hospital's node asks a Rego PDP which scopes to grant (issue #20)."""

from __future__ import annotations

import pytest

from nutssim import scenarios
from nutssim.scenarios.pdp import PdpWorld

ALLOWED = "eoverdracht patient/Observation.read patient/Condition.read"


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_the_token_gets_exactly_the_scopes_the_rego_policy_allows(profile):
    world = scenarios.run("s2s-dynamic-scope", seed=1, profile=profile)
    assert isinstance(world, PdpWorld)
    outcome = world.sim.trace.outcome
    assert outcome["status"] == "granted"
    assert outcome["token"]["scope"] == ALLOWED == outcome["introspection"]["scope"]
    (batch,) = world.sim.trace.find("AuthZEN access evaluations")
    denied = [c for c in batch.checks if c.id == "pdp.decision" and not c.passed]
    assert [c.detail.split(":", 2)[1] for c in denied] == ["patient/Secret.read"]


def test_a_pdp_that_is_down_is_server_error():
    world = scenarios.run("s2s-pdp-down", seed=1)
    error = world.sim.trace.outcome["error"]
    assert (error["error"], error["error_description"]) == (
        "server_error",
        "policy decision point unavailable",
    )


def test_a_rego_file_the_user_edits_decides(tmp_path):
    rego = tmp_path / "only-profile.rego"
    rego.write_text(
        "package nuts.authzen\nimport rego.v1\ndefault allow := false\n"
        "allow if input.resource.id == input.context.policy\n"
    )
    world = scenarios.run("s2s-dynamic-scope", seed=1, rego=str(rego))
    assert world.sim.trace.outcome["token"]["scope"] == "eoverdracht"


def test_a_denied_profile_scope_is_access_denied(tmp_path):
    rego = tmp_path / "deny-all.rego"
    rego.write_text("package nuts.authzen\nimport rego.v1\ndefault allow := false\n")
    world = scenarios.run("s2s-dynamic-scope", seed=1, rego=str(rego))
    error = world.sim.trace.outcome["error"]
    assert error["error"] == "access_denied"
