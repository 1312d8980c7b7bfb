"""The user-flow client role of a node (node B): from the EHR's request to the stored access token.

PROTOCOL.md §2.2: the EHR asks for a user access token (step 1) and gets a 5-second,
single-use landing URL; the browser lands (step 4), the node provisions the user's
*session wallet* (a did:jwk key and a NutsEmployeeCredential the organization issues
from ``preauthorized_user``, §2.4) behind the ``__Secure-SID`` cookie, discovers the
AS (step 5) and redirects the browser to the AS's authorization endpoint with a
request object by reference and PKCE S256 (step 6). The node serves request objects
(``request.jwt/{id}``, steps 8/12/17) and its signed OpenID configuration (§2.5),
takes the code at its callback (step 21), redeems it with the PKCE verifier and a
DPoP proof (step 22) and keeps the token for the EHR to collect once (steps 23–25).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from nutssim import causes, jose
from nutssim.causes import Cause
from nutssim.errors import OAuthError
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect, with_query
from nutssim.models.credential import NUTS_CONTEXT, VC_CONTEXT
from nutssim.parties.base import ClientError, Context, Process, expect_rule, fail_rule
from nutssim.parties.core import CALLBACK_PATH, NodeCore, Subject
from nutssim.parties.identity import Identity
from nutssim.parties.metadata import metadata
from nutssim.parties.oauth_client import discover_metadata, token_from_response
from nutssim.parties.request_objects import RequestObjects
from nutssim.parties.sessions import UserSession, UserSessions
from nutssim.parties.wallet import Wallet
from nutssim.specs import entity_statement, nuts_node_api, openid4vp, rfc7636, rfc9101, rfc9449
from nutssim.specs.openid4vp import FLOW_TIMEOUT
from nutssim.specs.rfc6749 import AUTHORIZATION_CODE
from nutssim.stores import ExpiringMap

REDIRECT_TOKEN_TTL = 5  # userRedirectTimeout, PROTOCOL.md §0
TOKEN_SESSION_TTL = 900  # the EHR's session id → token status
_STEP1, _STEP4, _STEP25 = "PROTOCOL.md §2.2 step 1", "PROTOCOL.md §2.2 step 4", "PROTOCOL.md §2.2 steps 23–25"
_SESSION = "PROTOCOL.md §2.4"


@dataclass(frozen=True)
class RedirectSession:
    """What the landing URL's token stands for (5 s, single use)."""

    subject_id: str
    body: dict[str, Any]
    session_id: str


@dataclass(frozen=True)
class ClientFlow:
    """The client's OAuth session under its state CS (1 min, PROTOCOL.md §2.2 step 4)."""

    subject_id: str
    code_verifier: str
    redirect_uri: str  # the EHR's
    session_id: str
    use_dpop: bool
    token_endpoint: str


class UserClient:
    """Routes and stores of the user flow's client side."""

    def __init__(self, core: NodeCore, *, sessions: UserSessions, request_objects: RequestObjects) -> None:
        self.core = core
        self.sessions = sessions
        self.request_objects = request_objects
        self.user_redirects: ExpiringMap[str, RedirectSession] = ExpiringMap(REDIRECT_TOKEN_TTL)
        self.user_tokens: ExpiringMap[str, dict[str, Any]] = ExpiringMap(TOKEN_SESSION_TTL)
        self.client_flows: ExpiringMap[str, ClientFlow] = ExpiringMap(FLOW_TIMEOUT)
        internal = core.internal_host
        core.route(
            "POST",
            "/internal/auth/v2/{subject_id}/request-user-access-token",
            self.request_user_access_token,
            "request user access token",
            origin=internal,
        )
        core.route(
            "GET",
            "/internal/auth/v2/accesstoken/{session_id}",
            self.retrieve_user_token,
            "retrieve user access token",
            origin=internal,
        )
        core.route("GET", "/oauth2/{subject_id}/user", self.user_landing, "user landing")
        request_objects.add_routes()  # served here, in the reference's route order
        core.route(
            "GET",
            "/.well-known/openid-configuration/oauth2/{subject_id}",
            self.serve_openid_configuration,
            "OpenID configuration (entity statement)",
        )
        core.route("GET", CALLBACK_PATH, self.callback, "authorization callback")

    # -- step 1: the EHR's request ---------------------------------------------------------------------
    def request_user_access_token(
        self,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
    ) -> HttpResponse:
        """Store the request under a 5 s landing token; answer the landing URL and a session id."""
        body = request.json if isinstance(request.json, dict) else {}
        user = body.get("preauthorized_user")
        missing = _missing_input(body, user)
        if missing:
            return _problem(ctx, "user_token.request", missing)
        subject = self.core.subject(subject_id)
        if subject is None:
            return _problem(ctx, "user_token.subject", "subject not found")
        ctx.check(
            "user_token.request", _STEP1, True, f"user {user.get('id') if isinstance(user, dict) else ''}"
        )
        token, session_id = ctx.rng.token(), ctx.rng.token()
        self.user_redirects.put(token, RedirectSession(subject.id, body, session_id), ctx.now())
        self.user_tokens.put(session_id, {"status": "pending"}, ctx.now())
        return json_response(
            200,
            {"redirect_uri": with_query(f"{subject.url}/user", {"token": token}), "session_id": session_id},
        )

    def retrieve_user_token(
        self,
        request: HttpRequest,
        ctx: Context,
        session_id: str,
    ) -> HttpResponse:
        """Pending, or the token once (then forgotten); unknown → 404 (PROTOCOL.md §2.2 step 25)."""
        entry = self.user_tokens.get(session_id, ctx.now())
        if entry is None:
            return _problem(ctx, "user_token.session", "session not found", status=404, ref=_STEP25)
        if entry.get("status") != "active":
            ctx.check("user_token.session", _STEP25, True, "pending")
            return json_response(200, {"status": "pending", "access_token": "", "token_type": ""})
        self.user_tokens.discard(session_id)
        ctx.check("user_token.session", _STEP25, True, "active token handed out once")
        return json_response(200, entry)

    # -- step 4–6: landing, provisioning, the authorization request -----------------------------------------
    def user_landing(self, request: HttpRequest, ctx: Context, subject_id: str) -> Process:
        """GET /oauth2/{S}/user?token=T: 403 unless T is live; then redirect to the AS (steps 4–6)."""
        session, created = self.sessions.load(request, ctx, subject_id)
        response = yield from self.core.rendered(request, self._land(request, ctx, session))
        return self.sessions.with_cookie(response, session, created)

    def _land(
        self,
        request: HttpRequest,
        ctx: Context,
        session: UserSession,
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """Burn the landing token, provision the wallet, discover the AS, redirect with JAR_1 (steps 4–6)."""
        token = request.query.get("token", "")
        found = self.user_redirects.pop(token, ctx.now()) if token else None
        if found is None:
            ctx.check(
                "landing.token",
                f"RFC 6749 §10.12; {_STEP4}",
                False,
                "missing token" if not token else "unknown, expired or used token",
                Cause(causes.UNKNOWN if token else causes.MISSING, "parameter", "token"),
            )
            return HttpResponse(403)
        ctx.check("landing.token", f"RFC 6749 §10.12; {_STEP4}", True, "landing token burned")
        subject = self.core.subjects[found.subject_id]
        self._provision(ctx, subject, session, found.body["preauthorized_user"])
        meta = yield from discover_metadata(ctx, str(found.body.get("authorization_server", "")))
        endpoints = bool(meta.get("authorization_endpoint")) and bool(meta.get("token_endpoint"))
        expect_rule(ctx, endpoints, nuts_node_api.AS_METADATA, detail="")
        state, verifier = ctx.rng.token(), rfc7636.make_verifier(ctx.rng)
        use_dpop = str(found.body.get("token_type") or "DPoP").lower() != "bearer"
        self.client_flows.put(
            state,
            ClientFlow(
                subject.id,
                verifier,
                str(found.body["redirect_uri"]),
                found.session_id,
                use_dpop,
                meta["token_endpoint"],
            ),
            ctx.now(),
        )
        return redirect(
            self._authorization_request(
                ctx, subject, meta, str(found.body.get("scope", "")), state, rfc7636.s256(verifier)
            )
        )

    def _provision(
        self,
        ctx: Context,
        subject: Subject,
        session: UserSession,
        user: dict[str, Any],
    ) -> None:
        """Issue a NutsEmployeeCredential per subject DID into an empty session wallet (§2.4)."""
        if session.wallet.credentials:
            held = _employee_ids(session)
            # auth/api/iam/user.go provisionUserSession: a wallet with credentials is "already
            # provisioned", whoever the EHR now vouches for, so the next user of this browser is
            # presented as the first. strict gives another user a wallet of their own.
            if not ctx.profile.strict or held == {user["id"]}:
                ctx.check("landing.provision", _SESSION, True, "session wallet already holds credentials")
                return
            session.identity = Identity.jwk(ctx.rng)
            session.wallet = Wallet([session.identity])
            ctx.check(
                "landing.provision",
                _SESSION,
                True,
                f"session wallet held {', '.join(sorted(held))}, not {user['id']}: a fresh session wallet",
            )
        for identity in subject.identities:
            token = _employee_credential(ctx, identity, session, user)
            credential = session.wallet.add(token)
            ctx.fact(
                "credential_issued",
                id=credential.id,
                credential_type="NutsEmployeeCredential",
                format="jwt_vc",
                issuer=identity.did,
                holder=session.identity.did,
                credential=token,
            )
        ctx.check("landing.provision", _SESSION, True, f"{len(subject.identities)} NutsEmployeeCredential(s)")

    def _authorization_request(
        self,
        ctx: Context,
        subject: Subject,
        meta: dict[str, Any],
        scope: str,
        state: str,
        challenge: str,
    ) -> str:
        """Step 6: store JAR_1 (15 min, single use) and build the by-reference authorization URL."""
        schemes = meta.get("client_id_schemes_supported") or []
        expect_rule(ctx, openid4vp.ENTITY_ID in schemes, nuts_node_api.CLIENT_ID_SCHEME, detail="")
        signer = subject.identities[0]
        claims = {
            "iss": signer.did,
            "client_id": subject.url,
            "aud": meta["issuer"],
            "response_type": "code",
            "scope": scope,
            "state": state,
            "redirect_uri": self.core.callback_url,
            "code_challenge": challenge,
            "code_challenge_method": rfc7636.S256,
        }
        method = rfc9101.uri_method(meta["issuer"])
        request_id = self.request_objects.put(
            ctx, rfc9101.StoredRequest(claims, subject.url, method, signer.key.kid or "")
        )
        return rfc9101.request_url(
            meta["authorization_endpoint"], subject.url, f"{subject.url}/request.jwt/{request_id}", method
        )

    # -- steps 8/12/17 and §2.5: what a client serves ----------------------------------------------
    def serve_openid_configuration(
        self,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
    ) -> HttpResponse:
        """The subject's entity statement: its DIDs' keys and its AS metadata (PROTOCOL.md §2.5)."""
        subject = self.core.require_subject(subject_id, status=404)
        token = entity_statement.build(
            subject.url, [i.key for i in subject.identities], metadata(subject), ctx.now()
        )
        return entity_statement.serve(token)

    # -- steps 21–24: callback, code exchange, token for the EHR --------------------------------
    def callback(self, request: HttpRequest, ctx: Context) -> Process:
        """GET /oauth2/callback: state, error, code, then the token request (steps 21–24)."""
        query = request.query
        expect_rule(ctx, self.core.authorization_endpoint_enabled, openid4vp.CALLBACK_ENABLED)
        state = query.get("state", "")
        if not state and query.get("error"):
            # No state to correlate (the reference's error redirects carry none): show the error.
            ctx.check(
                openid4vp.CALLBACK_STATE.id,
                openid4vp.CALLBACK_STATE.ref,
                False,
                f"error without state: {query['error']}",
                Cause(causes.MISSING, "parameter", "state", reason=query["error"]),
            )
            raise OAuthError(
                query["error"], query.get("error_description", ""), check=openid4vp.CALLBACK_STATE.id
            )
        expect_rule(ctx, bool(state), openid4vp.CALLBACK_STATE)
        flow = self._client_flow(ctx, state)
        if query.get("error"):
            cause = Cause(
                causes.FAILED,
                "authorization_response",
                query["error"],
                reason=query.get("error_description", ""),
            )
            ctx.check("callback.error", openid4vp.CALLBACK_STATE.ref, False, query["error"], cause)
            raise OAuthError(
                query["error"],
                query.get("error_description", ""),
                redirect_uri=flow.redirect_uri,
                check="callback.error",
            )
        expect_rule(ctx, bool(query.get("code")), openid4vp.CALLBACK_CODE, redirect_uri=flow.redirect_uri)
        token = yield from self._redeem(ctx, flow, query["code"])
        self.user_tokens.put(flow.session_id, {**token, "status": "active"}, ctx.now())
        ctx.fact("user_token_stored", session_id=flow.session_id, token_type=token.get("token_type"))
        return redirect(flow.redirect_uri)

    def _client_flow(self, ctx: Context, state: str) -> ClientFlow:
        """The flow of a state (burned); with ``state_check`` off, an unknown state takes the latest flow."""
        flow = self.client_flows.pop(state, ctx.now())
        if flow is None and not ctx.profile.on("state_check"):
            latest = next(
                (k for k in reversed(list(self.client_flows)) if self.client_flows.contains(k, ctx.now())),
                None,
            )
            flow = self.client_flows.pop(latest, ctx.now()) if latest else None
            ctx.check(
                openid4vp.CALLBACK_STATE_KNOWN.id,
                openid4vp.CALLBACK_STATE_KNOWN.ref,
                True,
                "state_check control is off: unknown state accepted, latest flow used",
            )
        expect_rule(ctx, flow is not None, openid4vp.CALLBACK_STATE_KNOWN)
        assert flow is not None
        return flow

    def _redeem(
        self,
        ctx: Context,
        flow: ClientFlow,
        code: str,
    ) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
        """Step 22: the code, the PKCE verifier and (if asked) a DPoP proof; failures go to the EHR."""
        subject = self.core.subjects[flow.subject_id]
        key = subject.identities[0].key
        form = {
            "grant_type": AUTHORIZATION_CODE,
            "client_id": subject.url,
            "code": code,
            "redirect_uri": self.core.callback_url,
            "code_verifier": flow.code_verifier,
        }
        headers = {"Accept": "application/json"}
        if flow.use_dpop:
            headers["DPoP"] = rfc9449.make_proof(
                key, htm="POST", htu=flow.token_endpoint, now=ctx.now(), rng=ctx.rng
            )
        response = yield HttpRequest.post_form(flow.token_endpoint, form, headers)
        try:
            token = token_from_response(ctx, response)
        except ClientError as exc:
            fail_rule(
                ctx,
                openid4vp.CALLBACK_TOKEN,
                detail=f"{exc.error}: {exc.description}",
                redirect_uri=flow.redirect_uri,
                endpoint=flow.token_endpoint,
            )
        ctx.check(
            openid4vp.CALLBACK_TOKEN.id, openid4vp.CALLBACK_TOKEN.ref, True, str(token.get("token_type"))
        )
        # As in the s2s flow (PROTOCOL.md §1.6): the node names its DPoP key and adds expires_at.
        token["dpop_kid"] = key.kid if token.get("token_type") == "DPoP" else ""
        token["expires_at"] = ctx.now() + int(token.get("expires_in") or 0)  # absent or null: 0
        return token


# -- helpers -------------------------------------------------------------------------------------------------
def _missing_input(body: dict[str, Any], user: Any) -> str:
    """The first problem of a request-user-access-token body (PROTOCOL.md §2.2 step 1)."""
    if not isinstance(user, dict):
        return "missing preauthorized_user"
    for name in ("id", "name", "role"):
        if not user.get(name):
            return f"missing preauthorized_user.{name}"
    return "" if body.get("redirect_uri") else "missing redirect_uri"


def _problem(ctx: Context, check: str, detail: str, *, status: int = 400, ref: str = _STEP1) -> HttpResponse:
    """An internal-API error as RFC 9457 problem JSON, the check recorded."""
    ctx.check(check, ref, False, detail)
    body = {"type": "about:blank", "title": "request failed", "status": status, "detail": detail}
    return json_response(status, body, headers={"Content-Type": "application/problem+json"})


def _employee_ids(session: UserSession) -> set[str]:
    """The employee identifiers the session wallet's credentials name."""
    return {str(s.get("identifier")) for c in session.wallet.credentials for s in c.subjects}


def _employee_credential(ctx: Context, issuer: Identity, session: UserSession, user: dict[str, Any]) -> str:
    """The JWT NutsEmployeeCredential of PROTOCOL.md §2.4 (claims verbatim from preauthorized_user)."""
    now, holder = ctx.now(), session.identity.did
    subject = {"id": holder, "identifier": user["id"], "name": user["name"], "roleName": user["role"]}
    claims = {
        "iss": issuer.did,
        "sub": holder,
        "jti": f"{issuer.did}#{ctx.rng.uuid()}",
        "nbf": now,
        "iat": now,
        "exp": session.expires_at,
        "vc": {
            "@context": [VC_CONTEXT, NUTS_CONTEXT],
            "type": ["NutsEmployeeCredential", "VerifiableCredential"],
            "credentialSubject": [subject],
        },
    }
    return jose.sign({"typ": "JWT", "kid": issuer.key.kid}, claims, issuer.key)
