"""What the s2s cases share: their family, the RFC021 error codes, and the mutations they compose."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nutssim.catalogue.attacker import is_token_request, issue_jwt_vc, resign, strip_issuer_constraints
from nutssim.catalogue.base import Expect, Family, Observation, last_exchange, observe_flow, observe_response
from nutssim.jose import KeyPair
from nutssim.messages import HttpRequest
from nutssim.models.credential import Credential, organization_subject
from nutssim.network import Tamper
from nutssim.scenarios import S2SWorld
from nutssim.scenarios.s2s import shipped_policy
from nutssim.specs import jwx_text

TOKEN = "token request"
#: Every s2s case: a mutation of a good ``s2s`` run, most of them at its token request.
S2S = Family(S2SWorld, flow="s2s", scenario="s2s", step=TOKEN)

PRESENTATION = "invalid_verifiable_presentation"  # RFC021 §4.5 codes, used by the strict profile
SUBMISSION = "invalid_presentation_submission"
CREDENTIALS = "invalid_verifiable_credentials"
VERIFY_FAILED = "presentation(s) or credential(s) verification failed: "
INVALID_VC = f"{VERIFY_FAILED}invalid VC (id=*): "
DPOP_INVALID = Expect("denied", "invalid_dpop_proof", "DPoP header is invalid", "token.dpop")
NOT_CONFORM = "presentation submission does not conform to presentation definition (id=pd_eoverdracht"


def jwx_vp_error(kind: str, reason: Callable[[jwx_text.Words], str], check: str) -> dict[str, Expect]:
    """A VP refused in jwx's words: master's v3.2.0 (nuts-node; strict reuses them), project-gf's v2.1.6."""
    expected = vp_error(
        kind, f"{VERIFY_FAILED}unable to validate JWT signature: {reason(jwx_text.V3_2_0)}", check
    )
    gf = f"{VERIFY_FAILED}unable to validate JWT signature: {reason(jwx_text.V2_1_6)}"
    return {**expected, "nuts-node-gf": Expect("denied", "invalid_request", gf, check)}


def vp_error(kind: str, description: str, check: str | None = None) -> dict[str, Expect]:
    """A VP failure: ``invalid_request`` under nuts-node, the RFC021 §4.5 code under strict (§7)."""
    return {
        "nuts-node": Expect("denied", "invalid_request", description, check),
        "strict": Expect("denied", kind, description, check),
    }


# == mutations of the token request ======================================================================
def tamper_token_request(world: S2SWorld, change: Callable[[HttpRequest], HttpRequest]) -> Observation:
    """Run the good flow with ``change`` applied to its token request on the wire."""
    world.sim.network.interceptors.append(Tamper(is_token_request, change))
    return observe_flow(world.run())


def tampering(change: Callable[[HttpRequest], HttpRequest]) -> Callable[[S2SWorld], Observation]:
    """The act of a case whose whole mutation is ``change`` to the token request on the wire."""
    return lambda world: tamper_token_request(world, change)


def gp_key(world: S2SWorld) -> KeyPair:
    """The requester's signing key (what its node signs VPs and DPoP proofs with)."""
    key: KeyPair = world.requester.identities[0].key
    return key


def resign_vp(world: S2SWorld, **claims: Any) -> Callable[[HttpRequest], HttpRequest]:
    """A token-request change: the VP's ``claims`` changed and signed again by the requester's key."""

    def change(request: HttpRequest) -> HttpRequest:
        return request.with_form(assertion=resign(request.form["assertion"], gp_key(world), claims=claims))

    return change


def resigning(**claims: Any) -> Callable[[S2SWorld], Observation]:
    """The act of a case that changes fixed VP ``claims`` (None removes one) and signs the VP again."""
    return lambda world: tamper_token_request(world, resign_vp(world, **claims))


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


def hold_before(world: S2SWorld, label: str, seconds: int) -> Observation:
    """Run the good flow but hold the message ``label`` for ``seconds`` before delivering it."""
    flow = world.start()
    while flow.pending is not None and flow.pending.label != label:
        flow.step()
    world.sim.clock.advance(seconds)
    return observe_flow(flow)


def good_run(world: S2SWorld) -> Observation:
    """The act of a case whose fault is in its declaration (scenario options): run the flow as it is."""
    return observe_flow(world.run())


# == the policy and the wallet ===========================================================================
def with_policy(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The shipped eOverdracht policy with ``change`` applied to its organization PD (scenario option)."""
    policy = copy.deepcopy(shipped_policy("eoverdracht"))
    change(policy["eoverdracht"]["organization"])
    return policy


def drop_issuer_field(pd: dict[str, Any]) -> None:
    """A PD change: no constraint on ``$.issuer``."""
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


def self_issued(world: S2SWorld) -> Credential:
    """An organization credential the GP signs itself, naming another hospital."""
    gp = world.requester
    return issue_jwt_vc(
        world,
        gp_key(world),
        issuer=gp.did,
        type="NutsOrganizationCredential",
        subject=organization_subject(gp.did, "Academisch Ziekenhuis", "Leiden"),
    )


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
