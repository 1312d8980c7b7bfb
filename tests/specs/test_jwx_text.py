"""jwx v3.2.0's words and validator order under the reference's ParseJWT (issue #17 item 2)."""

from __future__ import annotations

import pytest

from nutssim import jose
from nutssim.jose import KeyPair
from nutssim.jose import jws as jose_jws
from nutssim.rng import SimRandom
from nutssim.specs import jwx_text

NOW = 1_000_000
PREFIX = "jwt.ParseString: failed to parse string: jwt.Validate: validation failed: "


def _raised(claims: dict[str, object]) -> jose.JoseError:
    with pytest.raises(jose.JoseError) as info:
        jwx_text.validate(claims, NOW)
    return info.value


def test_expired_reads_as_the_reference_test_literal() -> None:
    """vcr/verifier/verifier_test.go: the whole text of an expired JWT."""
    error = _raised({"exp": NOW - 5})
    assert str(error) == PREFIX + '"exp" not satisfied: token is expired'
    assert error.check == "jwt.exp"


def test_iat_is_checked_before_exp_and_nbf() -> None:
    """jwt/validate.go Validate: IsIssuedAtValid runs first, so a future iat wins over an expired exp."""
    error = _raised({"iat": NOW + 6, "exp": NOW - 100, "nbf": NOW + 100})
    assert str(error) == PREFIX + '"iat" not satisfied'
    assert error.check == "jwt.iat"


def test_exp_is_checked_before_nbf() -> None:
    """IsExpirationValid runs before IsNbfValid."""
    error = _raised({"exp": NOW - 100, "nbf": NOW + 100})
    assert str(error) == PREFIX + '"exp" not satisfied: token is expired'


def test_not_yet_valid() -> None:
    """jwx's default nbf text."""
    error = _raised({"nbf": NOW + 6})
    assert str(error) == PREFIX + '"nbf" not satisfied: token is not yet valid'
    assert error.check == "jwt.nbf"


def test_skew_boundaries_as_jwx() -> None:
    """Within 5 s of skew every claim passes; exp fails at exp + skew exactly (!now.Before(exp+skew))."""
    jwx_text.validate({"iat": NOW + 5, "nbf": NOW + 5, "exp": NOW - 4}, NOW)
    assert _raised({"exp": NOW - 5}).check == "jwt.exp"


def test_values_that_are_not_numbers_are_left_to_jose() -> None:
    """A non-numeric or non-finite claim is no jwx time failure here (jose.check_times refuses it after)."""
    jwx_text.validate({"exp": "soon", "iat": float("inf"), "nbf": True}, NOW)


@pytest.mark.parametrize(
    ("alg", "reason"),
    [
        ("ES256", "invalid ECDSA signature"),
        ("EdDSA", "invalid EdDSA signature"),
        ("RS256", "crypto/rsa: verification error"),
        ("PS256", "crypto/rsa: verification error"),
    ],
)
def test_signature_texts_per_algorithm(alg: str, reason: str) -> None:
    """jwx wraps dsig's verifier error with the algorithm (crypto/jwx_test.go for ES256)."""
    assert jwx_text.signature_failed(alg) == (
        f"jwt.ParseString: failed to parse string: signature verification failed for {alg}: {reason}"
    )


@pytest.mark.parametrize(
    "reason",
    [
        PREFIX + '"exp" not satisfied: token is expired',
        PREFIX + '"iat" not satisfied',
    ],
)
def test_explain_knows_the_reference_texts(reason: str) -> None:
    """``nutssim explain`` finds the VP check for jwx's whole text as a real node prints it."""
    from nutssim.catalogue.explain import explain

    text = f"presentation(s) or credential(s) verification failed: unable to validate JWT signature: {reason}"
    found = explain(f"invalid_request - {text}")
    assert found.error == "invalid_request"
    assert found.description == text
    assert found.check == "token.verify_vp"


@pytest.mark.parametrize(
    ("alg", "length", "reason"),
    [
        ("ES256", 64, "invalid ECDSA signature"),
        (
            "ES256",
            63,
            'dsig.VerifyECDSA: failed to unpack ECDSA signature: invalid signature length for curve "P-256"',
        ),
        (
            "ES384",
            64,
            'dsig.VerifyECDSA: failed to unpack ECDSA signature: invalid signature length for curve "P-384"',
        ),
        ("EdDSA", 63, "invalid EdDSA signature"),
        ("RS256", 10, "crypto/rsa: verification error"),
        ("PS256", 10, "crypto/rsa: verification error"),
    ],
)
def test_signature_texts_per_alg_as_dsig(alg: str, length: int, reason: str) -> None:
    """dsig v1.0.0 VerifyECDSA (length before curve check), VerifyEdDSA, VerifyRSA, as jwx wraps them."""
    text = jwx_text.signature_failed(alg, b"\0" * length)
    assert (
        text == f"jwt.ParseString: failed to parse string: signature verification failed for {alg}: {reason}"
    )


def test_a_truncated_es256_signature_reads_as_dsig_unpack() -> None:
    """parse_jwt on a real JWT whose signature lost a byte: the unpack text, not the curve check's."""

    key = KeyPair.generate(SimRandom(5))
    header, payload, signature = jose_jws.sign({"alg": "ES256"}, {"iss": "a"}, key).split(".")
    jws = jose_jws.decode(f"{header}.{payload}.{signature[:-2]}")
    with pytest.raises(jose.InvalidSignature) as info:
        jwx_text.parse_jwt(jws, key.public, NOW)
    assert str(info.value).endswith('invalid signature length for curve "P-256"')


# -- crit under jwt.ParseString with one WithKey (jwx PR #1793; FIDELITY.md "crit on VP/VC JWTs") -----
CRIT = (
    "jwt.ParseString: failed to parse string: jws.Verify: could not verify message using any of the "
    'signatures or keys: jws.Verify: signature #1 has invalid "crit" header: jws.Verify: '
)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            {"crit": ["x-ext"], "x-ext": True},
            '"crit" header references extension "x-ext", but the recipient has not declared support '
            'for it (use jws.WithCritExtension("x-ext"))',
        ),
        ({"crit": []}, '"crit" header must not be empty'),
        ({"crit": [""]}, '"crit" header must not contain an empty extension name'),
        ({"crit": ["kid"], "kid": "k"}, '"crit" header must not contain standard header parameter "kid"'),
        (
            {"crit": ["x-missing"]},
            '"crit" header references extension "x-missing", but it is not present in the protected header',
        ),
    ],
)
def test_crit_refusal_in_validate_critical_order(header: dict[str, object], reason: str) -> None:
    """jws/verify.go validateCritical: empty, empty name, standard name, absent, undeclared."""
    assert jwx_text.crit_refusal({"alg": "ES256", **header}) == CRIT + reason


def test_no_crit_no_refusal() -> None:
    assert jwx_text.crit_refusal({"alg": "ES256", "kid": "did:web:a#0"}) is None


# -- project-gf: jwx v2.1.6 (its go.mod at 1e7e87b), read at develop/v2 @ 42920f4b -----------------------
def test_project_gf_words_claims_unwrapped() -> None:
    """v2's jwt.ParseString and jwt.Validate return a validator's error as it is, in the same order."""
    v2 = jwx_text.words("v2.1.6")
    assert v2 is jwx_text.V2_1_6 and not v2.crit_refused
    cases = [({"exp": NOW - 10}, '"exp" not satisfied'), ({"nbf": NOW + 10}, '"nbf" not satisfied')]
    cases.append(({"iat": NOW + 10, "exp": NOW - 10}, '"iat" not satisfied'))  # iat first, as v3
    for claims, text in cases:
        with pytest.raises(jose.JoseError) as info:
            jwx_text.validate(claims, NOW, jwx=v2)
        assert str(info.value) == text


def test_project_gf_words_a_bad_signature_as_jws_verify() -> None:
    """v2's jws.Verify hides the verifier's reason behind its verifyError, even a wrong ECDSA length."""
    for signature in (b"x" * 64, b"x" * 10):
        assert jwx_text.signature_failed("ES256", signature, jwx_text.V2_1_6) == (
            "could not verify message using any of the signatures or keys"
        )
    assert jwx_text.words("v3.2.0") is jwx_text.V3_2_0 and jwx_text.words(None) is None
