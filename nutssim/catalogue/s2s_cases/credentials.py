"""s2s cases of the credentials in the VP: expired, revoked, unverifiable status, forged, malformed.

PROTOCOL.md §4.2 items 24–27 and 30. Error texts name the credential id, which changes with
the seed: ``observe_vc_flow`` masks it (``invalid VC (id=*)``) and keeps the wire text in
``detail``.
"""

from __future__ import annotations

import copy

from nutssim.catalogue.attacker import issue_jwt_vc
from nutssim.catalogue.base import GRANTED, Expect, Observation
from nutssim.catalogue.s2s_cases.common import (
    CREDENTIALS,
    INVALID_VC,
    S2S,
    VERIFY_FAILED,
    gp_key,
    observe_vc_flow,
    org_credential,
    replace_org_credential,
    vp_error,
)
from nutssim.models.credential import organization_subject
from nutssim.scenarios import S2SWorld
from nutssim.specs.vc_jwt import credential_from_json

YEAR = 365 * 24 * 3600
#: A credential's signature failure carries the prefix twice: signature_verifier.go returns a
#: VerificationError that vcr/verifier/verifier.go doVerifyVP wraps in another one.
VC_SIGNATURE = f"{INVALID_VC}{VERIFY_FAILED}"


@S2S.case(
    id="s2s-org-credential-expired",
    title="Expired NutsOrganizationCredential",
    attack="the GP's organization credential expired a year ago",
    # ATTACKS.md 3.1 #13: RFC021 §4.5 says invalid_verifiable_credentials; the node says invalid_request.
    # The AS records one check (token.verify_vp); the cause (vc.time) is in its detail.
    expected=vp_error(CREDENTIALS, f"{INVALID_VC}credential not valid at given time", "token.verify_vp"),
    refs=("PROTOCOL.md §4.2 #24", "PROTOCOL.md §3.5 step 3", "ATTACKS.md 3.1 #11", "ATTACKS.md 3.1 #13"),
)
def org_credential_expired(world: S2SWorld) -> Observation:
    """§4.2 item 24."""
    expired = world.register.issue_organization_credential(
        world.requester, city="Utrecht", issued_at=world.sim.clock.now() - 2 * YEAR, valid_for=YEAR
    )
    replace_org_credential(world, expired)
    return observe_vc_flow(world)


@S2S.case(
    id="s2s-org-credential-revoked",
    title="Revoked NutsOrganizationCredential",
    attack="the register revoked the GP's credential (StatusList2021 bit set); the GP presents it anyway",
    control="revocation_check",
    expected=vp_error(CREDENTIALS, f"{INVALID_VC}credential is revoked", "vc.revocation"),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #25", "PROTOCOL.md §3.6", "ATTACKS.md 3.1 #11"),
)
def org_credential_revoked(world: S2SWorld) -> Observation:
    """§4.2 item 25."""
    world.register.revoke(org_credential(world))
    return observe_vc_flow(world)


@S2S.case(
    id="s2s-status-list-unreachable",
    title="Revoked credential while the status list is unreachable",
    attack="the GP presents its revoked credential while the register's status list answers 503",
    control="revocation_check",
    expected={
        "nuts-node": Expect("granted"),  # PROTOCOL.md §3.6: fail-open
        "strict": Expect(
            "denied", CREDENTIALS, f"{INVALID_VC}unable to check revocation status: ", "vc.revocation_list"
        ),  # StatusList2021 §6 read strictly: fail closed
    },
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #30", "PROTOCOL.md §3.6", "ATTACKS.md 3.1 #12"),
)
def status_list_unreachable(world: S2SWorld) -> Observation:
    """§4.2 item 30, ATTACKS.md 3.1 #12."""
    world.register.revoke(org_credential(world))
    world.register.status_list_online = False  # the list server is down (or blocked by the attacker)
    return observe_vc_flow(world)


@S2S.case(
    id="s2s-vc-forged-issuer",
    title="JWT VC claiming the register as issuer, signed with the GP's key",
    attack="the GP forges an organization credential: iss is the register, kid is its own key",
    control="vp_signature",
    expected=vp_error(
        CREDENTIALS,
        f"{VC_SIGNATURE}unable to validate JWT signature: token issuer (did:web:register.example",
        "token.verify_vp",
    ),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #26", "PROTOCOL.md §3.2", "ATTACKS.md 3.5 #43"),
)
def vc_forged_issuer_kid(world: S2SWorld) -> Observation:
    """§4.2 item 26."""
    forged = issue_jwt_vc(
        world,
        gp_key(world),  # the GP's own key …
        issuer=world.register.did,  # … claiming to be the register
        type="NutsOrganizationCredential",
        subject=organization_subject(world.requester.did, "Academisch Ziekenhuis", "Leiden"),
    )
    replace_org_credential(world, forged)
    return observe_vc_flow(world)


@S2S.case(
    id="s2s-org-credential-without-city",
    title="NutsOrganizationCredential with an empty city",
    attack="the register issued the GP's credential without organization.city",
    expected=vp_error(
        CREDENTIALS, f"{INVALID_VC}validation failed: 'credentialSubject.city' is empty", "token.verify_vp"
    ),
    refs=("PROTOCOL.md §4.2 #27", "PROTOCOL.md §3.3"),
)
def org_credential_without_city(world: S2SWorld) -> Observation:
    """§4.2 item 27."""
    replace_org_credential(world, world.register.issue_organization_credential(world.requester, city=""))
    return observe_vc_flow(world)


@S2S.case(
    id="s2s-ld-unsigned-claim",
    title="Claim added to a signed JSON-LD credential, outside its @context",
    attack="the GP adds organization.ura, a term the Nuts context does not define, to its signed ldp_vc",
    control="vp_signature",
    expected={
        # json-gold's expansion drops the undefined term, so the signature never covered it and still
        # verifies (vcr/signature/proof/jsonld.go LDProof.Verify, no AllFieldsDefined): the claim rides along.
        "nuts-node": Expect("granted"),
        # Strict JSON-LD processing refuses a term that expansion would drop (specs/jsonld.py).
        "strict": Expect(
            "denied",
            CREDENTIALS,
            f"{VC_SIGNATURE}invalid signature: JSON-LD terms not defined by @context "
            "(they would be dropped, unsigned): ura",
            "token.verify_vp",
        ),
    },
    vulnerable=GRANTED,
    refs=("JSON-LD 1.1 API §5.1.2 (expansion drops an undefined term)", "PROTOCOL.md §3.2"),
    options={"credential_format": "ldp_vc"},
)
def ld_unsigned_claim(world: S2SWorld) -> Observation:
    """An undefined term is not in the canonical N-Quads, so no proof covers it."""
    signed = org_credential(world)
    document = copy.deepcopy(signed.document)
    document["credentialSubject"]["organization"]["ura"] = "00000001"  # unsigned, yet in the VC
    replace_org_credential(world, credential_from_json(document))
    return observe_vc_flow(world)
