"""Format-neutral views of credentials and presentations, as the PEX engine sees them.

A ``Credential`` pairs the credential as it travels (``raw``: a compact JWT for
``jwt_vc``, a JSON-LD object for ``ldp_vc``) with its W3C VC data-model JSON view
(``document``), on which presentation-definition paths are evaluated. For a JWT VC
the view is built from the claims as VC-DM 1.1 §6.3.1 maps them (``iss`` → ``issuer``,
``jti`` → ``id``, ``nbf`` → ``issuanceDate``, ``exp`` → ``expirationDate``, ``sub`` →
``credentialSubject.id``); ``credentialSubject`` keeps the shape the issuer wrote,
which is why PD authors list both ``$.credentialSubject.x`` and
``$.credentialSubject[0].x`` (PROTOCOL.md §3.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Credential:
    """A verifiable credential: how it travels, and its data-model view."""

    raw: str | dict[str, Any]
    document: dict[str, Any] = field(repr=False)
    format: str  # "jwt_vc" | "ldp_vc"
    alg: str | None = None  # JWS alg of a jwt_vc
    proof_type: str | None = None  # proof type of an ldp_vc; None when it carries no proof

    @property
    def id(self) -> str:
        """The credential ``id`` (empty when absent)."""
        return str(self.document.get("id", ""))

    @property
    def issuer(self) -> str:
        """The issuer DID (``issuer`` may be a string or an object with ``id``)."""
        issuer = self.document.get("issuer", "")
        if isinstance(issuer, dict):
            issuer = issuer.get("id", "")
        return str(issuer)

    @property
    def types(self) -> list[str]:
        """The credential types as a list."""
        value = self.document.get("type", [])
        return [value] if isinstance(value, str) else [str(t) for t in value]

    @property
    def subjects(self) -> list[dict[str, Any]]:
        """The credential subjects as a list, whatever shape the issuer wrote."""
        value = self.document.get("credentialSubject", [])
        if isinstance(value, dict):
            return [value]
        return [s for s in value if isinstance(s, dict)] if isinstance(value, list) else []

    @property
    def subject_ids(self) -> list[str]:
        """The ``id`` of every credential subject that has one."""
        return [str(s["id"]) for s in self.subjects if s.get("id")]

    @property
    def type_label(self) -> str:
        """The most specific type (the one that is not ``VerifiableCredential``)."""
        specific = [t for t in self.types if t != "VerifiableCredential"]
        return specific[0] if specific else "VerifiableCredential"


@dataclass(frozen=True)
class Presentation:
    """A verifiable presentation: how it travels, its data-model view and its proof parameters.

    ``created``/``expires`` are JWT ``nbf`` (fallback ``iat``) / ``exp``, or the LD proof's
    ``created``/``expires``; ``audience`` is JWT ``aud`` or LD ``proof.domain``; ``nonce``
    is JWT ``nonce`` or LD ``proof.nonce`` (RFC021 §4.2–4.3, PROTOCOL.md §1.5).
    """

    raw: str | dict[str, Any]
    document: dict[str, Any] = field(repr=False)
    format: str  # "jwt_vp" | "ldp_vp"
    signer: str  # DID URL of the signing key (JWT kid, LD verificationMethod); "" if none
    holder: str | None
    audience: list[str]
    nonce: Any
    challenge: Any
    created: int | None
    expires: int | None
    credentials: tuple[Credential, ...]
    alg: str | None = None

    @property
    def signer_did(self) -> str:
        """The DID part of the signer's key id."""
        return self.signer.split("#", 1)[0]


# -- credential shapes used by Nuts (PROTOCOL.md §3.3) ----------------------------------------------
VC_CONTEXT = "https://www.w3.org/2018/credentials/v1"
NUTS_CONTEXT = "https://nuts.nl/credentials/v1"
STATUS_LIST_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"


def credential_document(
    *,
    id: str,
    type: str,
    issuer: str,
    issuance_date: str,
    subject: dict[str, Any] | list[dict[str, Any]],
    expiration_date: str | None = None,
    status: dict[str, Any] | None = None,
    contexts: list[str] | None = None,
) -> dict[str, Any]:
    """A W3C VC data-model document of one specific type."""
    ctx = contexts or [VC_CONTEXT, NUTS_CONTEXT]
    if status and STATUS_LIST_CONTEXT not in ctx:
        ctx = [*ctx, STATUS_LIST_CONTEXT]
    doc: dict[str, Any] = {
        "@context": ctx,
        "id": id,
        "type": ["VerifiableCredential", type],
        "issuer": issuer,
        "issuanceDate": issuance_date,
        "credentialSubject": subject,
    }
    if expiration_date:
        doc["expirationDate"] = expiration_date
    if status:
        doc["credentialStatus"] = status
    return doc


def organization_subject(did: str, name: str, city: str) -> dict[str, Any]:
    """The credentialSubject of a NutsOrganizationCredential."""
    return {"id": did, "organization": {"name": name, "city": city}}


def employee_subject(did: str | None, identifier: str, name: str, role: str) -> dict[str, Any]:
    """The flat credentialSubject of a NutsEmployeeCredential (PROTOCOL.md §2.4)."""
    subject = {"identifier": identifier, "name": name, "roleName": role}
    return {"id": did, **subject} if did else subject
