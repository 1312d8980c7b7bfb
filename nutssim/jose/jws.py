"""Compact JWS and JWT (RFC 7515, RFC 7519): build, decode, verify, and time-claim checks.

jwcrypto's ``JWT`` reads the wall clock and draws ``jti`` from ``uuid4``; nutssim sets
every time claim itself and checks them here against the simulated clock.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nutssim.jose.b64 import b64url_decode, jwx_b64_decode
from nutssim.jose.errors import (
    AlgorithmNotAllowed,
    AudienceMismatch,
    CriticalHeaderNotUnderstood,
    IssuedInFuture,
    MalformedToken,
    MissingClaim,
    TokenExpired,
    TokenNotYetValid,
)
from nutssim.jose.keys import SUPPORTED_ALGS, KeyPair, PublicKey
from nutssim.messages import parse_json
from nutssim.rng import b64url

#: Default clock skew for JWT time claims (reference `DefaultJWTClockSkew`, PROTOCOL.md §0).
DEFAULT_SKEW = 5


_to_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _json_b64(obj: Mapping[str, Any] | bytes) -> str:
    if isinstance(obj, bytes):
        return b64url(obj)
    return b64url(_to_json(obj).encode())


def sign(header: Mapping[str, Any], payload: Mapping[str, Any] | bytes, key: KeyPair) -> str:
    """Return a compact JWS of ``payload`` signed with ``key``; ``alg`` comes from the key."""
    full_header = {"alg": key.alg, **{k: v for k, v in header.items() if k != "alg"}}
    signing_input = f"{_json_b64(full_header)}.{_json_b64(payload)}"
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


@dataclass(frozen=True)
class CompactJWS:
    """A decoded (not yet verified) compact JWS."""

    raw: str
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        """The ``alg`` header."""
        return str(self.header.get("alg", ""))

    @property
    def kid(self) -> str | None:
        """The ``kid`` header, if any."""
        kid = self.header.get("kid")
        return str(kid) if kid is not None else None

    def verify(self, key: PublicKey, allowed_algs: Iterable[str] = SUPPORTED_ALGS) -> None:
        """Check ``alg`` against the allowed list, then the signature with ``key``."""
        check_alg(self.alg, allowed_algs)
        key.verify(self.alg, self.signing_input, self.signature)


def decode(token: object, *, jwx_base64: bool = False) -> CompactJWS:
    """Split and decode a compact JWS whose header and payload are JSON objects.

    ``jwx_base64``: read each part as the reference's jwx does (``b64.jwx_b64_decode``: padding,
    the standard alphabet, CR/LF and unused trailing bits all pass) rather than as RFC 7515 §2
    words it (base64url, no padding, no line breaks). The signing input stays the parts as sent,
    so a second spelling verifies only where its signature segment alone differs. Lenient
    reading decodes a canonical token exactly as strict reading does, so code that re-reads a
    token its edge already accepted passes ``True`` whatever the profile.
    """
    if not isinstance(token, str):
        raise MalformedToken("token is not a string")
    parts = token.split(".")
    if not jwx_base64 and "=" in token:
        raise MalformedToken("compact JWS parts are base64url without padding")
    if len(parts) != 3:
        raise MalformedToken(f"compact JWS must have 3 parts, found {len(parts)}")
    read = jwx_b64_decode if jwx_base64 else b64url_decode
    header = _json_part(read(parts[0]), "header")
    payload = _json_part(read(parts[1]), "payload")
    signature = read(parts[2])
    signing_input = token[: len(parts[0]) + 1 + len(parts[1])].encode("ascii")
    return CompactJWS(token, header, payload, signing_input, signature)


def _json_part(decoded: bytes, name: str) -> dict[str, Any]:
    try:
        value = parse_json(decoded.decode("utf-8"))
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, an over-long integer
        raise MalformedToken(f"JWS {name} is not valid JSON") from None
    if not isinstance(value, dict):
        raise MalformedToken(f"JWS {name} is not a JSON object")
    return value


def check_alg(alg: str, allowed: Iterable[str] = SUPPORTED_ALGS) -> None:
    """Refuse ``none`` and any algorithm outside ``allowed``."""
    allowed = tuple(allowed)
    if not alg or alg.lower() == "none":
        raise AlgorithmNotAllowed("unsecured JWS (alg none) is not accepted")
    if alg not in allowed:
        raise AlgorithmNotAllowed(f"algorithm {alg!r} is not allowed (allowed: {', '.join(allowed)})")


#: Header parameters RFC 7515 §4.1 and RFC 7518 define; ``crit`` must not list them (§4.1.11).
REGISTERED_HEADERS = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}
)


def check_crit(header: Mapping[str, Any], understood: Iterable[str] = ()) -> None:
    """Refuse a ``crit`` header that is malformed or lists an extension not ``understood``.

    RFC 7515 §4.1.11: ``crit`` is a non-empty array of header names, none defined by JWS or
    JWA, each present in the header; a recipient that does not understand one MUST reject
    the JWS. The reference refuses ``crit`` in jwx v3.2.0's own words where it parses a JWT
    with one key (``specs/jwx_text.py crit_refusal``), so only the ``strict`` profile calls this.
    """
    if "crit" not in header:
        return
    names = header["crit"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise CriticalHeaderNotUnderstood("crit must be a non-empty array of header names (RFC 7515 §4.1.11)")
    if len(set(names)) != len(names):
        raise CriticalHeaderNotUnderstood("crit lists a header name twice (RFC 7515 §4.1.11)")
    known = set(understood)
    for name in names:
        if name in REGISTERED_HEADERS:
            problem = f"crit lists {name!r}, which JWS itself defines"
        elif name not in header:
            problem = f"crit lists {name!r}, which the header does not carry"
        elif name not in known:
            problem = f"critical header {name!r} is not understood"
        else:
            continue
        raise CriticalHeaderNotUnderstood(f"{problem} (RFC 7515 §4.1.11)")


def crit_problem(header: Mapping[str, Any], understood: Iterable[str] = ()) -> str:
    """Why ``check_crit`` refuses ``header`` (its message), or ``""`` when it passes."""
    try:
        check_crit(header, understood)
    except CriticalHeaderNotUnderstood as exc:
        return str(exc)
    return ""


def _number(claims: Mapping[str, Any], name: str) -> int | None:
    value = claims.get(name)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        raise MissingClaim(f"claim {name!r} is not a number")
    return int(value)


def check_times(
    claims: Mapping[str, Any],
    now: int,
    *,
    skew: int = DEFAULT_SKEW,
    require: Iterable[str] = (),
) -> None:
    """Check ``exp``, ``nbf`` and ``iat`` against ``now`` with ``skew`` seconds of leeway."""
    for name in require:
        if claims.get(name) in (None, ""):
            raise MissingClaim(f"required claim {name!r} is missing")
    exp, nbf, iat = _number(claims, "exp"), _number(claims, "nbf"), _number(claims, "iat")
    # RFC 7519 §4.1.4 "MUST be before": expired from exp + skew on (jwx: !now.Before(exp.Add(skew))).
    if exp is not None and now >= exp + skew:
        raise TokenExpired(f'"exp" not satisfied: expired {now - exp} s ago')
    if nbf is not None and now < nbf - skew:
        raise TokenNotYetValid(f'"nbf" not satisfied: valid in {nbf - now} s')
    if iat is not None and now < iat - skew:
        raise IssuedInFuture(f'"iat" not satisfied: issued {iat - now} s in the future')


def check_audience(claims: Mapping[str, Any], expected: str) -> None:
    """Require ``expected`` to be (one of) the ``aud`` claim values, compared exactly."""
    aud = claims.get("aud")
    values = aud if isinstance(aud, list) else [aud]
    if expected not in values:
        raise AudienceMismatch(f"audience {aud!r} does not contain {expected!r}")
