"""OpenID4VCI 1.0 pure rules: authorization_details, the token response's identifiers, key proofs."""

from __future__ import annotations

import json

import pytest

from nutssim import jose
from nutssim.rng import SimRandom
from nutssim.specs import openid4vci as vci

KEY = jose.KeyPair.generate(SimRandom(1), "ES256", kid="did:web:gp.example:iam:1#k")
AUD = "https://register.example"


def test_authorization_details_round_trip() -> None:
    text = json.dumps(vci.details_json("A"))
    assert vci.parse_authorization_details(text) == [vci.CredentialDetail("A")]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (None, "is required"),
        ("{", "is not JSON"),
        ("{}", "JSON array of 1 to 8"),
        ("[]", "JSON array of 1 to 8"),
        (json.dumps([{"type": "openid_credential"}] * 9), "JSON array of 1 to 8"),
        ('[{"type": "other"}]', "type openid_credential"),
        ('[{"type": "openid_credential"}]', "credential_configuration_id is required"),
        ("[" * 5000, "too long"),
    ],
)
def test_authorization_details_parser_is_total(text: object, why: str) -> None:
    with pytest.raises(vci.DetailsError, match=why):
        vci.parse_authorization_details(text)


def test_credential_identifier_as_extract_credential_identifier() -> None:
    details = [
        {"type": "openid_credential", "credential_configuration_id": "A", "credential_identifiers": ["a-1"]}
    ]
    assert vci.credential_identifier({"authorization_details": details}, "A") == "a-1"
    assert vci.credential_identifier({}, "A") == ""  # scope flow: ask by configuration
    with pytest.raises(ValueError, match="has no entry for credential_configuration_id 'B'"):
        vci.credential_identifier({"authorization_details": details}, "B")
    with pytest.raises(ValueError, match="is missing credential_identifiers"):
        vci.credential_identifier(
            {"authorization_details": [{**details[0], "credential_identifiers": []}]}, "A"
        )


def test_proof_shape() -> None:
    token = vci.make_proof(KEY, audience=AUD, now=1000, nonce="n", issuer="did:web:gp.example:iam:1")
    proof = vci.check_proof_shape(token, audience=AUD, now=1000, max_age=300)
    assert (proof.kid, proof.nonce) == (KEY.kid, "n")


@pytest.mark.parametrize(
    ("header", "claims", "why"),
    [
        ({"typ": "JWT"}, {}, "typ must be openid4vci-proof"),
        ({"kid": "https://gp.example#1"}, {}, "kid must be a DID URL"),
        ({}, {"aud": "https://elsewhere.example"}, "aud must be the credential issuer"),
        ({}, {"iat": 2000}, "iat is not recent"),
        ({}, {"iat": 1}, "iat is not recent"),
        ({}, {"iat": "1000"}, "iat is required"),
    ],
)
def test_proof_shape_failures(header: dict[str, str], claims: dict[str, object], why: str) -> None:
    token = jose.sign(
        {"typ": vci.PROOF_TYP, "kid": KEY.kid, **header},
        {"aud": AUD, "iat": 1000, "nonce": "n", **claims},
        KEY,
    )
    with pytest.raises(ValueError, match=why):
        vci.check_proof_shape(token, audience=AUD, now=1000, max_age=300)
    with pytest.raises(ValueError, match="proof is not a JWT"):
        vci.check_proof_shape("not.a.jwt", audience=AUD, now=1000, max_age=300)


def test_credential_offer_round_trip_and_refusals() -> None:
    offer = vci.credential_offer(AUD, ["A", "B"])
    assert vci.parse_credential_offer(offer) == (AUD, ["A", "B"])
    for bad, why in [
        ([], "is a JSON object"),
        ({**offer, "credential_issuer": "http://x"}, "https URL"),
        ({**offer, "credential_configuration_ids": []}, "non-empty array"),
        (
            {**offer, "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {}}},
            "authorization_code",
        ),
    ]:
        with pytest.raises(ValueError, match=why):
            vci.parse_credential_offer(bad)
