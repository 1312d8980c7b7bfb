"""OpenID4VCI scenarios (issue #21 item 1): wallets filled over the wire before they are used.

``vci-bootstrap`` starts with the GP's wallet empty. The register offers a credential (a
Credential Offer by reference, §4.1.3); the GP's EHR reads it and asks its node for a
NutsOrganizationCredential from the Zorgregister over OpenID4VCI 1.0 (the reference's
``request-credential``, PR #4057); the user's browser goes through the register's
authorization endpoint and back to the node, which redeems the code, fetches a ``c_nonce``,
proves possession of its DID key and stores the credential. Then the EHR runs the s2s flow
with it. The "by fiat" set-up of ``s2s`` stays the fast option for sweeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nutssim.parties.browser import Browser
from nutssim.parties.ehr_vci import from_offer, issue_then
from nutssim.parties.vci_issuer import ORGANIZATION_CONFIGURATION
from nutssim.profiles import Profile
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import DPOP, EMPLOYEE, POLICY, SCOPE, shipped_policy
from nutssim.scenarios.world import S2SWorld
from nutssim.simulation import FlowRun, Simulation

ACCESS = Option("access", bool, True, "after the issuance, run the s2s flow with the new credential")
CONFIGURATION = Option(
    "configuration",
    str,
    ORGANIZATION_CONFIGURATION,
    "the credential configuration the EHR asks the register for (the GP is enrolled for the first)",
    (ORGANIZATION_CONFIGURATION, "HealthcareProviderCredential_jwt"),
)


@dataclass(kw_only=True)
class VciWorld(S2SWorld):
    """An s2s world whose requester starts with an empty wallet, and the browser that fills it."""

    browser: Browser


@register(
    "vci-bootstrap",
    options=(DPOP, SCOPE, POLICY, ACCESS, CONFIGURATION),
)
def vci_bootstrap(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    policy: dict[str, Any] | None = None,
    **options: Any,
) -> VciWorld:
    """The two nodes, the register (enrolling the GP), the GP's EHR, a browser, the hospital's API."""
    sim = Simulation(seed=seed, profile=profile)
    register_ = sim.add_issuer("Zorgregister", host="register.example")
    hospital_node = sim.add_node("hospital.example", name="Hospital node")
    gp_node = sim.add_node("gp.example", name="GP node")
    hospital = hospital_node.add_subject("Ziekenhuis Oost", id="ziekenhuis-oost")
    gp = gp_node.add_subject("Huisartsenpraktijk West", id="huisarts-west")
    hospital.use_policy(policy or shipped_policy("eoverdracht"), reference=not sim.profile.strict)
    # The register knows the practice (out of band: KvK, AGB) by its OAuth identity.
    register_.openid4vci.enrol(gp.url, gp.name, "Utrecht")
    ehr, browser = sim.add_ehr(gp_node), sim.add_browser()
    api = sim.add_resource_server(hospital_node)

    def start(
        *,
        dpop: bool = True,
        scope: str = "eoverdracht",
        access: bool = True,
        configuration: str = ORGANIZATION_CONFIGURATION,
    ) -> FlowRun:
        # The register offers the credential (§4.1, by reference); the EHR reads the offer.
        offer_uri = register_.openid4vci.offer(configuration)
        issuance = from_offer(ehr, browser, gp.id, gp.did, offer_uri)
        then = (
            ehr.service_access(
                gp.id, hospital.url, scope, resource_url=api.resource_url, dpop=dpop, credentials=[EMPLOYEE]
            )
            if access
            else None
        )
        return FlowRun(sim, sim.start(issue_then(issuance, then), ehr.id), "vci")

    return VciWorld(
        name="vci-bootstrap",
        sim=sim,
        starter=start,
        options=options,
        register=register_,
        requester=gp,
        authorization_server=hospital,
        requester_node=gp_node,
        authorization_server_node=hospital_node,
        ehr=ehr,
        resource_server=api,
        browser=browser,
    )
