"""RFC 9101 (JAR): request objects passed by reference, as the Nuts nodes build, serve and validate them.

The rules of PROTOCOL.md §2.2 steps 7–9 are here as data (``Rule``: check id, spec
clause, wire error) and pure functions; the party that fetches the object, resolves
the signer's DID and the client's entity statement records each check and raises the
rule's error. The ``strict`` profile adds explicit typing (``typ`` =
``oauth-authz-req+jwt``, RFC 9101 §10.8) and the binding of ``iss`` to the signing
key's DID (RFC 9101 §6.2, §10.2), which the reference does not check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nutssim import causes, jose
from nutssim.limits import JAR_MAX_VALIDITY as MAX_VALIDITY
from nutssim.messages import HttpRequest, HttpResponse, text_response, with_query
from nutssim.models.did import did_of
from nutssim.specs import jwx_text
from nutssim.specs.rfc6749 import INVALID_REQUEST, SERVER_ERROR, UNSUPPORTED_RESPONSE_TYPE
from nutssim.specs.rules import Rule as Rule  # re-exported: rule tables import it from here

#: RFC 9101 §7 and OpenID4VP §5.10 error codes.
INVALID_REQUEST_OBJECT = "invalid_request_object"
INVALID_REQUEST_URI = "invalid_request_uri"
INVALID_REQUEST_URI_METHOD = "invalid_request_uri_method"

#: Media type of a request object (RFC 9101 §9.4) and its explicit ``typ`` (RFC 9101 §10.8).
MEDIA_TYPE = "application/oauth-authz-req+jwt"
TYP = "oauth-authz-req+jwt"
#: Reference ``authzRequestObjectStore`` ttl (PROTOCOL.md §0).
STORE_TTL = 900
#: Values of ``request_uri_method`` (OpenID4VP; the empty string means ``get``).
URI_METHODS = ("", "get", "post")
REQUIRED_CLAIMS = ("iss", "iat", "exp")


_STEP = "PROTOCOL.md §2.2 step 7"
_SERVE = "PROTOCOL.md §2.2 steps 8/12/17"
# -- authorization endpoint: JAR parse and validate (PROTOCOL.md §2.2 steps 7–9 table) ---------------
ENDPOINT_ENABLED = Rule(
    "authorize.enabled",
    _STEP,
    INVALID_REQUEST,
    "authorization endpoint is disabled",
    kind=causes.NOT_ALLOWED,
    about="endpoint",
    subject="authorize",
)
SUBJECT = Rule(
    "authorize.subject", _STEP, INVALID_REQUEST, "subject not found", kind=causes.UNKNOWN, about="subject"
)
EXCLUSIVE = Rule(
    "jar.exclusive",
    f"RFC 9101 §5; {_STEP}",
    INVALID_REQUEST,
    "claims 'request' and 'request_uri' are mutually exclusive",
    kind=causes.INVALID,
    about="parameter",
    subject="request",
)
REQUIRED = Rule(
    "jar.required",
    f"RFC 9101 §10.5 (require_signed_request_object); {_STEP}",
    INVALID_REQUEST,
    "authorization request are required to use signed request objects (RFC9101)",
    kind=causes.MISSING,
    about="parameter",
    subject="request",
)
URI_METHOD = Rule(
    "jar.request_uri_method",
    f"OpenID4VP request_uri_method; {_STEP}",
    INVALID_REQUEST_URI_METHOD,
    "unsupported request_uri_method",
    kind=causes.UNSUPPORTED,
    about="parameter",
    subject="request_uri_method",
)
FETCH = Rule(
    "jar.fetch",
    f"RFC 9101 §5.2.3; {_STEP}",
    INVALID_REQUEST_URI,
    "failed to get Request Object",
    kind=causes.RESOLUTION,
    about="request_object",
)
SIGNATURE = Rule(
    "jar.signature",
    f"RFC 9101 §6.2; {_STEP}",
    INVALID_REQUEST_OBJECT,
    "request signature validation failed",
    kind=causes.SIGNATURE,
    about="request_object",
)
TYPED = Rule(
    "jar.typ",
    "RFC 9101 §10.8 (strict)",
    INVALID_REQUEST_OBJECT,
    f"request object typ must be {TYP}",
    kind=causes.INVALID,
    about="request_object",
    subject="typ",
)
CRIT = Rule(
    "jar.crit",
    "RFC 7515 §4.1.11 (strict)",
    INVALID_REQUEST_OBJECT,
    "request object has a critical header that is not understood",
    kind=causes.INVALID,
    about="request_object",
    subject="crit",
)
ISS_KID = Rule(
    "jar.iss_kid",
    "RFC 9101 §6.2, §10.2 (strict)",
    INVALID_REQUEST_OBJECT,
    "request object iss does not match the signing key DID",
    kind=causes.MISMATCH,
    about="request_object",
    subject="iss",
)
CLIENT_ID = Rule(
    "jar.client_id",
    f"RFC 9101 §5; {_STEP}",
    INVALID_REQUEST_OBJECT,
    "invalid client_id claim in signed authorization request",
    kind=causes.MISMATCH,
    about="request_object",
    subject="client_id",
)
CONFIGURATION = Rule(
    "jar.openid_configuration",
    f"PROTOCOL.md §2.5; {_STEP}",
    SERVER_ERROR,
    "failed to retrieve OpenID configuration",
    kind=causes.RESOLUTION,
    about="entity_statement",
)
SIGNER_OWNED = Rule(
    "jar.signer_owned",
    f"PROTOCOL.md §2.5; {_STEP}",
    INVALID_REQUEST_OBJECT,
    "client_id does not own signer key",
    kind=causes.UNKNOWN,
    about="key",
    subject="kid",
)
SIGNER_KEY = Rule(
    "jar.signer_key",
    f"RFC 7638; PROTOCOL.md §2.5; {_STEP}",
    INVALID_REQUEST_OBJECT,
    "key mismatch between OpenID configuration and signer key",
    kind=causes.MISMATCH,
    about="key",
    subject="jwk",
)
RESPONSE_TYPE = Rule(
    "authorize.response_type",
    f"RFC 6749 §4.1.2.1; {_STEP}",
    UNSUPPORTED_RESPONSE_TYPE,
    kind=causes.UNSUPPORTED,
    about="parameter",
    subject="response_type",
)
# -- serving request.jwt/{id} (client side) -------------------------------------------------------------
OBJECT_FOUND = Rule(
    "request_object.found",
    f"RFC 9101 §5.2; {_SERVE}",
    INVALID_REQUEST,
    "request object not found",
    kind=causes.UNKNOWN,
    about="request_object",
)
OBJECT_CLIENT = Rule(
    "request_object.client",
    _SERVE,
    INVALID_REQUEST,
    "client_id does not match request",
    kind=causes.MISMATCH,
    about="request_object",
    subject="client_id",
)
OBJECT_METHOD = Rule(
    "request_object.method",
    _SERVE,
    INVALID_REQUEST,
    "used request_uri_method '{used}' on a '{stored}' request_uri",
    kind=causes.MISMATCH,
    about="parameter",
    subject="request_uri_method",
)


class RequestObjectInvalid(jose.JoseError):
    """A request object broke one of the validation rules of RFC 9101 §6.2 (reason in the message)."""

    check = "jar.signature"


@dataclass
class StoredRequest:
    """A request object held by its client until fetched (PROTOCOL.md §0: 15 min, single use)."""

    claims: dict[str, Any]
    client_id: str
    method: str  # "get" | "post"
    kid: str
    extra: dict[str, Any] = field(default_factory=dict)


# -- building and serving -----------------------------------------------------------------------------
def uri_method(audience: str | None) -> str:
    """``get`` when the audience is known, ``post`` otherwise (PROTOCOL.md §2.2 step 6)."""
    return "get" if audience else "post"


def sign(claims: Mapping[str, Any], key: jose.KeyPair, now: int) -> str:
    """Sign a request object: ``iat`` = now, ``exp`` = now + 5 min, ``typ`` explicit (RFC 9101 §10.8)."""
    body = {**claims, "iat": now, "exp": now + MAX_VALIDITY}
    return jose.sign({"typ": TYP, "kid": key.kid}, body, key)


def serve(token: str) -> HttpResponse:
    """The 200 response carrying a request object (RFC 9101 §5.2.3)."""
    return text_response(200, token, MEDIA_TYPE, headers={"Cache-Control": "no-store"})


def served_claims(stored: StoredRequest, request: HttpRequest, self_issued: str) -> dict[str, Any]:
    """Claims to sign for a fetch: a POST adds ``wallet_nonce`` and may set ``aud`` (PROTOCOL.md §2.2)."""
    claims = dict(stored.claims)
    if request.method.upper() != "POST":
        return claims
    form = request.form
    metadata = _json_object(form.get("wallet_metadata"))
    issuer = metadata.get("issuer") if metadata else None
    if isinstance(issuer, str) and issuer and issuer != self_issued:
        claims["aud"] = issuer
    if form.get("wallet_nonce"):
        claims["wallet_nonce"] = form["wallet_nonce"]
    return claims


def fetch_request(
    request_uri: str, method: str, wallet_metadata: Mapping[str, Any] | None = None
) -> HttpRequest:
    """The fetch of a request object: GET, or POST with ``wallet_metadata`` (OpenID4VP request_uri_method)."""
    headers = {"Accept": MEDIA_TYPE}
    if method == "post":
        form = {"wallet_metadata": json.dumps(dict(wallet_metadata or {}), separators=(",", ":"))}
        return HttpRequest.post_form(request_uri, form, headers)
    return HttpRequest.get(request_uri, headers=headers)


def request_url(
    endpoint: str, client_id: str, request_uri: str, method: str, extra: Mapping[str, Any] | None = None
) -> str:
    """An authorization request by reference: only client_id, request_uri and its method (RFC 9101 §5.2)."""
    params = {"client_id": client_id, "request_uri": request_uri, "request_uri_method": method}
    params.update({k: _param(v) for k, v in (extra or {}).items() if k not in params})
    return with_query(endpoint, params)


# -- validating -----------------------------------------------------------------------------------------
def split_request(query: Mapping[str, str]) -> tuple[str, str]:
    """(kind, value): ``request`` by value or ``request_uri`` by reference; else the rule's error."""
    request, request_uri = query.get("request", ""), query.get("request_uri", "")
    if request and request_uri:
        raise EXCLUSIVE.fail()
    if not request and not request_uri:
        raise REQUIRED.fail()
    return ("request", request) if request else ("request_uri", request_uri)


def fetched_token(response: HttpResponse) -> str | None:
    """The request object in a fetch response, or None when the fetch failed (any non-200)."""
    if response.status != 200 or not response.body:
        return None
    return response.body.strip()


def max_validity_skew(strict: bool) -> int:
    """Leeway on ``MAX_VALIDITY``: the reference's 5 s, none under strict (its 5 min is a hard bound)."""
    # crypto/jwx.go:215,222 ParseJWT: jwt.WithMaxDelta(MaxValidity, exp, iat) is checked with the
    # same jwt.WithAcceptableSkew(5 s) as exp/nbf/iat, so jwx accepts exp − iat ≤ 300 + 5 s.
    return 0 if strict else jose.DEFAULT_SKEW


def validate(
    jws: jose.CompactJWS,
    key: jose.PublicKey,
    now: int,
    *,
    validity_skew: int = 0,
    jwx: jwx_text.Words | None = None,
) -> dict[str, Any]:
    """Signature, supported alg, iss/iat/exp present, exp − iat ≤ 5 min + ``validity_skew``, times ±5 s.

    ``jwx``: the reference's jwx (``jwx_text.words``); a ``crit`` header is refused first where it
    refuses one, as master's ``auth/api/iam/jar.go validate`` → ``crypto/jwx.go ParseJWT`` does
    (jwx v3.2.0, ``jwx_text.crit_refusal``); project-gf's v2.1.6 never reads it.
    """
    refusal = jwx_text.refused_crit(jws.header, jwx)
    if refusal is not None:
        raise RequestObjectInvalid(refusal)
    jws.verify(key)
    claims = jws.payload
    jose.check_times(claims, now, require=REQUIRED_CLAIMS)
    iat, exp = claims["iat"], claims["exp"]
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise RequestObjectInvalid("iat and exp must be numbers")
    if exp - iat > MAX_VALIDITY + validity_skew:
        raise RequestObjectInvalid(
            f"request object is valid for {int(exp - iat)} s, at most {MAX_VALIDITY + validity_skew} s"
        )
    return claims


def typed(jws: jose.CompactJWS) -> bool:
    """Whether the request object is explicitly typed (RFC 9101 §10.8)."""
    return jws.header.get("typ") == TYP


def crit_understood(jws: jose.CompactJWS) -> str:
    """Why the ``crit`` header is refused (RFC 7515 §4.1.11; no extension is understood), or ``""``."""
    try:
        jose.check_crit(jws.header)
    except jose.CriticalHeaderNotUnderstood as exc:
        return str(exc)
    return ""


def issuer_is_signer(jws: jose.CompactJWS) -> bool:
    """Whether ``iss`` is the DID of the signing key (``kid``)."""
    return bool(jws.kid) and jws.payload.get("iss") == did_of(jws.kid or "")


def parameters(claims: Mapping[str, Any]) -> dict[str, str]:
    """The authorization parameters carried by the claims (strings; others JSON-encoded)."""
    return {k: _param(v) for k, v in claims.items() if k not in ("iat", "exp", "nbf")}


def _param(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _json_object(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: wallet_metadata nested too deep
        return None
    return value if isinstance(value, dict) else None
