"""base64url decoding for JWS parts and JWK members: strict (RFC 7515 §2, RFC 4648 §5) and jwx's.

``b64url_decode`` is the specification's reading; ``jwx_b64_decode`` the reference's, whose JWS
parser (jwx v2.1.6 and v3.2.0) guesses each part's encoding and lets Go decode it.
"""

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


#: The standard alphabet: ``-`` and ``_`` (base64url only) become ``!``, which decoding refuses.
_STD_ONLY = bytes.maketrans(b"-_", b"!!")


def jwx_b64_decode(text: str) -> bytes:
    """Decode as jwx's ``internal/base64 defaultDecoder``: the encoding guessed, then Go decodes.

    ``Guess`` (jwx ``internal/base64/base64.go``): padded when the text ends in ``=``, the
    standard alphabet when it holds ``+`` or ``/``, else raw base64url. Go's ``encoding/base64``
    skips CR and LF anywhere and, as jwx does not ask for ``Strict()``, ignores unused trailing
    bits, so one byte string has several spellings here. Accepts exactly what
    ``specs/go_text.base64_error`` accepts (a property test holds the two together).
    """
    if not isinstance(text, str):
        raise MalformedToken("invalid base64")
    try:
        src = text.encode("ascii")
    except UnicodeEncodeError:
        raise MalformedToken("invalid base64") from None
    table = _STD_ONLY if (b"+" in src or b"/" in src) else _FROM_B64URL
    data = src.replace(b"\r", b"").replace(b"\n", b"").translate(table)
    if not src.endswith(b"="):  # a raw encoding: "=" is no symbol of it
        if b"=" in data or len(data) % 4 == 1:
            raise MalformedToken("invalid base64")
        data += b"=" * (-len(data) % 4)
    elif len(data) % 4:  # padded: whole quanta only (binascii would take "AAAA=")
        raise MalformedToken("invalid base64")
    try:
        return binascii.a2b_base64(data, strict_mode=True)
    except binascii.Error:
        raise MalformedToken("invalid base64") from None
