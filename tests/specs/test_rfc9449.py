"""RFC 9449 (DPoP): spec vectors, the reference's parse and /dpop/validate rules, strict checks."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from jwcrypto.jwk import JWK

from nutssim import jose
from nutssim.errors import OAuthError, ProtocolError
from nutssim.jose import KeyPair
from nutssim.rng import SimRandom, b64url
from nutssim.specs import jwx_text, rfc9449
from nutssim.specs.rfc9449 import DPoPError, DPoPNonceRequired
from nutssim.stores import ExpiringSet

# RFC 9449 §4.2 example proof and its key's thumbprint (PROTOCOL.md §5 items 3 and 4).
RFC_PROOF = (
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZ"
    "OXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIs"
    "ImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVy"
    "LmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLb"
    "dLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
)
RFC_IAT = 1562262616
RFC_JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"

NOW = 1_735_689_600
TOKEN = "access-token-43-chars-xxxxxxxxxxxxxxxxxxxxx"
RESOURCE = "https://nodeA/resource"


@pytest.fixture
def key() -> KeyPair:
    return KeyPair.generate(SimRandom(7), "ES256")


def proof_for(key: KeyPair, *, htm="GET", htu=RESOURCE, now=NOW, token=TOKEN, seed=1, nonce=None) -> str:
    return rfc9449.make_proof(
        key, htm=htm, htu=htu, now=now, rng=SimRandom(seed), access_token=token, nonce=nonce
    )


def forge(key: KeyPair, header: dict, claims: dict) -> str:
    """Sign arbitrary header and claims with ``key`` (alg comes from the key)."""
    return jose.sign(header, claims, key)


def good_parts(key: KeyPair) -> tuple[dict, dict]:
    header = {"typ": "dpop+jwt", "jwk": key.public_jwk(with_alg=True)}
    claims = {"htm": "POST", "htu": "https://nodeA/oauth2/a/token", "jti": "j1", "iat": NOW}
    return header, claims


def refused(token: object, now: int = NOW) -> DPoPError:
    with pytest.raises(DPoPError) as info:
        rfc9449.parse_proof(token, now)
    assert isinstance(info.value, ProtocolError)
    return info.value


def validate(proof: str, key: KeyPair, store: ExpiringSet, **overrides) -> rfc9449.ValidationResult:
    args = {"method": "GET", "url": RESOURCE, "thumbprint": key.thumbprint(), "token": TOKEN, "now": NOW}
    args.update(overrides)
    return rfc9449.validate_for_resource(proof, seen_jti=store, **args)


def jti_store() -> ExpiringSet[str]:
    return ExpiringSet(rfc9449.JTI_STORE_TTL)


# --- spec vectors -----------------------------------------------------------------------------


def test_ath_vector_rfc9449_section_7_1():
    token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
    assert rfc9449.ath(token) == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"


def test_rfc_example_proof_parses_under_reference_rules_at_its_iat():
    proof = rfc9449.parse_proof(RFC_PROOF, RFC_IAT)
    assert proof.thumbprint == RFC_JKT
    assert (proof.htm, proof.htu, proof.jti, proof.iat) == (
        "POST",
        "https://server.example.com/token",
        "-BwC3ESc6acc2lTc",
        RFC_IAT,
    )
    assert proof.alg == "ES256"
    assert proof.ath is None and proof.nonce is None
    assert proof.jwk["crv"] == "P-256"


def test_rfc_example_proof_is_refused_by_any_freshness_check():
    proof = rfc9449.parse_proof(RFC_PROOF, NOW)  # years old: the reference still parses it
    with pytest.raises(DPoPError) as info:
        rfc9449.check_iat_window(proof, NOW)
    assert info.value.check == "dpop.iat_window"


# --- building proofs --------------------------------------------------------------------------


def test_make_proof_shape(key):
    token = proof_for(key, nonce="server-nonce")
    decoded = jose.decode(token)
    assert decoded.header == {"alg": "ES256", "typ": "dpop+jwt", "jwk": key.public_jwk(with_alg=True)}
    assert "kid" not in decoded.header and decoded.header["jwk"]["alg"] == "ES256"
    claims = decoded.payload
    assert set(claims) == {"htm", "htu", "jti", "iat", "ath", "nonce"}
    assert (claims["htm"], claims["htu"], claims["iat"]) == ("GET", RESOURCE, NOW)
    assert claims["jti"] == SimRandom(1).token() and len(claims["jti"]) == 43
    assert claims["ath"] == rfc9449.ath(TOKEN)
    assert claims["nonce"] == "server-nonce"
    parsed = rfc9449.parse_proof(token, NOW)
    assert parsed.thumbprint == key.thumbprint()


def test_make_proof_without_token_has_no_ath_and_is_deterministic(key):
    first = rfc9449.make_proof(key, htm="POST", htu="https://a/t", now=NOW, rng=SimRandom(3))
    again = rfc9449.make_proof(key, htm="POST", htu="https://a/t", now=NOW, rng=SimRandom(3))
    assert first == again
    assert "ath" not in jose.decode(first).payload


def test_make_proof_with_eddsa_key_parses():
    key = KeyPair.generate(SimRandom(9), "EdDSA")
    assert rfc9449.parse_proof(proof_for(key), NOW).alg == "EdDSA"


# --- reference parse rules (PROTOCOL.md §4.2 item 20) -----------------------------------------


def _unsigned(header: dict, claims: dict) -> str:
    part = lambda obj: b64url(json.dumps(obj).encode())  # noqa: E731
    return f"{part(header)}.{part(claims)}."


def _hs256(header: dict, claims: dict, secret: bytes) -> str:
    part = lambda obj: b64url(json.dumps(obj).encode())  # noqa: E731
    signing_input = f"{part(header)}.{part(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def test_typ_must_be_dpop_jwt(key):
    header, claims = good_parts(key)
    for typ in ("JWT", "DPOP+JWT", None):
        err = refused(forge(key, {**header, "typ": typ}, claims))
        assert err.check == "dpop.typ"
    err = refused(forge(key, {k: v for k, v in header.items() if k != "typ"}, claims))
    assert err.check == "dpop.typ"
    assert str(err) == "invalid DPoP token: invalid type: "


def test_alg_none_refused(key):
    header, claims = good_parts(key)
    err = refused(_unsigned({**header, "alg": "none"}, claims))
    assert err.check == "dpop.alg"
    assert str(err) == "invalid DPoP token: invalid alg: none"


def test_alg_hs256_refused_even_with_matching_mac(key):
    header, claims = good_parts(key)
    err = refused(_hs256({**header, "alg": "HS256"}, claims, b"secret"))
    assert err.check == "dpop.alg"


def test_alg_checked_before_typ_like_the_reference(key):
    header, claims = good_parts(key)
    assert refused(_unsigned({**header, "alg": "none", "typ": "JWT"}, claims)).check == "dpop.alg"


def test_missing_jwk_refused(key):
    header, claims = good_parts(key)
    err = refused(forge(key, {"typ": "dpop+jwt"}, claims))
    assert err.check == "dpop.jwk"
    assert str(err) == "invalid DPoP token: missing jwk header"
    assert refused(forge(key, {**header, "jwk": "not-an-object"}, claims)).check == "dpop.jwk"


def test_private_key_in_jwk_refused(key):
    header, claims = good_parts(key)
    private = JWK.from_pem(key.private_pem()).export(private_key=True, as_dict=True)
    err = refused(forge(key, {**header, "jwk": private}, claims))
    assert err.check == "dpop.jwk"
    assert str(err) == "invalid DPoP token: invalid jwk header"


def test_symmetric_jwk_fails_at_signature_like_the_reference(key):
    header, claims = good_parts(key)
    oct_jwk = {"kty": "oct", "k": b64url(b"0123456789abcdef")}
    assert refused(forge(key, {**header, "jwk": oct_jwk}, claims)).check == "dpop.signature"


@pytest.mark.parametrize("claim", ["jti", "htm", "htu", "iat"])
def test_missing_claim_refused(key, claim):
    header, claims = good_parts(key)
    del claims[claim]
    err = refused(forge(key, header, claims))
    assert err.check == "dpop.claims"
    assert str(err) == f"invalid DPoP token: missing {claim} claim"


@pytest.mark.parametrize(("claim", "value"), [("jti", ""), ("htm", 1), ("htu", ""), ("iat", 0)])
def test_empty_or_mistyped_claim_refused(key, claim, value):
    header, claims = good_parts(key)
    assert refused(forge(key, header, {**claims, claim: value})).check == "dpop.claims"


def test_non_numeric_iat_refused(key):
    header, claims = good_parts(key)
    assert refused(forge(key, header, {**claims, "iat": "yesterday"})).check == "dpop.claims"


def test_jti_length_bound(key):
    header, claims = good_parts(key)
    rfc9449.parse_proof(forge(key, header, {**claims, "jti": "j" * 256}), NOW)
    err = refused(forge(key, header, {**claims, "jti": "j" * 257}))
    assert err.check == "dpop.jti_length"
    assert str(err) == "invalid DPoP token: jti claim too long"


def test_bad_signature_refused(key):
    token = proof_for(key)
    head, _, signature = token.split(".")
    tampered_claims = {**jose.decode(token).payload, "htm": "DELETE"}
    tampered = f"{head}.{b64url(json.dumps(tampered_claims).encode())}.{signature}"
    assert refused(tampered).check == "dpop.signature"


def test_signed_by_another_key_than_the_jwk_refused(key):
    other = KeyPair.generate(SimRandom(8), "ES256")
    header, claims = good_parts(key)
    assert refused(forge(other, header, claims)).check == "dpop.signature"


@pytest.mark.parametrize("value", ["not-a-jwt", "a.b", "", None, 42])
def test_garbage_refused_as_format(value):
    assert refused(value).check == "dpop.format"


def test_future_iat_refused_beyond_parse_skew(key):
    rfc9449.parse_proof(proof_for(key, now=NOW + 5), NOW)
    err = refused(proof_for(key, now=NOW + 6), NOW)
    assert err.check == "dpop.time"
    with pytest.raises(DPoPError):
        rfc9449.parse_proof(proof_for(key, now=NOW + 1), NOW, skew=0)


def test_expired_exp_refused(key):
    header, claims = good_parts(key)
    assert refused(forge(key, header, {**claims, "exp": NOW - 6})).check == "dpop.time"


def test_every_parse_failure_maps_to_invalid_dpop_proof(key):
    header, claims = good_parts(key)
    failures = [
        refused(forge(key, {**header, "typ": "JWT"}, claims)),
        refused(_unsigned({**header, "alg": "none"}, claims)),
        refused(forge(key, {"typ": "dpop+jwt"}, claims)),
        refused(forge(key, header, {**claims, "jti": "j" * 300})),
        refused("garbage"),
    ]
    for failure in failures:
        error = rfc9449.token_endpoint_error(failure)
        assert error.body() == {"error": "invalid_dpop_proof", "error_description": "DPoP header is invalid"}
        assert error.status == 400
        assert error.check == failure.check


def test_token_endpoint_accepts_wrong_htm_htu_under_reference_rules(key):
    # PROTOCOL.md §4.2 item 73: the reference only parses the proof at the token endpoint.
    token = proof_for(key, htm="GET", htu="https://elsewhere.example/x")
    proof = rfc9449.parse_proof(token, NOW)
    with pytest.raises(DPoPError) as info:
        rfc9449.check_request_binding(proof, "POST", "https://nodeA/oauth2/a/token")
    assert info.value.check == "dpop.htm"


# --- reference /dpop/validate (PROTOCOL.md §1.7 step 4, §4.2 items 64–68, 72) ------------------


def test_validate_accepts_a_good_proof(key):
    result = validate(proof_for(key), key, jti_store())
    assert result == rfc9449.ValidationResult(True)
    assert result.body() == {"valid": True}


def test_validate_parse_failure_reason(key):
    result = validate(forge(key, {"typ": "JWT", "jwk": key.public_jwk()}, {}), key, jti_store())
    assert not result.valid
    assert result.reason == "failed to parse DPoP header: invalid DPoP token: invalid type: JWT"
    assert result.check == "dpop.typ"
    assert result.body() == {"valid": False, "reason": result.reason}


def test_item_64_attacker_key_jkt_mismatch(key):
    attacker = KeyPair.generate(SimRandom(66), "ES256")
    result = validate(proof_for(attacker), key, jti_store())
    assert (result.valid, result.reason, result.check) == (False, "jkt mismatch", "dpop.jkt")


def test_item_65_method_mismatch(key):
    result = validate(proof_for(key, htm="GET"), key, jti_store(), method="DELETE")
    assert result.reason == "method mismatch, token: GET, given: DELETE"


def test_item_66_url_mismatch(key):
    result = validate(proof_for(key, htu="https://a/x"), key, jti_store(), url="https://a/y")
    assert result.reason == "url mismatch, token: https://a/x, given: https://a/y"


@pytest.mark.parametrize(
    "given",
    [
        "https://nodeA:443/resource?x=1#f",
        "http://nodeA/resource",
        "https://nodeA/resource",
        "http://nodeA:8080/resource",
    ],
)
def test_item_66_port_query_fragment_scheme_ignored(key, given):
    assert validate(proof_for(key), key, jti_store(), url=given).valid


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("https://NODEA/resource", "https://NODEA/resource"),
        ("https://nodeA/Resource", "https://nodeA/Resource"),
        ("https://nodeA/resource/", "https://nodeA/resource/"),
    ],
)
def test_item_66_host_case_and_path_significant(key, given, shown):
    result = validate(proof_for(key), key, jti_store(), url=given)
    assert result.reason == f"url mismatch, token: https://nodeA/resource, given: {shown}"


def test_item_67_missing_ath(key):
    result = validate(proof_for(key, token=None), key, jti_store())
    assert (result.reason, result.check) == ("missing ath claim", "dpop.ath")


def test_item_67_ath_for_another_token(key):
    result = validate(proof_for(key, token="another-token"), key, jti_store())
    assert result.reason == "ath/token claim mismatch"


def test_item_68_replayed_jti_within_15_minutes(key):
    store = jti_store()
    proof = proof_for(key)
    assert validate(proof, key, store).valid
    replay = validate(proof, key, store, now=NOW + 899)
    assert (replay.valid, replay.reason, replay.check) == (False, "jti already used", "dpop.jti_replay")
    assert validate(proof, key, store, now=NOW + 900).valid  # the store forgot it (and no iat window)


def test_failed_validation_does_not_burn_the_jti(key):
    store = jti_store()
    proof = proof_for(key)
    assert not validate(proof, key, store, method="POST").valid
    assert validate(proof, key, store).valid


def test_item_72_old_proof_with_new_jti_accepted(key):
    old = proof_for(key, now=NOW - 6 * 3600, seed=5)
    assert validate(old, key, jti_store()).valid


def test_item_72_proof_from_the_future_refused(key):
    result = validate(proof_for(key, now=NOW + 60), key, jti_store())
    assert not result.valid
    assert result.reason == (
        "failed to parse DPoP header: invalid DPoP token\njwt.ParseString: failed to parse string: "
        'jwt.Validate: validation failed: "iat" not satisfied'
    )
    assert result.check == "dpop.time"


# --- reference URL normalisation (PROTOCOL.md §5 item 7) --------------------------------------


def test_reference_url_normalisation_examples():
    same = {rfc9449.reference_url(u) for u in ("https://nodeA:443/resource?x=1#f", "http://nodeA/resource")}
    assert same == {"https://nodeA/resource"}
    assert rfc9449.reference_url("https://nodeA/resource") == "https://nodeA/resource"
    assert rfc9449.reference_url("https://NodeA/resource") == "https://NodeA/resource"
    assert rfc9449.reference_url("https://nodeA/a/../resource") == "https://nodeA/a/../resource"
    assert rfc9449.reference_url("https://user@nodeA:8443/r") == "https://user@nodeA/r"


# --- strict profile (RFC 9449 §4.3, §8, §11.1) -------------------------------------------------


@pytest.mark.parametrize(
    "request_uri",
    [
        "https://nodeA/oauth2/a/token",
        "HTTPS://NODEA:443/oauth2/a/token",
        "https://nodeA/oauth2/a/token?x=1#frag",
        "https://nodeA/oauth2/./b/../a/%74oken",
    ],
)
def test_strict_request_binding_accepts_equivalent_uris(key, request_uri):
    header, claims = good_parts(key)
    proof = rfc9449.parse_proof(forge(key, header, claims), NOW)
    rfc9449.check_request_binding(proof, "POST", request_uri)


@pytest.mark.parametrize(
    ("method", "uri", "check"),
    [
        ("post", "https://nodeA/oauth2/a/token", "dpop.htm"),
        ("GET", "https://nodeA/oauth2/a/token", "dpop.htm"),
        ("POST", "http://nodeA/oauth2/a/token", "dpop.htu"),  # scheme matters when strict
        ("POST", "https://nodeA:8443/oauth2/a/token", "dpop.htu"),
        ("POST", "https://nodeA/oauth2/b/token", "dpop.htu"),
        ("POST", "https://nodeB/oauth2/a/token", "dpop.htu"),
        ("POST", "https://nodeA:notaport/x", "dpop.htu"),
    ],
)
def test_strict_request_binding_refuses(key, method, uri, check):
    header, claims = good_parts(key)
    proof = rfc9449.parse_proof(forge(key, header, claims), NOW)
    with pytest.raises(DPoPError) as info:
        rfc9449.check_request_binding(proof, method, uri)
    assert info.value.check == check


def test_normalize_htu():
    assert rfc9449.normalize_htu("HTTP://Example.COM:80") == "http://example.com/"
    assert rfc9449.normalize_htu("https://e.com/a%2fb/%7e/./c/..") == "https://e.com/a%2Fb/~/"
    assert rfc9449.normalize_htu("https://e.com/../..") == "https://e.com/"
    assert rfc9449.normalize_htu("https://[::1]:443/x") == "https://[::1]/x"


def test_strict_iat_window(key):
    header, claims = good_parts(key)
    for iat, ok in [(NOW, True), (NOW - 60, True), (NOW - 61, False), (NOW + 5, True), (NOW + 6, False)]:
        proof = rfc9449.parse_proof(forge(key, header, {**claims, "iat": iat}), NOW, skew=10)
        if ok:
            rfc9449.check_iat_window(proof, NOW)
        else:
            with pytest.raises(DPoPError) as info:
                rfc9449.check_iat_window(proof, NOW)
            assert info.value.check == "dpop.iat_window"
    proof = rfc9449.parse_proof(forge(key, header, {**claims, "iat": NOW - 300}), NOW)
    rfc9449.check_iat_window(proof, NOW, window=300)


def test_strict_nonce(key):
    accepted = ExpiringSet[str](300)
    accepted.add("n-1", NOW)
    without = rfc9449.parse_proof(proof_for(key), NOW)
    with pytest.raises(DPoPNonceRequired) as info:
        rfc9449.check_nonce(without, accepted=accepted, now=NOW, next_nonce="n-2")
    assert (info.value.check, info.value.nonce) == ("dpop.nonce", "n-2")
    unknown = rfc9449.parse_proof(proof_for(key, nonce="forged"), NOW)
    with pytest.raises(DPoPNonceRequired):
        rfc9449.check_nonce(unknown, accepted=accepted, now=NOW, next_nonce="n-2")
    good = rfc9449.parse_proof(proof_for(key, nonce="n-1"), NOW)
    rfc9449.check_nonce(good, accepted=accepted, now=NOW + 299, next_nonce="n-2")
    with pytest.raises(DPoPNonceRequired):
        rfc9449.check_nonce(good, accepted=accepted, now=NOW + 300, next_nonce="n-3")


def test_nonce_error_on_the_wire():
    err = DPoPNonceRequired("DPoP proof has no nonce", nonce="n-2")
    at_as = rfc9449.token_endpoint_error(err)
    assert at_as.body() == {
        "error": "use_dpop_nonce",
        "error_description": "Authorization server requires nonce in DPoP proof",
    }
    assert (at_as.status, at_as.headers) == (400, {"DPoP-Nonce": "n-2"})


def test_parse_failures_read_the_same_at_the_token_endpoint():
    error = rfc9449.token_endpoint_error(DPoPError("x", check="dpop.htu"))
    assert isinstance(error, OAuthError)
    assert (error.error, error.status, error.check) == (rfc9449.INVALID_DPOP_PROOF, 400, "dpop.htu")
    assert error.description == "DPoP header is invalid"


def test_strict_jti_replay_and_ath(key):
    store = jti_store()
    proof = rfc9449.parse_proof(proof_for(key), NOW)
    rfc9449.check_jti_unused(proof, store, NOW)
    with pytest.raises(DPoPError) as info:
        rfc9449.check_jti_unused(proof, store, NOW + 1)
    assert info.value.check == "dpop.jti_replay"
    rfc9449.check_ath(proof, TOKEN)
    for token, message in [("other", "ath/token claim mismatch")]:
        with pytest.raises(DPoPError, match=message):
            rfc9449.check_ath(proof, token)
    no_ath = rfc9449.parse_proof(proof_for(key, token=None), NOW)
    with pytest.raises(DPoPError, match="missing ath claim"):
        rfc9449.check_ath(no_ath, TOKEN)


# -- jwx's texts, errors.Join'ed, as crypto/dpop/dpop_test.go asserts them (issue #17 item 2) ------
def test_two_segments_read_as_jwx_segment_count():
    """dpop_test.go: "invalid DPoP token\\njws.ParseString: … jwsbb: invalid number of segments"."""
    with pytest.raises(DPoPError) as info:
        rfc9449.parse_proof("a.b", NOW)
    assert str(info.value) == (
        "invalid DPoP token\njws.ParseString: failed to parse string: jws.Parse: failed to parse compact "
        "format: jws.Parse: invalid compact serialization format: jwsbb: invalid number of segments"
    )


def test_short_signature_reads_as_dsig_unpack(key):
    """dpop_test.go: a wrong-length ES256 signature fails in dsig VerifyECDSA's unpack step."""
    header, payload, signature = proof_for(key).split(".")
    with pytest.raises(DPoPError) as info:
        rfc9449.parse_proof(f"{header}.{payload}.{signature[:-2]}", NOW)  # 63 bytes
    assert str(info.value) == (
        "invalid DPoP token\njwt.ParseString: failed to parse string: signature verification failed for "
        "ES256: dsig.VerifyECDSA: failed to unpack ECDSA signature: "
        'invalid signature length for curve "P-256"'
    )
    assert info.value.check == "dpop.signature"


def test_wrong_signature_reads_as_jwx(key):
    header, payload, _ = proof_for(key).split(".")
    _, _, other = proof_for(key, seed=2, htm="POST").split(".")
    with pytest.raises(DPoPError) as info:
        rfc9449.parse_proof(f"{header}.{payload}.{other}", NOW)
    assert str(info.value) == (
        "invalid DPoP token\njwt.ParseString: failed to parse string: signature verification failed for "
        "ES256: invalid ECDSA signature"
    )


# -- jws.ParseString's own failures in jwx v3's words (jws/jws.go parse; issue #17 item 1b) -------
COMPACT = (
    "invalid DPoP token\njws.ParseString: failed to parse string: jws.Parse: failed to parse compact format: "
)
B64_FALSE = b64url(b'{"b64":false}')
NOT_JSON = b64url(b'{"alg" 1}')
B64 = "failed to decode source: illegal base64 data at input byte"


def test_header_that_is_not_json_reads_as_the_reference_literal():
    """authz_server_test.go pins jws.ParseString("123.456.787"); DPoP Parse joins it to ErrInvalidDPoP."""
    error = refused("123.456.787")
    assert str(error) == (
        COMPACT + "failed to parse JOSE headers: invalid character '\u00d7' looking for beginning of value"
    )
    assert error.check == "dpop.format"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (
            "a$b.x.y",
            f"failed to decode protected headers: {B64} 1",
        ),
        (
            f"{NOT_JSON}.x.y",
            "failed to parse JOSE headers: invalid character '1' after object key",
        ),
        ("e30.x.y", "failed to decode payload: failed to decode source: illegal base64 data at input byte 0"),
        (
            "e30.e30.a",
            "failed to decode signature: failed to decode source: illegal base64 data at input byte 0",
        ),
        # b64 false (RFC 7797): jwx leaves the payload as it is and fails on the signature next
        (
            f"{B64_FALSE}.x.y",
            "failed to decode signature: failed to decode source: illegal base64 data at input byte 0",
        ),
    ],
)
def test_segment_failures_read_as_jwx_parse(token, reason):
    """Header, its JSON, payload, signature: jwx's order and wrapper, Go's words after it."""
    error = refused(token)
    assert str(error) == COMPACT + reason
    assert error.check == "dpop.format"


def test_a_padded_signature_parses_as_jwx_reads_it_and_strict_refuses_it(key):
    """A padded segment decodes in jwx (internal/base64 Guess), in dpop.go Parse's jws and jwt parses alike.

    The reference's reading (``jwx``: either nuts-node profile's) takes the proof; RFC 7515
    §2's refuses it, with nutssim's reason behind jwx's wrapper (jwx has no words for it).
    """
    header, payload, signature = proof_for(key).split(".")
    assert len(signature) % 4 == 2  # 64 bytes: 86 symbols, two "=" of padding
    padded = f"{header}.{payload}.{signature}=="
    assert rfc9449.parse_proof(padded, NOW, jwx=jwx_text.V2_1_6).thumbprint == key.thumbprint()
    error = refused(padded)
    assert str(error) == (
        "invalid DPoP token\njws.ParseString: failed to parse string: "
        "compact JWS parts are base64url without padding"
    )


def test_empty_value_is_an_invalid_byte_sequence():
    """jws.Parse finds no format to detect in an empty or blank value."""
    assert (
        str(refused(" "))
        == "invalid DPoP token\njws.ParseString: failed to parse string: jws.Parse: invalid byte sequence"
    )


def test_validate_reason_carries_jwx_parse_text(key):
    """/dpop/validate: 'failed to parse DPoP header: ' + the errors.Join'ed text (auth/api/iam/dpop.go)."""
    result = validate("e30.x.y", key, jti_store())
    assert result.reason == (
        "failed to parse DPoP header: "
        + COMPACT
        + "failed to decode payload: failed to decode source: illegal base64 data at input byte 0"
    )


# --- crit under jwx v3.2.0 (crypto/dpop/dpop.go Parse → jwt.ParseString with one WithKey) --------
JWX_CRIT = (
    "invalid DPoP token\njwt.ParseString: failed to parse string: jws.Verify: could not verify message "
    'using any of the signatures or keys: jws.Verify: signature #1 has invalid "crit" header: jws.Verify: '
    '"crit" header references extension "x-ext", but the recipient has not declared support for it '
    '(use jws.WithCritExtension("x-ext"))'
)


def test_crit_is_refused_while_parsing_as_jwx_refuses_it(key):
    """The reference's parse refuses a crit proof after the jwk checks, before the signature."""
    header, claims = good_parts(key)
    proof = forge(key, {**header, "crit": ["x-ext"], "x-ext": True}, claims)
    with pytest.raises(DPoPError) as info:
        rfc9449.parse_proof(proof, NOW, jwx=jwx_text.V3_2_0)
    assert (str(info.value), info.value.check) == (JWX_CRIT, "dpop.crit")
    # strict parses it and refuses it afterwards in its own words (RFC 7515 §4.1.11)
    parsed = rfc9449.parse_proof(proof, NOW)
    with pytest.raises(DPoPError, match="critical header 'x-ext' is not understood"):
        rfc9449.check_proof_crit(parsed)
    # the jwk checks come first, as in dpop.go Parse
    no_jwk = forge(key, {"typ": "dpop+jwt", "crit": ["x-ext"], "x-ext": True}, claims)
    with pytest.raises(DPoPError, match="missing jwk header"):
        rfc9449.parse_proof(no_jwk, NOW, jwx=jwx_text.V3_2_0)


def test_dpop_validate_reports_the_crit_refusal(key):
    """/dpop/validate answers the parse failure after its own prefix (auth/api/iam/dpop.go)."""
    header = {"typ": "dpop+jwt", "jwk": key.public_jwk(with_alg=True), "crit": ["x-ext"], "x-ext": True}
    claims = {"htm": "GET", "htu": RESOURCE, "jti": "j2", "iat": NOW, "ath": rfc9449.ath(TOKEN)}
    result = validate(forge(key, header, claims), key, jti_store(), jwx=jwx_text.V3_2_0)
    assert (result.valid, result.reason) == (False, f"failed to parse DPoP header: {JWX_CRIT}")
    assert validate(forge(key, header, claims), key, jti_store()).valid
