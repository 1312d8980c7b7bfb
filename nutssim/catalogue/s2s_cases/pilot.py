"""Cases of the pilot credential set in the two-VP jwt-bearer flow (issue #21 item 3; ``pilot-eoverdracht``).

As the ``s2s-jwt-bearer`` cases (``jwt_bearer.py``), every case runs with ``client_id=true`` so
the project-gf AS gets that far; nuts-node master's client never sends the request.
"""

from __future__ import annotations

from nutssim.catalogue.base import Expect, Family, Observation, observe_flow
from nutssim.catalogue.s2s_cases.jwt_bearer import (
    DELEGATION,
    GF,
    GRANTED,
    REFS,
    TOKEN,
    held,
    per_profile,
    vp_of,
    with_client_assertion,
)
from nutssim.scenarios import pilot_credentials as creds
from nutssim.scenarios.jwt_bearer import JwtBearerWorld
from nutssim.scenarios.pilot import PilotWorld
from nutssim.specs import rfc7523

PILOT = Family(PilotWorld, flow="s2s", scenario="pilot-eoverdracht", step=TOKEN)
#: nuts_rfc021.check_same_subject (PROTOCOL.md §1.5 #8): one subject for every credential of a VP.
NOT_SUBJECT = "not all VCs have the same credentialSubject.id"


def _delegation_for_another_vendor(world: JwtBearerWorld) -> str:
    """VP2 by the vendor with the delegation the practice gave another service provider."""
    assert isinstance(world, PilotWorld)
    other = world.requester_node.add_subject("Andere Leverancier", id="andere-leverancier")
    delegation = creds.service_provider_delegation(world.sim, world.requester, world.ura, other, add=False)
    certification = held(world.service_provider, rfc7523.SERVICE_PROVIDER_TYPE)
    return vp_of(world, world.service_provider, [*certification, delegation])


PILOT.declare(
    id="s2s-pilot-delegation-other-service-provider",
    title="VP2 carries the practice's delegation to another service provider",
    attack="the vendor presents the ServiceProviderDelegationCredential the practice issued to another "
    "vendor: right issuer and URA, wrong subject",
    control="signer_is_subject",
    act=with_client_assertion(_delegation_for_another_vendor),
    # The binding fields (issuer, URA) match, so only the subject gives it away: strict's signer
    # check (RFC021 §4.2.5 for each VP), and without it GFI-004's delegation rule (subject = VP2's
    # signer). project-gf never reads client_assertion and grants either way.
    expected=per_profile(Expect("denied", "invalid_client", NOT_SUBJECT, "token.signer_subject")),
    vulnerable=per_profile(Expect("denied", "invalid_grant", DELEGATION, "token.delegation")),
    refs=(
        "GF ServiceProviderDelegationCredential (subject: the service provider receiving the delegation)",
        "RFC021 §4.2.5",
        *REFS,
    ),
    options=GF,
)


def _revoke_server_certificate(world: JwtBearerWorld) -> Observation:
    """The UZI CA puts the practice's server certificate on its CRL, then the flow runs."""
    assert isinstance(world, PilotWorld)
    world.server_ca.revoke(world.organization_pass.leaf)
    return observe_flow(world.run())


PILOT.declare(
    id="s2s-pilot-uzi-certificate-revoked",
    title="HealthcareProviderCredential from a revoked UZI server certificate",
    attack="the practice keeps presenting the HealthcareProviderCredential it issued from a server "
    "certificate the UZI CA has since revoked",
    control="revocation_check",
    act=_revoke_server_certificate,
    # strict checks the did:x509 issuer's CRL (GF: revocation "through the did:x509 DID resolution");
    # project-gf does not: vdr/didx509/resolver.go Resolve "does NOT check the CRLs", and only
    # x509CredentialValidator (type X509Credential) reads them.
    expected=per_profile(
        Expect(
            "denied",
            "invalid_verifiable_credentials",
            "presentation(s) or credential(s) verification failed",
            "vc.x509.crl",
        )
    ),
    vulnerable=per_profile(GRANTED),
    refs=(
        "GF HealthcareProviderCredential (revocation method)",
        "RFC 5280 §5",
        "nuts-node vdr/didx509/resolver.go",
        *REFS,
    ),
    options=GF,
)
