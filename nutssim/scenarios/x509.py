"""did:x509 scenarios (Nuts RFC023): the GP proves who it is with an X509Credential from a UZI-like chain.

A certificate authority party (root → intermediate) issues the GP practice a server certificate;
the practice self-issues an X509Credential (issuer: its did:x509, subject: its did:web) and
presents it to the hospital, whose PD asks for an X509Credential whose issuer names the CA's
fingerprint (as the reference's ``e2e-tests/oauth-flow/didx509/accesspolicy.json`` does). The
hospital validates the chain, the did:x509 policies, the certificate's validity and its CRL,
which the CA serves on the network. Variants: the certificate expired, revoked on the CRL, the
CRL server down (the reference soft-fails), and a chain to another root.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nutssim.errors import InputError
from nutssim.profiles import Profile
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import DPOP, service_access, two_nodes
from nutssim.scenarios.world import S2SWorld
from nutssim.simulation import Simulation

DAY = 86400
CA_HOST = "https://uzi-ca.example"
ATTACKER_CA_HOST = "https://other-ca.example"
#: The ids of the GP's certificate as UZI would give them (simulated).
URA, UZI_NUMBER, AGB = "90000001", "12345", "01234567"
CASES = ("valid", "expired", "revoked", "crl-down", "wrong-root")

PIN_CA = Option(
    "pin_ca",
    bool,
    True,
    "the hospital's PD pins the CA fingerprint in the issuer pattern (false: any did:x509 chain)",
)
OPTIONS = (DPOP, PIN_CA)
#: cryptography.x509 builds and validates the chain; where it cannot load (Pyodide) these refuse.
NEEDS = ("cryptography",)


@dataclass(kw_only=True)
class X509World(S2SWorld):
    """An s2s world whose requester proves its organization with an X509Credential."""

    ca: Any  # the CertificateAuthority party (root and intermediate) the hospital pins
    issuing_ca: Any  # the CA that issued the presented certificate (another root in wrong-root)
    certificate: Any  # the GP's leaf certificate (``x509_ca.Issued``)
    did_x509: str  # the GP's did:x509, issuer of its X509Credential


def organization_policy(fingerprint: str | None) -> dict[str, Any]:
    """The hospital's policy: one X509Credential from the CA ``fingerprint`` (None: any CA)."""
    ca = fingerprint or "[A-Za-z0-9_-]+"
    fields = [
        # $.type[*]: a string per element to the DIF text (strict), one array to the reference's
        # matchFilter (nuts-node); "$.type" with a string filter would match nothing under strict.
        {"path": ["$.type[*]"], "filter": {"type": "string", "const": "X509Credential"}},
        {
            "path": ["$.issuer"],
            "purpose": "only certificates under the UZI register's CA are trusted",
            "filter": {"type": "string", "pattern": f"^did:x509:0:sha256:{ca}::.*$"},
        },
        {
            "id": "organization_name",
            "path": ["$.credentialSubject[0].subject.O"],
            "filter": {"type": "string"},
        },
        {
            "id": "organization_city",
            "path": ["$.credentialSubject[0].subject.L"],
            "filter": {"type": "string"},
        },
        {
            "id": "organization_ura",
            "path": ["$.credentialSubject[0].san.otherName"],
            "filter": {"type": "string", "pattern": "^[0-9.]+-\\d+-\\d+-S-(\\d+)-00\\.000-\\d+$"},
        },
    ]
    definition = {
        "id": "pd_x509_care_organization",
        "name": "Care organization by UZI certificate",
        "format": {"jwt_vp": {"alg": ["ES256"]}, "jwt_vc": {"alg": ["ES256"]}},
        "input_descriptors": [{"id": "id_x509credential", "constraints": {"fields": fields}}],
    }
    return {"eoverdracht": {"organization": definition}}


def x509_world(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    case: str = "valid",
    dpop: bool = True,
    pin_ca: bool = True,
) -> X509World:
    """The s2s world with a CA party, the GP's certificate and its X509Credential in the GP's wallet."""
    try:
        from nutssim.parties.certificate_authority import CertificateAuthority
        from nutssim.specs import x509_ca, x509_credential
    except ImportError as exc:
        raise InputError(
            f"the did:x509 scenarios need cryptography.x509, which cannot be imported here ({exc})"
        ) from None

    sim = Simulation(seed=seed, profile=profile)
    now = sim.clock.now()
    ca = sim.add(
        CertificateAuthority(
            "uzi-ca", "Simulated UZI", CA_HOST, sim.rng, sim.clock.now, not_before=now - 365 * DAY
        )
    )
    issuing = ca
    if case == "wrong-root":
        issuing = sim.add(
            CertificateAuthority(
                "other-ca",
                "Simulated UZI",
                ATTACKER_CA_HOST,
                sim.rng,
                sim.clock.now,
                not_before=now - 365 * DAY,
            )
        )
    fingerprint = ca.root.fingerprint()
    parts = two_nodes(sim, organization_policy(fingerprint if pin_ca else None))
    gp = parts["requester"]
    org = x509_ca.Organization(gp.name, "Utrecht", "gp.example", ura=URA, uzi=UZI_NUMBER, agb=AGB)
    start = now - (400 if case == "expired" else 30) * DAY
    leaf = issuing.issue_certificate(org, not_before=start, days=365)
    did = x509_credential.did_for(issuing.root, org)
    not_after = int(leaf.certificate.not_valid_after_utc.timestamp())
    issued_at = start if case == "expired" else now - DAY
    raw = x509_credential.issue(
        gp.did, leaf, issuing.chain(leaf), did, x509_credential.credential_subject(gp.did, org),
        issued_at, not_after, f"{did}#{sim.rng.uuid()}",
    )  # fmt: skip
    gp.wallet.add(raw)
    for authority in {id(ca): ca, id(issuing): issuing}.values():
        authority.on_revoke.append(
            lambda party, cert: sim.record_fact(
                party.id,
                "certificate_revoked",
                serial=cert.serial,
                subject=cert.certificate.subject.rfc4514_string(),
            )
        )
    if case == "revoked":
        ca.revoke(leaf)
    if case == "crl-down":
        ca.crl_online = False
    api = sim.add_resource_server(parts["authorization_server_node"])
    starter = service_access(sim, gp, parts["authorization_server"], parts["ehr"], api)
    options = {"dpop": dpop, "scope": "eoverdracht", "credentials": []}
    return X509World(
        name="s2s-x509", sim=sim, starter=starter, options=options, resource_server=api,
        ca=ca, issuing_ca=issuing, certificate=leaf, did_x509=did, **parts,
    )  # fmt: skip


@register(
    "s2s-x509",
    options=OPTIONS,
    needs=NEEDS,
)
def s2s_x509(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> X509World:
    """The GP's certificate is valid and not revoked: granted."""
    return x509_world(seed, profile, **options)


@register(
    "s2s-x509-expired",
    options=OPTIONS,
    needs=NEEDS,
)
def s2s_x509_expired(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> X509World:
    """The leaf's notAfter passed 35 days ago: chain validation fails, denied."""
    return x509_world(seed, profile, case="expired", **options)


@register(
    "s2s-x509-revoked",
    options=OPTIONS,
    needs=NEEDS,
)
def s2s_x509_revoked(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> X509World:
    """The CA revoked the GP's certificate: the hospital's CRL check denies."""
    return x509_world(seed, profile, case="revoked", **options)


@register(
    "s2s-x509-crl-down",
    options=OPTIONS,
    needs=NEEDS,
)
def s2s_x509_crl_down(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> X509World:
    """The CRL distribution point answers 503; pki.softfail decides."""
    return x509_world(seed, profile, case="crl-down", **options)


@register(
    "s2s-x509-wrong-root",
    options=OPTIONS,
    needs=NEEDS,
)
def s2s_x509_wrong_root(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> X509World:
    """Another CA with the same subject names issues the GP's certificate; the PD pins the real root."""
    return x509_world(seed, profile, case="wrong-root", **options)
