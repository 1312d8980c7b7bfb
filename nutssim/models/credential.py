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
