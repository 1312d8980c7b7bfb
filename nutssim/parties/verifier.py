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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from nutssim import jose
from nutssim.errors import NutsSimError, OAuthError
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect, with_query
from nutssim.models.credential import Credential
from nutssim.parties.authorization_server import (
    _check_fulfilment,
    access_token_response,
    check_audience,
    check_signer_is_subject,
    metadata,
)
from nutssim.parties.base import Context, Process
from nutssim.parties.user_client import UserSession, expect_rule
from nutssim.specs import entity_statement, nuts_policy, openid4vp, pex, rfc7636, rfc9101
from nutssim.specs.did import DIDResolutionError, resolve_key
from nutssim.specs.openid4vp import FLOW_TIMEOUT, ORGANIZATION, USER
from nutssim.specs.presentation import Envelope, parse_envelope, parse_submission_text
from nutssim.specs.rfc6749 import INVALID_REQUEST
from nutssim.specs.vc_jwt import CredentialFormatError
from nutssim.stores import ExpiringMap

if TYPE_CHECKING:
    from nutssim.parties.node import Node, Subject

_STEP7, _STEP10 = "PROTOCOL.md §2.2 step 7", "PROTOCOL.md §2.2 step 10"
_STEP15, _STEP22 = "PROTOCOL.md §2.2 step 15", "PROTOCOL.md §2.2 step 22"


@dataclass(frozen=True)
class Fulfilment:
    """One definition answered: by which wallet, with which credentials and presentations."""

    owner: str
    definition: pex.PresentationDefinition
    credentials: dict[str, Credential]
    submission: dict[str, Any]
    presentations: tuple[Any, ...]
    signer: str


@dataclass
class AuthzSession:
    """The AS's OAuth session under its verifier state VS (1 min, PROTOCOL.md §2.2 step 7)."""

    client_id: str
    scope: str
    subject_id: str
    client_state: str
    redirect_uri: str
    required: list[tuple[str, pex.PresentationDefinition]]
    code_challenge: str
    code_challenge_method: str
    fulfilled: dict[str, Fulfilment] = field(default_factory=dict)

    def next(self) -> tuple[str, pex.PresentationDefinition] | None:
        """The next definition to ask for: organization first, then user."""
        return next(((o, d) for o, d in self.required if d.id not in self.fulfilled), None)


class VerifierRole:
    """Routes and stores of the AS's authorization-code side."""

    def __init__(self: Node) -> None:  # type: ignore[misc]
        self.verifier_sessions: ExpiringMap[str, AuthzSession] = ExpiringMap(FLOW_TIMEOUT)
        self.verifier_nonces: ExpiringMap[str, str] = ExpiringMap(FLOW_TIMEOUT)
        self.authorization_codes: ExpiringMap[str, AuthzSession] = ExpiringMap(FLOW_TIMEOUT)
        self.route("GET", "/oauth2/{subject_id}/authorize", self.authorize, "authorization request")
        self.route(
            "GET", "/oauth2/{subject_id}/oauth-client", self.serve_client_metadata, "verifier metadata"
        )
        self.route(
            "POST",
            "/oauth2/{subject_id}/response",
            self.authorization_response,
            "authorization response (direct_post)",
        )

    # -- steps 7–9: the authorization endpoint and its request object ------------------------------------
    def authorize(self: Node, request: HttpRequest, ctx: Context, subject_id: str) -> Process:  # type: ignore[misc]
        """GET /oauth2/{S}/authorize: the session middleware, then the request object (§2.2 steps 7–9)."""
        session, created = self.user_session(request, ctx, subject_id)
        response = yield from self.rendered(
            request, self.handle_authorize(request, ctx, subject_id, session, request.query)
        )
        return self.with_session_cookie(response, session, created)

    def handle_authorize(  # type: ignore[misc]
        self: Node,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
        session: UserSession,
        query: dict[str, str],
        owner: str = ORGANIZATION,
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """Parse and validate the request object, then dispatch on ``response_type``."""
        expect_rule(ctx, self.authorization_endpoint_enabled, rfc9101.ENDPOINT_ENABLED)
        subject = self.subject(subject_id)
        expect_rule(ctx, subject is not None, rfc9101.SUBJECT)
        assert subject is not None
        wallet_metadata = openid4vp.STATIC_WALLET_METADATA if owner == USER else metadata(subject)
        params = yield from self._request_object(ctx, query, wallet_metadata)
        response_type = params.get("response_type", "")
        if response_type == openid4vp.CODE:
            ctx.check(rfc9101.RESPONSE_TYPE.id, rfc9101.RESPONSE_TYPE.ref, True, response_type)
            return (yield from self._authorize_from_holder(ctx, subject, params))
        if response_type == openid4vp.VP_TOKEN:
            ctx.check(rfc9101.RESPONSE_TYPE.id, rfc9101.RESPONSE_TYPE.ref, True, response_type)
            return (yield from self._authorize_from_verifier(ctx, request, subject, params, session, owner))
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

    def _request_object(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        query: dict[str, str],
        wallet_metadata: dict[str, Any],
    ) -> Generator[HttpRequest, HttpResponse, dict[str, str]]:
        """The JAR rows of PROTOCOL.md §2.2 steps 7–9, in order."""
        try:
            kind, value = rfc9101.split_request(query)
        except OAuthError as exc:
            expect_rule(
                ctx, False, rfc9101.EXCLUSIVE if exc.check == rfc9101.EXCLUSIVE.id else rfc9101.REQUIRED
            )
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
            expect_rule(
                ctx, fetched is not None, rfc9101.FETCH, detail=f"HTTP {response.status} from {value}"
            )
            token = fetched or ""
        jws, key = yield from self._verified_request(ctx, token)
        claims = jws.payload
        client_id = query.get("client_id", "")
        expect_rule(
            ctx,
            claims.get("client_id") == client_id,
            rfc9101.CLIENT_ID,
            detail=f"claim {claims.get('client_id')!r}, query {client_id!r}",
        )
        if key is not None:
            yield from self._check_signer_binding(ctx, jws, key, client_id)
        return rfc9101.parameters(claims)

    def _verified_request(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        token: str,
    ) -> Generator[HttpRequest, HttpResponse, tuple[jose.CompactJWS, jose.PublicKey | None]]:
        """RFC 9101 §6.2: signature by the ``kid``'s DID key and the time rules; strict adds typ and iss."""
        try:
            jws = jose.decode(token)
            if not ctx.profile.on("jar_signature"):
                ctx.check(
                    rfc9101.SIGNATURE.id, rfc9101.SIGNATURE.ref, True, "skipped: jar_signature control is off"
                )
                return jws, None
            key = yield from resolve_key(jws.kid or "")
            rfc9101.validate(jws, key, ctx.now())
        except (jose.JoseError, DIDResolutionError) as exc:
            expect_rule(ctx, False, rfc9101.SIGNATURE, detail=str(exc))
        ctx.check(rfc9101.SIGNATURE.id, rfc9101.SIGNATURE.ref, True, f"signed by {jws.kid}")
        if ctx.profile.strict:
            expect_rule(ctx, rfc9101.typed(jws), rfc9101.TYPED, detail=f"typ {jws.header.get('typ')!r}")
            expect_rule(
                ctx,
                rfc9101.issuer_is_signer(jws),
                rfc9101.ISS_KID,
                detail=f"iss {jws.payload.get('iss')!r}, kid {jws.kid!r}",
            )
        return jws, key

    def _check_signer_binding(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        jws: jose.CompactJWS,
        key: jose.PublicKey,
        client_id: str,
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

    # -- step 7 continued and step 10: a client asks for a code ---------------------------------------------
    def _authorize_from_holder(  # type: ignore[misc]
        self: Node,
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

    def _wallet_request(  # type: ignore[misc]
        self: Node,
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
        request_id = ctx.rng.token()
        self.request_objects.put(
            request_id,
            rfc9101.StoredRequest(claims, subject.url, method, subject.identities[0].key.kid or ""),
            ctx.now(),
        )
        ctx.check("authorize.wallet_request", _STEP10, True, f"{owner} wallet, definition {definition.id}")
        return openid4vp.wallet_request_url(
            wallet, subject.url, f"{subject.url}/request.jwt/{request_id}", method, claims
        )

    def _organization_wallet(  # type: ignore[misc]
        self: Node,
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

    def serve_client_metadata(  # type: ignore[misc]
        self: Node,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
    ) -> HttpResponse:
        """GET /oauth2/{S}/oauth-client: the verifier's client metadata (step 13)."""
        subject = self.require_subject(subject_id, status=404)
        return json_response(
            200,
            openid4vp.client_metadata(
                subject.url, self.callback_url, openid4vp.vp_formats_supported(self.vp_formats)
            ),
        )

    # -- step 15: the wallet's direct_post ------------------------------------------------------------------
    def authorization_response(  # type: ignore[misc]
        self: Node,
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
        subject = self.subjects[authz.subject_id]
        try:
            self._check_nonce(ctx, envelope, state)
            expect_rule(ctx, bool(form.get("presentation_submission")), openid4vp.R_SUBMISSION)
        except OAuthError as exc:
            raise self._to_holder(ctx, exc, authz, exc.check != openid4vp.R_SUBMISSION.id) from None
        try:
            submission = _parse_response_submission(ctx, form["presentation_submission"])
            if ctx.profile.on("signer_is_subject"):
                check_signer_is_subject(ctx, envelope)
            if ctx.profile.on("vp_audience"):
                for vp in envelope.presentations:
                    check_audience(ctx, vp, subject.url)
            yield from self._verify_presentations(ctx, subject, envelope)
        except OAuthError as exc:
            raise self._to_holder(ctx, exc, authz, True) from None
        try:
            self._fulfil(ctx, subject, authz, submission, envelope)
        except OAuthError as exc:
            raise self._to_holder(ctx, exc, authz, False) from None
        return (yield from self._next_or_code(ctx, subject, state, authz))

    def _check_nonce(self: Node, ctx: Context, envelope: Envelope, state: str) -> None:  # type: ignore[misc]
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

    def _burn_nonce(self: Node, ctx: Context, nonce: str) -> str | None:  # type: ignore[misc]
        bound = self.verifier_nonces.pop(nonce, ctx.now())
        ctx.fact("nonce_burned", nonce=nonce, store="verifier", known=bound is not None)
        return bound

    def _fulfil(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        subject: Subject,
        authz: AuthzSession,
        submission: dict[str, Any],
        envelope: Envelope,
    ) -> None:
        """PD fulfilment (PROTOCOL.md §1.5 #12) for a definition not yet fulfilled in this session."""
        definition_id = str(submission.get("definition_id", ""))
        expect_rule(ctx, definition_id not in authz.fulfilled, openid4vp.R_FULFILLED, detail=definition_id)
        found = _scope_profile(ctx, subject, authz.scope, None, None)
        definition, credentials = _check_fulfilment(ctx, found, submission, envelope)
        owner = next(o for o, d in authz.required if d.id == definition.id)
        signer = envelope.presentations[0].signer_did if envelope.presentations else ""
        authz.fulfilled[definition.id] = Fulfilment(
            owner, definition, credentials, submission, tuple(p.raw for p in envelope.presentations), signer
        )

    def _next_or_code(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        subject: Subject,
        state: str,
        authz: AuthzSession,
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """Another definition to ask for, or a one-minute code for the client (steps 16 and 19)."""
        if authz.next() is not None:
            return openid4vp.redirect_response((yield from self._wallet_request(ctx, subject, state, authz)))
        code = ctx.rng.token()
        self.authorization_codes.put(code, authz, ctx.now())
        ctx.fact("authorization_code_issued", client_id=authz.client_id, ttl=FLOW_TIMEOUT)
        return openid4vp.redirect_response(
            with_query(authz.redirect_uri, {"code": code, "state": authz.client_state})
        )

    def _wallet_error(self: Node, ctx: Context, form: dict[str, str]) -> HttpResponse:  # type: ignore[misc]
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

    def _to_holder(  # type: ignore[misc]
        self: Node,
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

    # -- step 22: the authorization_code grant ----------------------------------------------------------
    def _authorization_code_token(  # type: ignore[misc]
        self: Node,
        request: HttpRequest,
        ctx: Context,
        subject: Subject,
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """Code, verifier, client_id present; code live (burned now); client, PKCE, DPoP; the token."""
        form = request.form
        pkce = ctx.profile.on("pkce")
        expect_rule(ctx, bool(form.get("code")), openid4vp.T_CODE)
        expect_rule(ctx, bool(form.get("code_verifier")) or not pkce, openid4vp.T_VERIFIER)
        expect_rule(ctx, bool(form.get("client_id")), openid4vp.T_CLIENT_ID)
        authz = self._take_code(ctx, form["code"])
        expect_rule(
            ctx,
            authz.client_id == form["client_id"],
            openid4vp.T_CLIENT_MATCH,
            expected=authz.client_id,
            actual=form["client_id"],
        )
        _check_redirect_uri(ctx, form.get("redirect_uri", ""), authz.redirect_uri)
        _check_verifier(ctx, form.get("code_verifier", ""), authz)
        jkt = self._check_token_dpop(ctx, request)
        fulfilled = list(authz.fulfilled.values())
        try:
            claims = pex.extract_claims([(f.definition, f.credentials) for f in fulfilled]).claims
        except pex.DuplicateMappedField as exc:
            expect_rule(ctx, False, openid4vp.T_CREATE, reason=exc.reference_text)
        ctx.check(openid4vp.T_CREATE.id, openid4vp.T_CREATE.ref, True, ", ".join(sorted(claims)))
        organization = next((f for f in fulfilled if f.owner == ORGANIZATION), None)
        record = self._issue_token(
            ctx,
            subject,
            client_id=authz.client_id,
            scope=authz.scope,
            jkt=jkt,
            claims=claims,
            subject_did=organization.signer if organization else None,
            vps=[vp for f in fulfilled for vp in f.presentations],
            submissions={f.definition.id: f.submission for f in fulfilled},
            definitions={f.owner: pex.dump(f.definition) for f in fulfilled},
        )
        yield from ()
        return access_token_response(record)

    def _take_code(self: Node, ctx: Context, code: str) -> AuthzSession:  # type: ignore[misc]
        """The code's session; the code is deleted once presented, whatever follows (step 22)."""
        single_use = ctx.profile.on("code_single_use")
        authz = (self.authorization_codes.pop if single_use else self.authorization_codes.get)(
            code, ctx.now()
        )
        if single_use:
            ctx.fact("authorization_code_burned", known=authz is not None)
        expect_rule(ctx, authz is not None, openid4vp.T_CODE_VALID)
        if not single_use:
            ctx.check(
                "code_token.single_use", openid4vp.T_CODE_VALID.ref, True, "skipped: code_single_use is off"
            )
        assert authz is not None
        return authz


# -- checks of the code flow, one function per row ----------------------------------------------------------
def _parses(uri: str) -> bool:
    """Whether a redirect_uri is an absolute URL."""
    parts = urlsplit(uri)
    return bool(parts.scheme) and bool(parts.netloc)


def _error_state(ctx: Context, state: str | None) -> str | None:
    """The ``state`` an error redirect carries: none in the reference, the client's under strict."""
    return state if ctx.profile.strict and state else None


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
        envelope = parse_envelope(vp_token)
    except (CredentialFormatError, jose.JoseError) as exc:
        expect_rule(ctx, False, openid4vp.R_VP_PARSE, detail=str(exc))
    expect_rule(
        ctx, bool(envelope.presentations), openid4vp.R_VP_PARSE, detail=f"{len(envelope.presentations)} VP(s)"
    )
    return envelope


def _check_redirect_uri(ctx: Context, given: str, expected: str) -> None:
    """RFC 6749 §4.1.3 under strict; the reference does not compare (PROTOCOL.md §4.2 item 63)."""
    rule = openid4vp.T_REDIRECT_URI
    if not ctx.profile.strict:
        ctx.check(rule.id, f"{_STEP22} (not compared by the reference)", True, f"given {given!r}")
        return
    expect_rule(ctx, given == expected, rule, detail=f"given {given!r}, authorized {expected!r}")


def _check_verifier(ctx: Context, verifier: str, authz: AuthzSession) -> None:
    """RFC 7636 §4.6: S256(code_verifier) equals the challenge (strict: the verifier's syntax too)."""
    ref = f"RFC 7636 §4.6; {_STEP22}"
    if not ctx.profile.on("pkce"):
        ctx.check("pkce.verifier", ref, True, "skipped: pkce control is off")
        return
    try:
        if ctx.profile.strict:
            rfc7636.check_verifier_syntax(verifier)
        rfc7636.verify(verifier, authz.code_challenge, authz.code_challenge_method)
    except OAuthError as exc:
        ctx.fail(exc.check, ref, exc)
    ctx.check("pkce.verifier", ref, True, "S256(code_verifier) = code_challenge")


def _parse_response_submission(ctx: Context, text: str) -> dict[str, Any]:
    """Step 15: the submission parses ("invalid presentation_submission: …", PROTOCOL.md §2.2)."""
    try:
        submission = parse_submission_text(text)
    except (ValueError, RecursionError, NutsSimError) as exc:
        expect_rule(ctx, False, openid4vp.R_SUBMISSION_PARSE, detail=str(exc), reason=str(exc))
    expect_rule(ctx, True, openid4vp.R_SUBMISSION_PARSE)
    return submission
