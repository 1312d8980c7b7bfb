"""The X509Credential (Nuts RFC023): issued by the did:x509 of a certificate, verified as the reference does.

RFC023 §3 (credential): the holder of a certificate self-issues a JWT VC whose ``issuer`` is a
did:x509 naming the CA and the certificate's attributes, signed by the certificate's key, with
the chain in the JWS ``x5c`` header; ``credentialSubject.id`` is the holder's own DID, and the
subject carries the did:x509 policy values (``subject.O``, ``subject.L``, ``san.otherName``, …).
A verifier trusts the organization through the chain (and its PD pinning the CA fingerprint).

Verification reproduces ``vcr/credential/validator.go`` ``x509CredentialValidator.Validate``
(d2ad162), in its order: issuer is did:x509; JWT format; did:x509 resolution against the x5c
(``vdr/didx509``); every subject claim present in the DID's policies
(``validatePolicyAssertions``); ``expirationDate`` required and not after the leaf's notAfter;
``issuanceDate`` not before its notBefore; the CRLs of the chain (``pki.Validator.CheckCRL``,
soft-fail by default); then the default validator.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol
from urllib.parse import quote

from cryptography import x509

from nutssim import causes, jose
from nutssim.errors import ProtocolError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.models.credential import Credential
from nutssim.specs import did_x509, vc_jwt, x509_ca
from nutssim.specs.did_x509 import X509ResolutionError
from nutssim.specs.x509_ca import Issued, Organization

TYPE = "X509Credential"


class CRLChecker(Protocol):
    """Checks a validated chain against its CRLs (``pki.Validator.CheckCRL``), fetching over the network."""

    def check(self, chain: list[x509.Certificate], now: int) -> Generator[HttpRequest, HttpResponse, None]:
        """Return when no certificate is revoked (or, soft-fail, when that cannot be established)."""
        ...


class X509CredentialInvalid(ProtocolError):
    """An X509Credential broke a rule of its validator; ``kind`` is the cause kind (vc_verify wraps it)."""

    check = "vc.x509"

    def __init__(self, detail: str, *, check: str, kind: str) -> None:
        super().__init__(detail, check=check)
        self.kind = kind


def _failed(reason: str, check: str, kind: str = causes.VALIDATION) -> X509CredentialInvalid:
    return X509CredentialInvalid(f"validation failed: {reason}", check=check, kind=kind)


# -- issuing ------------------------------------------------------------------------------------
def did_for(root: Issued, org: Organization) -> str:
    """The did:x509 the go-didx509-toolkit makes for a UZI certificate: CA fingerprint, otherName, O and L."""
    san = f"san:otherName:{quote(org.other_name, safe='')}"
    subject = f"subject:O:{quote(org.name, safe='')}:L:{quote(org.city, safe='')}"
    return f"did:x509:0:sha256:{root.fingerprint()}::{san}::{subject}"


def credential_subject(holder: str, org: Organization) -> dict[str, Any]:
    """RFC023 §3.2: the holder's DID and the policy values, nested per policy name."""
    return {"id": holder, "san": {"otherName": org.other_name}, "subject": {"O": org.name, "L": org.city}}


def issue(
    holder: str,
    leaf: Issued,
    chain: list[Issued],
    did: str,
    subject: dict[str, Any],
    issued_at: int,
    expires_at: int,
    credential_id: str,
) -> str:
    """The self-issued X509Credential JWT: ``kid`` did#0, ``x5c`` leaf first, ``x5t#S256`` (RFC 7515 §4.1)."""
    del holder  # the holder is the subject's id; named for the reader of a call
    document = {
        "@context": [vc_jwt.VC_CONTEXT],
        "type": ["VerifiableCredential", TYPE],
        "id": credential_id,
        "issuer": did,
        "issuanceDate": vc_jwt.to_rfc3339(issued_at),
        "expirationDate": vc_jwt.to_rfc3339(expires_at),
        "credentialSubject": subject,
    }
    headers = {"x5c": x509_ca.x5c(*chain), "x5t#S256": leaf.fingerprint("sha256")}
    return vc_jwt.issue_credential(document, leaf.key.with_kid(f"{did}#0"), headers=headers)


# -- verifying ------------------------------------------------------------------------------------
def x5c_of(credential: Credential) -> Any:
    """The ``x5c`` protected header of a JWT credential (None when absent)."""
    return jose.decode(credential.raw, jwx_base64=True).header.get("x5c")  # re-read: its parse decided


def resolve_issuer(credential: Credential, now: int, *, eku_policy: bool = False) -> did_x509.DIDDocument:
    """The issuer's did:x509 document from the credential's own x5c (signature-check resolution)."""
    if credential.format != "jwt_vc":
        raise X509ResolutionError("no x5c header found")
    return did_x509.resolve(credential.issuer, x5c_of(credential), now, eku_policy=eku_policy)


def validate(
    credential: Credential, now: int, crl: CRLChecker | None, *, eku_policy: bool = False
) -> Generator[HttpRequest, HttpResponse, None]:
    """``x509CredentialValidator.Validate`` up to (not including) the default validator."""
    if not credential.issuer.startswith(did_x509.METHOD):
        raise _failed("issuer of X509Credential MUST be did:x509 DID", "vc.x509.issuer")
    if credential.format != "jwt_vc":
        raise _failed(f"unsupported credential format: {credential.format}", "vc.x509.format")
    try:
        did_x509.resolve(credential.issuer, x5c_of(credential), now, eku_policy=eku_policy)
    except X509ResolutionError as exc:
        kind = causes.TIME if "expired or is not yet valid" in str(exc) else causes.VALIDATION
        raise _failed(f"invalid issuer: {exc}", exc.check, kind) from None
    check_policy_assertions(credential)
    chain = did_x509.parse_chain(x5c_of(credential))
    check_validity(credential, chain[0])
    if crl is not None:
        yield from crl.check(chain, now)


def check_policy_assertions(credential: Credential) -> None:
    """``validatePolicyAssertions``: every ``credentialSubject.<policy>.<key>`` equals the DID's value."""
    policies: dict[str, dict[str, str]] = {}
    for name, value in did_x509.parse(credential.issuer).policies:
        # A later policy of the same name replaces an earlier one (the reference's map assignment).
        policies[name] = {k: did_x509.path_unescape(v) for k, v in did_x509.policy_pairs(value)}
    for subject in credential.subjects:
        for name, values in subject.items():
            if name == "id":
                continue
            if not isinstance(values, dict):
                raise _failed(
                    f"invalid assertion value type for 'credentialSubject.{name}'", "vc.x509.claims"
                )
            if name not in policies:
                raise _failed(f"policy '{name}' not found in did:x509 policy", "vc.x509.claims")
            for key, value in values.items():
                if not isinstance(value, str):
                    raise _failed(
                        f"invalid assertion value type for 'credentialSubject.{name}.{key}'", "vc.x509.claims"
                    )
                if key not in policies[name]:
                    raise _failed(
                        f"assertion 'credentialSubject.{name}.{key}' not found in did:x509 policy",
                        "vc.x509.claims",
                    )
                if value != policies[name][key]:
                    raise _failed(
                        f"invalid assertion value '{value}' for '{name}:{key}' did:x509 policy",
                        "vc.x509.claims",
                    )


def check_validity(credential: Credential, leaf: x509.Certificate) -> None:
    """The credential's validity must lie within the leaf certificate's (validator.go)."""
    doc = credential.document
    if not doc.get("expirationDate"):
        raise _failed("'expirationDate' is required", "vc.x509.expiration")
    expires = vc_jwt.from_rfc3339(doc["expirationDate"])
    if expires > int(leaf.not_valid_after_utc.timestamp()):
        raise _failed("credential expiration date is after certificate's notAfter", "vc.x509.expiration")
    issued = vc_jwt.from_rfc3339(doc["issuanceDate"]) if doc.get("issuanceDate") else None
    if issued is not None and issued < int(leaf.not_valid_before_utc.timestamp()):
        raise _failed("credential issuance date is before certificate's notBefore", "vc.x509.issuance")
