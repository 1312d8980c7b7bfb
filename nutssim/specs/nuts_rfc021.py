"""Nuts RFC021, the ``vp_token-bearer`` grant: the presentation rules of §4, pure.

Each rule raises ``Rfc021Error`` naming its check id, the §4.5 error kind, the
reference's ``error_description`` and a structured ``cause``; the authorization server
records the check and the profile's renderer (``parties.render``) renders the error:
``invalid_request`` under the reference, the RFC021 §4.5 code
(``invalid_verifiable_presentation``, ``invalid_presentation_submission``,
``invalid_verifiable_credentials``) under ``strict`` (PROTOCOL.md §7).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nutssim import causes, jose
from nutssim.causes import Cause
from nutssim.errors import ProtocolError
from nutssim.limits import RFC021_MAX_VALIDITY as MAX_VALIDITY
from nutssim.models.credential import Presentation
from nutssim.specs import vc_jwt
from nutssim.specs.rfc6749 import INVALID_REQUEST, INVALID_SCOPE, SERVER_ERROR, UNSUPPORTED_GRANT_TYPE
from nutssim.specs.rules import Rule

GRANT_TYPE = "vp_token-bearer"  # §3
NONCE_TTL = 10  # §4.4: 5 s validity + 5 s clock skew (s2sNonceStore)

# §4.5 error kinds
INVALID_PRESENTATION = "invalid_verifiable_presentation"
INVALID_SUBMISSION = "invalid_presentation_submission"
INVALID_CREDENTIALS = "invalid_verifiable_credentials"
KINDS = (INVALID_PRESENTATION, INVALID_SUBMISSION, INVALID_CREDENTIALS)


class Rfc021Error(ProtocolError):
    """A presentation broke an RFC021 rule: §4.5 ``kind``, the reference's description, the cause."""

    cause: Cause

    def __init__(
        self,
        description: str,
        *,
        kind: str,
        check: str,
        detail: str = "",
        why: str = causes.FAILED,
        subject: str = "",
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        cause = Cause(why, "presentation", subject, expected, actual, detail or description)
        super().__init__(description, check=check, cause=cause)
        self.description = description
        self.kind = kind
        self.detail = detail or description

    def rule(self, ref: str) -> Rule:
        """This failure as the ``Rule`` it broke, cited as ``ref`` by the endpoint that checks it."""
        return Rule(
            self.check,
            ref,
            self.kind,
            self.description,
            self.cause.kind,
            self.cause.about,
            self.cause.subject,
        )


def _claims(vp: Presentation) -> dict[str, Any]:
    """A JWT VP's claims, re-read as its parse read them (``jose.decode``: lenient re-reads are exact)."""
    return jose.decode(vp.raw, jwx_base64=True).payload


def validity_window(vp: Presentation, *, strict: bool) -> tuple[int, int]:
    """§4.2.7–8 / §4.3.7–8: created (JWT nbf, else iat; strict: iat) and expires must be present."""
    created, expires = vp.created, vp.expires
    if strict and vp.format == "jwt_vp":
        created = vc_jwt.numeric_date(_claims(vp).get("iat"))  # §4.2.7: iat MUST be present
    if created is None or expires is None:
        raise Rfc021Error(
            "presentation is missing creation or expiration date",
            kind=INVALID_PRESENTATION,
            check="token.vp_dates",
            why=causes.MISSING,
            subject="created/expires",
        )
    return created, expires


def check_lifetime(created: int, expires: int) -> None:
    """§4.2.9 / §4.3.9: a presentation may be valid for at most 5 seconds."""
    if expires - created > MAX_VALIDITY:
        raise Rfc021Error(
            "presentation is valid for too long (max 5s)",
            kind=INVALID_PRESENTATION,
            check="token.vp_lifetime",
            detail=f"valid for {expires - created} s",
            why=causes.TIME,
            expected=f"≤ {MAX_VALIDITY} s",
            actual=f"{expires - created} s",
        )


def check_jwt_identity(vp: Presentation) -> None:
    """§4.2.3–4, §4.2.10 (strict): ``iss`` == ``sub``, the ``kid`` DID is ``iss``, a ``jti`` is present."""
    claims = _claims(vp)
    if not claims.get("iss") or claims.get("iss") != claims.get("sub"):
        raise Rfc021Error(
            "presentation iss must equal sub",
            kind=INVALID_PRESENTATION,
            check="token.iss_sub",
            why=causes.MISMATCH,
            subject="iss",
            expected=str(claims.get("sub")),
            actual=str(claims.get("iss")),
        )
    if vp.signer_did != claims.get("iss"):
        raise Rfc021Error(
            "presentation kid DID must equal iss",
            kind=INVALID_PRESENTATION,
            check="token.kid_iss",
            why=causes.MISMATCH,
            subject="kid",
            expected=str(claims.get("iss")),
            actual=vp.signer_did,
        )
    if not claims.get("jti"):
        raise Rfc021Error(
            "presentation has no jti",
            kind=INVALID_PRESENTATION,
            check="token.jti",
            why=causes.MISSING,
            subject="jti",
        )


def presentation_subject(vp: Presentation) -> str:
    """§4.2.5 / §4.3.6: every credential's subject is the signer; return that subject DID."""
    check = "token.signer_subject"
    if vp.format == "jwt_vp" and not vp.signer:
        raise Rfc021Error(
            "no kid header in JWT", kind=INVALID_PRESENTATION, check=check, why=causes.MISSING, subject="kid"
        )
    subjects = {sid for c in vp.credentials for sid in (c.subject_ids or [""])}
    if "" in subjects:
        raise Rfc021Error(
            "unable to get subject DID from VC: credential subjects have no ID",
            kind=INVALID_CREDENTIALS,
            check=check,
            why=causes.MISSING,
            subject="credentialSubject.id",
        )
    if len(subjects) > 1:
        raise Rfc021Error(
            "not all VCs have the same credentialSubject.id",
            kind=INVALID_CREDENTIALS,
            check=check,
            why=causes.MISMATCH,
            subject="credentialSubject.id",
        )
    if subjects and subjects != {vp.signer_did}:
        raise Rfc021Error(
            "presentation signer is not credential subject",
            kind=INVALID_CREDENTIALS,
            check=check,
            detail=f"signer {vp.signer_did}, subject {next(iter(subjects))}",
            why=causes.MISMATCH,
            subject="credentialSubject.id",
            expected=vp.signer_did,
            actual=next(iter(subjects)),
        )
    return next(iter(subjects)) if subjects else vp.signer_did


def check_same_subject(subjects: Iterable[str]) -> None:
    """All presentations of one assertion speak for one subject (the reference's check)."""
    if len(set(subjects)) > 1:
        raise Rfc021Error(
            "not all presentations have the same credential subject ID",
            kind=INVALID_PRESENTATION,
            check="token.signer_subject",
            why=causes.MISMATCH,
            subject="credentialSubject.id",
        )


def check_audience(vp: Presentation, issuer: str) -> None:
    """§4.2.6 / §4.3.4: the audience (JWT ``aud``, LD ``domain``) is this AS, compared exactly."""
    if issuer not in vp.audience:
        raise Rfc021Error(
            "presentation audience/domain is missing or does not match",
            kind=INVALID_PRESENTATION,
            check="token.audience",
            detail=f"audience {vp.audience}, expected {issuer}",
            why=causes.MISMATCH,
            subject="aud",
            expected=issuer,
            actual=str(vp.audience),
        )


def replay_value(vp: Presentation, *, strict: bool) -> str:
    """The value the replay store keys on: ``nonce`` (reference); §4.4's ``jti``/``challenge`` (strict)."""
    value: Any = vp.nonce
    if strict:
        value = _claims(vp).get("jti") if vp.format == "jwt_vp" else vp.challenge
    if not isinstance(value, str) or value == "":
        raise Rfc021Error(
            "presentation has invalid/missing nonce",
            kind=INVALID_PRESENTATION,
            check="token.nonce_present",
            why=causes.MISSING,
            subject="nonce",
        )
    return value


# -- the token endpoint's rules around §4 (PROTOCOL.md §1.2, §1.5, §3.8): a Rule table --------------------
_T1, _T3 = "PROTOCOL.md §1.5 #1", "RFC021 §3; PROTOCOL.md §1.5 #3"
_SCOPE, _SCOPE_POLICY = "PROTOCOL.md §3.8; §1.5 #10", "PROTOCOL.md §3.8; §1.5 #11"
_FULFIL = "RFC021 §4.1.1–3; DIF PE v2 §6; PROTOCOL.md §3.7, §1.5 #12"
PD_OWNER = Rule(
    "pd.wallet_owner_type",
    "PROTOCOL.md §1.2",
    INVALID_REQUEST,
    "no presentation definition found for '{owner}' wallet",
    kind=causes.UNKNOWN,
    about="parameter",
    subject="wallet_owner_type",
)
SUBJECT = Rule(
    "token.subject", _T1, INVALID_REQUEST, "subject not found", kind=causes.UNKNOWN, about="subject"
)
PRE_AUTHORIZED = Rule(
    "token.grant_type",
    "PROTOCOL.md §1.5 #2",
    UNSUPPORTED_GRANT_TYPE,
    "not implemented yet",
    kind=causes.UNSUPPORTED,
    about="parameter",
    subject="grant_type",
)
GRANT = Rule(
    "token.grant_type",
    "RFC 6749 §5.2; PROTOCOL.md §1.5 #2",
    UNSUPPORTED_GRANT_TYPE,
    "grant_type '{grant_type}' is not supported",
    kind=causes.UNSUPPORTED,
    about="parameter",
    subject="grant_type",
)
PARAMS = Rule(
    "token.params",
    _T3,
    INVALID_REQUEST,
    "missing required parameters",
    kind=causes.MISSING,
    about="parameter",
)
ASSERTION = Rule(
    "token.assertion",
    "RFC021 §3; PROTOCOL.md §1.5 #4",
    INVALID_PRESENTATION,
    "assertion parameter is invalid: {reason}",
    kind=causes.INVALID,
    about="parameter",
    subject="assertion",
)
SUBMISSION = Rule(
    "token.submission",
    "DIF PE v2 §Presentation Submission; PROTOCOL.md §1.5 #5",
    INVALID_SUBMISSION,
    "invalid presentation submission: {reason}",
    kind=causes.INVALID,
    about="parameter",
    subject="presentation_submission",
)
SCOPE = Rule(
    "token.scope",
    _SCOPE,
    INVALID_SCOPE,
    "unsupported scope ({scope}) for presentation exchange: {reason}",
    kind=causes.UNSUPPORTED,
    about="parameter",
    subject="scope",
)
PROFILE_ONLY = Rule(
    "token.scope_policy",
    _SCOPE_POLICY,
    INVALID_SCOPE,
    "scope policy 'profile-only' does not allow additional scopes",
    kind=causes.NOT_ALLOWED,
    about="parameter",
    subject="scope",
)
DYNAMIC_SCOPE = Rule(
    "token.scope_policy",
    _SCOPE_POLICY,
    SERVER_ERROR,
    "dynamic scope policy configured but no ScopeEvaluator available",
    kind=causes.UNSUPPORTED,
    about="policy",
    subject="scope_policy",
)
PD_NOT_REQUIRED = Rule(
    "token.pd_fulfil",
    _FULFIL,
    INVALID_SUBMISSION,
    "presentation definition being fulfilled is not required: {definition_id}",
    kind=causes.UNKNOWN,
    about="presentation_definition",
)
PD_UNFULFILLED = Rule(
    "token.pd_fulfil",
    _FULFIL,
    INVALID_SUBMISSION,
    "{reason}",
    kind=causes.UNFULFILLED,
    about="presentation_definition",
)
NONCE_UNUSED = Rule(
    "token.nonce_unused",
    "RFC021 §4.4; PROTOCOL.md §1.5 #14",
    INVALID_PRESENTATION,
    "presentation nonce has already been used",
    kind=causes.REPLAYED,
    about="presentation",
    subject="nonce",
)
CLAIMS = Rule(
    "token.claims",
    "PROTOCOL.md §3.10; §1.5 #17",
    SERVER_ERROR,
    "{reason}",
    kind=causes.INVALID,
    about="presentation_definition",
)
