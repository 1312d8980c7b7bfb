"""User cases of the verifier's response_uri (PROTOCOL.md §4.2 #50–55; ATTACKS.md 3.5 #41, #46)."""

from __future__ import annotations

import json
from dataclasses import replace

from nutssim import jose
from nutssim.catalogue.attacker import send
from nutssim.catalogue.base import GRANTED, Expect, Observation
from nutssim.catalogue.user_attacker import client_key, colleague_flow, run_to
from nutssim.catalogue.user_cases.common import (
    DIRECT_POST,
    MALLORY,
    OID4VP_NONCE,
    USER,
    denied,
    edit_post,
    hospital_host,
    impersonation,
    observe_at,
    resign_vp,
)
from nutssim.messages import HttpRequest
from nutssim.network import Delivery
from nutssim.scenarios import UserWorld

STAGE = USER.at(DIRECT_POST)


# == §4.2 #50–55, ATTACKS.md 3.5 #41/#46: the verifier's response_uri (step 15) ==========================
@STAGE.case(
    id="user-response-session-expired",
    title="direct_post after the verifier's session expired",
    attack="the wallet answers 61 s after the verifier asked",
    expected=denied("invalid_request", "invalid or expired session", "response.session"),
    refs=("PROTOCOL.md §4.2 #50", "OpenID4VP §6.2"),
)
def response_session_expired(world: UserWorld) -> Observation:
    """§4.2 item 50 (direct_post after 1 minute)."""
    flow = world.start()
    run_to(flow, DIRECT_POST)
    world.sim.clock.advance(61)
    return observe_at(world, DIRECT_POST, flow=flow)


@STAGE.case(
    id="user-response-slow-wallets",
    title="Each wallet answers after 40 s (80 s in all)",
    attack="the organization wallet and then the user wallet each take 40 s to answer",
    # auth/api/iam/openid4vp.go:554 re-Puts the session after each fulfilled PD and
    # storage/session.go Put restarts its one-minute TTL: the AS takes the second VP at 80 s.
    # The client's own state is put once (RequestUserAccessToken), so node B's callback then
    # finds it expired. Strict holds one AS deadline from the authorization request (OpenID4VP §6.2).
    expected={
        "nuts-node": Expect("denied", "invalid_request", "invalid or expired state", "callback.state_known"),
        "strict": Expect("denied", "invalid_request", "invalid or expired session", "response.session"),
    },
    refs=("PROTOCOL.md §4.2 #50", "OpenID4VP §6.2", "auth/api/iam/openid4vp.go:554"),
)
def response_slow_wallets(world: UserWorld) -> Observation:
    """The AS session TTL refreshed after each fulfilled PD (FIDELITY.md)."""
    flow = world.start()
    run_to(flow, DIRECT_POST)
    world.sim.clock.advance(40)
    flow.step()  # the organization VP is posted and fulfils its PD
    run_to(flow, DIRECT_POST)
    world.sim.clock.advance(40)
    return observe_at(world, DIRECT_POST, flow=flow, index=-1)


@STAGE.case(
    id="user-response-forged-state",
    title="direct_post with a forged state",
    attack="the direct_post carries a state the verifier never issued",
    expected=denied("invalid_request", "invalid or expired session", "response.session"),
    refs=("PROTOCOL.md §4.2 #50", "OpenID4VP §6.2"),
)
def response_forged_state(world: UserWorld) -> Observation:
    """§4.2 item 50 (direct_post with a forged state)."""
    flow = edit_post(world, lambda p: p.request.with_form(state="forged"))
    return observe_at(world, DIRECT_POST, flow=flow)


@STAGE.case(
    id="user-response-other-tenant",
    title="direct_post to another tenant's response URI",
    attack="the wallet posts the presentation to another subject's response_uri on the same node",
    expected=denied("invalid_request", "incorrect tenant", "response.tenant"),
    refs=("PROTOCOL.md §4.2 #51", "OpenID4VP §6.2"),
)
def response_other_tenant(world: UserWorld) -> Observation:
    """§4.2 item 51."""
    world.authorization_server_node.add_subject("Other", id="other")
    other = f"{hospital_host(world)}/oauth2/other/response"
    flow = edit_post(world, lambda p: replace(p.request, url=other))
    return observe_at(world, DIRECT_POST, flow=flow)


@STAGE.case(
    id="user-vp-injected",
    title="VP of one session injected into another",
    attack="the organization VP captured from session X (its nonce unused) is posted with session Y's state",
    expected=denied("invalid_request", "invalid nonce/state", "response.nonce_state"),
    refs=("PROTOCOL.md §4.2 #52", "ATTACKS.md 3.5 #46", OID4VP_NONCE),
    control="verifier_nonce_binding",
    vulnerable=GRANTED,
)
def vp_injected_into_other_session(world: UserWorld) -> Observation:
    """§4.2 item 52 (VP of session X, nonce unused, posted with session Y's state)."""
    victim = world.start()
    stolen = run_to(victim, DIRECT_POST).request.form  # intercepted, never delivered
    flow = edit_post(world, lambda p: p.request.with_form(vp_token=stolen["vp_token"]))
    return observe_at(world, DIRECT_POST, flow=flow)


@STAGE.case(
    id="user-vp-resubmitted",
    title="The same VP submitted a second time",
    attack="an eavesdropper on B→A posts the captured organization direct_post again",
    expected=denied("invalid_request", "invalid or expired session", "response.nonce_session"),
    refs=("PROTOCOL.md §4.2 #52", "ATTACKS.md 3.5 #44", OID4VP_NONCE),
    control="verifier_nonce_binding",
    # Without the nonce burn, the session still refuses a definition it already has (not a control).
    vulnerable=denied(
        "invalid_request", "presentation definition is already fulfilled", "response.already_fulfilled"
    ),
)
def vp_resubmitted(world: UserWorld) -> Observation:
    """§4.2 item 52 (second submission of the same VP)."""
    world.run()
    first = next(x for x in world.sim.trace.find(DIRECT_POST))
    send(world, first.request)
    return observe_at(world, DIRECT_POST, index=-1)


@STAGE.case(
    id="user-vp-without-nonce",
    title="VP without nonce",
    attack="the organization wallet signs its VP without the verifier's nonce (replayable)",
    expected=denied(
        "invalid_request", "invalid or missing nonce/challenge in presentation", "response.nonce"
    ),
    refs=("PROTOCOL.md §4.2 #52", "ATTACKS.md 3.5 #44", OID4VP_NONCE),
    control="verifier_nonce_binding",
    vulnerable=GRANTED,
)
def vp_without_nonce(world: UserWorld) -> Observation:
    """§4.2 item 52 (VP without nonce)."""
    key = client_key(world)
    flow = edit_post(
        world,
        lambda p: p.request.with_form(vp_token=resign_vp(p.request.form["vp_token"], key, nonce=None)),
    )
    return observe_at(world, DIRECT_POST, flow=flow)


@STAGE.case(
    id="user-vp-other-nonce",
    title="VP with another nonce than the request's",
    attack="the organization VP carries a nonce the verifier never issued "
    "(pre-computed, or another verifier's)",
    # The nonce is looked up before its state is compared: unknown → "invalid or expired session".
    expected=denied("invalid_request", "invalid or expired session", "response.nonce_session"),
    refs=("ATTACKS.md 3.5 #41", "PROTOCOL.md §4.2 #52", OID4VP_NONCE),
    control="verifier_nonce_binding",
    vulnerable=GRANTED,
)
def vp_unknown_nonce(world: UserWorld) -> Observation:
    """ATTACKS.md 3.5 #41: a VP whose nonce is not the one the verifier asked for."""
    key = client_key(world)
    flow = edit_post(
        world,
        lambda p: p.request.with_form(
            vp_token=resign_vp(p.request.form["vp_token"], key, nonce="not-the-request-nonce")
        ),
    )
    return observe_at(world, DIRECT_POST, flow=flow)


@STAGE.case(
    id="user-vp-mixed-nonces",
    title="Two VPs with different nonces in one response",
    attack="the vp_token bundles the genuine VP with one carrying another request's nonce",
    expected=denied(
        "invalid_request", "invalid or missing nonce/challenge in presentation", "response.nonce"
    ),
    refs=("PROTOCOL.md §4.2 #52", "ATTACKS.md 3.5 #41", OID4VP_NONCE),
    control="verifier_nonce_binding",
    vulnerable=GRANTED,
)
def vp_mixed_nonces(world: UserWorld) -> Observation:
    """§4.2 item 52 (mixed nonces; ATTACKS.md 3.5 #41: VPs in one response with different nonces)."""
    key = client_key(world)

    def bundle(pending: Delivery) -> HttpRequest:
        form = pending.request.form
        replayed = resign_vp(form["vp_token"], key, nonce="nonce-of-another-request")
        submission = json.loads(form["presentation_submission"])
        for descriptor in submission["descriptor_map"]:  # PEX paths into an array envelope
            descriptor["path"] = "$[0]" + descriptor["path"][1:]
        return pending.request.with_form(
            vp_token=json.dumps([form["vp_token"], replayed]),
            presentation_submission=json.dumps(submission),
        )

    return observe_at(world, DIRECT_POST, flow=edit_post(world, bundle))


@STAGE.case(
    id="user-vp-cross-session",
    title="Employee VP of a finished session injected into another user's session",
    attack="Mallory replaces her user VP with John Doe's captured one (nonce already burned) "
    "in her own session",
    expected=denied("invalid_request", "invalid or expired session", "response.nonce_session"),
    refs=("ATTACKS.md 3.5 #46", "PROTOCOL.md §4.2 #52", OID4VP_NONCE, "HAIP §5.1"),
    control="verifier_nonce_binding",
    vulnerable=GRANTED,
)
def vp_cross_session(world: UserWorld) -> Observation:
    """ATTACKS.md 3.5 #46: the victim's employee VP from a finished session injected into the attacker's."""
    world.run()  # the victim (John Doe) completes a session; his user VP lives 15 minutes
    victim_post = [x for x in world.sim.trace.find(DIRECT_POST)][-1].request.form
    flow = colleague_flow(world, MALLORY)
    pending = run_to(flow, DIRECT_POST, nth=2)  # Mallory's own session, its user-wallet direct_post
    flow.edit(
        pending.request.with_form(
            vp_token=victim_post["vp_token"],
            presentation_submission=victim_post["presentation_submission"],
        )
    )
    flow.finish()
    if flow.result is not None and flow.result.status == "granted":
        return impersonation(world, flow, expected_user="jdoe@huisarts-west.example")
    return observe_at(world, DIRECT_POST, index=-1, flow=flow)


@STAGE.case(
    id="user-response-no-submission",
    title="direct_post without presentation_submission",
    attack="the wallet leaves out presentation_submission",
    expected=denied("invalid_request", "missing presentation_submission", "response.submission"),
    refs=("PROTOCOL.md §4.2 #53", "OpenID4VP §6.1"),
)
def response_without_submission(world: UserWorld) -> Observation:
    """§4.2 item 53."""
    flow = edit_post(world, lambda p: p.request.with_form(presentation_submission=None))
    return observe_at(world, DIRECT_POST, flow=flow)


@STAGE.case(
    id="user-definition-already-fulfilled",
    title="An already fulfilled definition submitted again",
    attack="the user-wallet answer is the organization VP again (with the user request's nonce)",
    expected=denied(
        "invalid_request", "presentation definition is already fulfilled", "response.already_fulfilled"
    ),
    refs=("PROTOCOL.md §4.2 #54", "PROTOCOL.md §1.5 #12"),
)
def definition_already_fulfilled(world: UserWorld) -> Observation:
    """§4.2 item 54."""
    key = client_key(world)
    flow = world.start()
    first = run_to(flow, DIRECT_POST).request.form
    flow.step()
    second = run_to(flow, DIRECT_POST)
    nonce = jose.decode(second.request.form["vp_token"]).payload["nonce"]
    token = resign_vp(first["vp_token"], key, nonce=nonce)
    flow.edit(
        second.request.with_form(vp_token=token, presentation_submission=first["presentation_submission"])
    )
    return observe_at(world, DIRECT_POST, index=1, flow=flow)


@STAGE.case(
    id="user-vp-audience-other-verifier",
    title="VP for another verifier",
    attack="the organization VP is audienced to another verifier (a VP forwarded by that verifier)",
    expected=denied(
        "invalid_request", "presentation audience/domain is missing or does not match", "token.audience"
    ),
    refs=("PROTOCOL.md §4.2 #55", "ATTACKS.md 3.5 #44", "OpenID4VP §14.1"),
    control="vp_audience",
    vulnerable=GRANTED,
)
def vp_audience_other_verifier(world: UserWorld) -> Observation:
    """§4.2 item 55."""
    key = client_key(world)
    flow = edit_post(
        world,
        lambda p: p.request.with_form(
            vp_token=resign_vp(p.request.form["vp_token"], key, aud="https://other.example")
        ),
    )
    return observe_at(world, DIRECT_POST, flow=flow)
