"""JOSE failures, each naming the check that failed (ARCHITECTURE principle 5)."""

from __future__ import annotations

from nutssim.errors import ProtocolError


class JoseError(ProtocolError):
    """A JWS/JWT could not be accepted; ``check`` names the failed rule."""

    check = "jose"


class MalformedToken(JoseError):
    """The token is not a well-formed compact JWS with JSON header and payload."""

    check = "jws.format"


class AlgorithmNotAllowed(JoseError):
    """The ``alg`` header is ``none``, unknown, or outside the allowed list."""

    check = "jws.alg"


class InvalidSignature(JoseError):
    """The signature does not verify with the given key."""

    check = "jws.signature"


class KeyMismatch(JoseError):
    """The signing key does not belong to whom the token says signed it."""

    check = "jws.key"


class MissingClaim(JoseError):
    """A required claim is absent or empty."""

    check = "jwt.claims"


class TokenExpired(JoseError):
    """``exp`` (plus the allowed skew) lies in the past."""

    check = "jwt.exp"


class TokenNotYetValid(JoseError):
    """``nbf`` (minus the allowed skew) lies in the future."""

    check = "jwt.nbf"


class IssuedInFuture(JoseError):
    """``iat`` (minus the allowed skew) lies in the future."""

    check = "jwt.iat"


class AudienceMismatch(JoseError):
    """``aud`` does not contain the expected audience."""

    check = "jwt.aud"


class CriticalHeaderNotUnderstood(JoseError):
    """``crit`` names an extension the recipient does not understand, or is malformed (RFC 7515 §4.1.11)."""

    check = "jws.crit"
