"""Compact JWS/JWT: decoding, algorithm policy, signature checks, time claims and audience."""

from __future__ import annotations

import base64
import json

import pytest

from nutssim import jose
from nutssim.errors import ProtocolError
from nutssim.jose import (
    AlgorithmNotAllowed,
    AudienceMismatch,
    InvalidSignature,
    IssuedInFuture,
    JoseError,
    KeyPair,
    MalformedToken,
    MissingClaim,
    TokenExpired,
    TokenNotYetValid,
)
from nutssim.rng import SimRandom, b64url

NOW = 1_735_689_600


@pytest.fixture
def key() -> KeyPair:
    """A seeded P-256 key with a kid."""
    return KeyPair.generate(SimRandom(1), kid="did:web:a.example#k1")


def part(value: object) -> str:
    """Base64url of a value serialised as compact JSON."""
    return b64url(json.dumps(value).encode())


def resign(header: dict, payload: dict, key: KeyPair) -> str:
    """Sign ``header`` exactly as given (including its ``alg``) with ``key``'s private key."""
    signing_input = f"{part(header)}.{part(payload)}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode()))}"


# -- building and decoding -----------------------------------------------------------------------------------
def test_sign_takes_alg_from_the_key_and_keeps_other_header_members(key):
    """``sign`` puts the key's ``alg`` first, ignoring a caller's ``alg``, and keeps the other members."""
    token = jose.sign({"alg": "none", "typ": "JWT", "kid": key.kid}, {"a": "é"}, key)
    jws = jose.decode(token)
    assert list(jws.header) == ["alg", "typ", "kid"]
    assert (jws.alg, jws.kid, jws.payload) == ("ES256", key.kid, {"a": "é"})
    assert jws.raw == token
    assert jws.signing_input == token.rsplit(".", 1)[0].encode()
    jws.verify(key.public)


def test_sign_accepts_raw_bytes_payload(key):
    """A bytes payload is signed as is (it must still be a JSON object to decode)."""
    token = jose.sign({}, b'{"x":1}', key)
    assert jose.decode(token).payload == {"x": 1}


def test_compact_serialisation_has_no_padding(key):
    """Every part of a compact JWS is base64url without padding (RFC 7515 §7.1)."""
    token = jose.sign({"typ": "JWT"}, {"a": "x"}, key)
    assert "=" not in token and token.count(".") == 2


def test_kid_is_none_when_absent(key):
    """A JWS without ``kid`` header has ``kid`` None."""
    assert jose.decode(jose.sign({}, {}, key)).kid is None


# -- algorithm policy ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["none", "None", "NONE", ""])
def test_alg_none_is_refused(key, alg):
    """An unsecured JWS (``alg: none`` in any case, or empty) is refused before any signature check."""
    token = f"{part({'alg': alg})}.{part({'sub': 'x'})}."
    with pytest.raises(AlgorithmNotAllowed, match="alg none"):
        jose.decode(token).verify(key.public)


def test_missing_alg_is_refused(key):
    """A header without ``alg`` is refused as unsecured."""
    with pytest.raises(AlgorithmNotAllowed):
        jose.decode(f"{part({'typ': 'JWT'})}.{part({})}.").verify(key.public)


def test_alg_outside_allowed_list_is_refused(key):
    """A well-signed ES256 JWS is refused when only other algorithms are allowed."""
    jws = jose.decode(jose.sign({}, {}, key))
    with pytest.raises(AlgorithmNotAllowed, match="'ES256' is not allowed"):
        jws.verify(key.public, allowed_algs=("EdDSA",))


def test_unsupported_alg_is_refused(key):
    """An algorithm nutssim does not support (HS256) is refused."""
    with pytest.raises(AlgorithmNotAllowed, match="HS256"):
        jose.decode(resign({"alg": "HS256"}, {}, key)).verify(key.public)


@pytest.mark.parametrize(
    ("alg", "key_alg"),
    [("ES384", "ES256"), ("EdDSA", "ES256"), ("ES256", "EdDSA"), ("RS256", "ES256"), ("PS256", "EdDSA")],
)
def test_alg_that_does_not_fit_the_key_is_refused(alg, key_alg):
    """A header ``alg`` that does not fit the verification key's type or curve is refused."""
    signer = KeyPair.generate(SimRandom(2), key_alg)
    with pytest.raises(AlgorithmNotAllowed, match="does not fit"):
        jose.decode(resign({"alg": alg}, {}, signer)).verify(signer.public)


def test_check_alg_alone():
    """``check_alg`` accepts listed algorithms and refuses the rest."""
    jose.check_alg("ES256")
    with pytest.raises(AlgorithmNotAllowed):
        jose.check_alg("ES256", ["EdDSA"])


# -- signatures ----------------------------------------------------------------------------------------------
def test_tampered_payload_fails_signature(key):
    """Changing the payload after signing makes the signature fail."""
    header, _, signature = jose.sign({}, {"sub": "alice"}, key).split(".")
    with pytest.raises(InvalidSignature):
        jose.decode(f"{header}.{part({'sub': 'mallory'})}.{signature}").verify(key.public)


def test_signature_of_another_key_fails(key):
    """A signature made by another key of the same type fails."""
    other = KeyPair.generate(SimRandom(99))
    with pytest.raises(InvalidSignature):
        jose.decode(jose.sign({}, {}, other)).verify(key.public)


@pytest.mark.parametrize("cut", [1, 2, 32, 63])
def test_truncated_signature_fails(key, cut):
    """A signature shorter than the algorithm's size fails as an invalid signature."""
    jws = jose.decode(jose.sign({}, {}, key))
    token = f"{jws.signing_input.decode()}.{b64url(jws.signature[:-cut])}"
    with pytest.raises(InvalidSignature):
        jose.decode(token).verify(key.public)


def test_empty_signature_fails(key):
    """An ES256 header with an empty signature fails the signature check."""
    with pytest.raises(InvalidSignature):
        jose.decode(f"{part({'alg': 'ES256'})}.{part({})}.").verify(key.public)


def test_truncated_eddsa_signature_fails():
    """A truncated Ed25519 signature fails as an invalid signature."""
    ed = KeyPair.generate(SimRandom(4), "EdDSA")
    jws = jose.decode(jose.sign({}, {}, ed))
    with pytest.raises(InvalidSignature):
        jose.decode(f"{jws.signing_input.decode()}.{b64url(jws.signature[:-1])}").verify(ed.public)


def test_high_s_signature_is_accepted_as_ecdsa_allows(key):
    """ECDSA has no low-s rule: (r, n - s) verifies too (JWS does not forbid it; note for replay stores)."""

    from nutssim.jose.keys import _curve_order

    jws = jose.decode(jose.sign({}, {"a": 1}, key))
    n = _curve_order("P-256")
    r, s = jws.signature[:32], int.from_bytes(jws.signature[32:], "big")
    flipped = f"{jws.signing_input.decode()}.{b64url(r + (n - s).to_bytes(32, 'big'))}"
    jose.decode(flipped).verify(key.public)


# -- malformed tokens ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "token",
    [
        None,
        42,
        b"a.b.c",
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",
        "!!!.e30.",
        "e30.e30.***",
        "e30.e30.YW Jj",
        "e30.e30.YW\nJj",
        "e30.e30.a+b/",
    ],
)
def test_garbage_tokens_are_malformed(token):
    """Tokens that are not three base64url parts are ``MalformedToken``."""
    with pytest.raises(MalformedToken):
        jose.decode(token)


def test_truncated_token_is_malformed(key):
    """A token cut anywhere inside its header or payload is malformed or fails its signature."""
    token = jose.sign({"typ": "JWT"}, {"sub": "alice", "aud": "bob"}, key)
    for end in range(1, len(token)):
        with pytest.raises(JoseError):
            jose.decode(token[:end]).verify(key.public)


def test_junk_characters_in_a_part_are_malformed(key):
    """Characters outside the base64url alphabet are refused, not silently skipped."""
    header, payload, signature = jose.sign({}, {"a": 1}, key).split(".")
    for junk in ("!!!!", "$$$$", "....", "\x00\x00\x00\x00", "é"):
        with pytest.raises(MalformedToken):
            jose.decode(f"{header}.{payload}.{signature[:8]}{junk}{signature[8:]}")


def test_padding_in_a_part_is_malformed(key):
    """A compact JWS part with ``=`` padding is refused (RFC 7515 §2: base64url without padding)."""
    header, payload, signature = jose.sign({}, {"a": 1}, key).split(".")
    with pytest.raises(MalformedToken):
        jose.decode(f"{header}.{payload}.{signature}==")


def test_non_canonical_base64url_is_malformed(key):
    """A part with unused trailing bits set (same bytes, another spelling) is refused: no malleability."""
    token = jose.sign({}, {"a": 1}, key)
    header, payload, signature = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    accepted = []
    for char in alphabet:
        variant = f"{header}.{payload}.{signature[:-1]}{char}"
        try:
            jose.decode(variant).verify(key.public)
        except JoseError:
            continue
        accepted.append(variant)
    assert accepted == [token]


@pytest.mark.parametrize(
    ("header", "payload", "message"),
    [
        ("bm90IGpzb24", "e30", "header is not valid JSON"),
        ("e30", "bm90IGpzb24", "payload is not valid JSON"),
        ("W10", "e30", "header is not a JSON object"),
        ("e30", "WzEsMl0", "payload is not a JSON object"),
        ("e30", "IngiIA", "payload is not a JSON object"),
        ("e30", "NDI", "payload is not a JSON object"),
        ("e30", "bnVsbA", "payload is not a JSON object"),
        ("e30", "_w", "payload is not valid JSON"),
    ],
)
def test_non_object_json_parts_are_malformed(header, payload, message):
    """Header and payload must be JSON objects; other JSON or non-JSON parts are ``MalformedToken``."""
    with pytest.raises(MalformedToken, match=message):
        jose.decode(f"{header}.{payload}.")


def test_b64url_decode_accepts_optional_padding_and_refuses_garbage():
    """``b64url_decode`` takes base64url with or without padding and refuses anything else."""
    assert jose.b64url_decode("YWJj") == b"abc"
    assert jose.b64url_decode("YQ") == jose.b64url_decode("YQ==") == b"a"
    assert jose.b64url_decode("-_8") == b"\xfb\xff"
    for bad in ("Y", "YQ=a", "+/8", "YW*j", 5):
        with pytest.raises(MalformedToken):
            jose.b64url_decode(bad)  # type: ignore[arg-type]


# -- time claims ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("claims", "now", "error"),
    [
        ({"exp": NOW}, NOW + 4, None),
        ({"exp": NOW}, NOW + 5, TokenExpired),  # valid only *before* exp + skew (RFC 7519 §4.1.4, jwx)
        ({"exp": NOW}, NOW + 6, TokenExpired),
        ({"nbf": NOW}, NOW - 5, None),
        ({"nbf": NOW}, NOW - 6, TokenNotYetValid),
        ({"iat": NOW}, NOW - 5, None),
        ({"iat": NOW}, NOW - 6, IssuedInFuture),
        ({"iat": NOW, "nbf": NOW, "exp": NOW + 5}, NOW, None),
        ({"exp": NOW + 0.9}, NOW + 4, None),  # fractions truncated (jwx's default parse precision 0)
        ({"exp": NOW + 0.9}, NOW + 5, TokenExpired),
    ],
)
def test_time_claims_at_the_five_second_skew_boundary(claims, now, error):
    """nbf/iat pass at exactly 5 s beyond their bound and fail at 6 s; exp fails at exp + 5 s itself."""
    if error is None:
        jose.check_times(claims, now)
    else:
        with pytest.raises(error):
            jose.check_times(claims, now)


def test_time_claims_with_zero_skew():
    """With ``skew=0`` a token is expired at its ``exp`` second (it was valid before it)."""
    jose.check_times({"exp": NOW}, NOW - 1, skew=0)
    with pytest.raises(TokenExpired, match="expired 0 s ago"):
        jose.check_times({"exp": NOW}, NOW, skew=0)


def test_time_errors_name_their_check():
    """Each time failure carries the id of the claim check that failed."""
    for claims, now, check in (
        ({"exp": NOW}, NOW + 6, "jwt.exp"),
        ({"nbf": NOW}, NOW - 6, "jwt.nbf"),
        ({"iat": NOW}, NOW - 6, "jwt.iat"),
    ):
        with pytest.raises(JoseError) as info:
            jose.check_times(claims, now)
        assert info.value.check == check
        assert isinstance(info.value, ProtocolError)


@pytest.mark.parametrize("claims", [{}, {"nbf": None}, {"nbf": ""}, {"exp": NOW}])
def test_missing_required_claim(claims):
    """A required claim that is absent, null or empty is ``MissingClaim``."""
    with pytest.raises(MissingClaim, match="'nbf' is missing"):
        jose.check_times(claims, NOW, require=("nbf",))


def test_absent_optional_time_claims_pass():
    """Without exp/nbf/iat and nothing required there is nothing to fail."""
    jose.check_times({"sub": "x"}, NOW)


@pytest.mark.parametrize("value", ["1735689600", True, [1], {"n": 1}])
def test_non_numeric_time_claim_is_refused(value):
    """A time claim that is not a JSON number (strings, booleans, arrays) is refused."""
    with pytest.raises(MissingClaim, match="not a number"):
        jose.check_times({"exp": value}, NOW)


@pytest.mark.parametrize("literal", ["1e400", "-1e400", "NaN", "Infinity"])
def test_non_finite_time_claim_from_a_token_is_refused(key, literal):
    """A token whose ``exp`` is not finite (1e400, NaN) is refused with a JOSE error, not a crash."""
    payload = base64.urlsafe_b64encode(f'{{"exp": {literal}}}'.encode()).rstrip(b"=").decode()
    token = f"{part({'alg': 'ES256'})}.{payload}."
    # NaN and Infinity are not JSON (RFC 8259 §6), and 1e400 is beyond a double, which Go's
    # encoding/json refuses too: the payload does not decode
    with pytest.raises(MalformedToken, match="not valid JSON"):
        jose.decode(token)


# -- audience ------------------------------------------------------------------------------------------------
def test_audience_string_or_list():
    """``aud`` may be one string or a list containing the expected audience."""
    jose.check_audience({"aud": "https://as.example/oauth2/a"}, "https://as.example/oauth2/a")
    jose.check_audience({"aud": ["x", "https://as.example/oauth2/a"]}, "https://as.example/oauth2/a")


@pytest.mark.parametrize(
    "claims",
    [
        {},
        {"aud": None},
        {"aud": "https://as.example/oauth2/b"},
        {"aud": ["https://AS.example/oauth2/a"]},
        {"aud": "https://as.example/oauth2/a/"},
    ],
)
def test_wrong_or_missing_audience_is_refused(claims):
    """A missing or different ``aud`` (compared exactly) is ``AudienceMismatch`` with check ``jwt.aud``."""
    with pytest.raises(AudienceMismatch) as info:
        jose.check_audience(claims, "https://as.example/oauth2/a")
    assert info.value.check == "jwt.aud"


def test_error_checks_are_named():
    """Every JOSE error class names its check."""
    assert {cls.check for cls in (MalformedToken, AlgorithmNotAllowed, InvalidSignature, MissingClaim)} == {
        "jws.format",
        "jws.alg",
        "jws.signature",
        "jwt.claims",
    }


# -- crit (RFC 7515 §4.1.11) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"crit": "x"}, "non-empty array"),
        ({"crit": []}, "non-empty array"),
        ({"crit": [1]}, "non-empty array"),
        ({"crit": ["x", "x"], "x": 1}, "twice"),
        ({"crit": ["alg"]}, "JWS itself defines"),
        ({"crit": ["x"]}, "does not carry"),
        ({"crit": ["x"], "x": 1}, "not understood"),
    ],
)
def test_crit_is_refused_unless_understood(header, message):
    from nutssim.jose import CriticalHeaderNotUnderstood, check_crit

    with pytest.raises(CriticalHeaderNotUnderstood, match=message):
        check_crit({"alg": "ES256", **header})


def test_crit_understood_or_absent_passes():
    from nutssim.jose import check_crit

    check_crit({"alg": "ES256"})
    check_crit({"alg": "ES256", "crit": ["b64"], "b64": False}, understood={"b64"})
