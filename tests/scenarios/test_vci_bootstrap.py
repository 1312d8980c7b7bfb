"""vci-bootstrap: an empty wallet filled over OpenID4VCI 1.0 as the reference's wallet does it, then s2s."""

from __future__ import annotations

import json

import pytest

from nutssim import jose, scenarios
from nutssim.messages import HttpRequest
from nutssim.network import Tamper
from nutssim.scenarios.vci import VciWorld

RETRIEVE = "failed to retrieve the credential from https://register.example/openid4vci/credential"


def _world(profile: str = "nuts-node", **options: object) -> VciWorld:
    world = scenarios.build("vci-bootstrap", profile=profile, **options)
    assert isinstance(world, VciWorld)
    return world


def _proofs(world: VciWorld) -> list[jose.CompactJWS]:
    return [
        jose.decode(x.request.json["proofs"]["jwt"][0]) for x in world.sim.trace.find("credential request")
    ]


def test_the_wallet_starts_empty_is_filled_over_the_wire_and_the_s2s_flow_is_granted() -> None:
    world = _world()
    assert world.requester.wallet.credentials == []
    result = world.run().result
    assert result is not None and result.granted
    labels = world.sim.trace.labels()
    order = [
        "credential offer",
        "request credential (OpenID4VCI)",
        "credential issuer metadata",
        "issuer AS metadata",
        "credential authorization request",
        "authorization callback",
        "credential token request",
        "nonce request",
        "credential request",
        "EHR landing page",
        "request service access token",
        "token request",
    ]
    assert [label for label in labels if label in order] == order
    (held,) = world.requester.wallet.credentials
    assert held.type_label == "NutsOrganizationCredential" and held.issuer == world.register.did
    assert held.subject_ids == [world.requester.did]
    assert [f.data["id"] for f in world.sim.trace.facts("credential_stored")] == [held.id]


def test_the_authorization_request_carries_pkce_and_one_authorization_detail() -> None:
    world = _world(access=False)
    world.run()
    query = world.sim.trace.find("credential authorization request")[0].request.query
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["client_id"] == world.requester.url and query["client_id_scheme"] == "entity_id"
    assert query["redirect_uri"] == "https://gp.example/oauth2/callback"
    assert json.loads(query["authorization_details"]) == [
        {"type": "openid_credential", "credential_configuration_id": "NutsOrganizationCredential_jwt"}
    ]
    token = world.sim.trace.find("credential token request")[0]
    assert "code_verifier" in token.request.form and "DPoP" not in dict(token.request.headers)
    body = world.sim.trace.find("credential request")[0].request.json
    identifiers = token.response.json["authorization_details"][0]["credential_identifiers"]
    assert body["credential_identifier"] == identifiers[0] and "credential_configuration_id" not in body


@pytest.mark.parametrize(("profile", "iss"), [("nuts-node", "did"), ("strict", "client_id")])
def test_the_key_proof_is_bound_to_the_holder_did(profile: str, iss: str) -> None:
    world = _world(profile, access=False)
    world.run()
    (proof,) = _proofs(world)
    assert proof.header["typ"] == "openid4vci-proof+jwt"
    assert proof.kid == world.requester.identities[0].key.kid
    assert proof.payload["aud"] == "https://register.example"
    nonce = world.sim.trace.find("nonce request")[0].response.json["c_nonce"]
    assert proof.payload["nonce"] == nonce
    # openid4vciProof puts the wallet DID in iss; Appendix F.1 asks for the client_id (strict).
    assert proof.payload["iss"] == (world.requester.did if iss == "did" else world.requester.url)


def _bad_nonce(world: VciWorld, times: int) -> None:
    """Re-sign the wallet's first ``times`` proofs with a nonce the issuer never gave out."""
    key = world.requester.identities[0].key

    def change(request: HttpRequest) -> HttpRequest:
        body = request.json
        proof = jose.decode(body["proofs"]["jwt"][0])
        forged = jose.sign(
            {"typ": proof.header["typ"], "kid": proof.kid}, {**proof.payload, "nonce": "x"}, key
        )
        return HttpRequest.post_json(
            request.url, {**body, "proofs": {"jwt": [forged]}}, dict(request.headers)
        )

    is_credential = lambda r: r.path == "/openid4vci/credential"  # noqa: E731
    world.sim.network.interceptors.append(Tamper(is_credential, change, times=times))


def test_one_retry_on_invalid_nonce_recovers() -> None:
    world = _world(access=False)
    _bad_nonce(world, times=1)
    assert world.run().result.granted  # type: ignore[union-attr]
    labels = world.sim.trace.labels()
    assert labels.count("nonce request") == 2 and labels.count("credential request") == 2
    first = world.sim.trace.find("credential request")[0].response.json
    assert first == {
        "error": "invalid_nonce",
        "error_description": "proof nonce is not a c_nonce of this issuer",
    }
    assert any(c.id == "vci.retry" for _, c in world.sim.trace.checks())


def test_a_second_invalid_nonce_ends_the_flow_at_the_ehr() -> None:
    world = _world(access=False)
    _bad_nonce(world, times=2)
    result = world.run().result
    assert result is not None and not result.granted
    assert result.error == {"error": "server_error", "error_description": RETRIEVE}
    assert world.sim.trace.labels().count("credential request") == 2  # one retry, no more
    assert world.requester.wallet.credentials == []


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"wallet_did": "did:web:elsewhere.example"}, 400, "wallet DID does not belong to the subject"),
        ({"wallet_did": "nope"}, 400, "invalid wallet DID"),
        ({"issuer": ""}, 400, "issuer is empty"),
        ({"authorization_details": []}, 400, "authorization_details must contain exactly one entry"),
        ({"issuer": "https://nobody.example"}, 424, "cannot locate endpoints for https://nobody.example"),
    ],
)
def test_request_credential_refuses_bad_input_with_the_reference_texts(
    change: dict[str, object], status: int, detail: str
) -> None:
    world = _world()
    gp = world.requester
    body = {
        "wallet_did": gp.did,
        "issuer": "https://register.example",
        "authorization_details": [{"type": "openid_credential", "credential_configuration_id": "x"}],
        "redirect_uri": "https://ehr.gp.example/done",
        **change,
    }
    url = f"{gp.node.internal_host}/internal/auth/v2/{gp.id}/request-credential"
    response = world.sim.network.send(HttpRequest.post_json(url, body), sender=world.ehr.id)
    assert response.status == status
    assert response.json["detail"].startswith(detail)


def test_same_seed_same_bytes() -> None:
    def bodies() -> list[str]:
        world = _world(access=False)
        world.run()
        return [x.request.body + x.response.body for x in world.sim.trace.exchanges]

    assert bodies() == bodies()


def test_an_offer_that_cannot_be_read_ends_the_flow_before_the_node_is_asked() -> None:
    world = _world(access=False)
    flow = world.start()  # the register has published offer 1; spoil it before the EHR reads it
    world.register.openid4vci.offers["1"] = {"credential_issuer": "http://register.example"}
    result = flow.finish()
    assert result is not None and result.error == {
        "error": "invalid_credential_offer",
        "error_description": "credential_issuer must be an https URL",
    }
    assert world.sim.trace.labels() == ["credential offer"]
