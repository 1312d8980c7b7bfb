"""The reference's JWT parser as its failures read: lestrrat-go/jwx v3.2.0, dsig v1.3.0 (issue #17 item 2).

nuts-node (``go.mod`` at d2ad162: ``github.com/lestrrat-go/jwx/v3 v3.2.0``,
``github.com/lestrrat-go/dsig v1.3.0``) verifies every JWT VC and VP through
``crypto/jwx.go ParseJWT``, which calls ``jwt.ParseString`` with the key, so jwx verifies
the signature and then validates the times, and wraps whatever fails in its own words.
The exact texts are the reference's own test literals at d2ad162:

- ``vcr/verifier/verifier_test.go`` (VerifyVP, an expired VP) and
  ``auth/services/oauth/authz_server_test.go``: ``jwt.ParseString: failed to parse string:
  jwt.Validate: validation failed: "exp" not satisfied: token is expired``;
- ``crypto/jwx_test.go``, ``vcr/verifier/signature_verifier_test.go``: ``jwt.ParseString:
  failed to parse string: signature verification failed for ES256: invalid ECDSA signature``.

jwx's ``jwt.Validate`` runs its default validators in the order ``IsIssuedAtValid``,
``IsExpirationValid``, ``IsNbfValid`` (``jwt/validate.go Validate``), so a token both issued
in the future and expired reads as an ``iat`` failure; the comparisons are ``now <
iat - skew``, ``!(now < exp + skew)`` and ``now < nbf - skew`` with whole seconds, as
``jose.check_times``. The ``iat`` and ``nbf`` texts are jwx's defaults (``jwt/internal/errors``:
``"iat" not satisfied``, ``"nbf" not satisfied: token is not yet valid``).

Signature texts per key type are dsig's verifiers wrapped by jwx as ``signature verification
failed for <alg>: <reason>``: ECDSA ``invalid ECDSA signature`` (the reference's tests),
EdDSA ``invalid EdDSA signature`` (dsig ``eddsa.go VerifyEdDSA``), RSA (PKCS #1 v1.5 and PSS)
Go's ``crypto/rsa: verification error`` (``rsa.ErrVerification``, returned unwrapped by dsig
``rsa.go VerifyRSA``). The EdDSA and RSA texts are read in dsig's source at v1.0.0 (``eddsa.go
VerifyEdDSA``, ``rsa.go VerifyRSA``, ``verify.go dispatchRSAVerify``/``dispatchEdDSAVerify``
return them unwrapped) and held to v1.3.0 by dsig's ``Changes`` (its v1.3.0 entry: for the
built-in families "the only observable difference for existing callers is one extra call
frame"); the v1.3.0 files themselves are not in the stored index (FIDELITY.md "VerifyVP error
texts").

``jws.ParseString``'s own failures (``jws_parse_failure``) are ``jws/jws.go parse``'s words,
the same at jwx develop/v3 (2024-10), in a late v3 and in v4, with Go's base64 and JSON texts
after them (``specs/go_text.py``); nuts-node's ``auth/services/oauth/authz_server_test.go``
pins the header case for ``123.456.787`` (FIDELITY.md "DPoP parse texts").

project-gf pins jwx v2.1.6 behind the same ``ParseJWT`` and ``dpop.Parse``: ``Words`` holds each
version's crit rule and ``jwt.ParseString`` words (``V3_2_0``, ``V2_1_6``; ``words`` maps
``profiles.Reference.jwx`` to them). ``jws.ParseString``'s texts are v3's under both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nutssim import jose
from nutssim.jose.b64 import jwx_b64_decode
from nutssim.jose.jws import DEFAULT_SKEW
from nutssim.specs import go_text

#: ``jwt.ParseString``'s wrapper of every failure (jwx v3.2.0 ``jwt/jwt.go ParseString``).
PARSE_STRING = "jwt.ParseString: failed to parse string: "
#: ``jwt.Validate``'s wrapper of a claim validator's failure.
VALIDATE = "jwt.Validate: validation failed: "
EXPIRED = '"exp" not satisfied: token is expired'
NOT_YET_VALID = '"nbf" not satisfied: token is not yet valid'
ISSUED_IN_FUTURE = '"iat" not satisfied'
#: dsig's reason per JWS algorithm family (the first two letters of ``alg``).
BAD_SIGNATURE = {
    "ES": "invalid ECDSA signature",
    "Ed": "invalid EdDSA signature",
    "RS": "crypto/rsa: verification error",
    "PS": "crypto/rsa: verification error",
}


#: dsig ``ecdsa.go UnpackECDSASignature``: the curve (Go's ``Params().Name``) and r||s length per alg.
ECDSA_UNPACK = "dsig.VerifyECDSA: failed to unpack ECDSA signature: "
ECDSA_CURVES = {"ES256": ("P-256", 64), "ES384": ("P-384", 96), "ES512": ("P-521", 132)}


@dataclass(frozen=True)
class Words:
    """How one jwx release words ``jwt.ParseString``'s failures (the reference version's go.mod)."""

    version: str
    crit_refused: bool  # jwt.ParseString with one WithKey refuses any crit (v3.2.0, PR #1793)
    parse_string: str  # the wrapper of every jwt.ParseString failure
    validate: str  # jwt.Validate's wrapper of a claim validator's failure
    expired: str
    not_yet_valid: str
    issued_in_future: str
    #: jws.Verify's text when no key verifies, or "" where the verifier's own reason is shown (v3)
    unverified: str = ""

    def claim_failed(self, text: str) -> str:
        """``jwt.ParseString``'s text for a failed claim validator (``text``: e.g. ``self.expired``)."""
        return f"{self.parse_string}{self.validate}{text}"


#: master: jwx v3.2.0 (the texts above, pinned by nuts-node's tests at d2ad162).
V3_2_0 = Words("v3.2.0", True, PARSE_STRING, VALIDATE, EXPIRED, NOT_YET_VALID, ISSUED_IN_FUTURE)
#: project-gf: jwx v2.1.6 (its go.mod at 1e7e87b), read at develop/v2 @ 42920f4b (2024-10):
#: ``jwt.ParseString`` returns ``parseBytes``'s error unwrapped; ``jwt.Validate`` returns a
#: validator's error as it is (``jwt/validate.go``: ``"exp" not satisfied``, ``"nbf" not
#: satisfied``, ``"iat" not satisfied``, the same order iat → exp → nbf); ``jws.Verify``'s
#: ``verifyError`` reads ``could not verify message using any of the signatures or keys``
#: whatever the verifier said (``jws/jws.go``).
V2_1_6 = Words(
    "v2.1.6",
    False,  # v2 stores crit and never reads it
    "",
    "",
    '"exp" not satisfied',
    '"nbf" not satisfied',
    '"iat" not satisfied',
    "could not verify message using any of the signatures or keys",
)
_WORDS = {w.version: w for w in (V3_2_0, V2_1_6)}


def words(version: str | None) -> Words | None:
    """The jwx of a reference version (``profiles.Reference.jwx``); None for the specifications."""
    return None if version is None else _WORDS[version]


def signature_failed(alg: str, signature: bytes | None = None, jwx: Words = V3_2_0) -> str:
    """``jwt.ParseString``'s text for a signature that does not verify under ``alg``.

    An ECDSA signature of the wrong length fails before the curve check, in dsig
    ``ecdsa.go VerifyECDSA`` (read at dsig v1.0.0; nuts-node's ``crypto/dpop/dpop_test.go`` pins
    it at v1.3.0): ``dsig.VerifyECDSA: failed to unpack ECDSA signature: invalid signature
    length for curve "P-256"``. jwx v2 says only that no key verified (``Words.unverified``).
    """
    if jwx.unverified:
        return f"{jwx.parse_string}{jwx.unverified}"
    reason = BAD_SIGNATURE.get(alg[:2], "signature verification failed")
    curve = ECDSA_CURVES.get(alg)
    if curve is not None and signature is not None and len(signature) != curve[1]:
        reason = f'{ECDSA_UNPACK}invalid signature length for curve "{curve[0]}"'
    return f"{PARSE_STRING}signature verification failed for {alg}: {reason}"


def validate(claims: Mapping[str, Any], now: int, *, skew: int = DEFAULT_SKEW, jwx: Words = V3_2_0) -> None:
    """jwx's default validators in its order (iat, exp, nbf); raise the jose error with jwx's words."""
    checks = (
        ("iat", lambda t: now < t - skew, jose.IssuedInFuture, jwx.issued_in_future),
        ("exp", lambda t: now >= t + skew, jose.TokenExpired, jwx.expired),
        ("nbf", lambda t: now < t - skew, jose.TokenNotYetValid, jwx.not_yet_valid),
    )
    for name, fails, error, text in checks:
        value = _seconds(claims.get(name))
        if value is not None and fails(value):
            raise error(jwx.claim_failed(text))


def _seconds(value: Any) -> int | None:
    """A finite numeric claim in whole seconds; anything else is refused by jose.check_times after."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if math.isfinite(value) else None


def parse_jwt(
    jws: jose.CompactJWS,
    key: jose.PublicKey,
    now: int,
    *,
    require: tuple[str, ...] = (),
    jwx: Words = V3_2_0,
) -> None:
    """``crypto/jwx.go ParseJWT``: the signature, jwx's time validation, then required claims."""
    try:
        jws.verify(key)
    except jose.InvalidSignature:
        raise jose.InvalidSignature(signature_failed(jws.alg, jws.signature, jwx)) from None
    validate(jws.payload, now, jwx=jwx)
    jose.check_times(jws.payload, now, require=require)


# -- jws.ParseString ---------------------------------------------------------------------------------
#: ``jws.ParseString`` → ``jws.Parse``'s wrappers around ``parse``'s own words (``jws/jws.go``).
JWS_PARSE_STRING = "jws.ParseString: failed to parse string: "
JWS_COMPACT = f"{JWS_PARSE_STRING}jws.Parse: failed to parse compact format: "
#: jwx's text for a compact form without three segments (nuts-node ``crypto/dpop/dpop_test.go``).
JWS_SEGMENTS = (
    f"{JWS_COMPACT}jws.Parse: invalid compact serialization format: jwsbb: invalid number of segments"
)


def jws_parse_failure(value: str, fallback: str) -> str:
    """``jws.ParseString``'s failure text where jwx fails; ``fallback`` where only nutssim refuses.

    jwx's ``jws/jws.go parse`` decodes the header (``failed to decode protected headers``),
    unmarshals it (``failed to parse JOSE headers``; nuts-node's ``auth/services/oauth/
    authz_server_test.go`` pins Go's ``invalid character '×' looking for beginning of value``
    for ``123.456.787``), then decodes the payload (unless ``b64`` is false) and the signature,
    each failure in Go's own words (``specs/go_text.py``). What jwx accepts and nutssim refuses keeps
    ``fallback``: under the nuts-node profiles that is a header that is JSON but no object, as their
    parse reads padding and the standard alphabet as jwx does (``jose.decode(jwx_base64=True)``).
    """
    if not value.strip():
        return f"{JWS_PARSE_STRING}jws.Parse: invalid byte sequence"  # detectParseFormat finds nothing
    if value.count(".") != 2:
        return JWS_SEGMENTS
    reason = _parse_reason(value.encode("utf-8", "surrogatepass"))
    return f"{JWS_COMPACT}{reason}" if reason else fallback


def _parse_reason(token: bytes) -> str | None:
    """jwx ``parse``'s reason for a three-segment compact JWS, or ``None`` when jwx would parse it."""
    protected, payload, signature = token.split(b".")
    header = _decoded(protected)
    if isinstance(header, str):
        return f"failed to decode protected headers: {header}"
    syntax = go_text.json_syntax_error(header)
    if syntax is not None:
        return f"failed to parse JOSE headers: {syntax}"
    if _b64_header(header):
        failure = go_text.base64_error(payload)
        if failure is not None:
            return f"failed to decode payload: {failure}"
    failure = go_text.base64_error(signature)
    return f"failed to decode signature: {failure}" if failure is not None else None


def _decoded(segment: bytes) -> bytes | str:
    """A segment decoded as jwx's auto-detecting decoder does, or Go's failure text."""
    failure = go_text.base64_error(segment)
    if failure is not None:
        return failure
    return jwx_b64_decode(segment.decode("ascii"))  # Go accepted it: every byte is ASCII


def _b64_header(header: bytes) -> bool:
    """jws ``getB64Value``: ``b64`` absent is true, a boolean is itself, anything else false (RFC 7797)."""
    try:
        parsed = json.loads(header)
    except (ValueError, RecursionError):
        return True  # a header nutssim cannot read: the payload is decoded as usual
    if not isinstance(parsed, dict) or "b64" not in parsed:
        return True
    value = parsed["b64"]
    return value if isinstance(value, bool) else False


# -- crit under jwt.ParseString with one WithKey (jwx v3 after PR #1793, 2026-04-14) -----------------
#: ``jws.Verify``'s wrapper once ``jwt.verifyJWS`` retries a crit-bearing JWT with crit validation.
CRIT_REFUSED = (
    f"{PARSE_STRING}jws.Verify: could not verify message using any of the signatures or keys: "
    'jws.Verify: signature #1 has invalid "crit" header: jws.Verify: '
)
#: ``jws/headers.go stdHeaderNames`` that ``crit`` must not list (``b64`` is RFC 7797's, allowed).
_STD_HEADERS = frozenset({"alg", "cty", "crit", "jku", "jwk", "kid", "typ", "x5c", "x5t", "x5t#S256", "x5u"})


def refused_crit(header: Mapping[str, Any], jwx: Words | None) -> str | None:
    """``crit_refusal`` where ``jwx`` refuses ``crit`` (v3.2.0); None under v2.1.6 or the specifications."""
    return crit_refusal(header) if jwx is not None and jwx.crit_refused else None


def crit_refusal(header: Mapping[str, Any]) -> str | None:
    """``jwt.ParseString``'s refusal of a ``crit`` header with ``WithKey`` alone, or ``None`` without one.

    ``jws.VerifyCompactFast`` refuses any ``crit`` (``ErrCritPresent``) and ``jwt/jwt.go verifyJWS``
    retries through ``jws.Verify`` with ``WithCritValidation(true)`` and no ``WithCritExtension``
    (lestrrat-go/jwx PR #1793, v3, merged 2026-04-14, before v3.1.1 took dsig v1.3.0), so
    ``jws/verify.go validateCritical`` refuses every extension: its words as a stored v3
    ``verify.go`` gives them, before the signature is checked.
    """
    if "crit" not in header:
        return None
    names = header["crit"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        # jwx's header decoder refuses a crit that is no list of strings first, in words not at hand
        return f"{PARSE_STRING}{jose.crit_problem(header)}"
    return f"{CRIT_REFUSED}{_crit_reason(names, header)}"


def _crit_reason(names: list[str], header: Mapping[str, Any]) -> str:
    """``validateCritical``'s first complaint about ``names``, in its order of checks."""
    if not names:
        return '"crit" header must not be empty'
    seen: set[str] = set()
    for name in names:
        if name == "":
            return '"crit" header must not contain an empty extension name'
        if name in seen:
            return f'"crit" header must not contain duplicate extension {_go_quote(name)}'
        seen.add(name)
        if name in _STD_HEADERS:
            return f'"crit" header must not contain standard header parameter {_go_quote(name)}'
        if name not in header:
            return (
                f'"crit" header references extension {_go_quote(name)}, '
                "but it is not present in the protected header"
            )
        if name == "b64":
            return (
                '"crit" header references extension "b64", but the recipient has not declared support '
                'for it; pass jws.WithCritExtension("b64") to accept in-band b64=false (auto-declare only '
                "fires for jws.WithDetachedPayload / jws.WithDetachedPayloadReader)"
            )
        return (
            f'"crit" header references extension {_go_quote(name)}, but the recipient has not '
            f"declared support for it (use jws.WithCritExtension({_go_quote(name)}))"
        )
    return '"crit" header must not be empty'  # unreachable: names is non-empty


def _go_quote(value: str) -> str:
    """Go's ``%q`` for the printable names a header carries (JSON's quoting agrees there)."""
    return json.dumps(value, ensure_ascii=False)
