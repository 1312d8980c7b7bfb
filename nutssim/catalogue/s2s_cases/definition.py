"""s2s cases of the presentation definition: fulfilment, issuer constraints, and hostile policies.

PROTOCOL.md §4.2 items 16–17 (what the AS's re-evaluation of the PD catches), 28 (self-issued
credentials, with and without an issuer constraint) and 33 (a PD field named ``scope``);
ATTACKS.md 3.8 #61 (hostile PDs refused when the policy is loaded).
"""

from __future__ import annotations

from typing import Any

from nutssim.catalogue.attacker import (
    RewriteResponse,
    build_vp,
    is_pd_request,
    post_token,
    present,
    rewrite_json,
    self_attested_employee,
    strip_issuer_constraints,
    submission_for,
    token_form,
)
from nutssim.catalogue.base import GRANTED, Expect, Observation, everywhere, observe_flow
from nutssim.catalogue.s2s_cases.common import (
    NOT_CONFORM,
    S2S,
    SUBMISSION,
    drop_issuer_field,
    good_run,
    gp_key,
    org_credential,
    replace_org_credential,
    self_issued,
    vp_error,
    with_policy,
)
from nutssim.models.credential import NUTS_CONTEXT, VC_CONTEXT
from nutssim.parties.wallet import complete_self_attested
from nutssim.scenarios import S2SWorld
from nutssim.specs.nuts_policy import PolicyError

PD_REEVALUATED = vp_error(SUBMISSION, NOT_CONFORM, "token.pd_fulfil")


# == §4.2 items 16–17, 28: what the AS's own PD match catches ============================================
@S2S.case(
    id="s2s-pd-untrusted-issuer",
    title="Organization credential from an untrusted issuer",
    attack="the GP holds a credential from a rogue register; the PD's issuer filter is stripped on the "
    "client's side so the client presents it",
    control="pd_reevaluation",
    expected=PD_REEVALUATED,
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #16", "PROTOCOL.md §3.7, §3.11", "ATTACKS.md 3.1 #11"),
)
def pd_issuer_stripped(world: S2SWorld) -> Observation:
    """§4.2 item 16."""
    rogue = world.sim.add_issuer("Nepregister", host="nepregister.example")
    replace_org_credential(world, rogue.issue_organization_credential(world.requester, city="Utrecht"))
    # A man in the middle (or a patched client) removes the issuer filter from the PD it fetches.
    world.sim.network.interceptors.append(
        RewriteResponse(is_pd_request, rewrite_json(strip_issuer_constraints))
    )
    return observe_flow(world.run())


@S2S.case(
    id="s2s-submission-maps-other-vc",
    title="Submission maps a descriptor to another VC than the AS's first match",
    attack="the VP holds the register's credential and a self-attested one naming another hospital; "
    "the submission points the organization descriptor at the self-attested one",
    control="pd_reevaluation",
    expected=PD_REEVALUATED,
    vulnerable=GRANTED,  # the token then carries organization_name "Academisch Ziekenhuis"
    refs=("PROTOCOL.md §4.2 #17", "PROTOCOL.md §3.7", "ATTACKS.md 3.1 #9"),
)
def submission_maps_other_vc(world: S2SWorld) -> Observation:
    """§4.2 item 17."""
    gp = world.requester
    # A self-attested organization credential with a name of the GP's choosing (PROTOCOL.md §1.3).
    organization = {"organization": {"name": "Academisch Ziekenhuis", "city": "Leiden"}}
    template = {
        "@context": [VC_CONTEXT, NUTS_CONTEXT],
        "type": ["VerifiableCredential", "NutsOrganizationCredential"],
        "credentialSubject": organization,
    }
    fake = complete_self_attested([template], gp.did, world.sim.clock.now(), world.sim.rng)[0]
    credentials = [org_credential(world), fake, self_attested_employee(world, gp.did)]
    vp = build_vp(world, key=gp_key(world), holder=gp.did, credentials=credentials)
    # The organization descriptor points at the fake (position 1), not the first match.
    submission = submission_for(world, [fake, credentials[2]], positions=[1, 2])
    return post_token(world, token_form(world, vp, submission), dpop_key=gp_key(world))


@S2S.case(
    id="s2s-self-issued-open-pd",
    title="Self-issued organization credential against a PD without issuer constraint",
    attack="the GP issues itself a NutsOrganizationCredential naming another hospital",
    # PROTOCOL.md §3.11: allowUntrusted=true, so only a PD constraint on $.issuer could refuse it.
    # The strict profile's trusted-issuer lists are an option, off here.
    expected=GRANTED,
    refs=("PROTOCOL.md §4.2 #28", "PROTOCOL.md §3.11", "ATTACKS.md 3.8 #62"),
    options={"policy": with_policy(drop_issuer_field)},
)
def self_issued_open_pd(world: S2SWorld) -> Observation:
    """§4.2 item 28 (PD without issuer constraint)."""
    replace_org_credential(world, self_issued(world))
    return observe_flow(world.run())


@S2S.case(
    id="s2s-self-issued-shipped-pd",
    title="Self-issued organization credential against the shipped PD (issuer pattern)",
    attack="a patched GP client presents its self-issued credential despite the PD's issuer pattern",
    control="pd_reevaluation",
    expected=PD_REEVALUATED,
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #28", "PROTOCOL.md §4.2 #16", "PROTOCOL.md §3.11"),
)
def self_issued_shipped_pd(world: S2SWorld) -> Observation:
    """§4.2 item 28 (the shipped PD has an issuer pattern)."""
    gp = world.requester
    forged = self_issued(world)
    # An honest client would not find a match (412); a patched one presents it anyway.
    employee = self_attested_employee(world, gp.did)
    return present(world, key=gp_key(world), holder=gp.did, credentials=[forged, employee])


# == §4.2 item 33, ATTACKS.md 3.7 #60: a PD field id that collides with a token claim ====================
def _scope_field_id(pd: dict[str, Any]) -> None:
    for field in pd["input_descriptors"][0]["constraints"]["fields"]:
        if field.get("id") == "organization_city":
            field["id"] = "scope"


S2S.declare(
    id="s2s-pd-field-id-scope",
    title="PD field id 'scope' breaks introspection",
    step="resource request",
    attack="the policy names a PD field 'scope', which would overwrite the token's scope claim",
    act=good_run,
    # The token is issued; introspection answers 500 (PROTOCOL.md §1.7 step 3, §3.10), and the RS
    # treats the token as inactive: the reference's nginx script says 403 "Unauthorized".
    expected={
        "nuts-node": Expect("denied", "http_403", "Unauthorized", "introspect.claims"),
        "strict": Expect("denied", "invalid_token", "the access token is not active", "introspect.claims"),
    },
    refs=("PROTOCOL.md §4.2 #33", "PROTOCOL.md §3.10", "ATTACKS.md 3.7 #60"),
    options={"policy": with_policy(_scope_field_id)},
)


# == ATTACKS.md 3.8 #61: hostile presentation definitions ================================================
def load_policy(world: S2SWorld, policy: dict[str, Any]) -> Observation:
    """Configure the AS with ``policy``; a refused policy is the observation (no flow runs)."""
    try:
        world.authorization_server.use_policy(policy, reference=not world.sim.profile.strict)
    except PolicyError as exc:
        text = str(exc)
        reason = text[len(exc.where) + 2 :] if exc.where and text.startswith(exc.where) else text
        return Observation("denied", "policy_error", reason, ("policy.load",), detail=exc.where)
    return observe_flow(world.run())


def _hostile_path(pd: dict[str, Any]) -> None:
    pd["input_descriptors"][0]["constraints"]["fields"][0]["path"] = ['$..*[?match(@, ".*")]']


def _hostile_regex(pd: dict[str, Any]) -> None:
    pd["input_descriptors"][0]["constraints"]["fields"][1]["filter"]["pattern"] = "^(did:web:[a-z.]+)+$"


S2S.declare(
    id="s2s-pd-hostile-jsonpath",
    title="Policy whose PD uses a filter-selector JSONPath",
    step="policy load",
    attack="a PD path with descendant and filter selectors (cost and exfiltration surface)",
    act=lambda world: load_policy(world, with_policy(_hostile_path)),
    expected=everywhere("denied", "policy_error", "path '$..*[?match(@, \".*\")]': "),
    refs=("ATTACKS.md 3.8 #61", "RFC 9535 §2.3.5", "PROTOCOL.md §3.4"),
)
S2S.declare(
    id="s2s-pd-hostile-regex",
    title="Policy whose PD pattern backtracks exponentially",
    step="policy load",
    attack="a PD filter pattern with nested quantifiers (ReDoS)",
    act=lambda world: load_policy(world, with_policy(_hostile_regex)),
    expected={
        # policy/local.go loads it; vcr/pe matchFilter runs it (regexp2, no timeout; nutssim: RE2,
        # linear) and the register's DID ("…:iam:…") does not match, so the wallet finds no credential.
        "nuts-node": Expect(
            "denied", "invalid_request", "wallet could not fulfill requirements", "client.pd_match"
        ),
        "strict": Expect("denied", "policy_error", 'pattern "^(did:web:[a-z.]+)+$": nested quantifiers'),
    },
    refs=("ATTACKS.md 3.8 #61", "PROTOCOL.md §3.4"),
)
