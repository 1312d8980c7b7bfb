"""Catalogue cases of the service-to-service flow's token endpoint (PROTOCOL.md §4.2 items 1–33).

Beyond §4.2: ATTACKS.md 3.1 #2/#5/#6/#7 (VP claims), 3.2 #15/#18/#19 (audience injection
through a malicious AS's metadata, unsigned VPs, a metadata issuer mismatch), 3.6 #48/#50
(DPoP header count and shape at the token endpoint), 3.8 #61 (hostile PDs refused at policy
load), clock skew between nodes, and another subject's credential. Cases that need a VP the
honest client would not build either tamper the token request on the wire (re-signing with the
GP's key: a faulty or patched client) or post their own (``attacker.present``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nutssim import jose
from nutssim.catalogue import (
    Case,
    Expect,
    Observation,
    last_exchange,
    observe_flow,
    observe_response,
    register,
)
from nutssim.catalogue.attacker import (
    RewriteResponse,
    attacker,
    build_vp,
    captured_request,
    is_metadata_request,
    is_pd_request,
    issue_jwt_vc,
    own_proof,
    post_token,
    present,
    replay,
    resign,
    rewrite_json,
    self_attested_employee,
    stolen_credentials,
    strip_issuer_constraints,
    submission_for,
    tamper_jwt,
    token_form,
    unsigned_jwt,
)
from nutssim.jose import KeyPair
from nutssim.messages import HttpRequest
from nutssim.models.credential import (
    NUTS_CONTEXT,
    VC_CONTEXT,
    Credential,
    employee_subject,
    organization_subject,
)
from nutssim.network import Tamper
from nutssim.parties.authorization_server import metadata as as_metadata
from nutssim.parties.wallet import complete_self_attested
from nutssim.scenarios import S2SWorld
from nutssim.scenarios.s2s import EMPLOYEE, shipped_policy
from nutssim.simulation import FlowRun
from nutssim.specs.nuts_policy import PolicyError

TOKEN = "token request"


def _is_token_request(request: HttpRequest) -> bool:
    return request.method == "POST" and request.path.endswith("/token")


def replay_token_request(world: S2SWorld, *, to: str | None = None, wait: int = 0) -> Observation:
    """Run the good flow, then send its captured token request again (to another token endpoint if asked)."""
    world.run()
    captured = last_exchange(world.sim.trace, TOKEN)
    assert captured is not None, "the good run made no token request"
    request = captured.request
    if to is not None:
        request = HttpRequest(request.method, to, request.headers, request.body)
    world.sim.clock.advance(wait)
    since = world.sim.trace.exchanges[-1].seq
    response = world.sim.network.send(request, sender="attacker")
    return observe_response(response, world.sim.trace, since)


@register
def missing_client_id() -> Case:
    """§4.2 item 1."""

    def act(world: S2SWorld) -> Observation:
        world.sim.network.interceptors.append(
            Tamper(_is_token_request, lambda r: r.with_form(client_id=None))
        )
        return observe_flow(world.run())

    return Case(
        id="s2s-missing-client-id",
        title="Token request without client_id",
        flow="s2s",
        step=TOKEN,
        attack="a client (or a proxy) leaves out client_id",
        control=None,
        act=act,
        expected={"*": Expect("denied", "invalid_request", "missing required parameters", "token.params")},
        refs=("PROTOCOL.md §4.2 #1", "RFC021 §3"),
    )


@register
def vp_replay_within_window() -> Case:
    """§4.2 item 19, ATTACKS.md 3.1 #8."""
    return Case(
        id="s2s-vp-replay",
        title="Captured token request replayed within the nonce window",
        flow="s2s",
        step=TOKEN,
        attack="an eavesdropper replays the token request (same VP, same nonce) 2 s later",
        control="vp_nonce_store",
        act=lambda world: replay_token_request(world, wait=2),
        expected={
            "nuts-node": Expect(
                "denied", "invalid_request", "presentation nonce has already been used", "token.nonce_unused"
            ),
            "strict": Expect(
                "denied",
                "invalid_verifiable_presentation",
                "presentation nonce has already been used",
                "token.nonce_unused",
            ),
        },
        # strict still refuses: the replayed DPoP proof's jti was seen (RFC 9449 §11.1).
        vulnerable={
            "nuts-node": Expect("granted"),
            "strict": Expect("denied", "invalid_dpop_proof", "DPoP header is invalid", "token.dpop"),
        },
        refs=("PROTOCOL.md §4.2 #19", "ATTACKS.md 3.1 #8", "RFC021 §4.4"),
    )


@register
def vp_forwarded_to_other_as() -> Case:
    """§4.2 item 11, ATTACKS.md 3.1 #4 and 3.2 #15."""

    def act(world: S2SWorld) -> Observation:
        other = world.sim.add_node("kliniek.example").add_subject("Kliniek Zuid", id="kliniek-zuid")
        other.use_policy(world.authorization_server.policy)
        return replay_token_request(world, to=f"{other.url}/token")

    return Case(
        id="s2s-vp-forwarded",
        title="VP minted for one authorization server presented to another",
        flow="s2s",
        step=TOKEN,
        attack="the receiving AS (or a thief) forwards the VP to another AS that trusts the same credentials",
        control="vp_audience",
        act=act,
        expected={
            "nuts-node": Expect(
                "denied",
                "invalid_request",
                "presentation audience/domain is missing or does not match",
                "token.audience",
            ),
            "strict": Expect(
                "denied",
                "invalid_verifiable_presentation",
                "presentation audience/domain is missing or does not match",
                "token.audience",
            ),
        },
        # strict still refuses: the DPoP proof's htu names the first AS's token endpoint (RFC 9449 §4.3).
        vulnerable={
            "nuts-node": Expect("granted"),
            "strict": Expect("denied", "invalid_dpop_proof", "DPoP header is invalid", "token.dpop"),
        },
        refs=("PROTOCOL.md §4.2 #11", "ATTACKS.md 3.1 #4", "RFC021 §4.2.6"),
    )


# == helpers shared by the cases below =================================================================
PRESENTATION = "invalid_verifiable_presentation"  # RFC021 §4.5 codes, used by the strict profile
SUBMISSION = "invalid_presentation_submission"
CREDENTIALS = "invalid_verifiable_credentials"
VERIFY_FAILED = "presentation(s) or credential(s) verification failed: "
INVALID_VC = f"{VERIFY_FAILED}invalid VC (id=*): "
DPOP_INVALID = Expect("denied", "invalid_dpop_proof", "DPoP header is invalid", "token.dpop")


def vp_error(kind: str, description: str, check: str | None = None) -> dict[str, Expect]:
    """A VP failure: ``invalid_request`` under nuts-node, the RFC021 §4.5 code under strict (§7)."""
    return {
        "nuts-node": Expect("denied", "invalid_request", description, check),
        "strict": Expect("denied", kind, description, check),
    }


GRANTED = {"*": Expect("granted")}


def gp_key(world: S2SWorld) -> KeyPair:
    """The requester's signing key (what its node signs VPs and DPoP proofs with)."""
    key: KeyPair = world.requester.identities[0].key
    return key


def tamper_token_request(world: S2SWorld, change: Callable[[HttpRequest], HttpRequest]) -> Observation:
    """Run the good flow with ``change`` applied to its token request on the wire."""
    world.sim.network.interceptors.append(Tamper(_is_token_request, change))
    return observe_flow(world.run())


def resign_vp(world: S2SWorld, **claims: Any) -> Callable[[HttpRequest], HttpRequest]:
    """A token-request change: the VP's ``claims`` changed and signed again by the requester's key."""

    def change(request: HttpRequest) -> HttpRequest:
        return request.with_form(assertion=resign(request.form["assertion"], gp_key(world), claims=claims))

    return change


def with_policy(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The shipped eOverdracht policy with ``change`` applied to its organization PD (scenario option)."""
    policy = copy.deepcopy(shipped_policy("eoverdracht"))
    change(policy["eoverdracht"]["organization"])
    return policy


def _drop_issuer_field(pd: dict[str, Any]) -> None:
    pd.update(strip_issuer_constraints(pd))


def replace_org_credential(world: S2SWorld, credential: Credential) -> None:
    """Swap the requester's register-issued organization credential for ``credential``."""
    wallet = world.requester.wallet
    for held in list(wallet.credentials):
        if "NutsOrganizationCredential" in held.types:
            wallet.remove(held)
    wallet.add(credential)


def org_credential(world: S2SWorld) -> Credential:
    """The requester's organization credential (issued by the register in every s2s world)."""
    return next(c for c in world.requester.wallet.credentials if "NutsOrganizationCredential" in c.types)


def observe_vc_flow(world: S2SWorld) -> Observation:
    """Run the good flow; mask credential ids in the error text so expectations can name the cause.

    ``invalid VC (id=did:web:…#<uuid>): cause`` becomes ``invalid VC (id=*): cause``; the wire
    text is kept in ``detail``.
    """
    observed = observe_flow(world.run())
    if observed.description is None:
        return observed
    masked = re.sub(r"invalid VC \(id=[^)]*\)", "invalid VC (id=*)", observed.description)
    return replace(observed, description=masked, detail=observed.description)


def hold_before(world: S2SWorld, label: str, seconds: int) -> Observation:
    """Run the good flow but hold the message ``label`` for ``seconds`` before delivering it."""
    flow = world.start()
    while flow.pending is not None and flow.pending.label != label:
        flow.step()
    world.sim.clock.advance(seconds)
    return observe_flow(flow)


# == §4.2 items 2–5: form and envelope =================================================================
@register
def unsupported_grant_type() -> Case:
    """§4.2 item 2."""
    return Case(
        id="s2s-unsupported-grant-type",
        title="Token request with grant_type=client_credentials",
        flow="s2s",
        step=TOKEN,
        attack="the client asks for a grant the Nuts AS does not implement",
        control=None,
        act=lambda world: tamper_token_request(world, lambda r: r.with_form(grant_type="client_credentials")),
        expected={
            "*": Expect(
                "denied",
                "unsupported_grant_type",
                "grant_type 'client_credentials' is not supported",
                "token.grant_type",
            )
        },
        refs=("PROTOCOL.md §4.2 #2", "PROTOCOL.md §1.5 #2", "RFC 6749 §5.2"),
    )


@register
def unknown_subject() -> Case:
    """§4.2 item 3."""

    def act(world: S2SWorld) -> Observation:
        def change(request: HttpRequest) -> HttpRequest:
            return replace(request, url=request.url.replace("/ziekenhuis-oost/", "/niemand/"))

        return tamper_token_request(world, change)

    return Case(
        id="s2s-unknown-subject",
        title="Token request to a subject the node does not host",
        flow="s2s",
        step=TOKEN,
        attack="the token request goes to /oauth2/<unknown subject>/token",
        control=None,
        act=act,
        expected={"*": Expect("denied", "invalid_request", "subject not found", "token.subject")},
        refs=("PROTOCOL.md §4.2 #3", "PROTOCOL.md §1.5 #1"),
    )


@register
def garbage_assertion() -> Case:
    """§4.2 item 4."""
    return Case(
        id="s2s-garbage-assertion",
        title="Assertion that is not a verifiable presentation",
        flow="s2s",
        step=TOKEN,
        attack="the assertion parameter holds garbage",
        control=None,
        act=lambda world: tamper_token_request(world, lambda r: r.with_form(assertion="not-a-presentation")),
        expected=vp_error(PRESENTATION, "assertion parameter is invalid: ", "token.assertion"),
        refs=("PROTOCOL.md §4.2 #4", "PROTOCOL.md §1.5 #4", "RFC021 §3", "ATTACKS.md 3.1 #13"),
    )


@register
def submission_not_pe_valid() -> Case:
    """§4.2 item 5."""

    def act(world: S2SWorld) -> Observation:
        def change(request: HttpRequest) -> HttpRequest:
            submission = json.loads(request.form["presentation_submission"])
            submission.pop("descriptor_map")
            return request.with_form(presentation_submission=json.dumps(submission))

        return tamper_token_request(world, change)

    return Case(
        id="s2s-submission-schema",
        title="Presentation submission without descriptor_map",
        flow="s2s",
        step=TOKEN,
        attack="the submission is not valid against the PE v2 schema",
        control=None,
        act=act,
        # ATTACKS.md 3.1 #13: RFC021 §4.5 says invalid_presentation_submission; the node says invalid_request.
        expected=vp_error(SUBMISSION, "invalid presentation submission: ", "token.submission"),
        refs=("PROTOCOL.md §4.2 #5", "DIF PE v2 §Presentation Submission", "ATTACKS.md 3.1 #13"),
    )


# == §4.2 items 6–10: VP times and who signs ===========================================================
@register
def vp_without_exp() -> Case:
    """§4.2 item 6."""
    return Case(
        id="s2s-vp-without-exp",
        title="VP without exp",
        flow="s2s",
        step=TOKEN,
        attack="the client signs a VP without an expiry (replayable forever)",
        control=None,
        act=lambda world: tamper_token_request(world, resign_vp(world, exp=None)),
        expected=vp_error(
            PRESENTATION, "presentation is missing creation or expiration date", "token.vp_dates"
        ),
        refs=("PROTOCOL.md §4.2 #6", "RFC021 §4.2.8", "ATTACKS.md 3.1 #5"),
    )


@register
def vp_long_lived() -> Case:
    """§4.2 item 7."""

    def act(world: S2SWorld) -> Observation:
        now = world.sim.clock.now()
        return tamper_token_request(world, resign_vp(world, exp=now + 60))

    return Case(
        id="s2s-vp-long-lived",
        title="VP valid for 60 s",
        flow="s2s",
        step=TOKEN,
        attack="the client signs a VP with exp = nbf + 60 s: a long replay window",
        control="vp_max_lifetime",
        act=act,
        expected=vp_error(PRESENTATION, "presentation is valid for too long (max 5s)", "token.vp_lifetime"),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #7", "RFC021 §4.2.9", "ATTACKS.md 3.1 #6"),
    )


@register
def vp_old_iat() -> Case:
    """ATTACKS.md 3.1 #6: exp − iat > 5 s while exp − nbf = 5 s."""

    def act(world: S2SWorld) -> Observation:
        now = world.sim.clock.now()
        return tamper_token_request(world, resign_vp(world, iat=now - 60))

    return Case(
        id="s2s-vp-old-iat",
        title="VP whose iat is 60 s before its nbf",
        flow="s2s",
        step=TOKEN,
        attack="the VP says it was issued 60 s ago but is 'not before' now: exp − iat = 65 s",
        control="vp_max_lifetime",
        act=act,
        expected={
            # PROTOCOL.md §1.5 #6: the reference measures from nbf and ignores iat.
            "nuts-node": Expect("granted"),
            # RFC021 §4.2.7–9: iat is the creation time, and exp − iat must be ≤ 5 s.
            "strict": Expect(
                "denied", PRESENTATION, "presentation is valid for too long (max 5s)", "token.vp_lifetime"
            ),
        },
        vulnerable=GRANTED,
        refs=("ATTACKS.md 3.1 #6", "RFC021 §4.2.7–9", "PROTOCOL.md §1.5 #6–7"),
    )


@register
def vp_iat_in_future() -> Case:
    """ATTACKS.md 3.1 #5."""

    def act(world: S2SWorld) -> Observation:
        now = world.sim.clock.now()
        return tamper_token_request(world, resign_vp(world, iat=now + 60))

    return Case(
        id="s2s-vp-iat-future",
        title="VP issued 60 s in the future",
        flow="s2s",
        step=TOKEN,
        attack="the VP's iat lies beyond the 5 s clock skew",
        control=None,
        act=act,
        expected=vp_error(
            PRESENTATION,
            f'{VERIFY_FAILED}unable to validate JWT signature: "iat" not satisfied',
            "token.verify_vp",
        ),
        refs=("ATTACKS.md 3.1 #5", "RFC021 §4.2.7", "PROTOCOL.md §3.5 step 2"),
    )


@register
def stolen_vc_attacker_signed() -> Case:
    """§4.2 item 8, ATTACKS.md 3.1 #3."""

    def act(world: S2SWorld) -> Observation:
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

    return Case(
        id="s2s-stolen-vc",
        title="Victim's organization credential in a VP signed by the attacker",
        flow="s2s",
        step=TOKEN,
        attack="the attacker puts the GP's credential (and an employee credential it issued about the GP) "
        "into a VP signed with its own did:web key",
        control="signer_is_subject",
        act=act,
        expected=vp_error(
            CREDENTIALS, "presentation signer is not credential subject", "token.signer_subject"
        ),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #8", "ATTACKS.md 3.1 #3", "RFC021 §4.2.5"),
    )


@register
def vc_of_other_subject() -> Case:
    """ATTACKS.md 3.1 #3: the requester presents another organization's credential."""

    def act(world: S2SWorld) -> Observation:
        gp = world.requester
        other = world.sim.add_node("kliniek.example").add_subject("Kliniek Zuid", id="kliniek-zuid")
        borrowed = world.register.issue_organization_credential(other, name=other.name, city="Zwolle")
        employee = self_attested_employee(world, gp.did)
        return present(world, key=gp_key(world), holder=gp.did, credentials=[borrowed, employee])

    return Case(
        id="s2s-vc-of-other-subject",
        title="Requester presents another organization's credential",
        flow="s2s",
        step=TOKEN,
        attack="the GP signs a VP holding Kliniek Zuid's NutsOrganizationCredential to act as Kliniek Zuid",
        control="signer_is_subject",
        act=act,
        expected=vp_error(
            CREDENTIALS, "not all VCs have the same credentialSubject.id", "token.signer_subject"
        ),
        vulnerable=GRANTED,
        refs=("ATTACKS.md 3.1 #3", "RFC021 §4.2.5", "PROTOCOL.md §1.5 #8"),
    )


@register
def vc_without_subject_id() -> Case:
    """§4.2 item 9."""

    def act(world: S2SWorld) -> Observation:
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

    return Case(
        id="s2s-vc-without-subject",
        title="VC without credentialSubject.id",
        flow="s2s",
        step=TOKEN,
        attack="the VP carries a bearer credential (no credentialSubject.id)",
        control="signer_is_subject",
        act=act,
        expected=vp_error(
            CREDENTIALS,
            "unable to get subject DID from VC: credential subjects have no ID",
            "token.signer_subject",
        ),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #9", "RFC021 §4.2.5"),
    )


@register
def two_vps_two_holders() -> Case:
    """§4.2 item 10."""

    def act(world: S2SWorld) -> Observation:
        gp, evil = world.requester, attacker(world)
        employee = issue_jwt_vc(
            world,
            evil.key,
            issuer=evil.did,
            type="NutsEmployeeCredential",
            subject=employee_subject(evil.did, "666", "Mallory", "Huisarts"),
        )
        org = org_credential(world)
        vp1 = build_vp(world, key=gp_key(world), holder=gp.did, credentials=[org])
        vp2 = build_vp(world, key=evil.key, holder=evil.did, credentials=[employee])
        pd = world.authorization_server.policy.presentation_definition("eoverdracht")
        submission = {
            "id": world.sim.rng.uuid(),
            "definition_id": pd.id,
            "descriptor_map": [
                {
                    "id": pd.input_descriptors[0].id,
                    "format": "jwt_vc",
                    "path": "$[0].verifiableCredential[0]",
                },
                {
                    "id": pd.input_descriptors[1].id,
                    "format": "jwt_vc",
                    "path": "$[1].verifiableCredential[0]",
                },
            ],
        }
        form = token_form(world, json.dumps([vp1, vp2]), submission)
        return post_token(world, form, dpop_key=gp_key(world))

    return Case(
        id="s2s-two-vps-two-holders",
        title="Two VPs from two holders in one assertion",
        flow="s2s",
        step=TOKEN,
        attack="the GP bundles its VP with a colluder's VP, so two subjects' credentials answer one PD",
        control="signer_is_subject",
        act=act,
        expected=vp_error(
            PRESENTATION, "not all presentations have the same credential subject ID", "token.signer_subject"
        ),
        # Defence in depth: the AS re-runs PD matching per VP (PROTOCOL.md §3.7), and no single VP fulfils it.
        vulnerable=vp_error(
            SUBMISSION,
            "presentation submission does not conform to presentation definition (id=",
            "token.pd_fulfil",
        ),
        refs=("PROTOCOL.md §4.2 #10", "RFC021 §4.2.5", "PROTOCOL.md §3.7"),
    )


@register
def vp_iss_not_sub() -> Case:
    """ATTACKS.md 3.1 #2."""

    def act(world: S2SWorld) -> Observation:
        return tamper_token_request(world, resign_vp(world, sub=attacker(world).did))

    return Case(
        id="s2s-vp-iss-not-sub",
        title="JWT VP whose sub differs from iss",
        flow="s2s",
        step=TOKEN,
        attack="the VP's sub names another DID than its iss (the signer)",
        control=None,
        act=act,
        expected={
            "nuts-node": Expect("granted"),  # PROTOCOL.md §1.5, §7: sub is ignored
            "strict": Expect("denied", PRESENTATION, "presentation iss must equal sub", "token.iss_sub"),
        },
        refs=("ATTACKS.md 3.1 #2", "RFC021 §4.2.3", "PROTOCOL.md §7"),
    )


# == §4.2 items 12–17: scope, profile and PD fulfilment ================================================
@register
def unknown_scope() -> Case:
    """§4.2 item 12."""
    return Case(
        id="s2s-unknown-scope",
        title="Token request for a scope no policy maps",
        flow="s2s",
        step=TOKEN,
        attack="the token request asks for scope 'onbekend'",
        control=None,
        act=lambda world: tamper_token_request(world, lambda r: r.with_form(scope="onbekend")),
        expected={
            "*": Expect(
                "denied",
                "invalid_scope",
                "unsupported scope (onbekend) for presentation exchange: not found",
                "token.scope",
            )
        },
        refs=("PROTOCOL.md §4.2 #12", "PROTOCOL.md §3.8", "ATTACKS.md 3.1 #10"),
    )


def _two_profiles() -> dict[str, Any]:
    policy = shipped_policy("eoverdracht")
    policy["verwijzing"] = copy.deepcopy(policy["eoverdracht"])
    policy["verwijzing"]["organization"]["id"] = "pd_verwijzing"
    return policy


@register
def two_profile_scopes() -> Case:
    """§4.2 item 13."""
    return Case(
        id="s2s-two-profile-scopes",
        title="Scope naming two credential profiles",
        flow="s2s",
        step=TOKEN,
        attack="the token request asks for 'eoverdracht verwijzing', two profile scopes",
        control=None,
        act=lambda world: tamper_token_request(world, lambda r: r.with_form(scope="eoverdracht verwijzing")),
        expected={
            "*": Expect(
                "denied",
                "invalid_scope",
                "unsupported scope (eoverdracht verwijzing) for presentation exchange: "
                "multiple credential profile scopes found",
                "token.scope",
            )
        },
        refs=("PROTOCOL.md §4.2 #13", "PROTOCOL.md §3.8", "ATTACKS.md 3.1 #10"),
        options={"policy": _two_profiles()},
    )


@register
def extra_scope_profile_only() -> Case:
    """§4.2 item 14."""
    return Case(
        id="s2s-extra-scope",
        title="Extra scope under a profile-only policy",
        flow="s2s",
        step=TOKEN,
        attack="the EHR asks for 'eoverdracht admin'",
        control=None,
        act=lambda world: observe_flow(world.run(scope="eoverdracht admin")),
        expected={
            "*": Expect(
                "denied",
                "invalid_scope",
                "scope policy 'profile-only' does not allow additional scopes",
                "token.scope_policy",
            )
        },
        refs=("PROTOCOL.md §4.2 #14", "PROTOCOL.md §3.8", "ATTACKS.md 3.1 #10"),
    )


@register
def other_definition_id() -> Case:
    """§4.2 item 15."""

    def act(world: S2SWorld) -> Observation:
        def change(request: HttpRequest) -> HttpRequest:
            submission = json.loads(request.form["presentation_submission"])
            submission["definition_id"] = "pd_something_else"
            return request.with_form(presentation_submission=json.dumps(submission))

        return tamper_token_request(world, change)

    return Case(
        id="s2s-other-definition-id",
        title="Submission for a PD the scope does not require",
        flow="s2s",
        step=TOKEN,
        attack="the submission's definition_id names another PD",
        control=None,
        act=act,
        expected=vp_error(
            SUBMISSION,
            "presentation definition being fulfilled is not required: pd_something_else",
            "token.pd_fulfil",
        ),
        refs=("PROTOCOL.md §4.2 #15", "RFC021 §4.1.3", "ATTACKS.md 3.1 #9"),
    )


NOT_CONFORM = "presentation submission does not conform to presentation definition (id=pd_eoverdracht"


@register
def pd_issuer_stripped() -> Case:
    """§4.2 item 16."""

    def act(world: S2SWorld) -> Observation:
        rogue = world.sim.add_issuer("Nepregister", host="nepregister.example")
        replace_org_credential(world, rogue.issue_organization_credential(world.requester, city="Utrecht"))
        # A man in the middle (or a patched client) removes the issuer filter from the PD it fetches.
        world.sim.network.interceptors.append(
            RewriteResponse(is_pd_request, rewrite_json(strip_issuer_constraints))
        )
        return observe_flow(world.run())

    return Case(
        id="s2s-pd-untrusted-issuer",
        title="Organization credential from an untrusted issuer",
        flow="s2s",
        step=TOKEN,
        attack="the GP holds a credential from a rogue register; the PD's issuer filter is stripped on the "
        "client's side so the client presents it",
        control="pd_reevaluation",
        act=act,
        expected=vp_error(SUBMISSION, NOT_CONFORM, "token.pd_fulfil"),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #16", "PROTOCOL.md §3.7, §3.11", "ATTACKS.md 3.1 #11"),
    )


@register
def submission_maps_other_vc() -> Case:
    """§4.2 item 17."""

    def act(world: S2SWorld) -> Observation:
        gp = world.requester
        # A self-attested organization credential with a name of the GP's choosing (PROTOCOL.md §1.3).
        fake = complete_self_attested(
            [
                {
                    "@context": [VC_CONTEXT, NUTS_CONTEXT],
                    "type": ["VerifiableCredential", "NutsOrganizationCredential"],
                    "credentialSubject": {
                        "organization": {"name": "Academisch Ziekenhuis", "city": "Leiden"}
                    },
                }
            ],
            gp.did,
            world.sim.clock.now(),
            world.sim.rng,
        )[0]
        credentials = [org_credential(world), fake, self_attested_employee(world, gp.did)]
        vp = build_vp(world, key=gp_key(world), holder=gp.did, credentials=credentials)
        submission = submission_for(world, [fake, credentials[2]])
        submission["descriptor_map"][0]["path"] = "$.verifiableCredential[1]"  # the fake, not the first match
        submission["descriptor_map"][1]["path"] = "$.verifiableCredential[2]"
        return post_token(world, token_form(world, vp, submission), dpop_key=gp_key(world))

    return Case(
        id="s2s-submission-maps-other-vc",
        title="Submission maps a descriptor to another VC than the AS's first match",
        flow="s2s",
        step=TOKEN,
        attack="the VP holds the register's credential and a self-attested one naming another hospital; "
        "the submission points the organization descriptor at the self-attested one",
        control="pd_reevaluation",
        act=act,
        expected=vp_error(SUBMISSION, NOT_CONFORM, "token.pd_fulfil"),
        vulnerable=GRANTED,  # the token then carries organization_name "Academisch Ziekenhuis"
        refs=("PROTOCOL.md §4.2 #17", "PROTOCOL.md §3.7", "ATTACKS.md 3.1 #9"),
    )


# == §4.2 items 18–23: nonce, DPoP, signature, times, keys =============================================
@register
def vp_without_nonce() -> Case:
    """§4.2 item 18."""
    return Case(
        id="s2s-vp-without-nonce",
        title="VP without nonce (jti kept)",
        flow="s2s",
        step=TOKEN,
        attack="the client signs a VP without the nonce claim",
        control=None,
        act=lambda world: tamper_token_request(world, resign_vp(world, nonce=None)),
        expected={
            "nuts-node": Expect(
                "denied", "invalid_request", "presentation has invalid/missing nonce", "token.nonce_present"
            ),
            # RFC021 §4.2.10, §4.4: the unique value is jti, which is still there.
            "strict": Expect("granted"),
        },
        refs=("PROTOCOL.md §4.2 #18", "RFC021 §4.2.10", "ATTACKS.md 3.1 #7"),
    )


@register
def vp_without_jti() -> Case:
    """ATTACKS.md 3.1 #7: neither nonce nor jti."""
    return Case(
        id="s2s-vp-without-jti",
        title="VP without nonce and jti",
        flow="s2s",
        step=TOKEN,
        attack="the VP has no replay value at all",
        control=None,
        act=lambda world: tamper_token_request(world, resign_vp(world, nonce=None, jti=None)),
        expected={
            "nuts-node": Expect(
                "denied", "invalid_request", "presentation has invalid/missing nonce", "token.nonce_present"
            ),
            "strict": Expect("denied", PRESENTATION, "presentation has no jti", "token.jti"),
        },
        refs=("ATTACKS.md 3.1 #7", "RFC021 §4.2.10", "PROTOCOL.md §4.2 #18"),
    )


def _dpop_change(world: S2SWorld, header: dict[str, Any]) -> Callable[[HttpRequest], HttpRequest]:
    def change(request: HttpRequest) -> HttpRequest:
        proof = request.header("DPoP") or ""
        return request.with_headers(DPoP=resign(proof, gp_key(world), header=header))

    return change


@register
def dpop_wrong_typ() -> Case:
    """§4.2 item 20."""
    return Case(
        id="s2s-dpop-wrong-typ",
        title="Token-endpoint DPoP proof with typ JWT",
        flow="s2s",
        step=TOKEN,
        attack="the DPoP proof's typ is 'JWT' instead of 'dpop+jwt'",
        control=None,
        act=lambda world: tamper_token_request(world, _dpop_change(world, {"typ": "JWT"})),
        expected={"*": DPOP_INVALID},
        refs=("PROTOCOL.md §4.2 #20", "RFC 9449 §4.3 step 4", "ATTACKS.md 3.6 #50"),
    )


@register
def dpop_alg_none() -> Case:
    """§4.2 item 20, ATTACKS.md 3.6 #50."""

    def act(world: S2SWorld) -> Observation:
        def change(request: HttpRequest) -> HttpRequest:
            proof = jose.decode(request.header("DPoP") or "")
            return request.with_headers(DPoP=unsigned_jwt(proof.header, proof.payload))

        return tamper_token_request(world, change)

    return Case(
        id="s2s-dpop-alg-none",
        title="Token-endpoint DPoP proof with alg none",
        flow="s2s",
        step=TOKEN,
        attack="the DPoP proof is an unsecured JWT (alg none, no signature)",
        control=None,
        act=act,
        expected={"*": DPOP_INVALID},
        refs=("PROTOCOL.md §4.2 #20", "RFC 9449 §4.3 step 5", "ATTACKS.md 3.6 #50"),
    )


@register
def dpop_two_headers() -> Case:
    """ATTACKS.md 3.6 #48 at the token endpoint."""

    def act(world: S2SWorld) -> Observation:
        def change(request: HttpRequest) -> HttpRequest:
            extra = own_proof(world, attacker(world).key, htm="POST", htu=request.url)
            return replace(request, headers=(*request.headers, ("DPoP", extra)))

        return tamper_token_request(world, change)

    return Case(
        id="s2s-dpop-two-headers",
        title="Token request with two DPoP headers",
        flow="s2s",
        step=TOKEN,
        attack="a second DPoP header (another key's proof) is added to the token request",
        control=None,
        act=act,
        expected={"*": DPOP_INVALID},
        refs=("ATTACKS.md 3.6 #48", "RFC 9449 §4.3 step 1", "PROTOCOL.md §1.5 #15"),
    )


@register
def vp_tampered() -> Case:
    """§4.2 item 21, ATTACKS.md 3.2 #18 (unchecked signature)."""

    def act(world: S2SWorld) -> Observation:
        world.run()
        captured = captured_request(world)
        holder = jose.decode(captured.form["assertion"]).payload["iss"]
        # Give the captured VP a fresh nonce and jti (the replay values) without re-signing it,
        # and bind the token to the attacker's own DPoP key.
        fresh = {"nonce": world.sim.rng.token(), "jti": f"{holder}#{world.sim.rng.uuid()}"}
        form = {**captured.form, "assertion": tamper_jwt(captured.form["assertion"], claims=fresh)}
        return post_token(world, form, dpop_key=attacker(world).key)

    return Case(
        id="s2s-vp-tampered",
        title="Captured VP replayed with a fresh nonce and jti, signature not redone",
        flow="s2s",
        step=TOKEN,
        attack="an eavesdropper edits the captured VP's nonce and jti to dodge the nonce store",
        control="vp_signature",
        act=act,
        expected=vp_error(
            PRESENTATION, f"{VERIFY_FAILED}unable to validate JWT signature: ", "token.verify_vp"
        ),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #21", "ATTACKS.md 3.1 #1", "ATTACKS.md 3.2 #18", "RFC021 §4.2.4"),
    )


@register
def vp_alg_none() -> Case:
    """ATTACKS.md 3.2 #18: an unsecured VP in the victim's name."""

    def act(world: S2SWorld) -> Observation:
        world.run()
        captured = captured_request(world)
        vp = jose.decode(captured.form["assertion"])
        rng, now = world.sim.rng, world.sim.clock.now()
        claims = {
            **vp.payload,
            "jti": f"{vp.payload['iss']}#{rng.uuid()}",
            "nonce": rng.token(),
            "nbf": now,
            "iat": now,
            "exp": now + 5,
        }
        form = {**captured.form, "assertion": unsigned_jwt(vp.header, claims)}
        return post_token(world, form, dpop_key=attacker(world).key)

    return Case(
        id="s2s-vp-alg-none",
        title="Unsigned (alg none) VP in the GP's name with its stolen credentials",
        flow="s2s",
        step=TOKEN,
        attack="the attacker wraps the GP's captured credentials in an alg-none VP naming the GP's key",
        control="vp_signature",
        act=act,
        expected=vp_error(
            PRESENTATION,
            f"{VERIFY_FAILED}unable to validate JWT signature: unsecured JWS (alg none) is not accepted",
            "token.verify_vp",
        ),
        vulnerable=GRANTED,
        refs=("ATTACKS.md 3.2 #18", "RFC021 §4.2.4", "RFC 7515 §4.1.1"),
    )


@register
def vp_delayed() -> Case:
    """§4.2 item 22."""
    return Case(
        id="s2s-vp-delayed",
        title="Token request delivered 11 s late (VP expired)",
        flow="s2s",
        step=TOKEN,
        attack="the token request is held 11 s on the wire: past exp (5 s) plus the 5 s skew",
        control=None,
        act=lambda world: hold_before(world, TOKEN, 11),
        expected=vp_error(
            PRESENTATION,
            f'{VERIFY_FAILED}unable to validate JWT signature: "exp" not satisfied',
            "token.verify_vp",
        ),
        refs=("PROTOCOL.md §4.2 #22", "RFC021 §4.2.8", "ATTACKS.md 3.1 #5"),
    )


@register
def vp_foreign_key() -> Case:
    """§4.2 item 23."""

    def act(world: S2SWorld) -> Observation:
        world.run()
        gp, evil = world.requester, attacker(world)
        stolen = stolen_credentials(world)
        # The attacker signs in the GP's name, pointing kid at a key id the GP's DID document does not list.
        forged_key = evil.key.with_kid(f"{gp.did}#{world.sim.rng.uuid()}")
        vp = build_vp(world, key=forged_key, holder=gp.did, credentials=stolen)
        submission = json.loads(captured_request(world).form["presentation_submission"])
        return post_token(world, token_form(world, vp, submission), dpop_key=evil.key)

    return Case(
        id="s2s-vp-foreign-key",
        title="VP in the GP's name signed with a key not in its DID document",
        flow="s2s",
        step=TOKEN,
        attack="the attacker signs a VP as the GP with its own key under a made-up GP key id",
        control="vp_signature",
        act=act,
        expected=vp_error(
            PRESENTATION, f"{VERIFY_FAILED}unable to resolve did:web:gp.example", "token.verify_vp"
        ),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #23", "ATTACKS.md 3.1 #1", "RFC021 §4.2.4"),
    )


@register
def holder_did_deactivated() -> Case:
    """§4.2 item 23 (DID unresolvable)."""

    def act(world: S2SWorld) -> Observation:
        world.requester.identities[0].deactivated = True
        return observe_flow(world.run())

    return Case(
        id="s2s-holder-did-deactivated",
        title="Holder DID no longer resolvable",
        flow="s2s",
        step=TOKEN,
        attack="the GP's did:web document is gone (404) when the AS resolves the VP's key",
        control=None,
        act=act,
        expected=vp_error(
            PRESENTATION, f"{VERIFY_FAILED}unable to resolve did:web:gp.example", "token.verify_vp"
        ),
        refs=("PROTOCOL.md §4.2 #23", "PROTOCOL.md §3.1"),
    )


# == §4.2 items 24–30: the credentials themselves ======================================================
@register
def org_credential_expired() -> Case:
    """§4.2 item 24."""

    def act(world: S2SWorld) -> Observation:
        year = 365 * 24 * 3600
        register_, gp = world.register, world.requester
        expired = register_.issue_organization_credential(
            gp, city="Utrecht", issued_at=world.sim.clock.now() - 2 * year, valid_for=year
        )
        replace_org_credential(world, expired)
        return observe_vc_flow(world)

    return Case(
        id="s2s-org-credential-expired",
        title="Expired NutsOrganizationCredential",
        flow="s2s",
        step=TOKEN,
        attack="the GP's organization credential expired a year ago",
        control=None,
        act=act,
        # ATTACKS.md 3.1 #13: RFC021 §4.5 says invalid_verifiable_credentials; the node says invalid_request.
        # The AS records one check (token.verify_vp); the cause (vc.time) is in its detail.
        expected=vp_error(CREDENTIALS, f"{INVALID_VC}credential not valid at given time", "token.verify_vp"),
        refs=("PROTOCOL.md §4.2 #24", "PROTOCOL.md §3.5 step 3", "ATTACKS.md 3.1 #11", "ATTACKS.md 3.1 #13"),
    )


@register
def org_credential_revoked() -> Case:
    """§4.2 item 25."""

    def act(world: S2SWorld) -> Observation:
        world.register.revoke(org_credential(world))
        return observe_vc_flow(world)

    return Case(
        id="s2s-org-credential-revoked",
        title="Revoked NutsOrganizationCredential",
        flow="s2s",
        step=TOKEN,
        attack="the register revoked the GP's credential (StatusList2021 bit set); the GP presents it anyway",
        control="revocation_check",
        act=act,
        expected=vp_error(CREDENTIALS, f"{INVALID_VC}credential is revoked", "vc.revocation"),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #25", "PROTOCOL.md §3.6", "ATTACKS.md 3.1 #11"),
    )


@register
def status_list_unreachable() -> Case:
    """§4.2 item 30, ATTACKS.md 3.1 #12."""

    def act(world: S2SWorld) -> Observation:
        register_ = world.register
        register_.revoke(org_credential(world))
        register_.status_list_online = False  # the list server is down (or blocked by the attacker)
        return observe_vc_flow(world)

    return Case(
        id="s2s-status-list-unreachable",
        title="Revoked credential while the status list is unreachable",
        flow="s2s",
        step=TOKEN,
        attack="the GP presents its revoked credential while the register's status list answers 503",
        control="revocation_check",
        act=act,
        expected={
            "nuts-node": Expect("granted"),  # PROTOCOL.md §3.6: fail-open
            "strict": Expect(
                "denied",
                CREDENTIALS,
                f"{INVALID_VC}unable to check revocation status: ",
                "vc.revocation_list",
            ),  # StatusList2021 §6 read strictly: fail closed
        },
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #30", "PROTOCOL.md §3.6", "ATTACKS.md 3.1 #12"),
    )


@register
def vc_forged_issuer_kid() -> Case:
    """§4.2 item 26."""

    def act(world: S2SWorld) -> Observation:
        gp, register_ = world.requester, world.register
        forged = issue_jwt_vc(
            world,
            gp_key(world),  # the GP's own key …
            issuer=register_.did,  # … claiming to be the register
            type="NutsOrganizationCredential",
            subject=organization_subject(gp.did, "Academisch Ziekenhuis", "Leiden"),
        )
        replace_org_credential(world, forged)
        return observe_vc_flow(world)

    return Case(
        id="s2s-vc-forged-issuer",
        title="JWT VC claiming the register as issuer, signed with the GP's key",
        flow="s2s",
        step=TOKEN,
        attack="the GP forges an organization credential: iss is the register, kid is its own key",
        control="vp_signature",
        act=act,
        expected=vp_error(
            CREDENTIALS,
            f"{INVALID_VC}unable to validate JWT signature: token issuer (did:web:register.example",
            "token.verify_vp",
        ),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #26", "PROTOCOL.md §3.2", "ATTACKS.md 3.5 #43"),
    )


@register
def org_credential_without_city() -> Case:
    """§4.2 item 27."""

    def act(world: S2SWorld) -> Observation:
        register_, gp = world.register, world.requester
        replace_org_credential(world, register_.issue_organization_credential(gp, city=""))
        return observe_vc_flow(world)

    return Case(
        id="s2s-org-credential-without-city",
        title="NutsOrganizationCredential with an empty city",
        flow="s2s",
        step=TOKEN,
        attack="the register issued the GP's credential without organization.city",
        control=None,
        act=act,
        expected=vp_error(
            CREDENTIALS,
            f"{INVALID_VC}validation failed: 'credentialSubject.city' is empty",
            "token.verify_vp",
        ),
        refs=("PROTOCOL.md §4.2 #27", "PROTOCOL.md §3.3"),
    )


def _self_issued(world: S2SWorld) -> Credential:
    gp = world.requester
    return issue_jwt_vc(
        world,
        gp_key(world),
        issuer=gp.did,
        type="NutsOrganizationCredential",
        subject=organization_subject(gp.did, "Academisch Ziekenhuis", "Leiden"),
    )


@register
def self_issued_open_pd() -> Case:
    """§4.2 item 28 (PD without issuer constraint)."""

    def act(world: S2SWorld) -> Observation:
        replace_org_credential(world, _self_issued(world))
        return observe_flow(world.run())

    return Case(
        id="s2s-self-issued-open-pd",
        title="Self-issued organization credential against a PD without issuer constraint",
        flow="s2s",
        step=TOKEN,
        attack="the GP issues itself a NutsOrganizationCredential naming another hospital",
        control=None,
        act=act,
        # PROTOCOL.md §3.11: allowUntrusted=true, so only a PD constraint on $.issuer could refuse it.
        # The strict profile's trusted-issuer lists are an option, off here.
        expected=GRANTED,
        refs=("PROTOCOL.md §4.2 #28", "PROTOCOL.md §3.11", "ATTACKS.md 3.8 #62"),
        options={"policy": with_policy(_drop_issuer_field)},
    )


@register
def self_issued_shipped_pd() -> Case:
    """§4.2 item 28 (the shipped PD has an issuer pattern)."""

    def act(world: S2SWorld) -> Observation:
        gp = world.requester
        forged = _self_issued(world)
        # An honest client would not find a match (412); a patched one presents it anyway.
        employee = self_attested_employee(world, gp.did)
        return present(world, key=gp_key(world), holder=gp.did, credentials=[forged, employee])

    return Case(
        id="s2s-self-issued-shipped-pd",
        title="Self-issued organization credential against the shipped PD (issuer pattern)",
        flow="s2s",
        step=TOKEN,
        attack="a patched GP client presents its self-issued credential despite the PD's issuer pattern",
        control="pd_reevaluation",
        act=act,
        expected=vp_error(SUBMISSION, NOT_CONFORM, "token.pd_fulfil"),
        vulnerable=GRANTED,
        refs=("PROTOCOL.md §4.2 #28", "PROTOCOL.md §4.2 #16", "PROTOCOL.md §3.11"),
    )


@register
def dynamic_scope_policy() -> Case:
    """§4.2 item 29."""
    policy = shipped_policy("eoverdracht")
    policy["eoverdracht"]["scope_policy"] = "dynamic"
    return Case(
        id="s2s-dynamic-scope-policy",
        title="Profile with scope_policy dynamic and no policy decision point",
        flow="s2s",
        step=TOKEN,
        attack="the AS is configured for AuthZen decisions but has no PDP",
        control=None,
        act=lambda world: observe_flow(world.run()),
        # nutssim models no AuthZen PDP: PROTOCOL.md §1.5 #11 gives the reference's answer when the
        # dynamic policy has no ScopeEvaluator. The PDP outcomes of §4.2 #29 (access_denied,
        # "policy decision point unavailable") need a PDP party and are left out.
        expected={
            "*": Expect(
                "denied",
                "server_error",
                "dynamic scope policy configured but no ScopeEvaluator available",
                "token.scope_policy",
            )
        },
        refs=("PROTOCOL.md §4.2 #29", "PROTOCOL.md §1.5 #11", "PROTOCOL.md §3.8"),
        options={"policy": policy},
    )


# == §4.2 items 31–33: windows, client_id and claims ===================================================
@register
def nonce_store_expiry_replay() -> Case:
    """§4.2 item 31."""

    def act(world: S2SWorld) -> Observation:
        world.requester_node.clock_offset = 5  # the GP's clock runs 5 s ahead: nbf = t+5, exp = t+10
        world.run()
        # The AS burned the nonce at t for 10 s; at t+12 it is forgotten while the VP is valid until
        # exp + 5 s skew = t+15.
        return replay(world, captured_request(world), wait=12)

    return Case(
        id="s2s-nonce-store-expiry",
        title="Replay after the nonce store forgot the nonce, inside the VP's window",
        flow="s2s",
        step=TOKEN,
        attack="with the client's clock 5 s ahead, the captured token request is replayed 12 s later",
        control=None,  # the nonce store is on and still misses it: its 10 s ttl is shorter than the window
        act=act,
        expected={
            "nuts-node": Expect("granted"),  # PROTOCOL.md §4.2 #31 (inferred edge case)
            # strict still refuses: the replayed DPoP proof's jti is remembered for 15 min (RFC 9449 §11.1).
            "strict": DPOP_INVALID,
        },
        refs=("PROTOCOL.md §4.2 #31", "RFC021 §4.4", "ATTACKS.md 3.1 #8"),
    )


FORGED_CLIENT = "https://evil.example/oauth2/mallory"


@register
def arbitrary_client_id() -> Case:
    """§4.2 item 32."""

    def act(world: S2SWorld) -> Observation:
        observed = tamper_token_request(world, lambda r: r.with_form(client_id=FORGED_CLIENT))
        introspected = last_exchange(world.sim.trace, "introspection")
        body = introspected.response.json if introspected else None
        shown = body.get("client_id") if isinstance(body, dict) else None
        if observed.status == "granted" and shown != FORGED_CLIENT:
            return Observation("denied", "not_reproduced", f"introspection shows client_id {shown!r}")
        return replace(observed, detail=f"introspection client_id {shown!r}")

    return Case(
        id="s2s-arbitrary-client-id",
        title="Arbitrary client_id in the token request",
        flow="s2s",
        step=TOKEN,
        attack="the token request names client_id https://evil.example/oauth2/mallory",
        control=None,
        act=act,
        # PROTOCOL.md §1.4, §7: client_id is required but authenticated by nothing (RFC021 does not
        # define it), so it reaches introspection as sent; the RS must not authorize on it.
        expected=GRANTED,
        refs=("PROTOCOL.md §4.2 #32", "PROTOCOL.md §1.4", "PROTOCOL.md §7"),
    )


def _scope_field_id(pd: dict[str, Any]) -> None:
    for field in pd["input_descriptors"][0]["constraints"]["fields"]:
        if field.get("id") == "organization_city":
            field["id"] = "scope"


@register
def pd_field_id_scope() -> Case:
    """§4.2 item 33, ATTACKS.md 3.7 #60."""
    return Case(
        id="s2s-pd-field-id-scope",
        title="PD field id 'scope' breaks introspection",
        flow="s2s",
        step="resource request",
        attack="the policy names a PD field 'scope', which would overwrite the token's scope claim",
        control=None,
        act=lambda world: observe_flow(world.run()),
        # The token is issued; introspection answers 500 (PROTOCOL.md §1.7 step 3, §3.10), and the RS
        # treats the token as inactive: the reference's nginx script says 403 "Unauthorized".
        expected={
            "nuts-node": Expect("denied", "http_403", "Unauthorized", "introspect.claims"),
            "strict": Expect(
                "denied", "invalid_token", "the access token is not active", "introspect.claims"
            ),
        },
        refs=("PROTOCOL.md §4.2 #33", "PROTOCOL.md §3.10", "ATTACKS.md 3.7 #60"),
        options={"policy": with_policy(_scope_field_id)},
    )


# == ATTACKS.md 3.2: audience and metadata =============================================================
@register
def audience_injection() -> Case:
    """ATTACKS.md 3.2 #15: a malicious AS publishes the honest AS's token endpoint."""

    def act(world: S2SWorld) -> Observation:
        evil, honest = attacker(world), world.authorization_server
        evil.metadata = {
            **as_metadata(honest),
            "issuer": evil.issuer(),
            "token_endpoint": f"{honest.url}/token",
            "presentation_definition_endpoint": f"{honest.url}/presentation_definition",
        }
        # The GP's EHR is lured into asking the attacker's AS for a token. The client takes the
        # metadata (its issuer matches what was asked), fetches the honest PD and sends its VP to the
        # honest token endpoint — but with aud = the issuer it asked for, the attacker's.
        ehr, gp, rs = world.ehr, world.requester, world.resource_server
        process = ehr.service_access(
            gp.id, evil.issuer(), world.options["scope"], resource_url=rs.resource_url, credentials=[EMPLOYEE]
        )
        return observe_flow(FlowRun(world.sim, world.sim.start(process, ehr.id), "s2s"))

    return Case(
        id="s2s-audience-injection",
        title="Malicious AS metadata names the honest AS's token endpoint",
        flow="s2s",
        step=TOKEN,
        attack="the attacker's AS metadata points token_endpoint at the hospital, hoping the GP's VP "
        "will be valid there",
        control="vp_audience",
        act=act,
        # The client uses the issuer identifier (not the token endpoint) as aud, so the VP names the
        # attacker's AS and the honest AS refuses it (RFC021 §4.2.6; F4's advice).
        expected=vp_error(
            PRESENTATION, "presentation audience/domain is missing or does not match", "token.audience"
        ),
        vulnerable=GRANTED,
        refs=("ATTACKS.md 3.2 #15", "RFC021 §4.2.6", "RFC 8414 §3.3"),
    )


@register
def metadata_issuer_mismatch() -> Case:
    """ATTACKS.md 3.2 #19."""

    def act(world: S2SWorld) -> Observation:
        evil = attacker(world).issuer()
        world.sim.network.interceptors.append(
            RewriteResponse(is_metadata_request, rewrite_json(lambda m: {**m, "issuer": evil}))
        )
        return observe_flow(world.run())

    return Case(
        id="s2s-metadata-issuer-mismatch",
        title="AS metadata whose issuer is not the URL asked for",
        flow="s2s",
        step="AS metadata",
        attack="a man in the middle answers the metadata request with another issuer",
        control=None,
        act=act,
        expected={
            "*": Expect(
                "denied",
                "server_error",
                "authorization server https://hospital.example/oauth2/ziekenhuis-oost returned an unexpected",
                "client.metadata_issuer",
            )
        },
        refs=("ATTACKS.md 3.2 #19", "RFC 8414 §3.3", "PROTOCOL.md §1.1"),
    )


# == ATTACKS.md 3.8 #61: hostile presentation definitions ==============================================
def load_policy(world: S2SWorld, policy: dict[str, Any]) -> Observation:
    """Configure the AS with ``policy``; a refused policy is the observation (no flow runs)."""
    try:
        world.authorization_server.use_policy(policy)
    except PolicyError as exc:
        text = str(exc)
        reason = text[len(exc.where) + 2 :] if exc.where and text.startswith(exc.where) else text
        return Observation("denied", "policy_error", reason, ("policy.load",), detail=exc.where)
    return observe_flow(world.run())


def _hostile_path(pd: dict[str, Any]) -> None:
    pd["input_descriptors"][0]["constraints"]["fields"][0]["path"] = ['$..*[?match(@, ".*")]']


def _hostile_regex(pd: dict[str, Any]) -> None:
    pd["input_descriptors"][0]["constraints"]["fields"][1]["filter"]["pattern"] = "^(did:web:[a-z.]+)+$"


@register
def pd_hostile_jsonpath() -> Case:
    """ATTACKS.md 3.8 #61 (JSONPath)."""
    return Case(
        id="s2s-pd-hostile-jsonpath",
        title="Policy whose PD uses a filter-selector JSONPath",
        flow="s2s",
        step="policy load",
        attack="a PD path with descendant and filter selectors (cost and exfiltration surface)",
        control=None,
        act=lambda world: load_policy(world, with_policy(_hostile_path)),
        expected={"*": Expect("denied", "policy_error", "path '$..*[?match(@, \".*\")]': ")},
        refs=("ATTACKS.md 3.8 #61", "RFC 9535 §2.3.5", "PROTOCOL.md §3.4"),
    )


@register
def pd_hostile_regex() -> Case:
    """ATTACKS.md 3.8 #61 (regex)."""
    return Case(
        id="s2s-pd-hostile-regex",
        title="Policy whose PD pattern backtracks exponentially",
        flow="s2s",
        step="policy load",
        attack="a PD filter pattern with nested quantifiers (ReDoS)",
        control=None,
        act=lambda world: load_policy(world, with_policy(_hostile_regex)),
        expected={
            "*": Expect("denied", "policy_error", 'pattern "^(did:web:[a-z.]+)+$": nested quantifiers')
        },
        refs=("ATTACKS.md 3.8 #61", "PROTOCOL.md §3.4"),
    )


# == clock skew between nodes (PROTOCOL.md §0: 5 s JWT skew, 5 s VP lifetime) ==========================
def _skewed(offset: int) -> Callable[[S2SWorld], Observation]:
    def act(world: S2SWorld) -> Observation:
        world.requester_node.clock_offset = offset
        return observe_flow(world.run())

    return act


def _skew_case(
    offset: int, expected: dict[str, Expect], scenario: str = "s2s-bearer", note: str = ""
) -> Case:
    sign = "ahead" if offset > 0 else "behind"
    suffix = "-dpop" if scenario == "s2s" else ""
    return Case(
        id=f"s2s-clock-{sign}-{abs(offset)}s{suffix}",
        title=f"Requester's clock {abs(offset)} s {sign}{note}",
        flow="s2s",
        step=TOKEN,
        attack=f"the GP node's clock runs {abs(offset)} s {sign} of the hospital's",
        control=None,
        act=_skewed(offset),
        expected=expected,
        refs=(
            "PROTOCOL.md §0 (DefaultJWTClockSkew, s2sMaxClockSkew)",
            "RFC021 §4.2.7–8",
            "ATTACKS.md 3.1 #5",
        ),
        scenario=scenario,
    )


NOT_YET_VALID = f'{VERIFY_FAILED}unable to validate JWT signature: "nbf" not satisfied'
EXPIRED = f'{VERIFY_FAILED}unable to validate JWT signature: "exp" not satisfied'


@register
def clock_ahead_5() -> Case:
    """Clock skew at the limit: nbf 5 s ahead is within the skew."""
    return _skew_case(5, GRANTED)


@register
def clock_ahead_6() -> Case:
    """Clock skew beyond the limit: the VP is not yet valid."""
    return _skew_case(6, vp_error(PRESENTATION, NOT_YET_VALID, "token.verify_vp"))


@register
def clock_behind_10() -> Case:
    """A slow clock: exp = t−5, still inside exp + 5 s skew."""
    # The VP lives 5 s and the skew adds 5 s, so a clock up to 10 s behind is accepted.
    return _skew_case(-10, GRANTED)


@register
def clock_behind_11() -> Case:
    """A slow clock beyond lifetime plus skew: the VP has expired."""
    return _skew_case(-11, vp_error(PRESENTATION, EXPIRED, "token.verify_vp"))


@register
def clock_ahead_6_dpop() -> Case:
    """Clock skew beyond the limit with DPoP: the proof's iat trips first (PROTOCOL.md §4.2 #72)."""
    return _skew_case(6, {"*": DPOP_INVALID}, scenario="s2s", note=" (DPoP)")
