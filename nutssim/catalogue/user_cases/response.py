"""User cases of the verifier's response_uri (PROTOCOL.md §4.2 #50–55; ATTACKS.md 3.5 #41, #46)."""

from __future__ import annotations

import json
from dataclasses import replace

from nutssim import jose
from nutssim.catalogue import Case, Observation, register
from nutssim.catalogue.attacker import send
from nutssim.catalogue.user_attacker import client_key, colleague_flow, run_to
from nutssim.catalogue.user_cases.common import (
    DIRECT_POST,
    GRANTED,
    MALLORY,
    OID4VP_NONCE,
    denied,
    edit_post,
    hospital_host,
    impersonation,
    observe_at,
    resign_vp,
    user_case,
)
from nutssim.messages import HttpRequest
from nutssim.network import Delivery
from nutssim.scenarios import UserWorld


# == §4.2 #50–55, ATTACKS.md 3.5 #41/#46: the verifier's response_uri (step 15) ==========================
@register
def response_session_expired() -> Case:
    """§4.2 item 50 (direct_post after 1 minute)."""

    def act(world: UserWorld) -> Observation:
        flow = world.start()
        run_to(flow, DIRECT_POST)
        world.sim.clock.advance(61)
        return observe_at(world, DIRECT_POST, flow=flow)

    return user_case(
        "user-response-session-expired",
        "direct_post after the verifier's session expired",
        DIRECT_POST,
        "the wallet answers 61 s after the verifier asked",
        act,
        denied("invalid_request", "invalid or expired session", "response.session"),
        ("PROTOCOL.md §4.2 #50", "OpenID4VP §6.2"),
    )


@register
def response_forged_state() -> Case:
    """§4.2 item 50 (direct_post with a forged state)."""

    def act(world: UserWorld) -> Observation:
        flow = edit_post(world, lambda p: p.request.with_form(state="forged"))
        return observe_at(world, DIRECT_POST, flow=flow)

    return user_case(
        "user-response-forged-state",
        "direct_post with a forged state",
        DIRECT_POST,
        "the direct_post carries a state the verifier never issued",
        act,
        denied("invalid_request", "invalid or expired session", "response.session"),
        ("PROTOCOL.md §4.2 #50", "OpenID4VP §6.2"),
    )


@register
def response_other_tenant() -> Case:
    """§4.2 item 51."""

    def act(world: UserWorld) -> Observation:
        world.authorization_server_node.add_subject("Other", id="other")
        other = f"{hospital_host(world)}/oauth2/other/response"
        flow = edit_post(world, lambda p: replace(p.request, url=other))
        return observe_at(world, DIRECT_POST, flow=flow)

    return user_case(
        "user-response-other-tenant",
        "direct_post to another tenant's response URI",
        DIRECT_POST,
        "the wallet posts the presentation to another subject's response_uri on the same node",
        act,
        denied("invalid_request", "incorrect tenant", "response.tenant"),
        ("PROTOCOL.md §4.2 #51", "OpenID4VP §6.2"),
    )


@register
def vp_injected_into_other_session() -> Case:
    """§4.2 item 52 (VP of session X, nonce unused, posted with session Y's state)."""

    def act(world: UserWorld) -> Observation:
        victim = world.start()
        stolen = run_to(victim, DIRECT_POST).request.form  # intercepted, never delivered
        flow = edit_post(world, lambda p: p.request.with_form(vp_token=stolen["vp_token"]))
        return observe_at(world, DIRECT_POST, flow=flow)

    return user_case(
        "user-vp-injected",
        "VP of one session injected into another",
        DIRECT_POST,
        "the organization VP captured from session X (its nonce unused) is posted with session Y's state",
        act,
        denied("invalid_request", "invalid nonce/state", "response.nonce_state"),
        ("PROTOCOL.md §4.2 #52", "ATTACKS.md 3.5 #46", OID4VP_NONCE),
        control="verifier_nonce_binding",
        vulnerable=GRANTED,
    )


@register
def vp_resubmitted() -> Case:
    """§4.2 item 52 (second submission of the same VP)."""

    def act(world: UserWorld) -> Observation:
        world.run()
        first = next(x for x in world.sim.trace.find(DIRECT_POST))
        send(world, first.request)
        return observe_at(world, DIRECT_POST, index=-1)

    return user_case(
        "user-vp-resubmitted",
        "The same VP submitted a second time",
        DIRECT_POST,
        "an eavesdropper on B→A posts the captured organization direct_post again",
        act,
        denied("invalid_request", "invalid or expired session", "response.nonce_session"),
        ("PROTOCOL.md §4.2 #52", "ATTACKS.md 3.5 #44", OID4VP_NONCE),
        control="verifier_nonce_binding",
        # Without the nonce burn, the session still refuses a definition it already has (not a control).
        vulnerable=denied(
            "invalid_request", "presentation definition is already fulfilled", "response.already_fulfilled"
        ),
    )


@register
def vp_without_nonce() -> Case:
    """§4.2 item 52 (VP without nonce)."""

    def act(world: UserWorld) -> Observation:
        key = client_key(world)
        flow = edit_post(
            world,
            lambda p: p.request.with_form(vp_token=resign_vp(p.request.form["vp_token"], key, nonce=None)),
        )
        return observe_at(world, DIRECT_POST, flow=flow)

    return user_case(
        "user-vp-without-nonce",
        "VP without nonce",
        DIRECT_POST,
        "the organization wallet signs its VP without the verifier's nonce (replayable)",
        act,
        denied("invalid_request", "invalid or missing nonce/challenge in presentation", "response.nonce"),
        ("PROTOCOL.md §4.2 #52", "ATTACKS.md 3.5 #44", OID4VP_NONCE),
        control="verifier_nonce_binding",
        vulnerable=GRANTED,
    )


@register
def vp_unknown_nonce() -> Case:
    """ATTACKS.md 3.5 #41: a VP whose nonce is not the one the verifier asked for."""

    def act(world: UserWorld) -> Observation:
        key = client_key(world)
        flow = edit_post(
            world,
            lambda p: p.request.with_form(
                vp_token=resign_vp(p.request.form["vp_token"], key, nonce="not-the-request-nonce")
            ),
        )
        return observe_at(world, DIRECT_POST, flow=flow)

    return user_case(
        "user-vp-other-nonce",
        "VP with another nonce than the request's",
        DIRECT_POST,
        "the organization VP carries a nonce the verifier never issued (pre-computed, or another verifier's)",
        act,
        # The nonce is looked up before its state is compared: unknown → "invalid or expired session".
        denied("invalid_request", "invalid or expired session", "response.nonce_session"),
        ("ATTACKS.md 3.5 #41", "PROTOCOL.md §4.2 #52", OID4VP_NONCE),
        control="verifier_nonce_binding",
        vulnerable=GRANTED,
    )


@register
def vp_mixed_nonces() -> Case:
    """§4.2 item 52 (mixed nonces; ATTACKS.md 3.5 #41: VPs in one response with different nonces)."""

    def act(world: UserWorld) -> Observation:
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

    return user_case(
        "user-vp-mixed-nonces",
        "Two VPs with different nonces in one response",
        DIRECT_POST,
        "the vp_token bundles the genuine VP with one carrying another request's nonce",
        act,
        denied("invalid_request", "invalid or missing nonce/challenge in presentation", "response.nonce"),
        ("PROTOCOL.md §4.2 #52", "ATTACKS.md 3.5 #41", OID4VP_NONCE),
        control="verifier_nonce_binding",
        vulnerable=GRANTED,
    )


@register
def vp_cross_session() -> Case:
    """ATTACKS.md 3.5 #46: the victim's employee VP from a finished session injected into the attacker's."""

    def act(world: UserWorld) -> Observation:
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

    return user_case(
        "user-vp-cross-session",
        "Employee VP of a finished session injected into another user's session",
        DIRECT_POST,
        "Mallory replaces her user VP with John Doe's captured one (nonce already burned) in her own session",
        act,
        denied("invalid_request", "invalid or expired session", "response.nonce_session"),
        ("ATTACKS.md 3.5 #46", "PROTOCOL.md §4.2 #52", OID4VP_NONCE, "HAIP §5.1"),
        control="verifier_nonce_binding",
        vulnerable=GRANTED,
    )


@register
def response_without_submission() -> Case:
    """§4.2 item 53."""

    def act(world: UserWorld) -> Observation:
        flow = edit_post(world, lambda p: p.request.with_form(presentation_submission=None))
        return observe_at(world, DIRECT_POST, flow=flow)

    return user_case(
        "user-response-no-submission",
        "direct_post without presentation_submission",
        DIRECT_POST,
        "the wallet leaves out presentation_submission",
        act,
        denied("invalid_request", "missing presentation_submission", "response.submission"),
        ("PROTOCOL.md §4.2 #53", "OpenID4VP §6.1"),
    )


@register
def definition_already_fulfilled() -> Case:
    """§4.2 item 54."""

    def act(world: UserWorld) -> Observation:
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

    return user_case(
        "user-definition-already-fulfilled",
        "An already fulfilled definition submitted again",
        DIRECT_POST,
        "the user-wallet answer is the organization VP again (with the user request's nonce)",
        act,
        denied(
            "invalid_request", "presentation definition is already fulfilled", "response.already_fulfilled"
        ),
        ("PROTOCOL.md §4.2 #54", "PROTOCOL.md §1.5 #12"),
    )


@register
def vp_audience_other_verifier() -> Case:
    """§4.2 item 55."""

    def act(world: UserWorld) -> Observation:
        key = client_key(world)
        flow = edit_post(
            world,
            lambda p: p.request.with_form(
                vp_token=resign_vp(p.request.form["vp_token"], key, aud="https://other.example")
            ),
        )
        return observe_at(world, DIRECT_POST, flow=flow)

    return user_case(
        "user-vp-audience-other-verifier",
        "VP for another verifier",
        DIRECT_POST,
        "the organization VP is audienced to another verifier (a VP forwarded by that verifier)",
        act,
        denied(
            "invalid_request", "presentation audience/domain is missing or does not match", "token.audience"
        ),
        ("PROTOCOL.md §4.2 #55", "ATTACKS.md 3.5 #44", "OpenID4VP §14.1"),
        control="vp_audience",
        vulnerable=GRANTED,
    )
