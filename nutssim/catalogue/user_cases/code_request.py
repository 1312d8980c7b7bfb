"""User cases of the code request itself: audience, mix-up, PKCE, scope, response_type (§4.2 #43–46)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nutssim.catalogue.attacker import attacker
from nutssim.catalogue.base import GRANTED, Case, Expect, Observation, register
from nutssim.catalogue.user_attacker import (
    ResignResponse,
    apply_claims,
    client_key,
    request_object_of,
    rewrite_json_request,
)
from nutssim.catalogue.user_cases.common import (
    AUTHORIZE,
    PKCE_CHALLENGE,
    USER,
    at_as,
    denied,
    gp_host,
    mutate,
    user_case,
)
from nutssim.parties.authorization_server import metadata as as_metadata
from nutssim.scenarios import UserWorld

STAGE = USER.at(AUTHORIZE)


# == §4.2 #43–46, mix-up: the code request itself (step 7 continued) ======================================
@STAGE.case(
    id="user-jar-audience-other-as",
    title="Request object for another authorization server",
    attack="the client's request object names another AS as its audience",
    expected=denied("invalid_request", "invalid audience, expected: ", "authorize.audience"),
    refs=("PROTOCOL.md §4.2 #43", "ATTACKS.md 3.4 #31", "RFC 9101 §6.2"),
)
def jar_audience_of_another_as(world: UserWorld) -> Observation:
    """§4.2 item 43."""
    resigned = ResignResponse(
        request_object_of(gp_host(world)),
        client_key(world),
        lambda h, c: c.update(aud="https://other.example/oauth2/x"),
    )
    return at_as(world, mutate(world, resigned))


@STAGE.case(
    id="user-as-mixup",
    title="Mix-up: a rogue AS sends the client to the honest authorization endpoint",
    attack="the rogue AS's metadata names the honest authorization endpoint and its own token endpoint",
    # B's request object is audienced to the rogue issuer: the honest AS refuses it (PROTOCOL.md §2.2
    # step 7 continued), so no code is issued that B would take to the rogue token endpoint.
    expected=denied("invalid_request", "invalid audience, expected: ", "authorize.audience"),
    refs=(
        "ATTACKS.md 3.3 #28",
        "ATTACKS.md 3.9 #63",
        "PROTOCOL.md §4.2 #43",
        "RFC 9700 §4.4",
        "RFC 9101 §6.2",
    ),
)
def authorization_server_mixup(world: UserWorld) -> Observation:
    """ATTACKS.md 3.3 #28 / 3.9 #63: the client is sent to the honest AS by a rogue AS's metadata."""
    evil = attacker(world)
    honest = world.authorization_server
    # The rogue AS's metadata: its own issuer and token endpoint, the honest authorization endpoint.
    evil.metadata = {
        **as_metadata(honest),
        "issuer": evil.issuer(),
        "token_endpoint": f"{evil.issuer()}/token",
    }
    # The EHR (misconfigured, or tricked by the attacker) asks for a token at the rogue AS.
    tamper = rewrite_json_request(
        lambda r: r.path.endswith("/request-user-access-token"), {"authorization_server": evil.issuer()}
    )
    observed = at_as(world, mutate(world, tamper))
    leaked = [r for r in evil.received if r.path.endswith("/token")]
    return replace(observed, detail=f"{observed.detail}; token requests at the rogue AS: {len(leaked)}")


def _jar_code_request_case(
    id: str,
    title: str,
    attack: str,
    changes: dict[str, Any],
    expected: dict[str, Expect],
    refs: tuple[str, ...],
    step: str = AUTHORIZE,
    **kw: Any,
) -> Callable[[], Case]:
    def factory() -> Case:
        """§4.2 items 44 and 46: JAR_1 changed and re-signed by B's key (a faulty or downgraded client)."""

        def act(world: UserWorld) -> Observation:
            resigned = ResignResponse(
                request_object_of(gp_host(world)), client_key(world), lambda h, c: apply_claims(c, changes)
            )
            return at_as(world, mutate(world, resigned))

        return user_case(id, title, step, attack, act, expected, refs, **kw)

    return factory


register(
    _jar_code_request_case(
        "user-pkce-missing",
        "Authorization request without PKCE",
        "the request object carries no code_challenge (PKCE downgrade)",
        {"code_challenge": None, "code_challenge_method": None},
        denied("invalid_request", "missing code_challenge parameter", "pkce.challenge"),
        ("PROTOCOL.md §4.2 #44", "ATTACKS.md 3.3 #24", PKCE_CHALLENGE),
        control="pkce",
        vulnerable=GRANTED,
    )
)
register(
    _jar_code_request_case(
        "user-pkce-plain",
        "Authorization request with code_challenge_method=plain",
        "the request object asks for the plain PKCE method",
        {"code_challenge_method": "plain"},
        denied(
            "invalid_request",
            "invalid value for code_challenge_method parameter, only S256 is supported",
            "pkce.method",
        ),
        ("PROTOCOL.md §4.2 #44", "ATTACKS.md 3.3 #23", PKCE_CHALLENGE),
        control="pkce",
        # Switched off, the challenge is not checked and the S256 verifier is not compared: granted.
        vulnerable=GRANTED,
    )
)
register(
    _jar_code_request_case(
        "user-response-type-token",
        "response_type=token",
        "the request object asks for the implicit grant",
        {"response_type": "token"},
        denied("unsupported_response_type", None, "authorize.response_type"),
        ("PROTOCOL.md §4.2 #46", "RFC 6749 §4.1.2.1"),
    )
)


@STAGE.case(
    id="user-unknown-scope",
    title="Unknown scope at the authorization endpoint",
    attack="the EHR asks for a scope the AS has no policy for",
    expected=denied(
        "invalid_scope",
        "unsupported scope (unknown) for presentation exchange: not found",
        "authorize.scope",
    ),
    refs=("PROTOCOL.md §4.2 #45", "RFC 6749 §4.1.2.1"),
)
def unknown_scope(world: UserWorld) -> Observation:
    """§4.2 item 45."""
    return at_as(world, world.start(scope="unknown"))
