"""did:x509 resolution from a JWS ``x5c`` chain, as the reference's ``vdr/didx509`` (d2ad162).

``did:x509:0:<hash>:<ca-fingerprint>::<policy>:<key>:<value>[:<key>:<value>]…`` (did:x509
method spec, "Method-specific identifier"). Resolution follows the spec's Read steps as
``vdr/didx509/resolver.go`` ``Resolver.Resolve`` does: parse the chain (leaf first, at least
two certificates), validate the path to the root *the chain itself carries* (the reference
builds its trust store from ``chain[1:]``, so trust in a CA comes only from the fingerprint in
the DID, and a verifier must pin it, e.g. with a PD ``issuer`` pattern), check the x5c order,
find the ca-fingerprint among the CAs, match the policies against the leaf, then build the
document from the leaf key. Revocation is *not* checked here (resolver.go step 3, deferred to
X509Credential validation).

Path validation uses ``cryptography.x509.verification`` (RFC 5280 path building, in Rust),
with the EKU left open as the reference's ``KeyUsages: ExtKeyUsageAny`` (nuts-node #4279, so a
UZI signing certificate without serverAuth validates). Validity times are checked first, in
chain order, with Go's words, because Go's ``x509.Certificate.Verify`` reports them that way.

Profiles: ``nuts-node`` knows the policies ``subject`` (C, CN, L, O, OU, ST, STREET,
serialNumber) and ``san`` (otherName, dns, email, ip) and refuses ``eku`` as an "unknown policy
type" (resolver.go: "The policy eku is not implemented"); ``strict`` adds the spec's ``eku``
policy (the leaf's EKU must list the OID).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, unquote_plus

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from nutssim.errors import ProtocolError
from nutssim.jose import PublicKey
from nutssim.limits import MAX_CERT_BYTES, MAX_CHAIN
from nutssim.models.did import DIDDocument, VerificationMethod
from nutssim.rng import b64url
from nutssim.specs.did import DIDResolutionError

METHOD = "did:x509:"
HASHES = ("sha1", "sha256", "sha384", "sha512")
#: Go's ``pkix.Name.String()`` names serialNumber SERIALNUMBER; cryptography would print its OID.
NAME_OVERRIDES = {NameOID.SERIAL_NUMBER: "SERIALNUMBER"}
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class X509ResolutionError(DIDResolutionError):
    """A did:x509 DID did not resolve against its chain; the message is the reference's."""

    check = "did.x509"


@dataclass(frozen=True)
class X509DID:
    """A parsed did:x509 (``X509DidReference``): hash algorithm, CA fingerprint, policies."""

    did: str
    hash: str
    fingerprint: str
    policies: tuple[tuple[str, str], ...]


def parse(did: str) -> X509DID:
    """``ParseX509Did``: version 0, ``<hash>:<fingerprint>``, then ``::``-separated policies."""
    if not did.startswith(METHOD):
        raise X509ResolutionError(f"unsupported DID method: {did.split(':')[1] if ':' in did else did}")
    parts = did[len(METHOD) :].split("::")
    head = parts[0].split(":")
    if len(head) != 3:
        raise X509ResolutionError("did:x509 is malformed")
    if head[0] != "0":
        raise X509ResolutionError("did:x509 does not have version 0")
    policies: list[tuple[str, str]] = []
    for text in parts[1:]:
        fragments = text.split(":")
        if len(fragments) < 2:
            raise X509ResolutionError("did:x509 policy is malformed")
        policies.append((fragments[0], ":".join(fragments[1:])))
    return X509DID(did, head[1], head[2], tuple(policies))


def policy_pairs(value: str) -> list[tuple[str, str]]:
    """A policy value ``k:v:k:v`` as raw pairs; an odd count is malformed (validation.go ``validate``)."""
    items = value.split(":")
    if len(items) % 2:
        raise X509ResolutionError("did:x509 policy is malformed")
    return [(items[i], items[i + 1]) for i in range(0, len(items), 2)]


def query_unescape(text: str) -> str:
    """Go's ``url.QueryUnescape``: ``%XX`` and ``+`` as a space; a bad escape is an error."""
    bad = _ESCAPE.search(text)
    if bad:
        raise X509ResolutionError(f'invalid URL escape "{text[bad.start() : bad.start() + 3]}"')
    return unquote_plus(text, errors="surrogateescape")  # Go keeps invalid UTF-8 bytes


def path_unescape(text: str) -> str:
    """Go's ``url.PathUnescape`` (``+`` stays ``+``), as ``validatePolicyAssertions`` uses."""
    return unquote(text, errors="surrogateescape")


# -- the chain ----------------------------------------------------------------------------------
def parse_chain(x5c: Any) -> list[x509.Certificate]:
    """The ``x5c`` header as certificates: standard base64 DER (nuts-node #3603), leaf first."""
    if x5c is None:
        raise X509ResolutionError("no x5c header found")
    if not isinstance(x5c, list) or not all(isinstance(c, str) for c in x5c) or len(x5c) > MAX_CHAIN:
        raise X509ResolutionError("did:x509 x5c certificate parsing: invalid x5c header")
    chain = []
    for text in x5c:
        try:
            if len(text) > MAX_CERT_BYTES * 4 // 3 + 4:
                raise ValueError("certificate too large")
            chain.append(_load(base64.b64decode(text, validate=True)))
        # Hostile DER: cryptography raises ValueError, TypeError, InvalidVersion, DuplicateExtension,
        # UnsupportedAlgorithm…; every one is a parse failure here, never a traceback.
        except Exception as exc:
            raise X509ResolutionError(f"did:x509 x5c certificate parsing: {exc}") from None
    if len(chain) < 2:
        raise X509ResolutionError("did:x509 x5c certificate chain must contain at least two certificates")
    return chain


def _load(der: bytes) -> x509.Certificate:
    """Parse a DER certificate eagerly, as Go's ``x509.ParseCertificate`` does (cryptography is lazy)."""
    with warnings.catch_warnings():
        # Go (1.23+) refuses a negative or zero serial; cryptography only warns (for now).
        warnings.simplefilter("error", CryptographyDeprecationWarning)
        try:
            cert = x509.load_der_x509_certificate(der)
        except CryptographyDeprecationWarning:
            raise ValueError("x509: negative serial number") from None
    for extension in cert.extensions:  # every extension decoded now, not at first use
        _ = extension.value
    _ = (
        cert.subject.rfc4514_string(),
        cert.issuer.rfc4514_string(),
        cert.public_key(),
        cert.not_valid_after_utc,
    )
    return cert


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_times(chain: list[x509.Certificate], now: int) -> None:
    """Go's ``isValid``: every certificate's validity window, leaf first, in Go's words."""
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    for cert in chain:
        if moment < cert.not_valid_before_utc:
            detail = f"current time {_rfc3339(moment)} is before {_rfc3339(cert.not_valid_before_utc)}"
        elif moment > cert.not_valid_after_utc:
            detail = f"current time {_rfc3339(moment)} is after {_rfc3339(cert.not_valid_after_utc)}"
        else:
            continue
        raise X509ResolutionError(
            "did:509 certificate chain validation failed: "
            f"x509: certificate has expired or is not yet valid: {detail}"
        )


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _is_root(cert: x509.Certificate) -> bool:
    # core.BuildTrustStore: a CA (or v1) certificate whose subject equals its issuer.
    v1 = cert.version == x509.Version.v1
    return (_is_ca(cert) or v1) and cert.subject == cert.issuer


def validate_path(chain: list[x509.Certificate], now: int) -> list[x509.Certificate]:
    """Validate leaf → root with the chain's own CAs as trust store, any EKU (#4279); the path found."""
    _check_times(chain, now)
    roots = [c for c in chain[1:] if _is_root(c)]
    intermediates = [c for c in chain[1:] if _is_ca(c) and not _is_root(c)]
    if not roots:
        raise X509ResolutionError(
            "did:509 certificate chain validation failed: x509: certificate signed by unknown authority"
        )
    # ExtKeyUsageAny: the EE policy may carry any EKU (or none); CA policy as RFC 5280 defaults.
    ee = (
        ExtensionPolicy.webpki_defaults_ee()
        .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None)
        .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
    )
    builder = (
        PolicyBuilder()
        .store(Store(roots))
        .time(dt.datetime.fromtimestamp(now, dt.UTC))
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee)
    )
    try:
        path = builder.build_client_verifier().verify(chain[0], intermediates).chain
    except VerificationError as exc:
        raise X509ResolutionError(
            "did:509 certificate chain validation failed: x509: certificate signed by unknown authority"
            f" ({exc})"
        ) from None
    return list(path)


def check_order(chain: list[x509.Certificate], path: list[x509.Certificate]) -> None:
    """resolver.go sanity checks: no extra certificates, and the x5c sorted leaf to root."""
    if len(path) != len(chain):
        raise X509ResolutionError(
            "did:x509 x5c header contains more certificates than the validated certificate chain"
        )
    if any(a != b for a, b in zip(chain, path, strict=True)):
        raise X509ResolutionError("did:x509 x5c header must be sorted from leaf- to root certificate")


def fingerprint(cert: x509.Certificate, alg: str) -> bytes:
    """The hash of the DER certificate (``x509_utils.go`` ``hash``), algorithm case-insensitive."""
    name = alg.lower()
    if name not in HASHES:
        raise X509ResolutionError("unsupported hash algorithm")
    return hashlib.new(name, cert.public_bytes(Encoding.DER)).digest()


def find_ca(chain: list[x509.Certificate], ref: X509DID) -> x509.Certificate:
    """``findCertificateByHash``, then the ca-fingerprint must name a CA, not the leaf."""
    try:
        target = base64.urlsafe_b64decode(ref.fingerprint + "=" * (-len(ref.fingerprint) % 4))
        if "=" in ref.fingerprint or "+" in ref.fingerprint or "/" in ref.fingerprint:
            raise ValueError
    except (ValueError, binascii.Error):
        raise X509ResolutionError("invalid hash") from None
    for cert in chain:
        if fingerprint(cert, ref.hash) == target:
            if not _is_ca(cert):
                raise X509ResolutionError(
                    "did:x509 ca-fingerprint refers to leaf certificate, must be either root or "
                    "intermediate CA certificate"
                )
            return cert
    raise X509ResolutionError("cannot find a certificate with the given hash")


# -- policies ---------------------------------------------------------------------------------------
_SUBJECT = {
    "C": NameOID.COUNTRY_NAME,
    "CN": NameOID.COMMON_NAME,
    "L": NameOID.LOCALITY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "STREET": NameOID.STREET_ADDRESS,
    "serialNumber": NameOID.SERIAL_NUMBER,
}
#: Go's pkix.Name keeps the *last* CN and serialNumber; the other attributes as lists.
_SINGLE = {"CN", "serialNumber"}
_DER_STRINGS = {
    0x0C: "utf-8",
    0x13: "ascii",
    0x16: "ascii",
    0x12: "ascii",
    0x14: "latin-1",
    0x1E: "utf-16-be",
}


def subject_values(cert: x509.Certificate, key: str) -> list[str]:
    """The subject attribute ``key`` as Go's ``pkix.Name`` holds it."""
    values = [str(a.value) for a in cert.subject.get_attributes_for_oid(_SUBJECT[key])]
    return values[-1:] if key in _SINGLE else values


def other_names(cert: x509.Certificate) -> list[str]:
    """SAN otherName values of type 2.5.5.5 decoded as a DER string (``findOtherNameValues``)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    found = []
    for name in san.get_values_for_type(x509.OtherName):
        if name.type_id.dotted_string == "2.5.5.5":
            found.append(_der_string(name.value))
    return found


def _der_string(data: bytes) -> str:
    """A DER string value (what Go's ``asn1.Unmarshal`` into a string accepts), short or long form."""
    if len(data) < 2 or data[0] not in _DER_STRINGS:
        raise X509ResolutionError("asn1: structure error: tags don't match")
    length, start = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 2 or len(data) < 2 + count:
            raise X509ResolutionError("asn1: structure error: invalid length")
        length, start = int.from_bytes(data[2 : 2 + count], "big"), 2 + count
    if len(data) != start + length:
        raise X509ResolutionError("asn1: syntax error: trailing data")
    try:
        return data[start:].decode(_DER_STRINGS[data[0]])
    except UnicodeDecodeError:
        raise X509ResolutionError("asn1: structure error: invalid string") from None


def _san_values(cert: x509.Certificate, key: str) -> list[str]:
    if key == "otherName":
        return other_names(cert)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    if key == "dns":
        return list(san.get_values_for_type(x509.DNSName))
    if key == "email":
        return list(san.get_values_for_type(x509.RFC822Name))
    return [str(v) for v in san.get_values_for_type(x509.IPAddress)]  # Go's net.IP.String()


def _eku(cert: x509.Certificate) -> list[str]:
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return []
    return [oid.dotted_string for oid in usages]


def validate_policies(ref: X509DID, leaf: x509.Certificate, *, eku_policy: bool = False) -> None:
    """``validatePolicy``: every ``subject``/``san`` key must hold its value; other names are unknown."""
    for name, value in ref.policies:
        if name == "eku" and eku_policy:
            # did:x509 spec, "eku" policy: the leaf's EKU extension lists the OID.
            if value not in _eku(leaf):
                raise X509ResolutionError(f"the EKU {value} is not present in the certificate")
            continue
        if name not in ("subject", "san"):
            raise X509ResolutionError("unknown policy type")
        for key, raw in policy_pairs(value):
            wanted = query_unescape(raw)
            if name == "subject" and key in _SUBJECT:
                if wanted not in subject_values(leaf, key):
                    raise X509ResolutionError(f"query does not match the subject : {key}")
            elif name == "san" and key in ("otherName", "dns", "email", "ip"):
                if wanted not in _san_values(leaf, key):
                    raise X509ResolutionError(f"the SAN attribute {key} does not match the query")
            else:
                raise X509ResolutionError(f"unknown policy key: {key} for policy: {name}")


# -- the document -------------------------------------------------------------------------------
def document(did: str, leaf: x509.Certificate) -> DIDDocument:
    """Steps 7–12: one JsonWebKey2020 ``#0`` from the leaf key, relationships from its key usage."""
    kid = f"{did}#0"
    vm = VerificationMethod(id=kid, controller=did, publicKeyJwk=leaf_jwk(leaf))
    try:
        usage: x509.KeyUsage | None = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    signs = usage is None or usage.digital_signature
    agrees = usage is None or usage.key_agreement
    if not signs and not agrees:
        raise X509ResolutionError(
            "did:x509 certificate must have either digitalSignature or keyAgreement set as key usage bits"
        )
    data: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "controller": [did],
        "verificationMethod": [vm.model_dump(by_alias=True)],
        "assertionMethod": [kid] if signs else [],
    }
    if agrees:
        data["keyAgreement"] = [kid]
    return DIDDocument.parse(data)


def leaf_jwk(leaf: x509.Certificate) -> dict[str, Any]:
    """The leaf's public key as a JWK (EC or RSA), checked by ``PublicKey.from_jwk``."""
    public = leaf.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        size = (public.curve.key_size + 7) // 8
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(public.curve.name)
        numbers = public.public_numbers()
        jwk = {
            "kty": "EC",
            "crv": crv or public.curve.name,
            "x": _b64(numbers.x, size),
            "y": _b64(numbers.y, size),
        }
    elif isinstance(public, rsa.RSAPublicKey):
        rsa_numbers = public.public_numbers()
        jwk = {"kty": "RSA", "n": _b64(rsa_numbers.n), "e": _b64(rsa_numbers.e)}
    else:
        raise X509ResolutionError(f"unsupported certificate key type {type(public).__name__}")
    try:
        PublicKey.from_jwk(jwk)
    except ProtocolError as exc:
        raise X509ResolutionError(f"unsupported certificate key: {exc}") from None
    return jwk


def _b64(value: int, size: int | None = None) -> str:
    length = size or max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(length, "big"))


def resolve(did: str, x5c: Any, now: int, *, eku_policy: bool = False) -> DIDDocument:
    """``Resolver.Resolve``: the document of ``did`` given the JWS ``x5c`` it came with."""
    chain = parse_chain(x5c)
    path = validate_path(chain, now)
    check_order(chain, path)
    ref = parse(did)
    find_ca(chain, ref)
    validate_policies(ref, chain[0], eku_policy=eku_policy)
    return document(did, chain[0])


def name_string(name: x509.Name) -> str:
    """Go's ``pkix.Name.String()`` (RFC 2253 order), as the reference's CRL errors print it."""
    return name.rfc4514_string(NAME_OVERRIDES)
