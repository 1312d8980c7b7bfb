"""User cases of the authorization_code grant (PROTOCOL.md §4.2 #56–60, #63; ATTACKS.md 3.9 #65–66)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from nutssim.catalogue.attacker import attacker
from nutssim.catalogue.base import GRANTED, Case, Expect, Observation, register
from nutssim.catalogue.user_attacker import code_at_callback, colleague_flow, redeem_code, run_to
from nutssim.catalogue.user_cases.common import (
    MALLORY,
    PKCE_VERIFIER,
    TOKEN,
    USER,
    denied,
    edit_pending,
    impersonation,
    observe_at,
    user_case,
)
from nutssim.scenarios import UserWorld

STAGE = USER.at(TOKEN)


# == §4.2 #56–60, #63, ATTACKS.md 3.9 #65–66: the authorization_code grant (step 22) ======================
@STAGE.case(
    id="user-code-replay",
    title="Authorization code redeemed a second time",
    attack="an eavesdropper replays the captured token request (code and verifier) with its own DPoP key",
    expected=denied("invalid_grant", "invalid authorization code", "code_token.code_valid"),
    refs=("PROTOCOL.md §4.2 #56", "ATTACKS.md 3.3 #25", "RFC 6749 §4.1.2"),
    control="code_single_use",
    vulnerable=GRANTED,
)
def code_replay(world: UserWorld) -> Observation:
    """§4.2 item 56."""
    world.run()
    form = next(x for x in world.sim.trace.find(TOKEN)).request.form
    # An eavesdropper replays the captured code and verifier, with a DPoP proof of its own key.
    return redeem_code(world, form["code"], verifier=form["code_verifier"])


@STAGE.case(
    id="user-code-other-client",
    title="Stolen code redeemed with another client_id",
    attack="the attacker takes the code from the callback URL and redeems it under its own client_id",
    expected=denied("invalid_request", "client_id does not match: ", "code_token.client_match"),
    refs=("PROTOCOL.md §4.2 #57", "ATTACKS.md 3.3 #25", "RFC 6749 §4.1.3"),
)
def code_other_client(world: UserWorld) -> Observation:
    """§4.2 item 57."""
    flow = world.start()
    _, code = code_at_callback(flow)
    evil = attacker(world)
    # A verifier of its own gets it past the presence check; client_id is compared before PKCE.
    observed = redeem_code(world, code, verifier="x" * 43, client_id=evil.issuer())
    flow.finish()  # the victim's client then finds the code burned
    victim = next(x for x in world.sim.trace.find(TOKEN) if x.sender == world.requester_node.id)
    answer = victim.response.json or {}
    return replace(observed, detail=f"{observed.detail}; the client then got {answer.get('error')}")


def _stolen_code_case(
    id: str, title: str, attack: str, verifier: str | None, expected: Expect
) -> Callable[[], Case]:

    def factory() -> Case:
        """§4.2 items 58 and 59: the attacker redeems a stolen code without the PKCE verifier."""

        def act(world: UserWorld) -> Observation:
            flow = world.start()
            _, code = code_at_callback(flow)  # read from the browser's URL before the client redeems it
            return redeem_code(world, code, verifier=verifier)

        refs = (
            ("PROTOCOL.md §4.2 #58", "ATTACKS.md 3.3 #22")
            if verifier
            else ("PROTOCOL.md §4.2 #59", "ATTACKS.md 3.3 #21")
        )
        return user_case(
            id,
            title,
            TOKEN,
            attack,
            act,
            {"*": expected},
            (*refs, PKCE_VERIFIER),
            control="pkce",
            vulnerable=GRANTED,
        )

    return factory


register(
    _stolen_code_case(
        "user-code-wrong-verifier",
        "Stolen code redeemed with a guessed code_verifier",
        "the attacker redeems the code from the callback URL with a verifier of its own",
        "x" * 43,
        Expect("denied", "invalid_grant", "invalid code_verifier", "pkce.verifier"),
    )
)
register(
    _stolen_code_case(
        "user-code-missing-verifier",
        "Stolen code redeemed without code_verifier",
        "the attacker redeems the code from the callback URL and leaves out code_verifier (PKCE downgrade)",
        None,
        Expect("denied", "invalid_request", "missing code_verifier parameter", "code_token.code_verifier"),
    )
)


def _token_form_case(
    id: str,
    title: str,
    attack: str,
    changes: dict[str, str | None],
    expected: dict[str, Expect],
    refs: tuple[str, ...],
) -> Callable[[], Case]:
    def factory() -> Case:
        """§4.2 items 59 and 63: the client's token request changed on its way."""

        def act(world: UserWorld) -> Observation:
            flow = edit_pending(world, TOKEN, lambda r: r.with_form(**changes))
            return observe_at(world, TOKEN, flow=flow)

        return user_case(id, title, TOKEN, attack, act, expected, refs)

    return factory


register(
    _token_form_case(
        "user-token-missing-code",
        "Token request without code",
        "the client's token request loses its code",
        {"code": None},
        denied("invalid_request", "missing code parameter", "code_token.code"),
        ("PROTOCOL.md §4.2 #59", "RFC 6749 §4.1.3"),
    )
)
register(
    _token_form_case(
        "user-token-missing-client-id",
        "Token request without client_id",
        "the client's token request loses its client_id",
        {"client_id": None},
        denied("invalid_request", "missing client_id parameter", "code_token.client_id"),
        ("PROTOCOL.md §4.2 #59", "RFC 6749 §4.1.3"),
    )
)
register(
    _token_form_case(
        "user-token-redirect-uri-mismatch",
        "Token request with another redirect_uri than the authorization request",
        "the token request names https://evil.example/cb as redirect_uri",
        {"redirect_uri": "https://evil.example/cb"},
        {
            # PROTOCOL.md §4.2 #63: not compared by the reference (inferred spec gap vs RFC 6749 §4.1.3).
            "nuts-node": Expect("granted"),
            "strict": Expect(
                "denied",
                "invalid_grant",
                "redirect_uri does not match the authorization request",
                "code_token.redirect_uri",
            ),
        },
        ("PROTOCOL.md §4.2 #63", "ATTACKS.md 3.3 #29", "RFC 6749 §4.1.3"),
    )
)


@STAGE.case(
    id="user-code-expired",
    title="Code redeemed after 1 minute",
    attack="the client redeems the code 61 s after it was issued",
    expected=denied("invalid_grant", "invalid authorization code", "code_token.code_valid"),
    refs=("PROTOCOL.md §4.2 #60", "ATTACKS.md 3.3 #25", "RFC 6749 §4.1.2"),
)
def code_expired(world: UserWorld) -> Observation:
    """§4.2 item 60."""
    flow = world.start()
    run_to(flow, TOKEN)
    world.sim.clock.advance(61)
    return observe_at(world, TOKEN, flow=flow)


@STAGE.case(
    id="user-code-injection",
    title="Attacker's code injected into the victim's callback",
    attack="Mallory's code (for her identity) replaces the code in John Doe's callback URL",
    # The client redeems it with the victim's verifier: S256 does not match Mallory's challenge.
    expected=denied("invalid_grant", "invalid code_verifier", "pkce.verifier"),
    refs=("ATTACKS.md 3.9 #65", "ATTACKS.md 3.9 #66", "RFC 9700 §4.5", PKCE_VERIFIER),
    control="pkce",
    # Without PKCE the victim's EHR receives a token carrying Mallory's employee identity.
    vulnerable=GRANTED,
)
def code_injection(world: UserWorld) -> Observation:
    """ATTACKS.md 3.9 #65–66: the attacker's code injected into the victim's callback."""
    # Mallory, a colleague with her own EHR account, gets a code in her own browser and keeps it.
    own = colleague_flow(world, MALLORY)
    _, code = code_at_callback(own)
    victim = world.start()
    pending, _ = code_at_callback(victim)
    victim.edit(pending.request.with_query(code=code))  # a CSRF link, or a MITM on the victim's browser
    victim.finish()
    if victim.result is not None and victim.result.status == "granted":
        return impersonation(world, victim, expected_user=MALLORY["id"])
    return observe_at(world, TOKEN, index=-1, flow=victim)
