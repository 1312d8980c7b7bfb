"""User cases of the client's callback and landing, and of the user token at the RS (§4.2 #61–62)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nutssim.catalogue.attacker import RESOURCE, call_resource, send
from nutssim.catalogue.base import GRANTED, Case, Expect, Observation, register
from nutssim.catalogue.user_attacker import run_to
from nutssim.catalogue.user_cases.common import (
    CALLBACK,
    LANDING,
    USER,
    denied,
    edit_pending,
    observe_at,
    user_case,
)
from nutssim.messages import HttpRequest
from nutssim.scenarios import UserWorld

STAGE = USER.at(LANDING)


# == §4.2 #61–62: the client's callback and landing ===================================================
def _callback_case(
    id: str, title: str, attack: str, changes: dict[str, str | None], expected: dict[str, Expect], **kw: Any
) -> Callable[[], Case]:
    def factory() -> Case:
        """§4.2 item 61: the callback URL changed on its way to the client."""

        def act(world: UserWorld) -> Observation:
            flow = edit_pending(world, CALLBACK, lambda r: r.with_query(**changes))
            return observe_at(world, CALLBACK, flow=flow)

        return user_case(
            id,
            title,
            CALLBACK,
            attack,
            act,
            expected,
            ("PROTOCOL.md §4.2 #61", "ATTACKS.md 3.3 #27", "RFC 6749 §10.12"),
            **kw,
        )

    return factory


register(
    _callback_case(
        "user-callback-unknown-state",
        "Callback with an unknown state (CSRF, login injection)",
        "the browser arrives at the callback with a state the client never issued",
        {"state": "forged"},
        denied("invalid_request", "invalid or expired state", "callback.state_known"),
        control="state_check",
        vulnerable=GRANTED,
    )
)
register(
    _callback_case(
        "user-callback-missing-state",
        "Callback without state",
        "the browser arrives at the callback without state",
        {"state": None},
        denied("invalid_request", "missing state parameter", "callback.state"),
    )
)
register(
    _callback_case(
        "user-callback-missing-code",
        "Callback without code",
        "the browser arrives at the callback without code",
        {"code": None},
        denied("invalid_request", "missing code parameter", "callback.code"),
    )
)


@STAGE.case(
    id="user-landing-reused",
    title="Landing link opened a second time",
    attack="the attacker opens the victim's /user?token=T link after the victim used it",
    expected=denied("http_403", None, "landing.token"),
    refs=("PROTOCOL.md §4.2 #62", "PROTOCOL.md §2.2 step 4", "RFC 6749 §10.12"),
)
def landing_reused(world: UserWorld) -> Observation:
    """§4.2 item 62 (the /user?token=T link opened again)."""
    world.run()
    url = world.sim.trace.find(LANDING)[0].request.url
    send(world, HttpRequest.get(url))  # the link leaked (history, referrer); the attacker opens it
    return observe_at(world, LANDING, index=-1)


@STAGE.case(
    id="user-landing-late",
    title="Landing link opened after 5 seconds",
    attack="the browser opens the landing link 5 s after the EHR got it",
    expected=denied("http_403", None, "landing.token"),
    refs=("PROTOCOL.md §4.2 #62", "PROTOCOL.md §0 userRedirectTimeout"),
)
def landing_late(world: UserWorld) -> Observation:
    """§4.2 item 62 (the link opened after 5 s)."""
    flow = world.start()
    run_to(flow, LANDING)
    world.sim.clock.advance(5)
    return observe_at(world, LANDING, flow=flow)


@STAGE.case(
    id="user-landing-no-token",
    title="Landing link without token",
    attack="the browser opens /user without the token",
    expected=denied("http_403", None, "landing.token"),
    refs=("PROTOCOL.md §4.2 #62", "PROTOCOL.md §2.2 step 4"),
)
def landing_without_token(world: UserWorld) -> Observation:
    """§4.2 item 62 (the link without its token)."""
    return observe_at(world, LANDING, flow=edit_pending(world, LANDING, lambda r: r.with_query(token=None)))


# == the user-flow token at the resource server ==========================================================
@STAGE.case(
    id="user-token-as-bearer",
    title="User-flow token sent as Bearer without a proof",
    step=RESOURCE,
    attack="a thief presents the employee's DPoP-bound token under the Bearer scheme",
    expected={
        "nuts-node": Expect("denied", "http_403", "Unauthorized", "rs.dpop_scheme"),
        "strict": Expect(
            "denied", "invalid_token", "DPoP-bound token requires the DPoP scheme", "rs.dpop_scheme"
        ),
    },
    refs=("ATTACKS.md 3.6 #54", "PROTOCOL.md §2.2 steps 23–26", "RFC 9449 §7.1"),
    control="dpop_required",
    vulnerable=GRANTED,
)
def token_as_bearer(world: UserWorld) -> Observation:
    """ATTACKS.md 3.6 #54: the user flow's DPoP-bound token presented as Bearer."""
    world.run()
    token = str((world.sim.trace.outcome or {})["token"]["access_token"])
    observed = call_resource(world, token, scheme="Bearer")
    return replace(
        observed, detail=f"the resource server's answer (HTTP {observed.http_status}) to the thief"
    )
