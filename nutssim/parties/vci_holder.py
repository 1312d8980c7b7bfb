"""The holder (wallet) side of OpenID4VCI 1.0, as the reference's node runs it for its subjects.

Reproduces nuts-node PR #4057 at d2ad162: ``auth/api/iam/openid4vci.go``
``RequestOpenid4VCICredentialIssuance`` (the EHR's ``POST
/internal/auth/v2/{subjectID}/request-credential``: checks, issuer and AS metadata, state and
PKCE, the redirect to the issuer's authorization endpoint) and ``handleOpenID4VCICallback``
(at the node-wide callback: the code for a token, ``extractCredentialIdentifier``, a
``c_nonce``, the credential request with a key proof from ``openid4vciProof``, **one retry on
``invalid_nonce``**, verification, then the wallet), with the client calls of
``auth/openid4vci/client.go``. Errors after the redirect go back to the EHR's redirect URI as
``error``/``error_description``, as ``withCallbackURI`` does.

Under ``strict`` the key proof's ``iss`` is the client_id (OpenID4VCI 1.0 Appendix F.1); the
reference puts the wallet DID there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from nutssim.errors import OAuthError
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect, with_query
from nutssim.parties.base import ClientError, Context, Process, expect_rule
from nutssim.parties.core import CALLBACK_PATH, NodeCore, Subject
from nutssim.parties.oauth_client import discover_metadata, token_from_response
from nutssim.specs import openid4vci as vci
from nutssim.specs import openid4vp, rfc7636, vc_jwt
from nutssim.specs.openid4vp import FLOW_TIMEOUT
from nutssim.specs.rfc6749 import AUTHORIZATION_CODE, SERVER_ERROR
from nutssim.specs.vc_verify import VerificationFailed, verify_credential
from nutssim.stores import ExpiringMap

REQUEST_PATH = "/internal/auth/v2/{subject_id}/request-credential"
_REF = "auth/api/iam/openid4vci.go RequestOpenid4VCICredentialIssuance"
_CALLBACK_REF = "auth/api/iam/openid4vci.go handleOpenID4VCICallback"


@dataclass(frozen=True)
class IssuanceSession:
    """The OAuthSession of a credentialRequestClientFlow, under its state."""

    subject_id: str
    wallet_did: str
    redirect_uri: str  # the EHR's
    code_verifier: str
    token_endpoint: str
    credential_endpoint: str
    nonce_endpoint: str
    configuration_id: str
    credential_issuer: str


class CredentialRequester:
    """The node's OpenID4VCI wallet: the internal request-credential call and its callback branch."""

    def __init__(self, core: NodeCore, *, other_callback: Callable[[HttpRequest, Context], Process]) -> None:
        self.core = core
        self.other_callback = other_callback  # the user flow's callback (accessTokenRequestClientFlow)
        self.sessions: ExpiringMap[str, IssuanceSession] = ExpiringMap(FLOW_TIMEOUT)
        core.route(
            "POST",
            REQUEST_PATH,
            self.request_credential,
            "request credential (OpenID4VCI)",
            origin=core.internal_host,
        )
        # Before the user client's own route: the reference's Callback dispatches on the session's ClientFlow.
        core.route("GET", CALLBACK_PATH, self.callback, "authorization callback")

    # -- the EHR's request -------------------------------------------------------------------------------
    def request_credential(self, request: HttpRequest, ctx: Context, subject_id: str) -> Process:
        """POST /internal/auth/v2/{subjectID}/request-credential: 200 with the issuer's authorization URL."""
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            return _problem(ctx, "missing request body")
        subject = self.core.subjects.get(subject_id)
        if subject is None:
            return _problem(ctx, "subject not found", status=404)
        wallet_did = body.get("wallet_did")
        if not isinstance(wallet_did, str) or not wallet_did.startswith("did:"):
            return _problem(ctx, "invalid wallet DID")
        if wallet_did not in subject.dids:
            return _problem(ctx, "wallet DID does not belong to the subject")
        issuer = body.get("issuer")
        if not isinstance(issuer, str) or not issuer:
            return _problem(ctx, "issuer is empty")
        details = body.get("authorization_details")
        if not isinstance(details, list) or len(details) != 1:
            return _problem(ctx, "authorization_details must contain exactly one entry")
        configuration = (
            details[0].get("credential_configuration_id") if isinstance(details[0], dict) else None
        )
        redirect_uri = body.get("redirect_uri")
        if not isinstance(configuration, str) or not configuration or not isinstance(redirect_uri, str):
            # The OpenAPI schema requires type, credential_configuration_id and redirect_uri.
            return _problem(ctx, "request body does not match the schema")
        try:
            issuer_metadata, as_metadata = yield from self._metadata(ctx, issuer)
        except ClientError as exc:
            return _problem(ctx, f"cannot locate endpoints for {issuer}: {exc.description}", status=424)
        endpoints = {
            "credential_endpoint": issuer_metadata.get("credential_endpoint"),
            "authorization_endpoint": as_metadata.get("authorization_endpoint"),
            "token_endpoint": as_metadata.get("token_endpoint"),
        }
        for name, value in endpoints.items():
            if not isinstance(value, str) or not value:
                return _problem(ctx, f"no {name} found", status=500)
        nonce_endpoint = issuer_metadata.get("nonce_endpoint")
        state, verifier = ctx.rng.token(), rfc7636.make_verifier(ctx.rng)
        session = IssuanceSession(
            subject_id,
            wallet_did,
            redirect_uri,
            verifier,
            str(endpoints["token_endpoint"]),
            str(endpoints["credential_endpoint"]),
            nonce_endpoint if isinstance(nonce_endpoint, str) else "",
            configuration,
            str(issuer_metadata.get("credential_issuer", "")),
        )
        self.sessions.put(state, session, ctx.now())
        params = {
            "response_type": "code",
            "state": state,
            "client_id": subject.url,
            "client_id_scheme": "entity_id",  # auth/api/iam/types.go entityClientIDScheme
            "authorization_details": json.dumps(details, separators=(",", ":")),
            "redirect_uri": self.core.callback_url,
            "code_challenge": rfc7636.s256(verifier),
            "code_challenge_method": rfc7636.S256,
        }
        ctx.check("vci.request", _REF, True, f"{configuration} from {issuer}")
        return json_response(
            200, {"redirect_uri": with_query(str(endpoints["authorization_endpoint"]), params)}
        )

    def _metadata(
        self, ctx: Context, issuer: str
    ) -> Generator[HttpRequest, HttpResponse, tuple[dict[str, Any], dict[str, Any]]]:
        """api.go openid4vciMetadata: issuer metadata, then the first AS that answers, else the issuer."""
        response = yield HttpRequest.get(f"{issuer.rstrip('/')}{vci.WELL_KNOWN_ISSUER}")
        found = response.json if response.ok else None
        if not isinstance(found, dict) or found.get("credential_issuer") != issuer:
            raise ClientError(SERVER_ERROR, f"openid4vci: no credential issuer metadata at {issuer}")
        servers = found.get("authorization_servers")
        for server in servers if isinstance(servers, list) else []:
            try:
                return found, (yield from discover_metadata(ctx, str(server)))
            except ClientError:
                continue
        return found, (yield from discover_metadata(ctx, issuer))

    # -- the callback ---------------------------------------------------------------------------------------
    def callback(self, request: HttpRequest, ctx: Context) -> Process:
        """GET /oauth2/callback: an issuance session's state goes on here; any other to the user flow."""
        state = request.query.get("state", "")
        # Callback: oauthClientStateStore().Get, not deleted: the session lives its 1 min (oAuthFlowTimeout).
        session = self.sessions.get(state, ctx.now()) if state else None
        if session is None:
            return (yield from self.other_callback(request, ctx))
        expect_rule(ctx, self.core.authorization_endpoint_enabled, openid4vp.CALLBACK_ENABLED)
        query, back = request.query, session.redirect_uri
        if query.get("error"):
            raise OAuthError(query["error"], query.get("error_description", ""), redirect_uri=back)
        expect_rule(ctx, bool(query.get("code")), openid4vp.CALLBACK_CODE, redirect_uri=back)
        subject = self.core.subjects[session.subject_id]
        token = yield from self._token(ctx, session, subject, query["code"])
        try:
            identifier = vci.credential_identifier(token, session.configuration_id)
        except ValueError as exc:
            raise _back(session, SERVER_ERROR, str(exc)) from None
        credential = yield from self._credential(
            ctx, session, subject, str(token["access_token"]), identifier
        )
        subject.wallet.add(credential)
        ctx.check("vci.stored", _CALLBACK_REF, True, f"{credential.type_label} {credential.id}")
        ctx.fact(
            "credential_stored", subject=subject.id, id=credential.id, credential_type=credential.type_label
        )
        return redirect(back)

    def _token(
        self, ctx: Context, session: IssuanceSession, subject: Subject, code: str
    ) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
        """IAMClient().AccessToken without DPoP: the code, the callback URL, the client_id, the verifier."""
        form = {
            "grant_type": AUTHORIZATION_CODE,
            "client_id": subject.url,
            "code": code,
            "redirect_uri": self.core.callback_url,
            "code_verifier": session.code_verifier,
        }
        response = yield HttpRequest.post_form(session.token_endpoint, form, {"Accept": "application/json"})
        try:
            return token_from_response(ctx, response)
        except ClientError as exc:
            why = f"failed to retrieve access token from {session.token_endpoint}"
            ctx.check("vci.token", _CALLBACK_REF, False, f"{why}: {exc.error}")
            raise _back(session, "access_denied", why) from None

    def _credential(
        self, ctx: Context, session: IssuanceSession, subject: Subject, access_token: str, identifier: str
    ) -> Generator[HttpRequest, HttpResponse, Any]:
        """Nonce, proof, credential request — once more on invalid_nonce (§8.3.1.2) — then verify it."""
        nonce = yield from self._nonce(ctx, session)
        response = yield from self._request(ctx, session, subject, access_token, identifier, nonce)
        error = _error_code(response)
        if error == vci.INVALID_NONCE and session.nonce_endpoint:
            ctx.check(
                "vci.retry", f"{_CALLBACK_REF}; OpenID4VCI 1.0 §8.3.1.2", True, "invalid_nonce: one retry"
            )
            nonce = yield from self._nonce(ctx, session, retry=True)
            response = yield from self._request(ctx, session, subject, access_token, identifier, nonce)
            error = _error_code(response)
        if error is not None:
            why = f"failed to retrieve the credential from {session.credential_endpoint}"
            ctx.check("vci.credential", _CALLBACK_REF, False, f"{why}: {error}")
            raise _back(session, SERVER_ERROR, why)
        return (yield from self._verified(ctx, session, response))

    def _nonce(
        self, ctx: Context, session: IssuanceSession, *, retry: bool = False
    ) -> Generator[HttpRequest, HttpResponse, str]:
        """client.go RequestNonce: POST with no body; 2xx with a non-empty c_nonce."""
        if not session.nonce_endpoint:
            return ""
        response = yield HttpRequest(method="POST", url=session.nonce_endpoint)
        value = response.json.get("c_nonce") if response.ok and isinstance(response.json, dict) else None
        if not isinstance(value, str) or not value:
            why = f"failed to fetch nonce from {session.nonce_endpoint}{' on retry' if retry else ''}"
            raise _back(session, SERVER_ERROR, why)
        return value

    def _request(
        self,
        ctx: Context,
        session: IssuanceSession,
        subject: Subject,
        access_token: str,
        identifier: str,
        nonce: str,
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """client.go RequestCredential with the proof openid4vciProof signs (aud: the credential issuer)."""
        key = subject.wallet.identity(session.wallet_did).key
        issuer = subject.url if ctx.profile.strict else session.wallet_did
        proof = vci.make_proof(
            key, audience=session.credential_issuer, now=ctx.now(), nonce=nonce, issuer=issuer
        )
        body: dict[str, Any] = (
            {"credential_identifier": identifier}
            if identifier
            else {"credential_configuration_id": session.configuration_id}
        )
        body["proofs"] = {"jwt": [proof]}
        headers = {"Authorization": f"Bearer {access_token}"}
        return (yield HttpRequest.post_json(session.credential_endpoint, body, headers))

    def _verified(
        self, ctx: Context, session: IssuanceSession, response: HttpResponse
    ) -> Generator[HttpRequest, HttpResponse, Any]:
        """The first credential of the response, parsed (a JWT string or a JSON-LD object) and verified."""
        entries = response.json.get("credentials") if isinstance(response.json, dict) else None
        if not isinstance(entries, list) or not entries:
            raise _back(session, SERVER_ERROR, "credential response does not contain any credentials")
        raw = entries[0].get("credential") if isinstance(entries[0], dict) else None
        try:
            # auth/api/iam/openid4vci.go: vc.ParseVerifiableCredential, jwx reading the JWT.
            credential = vc_jwt.parse_credential(raw, jwx_base64=ctx.profile.reference.jwx_base64)
        except vc_jwt.CredentialFormatError:
            why = f"failed to parse the credential returned by {session.credential_endpoint}"
            raise _back(session, SERVER_ERROR, why) from None
        try:
            yield from verify_credential(credential, ctx.now())
        except VerificationFailed as exc:
            why = f"the credential returned by issuer {credential.issuer} failed verification"
            ctx.check("vci.verify", _CALLBACK_REF, False, f"{why}: {exc}", exc.cause)
            raise _back(session, SERVER_ERROR, why) from None
        ctx.check("vci.verify", _CALLBACK_REF, True, credential.id)
        return credential


def _error_code(response: HttpResponse) -> str | None:
    """None for a 2xx; else the OAuth error code, or client.go's status text."""
    if response.ok:
        return None
    body = response.json
    if isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]:
        return str(body["error"])
    return f"openid4vci: credential endpoint returned status {response.status}"


def _back(session: IssuanceSession, code: str, description: str) -> OAuthError:
    """An error for the EHR, at its redirect URI (withCallbackURI)."""
    return OAuthError(code, description, redirect_uri=session.redirect_uri)


def _problem(ctx: Context, detail: str, *, status: int = 400) -> HttpResponse:
    """An internal-API error as RFC 9457 problem JSON (core.InvalidInputError is a 400)."""
    ctx.check("vci.request", _REF, False, detail)
    body = {"type": "about:blank", "title": "request failed", "status": status, "detail": detail}
    return json_response(status, body, headers={"Content-Type": "application/problem+json"})
