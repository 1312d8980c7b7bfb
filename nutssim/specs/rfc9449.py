"""RFC 9449 (DPoP): build proofs, parse them as the reference does, and the stricter checks.

Three layers, as the two profiles need them (ARCHITECTURE principle 7, PROTOCOL.md §7):

* ``parse_proof``: the reference's parse rules, run at the token endpoint and first in
  ``/dpop/validate`` (PROTOCOL.md §1.5 #15, §2.2 step 22, §4.2 item 20).
* ``validate_for_resource``: the reference's ``/dpop/validate`` (PROTOCOL.md §1.7 step 4),
  checks in its order with its reason texts; no ``iat`` window (§4.2 item 72).
* ``check_request_binding``, ``check_iat_window``, ``check_nonce``, ``check_jti_unused``:
  what RFC 9449 §4.3 and §8 add, used by the ``strict`` profile.

Every failure is a ``DPoPError`` whose ``check`` names the rule; ``token_endpoint_error``
turns one into the token endpoint's wire error (a resource server answers with the RFC 6750
challenge of ``specs.rfc6750``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from nutssim import causes
from nutssim.causes import Cause
from nutssim.errors import OAuthError, ProtocolError
from nutssim.jose import (
    SUPPORTED_ALGS,
    AlgorithmNotAllowed,
    CriticalHeaderNotUnderstood,
    InvalidSignature,
    JoseError,
    KeyPair,
    MalformedToken,
    MissingClaim,
    PublicKey,
    check_alg,
    check_crit,
    check_times,
    decode,
    sign,
    thumbprint,
)
from nutssim.limits import MAX_JTI_LENGTH
from nutssim.rng import SimRandom, b64url
from nutssim.specs import jwx_text
from nutssim.stores import ExpiringSet

DPOP_TYP = "dpop+jwt"
#: §12.2 error codes (the token endpoint's and, with §7.1, the resource server's).
INVALID_DPOP_PROOF = "invalid_dpop_proof"
USE_DPOP_NONCE = "use_dpop_nonce"
#: Reference ``useNonceOnceStore`` ttl (PROTOCOL.md §0): a jti is remembered for 15 min.
JTI_STORE_TTL = 900
#: Leeway on exp/nbf/iat while parsing, as the reference: ``crypto/dpop/dpop.go:154 Parse`` calls
#: jwx's ``jwt.ParseString`` with no ``WithAcceptableSkew``, and jwx's default skew is 0, so a
#: proof whose iat is even 1 s ahead is refused (token endpoint and ``/dpop/validate``).
REFERENCE_PARSE_SKEW = 0
#: Strict profile: how far in the future a proof's iat may be. RFC 9449 §11.1 asks servers to
#: allow "reasonable clock skew" without a number; 5 s is the node-wide JWT skew the reference
#: grants every other JWT (``crypto/jwx.go`` ``jwt.WithAcceptableSkew(5 * time.Second)``).
IAT_FUTURE_SKEW = 5
#: Default leeway of ``parse_proof``: the specified allowance; reference callers pass ``parse_skew``.
PARSE_SKEW = IAT_FUTURE_SKEW
#: Strict profile: how old a proof's iat may be (RFC 9449 §11.1 leaves the window to the server).
IAT_WINDOW = 60

#: Members only a private key has (RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2). A symmetric ``k`` is not
#: among them: like the reference, such a key fails at the signature check instead.
_PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")


#: The cause kind of each DPoP rule, by check id (anything else: the proof is invalid).
_KINDS = {
    "dpop.ath": causes.MISMATCH,
    "dpop.htm": causes.MISMATCH,
    "dpop.htu": causes.MISMATCH,
    "dpop.iat_window": causes.TIME,
    "dpop.time": causes.TIME,
    "dpop.jti_replay": causes.REPLAYED,
    "dpop.signature": causes.SIGNATURE,
    "dpop.alg": causes.UNSUPPORTED,
    "dpop.nonce": causes.MISSING,
}


class DPoPError(ProtocolError):
    """A DPoP proof failed a rule; ``check`` names it (``dpop.typ``, ``dpop.alg``, …), ``cause`` why."""

    check = "dpop"

    def __init__(self, message: str, *, check: str = "") -> None:
        super().__init__(message, check=check)
        kind = _KINDS.get(self.check, causes.INVALID)
        self.cause = Cause(kind, "dpop_proof", self.check.removeprefix("dpop."), reason=message)


class DPoPNonceRequired(DPoPError):
    """The server wants a (fresh) nonce in the proof (RFC 9449 §8); ``nonce`` is the one to use."""

    check = "dpop.nonce"

    def __init__(self, message: str, *, nonce: str) -> None:
        super().__init__(message)
        self.nonce = nonce


@dataclass(frozen=True)
class DPoPProof:
    """A parsed DPoP proof: raw JWT, header, claims and the public key it carries."""

    raw: str
    header: dict[str, Any]
    claims: dict[str, Any]
    key: PublicKey

    @property
    def jwk(self) -> dict[str, Any]:
        """The public JWK from the ``jwk`` header."""
        return self.key.jwk

    @property
    def thumbprint(self) -> str:
        """RFC 7638 SHA-256 thumbprint of the proof key, the token's ``cnf.jkt`` (RFC 9449 §6.1)."""
        return thumbprint(self.key.jwk)

    @property
    def alg(self) -> str:
        """The signing algorithm."""
        return str(self.header.get("alg", ""))

    @property
    def htm(self) -> str:
        """The ``htm`` claim (HTTP method)."""
        return _str_claim(self.claims, "htm")

    @property
    def htu(self) -> str:
        """The ``htu`` claim (HTTP target URI)."""
        return _str_claim(self.claims, "htu")

    @property
    def jti(self) -> str:
        """The ``jti`` claim."""
        return _str_claim(self.claims, "jti")

    @property
    def iat(self) -> int:
        """The ``iat`` claim in epoch seconds."""
        return int(self.claims["iat"])

    @property
    def ath(self) -> str | None:
        """The ``ath`` claim, if any."""
        value = self.claims.get("ath")
        return value if isinstance(value, str) else None

    @property
    def nonce(self) -> str | None:
        """The ``nonce`` claim, if any."""
        value = self.claims.get("nonce")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ValidationResult:
    """The answer of ``/dpop/validate``: always HTTP 200, ``valid`` or a ``reason``."""

    valid: bool
    reason: str = ""
    check: str = ""

    def body(self) -> dict[str, Any]:
        """Return the JSON body the reference answers with (PROTOCOL.md §1.7 step 4)."""
        return {"valid": True} if self.valid else {"valid": False, "reason": self.reason}


def ath(access_token: str) -> str:
    """Return the ``ath`` value: BASE64URL(SHA-256(ASCII(access_token))) (RFC 9449 §4.2)."""
    # UTF-8 equals ASCII for real tokens (RFC 6750 b64token) and cannot fail on a forged one.
    return b64url(hashlib.sha256(access_token.encode("utf-8")).digest())


def make_proof(
    key: KeyPair,
    *,
    htm: str,
    htu: str,
    now: int,
    rng: SimRandom,
    access_token: str | None = None,
    nonce: str | None = None,
) -> str:
    """Build and sign a DPoP proof JWT as node B does (PROTOCOL.md §1.7 step 1)."""
    # RFC 9449 §4.2: typ, alg and the public jwk in the header; the reference adds the key's
    # alg to the JWK and sends no kid.
    header = {"typ": DPOP_TYP, "alg": key.alg, "jwk": key.public_jwk(with_alg=True)}
    claims: dict[str, Any] = {"htm": htm, "htu": htu, "jti": rng.token(), "iat": int(now)}
    if access_token is not None:
        claims["ath"] = ath(access_token)
    if nonce is not None:
        claims["nonce"] = nonce
    return sign(header, claims, key)


def parse_skew(strict: bool) -> int:
    """The parse leeway of a profile: the reference's 0 s, or RFC 9449 §11.1's allowance (strict)."""
    return IAT_FUTURE_SKEW if strict else REFERENCE_PARSE_SKEW


def parse_proof(
    header_value: object,
    now: int,
    *,
    allowed_algs: tuple[str, ...] = SUPPORTED_ALGS,
    skew: int = PARSE_SKEW,
    jwx: jwx_text.Words | None = None,
) -> DPoPProof:
    """Parse a ``DPoP`` header value with the reference's rules; raise ``DPoPError``.

    ``jwx``: the reference's jwx (``jwx_text.words``), as ``crypto/dpop/dpop.go Parse`` uses it:
    the parts read as jwx reads them (``jose.decode``; its ``jws.ParseString`` and
    ``jwt.ParseString`` alike), a ``crit`` refused where v3.2.0's ``jwt.ParseString`` with one
    ``WithKey`` refuses it (``jwx_text.crit_refusal``, after the alg, typ and jwk checks and before
    the signature), and its words. None, the specifications: strict's callers check ``crit``
    afterwards (``check_proof_crit``), the texts read as v3.2.0's.
    """
    try:
        jws = decode(header_value, jwx_base64=jwx is not None)
    except JoseError as exc:
        raise DPoPError(
            f"{INVALID_DPOP_JOINED}{_jws_parse_text(header_value, exc)}", check="dpop.format"
        ) from None
    header, claims = jws.header, jws.payload
    # Reference order: alg, typ, jwk, private jwk, signature and times, then the claims.
    try:
        check_alg(jws.alg, allowed_algs)  # RFC 9449 §4.3 step 5: asymmetric, not none, supported
    except AlgorithmNotAllowed:
        raise DPoPError(f"invalid DPoP token: invalid alg: {jws.alg}", check="dpop.alg") from None
    typ = header.get("typ")
    if typ != DPOP_TYP:  # RFC 9449 §4.3 step 4
        shown = typ if isinstance(typ, str) else ""
        raise DPoPError(f"invalid DPoP token: invalid type: {shown}", check="dpop.typ")
    key = _header_key(header)
    words = jwx or jwx_text.V3_2_0  # strict's texts read as v3.2.0's
    refusal = jwx_text.refused_crit(header, jwx)
    if refusal:  # errors.Join(ErrInvalidDPoP, err) of dpop.go Parse's jwt.ParseString
        raise DPoPError(f"{INVALID_DPOP_JOINED}{refusal}", check="dpop.crit")
    try:
        jws.verify(key, allowed_algs)  # RFC 9449 §4.3 step 6
    except InvalidSignature:  # jwt.ParseString's words, errors.Join'ed (crypto/dpop/dpop.go Parse)
        text = jwx_text.signature_failed(jws.alg, jws.signature, words)
        raise DPoPError(f"{INVALID_DPOP_JOINED}{text}", check="dpop.signature") from None
    except AlgorithmNotAllowed as exc:
        raise DPoPError(f"invalid DPoP token: {exc}", check="dpop.signature") from None
    _check_parse_times(claims, now, skew, words)
    _check_required_claims(claims)
    return DPoPProof(jws.raw, header, claims, key)


#: ``crypto/dpop/dpop.go Parse`` joins jws/jwt parse errors to ``ErrInvalidDPoP`` with
#: ``errors.Join``, whose text puts each on its own line (``dpop_test.go``: "invalid DPoP
#: token\njws.ParseString: …", "invalid DPoP token\njwt.ParseString: …"); its own checks use
#: ``fmt.Errorf("%w: …")`` and read "invalid DPoP token: …".
INVALID_DPOP_JOINED = "invalid DPoP token\n"


def _jws_parse_text(value: object, exc: JoseError) -> str:
    """``jws.ParseString``'s failure text (``jwx_text.jws_parse_failure``), nutssim's reason as fallback."""
    fallback = f"{jwx_text.JWS_PARSE_STRING}{exc}"
    return jwx_text.jws_parse_failure(value, fallback) if isinstance(value, str) else fallback


def _header_key(header: dict[str, Any]) -> PublicKey:
    """Return the proof key from the ``jwk`` header: present, public only, parseable."""
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or not jwk:
        raise DPoPError("invalid DPoP token: missing jwk header", check="dpop.jwk")
    # RFC 9449 §4.3 step 7: the jwk MUST NOT contain a private key.
    if any(member in jwk for member in _PRIVATE_JWK_MEMBERS):
        raise DPoPError("invalid DPoP token: invalid jwk header", check="dpop.jwk")
    try:
        return PublicKey.from_jwk(jwk)
    except MalformedToken as exc:
        raise DPoPError(f"invalid DPoP token: invalid jwk header: {exc}", check="dpop.jwk") from None


def _check_parse_times(claims: dict[str, Any], now: int, skew: int, jwx: jwx_text.Words) -> None:
    """Apply default JWT time validation (exp, nbf, iat if present) with ``skew`` leeway."""
    try:
        jwx_text.validate(claims, now, skew=skew, jwx=jwx)  # jwt.ParseString's validators, iat → exp → nbf
    except JoseError as exc:
        raise DPoPError(f"{INVALID_DPOP_JOINED}{exc}", check="dpop.time") from None
    try:
        check_times(claims, now, skew=skew)
    except MissingClaim as exc:
        raise DPoPError(f"invalid DPoP token: {exc}", check="dpop.claims") from None
    except JoseError as exc:
        raise DPoPError(f"invalid DPoP token: {exc}", check="dpop.time") from None


def _check_required_claims(claims: dict[str, Any]) -> None:
    """Require iat, htu, htm and jti (RFC 9449 §4.2, §4.3 step 3), and bound the jti length."""
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float) or iat == 0:
        raise DPoPError("invalid DPoP token: missing iat claim", check="dpop.claims")
    for name in ("htu", "htm", "jti"):
        if not _str_claim(claims, name):
            raise DPoPError(f"invalid DPoP token: missing {name} claim", check="dpop.claims")
    # The reference counts bytes (Go len), which equals characters for ASCII jti values.
    if len(_str_claim(claims, "jti").encode("utf-8")) > MAX_JTI_LENGTH:
        raise DPoPError("invalid DPoP token: jti claim too long", check="dpop.jti_length")


def _str_claim(claims: dict[str, Any], name: str) -> str:
    """Return a string claim, or '' when absent or not a string."""
    value = claims.get(name)
    return value if isinstance(value, str) else ""


# --- reference resource-server validation (PROTOCOL.md §1.7 step 4) ---------------------------


def reference_url(url: str) -> str:
    """Normalise a URL as the reference does before comparing htu: ``https://<host><path>``."""
    # PROTOCOL.md §5 item 7: scheme forced to https, everything from the first ':' of the
    # host dropped (so the port), query and fragment dropped; host case and path kept.
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host = hostport.split(":")[0]
    return urlunsplit(("https", f"{userinfo}{at}{host}", parts.path, "", ""))


def validate_for_resource(
    proof_header: object,
    *,
    method: str,
    url: str,
    thumbprint: str,
    token: str,
    now: int,
    seen_jti: ExpiringSet[str],
    skew: int = PARSE_SKEW,
    jwx: jwx_text.Words | None = None,
) -> ValidationResult:
    """Validate a proof presented to a resource server, as the reference's ``/dpop/validate``."""
    try:
        proof = parse_proof(proof_header, now, skew=skew, jwx=jwx)
    except DPoPError as exc:
        return ValidationResult(False, f"failed to parse DPoP header: {exc}", exc.check)
    if proof.thumbprint != thumbprint:
        return ValidationResult(False, "jkt mismatch", "dpop.jkt")
    if method != proof.htm:
        return ValidationResult(False, f"method mismatch, token: {proof.htm}, given: {method}", "dpop.htm")
    token_url, given_url = reference_url(proof.htu), reference_url(url)
    if token_url != given_url:
        return ValidationResult(False, f"url mismatch, token: {token_url}, given: {given_url}", "dpop.htu")
    if "ath" not in proof.claims:
        return ValidationResult(False, "missing ath claim", "dpop.ath")
    if proof.claims["ath"] != ath(token):
        return ValidationResult(False, "ath/token claim mismatch", "dpop.ath")
    # The jti is stored only once every other check passed (reference order).
    if not seen_jti.add(proof.jti, now):
        return ValidationResult(False, "jti already used", "dpop.jti_replay")
    return ValidationResult(True)


# --- strict profile (RFC 9449 §4.3, §8, §11.1) ------------------------------------------------


def normalize_htu(uri: str) -> str:
    """Normalise a URI per RFC 3986 §6.2.2–6.2.3 and drop query and fragment (RFC 9449 §4.3 step 9)."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise DPoPError(f"htu is not a valid URI: {uri!r}", check="dpop.htu") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    if parts.username is not None:
        netloc = f"{parts.netloc.rpartition('@')[0]}@{netloc}"
    path = _remove_dot_segments(_normalize_percent(parts.path)) or "/"
    return urlunsplit(SplitResult(scheme, netloc, path, "", ""))


_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalize_percent(path: str) -> str:
    """Upper-case percent-encodings and decode unreserved characters (RFC 3986 §6.2.2.1–2)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _PERCENT.sub(fix, path)


def _remove_dot_segments(path: str) -> str:
    """Remove '.' and '..' segments (RFC 3986 §5.2.4)."""
    output: list[str] = []
    for segment in path.split("/")[1:] if path.startswith("/") else path.split("/"):
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = ("/" if path.startswith("/") else "") + "/".join(output)
    if path.endswith(("/.", "/..")) and not result.endswith("/"):
        result += "/"
    return result


def check_proof_crit(proof: DPoPProof) -> None:
    """Refuse a proof whose ``crit`` names an extension (RFC 7515 §4.1.11; strict's own words).

    The reference refuses it while parsing, in jwx's words (``parse_proof(jwx=jwx_text.V3_2_0)``).
    """
    try:
        check_crit(proof.header)
    except CriticalHeaderNotUnderstood as exc:
        raise DPoPError(str(exc), check="dpop.crit") from None


def check_request_binding(proof: DPoPProof, htm: str, htu: str) -> None:
    """Require the proof's htm and htu to match the request (RFC 9449 §4.3 steps 8–9)."""
    if proof.htm != htm:
        raise DPoPError(f"htm mismatch: proof {proof.htm}, request {htm}", check="dpop.htm")
    proof_uri, request_uri = normalize_htu(proof.htu), normalize_htu(htu)
    if proof_uri != request_uri:
        raise DPoPError(f"htu mismatch: proof {proof_uri}, request {request_uri}", check="dpop.htu")


def check_iat_window(
    proof: DPoPProof, now: int, window: int = IAT_WINDOW, *, future_skew: int = IAT_FUTURE_SKEW
) -> None:
    """Require ``now - window <= iat <= now + future_skew`` (RFC 9449 §4.3 step 11, §11.1)."""
    if proof.iat < now - window:
        raise DPoPError(f"proof iat is {now - proof.iat} s old (window {window} s)", check="dpop.iat_window")
    if proof.iat > now + future_skew:
        raise DPoPError(f"proof iat is {proof.iat - now} s in the future", check="dpop.iat_window")


def check_nonce(proof: DPoPProof, *, accepted: ExpiringSet[str], now: int, next_nonce: str) -> None:
    """Require a server-issued nonce still in ``accepted`` (RFC 9449 §4.3 step 10, §8)."""
    if proof.nonce is None:
        raise DPoPNonceRequired("DPoP proof has no nonce", nonce=next_nonce)
    if not accepted.seen(proof.nonce, now):
        raise DPoPNonceRequired("DPoP proof nonce is unknown or expired", nonce=next_nonce)


def check_jti_unused(proof: DPoPProof, seen_jti: ExpiringSet[str], now: int) -> None:
    """Refuse a jti seen within the store's ttl, then remember it (RFC 9449 §11.1)."""
    if not seen_jti.add(proof.jti, now):
        raise DPoPError("DPoP proof jti already used", check="dpop.jti_replay")


def check_ath(proof: DPoPProof, access_token: str) -> None:
    """Require ``ath`` to be the hash of the presented access token (RFC 9449 §4.3 step 12)."""
    if proof.ath is None:
        raise DPoPError("missing ath claim", check="dpop.ath")
    if proof.ath != ath(access_token):
        raise DPoPError("ath/token claim mismatch", check="dpop.ath")


# --- wire errors ------------------------------------------------------------------------------


def token_endpoint_error(error: DPoPError) -> OAuthError:
    """Map a DPoP failure at the token endpoint to its OAuth error (RFC 9449 §5, §8)."""
    if isinstance(error, DPoPNonceRequired):
        return OAuthError(
            USE_DPOP_NONCE,
            "Authorization server requires nonce in DPoP proof",
            check=error.check,
            headers={"DPoP-Nonce": error.nonce},
            cause=error.cause,
        )
    # PROTOCOL.md §1.5 #15 and §2.2 step 22: every parse failure reads the same on the wire.
    return OAuthError(INVALID_DPOP_PROOF, "DPoP header is invalid", check=error.check, cause=error.cause)
