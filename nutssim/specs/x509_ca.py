"""A simulated certificate hierarchy (RFC 5280) in the shape of UZI / PKIoverheid: root → intermediate → leaf.

Everything is deterministic: keys come from the seeded source (P-256, so the leaf signs ES256
JWTs with nutssim's own JOSE), serial numbers too, validity from the simulated clock, and
certificates and CRLs are signed with deterministic ECDSA (RFC 6979), so one seed gives the same
DER bytes on every run. The leaf carries what the reference's did:x509 policies read
(``vdr/didx509/validation.go``): subject C, O, L, CN and serialNumber, and a SAN ``otherName``
(type 2.5.5.5, an IA5String) holding the UZI-style identifier
``<OID>-<card type>-<UZI number>-S-<URA>-00.000-<AGB>`` that the reference's e2e policy
(``e2e-tests/oauth-flow/didx509/accesspolicy.json``) matches with
``^[0-9.]+-\\d+-\\d+-S-(\\d+)-00\\.000-\\d+$``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from nutssim import jose
from nutssim.rng import SimRandom, b64url

#: SAN otherName type the reference reads (``vdr/didx509/x509_utils.go``: ``OtherNameType``).
OTHER_NAME_TYPE = x509.ObjectIdentifier("2.5.5.5")
#: The UZI register's OID arc (simulated: the value only has to match the reference's pattern).
UZI_OID = "2.16.528.1.1007.99.2110"
#: Certificate policy of a PKIoverheid-like organization server certificate (simulated).
SERVER_POLICY = x509.ObjectIdentifier("2.16.528.1.1003.1.2.8.6")
#: Microsoft Document Signing EKU, which UZI signing certificates carry beside clientAuth (#3956).
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
DAY = 86400


@dataclass
class Issued:
    """A certificate with its private key (a CA's, or the leaf holder's)."""

    certificate: x509.Certificate
    key: jose.KeyPair

    @property
    def der(self) -> bytes:
        """The certificate's DER bytes."""
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def serial(self) -> int:
        """The certificate's serial number."""
        return self.certificate.serial_number

    def fingerprint(self, alg: str = "sha256") -> str:
        """The base64url hash of the DER certificate, as a did:x509 ca-fingerprint (did:x509 §2)."""
        return b64url(hashlib.new(alg, self.der).digest())


@dataclass
class CA(Issued):
    """A certificate authority: its certificate, key, CRL endpoint and revoked serials."""

    crl_url: str | None = None
    revoked: dict[int, int] = field(default_factory=dict)  # serial -> revocation time (epoch)


@dataclass(frozen=True)
class Organization:
    """What a UZI-like server certificate says about a care organization."""

    name: str
    city: str
    common_name: str
    ura: str
    uzi: str = "0"
    agb: str = "0"
    card_type: str = "1"
    #: UZI pastype: ``S`` server certificate, ``Z`` healthcare professional pass, ``N`` named employee.
    pass_type: str = "S"
    #: UZI role code (``00.000`` for a server certificate; e.g. ``01.015`` for a GP on a Z-pas).
    role: str = "00.000"

    @property
    def other_name(self) -> str:
        """The SAN otherName value: ``<OID>-<type>-<UZI>-<pastype>-<URA>-<role>-<AGB>``."""
        return f"{UZI_OID}-{self.card_type}-{self.uzi}-{self.pass_type}-{self.ura}-{self.role}-{self.agb}"


def _when(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _private(key: jose.KeyPair) -> ec.EllipticCurvePrivateKey:
    loaded = serialization.load_pem_private_key(key.private_pem(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    return loaded


def _key(rng: SimRandom, label: str) -> jose.KeyPair:
    # A child stream per certificate: adding a CA never shifts the keys of the rest of the world.
    return jose.KeyPair.generate(rng.child(f"x509:{label}"), "ES256")


def _serial(rng: SimRandom, label: str) -> int:
    # RFC 5280 §4.1.2.2: positive, at most 20 octets; CA/B BR §7.1: 64 bits of randomness.
    return int.from_bytes(rng.child(f"x509-serial:{label}").bytes(16), "big") >> 1 | 1


def _sign(builder: x509.CertificateBuilder, issuer_key: jose.KeyPair) -> x509.Certificate:
    return builder.sign(_private(issuer_key), hashes.SHA256(), ecdsa_deterministic=True)


def _ca_name(name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Simulated UZI register"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )


def _ca_extensions(
    builder: x509.CertificateBuilder, key: jose.KeyPair, issuer_key: jose.KeyPair, path_length: int | None
) -> x509.CertificateBuilder:
    public = _private(key).public_key()
    return (
        builder.add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_private(issuer_key).public_key()),
            critical=False,
        )
    )


def _crl_point(builder: x509.CertificateBuilder, url: str | None) -> x509.CertificateBuilder:
    if url is None:
        return builder
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
    return builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)


def root_ca(rng: SimRandom, name: str, not_before: int, years: int = 20, crl_url: str | None = None) -> CA:
    """A self-signed root CA valid for ``years`` from ``not_before``."""
    key = _key(rng, name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_ca_name(name))
        .issuer_name(_ca_name(name))
        .public_key(_private(key).public_key())
        .serial_number(_serial(rng, name))
        .not_valid_before(_when(not_before))
        .not_valid_after(_when(not_before + years * 365 * DAY))
    )
    return CA(_sign(_ca_extensions(builder, key, key, None), key), key, crl_url)


def intermediate_ca(
    rng: SimRandom, parent: CA, name: str, not_before: int, years: int = 10, crl_url: str | None = None
) -> CA:
    """An intermediate CA under ``parent``; its own revocation is on ``parent``'s CRL."""
    key = _key(rng, name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_ca_name(name))
        .issuer_name(parent.certificate.subject)
        .public_key(_private(key).public_key())
        .serial_number(_serial(rng, name))
        .not_valid_before(_when(not_before))
        .not_valid_after(_when(not_before + years * 365 * DAY))
    )
    builder = _crl_point(_ca_extensions(builder, key, parent.key, 0), parent.crl_url)
    return CA(_sign(builder, parent.key), key, crl_url)


def leaf_subject(org: Organization) -> x509.Name:
    """The leaf's subject: C, O, L, CN and serialNumber (the UZI number), as UZI server certificates."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org.name),
            x509.NameAttribute(NameOID.LOCALITY_NAME, org.city),
            x509.NameAttribute(NameOID.COMMON_NAME, org.common_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, org.uzi),
        ]
    )


def leaf_certificate(
    rng: SimRandom,
    issuer: CA,
    org: Organization,
    not_before: int,
    days: int = 365,
    *,
    server_auth: bool = False,
) -> Issued:
    """An organization certificate under ``issuer``: clientAuth + document signing EKU, digitalSignature.

    Without ``server_auth`` the leaf has no serverAuth EKU, as UZI signing certificates (the
    case nuts-node #4279 relaxed chain validation for).
    """
    key = _key(rng, f"{org.common_name}/{not_before}")
    ekus = [ExtendedKeyUsageOID.CLIENT_AUTH, DOCUMENT_SIGNING]
    if server_auth:
        ekus.insert(0, ExtendedKeyUsageOID.SERVER_AUTH)
    other = x509.OtherName(OTHER_NAME_TYPE, _ia5(org.other_name))
    builder = (
        x509.CertificateBuilder()
        .subject_name(leaf_subject(org))
        .issuer_name(issuer.certificate.subject)
        .public_key(_private(key).public_key())
        .serial_number(_serial(rng, f"{org.common_name}/{not_before}"))
        .not_valid_before(_when(not_before))
        .not_valid_after(_when(not_before + days * DAY))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(org.common_name), other]), critical=False)
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(SERVER_POLICY, None)]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_private(issuer.key).public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(_private(key).public_key()), critical=False)
    )
    builder = _crl_point(builder, issuer.crl_url)
    return Issued(_sign(builder, issuer.key), key)


def _ia5(text: str) -> bytes:
    """DER IA5String (X.680 §41): tag 22, short or long length."""
    data = text.encode("ascii")
    length = bytes([len(data)]) if len(data) < 128 else bytes([0x81, len(data)])
    return b"\x16" + length + data


def crl(ca: CA, this_update: int, next_update: int, number: int = 1) -> bytes:
    """The DER CRL of ``ca`` (RFC 5280 §5) listing its revoked serials, signed by ``ca``."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(_when(this_update))
        .next_update(_when(next_update))
        .add_extension(x509.CRLNumber(number), critical=False)
    )
    for serial, when in sorted(ca.revoked.items()):
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(_when(when)).build()
        builder = builder.add_revoked_certificate(entry)
    signed = builder.sign(_private(ca.key), hashes.SHA256(), ecdsa_deterministic=True)
    return signed.public_bytes(serialization.Encoding.DER)


def x5c(*certificates: Issued) -> list[str]:
    """The JWS ``x5c`` header (RFC 7515 §4.1.6): standard base64 DER, leaf first."""
    return [base64.b64encode(c.der).decode("ascii") for c in certificates]
