"""The AS's RFC 7523 jwt-bearer grant, as each version of the reference and the specifications read it.

``Profile.reference.jwt_bearer_as`` says which:

- ``refused`` (nuts-node master, d2ad162): not advertised, and ``HandleTokenRequest``'s
  default branch answers ``unsupported_grant_type`` (the caller never reaches this module).
- ``single-vp`` (nuts-node ``project-gf``, ``auth/api/iam/bearer_token.go
  handleJWTBearerTokenRequest``): ``assertion``, ``scope`` and ``client_id`` required; the
  assertion is one VP checked as the RFC021 grant checks it (max validity, signer, audience,
  nonce, DPoP, VerifyVP) and matched against the ``organization`` PD without a submission
  (``validation.go BasicPresentationEvaluator``); ``client_assertion`` is never read ("TODO:
  support client_assertion").
- ``two-vp`` (``strict``: RFC 7521 §4.1–4.2, RFC 7523 §2–3, GFI-004): both VPs, each its own
  audience, lifetime, signer, nonce and definition; the cross-VP binding (shared field ids
  equal) and the delegation (VP2 holds a delegation issued by VP1's signer to VP2's signer);
  the token's claims come from both.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol

from nutssim import jose
from nutssim.errors import OAuthError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.models.credential import Presentation
from nutssim.parties import presentation_checks as checks
from nutssim.parties.base import Context, Flow, expect_rule, fail_rule
from nutssim.parties.core import Subject
from nutssim.parties.presentation_checks import PresentationVerifier
from nutssim.parties.tokens import TokenService, access_token_response
from nutssim.specs import pex, rfc7523
from nutssim.specs.presentation import Envelope, parse_envelope
from nutssim.specs.rfc6749 import INVALID_CLIENT, INVALID_GRANT, missing
from nutssim.specs.vc_jwt import CredentialFormatError


class AuthorizationServer(Protocol):
    """What this grant uses of the AS role (``parties.authorization_server``)."""

    tokens: TokenService
    presentations: PresentationVerifier

    def find_profile(self, ctx: Context, subject: Subject, scope: str) -> Any: ...

    def _burn_s2s_nonce(self, ctx: Context, nonce: str) -> None: ...

    def grant_scopes(
        self, ctx: Context, found: Any, signer: str | None, claims: dict[str, Any]
    ) -> Generator[HttpRequest, HttpResponse, str]: ...


def token(server: AuthorizationServer, request: Any, ctx: Context, subject: Subject) -> Flow:
    """The jwt-bearer grant under the profile's reading (``single-vp`` or ``two-vp``)."""
    if ctx.profile.reference.jwt_bearer_as == "single-vp":
        return (yield from _single_vp(server, request, ctx, subject))
    return (yield from _two_vp(server, request, ctx, subject))


# -- project-gf -------------------------------------------------------------------------------------------
def _single_vp(server: AuthorizationServer, request: Any, ctx: Context, subject: Subject) -> Flow:
    """project-gf handleJWTBearerTokenRequest → handleBearerTokenRequest, in its order."""
    form = request.form
    absent = missing(form, ("assertion", "scope", "client_id"))
    expect_rule(ctx, not absent, rfc7523.GF_PARAMS, detail=f"missing: {', '.join(absent)}")
    vp = _parse_one(ctx, form["assertion"], rfc7523.GF_ASSERTION, "assertion")
    envelope = Envelope(form["assertion"], (vp,))
    checks.check_vp_times(ctx, vp)
    if ctx.profile.on("signer_is_subject"):
        checks.check_signer_is_subject(ctx, envelope)
    if ctx.profile.on("vp_audience"):
        checks.check_audience(ctx, vp, subject.url)
    found = server.find_profile(ctx, subject, form["scope"])
    org_pd = found.profile.definitions.get("organization")
    mapping = _match(ctx, org_pd, vp, rfc7523.GF_NO_MATCH, "organization")
    nonce = checks.check_nonce_present(ctx, vp)
    if ctx.profile.on("vp_nonce_store"):
        server._burn_s2s_nonce(ctx, nonce)
    jkt = server.tokens.check_dpop(ctx, request)
    yield from server.presentations.verify(ctx, subject, envelope)
    assert org_pd is not None
    claims = checks.resolve_claims(ctx, [(org_pd, mapping)])
    granted = yield from server.grant_scopes(ctx, found, vp.signer_did, claims)
    record = server.tokens.issue(
        ctx,
        subject,
        client_id=form["client_id"],
        scope=granted,
        jkt=jkt,
        claims=claims,
        subject_did=vp.signer_did,
        vps=[vp.raw],
        submissions={},  # BasicPresentationEvaluator stores no submission
        definitions={owner: pex.dump(d) for owner, d in found.profile.definitions.items()},
    )
    return access_token_response(record, strict=ctx.profile.strict)


# -- RFC 7523 + GFI-004 -----------------------------------------------------------------------------------
def _two_vp(server: AuthorizationServer, request: Any, ctx: Context, subject: Subject) -> Flow:
    """Both presentations checked, each on its own, then bound together (strict)."""
    form = request.form
    reads_client = ctx.profile.on("client_assertion")
    names = (
        ("assertion", "scope", "client_assertion_type", "client_assertion")
        if reads_client
        else ("assertion", "scope")
    )
    absent = missing(form, names)
    expect_rule(ctx, not absent, rfc7523.PARAMS, detail="", names=", ".join(absent))
    if reads_client:
        expect_rule(
            ctx,
            form["client_assertion_type"] == rfc7523.CLIENT_ASSERTION_TYPE,
            rfc7523.ASSERTION_TYPE,
            detail=f"got {form['client_assertion_type']!r}",
            expected=rfc7523.CLIENT_ASSERTION_TYPE,
            actual=form["client_assertion_type"],
        )
    else:
        ctx.check(
            "token.client_assertion_type", rfc7523.ASSERTION_TYPE.ref, True, "skipped: client_assertion off"
        )
    vp1 = _parse_one(ctx, form["assertion"], rfc7523.ONE_JWT, "assertion")
    vp2 = (
        _parse_one(ctx, form["client_assertion"], rfc7523.ONE_JWT, "client_assertion")
        if reads_client
        else None
    )
    _check_each(ctx, vp1, subject, "assertion")
    if vp2 is not None:
        _check_each(ctx, vp2, subject, "client_assertion")
    found = server.find_profile(ctx, subject, form["scope"])
    definitions = found.profile.definitions
    org_pd, sp_pd = definitions.get("organization"), definitions.get(rfc7523.SERVICE_PROVIDER)
    map1 = _match(ctx, org_pd, vp1, rfc7523.GF_NO_MATCH, "organization")
    claims1 = pex.extract_claims([(org_pd, map1)]).claims if org_pd is not None else {}
    claims2: dict[str, Any] = {}
    if vp2 is not None:
        map2 = _match(ctx, sp_pd, vp2, rfc7523.GF_NO_MATCH, rfc7523.SERVICE_PROVIDER)
        claims2 = pex.extract_claims([(sp_pd, map2)]).claims if sp_pd is not None else {}
        if ctx.profile.on("cross_vp_binding"):
            _check_binding(ctx, claims1, claims2)
            _check_delegation(ctx, vp1, vp2)
        else:
            ctx.check(
                rfc7523.BINDING.id, rfc7523.BINDING.ref, True, "skipped: cross_vp_binding control is off"
            )
    presented = [vp1] if vp2 is None else [vp1, vp2]
    nonces = [checks.check_nonce_present(ctx, vp) for vp in presented]
    expect_rule(ctx, len(set(nonces)) == len(nonces), rfc7523.DISTINCT_NONCES, detail="", actual=nonces[0])
    if ctx.profile.on("vp_nonce_store"):
        for nonce in nonces:
            server._burn_s2s_nonce(ctx, nonce)
    jkt = server.tokens.check_dpop(ctx, request)
    yield from server.presentations.verify(ctx, subject, Envelope(form["assertion"], (vp1,)))
    if vp2 is not None:
        yield from _as_client_error(
            server.presentations.verify(ctx, subject, Envelope(form["client_assertion"], (vp2,)))
        )
    claims = {**claims2, **claims1}  # shared ids are equal (the binding)
    ctx.check("token.claims", "RFC 7662 §2.2; GFI-004: claims of both VPs", True, ", ".join(sorted(claims)))
    granted = yield from server.grant_scopes(ctx, found, vp1.signer_did, claims)
    record = server.tokens.issue(
        ctx,
        subject,
        # RFC 7521 §4.2: the client is who signed client_assertion (else the client_id it names).
        client_id=vp2.signer_did if vp2 is not None else form.get("client_id", ""),
        scope=granted,
        jkt=jkt,
        claims=claims,
        subject_did=vp1.signer_did,
        vps=[vp.raw for vp in presented],
        submissions={},
        definitions={owner: pex.dump(d) for owner, d in definitions.items()},
    )
    return access_token_response(record, strict=ctx.profile.strict)


def _as_client_error(process: Any) -> Any:
    """Run ``process``; a refusal of the client_assertion is ``invalid_client`` (RFC 7523 §3.2)."""
    try:
        return (yield from process)
    except OAuthError as exc:
        exc.error = INVALID_CLIENT
        raise


def _check_each(ctx: Context, vp: Presentation, subject: Subject, parameter: str) -> None:
    """RFC 7523 §3 items 1-5 for one of the two JWTs: lifetime, signer, audience.

    A refusal is RFC 7523 §3.1's ``invalid_grant`` for the assertion and §3.2's
    ``invalid_client`` for the client_assertion; the description is the reference's.
    """
    ctx.check("token.jwt_bearer_vp", "RFC 7523 §3", True, f"{parameter}: lifetime, signer, audience")
    try:
        checks.check_vp_times(ctx, vp)
        if ctx.profile.on("signer_is_subject"):
            checks.check_signer_is_subject(ctx, Envelope(vp.raw, (vp,)))
        if ctx.profile.on("vp_audience"):
            checks.check_audience(ctx, vp, subject.url)
    except OAuthError as exc:
        exc.error = INVALID_CLIENT if parameter == "client_assertion" else INVALID_GRANT
        raise


def _check_binding(ctx: Context, first: dict[str, Any], second: dict[str, Any]) -> None:
    """GFI-004: every field id the two definitions share resolves to one value in both VPs."""
    differ = rfc7523.binding_mismatches(first, second)
    shared = rfc7523.shared_fields(first, second)
    detail = f"shared field ids equal: {', '.join(shared) or 'none'}"
    if differ:
        field = differ[0]
        detail = f"{field}: {first[field]!r} in the assertion, {second[field]!r} in client_assertion"
    _expect(ctx, not differ, rfc7523.BINDING, detail, field=differ[0] if differ else "")


def _check_delegation(ctx: Context, vp1: Presentation, vp2: Presentation) -> None:
    """GFI-004: VP2 holds a delegation issued by VP1's signer to VP2's signer."""
    organization, provider = vp1.signer_did, vp2.signer_did
    delegated = any(
        rfc7523.is_delegation(
            tuple(c.types), c.issuer, c.subject_ids, organization=organization, service_provider=provider
        )
        for c in vp2.credentials
    )
    detail = f"{provider} acting for {organization}"
    _expect(ctx, delegated, rfc7523.DELEGATION, detail, expected=organization)


# -- shared ------------------------------------------------------------------------------------------------
def _parse_one(ctx: Context, text: str, rule: Any, parameter: str) -> Presentation:
    """One VP (RFC 7523: a single JWT; project-gf: vc.ParseVerifiablePresentation)."""
    try:
        envelope = parse_envelope(text, jwx_base64=ctx.profile.reference.jwx_base64)
    except (CredentialFormatError, jose.JoseError) as exc:
        fail_rule(ctx, rule, detail=str(exc), parameter=parameter)
    single = len(envelope.presentations) == 1
    if ctx.profile.strict:  # RFC 7523 §2.1-2.2: the value is a single JWT
        single = single and envelope.presentations[0].format == "jwt_vp"
    if not single:
        fail_rule(ctx, rule, detail=f"{len(envelope.presentations)} presentation(s)", parameter=parameter)
    vp = envelope.presentations[0]
    ctx.check(rule.id, rule.ref, True, f"{parameter}: one {vp.format} signed by {vp.signer_did}")
    return vp


def _expect(ctx: Context, passed: bool, rule: Any, detail: str, **values: Any) -> None:
    """``expect_rule`` that records ``detail`` when the rule passes too."""
    if passed:
        ctx.check(rule.id, rule.ref, True, detail)
        return
    fail_rule(ctx, rule, detail=detail, **values)


def _match(ctx: Context, pd: Any, vp: Presentation, rule: Any, owner: str) -> dict[str, Any]:
    """The VP's credentials against the owner's PD without a submission (BasicPresentationEvaluator)."""
    ref = f"{rule.ref}; DIF PE v2 §5"
    if pd is None:
        fail_rule(ctx, rule, detail=f"no {owner} presentation definition")
    if not ctx.profile.on("pd_reevaluation"):
        ctx.check(f"token.pd_fulfil.{owner}", ref, True, "not evaluated: pd_reevaluation control is off")
        return {}
    try:
        mapping: dict[str, Any] = pex.match_definition(pd, list(vp.credentials)).mapping()
    except pex.NoCredentials as exc:
        fail_rule(ctx, rule, detail=f"{owner}: {exc}")
    except (pex.MultipleCredentials, pex.InvalidCredentialSelection) as exc:
        fail_rule(ctx, rule, detail=f"{owner}: {exc}")
    ctx.check(f"token.pd_fulfil.{owner}", ref, True, checks.describe_fulfilment(pd, mapping))
    return mapping
