"""The two-VP RFC 7523 jwt-bearer scenario (issue #20; GFI-004, the LSPxNuts pilot).

The GP practice (care organization) and its software vendor (the service provider) are two
subjects of the GP's node. The register issues the practice's NutsOrganizationCredential
and the vendor's ServiceProviderCredential; the practice issues the vendor a
ServiceProviderDelegationCredential ("may act on behalf of"). The EHR asks for a token
with ``service_provider_subject_id``: VP1 (the practice) is the ``assertion``, VP2 (the
vendor) the ``client_assertion``, bound by the shared field id ``delegating_organization``
of ``data/policies/jwt-bearer.json``.

Outcome per profile: ``strict`` grants (both VPs checked and bound); ``nuts-node`` fails as
master does (its AS does not advertise the grant, so the client refuses before sending);
``nuts-node-gf`` fails too by default, because the master client sends no ``client_id`` and
the project-gf AS requires one ("missing required parameters"); with ``client_id=true`` the
project-gf AS grants on VP1 alone, never reading VP2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nutssim.models.credential import Credential, credential_document
from nutssim.parties.node import Subject
from nutssim.profiles import Profile
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import DPOP, SCOPE, shipped_policy, two_nodes
from nutssim.scenarios.world import S2SWorld
from nutssim.simulation import FlowRun, Simulation
from nutssim.specs import rfc7523, vc_jwt

SERVICE_PROVIDER_ID = "softwareleverancier"

FLAG = Option(
    "jwtbearerclient", bool, True, "the GP node's auth.experimental.jwtbearerclient (the two-VP client flag)"
)
SP_SUBJECT = Option(
    "service_provider_subject_id",
    str,
    SERVICE_PROVIDER_ID,
    "what the EHR sends as service_provider_subject_id ('-' omits it: the single-VP flow)",
)
CLIENT_ID = Option(
    "client_id",
    bool,
    False,
    "the client also sends client_id (not the reference; the project-gf AS requires it)",
)
DELEGATED = Option(
    "delegated", bool, True, "the practice issued the vendor a ServiceProviderDelegationCredential"
)
POLICY = Option("policy", dict, None, "the policy of both nodes (default: data/policies/jwt-bearer.json)")
OPTIONS = (DPOP, SCOPE, POLICY, FLAG, SP_SUBJECT, CLIENT_ID, DELEGATED)
#: Options that shape the world, not the flow's start.
_WORLD_OPTIONS = ("policy", "jwtbearerclient", "client_id", "delegated")


@dataclass(kw_only=True)
class JwtBearerWorld(S2SWorld):
    """An s2s world with the service provider: its own subject and wallet on the GP's node."""

    service_provider: Subject


def jwt_bearer_world(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> JwtBearerWorld:
    """The two nodes, the vendor with its certification and (if ``delegated``) its delegation."""
    sim = Simulation(seed=seed, profile=profile)
    policy = options.get("policy") or shipped_policy("jwt-bearer")
    parts = two_nodes(sim, policy)
    gp, gp_node = parts["requester"], parts["requester_node"]
    gp.use_policy(policy, reference=not sim.profile.strict)  # the client resolves both PDs locally
    gp_node.client.experimental_jwt_bearer_client = bool(options.get("jwtbearerclient", True))
    gp_node.client.jwt_bearer_client_id = bool(options.get("client_id", False))
    vendor = gp_node.add_subject("Softwareleverancier Noord", id=SERVICE_PROVIDER_ID)
    issue_service_provider_credential(sim, parts["register"], vendor)
    if options.get("delegated", True):
        issue_delegation(sim, gp, vendor)
    api = sim.add_resource_server(parts["authorization_server_node"])
    start_options = {k: v for k, v in options.items() if k not in _WORLD_OPTIONS}
    return JwtBearerWorld(
        name="s2s-jwt-bearer",
        sim=sim,
        starter=two_vp_access(sim, parts, api),
        options=start_options,
        resource_server=api,
        service_provider=vendor,
        **parts,
    )


def issue_service_provider_credential(sim: Simulation, register_: Any, vendor: Subject) -> None:
    """The register certifies the vendor as a service provider (GFI-004)."""
    now = sim.clock.now()
    document = credential_document(
        id=f"{register_.did}#{sim.rng.uuid()}",
        type=rfc7523.SERVICE_PROVIDER_TYPE,
        issuer=register_.did,
        issuance_date=vc_jwt.to_rfc3339(now),
        expiration_date=vc_jwt.to_rfc3339(now + 365 * 24 * 3600),
        subject={"id": vendor.did, "name": vendor.name},
    )
    register_.issue(document, vendor)


def issue_delegation(
    sim: Simulation, organization: Subject, vendor: Subject, *, add: bool = True
) -> Credential:
    """``organization`` lets ``vendor`` act on its behalf: a delegation (in its wallet if ``add``)."""
    now = sim.clock.now()
    document = credential_document(
        id=f"{organization.did}#{sim.rng.uuid()}",
        type=rfc7523.DELEGATION_TYPE,
        issuer=organization.did,
        issuance_date=vc_jwt.to_rfc3339(now),
        expiration_date=vc_jwt.to_rfc3339(now + 365 * 24 * 3600),
        subject={"id": vendor.did, "actsOnBehalfOf": organization.did},
    )
    credential = vc_jwt.parse_credential(vc_jwt.issue_credential(document, organization.identities[0].key))
    if add:
        vendor.wallet.add(credential)
    return credential


def two_vp_access(sim: Simulation, parts: Any, api: Any) -> Callable[..., FlowRun]:
    """The starter: the GP's EHR asks the hospital for a token naming the service provider, then the API."""
    ehr, requester, hospital = parts["ehr"], parts["requester"], parts["authorization_server"]

    def start(
        *,
        dpop: bool = True,
        scope: str = "eoverdracht",
        service_provider_subject_id: str = SERVICE_PROVIDER_ID,
        credential_selection: dict[str, str] | None = None,
        expect: Any = None,  # the world's expectation for ``nutssim run``, not a flow argument
    ) -> FlowRun:
        extra = (
            {}
            if service_provider_subject_id == "-"
            else {"service_provider_subject_id": service_provider_subject_id}
        )
        process = ehr.service_access(
            requester.id,
            hospital.url,
            scope,
            resource_url=api.resource_url,
            dpop=dpop,
            credential_selection=credential_selection,
            extra_body=extra,
        )
        return FlowRun(sim, sim.start(process, ehr.id), "s2s")

    return start


@register(
    "s2s-jwt-bearer",
    options=OPTIONS,
)
def s2s_jwt_bearer(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> JwtBearerWorld:
    """Granted under strict; under nuts-node and nuts-node-gf it fails as those versions do."""
    world = jwt_bearer_world(seed, profile, **options)
    name = world.sim.profile.name
    if name != "strict" and not (name == "nuts-node-gf" and options.get("client_id")):
        world.options["expect"] = "denied"
    return world
