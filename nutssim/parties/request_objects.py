"""Signed request objects (RFC 9101): the ones a node serves by reference, and the ones it receives.

A node stores the request objects its client (JAR_1, PROTOCOL.md §2.2 step 6) and its
verifier (the wallet requests of step 10) hand out, and serves each once at
``/oauth2/{S}/request.jwt/{id}`` (steps 8/12/17). At its authorization endpoint it
fetches a received one, checks the signature with the key its ``kid`` resolves to, and
binds the signer to the ``client_id`` through the client's entity statement (steps 7–9,
§2.5): ``read_request``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from nutssim import jose
from nutssim.errors import OAuthError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import Context, expect_rule
from nutssim.parties.core import NodeCore
from nutssim.specs import entity_statement, jwx_text, openid4vp, rfc9101
from nutssim.specs.did import DIDResolutionError, resolve_key
from nutssim.stores import ExpiringMap


class RequestObjects:
    """The request objects a node hands out (15 min, single use), and the route that serves them."""

    def __init__(self, core: NodeCore) -> None:
        self.core = core
        self.store: ExpiringMap[str, rfc9101.StoredRequest] = ExpiringMap(rfc9101.STORE_TTL)

    def add_routes(self) -> None:
        """Serve ``request.jwt/{id}`` by GET and POST (``request_uri_method``, OpenID4VP §5.10)."""
        template = "/oauth2/{subject_id}/request.jwt/{request_id}"
        self.core.route("GET", template, self.serve, "request object")
        self.core.route("POST", template, self.serve, "request object (post)")

    def put(self, ctx: Context, stored: rfc9101.StoredRequest) -> str:
        """Store a request object under a fresh id; return the id."""
        request_id = ctx.rng.token()
        self.store.put(request_id, stored, ctx.now())
        return request_id

    def serve(self, request: HttpRequest, ctx: Context, subject_id: str, request_id: str) -> HttpResponse:
        """GET|POST request.jwt/{id}: the signed request object, once (GetAndDelete)."""
        single_use = ctx.profile.on("jar_single_use")
        take = self.store.pop if single_use else self.store.get
        stored = take(request_id, ctx.now())
        expect_rule(ctx, stored is not None, rfc9101.OBJECT_FOUND)
        if not single_use:
            ctx.check(
                "request_object.single_use", rfc9101.OBJECT_FOUND.ref, True, "skipped: jar_single_use is off"
            )
        assert stored is not None
        subject = self.core.subject(subject_id)
        expect_rule(ctx, subject is not None and stored.client_id == subject.url, rfc9101.OBJECT_CLIENT)
        used = request.method.lower()
        expect_rule(ctx, used == stored.method, rfc9101.OBJECT_METHOD, used=used, stored=stored.method)
        claims = rfc9101.served_claims(stored, request, openid4vp.SELF_ISSUED)
        key = self.core.key_by_kid(stored.kid)
        assert key is not None, "a node stores request objects signed only with its own keys"
        return rfc9101.serve(rfc9101.sign(claims, key, ctx.now()))


# -- steps 7–9: a received request object -------------------------------------------------------------
def read_request(
    ctx: Context, query: dict[str, str], wallet_metadata: dict[str, Any]
) -> Generator[HttpRequest, HttpResponse, dict[str, str]]:
    """The JAR rows of PROTOCOL.md §2.2 steps 7–9, in order; returns the request's parameters."""
    try:
        kind, value = rfc9101.split_request(query)
    except OAuthError as exc:
        expect_rule(ctx, False, rfc9101.EXCLUSIVE if exc.check == rfc9101.EXCLUSIVE.id else rfc9101.REQUIRED)
    ctx.check(
        rfc9101.REQUIRED.id,
        rfc9101.REQUIRED.ref,
        True,
        f"by {'value' if kind == 'request' else 'reference'}",
    )
    token = value
    if kind == "request_uri":
        method = query.get("request_uri_method", "")
        expect_rule(ctx, method in rfc9101.URI_METHODS, rfc9101.URI_METHOD, detail=f"method {method!r}")
        response = yield rfc9101.fetch_request(value, method or "get", wallet_metadata)
        fetched = rfc9101.fetched_token(response)
        expect_rule(ctx, fetched is not None, rfc9101.FETCH, detail=f"HTTP {response.status} from {value}")
        token = fetched or ""
    jws, key = yield from _verified_request(ctx, token)
    claims = jws.payload
    client_id = query.get("client_id", "")
    expect_rule(
        ctx,
        claims.get("client_id") == client_id,
        rfc9101.CLIENT_ID,
        detail=f"claim {claims.get('client_id')!r}, query {client_id!r}",
    )
    if key is not None:
        yield from _check_signer_binding(ctx, jws, key, client_id)
    return rfc9101.parameters(claims)


def _verified_request(
    ctx: Context, token: str
) -> Generator[HttpRequest, HttpResponse, tuple[jose.CompactJWS, jose.PublicKey | None]]:
    """RFC 9101 §6.2: signature by the ``kid``'s DID key and the time rules; strict adds typ and iss."""
    try:
        # auth/api/iam/jar.go validate → crypto/jwx.go ParseJWT: jwx reads the parts (profiles.Reference).
        jws = jose.decode(token, jwx_base64=ctx.profile.reference.jwx_base64)
        if not ctx.profile.on("jar_signature"):
            ctx.check(
                rfc9101.SIGNATURE.id, rfc9101.SIGNATURE.ref, True, "skipped: jar_signature control is off"
            )
            return jws, None
        key = yield from resolve_key(jws.kid or "")
        rfc9101.validate(
            jws,
            key,
            ctx.now(),
            validity_skew=rfc9101.max_validity_skew(ctx.profile.strict),
            jwx=jwx_text.words(ctx.profile.reference.jwx),
        )
    except (jose.JoseError, DIDResolutionError) as exc:
        expect_rule(ctx, False, rfc9101.SIGNATURE, detail=str(exc))
    ctx.check(rfc9101.SIGNATURE.id, rfc9101.SIGNATURE.ref, True, f"signed by {jws.kid}")
    if ctx.profile.strict:
        expect_rule(ctx, rfc9101.typed(jws), rfc9101.TYPED, detail=f"typ {jws.header.get('typ')!r}")
        crit = rfc9101.crit_understood(jws)  # strict's own words; master refused it above, as jwx
        expect_rule(ctx, not crit, rfc9101.CRIT, detail=crit or "no critical extension")
        expect_rule(
            ctx,
            rfc9101.issuer_is_signer(jws),
            rfc9101.ISS_KID,
            detail=f"iss {jws.payload.get('iss')!r}, kid {jws.kid!r}",
        )
    return jws, key


def _check_signer_binding(
    ctx: Context, jws: jose.CompactJWS, key: jose.PublicKey, client_id: str
) -> Generator[HttpRequest, HttpResponse, None]:
    """The signer key must be listed, unchanged, in the client_id's entity statement (§2.5)."""
    try:
        statement = yield from entity_statement.fetch(client_id, ctx.now(), strict=ctx.profile.strict)
    except entity_statement.EntityStatementError as exc:
        expect_rule(ctx, False, rfc9101.CONFIGURATION, detail=str(exc))
    ctx.check(rfc9101.CONFIGURATION.id, rfc9101.CONFIGURATION.ref, True, f"signed by {statement.kid}")
    listed = statement.key(jws.kid or "")
    expect_rule(ctx, listed is not None, rfc9101.SIGNER_OWNED, detail=f"kid {jws.kid} not in jwks")
    assert listed is not None
    expect_rule(ctx, jose.thumbprint(listed) == key.thumbprint(), rfc9101.SIGNER_KEY)
