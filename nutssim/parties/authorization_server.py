"""The authorization-server role of a node: metadata, presentation definitions, tokens, introspection.

The token endpoint of the service-to-service flow runs the checks of PROTOCOL.md §1.5
in the reference's order, cheap checks first and the nonce burned before signatures
are checked. Every check is recorded in the trace with its spec clause. The ``strict``
profile follows RFC021 where the reference differs (§7): RFC021 §4.5 error codes,
``iss`` == ``sub``, ``jti``/``challenge`` as the replay value, DPoP ``htm``/``htu``/``iat``
checks and an optional server nonce at the token endpoint.

The role gets the node's core, the token service and the presentation verifier it
shares with the verifier role, and the grants it does not implement itself (the
``authorization_code`` grant of ``code_grant``) at construction.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import Any

from nutssim import causes
from nutssim.causes import Cause
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.parties import jwt_bearer_grant
from nutssim.parties import presentation_checks as checks
from nutssim.parties.base import Context, Flow, Process, expect_rule, fail_rule
from nutssim.parties.core import NodeCore, Subject
from nutssim.parties.metadata import metadata as metadata  # re-exported for the catalogue
from nutssim.parties.presentation_checks import PresentationVerifier
from nutssim.parties.tokens import TokenService, access_token_response, introspection_body, policy_scope
from nutssim.parties.wallet import Wallet
from nutssim.specs import jwx_text, nuts_policy, nuts_rfc021, pex, rfc7523, rfc7662, rfc9449
from nutssim.specs.rfc6749 import (
    AUTHORIZATION_CODE,
    PRE_AUTHORIZED_CODE,
    missing,
    scope_text,
)
from nutssim.stores import ExpiringSet

#: A grant the AS delegates: (token request, context, subject) → the token response.
Grant = Callable[[HttpRequest, Context, Subject], Flow]
_GRANT_REFS = {AUTHORIZATION_CODE: "RFC 6749 §4.1.3"}


class AuthorizationServer:
    """Routes and stores of the AS side of a node."""

    def __init__(
        self,
        core: NodeCore,
        tokens: TokenService,
        presentations: PresentationVerifier,
        *,
        grants: Mapping[str, Grant] | None = None,
    ) -> None:
        self.core = core
        self.tokens = tokens
        self.presentations = presentations
        self.grants = dict(grants or {})
        self.s2s_nonces: ExpiringSet[str] = ExpiringSet(nuts_rfc021.NONCE_TTL)
        route = core.route
        route(
            "GET",
            "/.well-known/oauth-authorization-server/oauth2/{subject_id}",
            self.serve_metadata,
            "AS metadata",
        )
        route(
            "GET",
            "/oauth2/{subject_id}/.well-known/oauth-authorization-server",
            self.serve_metadata,
            "AS metadata (append placement)",
        )
        route(
            "GET",
            "/oauth2/{subject_id}/presentation_definition",
            self.serve_presentation_definition,
            "presentation definition",
        )
        route("POST", "/oauth2/{subject_id}/token", self.token, "token request")
        internal = core.internal_host
        route(
            "POST",
            "/internal/auth/v2/accesstoken/introspect",
            self.introspect,
            "introspection",
            origin=internal,
        )
        route(
            "POST",
            "/internal/auth/v2/accesstoken/introspect_extended",
            self.introspect_extended,
            "introspection (extended)",
            origin=internal,
        )
        route(
            "POST", "/internal/auth/v2/dpop/validate", self.dpop_validate, "DPoP validation", origin=internal
        )

    # -- metadata and presentation definitions -------------------------------------------------------
    def serve_metadata(self, request: HttpRequest, ctx: Context, subject_id: str) -> HttpResponse:
        """RFC 8414 §3 metadata (the reference does not check that the subject exists)."""
        subject = self.core.subject(subject_id) or Subject(self.core, subject_id, subject_id, [], Wallet([]))
        document = metadata(subject)
        if ctx.profile.reference.jwt_bearer_as != "refused":  # project-gf auth/config.go GrantTypes default
            document["grant_types_supported"] = [*document["grant_types_supported"], rfc7523.GRANT_TYPE]
        return json_response(200, document, headers={"Cache-Control": "max-age=300"})

    def serve_presentation_definition(
        self, request: HttpRequest, ctx: Context, subject_id: str
    ) -> HttpResponse:
        """The PD for a scope and wallet owner type (PROTOCOL.md §1.2, RFC021 §5)."""
        subject = self.core.require_subject(subject_id)
        scope = request.query.get("scope", "")
        owner = request.query.get("wallet_owner_type", "organization")
        if not scope:
            return json_response(200, {"id": "", "input_descriptors": None})
        found = find_profile(ctx, subject, scope)
        pd = found.profile.definitions.get(owner)
        expect_rule(ctx, pd is not None, nuts_rfc021.PD_OWNER, detail="", owner=owner)
        assert pd is not None
        ctx.check("pd.lookup", "RFC021 §5; PROTOCOL.md §1.2", True, f"scope {scope!r} → {pd.id}")
        return json_response(200, pex.dump(pd))

    # -- token endpoint ----------------------------------------------------------------------------
    def token(self, request: HttpRequest, ctx: Context, subject_id: str) -> Process:
        """POST /oauth2/{subject}/token: dispatch on grant_type (PROTOCOL.md §1.5 #1–2)."""
        subject = self.core.subject(subject_id)
        expect_rule(ctx, subject is not None, nuts_rfc021.SUBJECT, detail="")
        assert subject is not None
        grant_type = request.form.get("grant_type", "")
        if grant_type == nuts_rfc021.GRANT_TYPE:
            ctx.check("token.grant_type", "RFC021 §3; PROTOCOL.md §1.5 #2", True, grant_type)
            return (yield from self._s2s_token(request, ctx, subject))
        if grant_type == rfc7523.GRANT_TYPE and ctx.profile.reference.jwt_bearer_as != "refused":
            ctx.check("token.grant_type", "RFC 7523 §2.1; PROTOCOL.md §1.5 #2", True, grant_type)
            return (yield from jwt_bearer_grant.token(self, request, ctx, subject))
        grant = self.grants.get(grant_type)
        if grant is not None:
            ctx.check("token.grant_type", _GRANT_REFS.get(grant_type, "RFC 6749 §4"), True, grant_type)
            return (yield from grant(request, ctx, subject))
        if grant_type == PRE_AUTHORIZED_CODE:
            fail_rule(ctx, nuts_rfc021.PRE_AUTHORIZED, quote_error=True)
        fail_rule(ctx, nuts_rfc021.GRANT, quote_error=True, grant_type=grant_type)

    def _s2s_token(self, request: HttpRequest, ctx: Context, subject: Subject) -> Flow:
        """The vp_token-bearer grant (RFC021), checks in the order of PROTOCOL.md §1.5."""
        form = request.form
        absent = missing(form, ("presentation_submission", "scope", "assertion", "client_id"))
        expect_rule(ctx, not absent, nuts_rfc021.PARAMS, detail=f"missing: {', '.join(absent)}")
        envelope = checks.parse_assertion(ctx, form["assertion"])
        submission = checks.parse_submission(ctx, form["presentation_submission"])
        checks.check_presentations(ctx, envelope, subject.url)
        found = find_profile(ctx, subject, form["scope"])
        _check_scope_policy_construction(ctx, found, self.core.authzen_endpoint)
        pd, fulfilled = checks.check_fulfilment(ctx, found, submission, envelope)
        for vp in envelope.presentations:
            nonce = checks.check_nonce_present(ctx, vp)
            if ctx.profile.on("vp_nonce_store"):
                self._burn_s2s_nonce(ctx, nonce)
        jkt = self.tokens.check_dpop(ctx, request)
        yield from self.presentations.verify(ctx, subject, envelope)
        claims = checks.resolve_claims(ctx, [(pd, fulfilled)])
        signer = envelope.presentations[0].signer_did if envelope.presentations else None
        granted = yield from self.grant_scopes(ctx, found, signer, claims)
        record = self.tokens.issue(
            ctx,
            subject,
            client_id=form["client_id"],
            scope=granted,
            jkt=jkt,
            claims=claims,
            subject_did=signer,
            vps=[p.raw for p in envelope.presentations],
            submissions={pd.id: pex.dump(submission)},
            # auth/api/iam/s2s_vptoken.go createAccessToken keeps pexConsumer.RequiredPresentationDefinitions:
            # every PD of the scope's profile, by wallet owner, not only the one fulfilled.
            definitions={owner: pex.dump(d) for owner, d in found.profile.definitions.items()},
        )
        return access_token_response(record, strict=ctx.profile.strict)

    def grant_scopes(
        self, ctx: Context, found: nuts_policy.ProfileMatch, signer: str | None, claims: dict[str, Any]
    ) -> Generator[HttpRequest, HttpResponse, str]:
        """§1.5 #18: the granted scopes; under ``dynamic`` one AuthZEN batch to the node's PDP."""
        endpoint = self.core.authzen_endpoint
        if found.scope_policy != "dynamic" or not endpoint:
            return _static_scopes(ctx, found)
        return (
            yield from policy_scope(ctx, found, signer, claims, endpoint, reference=not ctx.profile.strict)
        )

    def find_profile(self, ctx: Context, subject: Subject, scope: str) -> nuts_policy.ProfileMatch:
        """PROTOCOL.md §1.5 #10-11 for the grants in their own modules (``jwt_bearer_grant``).

        The profile, then its scope policy's construction (``policy.NewScopeGranter``), as the
        vp_token-bearer grant and project-gf ``handleBearerTokenRequest`` run them.
        """
        found = find_profile(ctx, subject, scope)
        _check_scope_policy_construction(ctx, found, self.core.authzen_endpoint)
        return found

    def _burn_s2s_nonce(self, ctx: Context, nonce: str) -> None:
        # RFC021 §4.4 / PROTOCOL.md §1.5 #14: stored regardless of the outcome of later checks.
        fresh = self.s2s_nonces.add(nonce, ctx.now())
        ctx.fact("nonce_burned", nonce=nonce, store="s2s", ttl=nuts_rfc021.NONCE_TTL)
        expect_rule(ctx, fresh, nuts_rfc021.NONCE_UNUSED, detail="", actual=nonce)

    # -- introspection and DPoP validation (internal API) -------------------------------------------
    def introspect(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """RFC 7662 introspection with PD field-id claims (PROTOCOL.md §1.7 step 3)."""
        return self._introspect(request, ctx, extended=False)

    def introspect_extended(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """Introspection plus definitions, submissions and VPs (PROTOCOL.md §1.7)."""
        return self._introspect(request, ctx, extended=True)

    def _introspect(self, request: HttpRequest, ctx: Context, *, extended: bool) -> HttpResponse:
        if not _introspection_content_type_ok(request, strict=ctx.profile.strict):
            given = ", ".join(request.header_values("Content-Type"))
            cause = Cause(causes.INVALID, "header", "Content-Type", rfc7662.CONTENT_TYPE, given)
            ctx.check("introspect.content_type", "RFC 7662 §2.1", False, given, cause)
            return text_response(415, rfc7662.CONTENT_TYPE_TEXT)
        token = request.form.get("token", "")
        record = self.tokens.access_tokens.get(token, ctx.now()) if token else None
        active = record is not None and record.expiration >= ctx.now()
        why = Cause(causes.UNKNOWN, "token", reason="unknown or expired token")
        ctx.check("introspect.active", "RFC 7662 §2.2", active, "" if active else why.reason, why)
        if not active or record is None:
            return json_response(200, dict(rfc7662.INACTIVE))
        clash = rfc7662.reserved_clashes(record.claims)
        if clash:  # PROTOCOL.md §3.10: a reserved field id breaks introspection
            detail = f"reserved claim(s) {', '.join(clash)}"
            cause = Cause(causes.NOT_ALLOWED, "claim", ", ".join(clash), reason=detail)
            ctx.check("introspect.claims", "PROTOCOL.md §3.10", False, detail, cause)
            return text_response(500, "internal server error")
        return json_response(200, introspection_body(ctx, record, extended))

    def dpop_validate(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """POST /internal/auth/v2/dpop/validate (PROTOCOL.md §1.7 step 4)."""
        body = request.json if isinstance(request.json, dict) else {}
        result = rfc9449.validate_for_resource(
            body.get("dpop_proof", ""),
            method=str(body.get("method", "")),
            url=str(body.get("url", "")),
            thumbprint=str(body.get("thumbprint", "")),
            token=str(body.get("token", "")),
            now=ctx.now(),
            seen_jti=self.tokens.dpop_jtis,
            skew=rfc9449.parse_skew(ctx.profile.strict),
            jwx=jwx_text.words(ctx.profile.reference.jwx),  # its go.mod's jwx, dpop.go Parse
        )
        ctx.check(
            result.check or "dpop.valid",
            "RFC 9449 §4.3; PROTOCOL.md §1.7 step 4",
            result.valid,
            result.reason,
        )
        return json_response(200, result.body())


# -- the scope rows of PROTOCOL.md §1.5 (#10, #11, #18) -------------------------------------------------
def find_profile(ctx: Context, subject: Subject, scope: str) -> nuts_policy.ProfileMatch:
    """PROTOCOL.md §1.5 #10: the scope names exactly one credential profile of the subject's policy."""
    rule = nuts_rfc021.SCOPE
    if subject.policy is None:
        fail_rule(ctx, rule, detail="no policy configured", scope=scope, reason="not found")
    try:
        found: nuts_policy.ProfileMatch = subject.policy.find_profile(scope)
    except nuts_policy.ScopeNotFound:
        fail_rule(ctx, rule, quote_error=True, scope=scope, reason="not found")
    except nuts_policy.AmbiguousScope:
        fail_rule(ctx, rule, quote_error=True, scope=scope, reason="multiple credential profile scopes found")
    ctx.check(rule.id, rule.ref, True, f"profile {found.scope!r}")
    return found


def _check_scope_policy_construction(
    ctx: Context, found: nuts_policy.ProfileMatch, authzen_endpoint: str | None
) -> None:
    if found.scope_policy == "profile-only":
        extra = " ".join(found.other_scopes)
        expect_rule(ctx, not found.other_scopes, nuts_rfc021.PROFILE_ONLY, detail=f"extra scopes: {extra}")
    elif found.scope_policy == "dynamic" and not authzen_endpoint:
        # The reference refuses to start (policy/local.go:90); a node here runs and says so at use.
        fail_rule(ctx, nuts_rfc021.DYNAMIC_SCOPE, quote_error=True)
    else:
        rule = nuts_rfc021.DYNAMIC_SCOPE
        ctx.check(rule.id, rule.ref, True, found.scope_policy)


def _static_scopes(ctx: Context, found: nuts_policy.ProfileMatch) -> str:
    granted = [found.scope]
    if found.scope_policy == "passthrough":
        granted += list(found.other_scopes)
    ctx.check("token.grant_scopes", "PROTOCOL.md §3.8; §1.5 #18", True, scope_text(granted))
    return scope_text(granted)


def _introspection_content_type_ok(request: HttpRequest, *, strict: bool) -> bool:
    """Whether an introspection request is form-encoded: by media type (strict) or exact value (reference)."""
    if strict:  # RFC 7662 §2.1 with RFC 9110 §8.3.1: parameters such as charset may follow the type
        return request.content_type == rfc7662.CONTENT_TYPE
    # auth/api/iam/api.go:340 IntrospectAccessToken: slices.Contains(headers["Content-Type"], …)
    # compares whole header values, so "application/x-www-form-urlencoded; charset=utf-8" is a 415.
    return rfc7662.CONTENT_TYPE in request.header_values("Content-Type")
