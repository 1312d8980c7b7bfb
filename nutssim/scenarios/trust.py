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
from collections.abc import Callable
from typing import Any

from nutssim.models.credential import Credential, credential_document, organization_subject
from nutssim.parties.node import Subject
from nutssim.profiles import Profile
from nutssim.scenarios import World, register
from nutssim.scenarios.s2s import EMPLOYEE, s2s_world, shipped_policy
from nutssim.simulation import FlowRun, Simulation
from nutssim.specs import vc_jwt

ORGANIZATION = "NutsOrganizationCredential"
#: Options these scenarios read themselves; the rest go to ``s2s_world``.
_OWN_OPTIONS = ("expect", "issuer_constraint", "revoked")


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
    sim.record_fact(
        subject.node.id,
        "credential_issued",
        id=credential.id,
        credential_type=credential.type_label,
        format=credential.format,
        issuer=credential.issuer,
        holder=subject.did,
        credential=credential.raw,
        self_issued=True,
    )
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


def _own(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split scenario options into this module's and ``s2s_world``'s."""
    mine = {k: options.pop(k) for k in _OWN_OPTIONS if k in options}
    return mine, options


def _starting_without(world: World, *names: str) -> None:
    """Keep scenario-only options (``expect``, …) out of the flow's start arguments."""
    start = world.starter

    def starter(**options: Any) -> FlowRun:
        return start(**{k: v for k, v in options.items() if k not in names})

    world.starter = starter


def _finish(world: World, name: str, expect: Any, **options: Any) -> World:
    world.name = name
    world.options.update(options)
    if expect != "granted":
        world.options["expect"] = expect
    _starting_without(world, *_OWN_OPTIONS)
    return world


def _unregistered_requester(world: World, issue: Callable[[Subject], Credential]) -> Subject:
    """Add the unregistered practice on the GP node, give it a credential, and make it the requester."""
    sim = world.sim
    node = world["requester_node"]
    noord = node.add_subject("Huisartsenpraktijk Noord", id="huisarts-noord")
    issue(noord)
    hospital, ehr, api = world["authorization_server"], world["ehr"], world["resource_server"]

    def start(
        *,
        dpop: bool = True,
        scope: str = "eoverdracht",
        credentials: list[dict[str, Any]] | None = None,
        credential_selection: dict[str, str] | None = None,
    ) -> FlowRun:
        return sim.service_access(
            noord,
            hospital,
            scope,
            ehr=ehr,
            resource_server=api,
            dpop=dpop,
            credentials=[EMPLOYEE] if credentials is None else credentials,
            credential_selection=credential_selection,
        )

    world.parts["registered_requester"] = world.parts["requester"]
    world.parts["requester"] = noord
    world.starter = start
    return noord


@register(
    "trust-revoked", "The register revokes the GP's organization credential before the request (refused)"
)
def trust_revoked(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """PROTOCOL.md §4.2 #25: the StatusList2021 bit is set, so VerifyVP refuses the credential."""
    _, rest = _own(options)
    world = s2s_world(seed, profile, **rest)
    register_ = world["register"]
    register_.revoke(register_.issued[-1])
    return _finish(world, "trust-revoked", "denied")


@register(
    "trust-statuslist-down",
    "The register's status list is unreachable: granted under nuts-node (fail-open), refused under strict",
)
def trust_statuslist_down(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """PROTOCOL.md §3.6, §4.2 #30: a revoked credential whose list cannot be fetched."""
    mine, rest = _own(options)
    world = s2s_world(seed, profile, **rest)
    register_ = world["register"]
    revoked = bool(mine.get("revoked", True))
    if revoked:
        register_.revoke(register_.issued[-1])
    register_.status_list_online = False
    return _finish(
        world, "trust-statuslist-down", {"nuts-node": "granted", "strict": "denied"}, revoked=revoked
    )


@register(
    "trust-self-issued",
    "An unregistered GP practice signs its own organization credential (issuer_constraint: refused; "
    "without: granted)",
)
def trust_self_issued(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """PROTOCOL.md §3.11, §4.2 #28: only a PD issuer constraint stops a self-issued credential."""
    mine, rest = _own(options)
    constrained = bool(mine.get("issuer_constraint", True))
    if not constrained and "policy" not in rest:
        rest["policy"] = without_issuer_constraint(shipped_policy("eoverdracht"))
    world = s2s_world(seed, profile, **rest)
    sim = world.sim
    _unregistered_requester(world, lambda s: self_issue_organization_credential(sim, s))
    return _finish(
        world, "trust-self-issued", "denied" if constrained else "granted", issuer_constraint=constrained
    )


@register(
    "trust-untrusted-issuer",
    "A second register, not named by the PD's issuer pattern, issues the organization credential (refused)",
)
def trust_untrusted_issuer(seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """PROTOCOL.md §3.11, §4.2 #16: the issuer pattern names only the Zorgregister."""
    _, rest = _own(options)
    world = s2s_world(seed, profile, **rest)
    other = world.sim.add_issuer("Regioregister", host="regioregister.example")
    world.parts["other_register"] = other
    _unregistered_requester(world, lambda s: other.issue_organization_credential(s, name=s.name))
    return _finish(world, "trust-untrusted-issuer", "denied")
