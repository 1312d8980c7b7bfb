"""Keys: RFC 7638 and RFC 9449 vectors, seeded determinism, algorithms, JWK parsing, jwcrypto interop."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

from nutssim import jose
from nutssim.jose import AlgorithmNotAllowed, InvalidSignature, KeyPair, MalformedToken, PublicKey
from nutssim.rng import SimRandom

# RFC 7638 §3.1 (PROTOCOL.md §5 item 2).
RFC7638_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMst"
    "n64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr"
    "n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
)
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

# RFC 9449 §4.2 example DPoP proof and the thumbprint of its key (PROTOCOL.md §5 items 3 and 4).
RFC9449_PROOF = (
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0Rsc"
    "EJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19"
    ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwia"
    "WF0IjoxNTYyMjYyNjE2fQ"
    ".2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
)
RFC9449_JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"


# -- spec vectors --------------------------------------------------------------------------------------------
def test_rfc7638_thumbprint_vector():
    """The RFC 7638 §3.1 RSA key has thumbprint ``NzbLsXh8…``."""
    assert jose.thumbprint({"kty": "RSA", "n": RFC7638_N, "e": "AQAB"}) == RFC7638_THUMBPRINT


def test_thumbprint_ignores_non_required_members():
    """Only the required members count: ``alg``, ``kid`` and ``use`` do not change a thumbprint."""
    jwk = {"kty": "RSA", "n": RFC7638_N, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29", "use": "sig"}
    assert jose.thumbprint(jwk) == RFC7638_THUMBPRINT
    assert PublicKey.from_jwk(jwk).thumbprint() == RFC7638_THUMBPRINT


def test_thumbprint_refuses_unknown_kty_and_missing_members():
    """A key type without a defined member set, or a missing member, is a ``MalformedToken``."""
    with pytest.raises(MalformedToken, match="unsupported JWK key type"):
        jose.thumbprint({"kty": "oct", "k": "c2VjcmV0"})
    with pytest.raises(MalformedToken, match="missing member 'y'"):
        jose.thumbprint({"kty": "EC", "crv": "P-256", "x": "AAAA"})


def test_rfc9449_example_proof_verifies_with_its_embedded_key():
    """The RFC 9449 §4.2 example proof verifies with the JWK in its header, thumbprint ``0ZcOCORZ…``."""
    jws = jose.decode(RFC9449_PROOF)
    assert jws.header["typ"] == "dpop+jwt" and jws.alg == "ES256"
    assert jws.payload == {
        "jti": "-BwC3ESc6acc2lTc",
        "htm": "POST",
        "htu": "https://server.example.com/token",
        "iat": 1562262616,
    }
    key = PublicKey.from_jwk(jws.header["jwk"])
    jws.verify(key)
    assert key.thumbprint() == RFC9449_JKT
    assert jose.thumbprint(jws.header["jwk"]) == RFC9449_JKT


def test_rfc9449_example_proof_fails_with_another_key():
    """The RFC 9449 example proof does not verify with an unrelated P-256 key."""
    with pytest.raises(InvalidSignature):
        jose.decode(RFC9449_PROOF).verify(KeyPair.generate(SimRandom(1)).public)


# -- determinism and algorithms ------------------------------------------------------------------------------
def test_same_seed_same_key_and_same_signature_bytes():
    """The same seed derives the same key, and deterministic ECDSA gives byte-identical signatures."""
    a, b = KeyPair.generate(SimRandom(9)), KeyPair.generate(SimRandom(9))
    assert a.public_jwk() == b.public_jwk()
    assert a.private_pem() == b.private_pem()
    assert a.sign(b"signing input") == b.sign(b"signing input")
    assert jose.sign({"typ": "JWT"}, {"x": 1}, a) == jose.sign({"typ": "JWT"}, {"x": 1}, b)
    assert KeyPair.generate(SimRandom(10)).public_jwk() != a.public_jwk()


@pytest.mark.parametrize(
    ("alg", "kty", "crv", "size"),
    [
        ("ES256", "EC", "P-256", 64),
        ("ES384", "EC", "P-384", 96),
        ("ES512", "EC", "P-521", 132),
        ("EdDSA", "OKP", "Ed25519", 64),
    ],
)
def test_sign_verify_round_trip(alg, kty, crv, size):
    """Each generatable algorithm signs a JWS that verifies with the public key; signatures have JWS size."""
    key = KeyPair.generate(SimRandom(3), alg, kid="k1")
    assert (key.alg, key.public.kty, key.public.jwk["crv"]) == (alg, kty, crv)
    token = jose.sign({"typ": "JWT", "kid": key.kid}, {"sub": "x"}, key)
    jws = jose.decode(token)
    assert (jws.alg, jws.kid, jws.payload) == (alg, "k1", {"sub": "x"})
    assert len(jws.signature) == size
    jws.verify(key.public)
    assert key.sign(b"abc") == key.sign(b"abc")


def test_generate_refuses_rsa():
    """RSA keys are not generated (PSS is randomised; it would break seeded determinism)."""
    with pytest.raises(AlgorithmNotAllowed, match="cannot generate"):
        KeyPair.generate(SimRandom(0), "PS256")


@pytest.mark.parametrize("alg", ["RS256", "PS256", "PS384", "PS512"])
def test_wrapped_rsa_key_signs_and_verifies(alg):
    """An existing RSA key wrapped with ``from_private`` signs JWSs that verify, for RS and PS algorithms."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = KeyPair.from_private(private, alg=alg)
    token = jose.sign({}, {"a": 1}, key)
    jose.decode(token).verify(PublicKey.from_jwk(key.public_jwk()))


def test_wrapped_key_defaults_alg_from_its_curve():
    """``from_private`` derives the default algorithm from the key (P-384 → ES384)."""
    key = KeyPair.from_private(ec.derive_private_key(12345, ec.SECP384R1()))
    assert key.alg == "ES384" and key.public.default_alg() == "ES384"


def test_with_kid_and_public_jwk_members():
    """``with_kid`` renames the key; ``public_jwk`` adds kid and alg only when asked."""
    key = KeyPair.generate(SimRandom(0)).with_kid("did:web:a#1")
    assert set(key.public_jwk()) == {"kty", "crv", "x", "y"}
    assert key.public_jwk(with_kid=True, with_alg=True)["kid"] == "did:web:a#1"
    assert key.public_jwk(with_alg=True)["alg"] == "ES256"
    assert key.thumbprint() == jose.thumbprint(key.public_jwk(with_kid=True))


# -- parsing JWKs --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("member", ["d", "p", "q", "dp", "dq", "qi", "oth"])
def test_from_jwk_refuses_private_members(member):
    """A JWK that carries private key material is refused (RFC 9449 §4.3: the jwk is a public key)."""
    jwk = {**KeyPair.generate(SimRandom(0)).public_jwk(), member: "AAAA"}
    with pytest.raises(MalformedToken, match="private key material"):
        PublicKey.from_jwk(jwk)


def test_from_jwk_refuses_the_real_private_key():
    """Exporting a private EC key as JWK and parsing it as a public key is refused."""
    private = jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256")
    with pytest.raises(MalformedToken, match="private key material"):
        PublicKey.from_jwk(json.loads(private.export_private()))


def test_symmetric_jwk_never_verifies():
    """An ``oct`` JWK parses (as in the reference) but fits no supported algorithm: nothing verifies."""
    key = PublicKey.from_jwk({"kty": "oct", "k": "c2VjcmV0"})
    signed = jose.sign({}, {}, KeyPair.generate(SimRandom(0)))
    with pytest.raises(AlgorithmNotAllowed, match="does not fit"):
        jose.decode(signed).verify(key)
    with pytest.raises(MalformedToken):
        key.thumbprint()


def test_from_jwk_refuses_garbage():
    """Non-objects, unknown key types and points off the curve are ``MalformedToken``."""
    for bad in (["kty", "EC"], {"kty": "XYZ"}, {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}, {}):
        with pytest.raises(MalformedToken):
            PublicKey.from_jwk(bad)  # type: ignore[arg-type]


# -- interop with jwcrypto -----------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["ES256", "ES384", "EdDSA"])
def test_jwcrypto_verifies_our_jwt(alg):
    """A JWT we sign verifies with jwcrypto's own JWT class and our public JWK."""
    key = KeyPair.generate(SimRandom(5), alg)
    token = jose.sign({"typ": "JWT"}, {"iss": "did:web:a", "exp": 1}, key)
    parsed = jwcrypto_jwt.JWT(jwt=token, key=jwcrypto_jwk.JWK(**key.public_jwk()), check_claims=False)
    assert json.loads(parsed.claims) == {"iss": "did:web:a", "exp": 1}


@pytest.mark.parametrize(
    ("kty", "params", "alg"),
    [
        ("EC", {"crv": "P-256"}, "ES256"),
        ("EC", {"crv": "P-384"}, "ES384"),
        ("OKP", {"crv": "Ed25519"}, "EdDSA"),
        ("RSA", {"size": 2048}, "PS256"),
        ("RSA", {"size": 2048}, "RS256"),
    ],
)
def test_we_verify_a_jwcrypto_jwt(kty, params, alg):
    """A JWT signed by jwcrypto verifies with our decode/verify and the exported public JWK."""
    private = jwcrypto_jwk.JWK.generate(kty=kty, **params)
    token = jwcrypto_jwt.JWT(header={"alg": alg, "kid": "k"}, claims={"sub": "s"})
    token.make_signed_token(private)
    jws = jose.decode(token.serialize())
    jws.verify(PublicKey.from_jwk(json.loads(private.export_public())))
    assert jws.payload == {"sub": "s"}
    assert jws.kid == "k"


@pytest.mark.parametrize(
    ("crv", "curve"), [("P-256", ec.SECP256R1()), ("P-384", ec.SECP384R1()), ("P-521", ec.SECP521R1())]
)
def test_curve_orders_are_the_group_orders(crv, curve):
    """Key derivation uses each curve's true order: ``n - 1`` is a valid private scalar, ``n`` is not."""
    from nutssim.jose.keys import _curve_order

    order = _curve_order(crv)
    ec.derive_private_key(order - 1, curve)
    with pytest.raises(ValueError):
        ec.derive_private_key(order, curve)


def test_es512_keys_derive_for_many_seeds():
    """P-521 keys derive from any seed (the scalar is reduced into ``[1, n)``)."""
    for seed in range(20):
        KeyPair.generate(SimRandom(seed), "ES512")
