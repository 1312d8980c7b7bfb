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
    assert outcome["introspection"]["scope"] == ALLOWED
    # The client answers the EHR with the scope it requested under nuts-node (auth/client/iam/
    # openid4vp.go postTokenRequest, resolvedScope), the AS's granted scope under strict (RFC 6749 §5.1).
    assert outcome["token"]["scope"] == (ALLOWED if profile == "strict" else f"{ALLOWED} patient/Secret.read")
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
    # what the AS granted (the EHR's token answer names the requested scope under nuts-node)
    assert world.sim.trace.outcome["introspection"]["scope"] == "eoverdracht"


def test_a_denied_profile_scope_is_access_denied(tmp_path):
    rego = tmp_path / "deny-all.rego"
    rego.write_text("package nuts.authzen\nimport rego.v1\ndefault allow := false\n")
    world = scenarios.run("s2s-dynamic-scope", seed=1, rego=str(rego))
    error = world.sim.trace.outcome["error"]
    assert error["error"] == "access_denied"


@pytest.mark.parametrize(
    ("scope_policy", "granted"),
    [
        ("profile-only", None),  # the four requested scopes: invalid_scope before any PDP call
        ("passthrough", f"{ALLOWED} patient/Secret.read"),
        ("dynamic", ALLOWED),
    ],
)
def test_the_scope_policy_option_decides_whether_the_pdp_is_asked(scope_policy, granted):
    world = scenarios.run("s2s-dynamic-scope", seed=1, scope_policy=scope_policy)
    outcome = world.sim.trace.outcome
    asked = world.sim.trace.find("AuthZEN access evaluations")
    assert len(asked) == (scope_policy == "dynamic")
    if granted is None:
        assert outcome["error"]["error"] == "invalid_scope"
    else:
        assert outcome["introspection"]["scope"] == granted


def test_strict_sends_an_x_request_id_the_pdp_echoes():
    world = scenarios.run("s2s-dynamic-scope", seed=1, profile="strict")
    (batch,) = world.sim.trace.find("AuthZEN access evaluations")
    sent = batch.request.header("X-Request-ID")
    assert sent and batch.response.header("X-Request-ID") == sent
    world = scenarios.run("s2s-dynamic-scope", seed=1)
    (batch,) = world.sim.trace.find("AuthZEN access evaluations")
    assert batch.request.header("X-Request-ID") is None  # client.go sets Content-Type and Accept only


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_issue_4202_the_user_flow_applies_the_scope_policy_only_under_strict(profile):
    world = scenarios.run("user-dynamic-scope", seed=1, profile=profile)
    trace = world.sim.trace
    assert trace.outcome["status"] == "granted"
    asked = trace.find("AuthZEN access evaluations")
    if profile == "strict":
        assert len(asked) == 1 and trace.outcome["introspection"]["scope"] == "zorgtoepassing"
    else:  # openid4vp.go handleAccessTokenRequest: the requested string, no ScopeGranter
        assert asked == [] and trace.outcome["introspection"]["scope"] == "zorgtoepassing patient/Secret.read"
        (check,) = [c for _, c in trace.checks() if c.id == "code_token.scope_policy"]
        assert check.detail == "not applied (issue #4202): zorgtoepassing patient/Secret.read"


def test_the_auth_code_flow_under_strict_refuses_extra_scopes_under_profile_only():
    world = scenarios.run("user-dynamic-scope", seed=1, profile="strict", scope_policy="profile-only")
    (token,) = [
        x for x in world.sim.trace.find("token request") if x.receiver == world.authorization_server_node.id
    ]
    assert token.response.json == {
        "error": "invalid_scope",
        "error_description": "scope policy 'profile-only' does not allow additional scopes",
    }


def test_the_resource_server_as_pep_asks_the_same_pdp_with_the_introspected_claims():
    world = scenarios.run("s2s-dynamic-scope", seed=1, pep=True)
    trace = world.sim.trace
    assert trace.outcome["status"] == "granted" and trace.outcome["resource_status"] == 200
    (asked,) = trace.find("AuthZEN access evaluation")
    assert asked.sender == world.resource_server.id
    body = asked.request.json
    assert body["action"] == {"name": "GET"} and body["resource"] == {"type": "http", "id": "/resource"}
    assert body["context"] == {"scope": ALLOWED.split()}
    assert body["subject"]["properties"]["organization_name"] == "Huisartsenpraktijk West"
    assert asked.response.json == {"decision": True}


def test_the_pep_answers_502_when_the_pdp_gives_no_usable_answer():
    world = scenarios.run("s2s-pdp-down", seed=1, pep=True, scope_policy="passthrough")
    trace = world.sim.trace
    assert trace.outcome.get("resource_status") in (None, 502)
    (check,) = [c for _, c in trace.checks() if c.id == "rs.pep"]
    assert check.detail == "no usable PDP answer (HTTP 503) GET /resource"
