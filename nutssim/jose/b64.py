"""Strict base64url decoding for JWS parts and JWK members (RFC 7515 §2, RFC 4648 §5)."""

from __future__ import annotations

import binascii

from nutssim.jose.errors import MalformedToken

#: base64url → base64; ``+`` and ``/`` (not base64url) become ``!``, which strict decoding refuses.
_FROM_B64URL = bytes.maketrans(b"-_+/", b"+/!!")
_B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; raise ``MalformedToken`` on garbage."""
    # Strict: characters outside the alphabet are refused, not skipped, and unused trailing
    # bits must be zero, so one byte string has one spelling (no signature malleability).
    if not isinstance(text, str):
        raise MalformedToken("invalid base64url")
    try:
        data = text.encode("ascii").translate(_FROM_B64URL)
    except UnicodeEncodeError:
        raise MalformedToken("invalid base64url") from None
    rest = len(data) % 4
    if rest:
        if data.endswith(b"="):  # padding, but not to a multiple of 4
            raise MalformedToken("invalid base64url")
        data += b"=" * (4 - rest)
    try:
        decoded = binascii.a2b_base64(data, strict_mode=True)
    except binascii.Error:
        raise MalformedToken("invalid base64url") from None
    used = len(text) - (2 if text.endswith("==") else 1 if text.endswith("=") else 0)
    if used % 4 and _B64URL_ALPHABET.index(text[used - 1]) & (0b1111 if used % 4 == 2 else 0b11):
        raise MalformedToken("invalid base64url: non-canonical encoding")
    return decoded
