"""The PEP helpers: knooppunt's NGINX PEP input (authorize.js at 9beca4c) and nutssim's AuthZEN form."""

from __future__ import annotations

import json

from nutssim.specs import authzen, pep

INTROSPECTION = {
    "active": True,
    "client_id": "https://gp.example/oauth2/gp",
    "scope": "bgz patient/Observation.read",
    "cnf": {"jkt": "abc"},
    "organization_name": "Huisartsenpraktijk West",
}


def test_knooppunt_input_strips_the_fhir_base_and_passes_the_introspection_whole():
    """buildPDPRequest: /fhir/Condition?x=1 → path /Condition, query x=1; subject = introspection."""
    body = pep.knooppunt_pdp_input(INTROSPECTION, method="GET", request_uri="/fhir/Condition?x=1")
    assert body["input"]["subject"] == INTROSPECTION
    request = body["input"]["request"]
    assert (request["path"], request["query"], request["header"]) == (
        "/Condition",
        "x=1",
        {"Content-Type": [""]},
    )
    assert body["input"]["context"]["connection_type_code"] == "hl7-fhir-rest"
    assert (
        pep.knooppunt_pdp_input({}, method="GET", request_uri="/fhir/a?b?c")["input"]["request"]["query"]
        == "b"
    )
    assert pep.knooppunt_pdp_input({}, method="GET", request_uri="/fhir")["input"]["request"]["path"] == "/"
    assert (
        pep.knooppunt_pdp_input({}, method="", request_uri="/other/x")["input"]["request"]["path"]
        == "/other/x"
    )


def test_knooppunt_decision_statuses():
    """authorizeRequest: allow → 200, deny → 403, anything malformed → 502."""
    assert pep.knooppunt_decision(200, {"allow": True}) == 200
    assert pep.knooppunt_decision(200, {"allow": False, "reasons": ["no"]}) == 403
    assert [pep.knooppunt_decision(s, b) for s, b in [(500, {}), (200, {"allow": "yes"}), (200, None)]] == [
        502
    ] * 3


def test_authzen_form_is_a_valid_single_evaluation():
    """nutssim's design parses as an AuthZEN 1.0 §6.1 request; token metadata stays out of properties."""
    body = pep.authzen_request(INTROSPECTION, method="get", path="/fhir/Condition")
    evaluation = authzen.parse_evaluation_request(json.dumps(body))
    assert evaluation.subject["properties"] == {"organization_name": "Huisartsenpraktijk West"}
    assert evaluation.action == {"name": "GET"}
    assert evaluation.context == {"scope": ["bgz", "patient/Observation.read"]}
