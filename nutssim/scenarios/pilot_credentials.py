"""The pilot credential set of the Generic Functions (GF) credential catalogue, issued in a simulation.

Five credential types, each in the shape of its GF catalogue page (nl-generic-functions-ig,
``input/pagecontent/credential-<Type>.md``, 2026; attributes under ``credentialSubject``):

- ``HealthcareProviderCredential``: issuer the care organization's ``did:x509`` from its UZI
  *server* certificate (pastype ``S``), subject its ``did:web``; the URA as a FHIR identifier
  (``identifier.system`` ``http://fhir.nl/fhir/NamingSystem/ura``) that equals the URA in the
  certificate's ``san:otherName``, and the name that equals its ``subject:O``.
- ``ServiceProviderCredential``: issuer the agreement framework's system operator
  (``stelselhouder``, a did:web), subject the service provider; its ``name`` and ``services``.
- ``ServiceProviderDelegationCredential``: issuer the care organization's ``did:web``, subject
  the service provider; ``hasDelegation.issuedBy`` names the organization by URA,
  ``hasDelegation.scope`` the authorization rule and actions (care org -> service provider).
- ``PatientEnrollmentCredential``: issuer the ``did:x509`` of the professional's UZI pass
  (pastype ``Z`` or ``N``), subject the organization; ``hasEnrollment`` names the organization
  (``issuedTo``, URA), the patient (BSN) and who enrolled (UZI number).
- ``HealthcareProfessionalDelegationCredential``: issuer the professional's ``did:x509`` (pastype
  ``Z``), subject the organization; ``hasDelegation`` names the organization (``issuedTo``), the
  professional (``delegatedBy``, UZI number and role code) and the scope (care org <- professional).

Simulated, not copied: the CA chain is ``specs/x509_ca.py``'s (P-256, so every JWT is ES256
where GF names RS256/PS256 for UZI hardware); the did:x509 of an organization is the one the
go-didx509-toolkit makes (``x509_credential.did_for``: CA fingerprint, otherName, O and L), a
pass's names only its otherName (as the GF examples do). The otherName follows the UZI order
``<OID>-<card>-<UZI number>-<pastype>-<URA>-<role>-<AGB>`` that the reference's e2e policy
reads (the GF examples' placeholder numbers do not keep that order). The GF catalogue spells
``HealthcareProfessionalDelegationCredential``; nuts-node's project-gf example policy
(``development/lspxnuts/policies/lspxnuts.json``) asks for ``HealthCareProfessionalDelegationCredential``
in an older, flat shape: the pilot PD accepts both spellings (``DELEGATION_TYPES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nutssim.models.credential import Credential, credential_document
from nutssim.parties.issuer import Issuer
from nutssim.parties.node import Subject
from nutssim.simulation import Simulation
from nutssim.specs import rfc7523, vc_jwt

if TYPE_CHECKING:  # cryptography.x509 is imported only when a pilot world is built (Pyodide lacks it)
    from nutssim.parties.certificate_authority import CertificateAuthority
    from nutssim.specs import x509_ca

DAY = 86400
HEALTHCARE_PROVIDER = "HealthcareProviderCredential"
SERVICE_PROVIDER = rfc7523.SERVICE_PROVIDER_TYPE
SERVICE_PROVIDER_DELEGATION = rfc7523.DELEGATION_TYPE
PATIENT_ENROLLMENT = "PatientEnrollmentCredential"
PROFESSIONAL_DELEGATION = "HealthcareProfessionalDelegationCredential"  # the GF catalogue's spelling
#: Both spellings in circulation (GF catalogue; nuts-node project-gf lspxnuts.json).
DELEGATION_TYPES = (PROFESSIONAL_DELEGATION, "HealthCareProfessionalDelegationCredential")
PILOT_TYPES = (
    HEALTHCARE_PROVIDER,
    SERVICE_PROVIDER,
    SERVICE_PROVIDER_DELEGATION,
    PATIENT_ENROLLMENT,
    PROFESSIONAL_DELEGATION,
)

#: FHIR NamingSystems the GF attributes name (identifier.system).
URA_SYSTEM = "http://fhir.nl/fhir/NamingSystem/ura"
BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn"
UZI_SYSTEM = "http://fhir.nl/fhir/NamingSystem/uzi-nr-pers"
#: Placeholder values (the GF pages say the AORTA value sets are still to be determined).
AUTHORIZATION_RULE = "https://aorta.example.nl/authorizations/gtk"
SP_ACTIONS = ["tokenRequest", "presentCredentials"]
PROFESSIONAL_ACTIONS = ["read"]


@dataclass(frozen=True)
class Pass:
    """A did:x509 signer: its leaf certificate, the chain (x5c order) and its DID."""

    leaf: x509_ca.Issued
    chain: list[x509_ca.Issued]
    did: str


def identifier(system: str, value: str) -> dict[str, Any]:
    """A GF identifier (``schema:PropertyValue``): ``@type`` Identifier, system, value."""
    return {"@type": "Identifier", "system": system, "value": value}


def provider(ura: str) -> dict[str, Any]:
    """A healthcare provider named by its URA (``issuedBy`` / ``issuedTo``)."""
    return {"@type": "HealthcareProvider", "identifier": identifier(URA_SYSTEM, ura)}


# -- did:x509 signers ----------------------------------------------------------------------------------
def organization_pass(ca: CertificateAuthority, org: x509_ca.Organization, not_before: int) -> Pass:
    """The care organization's UZI server certificate (pastype S) and its did:x509 (O, L and otherName)."""
    from nutssim.specs import x509_credential

    leaf = ca.issue_certificate(org, not_before=not_before, days=3 * 365)
    return Pass(leaf, ca.chain(leaf), x509_credential.did_for(ca.root, org))


def professional_pass(ca: CertificateAuthority, person: x509_ca.Organization, not_before: int) -> Pass:
    """A professional's UZI pass (pastype Z or N) and its did:x509 naming only the otherName."""
    leaf = ca.issue_certificate(person, not_before=not_before, days=3 * 365)
    did = f"did:x509:0:sha256:{ca.root.fingerprint()}::san:otherName:{quote(person.other_name, safe='')}"
    return Pass(leaf, ca.chain(leaf), did)


def _document(sim: Simulation, type_: str, issuer: str, subject: dict[str, Any], days: int) -> dict[str, Any]:
    now = sim.clock.now()
    return credential_document(
        id=f"{issuer}#{sim.rng.uuid()}",
        type=type_,
        issuer=issuer,
        issuance_date=vc_jwt.to_rfc3339(now),
        expiration_date=vc_jwt.to_rfc3339(now + days * DAY),
        subject=subject,
        contexts=[vc_jwt.VC_CONTEXT],
    )


def sign_with_pass(sim: Simulation, signer: Pass, document: dict[str, Any], holder: Subject) -> Credential:
    """A JWT VC signed with the pass key (``kid`` did#0, ``x5c`` leaf first: RFC023 §3.3), into the wallet."""
    from nutssim.specs import x509_ca

    headers = {"x5c": x509_ca.x5c(*signer.chain), "x5t#S256": signer.leaf.fingerprint("sha256")}
    raw = vc_jwt.issue_credential(document, signer.leaf.key.with_kid(f"{signer.did}#0"), headers=headers)
    credential = vc_jwt.parse_credential(raw)
    holder.wallet.add(credential)
    sim.record_issued(holder.node.id, credential, holder.did)
    return credential


# -- the five credentials ------------------------------------------------------------------------------
def healthcare_provider(sim: Simulation, signer: Pass, org: Subject, ura: str, days: int = 365) -> Credential:
    """GF HealthcareProviderCredential: the organization's URA, from its own UZI server certificate."""
    subject = {
        "id": org.did,
        "@type": "HealthcareProvider",
        "identifier": identifier(URA_SYSTEM, ura),
        "name": org.name,
    }
    return sign_with_pass(sim, signer, _document(sim, HEALTHCARE_PROVIDER, signer.did, subject, days), org)


def service_provider(
    sim: Simulation, operator: Issuer, vendor: Subject, days: int = 365, *, revocable: bool = False
) -> Credential:
    """GF ServiceProviderCredential: the system operator certifies the vendor for ``gbc-client``.

    ``revocable`` gives it a status list entry (StatusList2021; GF names Bitstring Status List
    v1.0 as optional and "not currently used").
    """
    subject = {"id": vendor.did, "@type": "ServiceProvider", "name": vendor.name, "services": ["gbc-client"]}
    document = _document(sim, SERVICE_PROVIDER, operator.did, subject, days)
    return operator.issue(document, vendor, revocable=revocable)


def service_provider_delegation(
    sim: Simulation, org: Subject, ura: str, vendor: Subject, *, days: int = 365, add: bool = True
) -> Credential:
    """GF ServiceProviderDelegationCredential: ``org`` (by URA) lets ``vendor`` act on its behalf."""
    subject = {
        "id": vendor.did,
        "@type": "ServiceProvider",
        "hasDelegation": {
            "@type": "Delegation",
            "issuedBy": provider(ura),
            "scope": {
                "@type": "DelegationScope",
                "authorizationRule": AUTHORIZATION_RULE,
                "authorizedActions": SP_ACTIONS,
            },
        },
    }
    document = _document(sim, SERVICE_PROVIDER_DELEGATION, org.did, subject, days)
    credential = vc_jwt.parse_credential(vc_jwt.issue_credential(document, org.identities[0].key))
    if add:
        vendor.wallet.add(credential)
    return credential


def patient_enrollment(
    sim: Simulation, signer: Pass, org: Subject, ura: str, bsn: str, uzi: str, days: int = 365
) -> Credential:
    """GF PatientEnrollmentCredential: the patient ``bsn`` is enrolled with ``org``, signed on a UZI pass."""
    subject = {
        "id": org.did,
        "@type": "HealthcareProvider",
        "hasEnrollment": {
            "@type": "PatientEnrollment",
            "issuedTo": provider(ura),
            "patient": {"@type": "Patient", "identifier": identifier(BSN_SYSTEM, bsn)},
            "enrolledBy": {"@type": "HealthcareWorker", "identifier": identifier(UZI_SYSTEM, uzi)},
        },
    }
    return sign_with_pass(sim, signer, _document(sim, PATIENT_ENROLLMENT, signer.did, subject, days), org)


def professional_delegation(
    sim: Simulation, signer: Pass, org: Subject, ura: str, uzi: str, role: str, days: int = 365
) -> Credential:
    """GF HealthcareProfessionalDelegationCredential: the professional mandates ``org`` (Z-pas signed)."""
    subject = {
        "id": org.did,
        "@type": "HealthcareProvider",
        "hasDelegation": {
            "@type": "Delegation",
            "issuedTo": provider(ura),
            "delegatedBy": {
                "@type": "HealthcareProfessional",
                "identifier": identifier(UZI_SYSTEM, uzi),
                "roleCode": role,
            },
            "scope": {
                "@type": "DelegationScope",
                "authorizationRule": AUTHORIZATION_RULE,
                "authorizedActions": PROFESSIONAL_ACTIONS,
            },
        },
    }
    return sign_with_pass(
        sim, signer, _document(sim, PROFESSIONAL_DELEGATION, signer.did, subject, days), org
    )
