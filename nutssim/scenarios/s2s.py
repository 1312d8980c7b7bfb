"""Service-to-service scenarios (Nuts RFC021): a GP practice asks a hospital for eOverdracht data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from typing import Any, TypedDict

from nutssim.models.credential import credential_document, employee_subject
from nutssim.parties.ehr import EHR
from nutssim.parties.issuer import Issuer
from nutssim.parties.node import Node, Subject
from nutssim.parties.resource_server import ResourceServer
from nutssim.profiles import Profile
from nutssim.scenarios.options import Option, with_defaults
from nutssim.scenarios.registry import register
from nutssim.scenarios.world import S2SWorld
from nutssim.simulation import FlowRun, Simulation
from nutssim.specs import vc_jwt

#: The employee the EHR self-attests in the token request (PROTOCOL.md §1.0, §2.4).
EMPLOYEE_CLAIMS = {"identifier": "123456", "name": "Jan de Vries", "role": "Huisarts"}
EMPLOYEE = {
    "@context": ["https://www.w3.org/2018/credentials/v1", "https://nuts.nl/credentials/v1"],
    "type": ["VerifiableCredential", "NutsEmployeeCredential"],
    "credentialSubject": {"identifier": "123456", "name": "Jan de Vries", "roleName": "Huisarts"},
}


def shipped_policy(name: str) -> dict[str, Any]:
    """A policy file shipped with nutssim (``nutssim/data/policies/<name>.json``)."""
    import json

    text = resources.files("nutssim").joinpath(f"data/policies/{name}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


#: The options every s2s scenario declares (PROTOCOL.md §1); variants change their defaults.
DPOP = Option("dpop", bool, True, "bind the access token to a DPoP key (RFC 9449); false asks for Bearer")
SCOPE = Option("scope", str, "eoverdracht", "the scope the EHR asks the hospital for")
POLICY = Option(
    "policy", dict, None, "the hospital's policy (a policy file's JSON; default: eoverdracht.json)"
)
CREDENTIAL_FORMAT = Option(
    "credential_format",
    str,
    "jwt_vc",
    "the format of the register's NutsOrganizationCredential",
    ("jwt_vc", "ldp_vc"),
)
OPTIONS = (DPOP, SCOPE, POLICY, CREDENTIAL_FORMAT)


def s2s_world(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    dpop: bool = True,
    policy: dict[str, Any] | None = None,
    scope: str = "eoverdracht",
    credential_format: str = "jwt_vc",
) -> S2SWorld:
    """Two nodes, a register that issues the GP's NutsOrganizationCredential, an EHR and an API."""
    sim = Simulation(seed=seed, profile=profile)
    parts = two_nodes(sim, policy or shipped_policy("eoverdracht"), credential_format)
    api = sim.add_resource_server(parts["authorization_server_node"])
    start = service_access(sim, parts["requester"], parts["authorization_server"], parts["ehr"], api)
    options = {"dpop": dpop, "scope": scope}
    return S2SWorld(name="s2s", sim=sim, starter=start, options=options, resource_server=api, **parts)


class TwoNodes(TypedDict):
    """The parts every family starts from (``NodesWorld`` less the resource server)."""

    register: Issuer
    requester: Subject
    authorization_server: Subject
    requester_node: Node
    authorization_server_node: Node
    ehr: EHR


def two_nodes(sim: Simulation, policy: dict[str, Any], credential_format: str = "jwt_vc") -> TwoNodes:
    """The register, the hospital serving ``policy``, the GP holding the register's credential, its EHR."""
    register_ = sim.add_issuer("Zorgregister", host="register.example")
    hospital_node = sim.add_node("hospital.example", name="Hospital node")
    gp_node = sim.add_node("gp.example", name="GP node")
    hospital = hospital_node.add_subject("Ziekenhuis Oost", id="ziekenhuis-oost")
    gp = gp_node.add_subject("Huisartsenpraktijk West", id="huisarts-west")
    hospital.use_policy(policy, reference=not sim.profile.strict)  # policy/local.go under nuts-node
    register_.issue_organization_credential(gp, name=gp.name, city="Utrecht", format=credential_format)
    return TwoNodes(
        register=register_,
        requester=gp,
        authorization_server=hospital,
        requester_node=gp_node,
        authorization_server_node=hospital_node,
        ehr=sim.add_ehr(gp_node),
    )


def service_access(
    sim: Simulation, requester: Subject, hospital: Subject, ehr: EHR, api: ResourceServer
) -> Callable[..., FlowRun]:
    """The starter of an s2s flow: ``requester``'s EHR asks ``hospital`` for a token, then calls ``api``."""

    def start(
        *,
        dpop: bool = True,
        scope: str = "eoverdracht",
        credentials: list[dict[str, Any]] | None = None,
        credential_selection: dict[str, str] | None = None,
        no_cache: bool = False,
    ) -> FlowRun:
        return sim.service_access(
            requester,
            hospital,
            scope,
            ehr=ehr,
            resource_server=api,
            dpop=dpop,
            credentials=[EMPLOYEE] if credentials is None else credentials,
            credential_selection=credential_selection,
            no_cache=no_cache,
        )

    return start


@register(
    "s2s",
    options=OPTIONS,
)
def s2s(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> S2SWorld:
    """The RFC021 flow with DPoP on."""
    return s2s_world(seed, profile, **options)


@register(
    "s2s-bearer",
    options=with_defaults(OPTIONS, dpop=False),
)
def s2s_bearer(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> S2SWorld:
    """The RFC021 flow with the EHR asking for a Bearer token."""
    return s2s_world(seed, profile, **options)


@register(
    "s2s-ldp",
    options=(
        DPOP,
        replace(SCOPE, default="test"),
        replace(
            POLICY,
            help="the hospital's policy (a policy file's JSON; default: the reference's rfc021-e2e.json)",
        ),
        replace(CREDENTIAL_FORMAT, default="ldp_vc"),
    ),
)
def s2s_ldp(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    policy: dict[str, Any] | None = None,
    **options: Any,
) -> S2SWorld:
    """The reference's own e2e policy, unchanged: ldp_vc/ldp_vp only, scope ``test``."""
    return s2s_world(seed, profile, policy=policy or shipped_policy("reference/rfc021-e2e"), **options)


@register(
    "s2s-mixed",
    options=with_defaults(OPTIONS, credential_format="ldp_vc"),
)
def s2s_mixed(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> S2SWorld:
    """A JSON-LD NutsOrganizationCredential from the register, a JWT NutsEmployeeCredential from the GP."""
    world = s2s_world(seed, profile, **options)
    gp = world.requester
    now = world.sim.clock.now()
    document = credential_document(
        id=f"{gp.did}#{world.sim.rng.uuid()}",
        type="NutsEmployeeCredential",
        issuer=gp.did,
        issuance_date=vc_jwt.to_rfc3339(now),
        expiration_date=vc_jwt.to_rfc3339(now + 3600),
        subject=employee_subject(gp.did, **EMPLOYEE_CLAIMS),
    )
    gp.wallet.add(vc_jwt.issue_credential(document, gp.identities[0].key))
    world.options["credentials"] = []  # the employee credential is in the wallet, not self-attested
    return world
