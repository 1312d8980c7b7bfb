"""JOSE over jwcrypto and cryptography: keys, thumbprints, compact JWS/JWT, time checks."""

from nutssim.jose.errors import (
    AlgorithmNotAllowed,
    AudienceMismatch,
    InvalidSignature,
    IssuedInFuture,
    JoseError,
    KeyMismatch,
    MalformedToken,
    MissingClaim,
    TokenExpired,
    TokenNotYetValid,
)
from nutssim.jose.jws import (
    DEFAULT_SKEW,
    CompactJWS,
    b64url_decode,
    check_alg,
    check_audience,
    check_times,
    decode,
    sign,
)
from nutssim.jose.keys import SUPPORTED_ALGS, KeyPair, PublicKey, thumbprint

__all__ = [
    "DEFAULT_SKEW",
    "SUPPORTED_ALGS",
    "AlgorithmNotAllowed",
    "AudienceMismatch",
    "CompactJWS",
    "InvalidSignature",
    "IssuedInFuture",
    "JoseError",
    "KeyMismatch",
    "KeyPair",
    "MalformedToken",
    "MissingClaim",
    "PublicKey",
    "TokenExpired",
    "TokenNotYetValid",
    "b64url_decode",
    "check_alg",
    "check_audience",
    "check_times",
    "decode",
    "sign",
    "thumbprint",
]
