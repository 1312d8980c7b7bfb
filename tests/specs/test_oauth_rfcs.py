"""The OAuth RFC modules: RFC 6749 codes and token responses, RFC 6750 challenges, RFC 7662, RFC 8414."""

from __future__ import annotations

import math

import pytest

from nutssim.jose import SUPPORTED_ALGS
from nutssim.specs import openid4vp, pex, rfc6749, rfc6750, rfc7662, rfc8414


def test_error_codes_and_their_status():
    assert rfc6749.INVALID_REQUEST == "invalid_request"
    assert rfc6749.status_of(rfc6749.INVALID_GRANT) == 400
    assert rfc6749.status_of(rfc6749.SERVER_ERROR) == 500


def test_missing_parameters_count_empty_as_absent():
    form = {"code": "c", "code_verifier": "", "grant_type": "authorization_code"}
    assert rfc6749.missing(form, rfc6749.CODE_GRANT_PARAMS) == ["code_verifier", "client_id"]


def test_scope_round_trip():
    assert rfc6749.scopes("a  b c") == ["a", "b", "c"]
    assert rfc6749.scope_text(["a", "b"]) == "a b"


def test_token_response_is_not_cached_and_keeps_member_order():
    response = rfc6749.token_response({"access_token": "t", "expires_in": 900, "token_type": "DPoP"})
    assert response.status == 200
    assert response.header("Cache-Control") == "no-store" and response.header("Pragma") == "no-cache"
    assert list(response.json) == ["access_token", "expires_in", "token_type"]


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        ({"access_token": "t", "token_type": "Bearer", "expires_in": 900}, []),
        ({"access_token": 1, "expires_in": None}, ["access_token"]),
        ({"access_token": "t", "expires_in": True}, ["expires_in"]),
        ({"access_token": "t", "expires_in": math.inf, "scope": ["a"]}, ["scope", "expires_in"]),
    ],
)
def test_token_response_types(body, wrong):
    assert rfc6749.token_response_errors(body) == wrong


def test_bearer_and_dpop_challenges():
    assert rfc6750.challenge(rfc6750.BEARER) == "Bearer"
    assert (
        rfc6750.challenge(rfc6750.BEARER, rfc6750.INVALID_TOKEN, "expired")
        == 'Bearer error="invalid_token", error_description="expired"'
    )
    assert rfc6750.challenge(rfc6750.DPOP, algs=["ES256", "EdDSA"]) == 'DPoP algs="ES256 EdDSA"'


def test_authorization_header_split():
    assert rfc6750.authorization("DPoP abc ") == ("dpop", "abc")
    assert rfc6750.authorization(None) == ("", "")


def test_refusal_bodies():
    assert rfc6750.error_body(None) == {"error": "invalid_request"}
    assert rfc6750.error_body(rfc6750.INSUFFICIENT_SCOPE) == {"error": "insufficient_scope"}
    assert rfc6750.STATUS[rfc6750.INVALID_TOKEN] == 401


def test_reserved_claims_are_one_list():
    assert pex.RESERVED_CLAIMS is rfc7662.RESERVED_CLAIMS
    assert rfc7662.reserved_clashes(["scope", "organization_name", "iss"]) == ["iss", "scope"]


def test_active_body_and_requester_claims():
    body = rfc7662.active_body(
        issuer="https://a/oauth2/x", client_id="c", scope="s", issued_at=1, expiration=2, jkt="j"
    )
    assert list(body) == ["active", "iss", "client_id", "scope", "iat", "exp", "cnf"]
    body.update(organization_name="Huisarts", sub="did:web:b")
    assert rfc7662.requester_claims(body) == {"organization_name": "Huisarts"}


def test_metadata_locations_insert_then_append():
    assert rfc8414.locations("https://a.example/oauth2/s") == [
        "https://a.example/.well-known/oauth-authorization-server/oauth2/s",
        "https://a.example/oauth2/s/.well-known/oauth-authorization-server",
    ]


def test_metadata_document_and_types():
    formats = openid4vp.vp_formats_supported(("jwt_vp",))
    doc = rfc8414.document(
        "https://a/oauth2/s",
        authorization_endpoint=False,
        grant_types=["authorization_code"],
        algs=SUPPORTED_ALGS,
        vp_formats=formats,
    )
    assert "authorization_endpoint" not in doc and doc["token_endpoint"] == "https://a/oauth2/s/token"
    assert set(doc["vp_formats_supported"]) == {"jwt_vp_json", "jwt_vc_json"}
    assert rfc8414.issuer_matches(doc, "https://a/oauth2/s")
    assert rfc8414.type_errors(doc) == []
    assert rfc8414.type_errors({**doc, "token_endpoint": ["x"], "vp_formats": None}) == ["token_endpoint"]
