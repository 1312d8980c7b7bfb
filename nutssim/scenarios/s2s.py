"""Service-to-service scenarios (Nuts RFC021): a GP practice asks a hospital for eOverdracht data."""

from __future__ import annotations

from importlib import resources
from typing import Any

from nutssim.profiles import Profile
from nutssim.scenarios import World, register
from nutssim.simulation import FlowRun, Simulation

#: The employee the EHR self-attests in the token request (PROTOCOL.md §1.0, §2.4).
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


def s2s_world(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    dpop: bool = True,
    policy: dict[str, Any] | None = None,
    scope: str = "eoverdracht",
) -> World:
    """Two nodes, a register that issues the GP's NutsOrganizationCredential, an EHR and an API."""
    sim = Simulation(seed=seed, profile=profile)
    register_ = sim.add_issuer("Zorgregister", host="register.example")
    hospital_node = sim.add_node("hospital.example", name="Hospital node")
    gp_node = sim.add_node("gp.example", name="GP node")
    hospital = hospital_node.add_subject("Ziekenhuis Oost", id="ziekenhuis-oost")
    gp = gp_node.add_subject("Huisartsenpraktijk West", id="huisarts-west")
    hospital.use_policy(policy or shipped_policy("eoverdracht"))
    register_.issue_organization_credential(gp, name=gp.name, city="Utrecht")
    ehr = sim.add_ehr(gp_node)
    api = sim.add_resource_server(hospital_node)

    def start(
        *,
        dpop: bool = dpop,
        scope: str = scope,
        credentials: list[dict[str, Any]] | None = None,
        credential_selection: dict[str, str] | None = None,
    ) -> FlowRun:
        return sim.service_access(
            gp,
            hospital,
            scope,
            ehr=ehr,
            resource_server=api,
            dpop=dpop,
            credentials=[EMPLOYEE] if credentials is None else credentials,
            credential_selection=credential_selection,
        )

    parts = {
        "register": register_,
        "requester": gp,
        "authorization_server": hospital,
        "requester_node": gp_node,
        "authorization_server_node": hospital_node,
        "ehr": ehr,
        "resource_server": api,
    }
    return World("s2s", sim, parts, start, {"dpop": dpop, "scope": scope})


@register("s2s", "Service-to-service (RFC021 vp_token-bearer) with a DPoP-bound token, then the resource")
def s2s(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """The RFC021 flow with DPoP on."""
    return s2s_world(seed, profile, **options)


@register("s2s-bearer", "Service-to-service (RFC021) with a plain Bearer token (no DPoP)")
def s2s_bearer(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """The RFC021 flow with the EHR asking for a Bearer token."""
    return s2s_world(seed, profile, **{"dpop": False, **options})
