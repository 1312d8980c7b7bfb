"""The verifier role of a node (node A): the authorization endpoint, OpenID4VP requests, the code grant.

``GET /oauth2/{S}/authorize`` takes only signed request objects by reference (RFC 9101):
it fetches the object, checks its signature with the key its ``kid`` resolves to, binds
the signer to the ``client_id`` through the client's entity statement (PROTOCOL.md
§2.2 steps 7–9), then dispatches on ``response_type``: ``code`` is a client asking this
AS for authorization (step 7 continued), ``vp_token`` is a verifier asking this node's
wallet (``user_wallet``). For ``code`` the AS asks the client's wallets for one
presentation per definition of the scope's profile, organization first, then user
(step 10), each answered by ``direct_post`` to ``POST /oauth2/{S}/response`` (step 15,
checks in the reference's order, nonce burned on use and bound to the state); when all
are fulfilled it issues a one-minute, single-use code bound to the client, redeemed by
the ``authorization_code`` grant with the PKCE verifier (step 22). The token's claims
are the field ids of every fulfilled definition.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol
from urllib.parse import urlsplit

from nutssim import jose
from nutssim.errors import NutsSimError, OAuthError
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect, with_query
from nutssim.parties import presentation_checks as checks
from nutssim.parties.base import Context, Flow, Process, expect_rule
from nutssim.parties.code_grant import AuthzSession, CodeGrant, Fulfilment
from nutssim.parties.core import NodeCore, Subject
from nutssim.parties.metadata import metadata
from nutssim.parties.presentation_checks import PresentationVerifier
from nutssim.parties.request_objects import RequestObjects, read_request
from nutssim.parties.sessions import UserSession, UserSessions
from nutssim.specs import entity_statement, nuts_policy, openid4vp, pex, rfc7636, rfc9101
from nutssim.specs.openid4vp import FLOW_TIMEOUT, ORGANIZATION, USER
from nutssim.specs.presentation import Envelope, parse_envelope, parse_submission_text
from nutssim.specs.rfc6749 import INVALID_REQUEST
from nutssim.specs.vc_jwt import CredentialFormatError
from nutssim.stores import ExpiringMap

_STEP7, _STEP10 = "PROTOCOL.md §2.2 step 7", "PROTOCOL.md §2.2 step 10"


class WalletResponder(Protocol):
    """A wallet that answers a verifier's request (``response_type=vp_token``, steps 11–18)."""

    def respond(
        self,
        ctx: Context,
        request: HttpRequest,
        subject: Subject,
        params: dict[str, str],
        session: UserSession | None,
        owner: str,
    ) -> Flow:
        """Check the request, build the VP and post it; the response tells where the browser goes."""
        ...


class Verifier:
    """The authorization endpoint of a node and the AS's side of the OpenID4VP exchange."""

    def __init__(
        self,
        core: NodeCore,
        *,
        sessions: UserSessions,
        request_objects: RequestObjects,
        presentations: PresentationVerifier,
        codes: CodeGrant,
        wallet: WalletResponder,
    ) -> None:
        self.core = core
        self.sessions = sessions
        self.request_objects = request_objects
        self.presentations = presentations
        self.codes = codes
        self.wallet = wallet
        self.verifier_sessions: ExpiringMap[str, AuthzSession] = ExpiringMap(FLOW_TIMEOUT)
        self.verifier_nonces: ExpiringMap[str, str] = ExpiringMap(FLOW_TIMEOUT)
        core.route("GET", "/oauth2/{subject_id}/authorize", self.authorize, "authorization request")
        core.route(
            "GET", "/oauth2/{subject_id}/oauth-client", self.serve_client_metadata, "verifier metadata"
        )
        core.route(
            "POST",
            "/oauth2/{subject_id}/response",
            self.authorization_response,
            "authorization response (direct_post)",
        )

    # -- steps 7–9: the authorization endpoint and its request object ------------------------------------
    def authorize(self, request: HttpRequest, ctx: Context, subject_id: str) -> Process:
        """GET /oauth2/{S}/authorize: the session middleware, then the request object (§2.2 steps 7–9)."""
        session, created = self.sessions.load(request, ctx, subject_id)
        response = yield from self.core.rendered(
            request, self.handle_authorize(request, ctx, subject_id, session, request.query)
        )
        return self.sessions.with_cookie(response, session, created)

    def handle_authorize(
        self,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
        session: UserSession,
        query: dict[str, str],
        owner: str = ORGANIZATION,
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """Parse and validate the request object, then dispatch on ``response_type``."""
        expect_rule(ctx, self.core.authorization_endpoint_enabled, rfc9101.ENDPOINT_ENABLED)
        subject = self.core.subject(subject_id)
        expect_rule(ctx, subject is not None, rfc9101.SUBJECT)
        assert subject is not None
        wallet_metadata = openid4vp.STATIC_WALLET_METADATA if owner == USER else metadata(subject)
        params = yield from read_request(ctx, query, wallet_metadata)
        response_type = params.get("response_type", "")
        if response_type == openid4vp.CODE:
            ctx.check(rfc9101.RESPONSE_TYPE.id, rfc9101.RESPONSE_TYPE.ref, True, response_type)
            return (yield from self._authorize_from_holder(ctx, subject, params))
        if response_type == openid4vp.VP_TOKEN:
            ctx.check(rfc9101.RESPONSE_TYPE.id, rfc9101.RESPONSE_TYPE.ref, True, response_type)
            return (yield from self.wallet.respond(ctx, request, subject, params, session, owner))
        target = params.get("redirect_uri") if _parses(params.get("redirect_uri", "")) else None
        expect_rule(
            ctx,
            False,
            rfc9101.RESPONSE_TYPE,
            detail=f"response_type {response_type!r}",
            redirect_uri=target,
            state=_error_state(ctx, params.get("state")),
        )
        raise AssertionError("unreachable")

    # -- step 7 continued and step 10: a client asks for a code ---------------------------------------------
    def _authorize_from_holder(
        self,
        ctx: Context,
        subject: Subject,
        params: dict[str, str],
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """Check redirect_uri, audience, PKCE and scope; open the session and ask the first wallet."""
        target = params.get("redirect_uri", "")
        expect_rule(ctx, bool(target), openid4vp.REDIRECT_URI)
        expect_rule(ctx, _parses(target), openid4vp.REDIRECT_URI_PARSE, detail=target)
        state = _error_state(ctx, params.get("state"))
        expect_rule(
            ctx,
            params.get("aud") == subject.url,
            openid4vp.AUDIENCE,
            redirect_uri=target,
            state=state,
            expected=subject.url,
            actual=params.get("aud", ""),
        )
        _check_pkce_params(ctx, params)
        found = _scope_profile(ctx, subject, params.get("scope", ""), target, state)
        required = [
            (o, found.profile.definitions[o]) for o in (ORGANIZATION, USER) if o in found.profile.definitions
        ]
        authz = AuthzSession(
            params.get("client_id", ""),
            params.get("scope", ""),
            subject.id,
            params.get("state", ""),
            target,
            required,
            params.get("code_challenge", ""),
            params.get("code_challenge_method", ""),
        )
        verifier_state = ctx.rng.token()
        self.verifier_sessions.put(verifier_state, authz, ctx.now())
        ctx.fact(
            "authorization_session_created",
            state=verifier_state,
            client_id=authz.client_id,
            definitions=[d.id for _, d in required],
        )
        url = yield from self._wallet_request(ctx, subject, verifier_state, authz)
        return redirect(url)

    def _wallet_request(
        self,
        ctx: Context,
        subject: Subject,
        verifier_state: str,
        authz: AuthzSession,
    ) -> Generator[HttpRequest, HttpResponse, str]:
        """Step 10: a request object for the next definition, nonce bound to the state (1 min)."""
        pending = authz.next()
        assert pending is not None, "a profile has at least one definition (nuts_policy checks)"
        owner, definition = pending
        if owner == ORGANIZATION:
            wallet = yield from self._organization_wallet(ctx, authz)
        else:
            wallet = openid4vp.STATIC_WALLET_METADATA
        audience = None if owner == USER else str(wallet.get("issuer", ""))
        nonce = ctx.rng.token()
        self.verifier_nonces.put(nonce, verifier_state, ctx.now())
        ctx.fact("nonce_issued", nonce=nonce, state=verifier_state, wallet_owner_type=owner, ttl=FLOW_TIMEOUT)
        definition_uri = with_query(
            f"{subject.url}/presentation_definition", {"scope": authz.scope, "wallet_owner_type": owner}
        )
        claims = openid4vp.request_claims(
            issuer_did=subject.did,
            client_id=subject.url,
            audience=audience,
            response_uri=f"{subject.url}/response",
            client_metadata_uri=f"{subject.url}/oauth-client",
            presentation_definition_uri=definition_uri,
            nonce=nonce,
            state=verifier_state,
        )
        method = rfc9101.uri_method(audience)
        request_id = self.request_objects.put(
            ctx, rfc9101.StoredRequest(claims, subject.url, method, subject.identities[0].key.kid or "")
        )
        ctx.check("authorize.wallet_request", _STEP10, True, f"{owner} wallet, definition {definition.id}")
        return openid4vp.wallet_request_url(
            wallet, subject.url, f"{subject.url}/request.jwt/{request_id}", method, claims
        )

    def _organization_wallet(
        self,
        ctx: Context,
        authz: AuthzSession,
    ) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
        """The client's ``openid_provider`` metadata from its entity statement (§2.5)."""
        state = _error_state(ctx, authz.client_state)
        try:
            statement = yield from entity_statement.fetch(
                authz.client_id, ctx.now(), strict=ctx.profile.strict
            )
        except entity_statement.EntityStatementError as exc:
            expect_rule(
                ctx,
                False,
                openid4vp.WALLET_CONFIGURATION,
                detail=str(exc),
                redirect_uri=authz.redirect_uri,
                state=state,
            )
        wallet = statement.metadata()
        expect_rule(
            ctx,
            bool(wallet.get("authorization_endpoint")),
            openid4vp.WALLET_CONFIGURATION,
            detail="no authorization_endpoint in openid_provider metadata",
            redirect_uri=authz.redirect_uri,
            state=state,
        )
        return wallet

    def serve_client_metadata(
        self,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
    ) -> HttpResponse:
        """GET /oauth2/{S}/oauth-client: the verifier's client metadata (step 13)."""
        subject = self.core.require_subject(subject_id, status=404)
        formats = openid4vp.vp_formats_supported(self.core.vp_formats)
        return json_response(200, openid4vp.client_metadata(subject.url, self.core.callback_url, formats))

    # -- step 15: the wallet's direct_post ------------------------------------------------------------------
    def authorization_response(
        self,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
    ) -> Process:
        """POST /oauth2/{S}/response: a wallet error, or a presentation checked in the reference's order."""
        form = request.form
        if form.get("error"):
            return self._wallet_error(ctx, form)
        expect_rule(ctx, bool(form.get("state")), openid4vp.R_STATE)
        expect_rule(ctx, bool(form.get("vp_token")), openid4vp.R_VP_TOKEN)
        envelope = _parse_vp_token(ctx, form["vp_token"])
        state = form["state"]
        authz = self.verifier_sessions.get(state, ctx.now())
        expect_rule(ctx, authz is not None, openid4vp.R_SESSION)
        assert authz is not None
        expect_rule(
            ctx,
            authz.subject_id == subject_id,
            openid4vp.R_TENANT,
            detail=f"session of {authz.subject_id}, posted to {subject_id}",
        )
        subject = self.core.subjects[authz.subject_id]
        try:
            self._check_nonce(ctx, envelope, state)
            expect_rule(ctx, bool(form.get("presentation_submission")), openid4vp.R_SUBMISSION)
        except OAuthError as exc:
            raise self._to_holder(ctx, exc, authz, exc.check != openid4vp.R_SUBMISSION.id) from None
        try:
            submission = _parse_response_submission(ctx, form["presentation_submission"])
            if ctx.profile.on("signer_is_subject"):
                checks.check_signer_is_subject(ctx, envelope)
            if ctx.profile.on("vp_audience"):
                for vp in envelope.presentations:
                    checks.check_audience(ctx, vp, subject.url)
            yield from self.presentations.verify(ctx, subject, envelope)
        except OAuthError as exc:
            raise self._to_holder(ctx, exc, authz, True) from None
        try:
            self._fulfil(ctx, subject, authz, submission, envelope)
        except OAuthError as exc:
            raise self._to_holder(ctx, exc, authz, False) from None
        if not ctx.profile.strict:
            # auth/api/iam/openid4vp.go:554 handleAuthorizeResponseSubmission stores the session again
            # after each fulfilled PD; storage/session.go Put sets a fresh TTL, so every PD restarts
            # the flow's minute. Strict keeps one deadline from the authorization request.
            self.verifier_sessions.put(state, authz, ctx.now())
            ctx.fact("session_refreshed", store="verifier", ttl=FLOW_TIMEOUT)
        return (yield from self._next_or_code(ctx, subject, state, authz))

    def _check_nonce(self, ctx: Context, envelope: Envelope, state: str) -> None:
        """One nonce in every VP; burned on use; it must belong to the posted state (OpenID4VP §12.1)."""
        if not ctx.profile.on("verifier_nonce_binding"):
            ctx.check(
                openid4vp.R_NONCE.id, openid4vp.R_NONCE.ref, True, "skipped: verifier_nonce_binding is off"
            )
            return
        nonce, found = openid4vp.common_nonce(envelope.presentations)
        if nonce is None:
            for value in found:  # the reference burns every nonce it found before it answers
                self._burn_nonce(ctx, value)
        expect_rule(ctx, nonce is not None, openid4vp.R_NONCE, detail=f"nonces found: {found}")
        assert nonce is not None
        bound = self._burn_nonce(ctx, nonce)
        expect_rule(
            ctx, bound is not None, openid4vp.R_NONCE_SESSION, detail="nonce unknown, used or expired"
        )
        expect_rule(
            ctx, bound == state, openid4vp.R_NONCE_STATE, detail="the nonce belongs to another session"
        )

    def _burn_nonce(self, ctx: Context, nonce: str) -> str | None:
        bound = self.verifier_nonces.pop(nonce, ctx.now())
        ctx.fact("nonce_burned", nonce=nonce, store="verifier", known=bound is not None)
        return bound

    def _fulfil(
        self,
        ctx: Context,
        subject: Subject,
        authz: AuthzSession,
        submission: pex.PresentationSubmission,
        envelope: Envelope,
    ) -> None:
        """PD fulfilment (PROTOCOL.md §1.5 #12) for a definition not yet fulfilled in this session."""
        definition_id = submission.definition_id
        expect_rule(ctx, definition_id not in authz.fulfilled, openid4vp.R_FULFILLED, detail=definition_id)
        found = _scope_profile(ctx, subject, authz.scope, None, None)
        definition, credentials = checks.check_fulfilment(ctx, found, submission, envelope)
        owner = next(o for o, d in authz.required if d.id == definition.id)
        signer = envelope.presentations[0].signer_did if envelope.presentations else ""
        authz.fulfilled[definition.id] = Fulfilment(
            owner,
            definition,
            credentials,
            pex.dump(submission),
            tuple(p.raw for p in envelope.presentations),
            signer,
        )

    def _next_or_code(
        self,
        ctx: Context,
        subject: Subject,
        state: str,
        authz: AuthzSession,
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """Another definition to ask for, or a one-minute code for the client (steps 16 and 19)."""
        if authz.next() is not None:
            return openid4vp.redirect_response((yield from self._wallet_request(ctx, subject, state, authz)))
        code = self.codes.issue_code(ctx, authz)
        return openid4vp.redirect_response(
            with_query(authz.redirect_uri, {"code": code, "state": authz.client_state})
        )

    def _wallet_error(self, ctx: Context, form: dict[str, str]) -> HttpResponse:
        """A wallet's posted error goes back to the client's redirect_uri, or is answered (OpenID4VP §6.4)."""
        authz = self.verifier_sessions.get(form.get("state", ""), ctx.now())
        rule = openid4vp.R_ERROR_STATE
        ctx.check(
            rule.id,
            rule.ref,
            authz is not None,
            f"wallet error {form['error']}: {form.get('error_description', '')}",
        )
        if authz is None:
            raise OAuthError(form["error"], form.get("error_description", ""), check=rule.id)
        params = {"error": form["error"], "error_description": form.get("error_description", "")}
        if ctx.profile.strict:
            params["state"] = authz.client_state  # RFC 6749 §4.1.2.1
        return openid4vp.redirect_response(with_query(authz.redirect_uri, params))

    def _to_holder(
        self,
        ctx: Context,
        exc: OAuthError,
        authz: AuthzSession,
        redirected: bool,
    ) -> OAuthError:
        """The reference's writer: most errors go by redirect to the client (PROTOCOL.md §2.2 step 15)."""
        # The response endpoint speaks OpenID4VP: RFC021 §4.5 codes (strict s2s helpers) → invalid_request.
        code = INVALID_REQUEST if exc.error.startswith("invalid_") else exc.error
        return OAuthError(
            code,
            exc.description,
            check=exc.check,
            redirect_uri=authz.redirect_uri if redirected else None,
            state=_error_state(ctx, authz.client_state) if redirected else None,
        )


# -- checks of the authorization and response endpoints, one function per row -----------------------
def _parses(uri: str) -> bool:
    """Whether a redirect_uri is an absolute URL."""
    parts = urlsplit(uri)
    return bool(parts.scheme) and bool(parts.netloc)


def _error_state(ctx: Context, state: str | None) -> str | None:
    """The ``state`` an error redirect carries, as the profile renders it (``parties.render``)."""
    return ctx.render.error_state(state)


def _check_pkce_params(ctx: Context, params: dict[str, str]) -> None:
    """RFC 7636 §4.4.1: a challenge, method S256 (rendered errors; PROTOCOL.md §2.2 step 7)."""
    ref = f"RFC 7636 §4.4.1; {_STEP7}"
    if not ctx.profile.on("pkce"):
        ctx.check("pkce.challenge", ref, True, "skipped: pkce control is off")
        return
    try:
        rfc7636.check_challenge_params(params.get("code_challenge"), params.get("code_challenge_method"))
    except OAuthError as exc:
        ctx.fail(exc.check, ref, exc)
    ctx.check("pkce.challenge", ref, True, rfc7636.S256)


def _scope_profile(
    ctx: Context, subject: Subject, scope: str, target: str | None, state: str | None
) -> nuts_policy.ProfileMatch:
    """The scope's credential profile; errors redirect to the client (PROTOCOL.md §2.2 step 7)."""
    rule = openid4vp.SCOPE
    try:
        if subject.policy is None:
            raise nuts_policy.ScopeNotFound(scope)
        found = subject.policy.find_profile(scope)
    except nuts_policy.ScopeNotFound:
        expect_rule(ctx, False, rule, redirect_uri=target, state=state, scope=scope, reason="not found")
    except nuts_policy.AmbiguousScope:
        expect_rule(
            ctx,
            False,
            rule,
            redirect_uri=target,
            state=state,
            scope=scope,
            reason="multiple credential profile scopes found",
        )
    ctx.check(rule.id, rule.ref, True, f"profile {found.scope!r}")
    return found


def _parse_vp_token(ctx: Context, vp_token: str) -> Envelope:
    try:
        envelope = parse_envelope(vp_token, jwx_base64=ctx.profile.reference.jwx_base64)
    except (CredentialFormatError, jose.JoseError) as exc:
        expect_rule(ctx, False, openid4vp.R_VP_PARSE, detail=str(exc))
    expect_rule(
        ctx, bool(envelope.presentations), openid4vp.R_VP_PARSE, detail=f"{len(envelope.presentations)} VP(s)"
    )
    return envelope


def _parse_response_submission(ctx: Context, text: str) -> pex.PresentationSubmission:
    """Step 15: the submission parses ("invalid presentation_submission: …", PROTOCOL.md §2.2)."""
    try:
        submission = parse_submission_text(text)
    except (ValueError, RecursionError, NutsSimError) as exc:
        expect_rule(ctx, False, openid4vp.R_SUBMISSION_PARSE, detail=str(exc), reason=str(exc))
    expect_rule(ctx, True, openid4vp.R_SUBMISSION_PARSE)
    return submission
