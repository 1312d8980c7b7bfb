"""The 2026 pilot credential set in the two-VP jwt-bearer flow (issue #21 item 3; GFI-004, GF catalogue).

The GP practice holds, in its organization wallet, a ``HealthcareProviderCredential`` issued
by its own ``did:x509`` from a UZI-like *server* certificate (pastype ``S``, the simulated
chain of ``specs/x509_ca.py``, a CA party on the network) and, for the enrollment use case,
a ``PatientEnrollmentCredential`` and a ``HealthcareProfessionalDelegationCredential``
signed on a GP's UZI *pass* (pastype ``Z``, a second CA: the professional pass chain). Its
software vendor (the service provider, a second subject of the GP's node) holds a
``ServiceProviderCredential`` from the system operator (``stelselhouder``) and a
``ServiceProviderDelegationCredential`` the practice issued it. The delegation chain:
care organization → service provider (the vendor's delegation, VP2), professional → care
organization (the mandate, VP1). The policy is ``data/policies/pilot.json``; both VPs are
bound by the field ids ``organization_ura`` (the URA of VP1's HealthcareProviderCredential =
the URA the delegation names) and ``delegating_organization`` (VP1's subject = the
delegation's issuer). The hospital's PD pins both CA roots (option ``pin_ca``).

Use cases (one PD each): ``pilot-eoverdracht``, organization access (VP1 the
HealthcareProviderCredential); ``pilot-enrollment``, patient-enrollment-scoped access (VP1
adds the enrollment and the professional's mandate).

Outcome per profile (as ``s2s-jwt-bearer``, which this reuses): ``strict`` grants (both VPs
checked, bound and the delegation found); ``nuts-node`` (master, d2ad162) is denied before
anything is sent: its AS does not advertise the jwt-bearer grant (``auth/api/iam/types.go
grantTypesSupported``), so the two-VP client refuses; ``nuts-node-gf`` (project-gf) refuses
the master client's request ("missing required parameters": no ``client_id``) and with
``--option client_id=true`` grants on VP1 alone, never reading the vendor's VP2.
Option ``patient_claim=true`` gives the enrollment's BSN a field id: the reference's client
then carries it into VP2's ``credential_selection`` and fails there, because the
service_provider PD has no such field (``vcr/pe/selector.go NewFieldSelector``) — a VP1-only
claim cannot reach the token in the two-VP flow.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from nutssim.parties.issuer import Issuer
from nutssim.profiles import Profile
from nutssim.scenarios import pilot_credentials as creds
from nutssim.scenarios.jwt_bearer import (
    CLIENT_ID,
    DELEGATED,
    FLAG,
    SERVICE_PROVIDER_ID,
    SP_SUBJECT,
    JwtBearerWorld,
)
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import DPOP, SCOPE, shipped_policy, two_nodes
from nutssim.simulation import FlowRun, Simulation

DAY = 86400
SERVER_CA_HOST = "https://uzi-ca.example"
PASS_CA_HOST = "https://uzi-pass-ca.example"
#: Simulated identifiers: the practice's URA, its server certificate's UZI number, the GP's pass.
URA, SERVER_UZI, AGB = "90000001", "12345", "01234567"
GP_UZI, GP_ROLE, BSN = "90001234", "01.015", "999911234"

PIN_CA = Option("pin_ca", bool, True, "the hospital's PD pins the UZI CA roots (false: any did:x509 chain)")
PATIENT_CLAIM = Option(
    "patient_claim",
    bool,
    False,
    "give the enrollment's BSN a field id (the reference's client then fails VP2's credential_selection)",
)
#: Every pilot scenario's options; SCOPE's default is set per scenario.
OPTIONS = (DPOP, SCOPE, FLAG, SP_SUBJECT, CLIENT_ID, DELEGATED, PIN_CA, PATIENT_CLAIM)
NEEDS = ("cryptography",)
_PATTERN = re.compile(r"sha256:\[A-Za-z0-9_-\]\+::")


@dataclass(kw_only=True)
class PilotWorld(JwtBearerWorld):
    """A two-VP world holding the pilot credential set, with the two UZI CAs and the system operator."""

    server_ca: Any  # CertificateAuthority of UZI server certificates (the practice's did:x509)
    pass_ca: Any  # CertificateAuthority of UZI professional passes (the GP's did:x509)
    operator: Issuer  # the stelselhouder, issuer of the ServiceProviderCredential
    organization_pass: creds.Pass
    professional_pass: creds.Pass
    ura: str = URA
    bsn: str = BSN

    def lapse_material(self) -> dict[str, Any]:
        """What a time-lapse lives through: the vendor's ServiceProviderCredential from the stelselhouder."""

        def mint(valid_days: int) -> Any:
            return creds.service_provider(
                self.sim, self.operator, self.service_provider, valid_days, revocable=True
            )

        return {
            "type": creds.SERVICE_PROVIDER,
            "holder": self.service_provider,
            "issuer": self.operator,
            "mint": mint,
            "name": "stelselhouder",
        }


def pilot_policy(server_root: str | None, pass_root: str | None, *, patient_claim: bool = False) -> Any:
    """``data/policies/pilot.json`` with the CA fingerprints pinned (None: any) and the BSN's id if asked."""
    policy = copy.deepcopy(shipped_policy("pilot"))
    for profile in policy.values():
        for descriptor in profile["organization"]["input_descriptors"]:
            root = server_root if descriptor["id"] == "id_healthcare_provider" else pass_root
            for field in descriptor["constraints"]["fields"]:
                pattern = field.get("filter", {}).get("pattern", "")
                if root and field["path"] == ["$.issuer"] and _PATTERN.search(pattern):
                    field["filter"]["pattern"] = _PATTERN.sub(f"sha256:{root}::", pattern)
                if patient_claim and "hasEnrollment.patient.identifier.value" in field["path"][0]:
                    field["id"] = "patient_bsn"
    return policy


def two_vp_access(sim: Simulation, parts: Any, api: Any) -> Callable[..., FlowRun]:
    """The starter: the GP's EHR asks for a token naming the vendor (``no_cache`` for a time-lapse)."""
    ehr, requester, hospital = parts["ehr"], parts["requester"], parts["authorization_server"]

    def start(
        *,
        dpop: bool = True,
        scope: str = "pilot-eoverdracht",
        service_provider_subject_id: str = SERVICE_PROVIDER_ID,
        credential_selection: dict[str, str] | None = None,
        no_cache: bool = False,
        expect: Any = None,  # the world's expectation for ``nutssim run``, not a flow argument
    ) -> FlowRun:
        extra = (
            {}
            if service_provider_subject_id == "-"
            else {"service_provider_subject_id": service_provider_subject_id}
        )
        process = ehr.service_access(
            requester.id, hospital.url, scope, resource_url=api.resource_url, dpop=dpop,
            credential_selection=credential_selection, no_cache=no_cache, extra_body=extra,
        )  # fmt: skip
        return FlowRun(sim, sim.start(process, ehr.id), "s2s")

    return start


def _ca(sim: Simulation, id: str, name: str, host: str) -> Any:
    from nutssim.parties.certificate_authority import CertificateAuthority

    now = sim.clock.now()
    return sim.add(CertificateAuthority(id, name, host, sim.rng, sim.clock.now, not_before=now - 365 * DAY))


def pilot_world(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    pin_ca: bool = True,
    patient_claim: bool = False,
    jwtbearerclient: bool = True,
    client_id: bool = False,
    delegated: bool = True,
    **start: Any,
) -> PilotWorld:
    """The two nodes, the two UZI CAs, the system operator and the pilot credentials in both wallets."""
    from nutssim.specs import x509_ca  # cryptography.x509: only when a pilot world is built

    sim = Simulation(seed=seed, profile=profile)
    now = sim.clock.now()
    server_ca = _ca(sim, "uzi-ca", "Simulated UZI", SERVER_CA_HOST)
    pass_ca = _ca(sim, "uzi-pass-ca", "Simulated UZI Zorgverlener", PASS_CA_HOST)
    roots = (server_ca.root.fingerprint(), pass_ca.root.fingerprint()) if pin_ca else (None, None)
    policy = pilot_policy(*roots, patient_claim=patient_claim)
    parts = two_nodes(sim, policy)
    gp, gp_node = parts["requester"], parts["requester_node"]
    gp.use_policy(policy, reference=not sim.profile.strict)  # the client resolves both PDs locally
    gp_node.client.experimental_jwt_bearer_client = jwtbearerclient
    gp_node.client.jwt_bearer_client_id = client_id
    vendor = gp_node.add_subject("Softwareleverancier Noord", id=SERVICE_PROVIDER_ID)
    operator = sim.add_issuer("Stelselhouder", host="stelselhouder.example")
    practice = x509_ca.Organization(gp.name, "Utrecht", "gp.example", ura=URA, uzi=SERVER_UZI, agb=AGB)
    gp_card = replace(practice, common_name="A. Jansen, huisarts", uzi=GP_UZI, pass_type="Z", role=GP_ROLE)
    organization_pass = creds.organization_pass(server_ca, practice, now - 30 * DAY)
    professional_pass = creds.professional_pass(pass_ca, gp_card, now - 30 * DAY)
    creds.healthcare_provider(sim, organization_pass, gp, URA)
    creds.patient_enrollment(sim, professional_pass, gp, URA, BSN, GP_UZI)
    creds.professional_delegation(sim, professional_pass, gp, URA, GP_UZI, GP_ROLE)
    creds.service_provider(sim, operator, vendor)
    if delegated:
        creds.service_provider_delegation(sim, gp, URA, vendor)
    api = sim.add_resource_server(parts["authorization_server_node"])
    return PilotWorld(
        name="pilot-eoverdracht", sim=sim, starter=two_vp_access(sim, parts, api), options=dict(start),
        resource_server=api, service_provider=vendor, server_ca=server_ca, pass_ca=pass_ca,
        operator=operator, organization_pass=organization_pass, professional_pass=professional_pass, **parts,
    )  # fmt: skip


def _expect(world: PilotWorld, options: dict[str, Any]) -> PilotWorld:
    """Granted under strict (and project-gf with client_id); denied otherwise, or with the BSN's id."""
    name = world.sim.profile.name
    granted = name == "strict" or (name == "nuts-node-gf" and options.get("client_id"))
    if not granted or options.get("patient_claim") or not options.get("delegated", True):
        world.options["expect"] = "denied"
    return world


@register(
    "pilot-eoverdracht",
    options=(*OPTIONS[:1], replace(SCOPE, default="pilot-eoverdracht"), *OPTIONS[2:]),
    needs=NEEDS,
)
def pilot_eoverdracht(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> PilotWorld:
    """Use case 1: eOverdracht-like organization access with the pilot credentials."""
    return _expect(pilot_world(seed, profile, **options), options)


@register(
    "pilot-enrollment",
    options=(*OPTIONS[:1], replace(SCOPE, default="pilot-enrollment"), *OPTIONS[2:]),
    needs=NEEDS,
)
def pilot_enrollment(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> PilotWorld:
    """Use case 2: the enrollment and the professional's mandate in VP1."""
    return _expect(pilot_world(seed, profile, **options), options)


@register(
    "pilot-uzi-revoked",
    options=(*OPTIONS[:1], replace(SCOPE, default="pilot-eoverdracht"), *OPTIONS[2:]),
    needs=NEEDS,
)
def pilot_uzi_revoked(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> PilotWorld:
    """The certificate behind the HealthcareProviderCredential is on the CA's CRL.

    GF (credential-HealthcareProviderCredential: revocation "through the did:x509 DID
    resolution") against nuts-node ``vdr/didx509/resolver.go Resolve`` ("does NOT check the
    CRLs"; only ``vcr/credential/validator.go x509CredentialValidator`` does, for X509Credential).
    """
    world = pilot_world(seed, profile, **options)
    world.server_ca.on_revoke.append(
        lambda ca, cert: world.sim.record_fact(ca.id, "certificate_revoked", serial=cert.serial)
    )
    world.server_ca.revoke(world.organization_pass.leaf)
    if world.sim.profile.strict:
        world.options["expect"] = "denied"
        return world
    return _expect(world, options)
