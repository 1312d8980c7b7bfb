"""The presentation checks of PROTOCOL.md §1.5 that an AS runs wherever a VP reaches it.

The s2s token endpoint (``authorization_server``) and the OpenID4VP response endpoint
(``verifier``) share them: parse the assertion and submission, the VP times, signer and
audience, the definition's fulfilment (re-evaluated, §3.7), the nonce, VerifyVP
(``PresentationVerifier``, which owns the status-list cache) and the claims. One
function per row of §1.5; each records its check and raises the profile's error.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from nutssim import jose
from nutssim.causes import Cause
from nutssim.errors import NutsSimError, ProtocolError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.models.credential import Credential, Presentation
from nutssim.parties.base import Context, fail_rule
from nutssim.parties.core import Subject
from nutssim.parties.revocation import CachedList, StatusListClient
from nutssim.parties.wallet import pex_semantics
from nutssim.specs import jwx_text, nuts_policy, nuts_rfc021, pex, vc_jwt, vc_verify
from nutssim.specs.jsonld import LdProcessing
from nutssim.specs.presentation import Envelope, check_critical_headers, parse_envelope, parse_submission_text
from nutssim.specs.vc_jwt import CredentialFormatError

_VERIFY_REF = "RFC021 §4.2.4; PROTOCOL.md §3.5"


def parse_assertion(ctx: Context, assertion: str) -> Envelope:
    """PROTOCOL.md §1.5 #4: the assertion is one VP or an array of them."""
    rule = nuts_rfc021.ASSERTION
    try:
        envelope = parse_envelope(assertion, jwx_base64=ctx.profile.reference.jwx_base64)
    except (CredentialFormatError, jose.JoseError) as exc:
        fail_rule(ctx, rule, quote_error=True, reason=exc)
    formats = "/".join(sorted({p.format for p in envelope.presentations}))
    ctx.check(rule.id, rule.ref, True, f"{len(envelope.presentations)} {formats}")
    return envelope


def parse_submission(ctx: Context, text: str) -> pex.PresentationSubmission:
    """PROTOCOL.md §1.5 #5: the presentation submission parses (once: §1.5 #12 checks this model)."""
    rule = nuts_rfc021.SUBMISSION
    try:
        submission = parse_submission_text(text)
    except (ValueError, RecursionError, NutsSimError) as exc:
        fail_rule(ctx, rule, quote_error=True, reason=exc)
    ctx.check(rule.id, rule.ref, True)
    return submission


def run_rule(
    ctx: Context,
    check: str,
    ref: str,
    rule: Callable[..., Any],
    *args: Any,
    record_pass: bool = True,
    **kwargs: Any,
) -> Any:
    """Run one RFC021 rule (``specs.nuts_rfc021``) and record it as check ``check`` of this exchange."""
    try:
        value = rule(*args, **kwargs)
    except nuts_rfc021.Rfc021Error as exc:
        fail_rule(ctx, exc.rule(ref), detail=exc.detail, cause=exc.cause)
    if record_pass:
        ctx.check(check, ref, True)
    return value


def check_vp_times(ctx: Context, vp: Presentation) -> None:
    """PROTOCOL.md §1.5 #6–7: creation and expiry present; at most 5 s of validity."""
    ref = "RFC021 §4.2.7–9; PROTOCOL.md §1.5 #6–7"
    created, expires = run_rule(
        ctx, "token.vp_dates", ref, nuts_rfc021.validity_window, vp, strict=ctx.profile.strict
    )
    if not ctx.profile.on("vp_max_lifetime"):
        ctx.check("token.vp_lifetime", ref, True, "skipped: vp_max_lifetime control is off")
        return
    run_rule(ctx, "token.vp_lifetime", ref, nuts_rfc021.check_lifetime, created, expires)


def check_signer_is_subject(ctx: Context, envelope: Envelope) -> None:
    """PROTOCOL.md §1.5 #8 (strict adds RFC021 §4.2.3–4's iss/sub/kid/jti rules)."""
    ref = "RFC021 §4.2.3–5; PROTOCOL.md §1.5 #8"
    subjects = []
    for vp in envelope.presentations:
        if ctx.profile.strict and vp.format == "jwt_vp":
            run_rule(ctx, "token.iss_sub", "RFC021 §4.2.3–4, §4.2.10", nuts_rfc021.check_jwt_identity, vp)
        subjects.append(
            run_rule(
                ctx, "token.signer_subject", ref, nuts_rfc021.presentation_subject, vp, record_pass=False
            )
        )
    run_rule(ctx, "token.signer_subject", ref, nuts_rfc021.check_same_subject, subjects)


def check_presentations(ctx: Context, envelope: Envelope, issuer: str) -> None:
    """PROTOCOL.md §1.5 #6–9 over every VP of the assertion, in the profile's order.

    nuts-node ``auth/api/iam/s2s_vptoken.go handleS2SAccessTokenRequest`` runs them per VP:
    validity (``validateS2SPresentationMaxValidity``), signer (``validatePresentationSigner``,
    against the subject of the VP before; a VP without credentials is not compared), audience
    (``validatePresentationAudience``), then the next VP, so with two faults in two VPs the first
    VP's is reported. strict runs each check over all VPs in turn (RFC021 §4.2 names no order).
    """
    if ctx.profile.strict:
        for vp in envelope.presentations:
            check_vp_times(ctx, vp)
        if ctx.profile.on("signer_is_subject"):
            check_signer_is_subject(ctx, envelope)
        if ctx.profile.on("vp_audience"):
            for vp in envelope.presentations:
                check_audience(ctx, vp, issuer)
        return
    ref = "RFC021 §4.2.5; PROTOCOL.md §1.5 #8"
    expected: str | None = None
    for vp in envelope.presentations:
        check_vp_times(ctx, vp)
        if ctx.profile.on("signer_is_subject"):
            subject = run_rule(
                ctx, "token.signer_subject", ref, nuts_rfc021.presentation_subject, vp, record_pass=False
            )
            compared = [expected, subject] if vp.credentials and expected is not None else [subject]
            run_rule(ctx, "token.signer_subject", ref, nuts_rfc021.check_same_subject, compared)
            expected = subject
        if ctx.profile.on("vp_audience"):
            check_audience(ctx, vp, issuer)


def check_audience(ctx: Context, vp: Presentation, issuer: str) -> None:
    """PROTOCOL.md §1.5 #9: the VP is for this authorization server."""
    run_rule(
        ctx,
        "token.audience",
        "RFC021 §4.2.6, §4.3.4; PROTOCOL.md §1.5 #9",
        nuts_rfc021.check_audience,
        vp,
        issuer,
    )


def check_fulfilment(
    ctx: Context,
    found: nuts_policy.ProfileMatch,
    submission: pex.PresentationSubmission,
    envelope: Envelope,
) -> tuple[pex.CanonicalDefinition, dict[str, Credential]]:
    """PROTOCOL.md §1.5 #12: the submission answers one of the profile's PDs, re-evaluated (§3.7)."""
    ref = "RFC021 §4.1.1–3; DIF PE v2 §6; PROTOCOL.md §3.7, §1.5 #12"
    definition_id = submission.definition_id
    canonical = next((d for d in found.profile.canonical.values() if d.id == definition_id), None)
    if canonical is None:
        fail_rule(ctx, nuts_rfc021.PD_NOT_REQUIRED, quote_error=True, definition_id=definition_id)
    if not ctx.profile.on("pd_reevaluation"):
        mapping = submitted_credentials(pex.dump(submission), envelope)
        ctx.check("token.pd_fulfil", ref, True, "not re-evaluated: pd_reevaluation control is off")
        return canonical, mapping
    try:
        result = pex.check_submission(
            canonical,
            submission,
            envelope.value,
            parse_credential=vc_jwt.parse_credential,
            semantics=pex_semantics(ctx),
            holder=_submitter(envelope),
            holders=[p.signer_did for p in envelope.presentations],
        )
    except pex.SubmissionMismatch as exc:
        fail_rule(ctx, nuts_rfc021.PD_UNFULFILLED, detail=exc.explanation, reason=exc.reference_text)
    ctx.check("token.pd_fulfil", ref, True, describe_fulfilment(canonical, result.credentials))
    return canonical, dict(result.credentials)


def _submitter(envelope: Envelope) -> str | None:
    """Who submits: the one signer DID of the envelope's VPs (a required is_holder, strict only).

    With several signers, ``holders`` (one per VP) decides per credential: the signer of its own VP.
    """
    signers = {p.signer_did for p in envelope.presentations}
    return signers.pop() if len(signers) == 1 else None


def submitted_credentials(submission: dict[str, Any], envelope: Envelope) -> dict[str, Credential]:
    """Descriptor id → credential as the submission says, without checking it (control off)."""
    import jsonpath

    view = pex.envelope_view(envelope.value)
    out: dict[str, Credential] = {}
    for entry in submission.get("descriptor_map", []):
        found = jsonpath.findall(str(entry.get("path", "$")), view)
        nested = entry.get("path_nested")
        if isinstance(nested, dict):  # the spec's shape (strict): a JWT VP as sent, then into its claims
            vps = jsonpath.findall(str(entry.get("path", "$")), envelope.value)
            try:
                claims = pex.decode_jwt_claims(vps[0] if vps else None)
            except ValueError:
                claims = {}
            found = jsonpath.findall(str(nested.get("path", "$")), claims)
        if found:
            out[str(entry.get("id"))] = vc_jwt.parse_credential(found[0], jwx_base64=True)  # re-read
    return out


def describe_fulfilment(
    pd: pex.PresentationDefinition | pex.CanonicalDefinition, credentials: dict[str, Credential] | Any
) -> str:
    """One line: which credential answered which input descriptor."""
    pairs = ", ".join(f"{d} ← {c.type_label} from {c.issuer}" for d, c in dict(credentials).items())
    return f"{pd.id}: {pairs or 'no credentials required'}"


def check_nonce_present(ctx: Context, vp: Presentation) -> str:
    """PROTOCOL.md §1.5 #13: the replay value (nonce; strict: jti or challenge) is present."""
    ref = "RFC021 §4.2.10, §4.3.3; PROTOCOL.md §1.5 #13"
    value: str = run_rule(
        ctx, "token.nonce_present", ref, nuts_rfc021.replay_value, vp, strict=ctx.profile.strict
    )
    return value


def resolve_claims(ctx: Context, fulfilled: list[tuple[Any, Any]]) -> dict[str, Any]:
    """PROTOCOL.md §1.5 #17: the token's claims are the field ids of the fulfilled definitions."""
    rule = nuts_rfc021.CLAIMS
    try:
        claims = pex.extract_claims(fulfilled).claims
    except pex.DuplicateMappedField as exc:
        fail_rule(ctx, rule, detail=str(exc), reason=exc.reference_text)
    ctx.check(rule.id, rule.ref, True, ", ".join(sorted(claims)))
    return claims


def trust_list(ctx: Context, subject: Subject) -> Callable[[Credential], bool] | None:
    """The strict profile's explicit issuer trust (PROTOCOL.md §3.11); None = allowUntrusted."""
    if not ctx.profile.trusted_issuer_lists:
        return None

    def trusted(credential: Credential) -> bool:
        allowed = subject.trusted_issuers.get(credential.type_label)
        return allowed is None or credential.issuer in allowed

    return trusted


def ld_processing(ctx: Context) -> LdProcessing:
    """JSON-LD proofs: strict processing under a strict profile, json-gold's (the reference's) otherwise."""
    return LdProcessing.SPEC if ctx.profile.strict else LdProcessing.JSON_GOLD


class PresentationVerifier:
    """VerifyVP for an AS (PROTOCOL.md §1.5 #16, §3.5), with its StatusList2021 cache."""

    def __init__(self) -> None:
        self.status_lists: dict[str, CachedList] = {}
        #: The X509Credential CRL cache and known CAs (pki/validator.go crls, cas), by endpoint/subject.
        self.crls: dict[str, Any] = {}
        self.crl_cas: dict[str, Any] = {}

    def crl_checker(self, ctx: Context) -> Any:
        """The CRL client for X509Credentials: soft-fail (reference default) or fail closed (strict)."""
        from nutssim.parties.crl import CRLClient  # cryptography.x509: imported only when used

        return CRLClient(self.crls, self.crl_cas, softfail=not ctx.profile.strict, record=ctx.check)

    def status_checker(self, ctx: Context) -> vc_verify.StatusChecker:
        """The StatusList2021 client: fail open (reference) or closed (strict), checks traced."""
        return StatusListClient(
            self.status_lists,
            fail_closed=ctx.profile.strict,
            record=ctx.check,
            jwx=jwx_text.words(ctx.profile.reference.jwx),
        )

    def verify(
        self, ctx: Context, subject: Subject, envelope: Envelope
    ) -> Generator[HttpRequest, HttpResponse, None]:
        """PROTOCOL.md §1.5 #16: VerifyVP with credentials, allowUntrusted=true (reference)."""
        if not ctx.profile.on("vp_signature"):
            ctx.check("token.verify_vp", _VERIFY_REF, True, "skipped: vp_signature control is off")
            return
        trusted = trust_list(ctx, subject)
        status = self.status_checker(ctx) if ctx.profile.on("revocation_check") else None
        crl = _LazyCRL(self, ctx) if ctx.profile.on("revocation_check") else None
        for vp in envelope.presentations:
            try:
                if ctx.profile.strict:  # RFC 7515 §4.1.11 in its own words; nuts-node: vc_verify, jwx v3.2.0
                    check_critical_headers(vp)
                yield from vc_verify.verify_presentation(
                    vp,
                    ctx.now(),
                    status=status,
                    trusted=trusted,
                    check_subject=ctx.profile.on("signer_is_subject"),
                    ld_mode=ld_processing(ctx),
                    crl=crl,
                    eku_policy=ctx.profile.strict,
                    issuer_crl=ctx.profile.strict,
                    jwx=jwx_text.words(ctx.profile.reference.jwx),  # its go.mod's jwx: crit, words
                )
            except ProtocolError as exc:
                cause = exc.cause or Cause(vc_verify.kind_of(str(exc)), "presentation", reason=str(exc))
                error = ctx.render.verification_failed(cause)
                ctx.fail("token.verify_vp", _VERIFY_REF, error, vc_verify.describe(cause), cause)
        count = len(envelope.presentations)
        ctx.check("token.verify_vp", _VERIFY_REF, True, f"{count} presentation(s) verified")


class _LazyCRL:
    """Builds the CRL client on first use, so flows without an X509Credential never import it."""

    def __init__(self, verifier: PresentationVerifier, ctx: Context) -> None:
        self._verifier, self._ctx = verifier, ctx

    def check(self, chain: list[Any], now: int) -> Generator[HttpRequest, HttpResponse, None]:
        """Delegate to ``CRLClient.check``."""
        yield from self._verifier.crl_checker(self._ctx).check(chain, now)
