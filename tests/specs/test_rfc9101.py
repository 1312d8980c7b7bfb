"""RFC 9101 (JAR): request objects built, served and validated as PROTOCOL.md §2.2 steps 6–9 say."""

from __future__ import annotations

import json

import pytest

from nutssim import jose
from nutssim.errors import OAuthError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.rng import SimRandom, b64url
from nutssim.specs import rfc9101

NOW = 1_735_689_600
DID = "did:web:gp.example:iam:1"


@pytest.fixture
def key() -> jose.KeyPair:
    return jose.KeyPair.generate(SimRandom(3), kid=f"{DID}#k1")


def claims(**changes: object) -> dict[str, object]:
    base = {
        "iss": DID,
        "client_id": "https://gp.example/oauth2/gp",
        "aud": "https://as.example/oauth2/as",
        "response_type": "code",
        "state": "cs",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_rule_renders_its_wire_error() -> None:
    """A rule's error carries code, description, check id and its delivery."""
    error = rfc9101.OBJECT_METHOD.fail(used="get", stored="post", redirect_uri="https://c/cb", state="s")
    assert (error.error, error.description, error.check) == (
        "invalid_request",
        "used request_uri_method 'get' on a 'post' request_uri",
        "request_object.method",
    )
    assert (error.redirect_uri, error.state, error.status) == ("https://c/cb", "s", 400)
    assert rfc9101.CONFIGURATION.fail().status == 500


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"request": "a", "request_uri": "b"}, "claims 'request' and 'request_uri' are mutually exclusive"),
        (
            {"client_id": "x", "response_type": "code"},
            "authorization request are required to use signed request objects (RFC9101)",
        ),
    ],
)
def test_split_request_refuses_both_or_neither(query: dict[str, str], expected: str) -> None:
    """PROTOCOL.md §2.2 steps 7–9 rows 3–4: request xor request_uri."""
    with pytest.raises(OAuthError) as caught:
        rfc9101.split_request(query)
    assert (caught.value.error, caught.value.description) == ("invalid_request", expected)


def test_split_request_by_value_and_by_reference() -> None:
    """Either form is accepted and named."""
    assert rfc9101.split_request({"request": "jwt"}) == ("request", "jwt")
    assert rfc9101.split_request({"request_uri": "https://x/r"}) == ("request_uri", "https://x/r")


def test_uri_methods_and_request_url() -> None:
    """get when an audience is known, post otherwise; only three parameters go in the URL (step 6)."""
    assert rfc9101.uri_method("https://as") == "get" and rfc9101.uri_method(None) == "post"
    assert "put" not in rfc9101.URI_METHODS and "" in rfc9101.URI_METHODS
    url = rfc9101.request_url("https://as.example/authorize", "https://c", "https://c/request.jwt/1", "get")
    assert url == (
        "https://as.example/authorize?client_id=https%3A%2F%2Fc"
        "&request_uri=https%3A%2F%2Fc%2Frequest.jwt%2F1&request_uri_method=get"
    )


def test_sign_then_validate(key: jose.KeyPair) -> None:
    """A served object is typed, signed by its kid, valid 5 min; it validates and yields its parameters."""
    token = rfc9101.sign(claims(), key, NOW)
    jws = jose.decode(token)
    assert jws.header == {"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": f"{DID}#k1"}
    assert jws.payload["exp"] - jws.payload["iat"] == rfc9101.MAX_VALIDITY
    validated = rfc9101.validate(jws, key.public, NOW + 10)
    assert validated["client_id"] == "https://gp.example/oauth2/gp"
    assert rfc9101.typed(jws) and rfc9101.issuer_is_signer(jws)
    assert rfc9101.parameters({"a": "b", "n": 1, "iat": 3}) == {"a": "b", "n": "1"}


@pytest.mark.parametrize(
    "change", ["expired", "too_long", "no_iss", "no_exp", "future", "tampered", "other_key"]
)
def test_validate_refuses(key: jose.KeyPair, change: str) -> None:
    """PROTOCOL.md §4.2 item 40: tampered, expired, too long, missing iss/iat/exp all fail."""
    body = {**claims(), "iat": NOW, "exp": NOW + 300}
    signer = key
    if change == "expired":
        body.update(iat=NOW - 400, exp=NOW - 100)
    elif change == "too_long":
        body["exp"] = NOW + 301
    elif change == "no_iss":
        del body["iss"]
    elif change == "no_exp":
        del body["exp"]
    elif change == "future":
        body.update(iat=NOW + 60, exp=NOW + 120)
    elif change == "other_key":
        signer = jose.KeyPair.generate(SimRandom(4), kid=key.kid)
    token = jose.sign({"typ": rfc9101.TYP, "kid": key.kid}, body, signer)
    if change == "tampered":
        header, _, signature = token.split(".")
        forged = jose.decode(token).payload | {"scope": "more"}
        token = ".".join([header, b64url(json.dumps(forged).encode()), signature])
    with pytest.raises(jose.JoseError):
        rfc9101.validate(jose.decode(token), key.public, NOW)


def test_strict_typing_and_issuer_binding(key: jose.KeyPair) -> None:
    """RFC 9101 §10.8 and §6.2: the strict checks see an untyped object and a foreign iss."""
    untyped = jose.decode(jose.sign({"typ": "JWT", "kid": key.kid}, claims(), key))
    assert not rfc9101.typed(untyped)
    foreign = jose.decode(
        jose.sign({"typ": rfc9101.TYP, "kid": key.kid}, claims(iss="did:web:evil.example"), key)
    )
    assert not rfc9101.issuer_is_signer(foreign)


def test_served_claims_by_post() -> None:
    """A POST adds wallet_nonce; a wallet_metadata issuer other than self-issued becomes aud."""
    stored = rfc9101.StoredRequest({"iss": DID, "client_id": "c"}, "c", "post", f"{DID}#k1")
    self_issued = "https://self-issued.me/v2"
    plain = HttpRequest.post_form(
        "https://x/r", {"wallet_metadata": json.dumps({"issuer": self_issued}), "wallet_nonce": "wn"}
    )
    assert rfc9101.served_claims(stored, plain, self_issued) == {
        "iss": DID,
        "client_id": "c",
        "wallet_nonce": "wn",
    }
    named = HttpRequest.post_form("https://x/r", {"wallet_metadata": json.dumps({"issuer": "https://w"})})
    assert rfc9101.served_claims(stored, named, self_issued)["aud"] == "https://w"
    assert rfc9101.served_claims(stored, HttpRequest.get("https://x/r"), self_issued) == stored.claims


def test_fetch_requests_and_responses() -> None:
    """GET asks for the JAR media type; POST carries wallet_metadata; a non-200 is a failed fetch."""
    get = rfc9101.fetch_request("https://c/r/1", "get")
    assert (get.method, get.header("Accept")) == ("GET", "application/oauth-authz-req+jwt")
    post = rfc9101.fetch_request("https://c/r/1", "post", {"issuer": "https://self-issued.me/v2"})
    assert post.method == "POST" and json.loads(post.form["wallet_metadata"])["issuer"].endswith("/v2")
    assert rfc9101.fetched_token(rfc9101.serve("a.b.c")) == "a.b.c"
    assert rfc9101.serve("a.b.c").content_type == rfc9101.MEDIA_TYPE
    assert rfc9101.fetched_token(HttpResponse(400, (), "a.b.c")) is None
