"""OpenID4VP as the user flow uses it: request claims and URLs, direct_post bodies, nonces, rules."""

from __future__ import annotations

import json

import pytest

from nutssim import jose
from nutssim.messages import HttpResponse, json_response
from nutssim.models.credential import Presentation
from nutssim.rng import SimRandom
from nutssim.specs import openid4vp, vc_jwt
from nutssim.specs.presentation import presentation_from_json

NOW = 1_735_689_600
A = "https://hospital.example/oauth2/a"


def request_claims(audience: str | None) -> dict[str, object]:
    return openid4vp.request_claims(
        issuer_did="did:web:hospital.example:iam:1",
        client_id=A,
        audience=audience,
        response_uri=f"{A}/response",
        client_metadata_uri=f"{A}/oauth-client",
        presentation_definition_uri=f"{A}/presentation_definition?scope=s",
        nonce="N",
        state="VS",
    )


def test_request_claims_for_organization_and_user_wallets() -> None:
    """PROTOCOL.md §2.2 step 10: the claims of JAR_2/JAR_3; no aud for the user wallet."""
    organization = request_claims("https://gp.example/oauth2/b")
    assert organization["aud"] == "https://gp.example/oauth2/b"
    assert {
        k: organization[k] for k in ("response_type", "client_id_scheme", "response_mode", "nonce", "state")
    } == {
        "response_type": "vp_token",
        "client_id_scheme": "entity_id",
        "response_mode": "direct_post",
        "nonce": "N",
        "state": "VS",
    }
    assert "aud" not in request_claims(None)


def test_wallet_request_urls() -> None:
    """An https wallet gets three parameters; an openid4vp: wallet gets every parameter too."""
    claims = request_claims(None)
    https = openid4vp.wallet_request_url(
        {"authorization_endpoint": "https://gp.example/oauth2/b/authorize"},
        A,
        f"{A}/request.jwt/1",
        "get",
        claims,
    )
    assert set(openid4vp.query_of(https)) == {"client_id", "request_uri", "request_uri_method"}
    wallet = openid4vp.wallet_request_url(
        openid4vp.STATIC_WALLET_METADATA, A, f"{A}/request.jwt/2", "post", claims
    )
    assert openid4vp.is_openid4vp(wallet) and wallet.startswith("openid4vp:?client_id=")
    query = openid4vp.query_of(wallet)
    assert (
        query["request_uri_method"] == "post"
        and query["nonce"] == "N"
        and query["response_mode"] == "direct_post"
    )
    assert query["client_id"] == A


def test_static_wallet_metadata() -> None:
    """The self-issued wallet: issuer https://self-issued.me/v2, endpoint openid4vp: (OpenID4VP §10)."""
    assert openid4vp.STATIC_WALLET_METADATA["issuer"] == openid4vp.SELF_ISSUED == "https://self-issued.me/v2"
    assert openid4vp.STATIC_WALLET_METADATA["authorization_endpoint"] == "openid4vp:"


def test_direct_post_bodies_and_answers() -> None:
    """OpenID4VP §6.2 and §6.4: a VP or an error with the state; the verifier answers a redirect_uri."""
    form = openid4vp.vp_response_form("vp.jwt", {"id": "s", "definition_id": "d"}, "VS")
    assert (
        form["vp_token"] == "vp.jwt" and json.loads(form["presentation_submission"])["definition_id"] == "d"
    )
    assert openid4vp.error_response_form("invalid_request", "x", "VS") == {
        "error": "invalid_request",
        "error_description": "x",
        "state": "VS",
    }
    answer = openid4vp.redirect_response("https://gp.example/oauth2/callback?code=C&state=CS")
    assert openid4vp.redirect_of(answer) == "https://gp.example/oauth2/callback?code=C&state=CS"
    assert openid4vp.redirect_of(json_response(400, {"error": "invalid_request"})) is None
    assert openid4vp.redirect_of(HttpResponse(302, (("Location", "https://x"),))) is None


def test_error_codes_and_texts() -> None:
    """The wallet's and verifier's errors carry the reference's codes and exact texts."""
    fetch = openid4vp.DEFINITION_FETCH.fail(uri="https://a/pd")
    assert (fetch.error, fetch.description) == (
        "invalid_presentation_definition_uri",
        "failed to retrieve presentation definition on https://a/pd",
    )
    fulfil = openid4vp.FULFIL.fail(pd_id="pd", wallet="did:x", reason="none")
    assert fulfil.description == "wallet could not fulfill requirements (PD ID: pd, wallet: did:x): none"
    assert (
        openid4vp.AUDIENCE.fail(expected="a", actual="b").description
        == "invalid audience, expected: a, was: b"
    )
    assert (
        openid4vp.T_CLIENT_MATCH.fail(expected="a", actual="b").description
        == "client_id does not match: a vs b"
    )
    assert openid4vp.CLIENT_METADATA_FETCH.fail().status == 500


def jwt_vp(nonce: str | None) -> Presentation:
    key = jose.KeyPair.generate(SimRandom(1), kid="did:web:gp.example:iam:1#k")
    token = vc_jwt.present(
        [], key, holder="did:web:gp.example:iam:1", audience=A, nonce=nonce, now=NOW, lifetime=900, jti="j"
    )
    return vc_jwt.presentation_from_jwt(token)


def ld_vp(**proof: str) -> Presentation:
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "proof": {"type": "JsonWebSignature2020", **proof},
    }
    return presentation_from_json(document)


def test_nonce_of_presentations() -> None:
    """JWT nonce; JSON-LD challenge with nonce as fallback (PROTOCOL.md §2.2 step 15)."""
    assert openid4vp.nonce_of(jwt_vp("N")) == "N"
    assert openid4vp.nonce_of(ld_vp(challenge="C", nonce="N")) == "C"
    assert openid4vp.nonce_of(ld_vp(nonce="N")) == "N"
    assert openid4vp.nonce_of(jwt_vp(None)) == ""


@pytest.mark.parametrize(
    ("nonces", "expected"),
    [
        (["N", "N"], "N"),
        (["N", "M"], None),
        (["N", None], None),
        ([], None),
    ],
)
def test_common_nonce(nonces: list[str | None], expected: str | None) -> None:
    """Every VP must carry the same nonce; the ones found are returned to be burned."""
    nonce, found = openid4vp.common_nonce([jwt_vp(n) for n in nonces])
    assert nonce == expected
    assert found == [n for n in nonces if n]


def test_json_params_and_client_metadata() -> None:
    """Inline JSON parameters decode to objects only; the verifier metadata names its formats."""
    assert openid4vp.json_param('{"a":1}') == {"a": 1}
    assert openid4vp.json_param("[1]") is None and openid4vp.json_param("{") is None
    meta = openid4vp.client_metadata(A, "https://hospital.example/oauth2/callback", {"jwt_vp_json": {}})
    assert meta["client_id"] == A and meta["vp_formats"] == {"jwt_vp_json": {}}
