"""The service-to-service scenario end to end: messages in order, token and introspection exact."""

from __future__ import annotations

import json

import pytest
from jwcrypto import jwk, jws

from nutssim import jose, scenarios
from nutssim.messages import HttpRequest
from nutssim.specs import rfc9449
from tests.reference_data import scenario_options

EXPECTED_LABELS = [
    "request service access token",
    "AS metadata",
    "presentation definition",
    "token request",
    "DID document (did:web)",
    "status list (StatusList2021)",
    "DID document (did:web)",
    # the register's DID document again (for the VC), served by the hospital's HTTP cache
    "create DPoP proof",
    "resource request",
    "introspection",
    "DPoP validation",
]


@pytest.fixture(scope="module")
def world() -> scenarios.World:
    """One granted s2s run shared by the read-only tests below."""
    return scenarios.run("s2s", seed=3)


def test_exchanges_in_order(world):
    """Metadata, PD, token (with DID resolutions and the status list), DPoP proof, resource, introspection."""
    assert world.sim.trace.labels() == EXPECTED_LABELS
    assert world.sim.trace.outcome["status"] == "granted"
    assert not world.sim.trace.failed_checks()
    assert not world.sim.trace.facts("party_crash")


def test_a_repeated_did_resolution_is_an_http_cache_hit(world):
    """The register's did.json (max-age=300) is fetched once; its second resolution is a cache hit."""
    hits = world.sim.trace.facts("http_cache_hit")
    assert [(f.party, f.data["label"], f.data["fresh_for"]) for f in hits] == [
        ("hospital", "DID document (did:web)", 300)
    ]
    assert hits[0].data["url"] in {x.request.url for x in world.sim.trace.find("DID document (did:web)")}


def test_nested_exchanges_name_their_parent(world):
    """DID resolutions happen while the token request is handled, so they name it as parent."""
    token = world.sim.trace.find("token request")[0]
    children = [x for x in world.sim.trace.exchanges if x.parent == token.seq]
    assert {x.label for x in children} == {"DID document (did:web)", "status list (StatusList2021)"}


def test_token_response_is_exactly_the_reference_shape(world):
    """PROTOCOL.md §1.6: access_token, expires_in 900, scope, token_type DPoP, empty dpop_kid; no caching."""
    response = world.sim.trace.find("token request")[0].response
    body = response.json
    assert set(body) == {"access_token", "expires_in", "scope", "token_type", "dpop_kid"}
    assert (body["expires_in"], body["scope"], body["token_type"], body["dpop_kid"]) == (
        900,
        "eoverdracht",
        "DPoP",
        "",
    )
    assert len(body["access_token"]) == 43
    # The reference's NoCache middleware (http/cache/middleware.go) sends RFC 6749 §5.1's values swapped.
    assert (response.header("Cache-Control"), response.header("Pragma")) == ("no-cache", "no-store")


def test_node_b_fills_in_dpop_kid_and_expires_at(world):
    """PROTOCOL.md §1.6: node B replaces dpop_kid with its signing kid and adds expires_at."""
    token = world.sim.trace.outcome["token"]
    assert token["dpop_kid"] == world.requester.identities[0].key.kid
    assert token["expires_at"] == world.sim.clock.now() + 900


def test_introspection_carries_cnf_jkt_of_the_dpop_key_and_pd_claims(world):
    """PROTOCOL.md §1.7 step 3: cnf.jkt is the thumbprint of the client's DPoP key; field ids are claims."""
    body = world.sim.trace.find("introspection")[0].response.json
    key = world.requester.identities[0].key
    assert body == {
        "active": True,
        "iss": "https://hospital.example/oauth2/ziekenhuis-oost",
        "client_id": "https://gp.example/oauth2/huisarts-west",
        "scope": "eoverdracht",
        "iat": body["iat"],
        "exp": body["iat"] + 900,
        "cnf": {"jkt": key.thumbprint()},
        "organization_name": "Huisartsenpraktijk West",
        "organization_city": "Utrecht",
        "employee_identifier": "123456",
        "employee_name": "Jan de Vries",
        "employee_role": "Huisarts",
    }


def test_token_request_form_and_dpop_proof(world):
    """PROTOCOL.md §1.4: the form fields, and a DPoP proof for POST to the token endpoint without ath."""
    request = world.sim.trace.find("token request")[0].request
    assert set(request.form) == {"grant_type", "client_id", "assertion", "presentation_submission", "scope"}
    assert request.form["grant_type"] == "vp_token-bearer"
    assert request.header("Accept") == "application/json"
    proof = rfc9449.parse_proof(request.header("DPoP"), world.sim.clock.now())
    assert (proof.htm, proof.htu, proof.ath) == (
        "POST",
        "https://hospital.example/oauth2/ziekenhuis-oost/token",
        None,
    )


def test_vp_in_the_trace_verifies_with_another_library(world):
    """Messages are recorded raw: the VP JWT re-verifies with jwcrypto and the holder's public key."""
    request = world.sim.trace.find("token request")[0].request
    token = request.form["assertion"]
    key = world.requester.identities[0].key
    verifier = jws.JWS()
    verifier.deserialize(token)
    verifier.verify(jwk.JWK(**key.public_jwk()))
    claims = json.loads(verifier.payload)
    assert claims["aud"] == "https://hospital.example/oauth2/ziekenhuis-oost"
    assert claims["exp"] - claims["nbf"] == 5
    assert claims["iss"] == claims["sub"] == world.requester.did


def test_metadata_is_served_at_both_placements(world):
    """RFC 8414 §3: the insert placement, and the append placement as fallback."""
    node = world.authorization_server_node
    for url in (
        f"{node.host}/.well-known/oauth-authorization-server/oauth2/ziekenhuis-oost",
        f"{node.host}/oauth2/ziekenhuis-oost/.well-known/oauth-authorization-server",
    ):
        response = world.sim.network.send(HttpRequest.get(url), sender="test")
        assert response.json["issuer"] == "https://hospital.example/oauth2/ziekenhuis-oost"
        assert response.json["token_endpoint"].endswith("/token")


def test_same_seed_same_bytes_and_other_seed_differs():
    """ARCHITECTURE principle 6: the same seed gives a byte-identical trace export."""
    first = scenarios.run("s2s", seed=11).sim.trace.to_json()
    assert scenarios.run("s2s", seed=11).sim.trace.to_json() == first
    assert scenarios.run("s2s", seed=12).sim.trace.to_json() != first


def test_bearer_variant_has_no_cnf_and_no_dpop_header():
    """PROTOCOL.md §4.2 #71: a Bearer token is issued with token_type Bearer and no cnf."""
    world = scenarios.run("s2s-bearer", seed=3)
    trace = world.sim.trace
    assert trace.outcome["status"] == "granted"
    assert trace.outcome["token"]["token_type"] == "Bearer"
    assert "cnf" not in trace.outcome["introspection"]
    assert trace.find("token request")[0].request.header("DPoP") is None
    assert "create DPoP proof" not in trace.labels()


@pytest.mark.parametrize("name", ["s2s", "s2s-bearer", "s2s-ldp", "s2s-mixed"])
@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_every_s2s_scenario_is_granted_under_both_profiles(name, profile):
    """The good runs work under the reference and the strict profile (s2s-ldp: see the next test)."""
    world = scenarios.run(name, seed=5, profile=profile, **scenario_options(name, profile))
    assert world.sim.trace.outcome["status"] == "granted", world.sim.trace.failed_checks()


def test_the_reference_e2e_policy_finds_no_credential_under_the_spec_reading():
    """Issue #22: rfc021-e2e.json tests the $.type array with a string filter (DIF PE v2 §Input Eval.)."""
    world = scenarios.run("s2s-ldp", seed=5, profile="strict")
    outcome = world.sim.trace.outcome
    assert outcome["status"] == "denied"
    description = outcome["error"]["error_description"]
    assert description.startswith("wallet could not fulfill requirements: no credentials fulfil")
    assert "an element passes, but the filter applies to the whole array" in description


def test_ldp_scenario_uses_the_reference_policy_and_json_ld_vp():
    """Issue #12: the reference rfc021-e2e.json runs unchanged; the VP is JSON-LD with its paths."""
    world = scenarios.run("s2s-ldp", seed=5)
    request = world.sim.trace.find("token request")[0].request
    vp = json.loads(request.form["assertion"])
    assert vp["proof"]["type"] == "JsonWebSignature2020"
    assert vp["proof"]["domain"] == "https://hospital.example/oauth2/ziekenhuis-oost"
    assert vp["proof"]["challenge"] == vp["proof"]["nonce"]
    submission = json.loads(request.form["presentation_submission"])
    assert submission["definition_id"] == "pd_any_care_organization_with_employee"
    assert [d["path"] for d in submission["descriptor_map"]] == [
        "$.verifiableCredential[0]",
        "$.verifiableCredential[1]",
    ]


def test_stepping_shows_each_pending_message_before_delivery():
    """ARCHITECTURE principle 2: a flow can be stepped one delivery at a time, nested ones included."""
    world = scenarios.build("s2s", seed=3)
    flow = world.start()
    seen = []
    while not flow.done:
        seen.append((flow.pending.label, flow.run.depth))
        flow.step()
    assert seen[0] == ("request service access token", 0)
    assert ("AS metadata", 1) in seen
    assert ("DID document (did:web)", 2) in seen
    assert flow.result.status == "granted"


def test_jose_decode_of_every_jwt_in_the_trace():
    """Every compact JWT that crossed the wire decodes (a smoke test of raw recording)."""
    world = scenarios.run("s2s", seed=3)
    tokens = [
        x.request.form.get("assertion") for x in world.sim.trace.exchanges if x.request.form.get("assertion")
    ]
    tokens += [x.request.header("DPoP") for x in world.sim.trace.exchanges if x.request.header("DPoP")]
    assert len(tokens) == 3
    for token in tokens:
        jose.decode(token)
