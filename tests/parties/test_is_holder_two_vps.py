"""A required ``is_holder`` at the AS when the assertion holds VPs of two signers (issue #22 item 2).

Strict judges each credential by the signer of the VP that carries it (``check_submission(holders=)``;
DIF PE v2 §Relational Constraint Feature): the colluder's credential about itself, in the VP it
signed, meets ``is_holder`` (so it is ``signer_is_subject``, RFC021 §4.2.5, that refuses such a
bundle), and the same credential in the GP's VP breaks it. The submission has the spec's shape
(``$[i]`` + ``path_nested`` into the JWT's claims), as strict reads JWT VPs.
"""

from __future__ import annotations

import json

from nutssim.catalogue.attacker import attacker, build_vp, issue_jwt_vc, post_token, token_form
from nutssim.catalogue.base import Observation
from nutssim.catalogue.s2s_cases.common import gp_key, org_credential, with_policy
from nutssim.models.credential import employee_subject
from nutssim.profiles import Profile
from nutssim.scenarios import S2SWorld
from nutssim.scenarios.registry import build


def _employee_holder_required(pd: dict) -> None:
    pd["input_descriptors"][1]["constraints"]["is_holder"] = [
        {"field_id": ["employee_identifier"], "directive": "required"}
    ]


def _world() -> S2SWorld:
    world = build(
        "s2s",
        seed=0,
        profile=Profile("strict").without("signer_is_subject"),
        policy=with_policy(_employee_holder_required),
    )
    assert isinstance(world, S2SWorld)
    return world


def _two_vps(world: S2SWorld, *, employee_in_gp_vp: bool) -> Observation:
    gp, evil = world.requester, attacker(world)
    employee = issue_jwt_vc(
        world,
        evil.key,
        issuer=evil.did,
        type="NutsEmployeeCredential",
        subject=employee_subject(evil.did, "666", "Mallory", "Huisarts"),
    )
    gp_credentials = [org_credential(world)] + ([employee] if employee_in_gp_vp else [])
    vp1 = build_vp(world, key=gp_key(world), holder=gp.did, credentials=gp_credentials)
    vp2 = build_vp(world, key=evil.key, holder=evil.did, credentials=[employee])
    pd = world.authorization_server.policy.presentation_definition("eoverdracht")
    org_id, employee_id = pd.input_descriptors[0].id, pd.input_descriptors[1].id
    employee_at = (
        ("$[0]", "$.vp.verifiableCredential[1]")
        if employee_in_gp_vp
        else ("$[1]", "$.vp.verifiableCredential[0]")
    )

    def entry(descriptor: str, vp: str, nested: str) -> dict:
        inner = {"id": descriptor, "format": "jwt_vc", "path": nested}
        return {"id": descriptor, "format": "jwt_vp", "path": vp, "path_nested": inner}

    submission = {
        "id": world.sim.rng.uuid(),
        "definition_id": pd.id,
        "descriptor_map": [
            entry(org_id, "$[0]", "$.vp.verifiableCredential[0]"),
            entry(employee_id, *employee_at),
        ],
    }
    form = token_form(world, json.dumps([vp1, vp2]), submission)
    return post_token(world, form, dpop_key=gp_key(world))


def _pd_fulfil(world: S2SWorld) -> tuple[bool, str]:
    found = [c for _, c in world.sim.trace.checks() if c.id == "token.pd_fulfil"]
    assert found, "the AS reached the definition check"
    return found[-1].passed, found[-1].detail


def test_the_colluders_credential_in_its_own_vp_meets_is_holder() -> None:
    world = _world()
    _two_vps(world, employee_in_gp_vp=False)
    passed, detail = _pd_fulfil(world)
    assert passed, detail


def test_the_same_credential_in_the_gps_vp_breaks_is_holder() -> None:
    world = _world()
    observed = _two_vps(world, employee_in_gp_vp=True)
    passed, detail = _pd_fulfil(world)
    assert not passed
    assert "is_holder is required, but subject" in detail and "is not the holder" in detail, detail
    assert observed.status == "denied"
