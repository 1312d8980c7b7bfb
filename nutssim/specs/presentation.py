"""PEX envelopes: the ``assertion`` / ``vp_token`` value as one VP or an array of VPs (PROTOCOL.md §1.5 #4).

An envelope is a JWT VP, a JSON-LD VP object, or a JSON array of either. Descriptor-map
paths address it with JWT VPs replaced by their ``vp`` JSON (``$.verifiableCredential[0]``
for one VP, ``$[0].verifiableCredential[0]`` for an array; ``pex.envelope_view``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nutssim import causes
from nutssim.causes import Cause
from nutssim.messages import parse_json
from nutssim.models.credential import Presentation
from nutssim.specs import vc_jwt
from nutssim.specs.vc_jwt import CredentialFormatError
from nutssim.specs.vc_verify import VERIFICATION_FAILED, VerificationFailed

if TYPE_CHECKING:
    from nutssim.specs.pex import PresentationSubmission


@dataclass(frozen=True)
class Envelope:
    """The parsed presentations and the JSON value submission paths address."""

    value: Any  # the assertion as JSON: a JWT string, a VP object, or a list of either
    presentations: tuple[Presentation, ...]


def parse_envelope(assertion: str, *, jwx_base64: bool = False) -> Envelope:
    """Parse an assertion string; raise ``CredentialFormatError`` with the reference's wording.

    ``jwx_base64``: read JWT VPs and VCs as the reference's jwx does (``jose.decode``).
    """
    text = assertion.strip()
    if text.startswith(("{", "[")):
        try:
            value = parse_json(text)
        except (ValueError, RecursionError):
            raise CredentialFormatError(
                "unable to parse PEX envelope as verifiable presentation: invalid JSON"
            ) from None
    else:
        value = text
    if isinstance(value, list):
        return Envelope(value, tuple(parse_presentation(v, jwx_base64=jwx_base64) for v in value))
    return Envelope(value, (parse_presentation(value, jwx_base64=jwx_base64),))


def parse_presentation(value: Any, *, jwx_base64: bool = False) -> Presentation:
    """Parse one VP: a compact JWT string or a JSON-LD object."""
    if isinstance(value, str):
        return vc_jwt.presentation_from_jwt(value, jwx_base64=jwx_base64)
    if isinstance(value, dict):
        return presentation_from_json(value, jwx_base64=jwx_base64)
    raise CredentialFormatError(
        f"unable to parse PEX envelope as verifiable presentation: unexpected {type(value).__name__}"
    )


def presentation_from_json(document: dict[str, Any], *, jwx_base64: bool = False) -> Presentation:
    """View a JSON-LD VP (JsonWebSignature2020 proof) as a ``Presentation``."""
    types = document.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "VerifiablePresentation" not in types:
        raise CredentialFormatError(
            "unable to parse PEX envelope as verifiable presentation: type VerifiablePresentation missing"
        )
    proof = document.get("proof")
    proof = proof[0] if isinstance(proof, list) and proof else proof
    proof = proof if isinstance(proof, dict) else {}
    raw_vcs = document.get("verifiableCredential", [])
    raw_vcs = raw_vcs if isinstance(raw_vcs, list) else [raw_vcs]
    domain = proof.get("domain")
    return Presentation(
        raw=document,
        document=document,
        format="ldp_vp",
        signer=str(proof.get("verificationMethod", "")),
        holder=document.get("holder"),
        audience=[str(domain)] if domain is not None else [],
        nonce=proof.get("nonce"),
        challenge=proof.get("challenge"),
        created=_ld_time(proof.get("created")),
        expires=_ld_time(proof.get("expires")),
        credentials=tuple(vc_jwt.parse_credential(v, jwx_base64=jwx_base64) for v in raw_vcs),
        alg=None,
    )


def check_critical_headers(vp: Presentation) -> None:
    """Refuse a JWT VP, or a JWT VC in it, whose ``crit`` names an extension (RFC 7515 §4.1.11).

    ``strict`` only: the reference refuses them later, after resolving the key and in jwx's
    words (``vc_verify`` under the nuts-node order, ``jwx_text.crit_refusal``). The
    failure reads as the JWT signature failure it is in the clause ("the JWS is invalid"):
    the VP's as ``unable to validate JWT signature: …``, a VC's as its JWT signature failure
    does (``invalid VC (id=…): presentation(s) or credential(s) verification failed: …``).
    """
    if vp.format == "jwt_vp" and isinstance(vp.raw, str):
        problem = vc_jwt.unknown_crit(vp.raw)
        if problem:
            raise VerificationFailed(
                f"unable to validate JWT signature: {problem}", check="vp.crit", kind=causes.UNSUPPORTED
            )
    for credential in vp.credentials:
        problem = vc_jwt.unknown_crit(credential.raw) if isinstance(credential.raw, str) else ""
        if problem:
            reason = f"{VERIFICATION_FAILED}: unable to validate JWT signature: {problem}"
            cause = Cause(causes.UNSUPPORTED, "credential", credential.id, reason=reason)
            raise VerificationFailed("", check="vc.crit", cause=cause)


def _ld_time(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return vc_jwt.from_rfc3339(value)
    except CredentialFormatError:
        return None


def parse_submission_text(text: str) -> PresentationSubmission:
    """Parse a ``presentation_submission`` form value (JSON text), under the PD limits in force."""
    from nutssim.specs import pex

    return pex.parse_submission(parse_json(text))
