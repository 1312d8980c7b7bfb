"""s2s cases of who presents: the VP's signer must be the subject of every credential in it.

PROTOCOL.md §4.2 items 8–10; ATTACKS.md 3.1 #3 (a stolen credential, or another
organization's, in a VP of one's own). The attacker builds these VPs itself
(``attacker.present``): the honest client would not.
"""

from __future__ import annotations

import json

from nutssim.catalogue.attacker import (
    attacker,
    build_vp,
    issue_jwt_vc,
    post_token,
    present,
    self_attested_employee,
    stolen_credentials,
    token_form,
)
from nutssim.catalogue.base import GRANTED, Observation
from nutssim.catalogue.s2s_cases.common import (
    CREDENTIALS,
    PRESENTATION,
    S2S,
    SUBMISSION,
    gp_key,
    org_credential,
    vp_error,
)
from nutssim.models.credential import employee_subject
from nutssim.scenarios import S2SWorld

SIGNER_IS_SUBJECT = "token.signer_subject"


@S2S.case(
    id="s2s-stolen-vc",
    title="Victim's organization credential in a VP signed by the attacker",
    attack="the attacker puts the GP's credential (and an employee credential it issued about the GP) "
    "into a VP signed with its own did:web key",
    control="signer_is_subject",
    expected=vp_error(CREDENTIALS, "presentation signer is not credential subject", SIGNER_IS_SUBJECT),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #8", "ATTACKS.md 3.1 #3", "RFC021 §4.2.5"),
)
def stolen_vc_attacker_signed(world: S2SWorld) -> Observation:
    """§4.2 item 8, ATTACKS.md 3.1 #3."""
    world.run()  # the victim's good run: its VCs cross the wire inside the VP
    stolen = stolen_credentials(world)[0]  # the GP's NutsOrganizationCredential
    evil = attacker(world)
    employee = issue_jwt_vc(
        world,
        evil.key,
        issuer=evil.did,
        type="NutsEmployeeCredential",
        subject=employee_subject(world.requester.did, "666", "Mallory", "Huisarts"),
    )
    return present(world, key=evil.key, holder=evil.did, credentials=[stolen, employee])


@S2S.case(
    id="s2s-vc-of-other-subject",
    title="Requester presents another organization's credential",
    attack="the GP signs a VP holding Kliniek Zuid's NutsOrganizationCredential to act as Kliniek Zuid",
    control="signer_is_subject",
    expected=vp_error(CREDENTIALS, "not all VCs have the same credentialSubject.id", SIGNER_IS_SUBJECT),
    vulnerable=GRANTED,
    refs=("ATTACKS.md 3.1 #3", "RFC021 §4.2.5", "PROTOCOL.md §1.5 #8"),
)
def vc_of_other_subject(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.1 #3: the requester presents another organization's credential."""
    gp = world.requester
    other = world.sim.add_node("kliniek.example").add_subject("Kliniek Zuid", id="kliniek-zuid")
    borrowed = world.register.issue_organization_credential(other, name=other.name, city="Zwolle")
    employee = self_attested_employee(world, gp.did)
    return present(world, key=gp_key(world), holder=gp.did, credentials=[borrowed, employee])


@S2S.case(
    id="s2s-vc-without-subject",
    title="VC without credentialSubject.id",
    attack="the VP carries a bearer credential (no credentialSubject.id)",
    control="signer_is_subject",
    expected=vp_error(
        CREDENTIALS, "unable to get subject DID from VC: credential subjects have no ID", SIGNER_IS_SUBJECT
    ),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #9", "RFC021 §4.2.5"),
)
def vc_without_subject_id(world: S2SWorld) -> Observation:
    """§4.2 item 9."""
    gp = world.requester
    # A credential without credentialSubject.id is a bearer credential: any holder could present it.
    bearer = issue_jwt_vc(
        world,
        gp_key(world),
        issuer=gp.did,
        type="NutsEmployeeCredential",
        subject=employee_subject(None, "123456", "Jan de Vries", "Huisarts"),
    )
    return present(world, key=gp_key(world), holder=gp.did, credentials=[org_credential(world), bearer])


@S2S.case(
    id="s2s-two-vps-two-holders",
    title="Two VPs from two holders in one assertion",
    attack="the GP bundles its VP with a colluder's VP, so two subjects' credentials answer one PD",
    control="signer_is_subject",
    expected=vp_error(
        PRESENTATION, "not all presentations have the same credential subject ID", SIGNER_IS_SUBJECT
    ),
    # Defence in depth: the AS re-runs PD matching per VP (PROTOCOL.md §3.7), and no single VP fulfils it.
    vulnerable=vp_error(
        SUBMISSION,
        "presentation submission does not conform to presentation definition (id=",
        "token.pd_fulfil",
    ),
    refs=("PROTOCOL.md §4.2 #10", "RFC021 §4.2.5", "PROTOCOL.md §3.7"),
)
def two_vps_two_holders(world: S2SWorld) -> Observation:
    """§4.2 item 10."""
    gp, evil = world.requester, attacker(world)
    employee = issue_jwt_vc(
        world,
        evil.key,
        issuer=evil.did,
        type="NutsEmployeeCredential",
        subject=employee_subject(evil.did, "666", "Mallory", "Huisarts"),
    )
    vp1 = build_vp(world, key=gp_key(world), holder=gp.did, credentials=[org_credential(world)])
    vp2 = build_vp(world, key=evil.key, holder=evil.did, credentials=[employee])
    pd = world.authorization_server.policy.presentation_definition("eoverdracht")
    descriptors = [(pd.input_descriptors[0].id, "$[0]"), (pd.input_descriptors[1].id, "$[1]")]
    submission = {
        "id": world.sim.rng.uuid(),
        "definition_id": pd.id,
        "descriptor_map": [
            {"id": d, "format": "jwt_vc", "path": f"{vp}.verifiableCredential[0]"} for d, vp in descriptors
        ],
    }
    form = token_form(world, json.dumps([vp1, vp2]), submission)
    return post_token(world, form, dpop_key=gp_key(world))
