"""RFC 7636 (PKCE): code verifier, S256 challenge, and the checks at authorize and token time.

The reference (PROTOCOL.md §2.2) accepts only ``S256``, rejects ``plain`` at the
authorization endpoint, and at the token endpoint compares ``S256(code_verifier)`` with the
stored challenge without checking the verifier's syntax. The ``strict`` profile adds
``check_verifier_syntax`` (RFC 7636 §4.1).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from nutssim import causes
from nutssim.causes import Cause
from nutssim.errors import OAuthError
from nutssim.rng import SimRandom, b64url
from nutssim.specs.rfc6749 import INVALID_GRANT, INVALID_REQUEST

S256 = "S256"
PLAIN = "plain"

#: RFC 7636 §4.1: 43 to 128 characters of the unreserved set [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
_VERIFIER_SYNTAX = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def make_verifier(rng: SimRandom) -> str:
    """Return a fresh 43-character verifier (32 random bytes, base64url), as the reference does."""
    # RFC 7636 §4.1 recommends 32 octets base64url-encoded; the reference uses GenerateNonce.
    return rng.token()


def s256(verifier: str) -> str:
    """Return BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2)."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def make_challenge(verifier: str, method: str = S256) -> str:
    """Return the ``code_challenge`` for ``verifier`` under ``method`` (RFC 7636 §4.2)."""
    if method == PLAIN:
        return verifier
    if method == S256:
        return s256(verifier)
    raise OAuthError(
        INVALID_REQUEST,
        f"unsupported code_challenge_method {method!r}",
        check="pkce.method",
        cause=Cause(causes.UNSUPPORTED, "parameter", "code_challenge_method", S256, str(method)),
    )


def check_challenge_params(challenge: str | None, method: str | None, *, allow_plain: bool = False) -> None:
    """Check ``code_challenge`` and ``code_challenge_method`` of an authorization request."""
    # PROTOCOL.md §2.2 step 7: missing challenge, then method other than S256, both invalid_request.
    if not challenge:
        raise OAuthError(
            INVALID_REQUEST,
            "missing code_challenge parameter",
            check="pkce.challenge",
            cause=Cause(causes.MISSING, "parameter", "code_challenge"),
        )
    allowed = (S256, PLAIN) if allow_plain else (S256,)
    if method not in allowed:
        raise OAuthError(
            INVALID_REQUEST,
            "invalid value for code_challenge_method parameter, only S256 is supported",
            check="pkce.method",
            cause=Cause(causes.UNSUPPORTED, "parameter", "code_challenge_method", S256, str(method)),
        )


def verify(verifier: str, challenge: str, method: str = S256, *, allow_plain: bool = False) -> None:
    """Check a ``code_verifier`` against the stored challenge; raise ``invalid_grant`` if it fails."""
    # RFC 7636 §4.6: recompute the challenge from the verifier and compare; the reference
    # (PROTOCOL.md §2.2 step 22) supports S256 only.
    allowed = (S256, PLAIN) if allow_plain else (S256,)
    try:
        ok = method in allowed and _constant_time_equal(make_challenge(verifier, method), challenge)
    except (OAuthError, UnicodeEncodeError):
        ok = False
    if not ok:
        raise OAuthError(
            INVALID_GRANT,
            "invalid code_verifier",
            check="pkce.verifier",
            cause=Cause(
                causes.MISMATCH, "parameter", "code_verifier", reason="S256(code_verifier) ≠ code_challenge"
            ),
        )


def check_verifier_syntax(verifier: str) -> None:
    """Require 43–128 characters of the unreserved set (RFC 7636 §4.1); strict profile only."""
    # RFC 7636 names no error code for a malformed verifier; the strict profile answers with
    # the same wire error as a wrong one (§4.6) and tells them apart by the check id.
    if not isinstance(verifier, str) or not _VERIFIER_SYNTAX.fullmatch(verifier):
        raise OAuthError(
            INVALID_GRANT,
            "invalid code_verifier",
            check="pkce.verifier_syntax",
            cause=Cause(
                causes.INVALID, "parameter", "code_verifier", reason="not 43–128 unreserved characters"
            ),
        )


def _constant_time_equal(left: str, right: str) -> bool:
    """Compare two strings without leaking where they differ."""
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))
