"""The reference's reading of a JWS's parts (jwx's auto-detecting decoder) beside RFC 7515 §2's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutssim import jose, profiles
from nutssim.jose import InvalidSignature, KeyPair, MalformedToken
from nutssim.jose.b64 import jwx_b64_decode
from nutssim.rng import SimRandom
from nutssim.specs import go_text, jwx_text

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def key() -> KeyPair:
    """A seeded P-256 key with a kid."""
    return KeyPair.generate(SimRandom(2), kid="did:web:a.example#k1")


def respelled(token: str, how: str) -> str:
    """The token with its signature segment spelled another way: the same bytes."""
    head, _, signature = token.rpartition(".")
    if how == "padded":
        signature += "=" * (-len(signature) % 4)
    elif how == "standard alphabet":
        signature = signature.replace("-", "+").replace("_", "/")
        assert "+" in signature or "/" in signature, "the seeded signature holds a - or _"
    elif how == "line break":
        signature = f"{signature[:40]}\r\n{signature[40:]}"
    elif how == "unused bits":
        signature = signature[:-1] + ALPHABET[ALPHABET.index(signature[-1]) | 1]
    return f"{head}.{signature}"


@settings(max_examples=2000)
@given(st.text(alphabet="AQgw-_+/=\r\n!é", max_size=12))
def test_the_decoder_accepts_what_go_text_accepts(text: str) -> None:
    """One model of jwx's decoder: ``jwx_b64_decode`` agrees with ``go_text.base64_error``."""
    try:
        decoded: bytes | None = jwx_b64_decode(text)
    except MalformedToken:
        decoded = None
    segment = text.encode("utf-8")
    assert (decoded is not None) == (go_text.base64_error(segment) is None)
    if decoded is not None:
        assert decoded == jwx_text._decoded(segment)


@pytest.mark.parametrize("how", ["padded", "standard alphabet", "line break", "unused bits"])
def test_a_second_spelling_of_the_signature_verifies_as_jwx_reads_it(key: KeyPair, how: str) -> None:
    """jwx reads the respelled signature, which verifies (same signing input); RFC 7515 §2 refuses it."""
    token = jose.sign({"kid": key.kid}, {"a": 1}, key)
    variant = respelled(token, how)
    assert variant != token
    jose.decode(variant, jwx_base64=True).verify(key.public)
    with pytest.raises(MalformedToken):
        jose.decode(variant)


def test_a_respelled_header_changes_the_signing_input(key: KeyPair) -> None:
    """The signature covers the parts as sent: a padded header decodes in jwx, then fails the signature."""
    header, payload, signature = jose.sign({"kid": key.kid}, {"a": 1}, key).split(".")
    assert len(header) % 4, "the seeded header leaves room for padding"
    variant = f"{header}{'=' * (-len(header) % 4)}.{payload}.{signature}"
    jws = jose.decode(variant, jwx_base64=True)
    assert jws.header["kid"] == key.kid
    with pytest.raises(InvalidSignature):
        jws.verify(key.public)


def test_a_canonical_token_reads_alike_both_ways(key: KeyPair) -> None:
    """What the edge accepted re-reads the same under jwx's reading: re-reads pass ``jwx_base64=True``."""
    token = jose.sign({"kid": key.kid}, {"a": [1, "x"]}, key)
    assert jose.decode(token, jwx_base64=True) == jose.decode(token)


@pytest.mark.parametrize("bad", ["e30.e30.YQ=a", "e30.e30.Y", "e30.e30.YQ==\n", "e30.e30.YW-/", "e30.e30.é"])
def test_what_go_refuses_stays_malformed(bad: str) -> None:
    """Go's decoder refuses these too: '=' inside a raw part, one symbol over, mixed alphabets, non-ASCII."""
    with pytest.raises(MalformedToken):
        jose.decode(bad, jwx_base64=True)


def test_both_reference_versions_read_as_jwx_and_strict_does_not() -> None:
    """jwx v3.2.0 (master) and v2.1.6 (project-gf) guess the encoding alike; strict is RFC 7515 §2."""
    assert profiles.REFERENCES["nuts-node"].jwx_base64
    assert profiles.REFERENCES["nuts-node-gf"].jwx_base64
    assert not profiles.REFERENCES["strict"].jwx_base64


@settings(max_examples=500)
@given(st.text(alphabet="eyJ0AQw-_+/=.\r\n\x00é{}", max_size=40))
def test_the_lenient_reading_is_total(text: str) -> None:
    """Any text decodes or is refused as malformed: never another exception."""
    try:
        jws = jose.decode(text, jwx_base64=True)
    except MalformedToken:
        return
    assert isinstance(jws.header, dict) and isinstance(jws.payload, dict)
