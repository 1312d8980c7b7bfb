"""The client role of a node: the EHR's internal API and the service-to-service token request.

``POST /internal/auth/v2/{subject}/request-service-access-token`` (PROTOCOL.md §1.0) is
a process: it discovers the AS metadata (§1.1), fetches the presentation definition
(§1.2), has the wallet build a VP (§1.3), requests the token (§1.4) and answers the EHR
(§1.8). Errors reach the EHR as the reference's HTTP statuses: 400 (bad input or a
relayed OAuth error), 412 (the wallet cannot satisfy the PD), 502 (unexpected AS
answer), 503 (AS unreachable).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from nutssim.errors import NutsSimError, OAuthError
from nutssim.messages import HttpRequest, HttpResponse, json_response
from nutssim.models.credential import Credential
from nutssim.parties.authorization_server import describe_fulfilment
from nutssim.parties.base import Context, Process
from nutssim.parties.wallet import BuiltPresentation, choose_vp_format, complete_self_attested
from nutssim.specs import nuts_rfc021, pex, rfc6749, rfc8414, rfc9449, vc_jwt
from nutssim.specs.rfc6749 import INVALID_REQUEST, SERVER_ERROR
from nutssim.stores import ExpiringMap

if TYPE_CHECKING:
    from nutssim.parties.node import Node, Subject

TOKEN_CACHE_TTL = 900 - 30  # accessTokenCacheOffset, PROTOCOL.md §0
VP_ASSERTION_LIFETIME = 5  # vpAssertionLifetime


class ClientError(OAuthError):
    """An error the node's internal API returns to the EHR, with the reference's HTTP status."""


def discover_metadata(ctx: Context, issuer: str) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
    """RFC 8414 §3 discovery: "insert" then "append" placement; ``issuer`` must match (§3.3)."""
    statuses: list[int] = []
    for url in rfc8414.locations(issuer):
        response = yield HttpRequest.get(url, headers={"Accept": "application/json"})
        statuses.append(response.status)
        document = response.json if response.ok else None
        if not isinstance(document, dict):
            continue
        same = rfc8414.issuer_matches(document, issuer)
        ctx.check(
            "client.metadata_issuer",
            "RFC 8414 §3.3",
            same,
            "" if same else f"metadata issuer {document.get('issuer')!r} ≠ requested {issuer!r}",
        )
        if not same:
            continue
        wrong = rfc8414.type_errors(document)
        ctx.check(
            "client.metadata_types",
            "RFC 8414 §2",
            not wrong,
            f"not decodable: {', '.join(wrong)} of the wrong JSON type" if wrong else "",
        )
        if not wrong:  # as the reference's JSON decoding, a member of the wrong type fails the candidate
            return document
    if statuses and all(400 <= s < 500 for s in statuses):
        raise ClientError(
            INVALID_REQUEST, f"failed to retrieve authorization server metadata from {issuer}", status=400
        )
    if statuses and all(s in (502, 504) for s in statuses):
        raise ClientError(SERVER_ERROR, f"authorization server {issuer} is unreachable", status=503)
    raise ClientError(
        SERVER_ERROR, f"authorization server {issuer} returned an unexpected result", status=502
    )


class ClientRole:
    """Routes and state of the client side of a node."""

    def __init__(self: Node) -> None:  # type: ignore[misc]
        self.token_cache: ExpiringMap[str, dict[str, Any]] = ExpiringMap(TOKEN_CACHE_TTL)
        internal = self.internal_host
        self.route(
            "POST",
            "/internal/auth/v2/{subject_id}/request-service-access-token",
            self.request_service_access_token,
            "request service access token",
            origin=internal,
        )
        self.route(
            "POST",
            "/internal/auth/v2/dpop/{kid}",
            self.create_dpop_proof,
            "create DPoP proof",
            origin=internal,
        )

    # -- §1.0 trigger ---------------------------------------------------------------------------------
    def request_service_access_token(  # type: ignore[misc]
        self: Node,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
    ) -> Process:
        """The EHR asks for a service access token (PROTOCOL.md §1.0)."""
        subject = self.subject(subject_id)
        body = request.json if isinstance(request.json, dict) else None
        ref = "PROTOCOL.md §1.0"
        ctx.expect(
            subject is not None, "client.subject", ref, ClientError(INVALID_REQUEST, "subject not found")
        )
        ctx.expect(
            body is not None and bool(body.get("authorization_server")) and "scope" in body,
            "client.request_body",
            ref,
            ClientError(INVALID_REQUEST, "body must be JSON with authorization_server and scope"),
        )
        assert subject is not None and body is not None
        templates = body.get("credentials") or []
        _check_self_asserted(ctx, templates)
        cache_key = hashlib.sha256(request.body.encode()).hexdigest()
        if (request.header("Cache-Control") or "").lower() != "no-cache":
            cached = self.token_cache.get(cache_key, ctx.now())
            if cached is not None:
                ctx.check("client.token_cache", "PROTOCOL.md §0 (accessTokenCacheOffset)", True, "cache hit")
                return json_response(200, cached)
        token = yield from self._service_access(ctx, subject, body, templates)
        self.token_cache.put(cache_key, token, ctx.now())
        return json_response(200, token)

    def _service_access(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        subject: Subject,
        body: dict[str, Any],
        templates: list[dict[str, Any]],
    ) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
        as_url, scope = str(body["authorization_server"]), str(body["scope"])
        use_dpop = str(body.get("token_type", "DPoP")).lower() != "bearer"
        meta = yield from discover_metadata(ctx, as_url)
        if not meta.get("token_endpoint"):
            raise ClientError(
                SERVER_ERROR, f"authorization server {as_url} has no token_endpoint", status=502
            )
        pd = yield from self._fetch_definition(ctx, subject, meta, scope)
        built = self._build_presentation(ctx, subject, meta, pd, templates, body.get("credential_selection"))
        form = {
            "grant_type": nuts_rfc021.GRANT_TYPE,
            "client_id": subject.url,
            "assertion": built.vp if isinstance(built.vp, str) else json.dumps(built.vp),
            "presentation_submission": json.dumps(built.submission),
            "scope": scope,
        }
        headers = {"Accept": "application/json"}
        key = subject.wallet.identity(built.holder).key
        if use_dpop:
            headers["DPoP"] = rfc9449.make_proof(
                key, htm="POST", htu=meta["token_endpoint"], now=ctx.now(), rng=ctx.rng
            )
        response = yield HttpRequest.post_form(meta["token_endpoint"], form, headers)
        token = _token_from_response(ctx, response)
        # PROTOCOL.md §1.6: node B replaces the empty dpop_kid with its own signing kid, adds expires_at.
        token["dpop_kid"] = key.kid if token.get("token_type") == "DPoP" else ""
        token["expires_at"] = ctx.now() + int(token.get("expires_in") or 0)  # absent or null: 0
        return token

    def _fetch_definition(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        subject: Subject,
        meta: dict[str, Any],
        scope: str,
    ) -> Generator[HttpRequest, HttpResponse, Any]:
        """PROTOCOL.md §1.2: GET the PD (no Accept header, a reference quirk), or use the local policy."""
        endpoint = meta.get("presentation_definition_endpoint")
        if not endpoint:
            if subject.policy is None:
                raise ClientError(INVALID_REQUEST, "no presentation definition endpoint and no local policy")
            return subject.policy.presentation_definition(scope, "organization")
        response = yield HttpRequest.get(endpoint, {"scope": scope})
        if response.header("X-Nutssim-Network"):
            raise ClientError(SERVER_ERROR, f"authorization server unreachable: {endpoint}", status=503)
        if not response.ok or not isinstance(response.json, dict):
            raise ClientError(
                SERVER_ERROR,
                f"failed to retrieve presentation definition from {endpoint}: HTTP {response.status}",
                status=502,
            )
        try:
            return pex.parse_definition(response.json)
        except NutsSimError as exc:
            raise ClientError(SERVER_ERROR, f"invalid presentation definition: {exc}", status=502) from None

    def _build_presentation(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        subject: Subject,
        meta: dict[str, Any],
        pd: Any,
        templates: list[dict[str, Any]],
        selection: Any,
    ) -> BuiltPresentation:
        """PROTOCOL.md §1.3: holder DID, credentials, PD match, VP format, then the signed VP."""
        supported = meta.get("did_methods_supported")
        dids = [d for d in subject.dids if supported is None or d.split(":")[1] in supported]
        if not dids:
            raise ClientError(
                INVALID_REQUEST,
                f"did method mismatch, requested: {supported}, available: "
                f"{sorted({d.split(':')[1] for d in subject.dids})}",
                status=412,
            )
        vp_format = choose_vp_format(
            self.vp_formats,
            (meta.get("vp_formats_supported") or {}).keys(),
            list(pd.format) if pd.format else None,
        )
        if vp_format is None:
            raise ClientError(
                INVALID_REQUEST,
                "requester, verifier (authorization server metadata) and "
                "presentation definition don't share a supported VP format",
                status=412,
            )
        last_error: Exception | None = None
        for did in dids:
            credentials = subject.wallet.held_by(did) + complete_self_attested(
                templates, did, ctx.now(), ctx.rng
            )
            try:
                match = pex.match_definition(pd, credentials, selection=selection)
            except pex.NoCredentials as exc:
                last_error = exc
                continue
            except (pex.MultipleCredentials, pex.InvalidCredentialSelection) as exc:
                raise ClientError(INVALID_REQUEST, str(exc), status=400) from None
            ctx.check(
                "client.pd_match",
                "DIF PE v2 §5; PROTOCOL.md §1.3",
                True,
                describe_fulfilment(pd, match.mapping()),
            )
            return self._sign_presentation(ctx, subject, did, match, vp_format, meta["issuer"])
        ctx.check("client.pd_match", "DIF PE v2 §5; PROTOCOL.md §1.3", False, str(last_error))
        raise ClientError(INVALID_REQUEST, f"wallet could not fulfill requirements: {last_error}", status=412)

    def _sign_presentation(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        subject: Subject,
        did: str,
        match: Any,
        vp_format: str,
        audience: str,
        *,
        nonce: str | None = None,
        lifetime: int = VP_ASSERTION_LIFETIME,
    ) -> BuiltPresentation:
        """Sign the VP over the matched credentials with the holder DID's first assertion key."""
        key = subject.wallet.identity(did).key
        credentials: list[Credential] = list(match.credentials)
        nonce = nonce or ctx.rng.token()
        submission = pex.dump(match.submission(submission_id=ctx.rng.uuid(), vp_format=vp_format))
        if vp_format == "jwt_vp":
            vp: str | dict[str, Any] = vc_jwt.present(
                credentials,
                key,
                holder=did,
                audience=audience,
                nonce=nonce,
                now=ctx.now(),
                lifetime=lifetime,
                jti=f"{did}#{ctx.rng.uuid()}",
            )
        else:
            from nutssim.specs import jws2020

            if any(isinstance(c.raw, str) for c in credentials):  # a verifier's metadata chose ldp_vp
                raise ClientError(
                    INVALID_REQUEST,
                    "JWT credentials cannot be embedded in a JSON-LD presentation",
                    status=412,
                )
            document = jws2020.presentation_ld(
                presentation_id=f"{did}#{ctx.rng.uuid()}",
                holder=did,
                credentials=[c.raw for c in credentials if isinstance(c.raw, dict)],  # all are, checked above
            )
            vp = jws2020.sign_presentation(
                document,
                key,
                verification_method=key.kid or did,
                created=ctx.now(),
                expires=ctx.now() + lifetime,
                domain=audience,
                challenge=nonce,
                nonce=nonce,
            )
        ctx.fact(
            "presentation_built",
            holder=did,
            format=vp_format,
            audience=audience,
            nonce=nonce,
            credentials=[c.id for c in credentials],
        )
        return BuiltPresentation(vp, vp_format, submission, did, tuple(credentials), nonce)

    # -- §1.7 step 1: DPoP proofs for the EHR ----------------------------------------------------------
    def create_dpop_proof(self: Node, request: HttpRequest, ctx: Context, kid: str) -> HttpResponse:  # type: ignore[misc]
        """POST /internal/auth/v2/dpop/{kid}: sign a resource-request proof with the node's key."""
        body = request.json if isinstance(request.json, dict) else {}
        missing = [k for k in ("htm", "htu", "token") if not body.get(k)]
        ctx.expect(
            not missing,
            "client.dpop_request",
            "PROTOCOL.md §1.7 step 1",
            ClientError(INVALID_REQUEST, f"missing {', '.join(missing)}"),
        )
        key = self.key_by_kid(unquote(kid))
        ctx.expect(
            key is not None,
            "client.dpop_kid",
            "PROTOCOL.md §1.7 step 1",
            ClientError(INVALID_REQUEST, f"unknown key {unquote(kid)}", status=404),
        )
        proof = rfc9449.make_proof(
            key,
            htm=str(body["htm"]),
            htu=str(body["htu"]),
            now=ctx.now(),
            rng=ctx.rng,
            access_token=str(body["token"]),
        )
        return json_response(200, {"dpop": proof})


def _check_self_asserted(ctx: Context, templates: Any) -> None:
    """PROTOCOL.md §1.0: self-asserted credentials carry neither a subject id nor an issuer."""
    ref = "PROTOCOL.md §1.0"
    ctx.expect(
        isinstance(templates, list) and all(isinstance(t, dict) for t in templates),
        "client.self_asserted",
        ref,
        ClientError(INVALID_REQUEST, "credentials must be a list of objects"),
    )
    for template in templates:
        subject = template.get("credentialSubject")
        ctx.expect(
            not (isinstance(subject, dict) and "id" in subject),
            "client.self_asserted",
            ref,
            ClientError(
                INVALID_REQUEST, "self-asserted credentials MUST NOT contain a 'credentialSubject.id'"
            ),
        )
        ctx.expect(
            "issuer" not in template,
            "client.self_asserted",
            ref,
            ClientError(INVALID_REQUEST, "self-asserted credentials MUST NOT contain an 'issuer'"),
        )


def _token_from_response(ctx: Context, response: HttpResponse) -> dict[str, Any]:
    """Read the token response; relay OAuth errors (RemoteOAuthError, PROTOCOL.md §1.8)."""
    body = response.json
    if response.header("X-Nutssim-Network"):
        raise ClientError(SERVER_ERROR, "authorization server unreachable", status=503)
    if response.ok and isinstance(body, dict) and body.get("access_token"):
        wrong = rfc6749.token_response_errors(body)
        if not wrong:
            return dict(body)
        ctx.check("client.token_response", "RFC 6749 §5.1", False, f"wrong JSON type: {', '.join(wrong)}")
        raise ClientError(SERVER_ERROR, f"invalid token response: {', '.join(wrong)}", status=502)
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        ctx.check(
            "client.token_response",
            "RFC 6749 §5.2",
            False,
            f"{body['error']}: {body.get('error_description', '')}",
        )
        raise ClientError(body["error"], str(body.get("error_description", "")), status=400)
    raise ClientError(SERVER_ERROR, f"authorization server returned HTTP {response.status}", status=502)
