"""RFC 7636 (PKCE): Appendix B vector first, then the reference's and the strict checks."""

from __future__ import annotations

import pytest

from nutssim.errors import OAuthError
from nutssim.rng import SimRandom
from nutssim.specs import rfc7636

# RFC 7636 Appendix B (PROTOCOL.md §5 item 1).
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_appendix_b_vector():
    assert rfc7636.s256(VERIFIER) == CHALLENGE
    assert rfc7636.make_challenge(VERIFIER) == CHALLENGE


def test_make_verifier_is_43_chars_seeded_and_valid():
    first, again = rfc7636.make_verifier(SimRandom(1)), rfc7636.make_verifier(SimRandom(1))
    assert len(first) == 43
    assert first == again
    assert first != rfc7636.make_verifier(SimRandom(2))
    rfc7636.check_verifier_syntax(first)


def test_verify_accepts_matching_verifier():
    rfc7636.verify(VERIFIER, CHALLENGE, "S256")


@pytest.mark.parametrize(
    ("verifier", "challenge", "method"),
    [
        (VERIFIER[:-1] + "l", CHALLENGE, "S256"),  # wrong verifier (catalogue item 58)
        (VERIFIER, CHALLENGE, "plain"),  # the reference supports S256 only
        (VERIFIER, VERIFIER, "plain"),
        (VERIFIER, CHALLENGE, "S512"),
        ("é" * 43, CHALLENGE, "S256"),  # not ASCII: cannot match
    ],
)
def test_verify_refuses_with_reference_text(verifier, challenge, method):
    with pytest.raises(OAuthError) as info:
        rfc7636.verify(verifier, challenge, method)
    assert info.value.body() == {"error": "invalid_grant", "error_description": "invalid code_verifier"}
    assert info.value.status == 400
    assert info.value.check == "pkce.verifier"


def test_plain_only_when_allowed():
    rfc7636.verify(VERIFIER, VERIFIER, "plain", allow_plain=True)
    with pytest.raises(OAuthError):
        rfc7636.verify(VERIFIER, CHALLENGE, "plain", allow_plain=True)


@pytest.mark.parametrize(
    "verifier",
    [
        "a" * 43,
        "a" * 128,
        "AZaz09-._~" * 5,
    ],
)
def test_verifier_syntax_accepts_unreserved_43_to_128(verifier):
    rfc7636.check_verifier_syntax(verifier)


@pytest.mark.parametrize(
    "verifier",
    ["a" * 42, "a" * 129, "a" * 42 + "+", "a" * 42 + "/", "a" * 42 + "=", "a" * 42 + " ", "", None],
)
def test_verifier_syntax_refuses(verifier):
    with pytest.raises(OAuthError) as info:
        rfc7636.check_verifier_syntax(verifier)
    assert info.value.error == "invalid_grant"
    assert info.value.check == "pkce.verifier_syntax"


def test_challenge_params_reference_texts():
    rfc7636.check_challenge_params(CHALLENGE, "S256")
    with pytest.raises(OAuthError) as missing:
        rfc7636.check_challenge_params(None, "S256")
    assert missing.value.body() == {
        "error": "invalid_request",
        "error_description": "missing code_challenge parameter",
    }
    for method in ("plain", None, "s256"):
        with pytest.raises(OAuthError) as bad:
            rfc7636.check_challenge_params(CHALLENGE, method)
        assert bad.value.description == (
            "invalid value for code_challenge_method parameter, only S256 is supported"
        )
    rfc7636.check_challenge_params(VERIFIER, "plain", allow_plain=True)
