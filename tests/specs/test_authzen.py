"""AuthZEN 1.0 shapes: the reference's batch request, its client's reading of answers, and the PDP side.

Texts and cases follow ``policy/authzen/client_test.go`` and ``policy/scope_granter_test.go``
(nuts-node d2ad162); the strict reading follows AuthZEN 1.0 §5.5, §7.1–§7.2 and §10.1.
"""

from __future__ import annotations

import json

import pytest

from nutssim.messages import HttpResponse, json_response, text_response
from nutssim.specs import authzen
from nutssim.specs.authzen import AuthZenError, Decision


def answer(body: object, status: int = 200) -> HttpResponse:
    """A PDP answer with a JSON body."""
    return json_response(status, body)


def raw(body: str, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    """A PDP answer with an exact body text."""
    return text_response(status, body, content_type)


# -- the request the reference sends -------------------------------------------------------------------
def test_scope_request_has_the_reference_shape_and_order():
    """scope_granter_test.go TestAuthZenScopeEvaluator: subject, action, context, one evaluation per scope."""
    body = authzen.scope_evaluations_request(
        "did:web:hospital.example.com",
        {"ura": "12345678", "name": "Hospital B.V."},
        "urn:nuts:medication-overview",
        ["urn:nuts:medication-overview", "patient/Observation.read"],
    )
    assert authzen.go_json(body) == (
        '{"subject":{"type":"organization","id":"did:web:hospital.example.com",'
        '"properties":{"organization":{"name":"Hospital B.V.","ura":"12345678"}}},'
        '"action":{"name":"request_scope"},"context":{"policy":"urn:nuts:medication-overview"},'
        '"evaluations":[{"resource":{"type":"scope","id":"urn:nuts:medication-overview"}},'
        '{"resource":{"type":"scope","id":"patient/Observation.read"}}]}'
    )


def test_empty_claims_leave_properties_empty():
    """types.go: Organization is omitempty, Properties is not."""
    body = authzen.scope_evaluations_request("did:web:a", {}, "p", ["p"])
    assert body["subject"]["properties"] == {}


def test_go_json_escapes_html_characters():
    """encoding/json HTMLEscape: <, >, & and U+2028 are escaped on the wire."""
    assert authzen.go_json({"a": "<b>&\u2028"}) == '{"a":"\\u003cb\\u003e\\u0026\\u2028"}'


def test_http_request_posts_json_to_the_batch_path():
    """client_test.go: POST /access/v1/evaluations, Content-Type and Accept application/json."""
    request = authzen.evaluations_http_request("https://pdp.example", {"evaluations": []})
    assert (request.method, request.url) == ("POST", "https://pdp.example/access/v1/evaluations")
    assert request.header("Content-Type") == request.header("Accept") == "application/json"


def test_trailing_slash_doubles_under_the_reference_only():
    """client.go concatenates; §10.1 appends the path to the base URL."""
    assert authzen.evaluations_url("https://pdp.example/") == "https://pdp.example//access/v1/evaluations"
    assert authzen.evaluations_url("https://pdp.example/", reference=False).endswith(
        ".example/access/v1/evaluations"
    )


def test_duplicate_resource_ids_are_refused_before_sending():
    """client_test.go "duplicate resource ID in request returns error"."""
    body = {"evaluations": [{"resource": {"type": "scope", "id": "same"}}] * 2}
    with pytest.raises(AuthZenError, match="duplicate resource ID in request: same"):
        authzen.evaluations_http_request("https://pdp.example", body)
    assert authzen.evaluations_http_request("https://pdp.example", body, reference=False).body


# -- reading the answer, as the reference does ----------------------------------------------------------
def test_decisions_in_request_order():
    """client_test.go "partial denial": decisions correlate by index, reasons kept."""
    decisions = authzen.read_evaluations_response(
        answer({"evaluations": [{"decision": True}, {"decision": False, "context": {"reason": "no"}}]}), 2
    )
    assert decisions == (Decision(True), Decision(False, {"reason": "no"}))
    assert decisions[1].reason == "no"


@pytest.mark.parametrize(
    ("response", "text"),
    [
        (raw("internal error", 500, "text/plain"), "authzen: PDP call failed: server returned HTTP 500"),
        (answer({"evaluations": [{"decision": True}]}), "authzen: expected 2 evaluations, got 1"),
        (raw("not json"), "authzen: decode response"),
        (raw(""), "authzen: decode response: EOF"),
        (answer([]), "cannot unmarshal array into Go value"),
        (answer({"evaluations": [{"decision": "true"}, {}]}), "cannot unmarshal string into Go struct field"),
        (answer({"evaluations": {"decision": True}}), "cannot unmarshal object"),
        (raw("x" * (authzen.MAX_RESPONSE_BYTES + 1)), "exceeds max. safety limit of 1048576 bytes"),
        (
            text_response(504, "dropped", headers={"X-Nutssim-Network": "dropped by user"}),
            "authzen: execute request: dropped by user",
        ),
    ],
    ids=["http-500", "count", "not-json", "empty", "array", "string-decision", "object-list", "huge", "down"],
)
def test_unusable_answers_are_errors_with_the_reference_text(response, text):
    """client_test.go: HTTP error, count mismatch, malformed response, unreachable PDP."""
    with pytest.raises(AuthZenError, match=text.replace(".", r"\.")):
        authzen.read_evaluations_response(response, 2)


def test_go_leniency_is_reproduced():
    """encoding/json: case-insensitive keys, null and missing decisions are false, trailing bytes ignored."""
    body = '{"Evaluations":[{"DECISION":true},null,{},{"decision":null,"extra":1}]} trailing garbage'
    decisions = authzen.read_evaluations_response(raw(body, content_type="text/plain"), 4)
    assert [d.decision for d in decisions] == [True, False, False, False]
    assert authzen.read_evaluations_response(answer(None), 0) == ()


# -- reading the answer, as AuthZEN prescribes --------------------------------------------------------------
@pytest.mark.parametrize(
    ("response", "text"),
    [
        (raw('{"evaluations":[{"decision":true}]}', content_type="text/plain"), "Content-Type"),
        (raw('{"evaluations":[{"decision":true}]} x'), "not JSON"),
        (raw('{"evaluations":[{"decision":true}],"evaluations":[]}'), "not unique"),
        (answer({"evaluations": [{}]}), "boolean decision"),
        (answer({"Evaluations": [{"decision": True}]}), "no evaluations array"),
        (answer({"evaluations": [{"decision": True, "context": "x"}]}), "context must be an object"),
        (answer({"evaluations": [{"decision": True}, {"decision": True}]}), "expected 1 evaluations, got 2"),
    ],
    ids=["media-type", "trailing", "duplicate-member", "no-decision", "case", "context", "too-many"],
)
def test_strict_refuses_what_the_reference_lets_through(response, text):
    """§10.1, §10.1.1, §11.5 and §5.5 under the strict reading."""
    with pytest.raises(AuthZenError, match=text):
        authzen.read_evaluations_response(response, 1, reference=False)


def test_strict_accepts_a_short_circuit_and_denies_the_rest():
    """§7.1.2.1 deny_on_first_deny: the answer stops at the first deny; §7.2.1: the rest is closed."""
    response = answer({"evaluations": [{"decision": True}, {"decision": False}]})
    decisions = authzen.read_evaluations_response(response, 3, reference=False, semantic="deny_on_first_deny")
    assert [d.decision for d in decisions] == [True, False, False]
    with pytest.raises(AuthZenError, match="expected 3 evaluations, got 2"):
        authzen.read_evaluations_response(response, 3, reference=False)
    with pytest.raises(AuthZenError, match="expected 3 evaluations, got 2"):
        authzen.read_evaluations_response(response, 3)  # the reference knows no semantics


# -- the PDP side --------------------------------------------------------------------------------------------
def test_defaults_apply_and_an_evaluation_overrides_whole():
    """§7.1.1: top-level subject/action/resource/context are defaults an evaluation replaces."""
    body = {
        "subject": {"type": "user", "id": "alice"},
        "action": {"name": "read"},
        "context": {"time": "now"},
        "evaluations": [
            {"resource": {"type": "doc", "id": "1"}},
            {"resource": {"type": "doc", "id": "2"}, "action": {"name": "edit"}},
        ],
        "options": {"evaluations_semantic": "permit_on_first_permit"},
    }
    batch = authzen.parse_evaluations_request(json.dumps(body))
    assert batch.semantic == "permit_on_first_permit" and batch.batch
    assert [e.action["name"] for e in batch.evaluations] == ["read", "edit"]
    assert batch.evaluations[1].as_input()["context"] == {"time": "now"}


def test_no_evaluations_array_is_a_single_evaluation():
    """§7.1: without (or with an empty) evaluations array the request is a single evaluation."""
    body = {
        "subject": {"type": "u", "id": "a"},
        "action": {"name": "r"},
        "resource": {"type": "d", "id": "1"},
    }
    batch = authzen.parse_evaluations_request(json.dumps({**body, "evaluations": []}))
    assert not batch.batch and len(batch.evaluations) == 1


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("[]", "JSON object"),
        ("{", "not JSON"),
        ('{"evaluations":[{"resource":{"type":"scope","id":"a"}}]}', "subject is required"),
        (
            '{"subject":{"type":"o","id":1},"action":{"name":"x"},"resource":{"type":"s","id":"a"}}',
            "subject.id",
        ),
        ('{"evaluations":{}}', "must be an array"),
        ('{"evaluations":[1]}', "must be an object"),
        ('{"options":{"evaluations_semantic":"any"},"evaluations":[{}]}', "unknown evaluations_semantic"),
        ("[" * 5000 + "]" * 5000, "not JSON|nested"),
        ('{"a":' * 40 + "1" + "}" * 40, "nested 40 deep"),
    ],
    ids=["array", "truncated", "no-subject", "id-type", "not-array", "item", "semantic", "deep-list", "deep"],
)
def test_bad_requests_are_400_with_a_message(body, text):
    """§10.1.1: a missing required attribute is Bad Request; §11.7: nesting is bounded."""
    with pytest.raises(AuthZenError, match=text) as caught:
        authzen.parse_evaluations_request(body)
    assert caught.value.status == 400 and caught.value.kind == "bad_request"


def test_request_bounds():
    """§11.7: evaluation count, body size and media type are bounded or required."""
    item = {
        "subject": {"type": "u", "id": "a"},
        "action": {"name": "r"},
        "resource": {"type": "d", "id": "1"},
    }
    with pytest.raises(AuthZenError, match="too many evaluations"):
        authzen.parse_evaluations_request(json.dumps({"evaluations": [item] * (authzen.MAX_EVALUATIONS + 1)}))
    with pytest.raises(AuthZenError) as caught:
        authzen.parse_evaluations_request(json.dumps({"pad": "x" * authzen.MAX_REQUEST_BYTES}))
    assert caught.value.status == 413
    with pytest.raises(AuthZenError, match="Content-Type"):
        authzen.parse_evaluation_request(json.dumps(item), "text/plain")


def test_answer_bodies_and_semantics():
    """§5.5 Decision bodies, §7.2.1 error decisions, §7.1.2.1 stopping rules."""
    assert authzen.evaluations_body([Decision(True), authzen.error_decision(500, "boom")]) == {
        "evaluations": [
            {"decision": True},
            {"decision": False, "context": {"error": {"status": 500, "message": "boom"}}},
        ]
    }
    assert authzen.stops_after("deny_on_first_deny", False) and not authzen.stops_after("execute_all", False)
    assert authzen.stops_after("permit_on_first_permit", True)
