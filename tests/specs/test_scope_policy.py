"""Scope policies as the reference grants them (``policy/scope_granter.go``, ``policy/local.go``).

Cases and texts follow ``policy/scope_granter_test.go`` and ``policy/local_test.go`` at
nuts-node d2ad162; the reference's own policy files are the ones vendored under tests/data.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from nutssim.errors import OAuthError
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.specs import nuts_policy, scope_policy
from nutssim.specs.scope_policy import ScopePolicyConfigError
from tests.reference_data import PACKAGE_DATA, REFERENCE_POLICIES

DYNAMIC = nuts_policy.load(REFERENCE_POLICIES / "scope_policy_dynamic.json")
PASSTHROUGH = nuts_policy.load(REFERENCE_POLICIES / "scope_policy_passthrough.json")
PROFILE_ONLY = nuts_policy.load(PACKAGE_DATA / "policies" / "eoverdracht.json")
ENDPOINT = "https://pdp.example"


def run(process, pdp: Callable[[HttpRequest], HttpResponse] | None = None):
    """Drive a grant process, answering its request (if any) with ``pdp``; return (outcome, requests)."""
    sent: list[HttpRequest] = []
    try:
        request = next(process)
        while True:
            sent.append(request)
            assert pdp is not None, "the process asked a PDP where none was expected"
            request = process.send(pdp(request))
    except StopIteration as stop:
        return stop.value, sent


def decide(*decisions: bool) -> Callable[[HttpRequest], HttpResponse]:
    """A PDP answering the given decisions in order."""
    return lambda request: json_response(200, {"evaluations": [{"decision": d} for d in decisions]})


def dynamic(scope: str = "dynamic-scope extra-a extra-b", **kw):
    """Run a dynamic grant for ``scope``."""
    match = DYNAMIC.find_profile(scope)
    pdp = kw.pop("pdp", None)
    return run(
        scope_policy.grant(
            match, subject_did="did:web:example.com", claims={"name": "Hospital"}, endpoint=ENDPOINT, **kw
        ),
        pdp,
    )


# -- start-up and construction ---------------------------------------------------------------------
def test_dynamic_without_endpoint_refuses_to_start():
    """local_test.go "dynamic scope_policy without AuthZen endpoint fails"."""
    with pytest.raises(ScopePolicyConfigError, match="no AuthZen endpoint is configured") as caught:
        scope_policy.check_startup(DYNAMIC, None)
    assert 'credential profile "dynamic-scope" has scope_policy "dynamic"' in str(caught.value)
    assert "(policy.authzen.endpoint)" in str(caught.value)
    scope_policy.check_startup(DYNAMIC, ENDPOINT)
    scope_policy.check_startup(PASSTHROUGH, None)


def test_profile_only_refuses_extra_scopes_at_construction():
    """scope_granter_test.go: invalid_scope before any VP work."""
    with pytest.raises(OAuthError) as caught:
        scope_policy.construct(PROFILE_ONLY.find_profile("eoverdracht extra"), evaluator=False)
    assert (caught.value.error, caught.value.description) == (
        "invalid_scope",
        "scope policy 'profile-only' does not allow additional scopes",
    )
    scope_policy.construct(PROFILE_ONLY.find_profile("eoverdracht"), evaluator=False)


def test_dynamic_without_evaluator_is_server_error():
    """scope_granter_test.go "dynamic without evaluator returns server_error"."""
    with pytest.raises(OAuthError) as caught:
        scope_policy.construct(DYNAMIC.find_profile("dynamic-scope"), evaluator=False)
    assert (caught.value.error, caught.value.status) == ("server_error", 500)
    assert caught.value.description == "dynamic scope policy configured but no ScopeEvaluator available"
    scope_policy.construct(DYNAMIC.find_profile("dynamic-scope"), evaluator=True)


# -- profile-only and passthrough ------------------------------------------------------------------
def test_static_policies_grant_without_asking_anyone():
    """profileOnlyGranter / passthroughGranter: no PDP request, the granted string."""
    outcome, sent = run(
        scope_policy.grant(
            PROFILE_ONLY.find_profile("eoverdracht"), subject_did="d", claims={}, endpoint=None
        )
    )
    assert (outcome.scope, sent) == ("eoverdracht", [])
    match = PASSTHROUGH.find_profile("extra-a passthrough-scope extra-b")
    outcome, sent = run(scope_policy.grant(match, subject_did="d", claims={}, endpoint=None))
    assert (outcome.scope, outcome.error, sent) == ("passthrough-scope extra-a extra-b", None, [])


# -- dynamic ---------------------------------------------------------------------------------------
def test_dynamic_forwards_subject_profile_claims_and_every_scope():
    """scope_granter_test.go "forwards subject, profile, claims and full scope list"."""
    outcome, (request,) = dynamic(pdp=decide(True, True, True))
    body = json.loads(request.body)
    assert request.url == "https://pdp.example/access/v1/evaluations"
    assert body["subject"] == {
        "type": "organization",
        "id": "did:web:example.com",
        "properties": {"organization": {"name": "Hospital"}},
    }
    assert body["action"] == {"name": "request_scope"} and body["context"] == {"policy": "dynamic-scope"}
    assert [e["resource"]["id"] for e in body["evaluations"]] == ["dynamic-scope", "extra-a", "extra-b"]
    assert outcome.scope == "dynamic-scope extra-a extra-b" and outcome.error is None


def test_denied_other_scopes_are_dropped():
    """scope_granter_test.go "excludes denied other scopes from the granted set"."""
    outcome, _ = dynamic(pdp=decide(True, True, False))
    assert outcome.scope == "dynamic-scope extra-a"
    assert outcome.checks[-1] == (
        "token.grant_scopes",
        scope_policy.REF_GRANT,
        True,
        "dynamic: dynamic-scope extra-a (dropped: extra-b)",
    )


def test_denied_profile_scope_is_access_denied():
    """scope_granter_test.go "returns access_denied when the credential profile scope is denied"."""
    outcome, _ = dynamic(pdp=decide(False, True, True))
    assert outcome.scope is None
    assert (outcome.error.error, outcome.error.description) == (
        "access_denied",
        'PDP denied credential profile scope "dynamic-scope"',
    )
    assert outcome.error.check == "token.grant_scopes"


@pytest.mark.parametrize(
    "pdp",
    [
        lambda r: text_response(500, "internal error"),
        lambda r: text_response(502, "no host", headers={"X-Nutssim-Network": "no host"}),
        lambda r: text_response(200, "not json", "application/json"),
        decide(True),
    ],
    ids=["http-500", "unreachable", "malformed", "count"],
)
def test_any_pdp_failure_is_server_error_unavailable(pdp):
    """scope_granter_test.go "returns server_error when the evaluator fails": one generic text."""
    outcome, _ = dynamic(pdp=pdp)
    assert (outcome.error.error, outcome.error.description, outcome.error.status) == (
        "server_error",
        "policy decision point unavailable",
        500,
    )
    failed = [c for c in outcome.checks if not c[2]]
    assert failed and failed[0][0] == "token.pdp" and failed[0][3].startswith("authzen: ")


def test_repeated_scope_is_server_error_under_the_reference_and_asked_once_under_strict():
    """client.go refuses duplicate resource ids before sending; strict asks a scope once (RFC 6749 §3.3)."""
    outcome, sent = dynamic("dynamic-scope extra-a extra-a", pdp=decide(True, True))
    assert sent == [] and outcome.error.description == "policy decision point unavailable"
    assert "duplicate resource ID in request: extra-a" in outcome.checks[0][3]
    outcome, (request,) = dynamic("dynamic-scope extra-a extra-a", pdp=decide(True, True), reference=False)
    assert len(json.loads(request.body)["evaluations"]) == 2
    assert outcome.scope == "dynamic-scope extra-a extra-a"


def test_strict_reads_a_lenient_answer_as_unusable():
    """A decision the reference reads as false (missing) is malformed under AuthZEN §5.5."""
    pdp = lambda r: json_response(200, {"evaluations": [{"decision": True}, {}, {"decision": True}]})  # noqa: E731
    assert dynamic(pdp=pdp)[0].scope == "dynamic-scope extra-b"
    assert dynamic(pdp=pdp, reference=False)[0].error.description == "policy decision point unavailable"


def test_reasons_from_the_pdp_reach_the_check_detail():
    """types.go EvaluationResultContext.Reason is kept for the trace (never for the client)."""
    pdp = lambda r: json_response(  # noqa: E731
        200, {"evaluations": [{"decision": True}, {"decision": False, "context": {"reason": "not yours"}}]}
    )
    outcome, _ = dynamic("dynamic-scope extra-a", pdp=pdp)
    assert outcome.checks[0][3] == "dynamic-scope=permit, extra-a=deny (not yours)"
    assert outcome.decisions["extra-a"].reason == "not yours"


def test_granted_scope_never_echoes_an_unasked_decision():
    """The token's scope is derived from the decisions of the scopes asked, in request order."""
    match = DYNAMIC.find_profile("extra-b dynamic-scope extra-a")
    assert scope_policy.granted_scope(
        match, {"dynamic-scope": True, "extra-a": True, "extra-b": True, "x": True}
    ) == ("dynamic-scope extra-b extra-a")


# -- how the AS calls its PDP (PdpCall) ------------------------------------------------------------
def test_an_answer_after_the_10s_timeout_is_the_go_deadline_error():
    """policy/local.go authzenTimeout (10 s): a later answer fails the call, so server_error."""
    clock = iter([0, 11, 11])
    call = scope_policy.PdpCall(now=lambda: next(clock))
    outcome, _ = dynamic(pdp=decide(True, True, True), call=call)
    assert outcome.error.description == "policy decision point unavailable"
    assert outcome.checks[0][3] == (
        'authzen: execute request: Post "https://pdp.example/access/v1/evaluations": '
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    )
    clock = iter([0, 10, 10])
    outcome, _ = dynamic(pdp=decide(True, True, True), call=scope_policy.PdpCall(now=lambda: next(clock)))
    assert outcome.scope == "dynamic-scope extra-a extra-b"


def test_strict_sends_a_request_id_and_refuses_an_answer_that_does_not_echo_it():
    """AuthZEN 1.0 §10.1.3: the PDP echoes X-Request-ID; another id is another request's answer."""
    call = scope_policy.PdpCall(request_id="req-1")

    def echo(request: HttpRequest) -> HttpResponse:
        assert request.header("X-Request-ID") == "req-1"
        body = {"evaluations": [{"decision": True}] * 3}
        return json_response(200, body, headers={"X-Request-ID": "req-1"})

    assert dynamic(pdp=echo, call=call)[0].scope == "dynamic-scope extra-a extra-b"
    outcome, _ = dynamic(pdp=decide(True, True, True), call=call)
    assert outcome.error.description == "policy decision point unavailable"
    assert outcome.checks[0][3] == "answer X-Request-ID None does not echo the request's 'req-1' (§10.1.3)"


def test_the_reference_sends_no_request_id():
    """client.go Client.Evaluate sets Content-Type and Accept only."""
    _, (request,) = dynamic(pdp=decide(True, True, True))
    assert [name for name, _ in request.headers] == ["Content-Type", "Accept"]


def test_fail_open_grants_every_requested_scope_without_a_decision():
    """The vulnerable variant (control pdp_fail_closed off): a failed call grants what was asked."""
    outcome, _ = dynamic(pdp=lambda r: text_response(503, "down"), call=scope_policy.PdpCall(fail_open=True))
    assert (outcome.scope, outcome.error) == ("dynamic-scope extra-a extra-b", None)
    assert [c[0] for c in outcome.checks] == ["token.pdp", "token.grant_scopes"]
    assert outcome.checks[1][3] == "fail-open without a decision: dynamic-scope extra-a extra-b"
