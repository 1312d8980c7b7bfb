"""DID documents (W3C DID Core) as pydantic models, in the shape the Nuts node serves (PROTOCOL.md §3.1)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nutssim.errors import ProtocolError
from nutssim.jose import PublicKey

RELATIONSHIPS = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")
DID_CONTEXTS = [
    "https://www.w3.org/ns/did/v1",
    "https://w3c-ccg.github.io/lds-jws2020/contexts/lds-jws2020-v1.json",
]


class DIDDocumentError(ProtocolError):
    """A DID document is malformed or lacks what a check needed."""

    check = "did.document"


class VerificationMethod(BaseModel):
    """A JsonWebKey2020 verification method."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str
    type: str = "JsonWebKey2020"
    controller: str
    public_key_jwk: dict[str, Any] = Field(alias="publicKeyJwk")


class DIDDocument(BaseModel):
    """A DID document; relationships hold DID URLs or embedded methods."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    context: list[str] | str = Field(default_factory=lambda: list(DID_CONTEXTS), alias="@context")
    id: str
    verification_method: list[VerificationMethod] = Field(default_factory=list, alias="verificationMethod")
    assertion_method: list[str | VerificationMethod] = Field(default_factory=list, alias="assertionMethod")
    authentication: list[str | VerificationMethod] = Field(default_factory=list)
    capability_invocation: list[str | VerificationMethod] = Field(
        default_factory=list, alias="capabilityInvocation"
    )
    capability_delegation: list[str | VerificationMethod] = Field(
        default_factory=list, alias="capabilityDelegation"
    )

    @classmethod
    def parse(cls, data: Any) -> DIDDocument:
        """Validate a received document; a malformed one raises ``DIDDocumentError``."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = "/".join(str(p) for p in first["loc"])
            raise DIDDocumentError(f"invalid DID document at /{where}: {first['msg']}") from None

    def to_json(self) -> dict[str, Any]:
        """The document as served (by alias, no unset optional members)."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def _relationship(self, name: str) -> list[str | VerificationMethod]:
        attr = {
            "assertionMethod": "assertion_method",
            "authentication": "authentication",
            "capabilityInvocation": "capability_invocation",
            "capabilityDelegation": "capability_delegation",
        }[name]
        value: list[str | VerificationMethod] = getattr(self, attr)
        return value

    def method(self, did_url: str) -> VerificationMethod | None:
        """The verification method with id ``did_url`` (relative ``#frag`` ids are resolved)."""
        for vm in self._all_methods():
            vm_id = vm.id if not vm.id.startswith("#") else self.id + vm.id
            if vm_id == did_url:
                return vm
        return None

    def _all_methods(self) -> list[VerificationMethod]:
        embedded = [
            m for rel in RELATIONSHIPS for m in self._relationship(rel) if isinstance(m, VerificationMethod)
        ]
        return [*self.verification_method, *embedded]

    def in_relationship(self, did_url: str, relationship: str = "assertionMethod") -> bool:
        """Whether ``did_url`` is listed under ``relationship``."""
        for entry in self._relationship(relationship):
            ref = entry.id if isinstance(entry, VerificationMethod) else entry
            if (self.id + ref if ref.startswith("#") else ref) == did_url:
                return True
        return False

    def first_key_id(self, relationship: str = "assertionMethod") -> str:
        """The id of the first method listed under ``relationship``."""
        entries = self._relationship(relationship)
        if not entries:
            raise DIDDocumentError(f"{self.id} has no {relationship} key")
        ref = entries[0].id if isinstance(entries[0], VerificationMethod) else entries[0]
        return self.id + ref if ref.startswith("#") else ref

    def public_key(self, did_url: str, relationship: str = "assertionMethod") -> PublicKey:
        """The public key of ``did_url``, which must be listed under ``relationship``."""
        vm = self.method(did_url)
        if vm is None:
            raise DIDDocumentError(f"verification method {did_url} not found in {self.id}")
        if not self.in_relationship(did_url, relationship):
            raise DIDDocumentError(f"verification method {did_url} is not an {relationship} key of {self.id}")
        return PublicKey.from_jwk(vm.public_key_jwk)


def did_of(did_url: str) -> str:
    """The DID part of a DID URL (before ``#``, ``?`` or ``/`` path)."""
    return did_url.split("#", 1)[0].split("?", 1)[0]


def document_for(did: str, keys: list[tuple[str, dict[str, Any]]]) -> DIDDocument:
    """Build the node's DID document: every key in every relationship (PROTOCOL.md §3.1)."""
    methods = [VerificationMethod(id=kid, controller=did, publicKeyJwk=jwk) for kid, jwk in keys]
    ids: list[str | VerificationMethod] = [m.id for m in methods]
    return DIDDocument(
        id=did,
        verificationMethod=methods,
        assertionMethod=list(ids),
        authentication=list(ids),
        capabilityInvocation=list(ids),
        capabilityDelegation=list(ids),
    )
