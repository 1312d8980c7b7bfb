"""Trust scenarios (issue #6): revoked credential, unreachable status list, self-issued or untrusted issuer.

Each is the ``s2s`` world with one thing changed before the flow starts. Scenarios that
should not end ``granted`` say so in ``world.options["expect"]`` (a status, or a dict per
profile name), which ``nutssim run`` compares with the outcome. The GP practice that is
refused for who issued its credential is a second subject on the GP node,
"Huisartsenpraktijk Noord", which the Zorgregister never registered; the registered
practice (West) keeps its register credential, so the picture shows both.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from nutssim.models.credential import Credential, credential_document, organization_subject
from nutssim.parties.node import Subject
from nutssim.profiles import Profile
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import OPTIONS, s2s_world, service_access, shipped_policy
from nutssim.scenarios.world import S2SWorld, TrustWorld
from nutssim.simulation import FlowRun, Simulation
from nutssim.specs import vc_jwt

ORGANIZATION = "NutsOrganizationCredential"
#: Options these scenarios read themselves (besides the s2s ones they pass on to ``s2s_world``).
REVOKED = Option(
    "revoked", bool, True, "whether the register revoked the credential before its list went down"
)
ISSUER_CONSTRAINT = Option(
    "issuer_constraint", bool, True, "whether the hospital's PD constrains $.issuer (false: the e2e shape)"
)
STATUS_LIST_FORMAT = Option(
    "status_list_format",
    str,
    "ldp",
    "how the register serves its status list: ldp (JSON-LD, as the reference) or jwt (a non-reference "
    "register; a reference node cannot parse it and fails open)",
    choices=("ldp", "jwt"),
)
#: What the starter keeps out of the flow's arguments: the world's expectation and the options above.
_OWN_OPTIONS = ("expect", REVOKED.name, ISSUER_CONSTRAINT.name, STATUS_LIST_FORMAT.name)


def self_issue_organization_credential(
    sim: Simulation,
    subject: Subject,
    *,
    name: str | None = None,
    city: str = "Utrecht",
    valid_for: int = 365 * 24 * 3600,
) -> Credential:
    """Have ``subject`` sign its own NutsOrganizationCredential (PROTOCOL.md §3.11, §4.2 #28), traced."""
    now = sim.clock.now()
    document = credential_document(
        id=f"{subject.did}#{sim.rng.uuid()}",  # §3.3: the id starts with the issuer DID
        type=ORGANIZATION,
        issuer=subject.did,
        issuance_date=vc_jwt.to_rfc3339(now),
        expiration_date=vc_jwt.to_rfc3339(now + valid_for),
        subject=organization_subject(subject.did, name or subject.name, city),
    )
    credential = vc_jwt.credential_from_jwt(vc_jwt.issue_credential(document, subject.identities[0].key))
    subject.wallet.add(credential)
    sim.record_issued(subject.node.id, credential, subject.did, self_issued=True)
    return credential


def trust_issuer(sim: Simulation, subject: Subject, credential_type: str, issuer_did: str) -> None:
    """Put an issuer on ``subject``'s explicit trust list (strict option, PROTOCOL.md §3.11), traced."""
    subject.trust_issuer(credential_type, issuer_did)
    sim.record_fact(
        subject.node.id,
        "issuer_trusted",
        verifier=subject.url,
        credential_type=credential_type,
        issuer=issuer_did,
        consulted=sim.profile.trusted_issuer_lists,  # the reference never consults it
    )


def without_issuer_constraint(policy: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``policy`` without its ``$.issuer`` fields (the shape of the reference's e2e policy)."""
    out = copy.deepcopy(policy)
    for profile in out.values():
        if not isinstance(profile, dict):
            continue
        for definition in profile.values():
            if not isinstance(definition, dict):
                continue
            for descriptor in definition.get("input_descriptors") or []:
                constraints = descriptor.get("constraints") or {}
                constraints["fields"] = [
                    f for f in constraints.get("fields", []) if "$.issuer" not in f.get("path", [])
                ]
    return out


def _trust_world(world: S2SWorld) -> TrustWorld:
    """The s2s ``world`` as a TrustWorld (same simulation, parties and starter)."""
    parts = {name: getattr(world, name) for name in S2SWorld.part_names()}
    return TrustWorld(name=world.name, sim=world.sim, starter=world.starter, options=world.options, **parts)


def _finish(world: TrustWorld, name: str, expect: Any, **options: Any) -> TrustWorld:
    """Name the world, record its scenario-only options, and its expectation for ``nutssim run``."""
    world.name = name
    world.options.update(options)
    if expect != "granted":
        world.options["expect"] = expect
    start = world.starter

    @functools.wraps(start)  # World.start checks overrides against the flow's own arguments
    def starter(**given: Any) -> FlowRun:
        # Scenario-only options (``expect``, …) describe the world; they are not the flow's arguments.
        return start(**{k: v for k, v in given.items() if k not in _OWN_OPTIONS})

    world.starter = starter
    return world


def _unregistered_requester(world: TrustWorld, issue: Callable[[Subject], Credential]) -> Subject:
    """Add the unregistered practice on the GP node, give it a credential, and make it the requester."""
    noord = world.requester_node.add_subject("Huisartsenpraktijk Noord", id="huisarts-noord")
    issue(noord)
    world.registered_requester, world.requester = world.requester, noord
    world.starter = service_access(
        world.sim, noord, world.authorization_server, world.ehr, world.resource_server
    )
    return noord


@register("trust-revoked", options=(*OPTIONS, STATUS_LIST_FORMAT))
def trust_revoked(
    seed: int = 0, profile: str | Profile = "nuts-node", *, status_list_format: str = "ldp", **options: Any
) -> TrustWorld:
    """PROTOCOL.md §4.2 #25: the StatusList2021 bit is set, so VerifyVP refuses the credential."""
    world = _trust_world(s2s_world(seed, profile, **options))
    world.register.status_list_format = status_list_format
    world.register.revoke(world.register.issued[-1])
    # FIDELITY.md "StatusList2021 wire format": a reference node json.Unmarshals the list, so a bare
    # JWT list cannot be parsed and the revocation goes unnoticed (fail-open); strict reads it.
    expect: Any = "denied" if status_list_format == "ldp" else {"nuts-node": "granted", "strict": "denied"}
    return _finish(world, "trust-revoked", expect, status_list_format=status_list_format)


@register("trust-statuslist-down", options=(*OPTIONS, REVOKED))
def trust_statuslist_down(
    seed: int = 0, profile: str | Profile = "nuts-node", *, revoked: bool = True, **options: Any
) -> TrustWorld:
    """PROTOCOL.md §3.6, §4.2 #30: a revoked credential whose list cannot be fetched."""
    world = _trust_world(s2s_world(seed, profile, **options))
    if revoked:
        world.register.revoke(world.register.issued[-1])
    world.register.status_list_online = False
    return _finish(
        world, "trust-statuslist-down", {"nuts-node": "granted", "strict": "denied"}, revoked=revoked
    )


@register("trust-self-issued", options=(*OPTIONS, ISSUER_CONSTRAINT))
def trust_self_issued(
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    *,
    issuer_constraint: bool = True,
    policy: dict[str, Any] | None = None,
    **options: Any,
) -> TrustWorld:
    """PROTOCOL.md §3.11, §4.2 #28: only a PD issuer constraint stops a self-issued credential."""
    if not issuer_constraint and policy is None:
        policy = without_issuer_constraint(shipped_policy("eoverdracht"))
    world = _trust_world(s2s_world(seed, profile, policy=policy, **options))
    sim = world.sim
    _unregistered_requester(world, lambda s: self_issue_organization_credential(sim, s))
    return _finish(
        world,
        "trust-self-issued",
        "denied" if issuer_constraint else "granted",
        issuer_constraint=issuer_constraint,
    )


@register("trust-untrusted-issuer", options=OPTIONS)
def trust_untrusted_issuer(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> TrustWorld:
    """PROTOCOL.md §3.11, §4.2 #16: the issuer pattern names only the Zorgregister."""
    world = _trust_world(s2s_world(seed, profile, **options))
    other = world.sim.add_issuer("Regioregister", host="regioregister.example")
    world.other_register = other
    _unregistered_requester(world, lambda s: other.issue_organization_credential(s, name=s.name))
    return _finish(world, "trust-untrusted-issuer", "denied")
