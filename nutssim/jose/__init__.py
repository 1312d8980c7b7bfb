"""JOSE: keys, thumbprints, compact JWS/JWT and time checks over a crypto backend seam.

The arithmetic comes from ``cryptography`` or, where it cannot be imported (Pyodide), from the
pure-Python ``ecdsa`` package; both give the same bytes. ``NUTSSIM_CRYPTO=cryptography|pure|auto``
or :func:`use_backend` chooses (``nutssim.jose.backend``).
"""

from nutssim.jose.backend import (
    BACKENDS,
    BackendUnavailable,
    available_backends,
    backend_name,
    use_backend,
    using_backend,
)
from nutssim.jose.errors import (
    AlgorithmNotAllowed,
    AudienceMismatch,
    CriticalHeaderNotUnderstood,
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
    check_crit,
    check_times,
    crit_problem,
    decode,
    sign,
)
from nutssim.jose.keys import SUPPORTED_ALGS, KeyPair, PublicKey, thumbprint

__all__ = [
    "BACKENDS",
    "DEFAULT_SKEW",
    "SUPPORTED_ALGS",
    "AlgorithmNotAllowed",
    "AudienceMismatch",
    "BackendUnavailable",
    "CompactJWS",
    "CriticalHeaderNotUnderstood",
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
    "available_backends",
    "b64url_decode",
    "backend_name",
    "check_alg",
    "check_audience",
    "check_crit",
    "check_times",
    "crit_problem",
    "decode",
    "sign",
    "thumbprint",
    "use_backend",
    "using_backend",
]
