"""The authorization-server role of a node: metadata, presentation definitions, tokens, introspection.

The token endpoint of the service-to-service flow runs the checks of PROTOCOL.md §1.5
in the reference's order, cheap checks first and the nonce burned before signatures
are checked. Every check is recorded in the trace with its spec clause. The ``strict``
profile follows RFC021 where the reference differs (§7): RFC021 §4.5 error codes,
``iss`` == ``sub``, ``jti``/``challenge`` as the replay value, DPoP ``htm``/``htu``/``iat``
checks and an optional server nonce at the token endpoint.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nutssim import jose
from nutssim.errors import NutsSimError, OAuthError, ProtocolError
from nutssim.jose import SUPPORTED_ALGS
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.models.credential import Credential, Presentation
from nutssim.parties.base import Context, Process
from nutssim.parties.revocation import CachedList, StatusListClient
from nutssim.specs import (
    nuts_policy,
    nuts_rfc021,
    openid4vp,
    pex,
    rfc7662,
    rfc8414,
    rfc9449,
    vc_jwt,
    vc_verify,
)
from nutssim.specs.presentation import Envelope, parse_envelope, parse_submission_text
from nutssim.specs.rfc6749 import (
    AUTHORIZATION_CODE,
    INVALID_REQUEST,
    INVALID_SCOPE,
    PRE_AUTHORIZED_CODE,
    SERVER_ERROR,
    UNSUPPORTED_GRANT_TYPE,
    missing,
    scope_text,
    token_response,
)
from nutssim.specs.vc_jwt import CredentialFormatError
from nutssim.stores import ExpiringMap, ExpiringSet

if TYPE_CHECKING:
    from nutssim.parties.node import Node, Subject

ACCESS_TOKEN_TTL = 900  # accessTokenValidity, PROTOCOL.md §0
DPOP_JTI_TTL = 900  # useNonceOnceStore


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


class VpError:
    """Shorthands for RFC021 §4.5 error kinds, rendered for the active profile."""

    PRESENTATION = nuts_rfc021.INVALID_PRESENTATION
    SUBMISSION = nuts_rfc021.INVALID_SUBMISSION
    CREDENTIALS = nuts_rfc021.INVALID_CREDENTIALS

    @staticmethod
    def make(ctx: Context, kind: str, description: str) -> OAuthError:
        """Build the error for a VP failure of ``kind`` under the active profile."""
        return nuts_rfc021.error(kind, description, strict=ctx.profile.strict)


def metadata(subject: Subject) -> dict[str, Any]:
    """RFC 8414 metadata of a subject's AS, fields as the reference serves them (PROTOCOL.md §1.1)."""
    node = subject.node
    return rfc8414.document(
        subject.url,
        authorization_endpoint=node.authorization_endpoint_enabled,
        grant_types=[AUTHORIZATION_CODE, nuts_rfc021.GRANT_TYPE],
        algs=SUPPORTED_ALGS,
        vp_formats=openid4vp.vp_formats_supported(node.vp_formats),
    )


class AuthorizationServerRole:
    """Routes and stores of the AS side of a node."""

    def __init__(self: Node) -> None:  # type: ignore[misc]
        self.s2s_nonces: ExpiringSet[str] = ExpiringSet(nuts_rfc021.NONCE_TTL)
        self.access_tokens: ExpiringMap[str, AccessToken] = ExpiringMap(ACCESS_TOKEN_TTL)
        self.dpop_jtis: ExpiringSet[str] = ExpiringSet(DPOP_JTI_TTL)
        self.dpop_server_nonces: ExpiringSet[str] = ExpiringSet(60)
        self.status_lists: dict[str, CachedList] = {}
        self.route(
            "GET",
            "/.well-known/oauth-authorization-server/oauth2/{subject_id}",
            self.serve_metadata,
            "AS metadata",
        )
        self.route(
            "GET",
            "/oauth2/{subject_id}/.well-known/oauth-authorization-server",
            self.serve_metadata,
            "AS metadata (append placement)",
        )
        self.route(
            "GET",
            "/oauth2/{subject_id}/presentation_definition",
            self.serve_presentation_definition,
            "presentation definition",
        )
        self.route("POST", "/oauth2/{subject_id}/token", self.token, "token request")
        internal = self.internal_host
        self.route(
            "POST",
            "/internal/auth/v2/accesstoken/introspect",
            self.introspect,
            "introspection",
            origin=internal,
        )
        self.route(
            "POST",
            "/internal/auth/v2/accesstoken/introspect_extended",
            self.introspect_extended,
            "introspection (extended)",
            origin=internal,
        )
        self.route(
            "POST", "/internal/auth/v2/dpop/validate", self.dpop_validate, "DPoP validation", origin=internal
        )

    # -- metadata and presentation definitions -------------------------------------------------------
    def serve_metadata(self: Node, request: HttpRequest, ctx: Context, subject_id: str) -> HttpResponse:  # type: ignore[misc]
        """RFC 8414 §3 metadata (the reference does not check that the subject exists)."""
        from nutssim.parties.node import Subject
        from nutssim.parties.wallet import Wallet

        subject = self.subject(subject_id) or Subject(self, subject_id, subject_id, [], Wallet([]))
        return json_response(200, metadata(subject), headers={"Cache-Control": "max-age=300"})

    def serve_presentation_definition(  # type: ignore[misc]
        self: Node,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
    ) -> HttpResponse:
        """The PD for a scope and wallet owner type (PROTOCOL.md §1.2, RFC021 §5)."""
        subject = self.require_subject(subject_id)
        scope = request.query.get("scope", "")
        owner = request.query.get("wallet_owner_type", "organization")
        if not scope:
            return json_response(200, {"id": "", "input_descriptors": None})
        found = _find_profile(ctx, subject, scope)
        pd = found.profile.definitions.get(owner)
        ctx.expect(
            pd is not None,
            "pd.wallet_owner_type",
            "PROTOCOL.md §1.2",
            OAuthError(INVALID_REQUEST, f"no presentation definition found for '{owner}' wallet"),
        )
        assert pd is not None
        ctx.check("pd.lookup", "RFC021 §5; PROTOCOL.md §1.2", True, f"scope {scope!r} → {pd.id}")
        return json_response(200, pex.dump(pd))

    # -- token endpoint ----------------------------------------------------------------------------
    def token(self: Node, request: HttpRequest, ctx: Context, subject_id: str) -> Process:  # type: ignore[misc]
        """POST /oauth2/{subject}/token: dispatch on grant_type (PROTOCOL.md §1.5 #1–2)."""
        subject = self.subject(subject_id)
        ctx.expect(
            subject is not None,
            "token.subject",
            "PROTOCOL.md §1.5 #1",
            OAuthError(INVALID_REQUEST, "subject not found"),
        )
        assert subject is not None
        form = request.form
        grant_type = form.get("grant_type", "")
        if grant_type == nuts_rfc021.GRANT_TYPE:
            ctx.check("token.grant_type", "RFC021 §3; PROTOCOL.md §1.5 #2", True, grant_type)
            response = yield from self._s2s_token(request, ctx, subject)
            return response
        if grant_type == AUTHORIZATION_CODE and hasattr(self, "_authorization_code_token"):
            ctx.check("token.grant_type", "RFC 6749 §4.1.3", True, grant_type)
            response = yield from self._authorization_code_token(request, ctx, subject)
            return response
        if grant_type == PRE_AUTHORIZED_CODE:
            ctx.fail(
                "token.grant_type",
                "PROTOCOL.md §1.5 #2",
                OAuthError(UNSUPPORTED_GRANT_TYPE, "not implemented yet"),
            )
        ctx.fail(
            "token.grant_type",
            "RFC 6749 §5.2; PROTOCOL.md §1.5 #2",
            OAuthError(UNSUPPORTED_GRANT_TYPE, f"grant_type '{grant_type}' is not supported"),
        )

    def _s2s_token(  # type: ignore[misc]
        self: Node,
        request: HttpRequest,
        ctx: Context,
        subject: Subject,
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        """The vp_token-bearer grant (RFC021), checks in the order of PROTOCOL.md §1.5."""
        form = request.form
        required = ("presentation_submission", "scope", "assertion", "client_id")
        absent = missing(form, required)
        ctx.expect(
            not absent,
            "token.params",
            "RFC021 §3; PROTOCOL.md §1.5 #3",
            OAuthError(INVALID_REQUEST, "missing required parameters"),
            f"missing: {', '.join(absent)}",
        )
        envelope = _parse_assertion(ctx, form["assertion"])
        submission = _parse_submission(ctx, form["presentation_submission"])
        for vp in envelope.presentations:
            _check_vp_times(ctx, vp)
        if ctx.profile.on("signer_is_subject"):
            check_signer_is_subject(ctx, envelope)
        if ctx.profile.on("vp_audience"):
            for vp in envelope.presentations:
                check_audience(ctx, vp, subject.url)
        scope = form["scope"]
        found = _find_profile(ctx, subject, scope)
        _check_scope_policy_construction(ctx, found)
        pd, fulfilled = _check_fulfilment(ctx, found, submission, envelope)
        for vp in envelope.presentations:
            nonce = _check_nonce_present(ctx, vp)
            if ctx.profile.on("vp_nonce_store"):
                self._burn_s2s_nonce(ctx, nonce)
        jkt = self._check_token_dpop(ctx, request)
        yield from self._verify_presentations(ctx, subject, envelope)
        claims = _resolve_claims(ctx, [(pd, fulfilled)])
        granted = _grant_scopes(ctx, found)
        signer = envelope.presentations[0].signer_did if envelope.presentations else None
        record = self._issue_token(
            ctx,
            subject,
            client_id=form["client_id"],
            scope=granted,
            jkt=jkt,
            claims=claims,
            subject_did=signer,
            vps=[p.raw for p in envelope.presentations],
            submissions={pd.id: submission},
            definitions={"organization": pex.dump(pd)},
        )
        return access_token_response(record)

    def _burn_s2s_nonce(self: Node, ctx: Context, nonce: str) -> None:  # type: ignore[misc]
        # RFC021 §4.4 / PROTOCOL.md §1.5 #14: stored regardless of the outcome of later checks.
        fresh = self.s2s_nonces.add(nonce, ctx.now())
        ctx.fact("nonce_burned", nonce=nonce, store="s2s", ttl=nuts_rfc021.NONCE_TTL)
        ctx.expect(
            fresh,
            "token.nonce_unused",
            "RFC021 §4.4; PROTOCOL.md §1.5 #14",
            VpError.make(ctx, VpError.PRESENTATION, "presentation nonce has already been used"),
        )

    def _check_token_dpop(self: Node, ctx: Context, request: HttpRequest) -> str | None:  # type: ignore[misc]
        """PROTOCOL.md §1.5 #15: an optional DPoP header must parse; strict adds RFC 9449 §4.3."""
        headers = request.header_values("DPoP")
        if not headers:
            return None
        ref = "RFC 9449 §4.3; PROTOCOL.md §1.5 #15"
        try:
            if len(headers) > 1:
                raise rfc9449.DPoPError("more than one DPoP header", check="dpop.multiple")
            proof = rfc9449.parse_proof(headers[0], ctx.now())
            # profiles.CONTROLS["dpop_proof"] covers the token endpoint too: off, only the parse remains.
            if ctx.profile.strict and ctx.profile.on("dpop_proof"):
                rfc9449.check_request_binding(proof, request.method, request.url.split("?")[0])
                rfc9449.check_iat_window(proof, ctx.now())
                rfc9449.check_jti_unused(proof, self.dpop_jtis, ctx.now())
                if ctx.profile.dpop_server_nonce:
                    next_nonce = ctx.rng.token()
                    self.dpop_server_nonces.add(next_nonce, ctx.now())
                    rfc9449.check_nonce(
                        proof, accepted=self.dpop_server_nonces, now=ctx.now(), next_nonce=next_nonce
                    )
        except rfc9449.DPoPError as exc:
            ctx.fail("token.dpop", ref, rfc9449.token_endpoint_error(exc), str(exc))
        ctx.check("token.dpop", ref, True, f"proof key {proof.thumbprint}")
        return proof.thumbprint

    def _verify_presentations(  # type: ignore[misc]
        self: Node,
        ctx: Context,
        subject: Subject,
        envelope: Envelope,
    ) -> Generator[HttpRequest, HttpResponse, None]:
        """PROTOCOL.md §1.5 #16: VerifyVP with credentials, allowUntrusted=true (reference)."""
        ref = "RFC021 §4.2.4; PROTOCOL.md §3.5"
        if not ctx.profile.on("vp_signature"):
            ctx.check("token.verify_vp", ref, True, "skipped: vp_signature control is off")
            return
        trusted = _trust_list(ctx, subject)
        status = self.status_checker(ctx) if ctx.profile.on("revocation_check") else None
        for vp in envelope.presentations:
            try:
                yield from vc_verify.verify_presentation(
                    vp,
                    ctx.now(),
                    status=status,
                    trusted=trusted,
                    check_subject=ctx.profile.on("signer_is_subject"),
                )
            except (vc_verify.VerificationFailed, ProtocolError) as exc:
                detail = getattr(exc, "detail", str(exc))
                kind = VpError.CREDENTIALS if detail.startswith("invalid VC") else VpError.PRESENTATION
                ctx.fail(
                    "token.verify_vp",
                    ref,
                    VpError.make(
                        ctx, kind, f"presentation(s) or credential(s) verification failed: {detail}"
                    ),
                    detail,
                )
        ctx.check("token.verify_vp", ref, True, f"{len(envelope.presentations)} presentation(s) verified")

    def status_checker(self: Node, ctx: Context) -> vc_verify.StatusChecker:  # type: ignore[misc]
        """The StatusList2021 client: fail open (reference) or closed (strict), checks traced."""
        return StatusListClient(self.status_lists, fail_closed=ctx.profile.strict, record=ctx.check)

    def _issue_token(  # type: ignore[misc]
        self: Node,
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

    # -- introspection and DPoP validation (internal API) -------------------------------------------
    def introspect(self: Node, request: HttpRequest, ctx: Context) -> HttpResponse:  # type: ignore[misc]
        """RFC 7662 introspection with PD field-id claims (PROTOCOL.md §1.7 step 3)."""
        return self._introspect(request, ctx, extended=False)

    def introspect_extended(self: Node, request: HttpRequest, ctx: Context) -> HttpResponse:  # type: ignore[misc]
        """Introspection plus definitions, submissions and VPs (PROTOCOL.md §1.7)."""
        return self._introspect(request, ctx, extended=True)

    def _introspect(self: Node, request: HttpRequest, ctx: Context, *, extended: bool) -> HttpResponse:  # type: ignore[misc]
        if request.content_type != rfc7662.CONTENT_TYPE:
            ctx.check("introspect.content_type", "RFC 7662 §2.1", False, request.content_type)
            return text_response(415, rfc7662.CONTENT_TYPE_TEXT)
        token = request.form.get("token", "")
        record = self.access_tokens.get(token, ctx.now()) if token else None
        active = record is not None and record.expiration >= ctx.now()
        ctx.check("introspect.active", "RFC 7662 §2.2", active, "" if active else "unknown or expired token")
        if not active or record is None:
            return json_response(200, dict(rfc7662.INACTIVE))
        clash = rfc7662.reserved_clashes(record.claims)
        if clash:  # PROTOCOL.md §3.10: a reserved field id breaks introspection
            ctx.check(
                "introspect.claims", "PROTOCOL.md §3.10", False, f"reserved claim(s) {', '.join(clash)}"
            )
            return text_response(500, "internal server error")
        return json_response(200, _introspection_body(ctx, record, extended))

    def dpop_validate(self: Node, request: HttpRequest, ctx: Context) -> HttpResponse:  # type: ignore[misc]
        """POST /internal/auth/v2/dpop/validate (PROTOCOL.md §1.7 step 4)."""
        body = request.json if isinstance(request.json, dict) else {}
        result = rfc9449.validate_for_resource(
            body.get("dpop_proof", ""),
            method=str(body.get("method", "")),
            url=str(body.get("url", "")),
            thumbprint=str(body.get("thumbprint", "")),
            token=str(body.get("token", "")),
            now=ctx.now(),
            seen_jti=self.dpop_jtis,
        )
        ctx.check(
            result.check or "dpop.valid",
            "RFC 9449 §4.3; PROTOCOL.md §1.7 step 4",
            result.valid,
            result.reason,
        )
        return json_response(200, result.body())


# -- token-endpoint checks, one function per row of PROTOCOL.md §1.5 -----------------------------------
def _parse_assertion(ctx: Context, assertion: str) -> Envelope:
    try:
        envelope = parse_envelope(assertion)
    except (CredentialFormatError, jose.JoseError) as exc:
        ctx.fail(
            "token.assertion",
            "RFC021 §3; PROTOCOL.md §1.5 #4",
            VpError.make(ctx, VpError.PRESENTATION, f"assertion parameter is invalid: {exc}"),
        )
    ctx.check(
        "token.assertion",
        "RFC021 §3; PROTOCOL.md §1.5 #4",
        True,
        f"{len(envelope.presentations)} {'/'.join(sorted({p.format for p in envelope.presentations}))}",
    )
    return envelope


def _parse_submission(ctx: Context, text: str) -> dict[str, Any]:
    try:
        submission = parse_submission_text(text)
    except (ValueError, RecursionError, NutsSimError) as exc:
        ctx.fail(
            "token.submission",
            "DIF PE v2 §Presentation Submission; PROTOCOL.md §1.5 #5",
            VpError.make(ctx, VpError.SUBMISSION, f"invalid presentation submission: {exc}"),
        )
    ctx.check("token.submission", "DIF PE v2 §Presentation Submission; PROTOCOL.md §1.5 #5", True)
    return submission


def _rule(
    ctx: Context, check: str, ref: str, rule: Any, *args: Any, record_pass: bool = True, **kwargs: Any
) -> Any:
    """Run one RFC021 rule (``specs.nuts_rfc021``) and record it as check ``check`` of this exchange."""
    try:
        value = rule(*args, **kwargs)
    except nuts_rfc021.Rfc021Error as exc:
        ctx.fail(exc.check, ref, exc.oauth(strict=ctx.profile.strict), exc.detail)
    if record_pass:
        ctx.check(check, ref, True)
    return value


def _check_vp_times(ctx: Context, vp: Presentation) -> None:
    ref = "RFC021 §4.2.7–9; PROTOCOL.md §1.5 #6–7"
    created, expires = _rule(
        ctx, "token.vp_dates", ref, nuts_rfc021.validity_window, vp, strict=ctx.profile.strict
    )
    if not ctx.profile.on("vp_max_lifetime"):
        ctx.check("token.vp_lifetime", ref, True, "skipped: vp_max_lifetime control is off")
        return
    _rule(ctx, "token.vp_lifetime", ref, nuts_rfc021.check_lifetime, created, expires)


def check_signer_is_subject(ctx: Context, envelope: Envelope) -> None:
    """PROTOCOL.md §1.5 #8 (strict adds RFC021 §4.2.3–4's iss/sub/kid/jti rules)."""
    ref = "RFC021 §4.2.3–5; PROTOCOL.md §1.5 #8"
    subjects = []
    for vp in envelope.presentations:
        if ctx.profile.strict and vp.format == "jwt_vp":
            _rule(ctx, "token.iss_sub", "RFC021 §4.2.3–4, §4.2.10", nuts_rfc021.check_jwt_identity, vp)
        subjects.append(
            _rule(ctx, "token.signer_subject", ref, nuts_rfc021.presentation_subject, vp, record_pass=False)
        )
    _rule(ctx, "token.signer_subject", ref, nuts_rfc021.check_same_subject, subjects)


def check_audience(ctx: Context, vp: Presentation, issuer: str) -> None:
    """PROTOCOL.md §1.5 #9: the VP is for this authorization server."""
    _rule(
        ctx,
        "token.audience",
        "RFC021 §4.2.6, §4.3.4; PROTOCOL.md §1.5 #9",
        nuts_rfc021.check_audience,
        vp,
        issuer,
    )


def _find_profile(ctx: Context, subject: Subject, scope: str) -> nuts_policy.ProfileMatch:
    ref = "PROTOCOL.md §3.8; §1.5 #10"
    prefix = f"unsupported scope ({scope}) for presentation exchange"
    if subject.policy is None:
        ctx.fail(
            "token.scope", ref, OAuthError(INVALID_SCOPE, f"{prefix}: not found"), "no policy configured"
        )
    try:
        found = subject.policy.find_profile(scope)
    except nuts_policy.ScopeNotFound:
        ctx.fail("token.scope", ref, OAuthError(INVALID_SCOPE, f"{prefix}: not found"))
    except nuts_policy.AmbiguousScope:
        ctx.fail(
            "token.scope",
            ref,
            OAuthError(INVALID_SCOPE, f"{prefix}: multiple credential profile scopes found"),
        )
    ctx.check("token.scope", ref, True, f"profile {found.scope!r}")
    return found


def _check_scope_policy_construction(ctx: Context, found: nuts_policy.ProfileMatch) -> None:
    ref = "PROTOCOL.md §3.8; §1.5 #11"
    if found.scope_policy == "profile-only":
        ctx.expect(
            not found.other_scopes,
            "token.scope_policy",
            ref,
            OAuthError(INVALID_SCOPE, "scope policy 'profile-only' does not allow additional scopes"),
            f"extra scopes: {' '.join(found.other_scopes)}",
        )
    elif found.scope_policy == "dynamic":
        ctx.fail(
            "token.scope_policy",
            ref,
            OAuthError(SERVER_ERROR, "dynamic scope policy configured but no ScopeEvaluator available"),
        )
    else:
        ctx.check("token.scope_policy", ref, True, found.scope_policy)


def _check_fulfilment(
    ctx: Context, found: nuts_policy.ProfileMatch, submission: dict[str, Any], envelope: Envelope
) -> tuple[pex.PresentationDefinition, dict[str, Credential]]:
    """PROTOCOL.md §1.5 #12: the submission answers one of the profile's PDs, re-evaluated (§3.7)."""
    ref = "RFC021 §4.1.1–3; DIF PE v2 §6; PROTOCOL.md §3.7, §1.5 #12"
    definition_id = str(submission.get("definition_id", ""))
    pd = next((d for d in found.profile.definitions.values() if d.id == definition_id), None)
    if pd is None:
        ctx.fail(
            "token.pd_fulfil",
            ref,
            VpError.make(
                ctx,
                VpError.SUBMISSION,
                f"presentation definition being fulfilled is not required: {definition_id}",
            ),
        )
    if not ctx.profile.on("pd_reevaluation"):
        mapping = _submitted_credentials(submission, envelope)
        ctx.check("token.pd_fulfil", ref, True, "not re-evaluated: pd_reevaluation control is off")
        return pd, mapping
    try:
        result = pex.check_submission(
            pd, submission, envelope.value, parse_credential=vc_jwt.parse_credential
        )
    except pex.SubmissionMismatch as exc:
        ctx.fail(
            "token.pd_fulfil", ref, VpError.make(ctx, VpError.SUBMISSION, exc.reference_text), exc.explanation
        )
    ctx.check("token.pd_fulfil", ref, True, describe_fulfilment(pd, result.credentials))
    return pd, dict(result.credentials)


def _submitted_credentials(submission: dict[str, Any], envelope: Envelope) -> dict[str, Credential]:
    """Descriptor id → credential as the submission says, without checking it (control off)."""
    import jsonpath

    view = pex.envelope_view(envelope.value)
    out: dict[str, Credential] = {}
    for entry in submission.get("descriptor_map", []):
        found = jsonpath.findall(str(entry.get("path", "$")), view)
        if found:
            out[str(entry.get("id"))] = vc_jwt.parse_credential(found[0])
    return out


def describe_fulfilment(pd: pex.PresentationDefinition, credentials: dict[str, Credential] | Any) -> str:
    """One line: which credential answered which input descriptor."""
    pairs = ", ".join(f"{d} ← {c.type_label} from {c.issuer}" for d, c in dict(credentials).items())
    return f"{pd.id}: {pairs or 'no credentials required'}"


def _check_nonce_present(ctx: Context, vp: Presentation) -> str:
    ref = "RFC021 §4.2.10, §4.3.3; PROTOCOL.md §1.5 #13"
    value: str = _rule(
        ctx, "token.nonce_present", ref, nuts_rfc021.replay_value, vp, strict=ctx.profile.strict
    )
    return value


def _trust_list(ctx: Context, subject: Subject) -> Any:
    """The strict profile's explicit issuer trust (PROTOCOL.md §3.11); None = allowUntrusted."""
    if not ctx.profile.trusted_issuer_lists:
        return None

    def trusted(credential: Credential) -> bool:
        allowed = subject.trusted_issuers.get(credential.type_label)
        return allowed is None or credential.issuer in allowed

    return trusted


def _resolve_claims(ctx: Context, fulfilled: list[tuple[Any, Any]]) -> dict[str, Any]:
    ref = "PROTOCOL.md §3.10; §1.5 #17"
    try:
        claims = pex.extract_claims(fulfilled).claims
    except pex.DuplicateMappedField as exc:
        ctx.fail("token.claims", ref, OAuthError(SERVER_ERROR, exc.reference_text), str(exc))
    ctx.check("token.claims", ref, True, ", ".join(sorted(claims)))
    return claims


def _grant_scopes(ctx: Context, found: nuts_policy.ProfileMatch) -> str:
    granted = [found.scope]
    if found.scope_policy == "passthrough":
        granted += list(found.other_scopes)
    ctx.check("token.grant_scopes", "PROTOCOL.md §3.8; §1.5 #18", True, scope_text(granted))
    return scope_text(granted)


def access_token_response(record: AccessToken) -> HttpResponse:
    """The RFC 6749 §5.1 response for an issued token, in the reference's shape (PROTOCOL.md §1.6)."""
    return token_response(
        {
            "access_token": record.token,
            "expires_in": ACCESS_TOKEN_TTL,
            "scope": record.scope,
            "token_type": "DPoP" if record.dpop_jkt else "Bearer",
            "dpop_kid": "",  # the client fills in its signing kid (PROTOCOL.md §1.6)
        }
    )


def _introspection_body(ctx: Context, record: AccessToken, extended: bool) -> dict[str, Any]:
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
