"""Catalogue cases of the service-to-service flow's token endpoint (PROTOCOL.md §4.2 items 1–33)."""

from __future__ import annotations

from nutssim.catalogue import (
    Case,
    Expect,
    Observation,
    last_exchange,
    observe_flow,
    observe_response,
    register,
)
from nutssim.messages import HttpRequest
from nutssim.network import Tamper
from nutssim.scenarios import World

TOKEN = "token request"


def _is_token_request(request: HttpRequest) -> bool:
    return request.method == "POST" and request.path.endswith("/token")


def replay_token_request(world: World, *, to: str | None = None, wait: int = 0) -> Observation:
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

    def act(world: World) -> Observation:
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

    def act(world: World) -> Observation:
        other = world.sim.add_node("kliniek.example").add_subject("Kliniek Zuid", id="kliniek-zuid")
        other.use_policy(world["authorization_server"].policy)
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
