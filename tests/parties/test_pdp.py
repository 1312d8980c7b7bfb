"""The AuthZEN PDP party on a bare simulated network, deciding with the shipped Rego policies."""

from __future__ import annotations

import json

import pytest

from nutssim.messages import HttpRequest
from nutssim.parties.pdp import PolicyDecisionPoint, RegoPolicy, RegoPolicyError
from nutssim.simulation import Simulation
from nutssim.specs import authzen, nuts_policy, scope_policy
from tests.reference_data import PACKAGE_DATA, REFERENCE_POLICIES

REGO = PACKAGE_DATA / "rego"
HOST = "https://pdp.example"
ORG = {"organization_name": "Huisartsenpraktijk West", "organization_city": "Utrecht"}


def add_pdp(sim: Simulation, *files: str, sources: dict[str, str] | None = None) -> PolicyDecisionPoint:
    """A PDP at HOST with the given shipped Rego files (or inline sources)."""
    policy = RegoPolicy(sources) if sources else RegoPolicy.from_files(*(REGO / f for f in files))
    return sim.add(PolicyDecisionPoint("pdp", "PDP", HOST, policy))


def batch(profile: str, *scopes: str, claims: dict | None = None) -> HttpRequest:
    """The batch request the reference's AS sends for ``scopes``."""
    body = authzen.scope_evaluations_request(
        "did:web:gp.example", ORG if claims is None else claims, profile, scopes
    )
    return authzen.evaluations_http_request(HOST, body)


def decisions(sim: Simulation, request: HttpRequest) -> list[bool]:
    """Send a batch and read its decisions as the reference does."""
    response = sim.network.send(request, "as")
    expected = len(json.loads(request.body)["evaluations"])
    return [d.decision for d in authzen.read_evaluations_response(response, expected)]


def test_shipped_policy_grants_listed_scopes_only(sim):
    """scopes.rego: the profile scope, and the extra scopes listed for that profile."""
    add_pdp(sim, "scopes.rego")
    request = batch("eoverdracht", "eoverdracht", "patient/Observation.read", "patient/Everything.write")
    assert decisions(sim, request) == [True, True, False]
    (exchange,) = sim.trace.exchanges
    checks = [(c.id, c.passed) for c in exchange.checks]
    assert checks == [
        ("pdp.request", True),
        ("pdp.decision", True),
        ("pdp.decision", True),
        ("pdp.decision", False),
    ]
    assert "scope not allowed for this credential profile" in exchange.checks[-1].detail
    assert "scopes.rego" in exchange.checks[-1].ref and "AuthZEN 1.0 §7.2" in exchange.checks[-1].ref


def test_overbroad_policy_grants_what_the_listed_one_refuses(sim):
    """scopes_overbroad.rego: any patient/ scope passes, the lesson of an over-broad rule."""
    add_pdp(sim, "scopes_overbroad.rego")
    assert decisions(sim, batch("eoverdracht", "eoverdracht", "patient/Everything.write")) == [True, True]


def test_claims_reach_the_policy(sim):
    """The organization's PD field values are input.subject.properties.organization."""
    add_pdp(sim, "scopes.rego")
    assert decisions(sim, batch("eoverdracht", "eoverdracht", "patient/Observation.read", claims={})) == [
        True,
        False,
    ]


def test_dynamic_grant_end_to_end_through_the_network(sim):
    """scope_policy.grant driven by the network against this PDP: the granted scope string."""
    add_pdp(sim, "scopes.rego")
    policy = nuts_policy.Policy.from_dict(
        {
            "eoverdracht": {
                **json.loads((PACKAGE_DATA / "policies" / "eoverdracht.json").read_text())["eoverdracht"],
                "scope_policy": "dynamic",
            }
        }
    )
    match = policy.find_profile("eoverdracht patient/Observation.read patient/Everything.write")
    outcome = sim.run(
        scope_policy.grant(match, subject_did="did:web:gp.example", claims=ORG, endpoint=HOST), "as"
    )
    assert outcome.scope == "eoverdracht patient/Observation.read"
    assert len(sim.trace.facts("pdp_decision")) == 3


def test_a_pdp_down_is_unavailable_to_the_granter(sim):
    """A PDP that answers 503, or no PDP at all: server_error "policy decision point unavailable"."""
    pdp = add_pdp(sim, "scopes.rego")
    pdp.online = False
    match = nuts_policy.load(REFERENCE_POLICIES / "scope_policy_dynamic.json").find_profile("dynamic-scope")
    for endpoint in (HOST, "https://nowhere.example"):
        outcome = sim.run(scope_policy.grant(match, subject_did="d", claims={}, endpoint=endpoint), "as")
        assert outcome.error.description == "policy decision point unavailable"


def test_rego_errors_are_error_decisions_not_crashes(sim):
    """A Rego evaluation that errors answers that evaluation closed with context.error (§7.2.1)."""
    source = "package nuts.authzen\nimport rego.v1\nallow := 10 / count(input.resource.id) > 1\n"
    add_pdp(sim, sources={"divide.rego": source})
    body = {
        "subject": {"type": "organization", "id": "d"},
        "action": {"name": "request_scope"},
        "evaluations": [
            {"resource": {"type": "scope", "id": ""}},
            {"resource": {"type": "scope", "id": "ab"}},
        ],
    }
    response = sim.network.send(HttpRequest.post_json(HOST + authzen.EVALUATIONS_PATH, body), "as")
    assert response.status == 200
    first, second = response.json["evaluations"]
    assert first == {
        "decision": False,
        "context": {"error": {"status": 500, "message": "Rego evaluation failed: divide by zero"}},
    }
    assert second == {"decision": True}
    single = {**body, **body["evaluations"][0]}
    del single["evaluations"]
    response = sim.network.send(HttpRequest.post_json(HOST + authzen.EVALUATION_PATH, single), "as")
    assert (response.status, response.body) == (500, "Rego evaluation failed: divide by zero")
    assert not sim.trace.facts("party_crash")


def test_conflicting_rules_and_non_boolean_results_are_errors(sim):
    """Rego's conflict error and a non-boolean allow both become error decisions."""
    add_pdp(
        sim,
        sources={
            "c.rego": "package nuts.authzen\nimport rego.v1\n"
            'allow := true if input.action\nallow := "x" if input.resource\n'
        },
    )
    response = sim.network.send(batch("p", "p"), "as")
    assert "multiple outputs" in response.json["evaluations"][0]["context"]["error"]["message"]


def test_semantics_short_circuit(sim):
    """§7.1.2.1: deny_on_first_deny stops after the first deny."""
    add_pdp(sim, "scopes.rego")
    body = json.loads(batch("eoverdracht", "eoverdracht", "x", "patient/Observation.read").body)
    body["options"] = {"evaluations_semantic": "deny_on_first_deny"}
    response = sim.network.send(HttpRequest.post_json(HOST + authzen.EVALUATIONS_PATH, body), "as")
    assert [e["decision"] for e in response.json["evaluations"]] == [True, False]


@pytest.mark.parametrize(
    ("body", "status"),
    [("{", 400), ("[]", 400), ('{"evaluations":[{}]}', 400), ("{" + '"a":' * 40 + "1" + "}" * 40, 400)],
    ids=["truncated", "array", "incomplete", "deep"],
)
def test_hostile_requests_get_spec_coded_errors(sim, body, status):
    """§10.1.2: a status and an error message string; never a crash."""
    add_pdp(sim, "scopes.rego")
    request = HttpRequest(
        "POST", HOST + authzen.EVALUATIONS_PATH, (("Content-Type", "application/json"),), body
    )
    response = sim.network.send(request, "as")
    assert response.status == status and response.body
    assert (
        sim.trace.exchanges[0].checks[0].id == "pdp.request" and not sim.trace.exchanges[0].checks[0].passed
    )


def test_too_many_evaluations_and_request_id(sim):
    """§11.7 bounds the batch; §10.1.3 echoes X-Request-ID."""
    add_pdp(sim, "scopes.rego")
    request = batch("p", *[f"s{i}" for i in range(authzen.MAX_EVALUATIONS + 1)]).with_headers(
        X_Request_ID="r-1"
    )
    response = sim.network.send(request, "as")
    assert response.status == 400 and "too many evaluations" in response.body
    assert response.header("X-Request-ID") == "r-1"


def test_same_seed_same_decisions():
    """Determinism: two runs give the same exchanges and checks."""
    traces = []
    for _ in range(2):
        sim = Simulation(seed=7)
        add_pdp(sim, "scopes.rego")
        sim.network.send(batch("eoverdracht", "eoverdracht", "patient/Condition.read", "x"), "as")
        traces.append([(e.response.body, [c.detail for c in e.checks]) for e in sim.trace.exchanges])
    assert traces[0] == traces[1]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("package nuts.authzen\nallow if { ", "bad.rego:2:10: this is unclosed"),
        (
            "package nuts.authzen\nimport rego.v1\nallow if time.now_ns() > 0\n",
            "bad.rego:3: built-in time.now_ns",
        ),
        ("package other\nallow := true\n", "no file declares package nuts.authzen"),
    ],
    ids=["syntax", "clock", "package"],
)
def test_policy_mistakes_are_input_errors_with_where(source, text):
    """A user's Rego mistake is refused at load with file, line and a hint."""
    with pytest.raises(RegoPolicyError, match=text):
        RegoPolicy({"bad.rego": source})


def test_a_comment_naming_a_clock_builtin_is_fine():
    """Only code is checked for non-deterministic built-ins, not comments or strings."""
    RegoPolicy({"ok.rego": 'package nuts.authzen\n# never time.now_ns\nallow := "time.now_ns" != ""\n'})
