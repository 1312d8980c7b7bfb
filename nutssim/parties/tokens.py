"""What an AS keeps of the tokens it issues: the store, the DPoP binding at the token endpoint, the responses.

Both grants of a node's AS end here: the s2s ``vp_token-bearer`` grant
(``authorization_server``) and the ``authorization_code`` grant (``code_grant``). Each
checks the optional DPoP header the same way (PROTOCOL.md §1.5 #15, §2.2 step 22) and
stores a 15-minute token that introspection reads (§1.6–1.7).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field, replace
from typing import Any

from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import Context
from nutssim.parties.core import Subject
from nutssim.specs import jwx_text, nuts_policy, rfc7662, rfc9449, scope_policy
from nutssim.specs.rfc6749 import token_response
from nutssim.stores import ExpiringMap, ExpiringSet

ACCESS_TOKEN_TTL = 900  # accessTokenValidity, PROTOCOL.md §0
DPOP_JTI_TTL = 900  # useNonceOnceStore
DPOP_SERVER_NONCE_TTL = 60


@dataclass
class AccessToken:
    """What the AS stores for an issued token (PROTOCOL.md §1.6)."""

    token: str
    issuer: str
    client_id: str
    issued_at: int
    expiration: int
    scope: str
    dpop_jkt: str | None
    claims: dict[str, Any]
    subject_did: str | None = None
    vps: list[Any] = field(default_factory=list)
    submissions: dict[str, Any] = field(default_factory=dict)
    definitions: dict[str, Any] = field(default_factory=dict)


class TokenService:
    """The AS's token store and the DPoP replay stores its token endpoint and validator share."""

    def __init__(self) -> None:
        self.access_tokens: ExpiringMap[str, AccessToken] = ExpiringMap(ACCESS_TOKEN_TTL)
        self.dpop_jtis: ExpiringSet[str] = ExpiringSet(DPOP_JTI_TTL)
        self.dpop_server_nonces: ExpiringSet[str] = ExpiringSet(DPOP_SERVER_NONCE_TTL)

    def check_dpop(self, ctx: Context, request: HttpRequest) -> str | None:
        """PROTOCOL.md §1.5 #15: an optional DPoP header must parse; strict adds RFC 9449 §4.3."""
        headers = request.header_values("DPoP")
        if not headers:
            return None
        ref = "RFC 9449 §4.3; PROTOCOL.md §1.5 #15"
        try:
            # RFC 9449 §4.3 step 1: exactly one DPoP header. The reference reads the first with
            # auth/api/iam/dpop.go:111 dpopFromRequest (http.Header.Get) and ignores the rest.
            if len(headers) > 1 and ctx.profile.strict:
                raise rfc9449.DPoPError("more than one DPoP header", check="dpop.multiple")
            proof = rfc9449.parse_proof(
                headers[0],
                ctx.now(),
                skew=rfc9449.parse_skew(ctx.profile.strict),
                jwx=jwx_text.words(ctx.profile.reference.jwx),  # its go.mod's jwx, dpop.go Parse
            )
            # profiles.CONTROLS["dpop_proof"] covers the token endpoint too: off, only the parse remains.
            if ctx.profile.strict and ctx.profile.on("dpop_proof"):
                self._strict_proof_checks(ctx, request, proof)
        except rfc9449.DPoPError as exc:
            ctx.fail("token.dpop", ref, rfc9449.token_endpoint_error(exc), str(exc))
        ctx.check("token.dpop", ref, True, f"proof key {proof.thumbprint}")
        return proof.thumbprint

    def _strict_proof_checks(self, ctx: Context, request: HttpRequest, proof: rfc9449.DPoPProof) -> None:
        """RFC 9449 §4.3 steps 8–11 and §8 (server nonce), which the reference leaves out."""
        rfc9449.check_proof_crit(proof)
        rfc9449.check_request_binding(proof, request.method, request.url.split("?")[0])
        rfc9449.check_iat_window(proof, ctx.now())
        rfc9449.check_jti_unused(proof, self.dpop_jtis, ctx.now())
        if ctx.profile.dpop_server_nonce:
            next_nonce = ctx.rng.token()
            self.dpop_server_nonces.add(next_nonce, ctx.now())
            rfc9449.check_nonce(proof, accepted=self.dpop_server_nonces, now=ctx.now(), next_nonce=next_nonce)

    def issue(
        self,
        ctx: Context,
        subject: Subject,
        *,
        client_id: str,
        scope: str,
        jkt: str | None,
        claims: dict[str, Any],
        subject_did: str | None,
        vps: list[Any],
        submissions: dict[str, Any],
        definitions: dict[str, Any],
    ) -> AccessToken:
        """Store and announce a fresh 15-minute access token (PROTOCOL.md §1.6)."""
        now = ctx.now()
        record = AccessToken(
            ctx.rng.token(),
            subject.url,
            client_id,
            now,
            now + ACCESS_TOKEN_TTL,
            scope,
            jkt,
            claims,
            subject_did,
            vps,
            submissions,
            definitions,
        )
        self.access_tokens.put(record.token, record, now)
        ctx.fact(
            "token_issued",
            issuer=subject.url,
            client_id=client_id,
            scope=scope,
            token_type="DPoP" if jkt else "Bearer",
            jkt=jkt,
            expires_in=ACCESS_TOKEN_TTL,
        )
        return record


#: The reference's token endpoint headers: http/cache/middleware.go NoCache (api.go:93
#: cacheControlNoCacheURLs) sets ``Cache-Control: no-cache`` and ``Pragma: no-store`` — the two
#: values of RFC 6749 §5.1 (``no-store`` / ``no-cache``) swapped.
REFERENCE_CACHE_HEADERS = {"Cache-Control": "no-cache", "Pragma": "no-store"}


def access_token_response(record: AccessToken, *, strict: bool = False) -> HttpResponse:
    """The RFC 6749 §5.1 response for an issued token, in the reference's shape (PROTOCOL.md §1.6).

    nuts-node ``auth/api/iam/access_token.go createAccessToken`` sets ``DPoPKid`` to the parsed
    proof's ``Kid`` for a DPoP token only; ``crypto/dpop/dpop.go`` fills ``Kid`` on ``Sign``, never
    on ``Parse``, so the AS writes ``"dpop_kid": ""``, and a Bearer answer has none
    (``auth/oauth/types.go`` ``omitempty``). strict: no spec defines the member, none is sent.
    """
    body: dict[str, Any] = {
        "access_token": record.token,
        "expires_in": ACCESS_TOKEN_TTL,
        "scope": record.scope,
        "token_type": "DPoP" if record.dpop_jkt else "Bearer",
    }
    if record.dpop_jkt and not strict:
        body["dpop_kid"] = ""  # the client fills in its signing kid (PROTOCOL.md §1.6)
    response = token_response(body)
    if strict:  # RFC 6749 §5.1: Cache-Control: no-store, Pragma: no-cache
        return response
    kept = tuple((k, v) for k, v in response.headers if k.lower() not in ("cache-control", "pragma"))
    return replace(response, headers=(*kept, *REFERENCE_CACHE_HEADERS.items()))


def introspection_body(ctx: Context, record: AccessToken, extended: bool) -> dict[str, Any]:
    """RFC 7662 §2.2 members plus the PD field-id claims (PROTOCOL.md §1.7); extended adds the evidence."""
    body = rfc7662.active_body(
        issuer=record.issuer,
        client_id=record.client_id,
        scope=record.scope,
        issued_at=record.issued_at,
        expiration=record.expiration,
        jkt=record.dpop_jkt,
    )
    if ctx.profile.strict and record.subject_did:
        body["sub"] = record.subject_did  # RFC021 §6: the subject of the token (DID)
    body.update(record.claims)
    if extended:
        body.update(
            presentation_definitions=record.definitions,
            presentation_submissions=record.submissions,
            vps=record.vps,
        )
    return body


def policy_scope(
    ctx: Context,
    found: nuts_policy.ProfileMatch,
    signer: str | None,
    claims: dict[str, Any],
    endpoint: str | None,
    *,
    reference: bool,
) -> Generator[HttpRequest, HttpResponse, str]:
    """The token's scope as the profile's scope policy grants it (one AuthZEN batch under ``dynamic``).

    The checks ``scope_policy.grant`` decided are recorded here; its error (a denied profile scope,
    an unavailable PDP) is raised for the caller's error path.
    """
    outcome = yield from scope_policy.grant(
        found,
        subject_did=signer or "",
        claims=claims,
        endpoint=endpoint,
        reference=reference,
        call=scope_policy.pdp_call(ctx),
    )
    for check in outcome.checks:
        ctx.check(*check)
    if outcome.error is not None:
        raise outcome.error
    return outcome.scope or found.scope
