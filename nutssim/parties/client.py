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
from typing import Any
from urllib.parse import unquote

from nutssim import causes
from nutssim.causes import Cause
from nutssim.errors import NutsSimError
from nutssim.messages import HttpRequest, HttpResponse, json_response
from nutssim.parties import jwt_bearer_client
from nutssim.parties.base import ClientError as ClientError  # re-exported: it moved to parties.base
from nutssim.parties.base import Context, Process, expect_rule
from nutssim.parties.core import NodeCore, Subject
from nutssim.parties.oauth_client import discover_metadata, token_from_response
from nutssim.parties.presentation_checks import describe_fulfilment
from nutssim.parties.wallet import (
    BuiltPresentation,
    choose_vp_format,
    complete_self_attested,
    pex_semantics,
    sign_presentation,
)
from nutssim.specs import nuts_node_api as api
from nutssim.specs import nuts_rfc021, pex, rfc7523, rfc9449
from nutssim.specs.rfc6749 import INVALID_REQUEST, INVALID_SCOPE, SERVER_ERROR
from nutssim.stores import ExpiringMap

ACCESS_TOKEN_VALIDITY = 900  # api.go accessTokenValidity: the lifetime assumed when the AS gives none
TOKEN_CACHE_OFFSET = 30  # api.go accessTokenCacheOffset, PROTOCOL.md §0
TOKEN_CACHE_TTL = ACCESS_TOKEN_VALIDITY - TOKEN_CACHE_OFFSET


class Client:
    """Routes and state of the client side of a node."""

    def __init__(self, core: NodeCore) -> None:
        self.core = core
        #: ``auth.experimental.jwtbearerclient`` (nuts-node master, default false): the two-VP flow.
        self.experimental_jwt_bearer_client = False
        #: not the reference: the two-VP request also carries ``client_id`` (what the project-gf AS requires).
        self.jwt_bearer_client_id = False
        self.token_cache: ExpiringMap[str, dict[str, Any]] = ExpiringMap(TOKEN_CACHE_TTL)
        internal = core.internal_host
        core.route(
            "POST",
            "/internal/auth/v2/{subject_id}/request-service-access-token",
            self.request_service_access_token,
            "request service access token",
            origin=internal,
        )
        core.route(
            "POST",
            "/internal/auth/v2/dpop/{kid}",
            self.create_dpop_proof,
            "create DPoP proof",
            origin=internal,
        )

    # -- §1.0 trigger ---------------------------------------------------------------------------------
    def request_service_access_token(
        self,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
    ) -> Process:
        """The EHR asks for a service access token (PROTOCOL.md §1.0)."""
        subject = self.core.subject(subject_id)
        body = request.json if isinstance(request.json, dict) else None
        expect_rule(ctx, subject is not None, api.SUBJECT, detail="")
        valid = body is not None and bool(body.get("authorization_server")) and "scope" in body
        expect_rule(ctx, valid, api.REQUEST_BODY, detail="")
        assert subject is not None and body is not None
        _check_service_provider(ctx, self.core, body)
        templates = body.get("credentials") or []
        _check_self_asserted(ctx, templates)
        cache_key = self._cache_key(ctx, subject_id, body, request.body)
        if (request.header("Cache-Control") or "").lower() != "no-cache":
            cached = self.token_cache.get(cache_key, ctx.now())
            if cached is not None:
                ctx.check("client.token_cache", "PROTOCOL.md §0 (accessTokenCacheOffset)", True, "cache hit")
                # api.go RequestServiceAccessToken: expires_in becomes the time left (RFC 6749 §5.1 lifetime).
                return json_response(200, {**cached, "expires_in": int(cached["expires_at"]) - ctx.now()})
        token = yield from self._service_access(ctx, subject, body, templates)
        # api.go: cached for the token's lifetime less accessTokenCacheOffset, so it expires before the token.
        ttl = int(token["expires_at"]) - ctx.now() - TOKEN_CACHE_OFFSET
        self.token_cache.put(cache_key, token, ctx.now(), ttl=ttl)
        return json_response(200, token)

    @staticmethod
    def _cache_key(ctx: Context, subject_id: str, body: dict[str, Any], raw: str) -> str:
        """The token cache key: the whole request object, the subject included.

        nuts-node ``auth/api/iam/api.go accessTokenRequestCacheKey`` hashes the JSON encoding of
        ``RequestServiceAccessTokenRequestObject`` (``SubjectID``, ``Body``, ``Params`` less
        ``CacheControl``), so two subjects of one node never share a token. With the
        ``token_cache_subject_key`` control off the key is the body alone: a second subject
        asking for the same scope at the same AS gets the first subject's token (the leak).
        """
        if not ctx.profile.on("token_cache_subject_key"):
            return hashlib.sha256(raw.encode()).hexdigest()
        encoded = json.dumps({"SubjectID": subject_id, "Body": body}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()

    def _service_access(
        self,
        ctx: Context,
        subject: Subject,
        body: dict[str, Any],
        templates: list[dict[str, Any]],
    ) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
        as_url, scope = str(body["authorization_server"]), str(body["scope"])
        use_dpop = str(body.get("token_type", "DPoP")).lower() != "bearer"
        sp_id = body.get("service_provider_subject_id")
        if sp_id is not None:
            jwt_bearer_client.check_flag(ctx, self)
        meta = yield from discover_metadata(ctx, as_url)
        if not meta.get("token_endpoint"):
            raise ClientError(
                SERVER_ERROR, f"authorization server {as_url} has no token_endpoint", status=502
            )
        if sp_id is not None:  # the two-VP flow, never falling back (policy.rst "When the two-VP flow runs")
            sp = self.core.subject(str(sp_id))
            assert sp is not None  # _check_service_provider
            token, kid, resolved = yield from jwt_bearer_client.request_two_vp(
                ctx,
                self,
                subject,
                sp,
                meta,
                scope,
                templates=templates,
                selection=body.get("credential_selection"),
                use_dpop=use_dpop,
            )
            return _ehr_token(ctx, token, resolved, kid)
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
        token = token_from_response(ctx, response)
        return _ehr_token(ctx, token, scope, key.kid if use_dpop else None)

    def _fetch_definition(
        self,
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
        relayed = response.json if isinstance(response.json, dict) else {}
        if not response.ok and relayed.get("error") in (INVALID_SCOPE, INVALID_REQUEST):
            # client.go doRequest: an invalid_scope/invalid_request body is a RemoteOAuthError, wrapped by
            # openid4vp.go PresentationDefinition ("failed to retrieve presentation definition: %w").
            raise ClientError(
                str(relayed["error"]),
                str(relayed.get("error_description", "")),
                form="remote",
                prefix="failed to retrieve presentation definition: ",
            )
        if not response.ok or not isinstance(response.json, dict):
            raise ClientError(
                SERVER_ERROR,
                f"failed to retrieve presentation definition from {endpoint}: HTTP {response.status}",
                status=502,
            )
        try:
            return pex.canonical_definition(
                response.json, raw=response.body
            )  # parsed once per content (issue #23)
        except NutsSimError as exc:
            raise ClientError(SERVER_ERROR, f"invalid presentation definition: {exc}", status=502) from None

    def _build_presentation(
        self,
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
            self.core.vp_formats,
            _formats(meta.get("vp_formats_supported")),
            pd.format or None,
            reference=not ctx.profile.strict,
        )
        if vp_format is None:
            raise ClientError(
                INVALID_REQUEST,
                "requester, verifier (authorization server metadata) and "
                "presentation definition don't share a supported VP format",
                status=412,
            )
        # AutoCorrectSelfAttestedCredential's bare-UUID id, for JWT VPs only: nutssim's JSON-LD layer
        # refuses a relative id that json-gold would drop (FIDELITY.md "JSON-LD strictness" row, open).
        bare_ids = not ctx.profile.strict and vp_format == "jwt_vp"
        last_error: Exception | None = None
        for did in dids:
            credentials = subject.wallet.held_by(did) + complete_self_attested(
                templates, did, ctx.now(), ctx.rng, reference=bare_ids
            )
            try:
                match = pex.match_definition(
                    pd, credentials, selection=selection, semantics=pex_semantics(ctx), holder=did
                )
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
            return sign_presentation(ctx, subject.wallet, did, match, vp_format, meta["issuer"])
        cause = Cause(causes.UNFULFILLED, "presentation_definition", pd.id, reason=str(last_error))
        ctx.check("client.pd_match", "DIF PE v2 §5; PROTOCOL.md §1.3", False, str(last_error), cause)
        raise ClientError(INVALID_REQUEST, f"wallet could not fulfill requirements: {last_error}", status=412)

    # -- §1.7 step 1: DPoP proofs for the EHR ----------------------------------------------------------
    def create_dpop_proof(self, request: HttpRequest, ctx: Context, kid: str) -> HttpResponse:
        """POST /internal/auth/v2/dpop/{kid}: sign a resource-request proof with the node's key."""
        body = request.json if isinstance(request.json, dict) else {}
        missing = [k for k in ("htm", "htu", "token") if not body.get(k)]
        expect_rule(ctx, not missing, api.DPOP_REQUEST, detail="", names=", ".join(missing))
        key = self.core.key_by_kid(unquote(kid))
        expect_rule(ctx, key is not None, api.DPOP_KID, detail="", kid=unquote(kid))
        assert key is not None
        proof = rfc9449.make_proof(
            key,
            htm=str(body["htm"]),
            htu=str(body["htu"]),
            now=ctx.now(),
            rng=ctx.rng,
            access_token=str(body["token"]),
        )
        return json_response(200, {"dpop": proof})


def _ehr_token(ctx: Context, token: dict[str, Any], scope: str, dpop_kid: str | None) -> dict[str, Any]:
    """The token answer to the EHR (PROTOCOL.md §1.6), the node's signing kid and ``expires_at`` added.

    nuts-node ``auth/client/iam/openid4vp.go postTokenRequest`` builds a new ``TokenResponse``:
    the AS's access_token, expires_in and token_type, the *requested* scope (``resolvedScope``)
    and ``dpop_kid`` only when a DPoP proof was signed (``auth/oauth/types.go`` ``omitempty``);
    other AS members are dropped. strict relays the AS's answer, whose ``scope`` is the granted
    one (RFC 6749 §5.1), and also names a kid only for a DPoP token.
    """
    lifetime = token.get("expires_in")
    if ctx.profile.strict:
        out = dict(token)
        out.pop("dpop_kid", None)
        if token.get("token_type") == "DPoP" and dpop_kid is not None:
            out["dpop_kid"] = dpop_kid
    else:
        out = {"access_token": token["access_token"], "token_type": token.get("token_type"), "scope": scope}
        if lifetime is not None:
            out["expires_in"] = lifetime
        if dpop_kid is not None:
            out["dpop_kid"] = dpop_kid
    # api.go RequestServiceAccessToken: an absent lifetime counts as accessTokenValidity.
    ttl = int(lifetime) if isinstance(lifetime, int) else ACCESS_TOKEN_VALIDITY
    out["expires_at"] = ctx.now() + ttl
    return out


def _formats(value: Any) -> dict[str, Any] | None:
    """A metadata ``vp_formats_supported`` object, or None when absent or not an object."""
    return value if isinstance(value, dict) else None


def _check_service_provider(ctx: Context, core: NodeCore, body: dict[str, Any]) -> None:
    """api.go RequestServiceAccessToken: an optional, non-empty service_provider_subject_id of this node."""
    if "service_provider_subject_id" not in body:
        return
    value = body["service_provider_subject_id"]
    expect_rule(ctx, isinstance(value, str) and value != "", rfc7523.EMPTY_SP_SUBJECT, detail="")
    expect_rule(ctx, core.subject(str(value)) is not None, api.SUBJECT, detail=f"service provider {value!r}")


def _check_self_asserted(ctx: Context, templates: Any) -> None:
    """PROTOCOL.md §1.0: self-asserted credentials carry neither a subject id nor an issuer."""
    listed = isinstance(templates, list) and all(isinstance(t, dict) for t in templates)
    expect_rule(ctx, listed, api.SELF_ASSERTED_LIST, detail="")
    for template in templates:
        subject = template.get("credentialSubject")
        has_id = isinstance(subject, dict) and "id" in subject
        expect_rule(ctx, not has_id, api.SELF_ASSERTED_SUBJECT, detail="")
        expect_rule(ctx, "issuer" not in template, api.SELF_ASSERTED_ISSUER, detail="")
