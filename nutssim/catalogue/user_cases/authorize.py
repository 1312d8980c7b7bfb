"""User cases of the authorization endpoint and its request object fetch (PROTOCOL.md §4.2 #34–39, #41)."""

from __future__ import annotations

from collections.abc import Callable

from nutssim.catalogue.attacker import attacker
from nutssim.catalogue.base import GRANTED, Case, Expect, Observation, register
from nutssim.catalogue.user_attacker import is_direct_post, rewrite_text_response, run_to
from nutssim.catalogue.user_cases.common import (
    AUTHORIZE,
    REQUEST_OBJECT,
    USER,
    at_as,
    at_wallet,
    base_url,
    denied,
    edit_pending,
    mutate,
    observe_at,
    user_case,
)
from nutssim.messages import HttpRequest
from nutssim.scenarios import UserWorld

STAGE = USER.at(AUTHORIZE)


# == §4.2 #34–37: the authorization endpoint and the form of the request (step 7) =========================
@STAGE.case(
    id="user-authorize-disabled",
    title="Authorization endpoint disabled",
    attack="the AS's authorization endpoint is switched off after the client read its metadata",
    expected=denied("invalid_request", "authorization endpoint is disabled", "authorize.enabled"),
    refs=("PROTOCOL.md §4.2 #34", "PROTOCOL.md §2.2 step 7"),
)
def authorize_disabled(world: UserWorld) -> Observation:
    """§4.2 item 34."""
    flow = world.start()
    run_to(flow, AUTHORIZE, world.authorization_server_node.id)
    world.authorization_server_node.authorization_endpoint_enabled = False  # after B read the metadata
    return at_as(world, flow)


def _plain_request(world: UserWorld) -> Callable[[HttpRequest], HttpRequest]:
    def change(request: HttpRequest) -> HttpRequest:
        return HttpRequest.get(
            f"{world.authorization_server.url}/authorize",
            {
                "response_type": "code",
                "client_id": world.requester.url,
                "redirect_uri": world.requester_node.callback_url,
                "scope": world.options["scope"],
            },
        )

    return change


@STAGE.case(
    id="user-plain-authorization-request",
    title="Plain (unsigned) authorization request with query parameters",
    attack="a client sends an OAuth authorization request without a request object",
    expected=denied(
        "invalid_request",
        "authorization request are required to use signed request objects (RFC9101)",
        "jar.required",
    ),
    refs=("PROTOCOL.md §4.2 #35", "ATTACKS.md 3.4 #30", "RFC 9101 §10.5"),
)
def plain_authorization_request(world: UserWorld) -> Observation:
    """§4.2 item 35."""
    flow = edit_pending(world, AUTHORIZE, _plain_request(world), world.authorization_server_node.id)
    return at_as(world, flow)


def _authorize_query_case(
    id: str,
    title: str,
    attack: str,
    changes: dict[str, str],
    expected: dict[str, Expect],
    refs: tuple[str, ...],
) -> Callable[[], Case]:
    def factory() -> Case:
        """§4.2 items 36, 37 and 41: the authorization request's query changed on its way to the AS."""

        def act(world: UserWorld) -> Observation:
            flow = edit_pending(
                world,
                AUTHORIZE,
                lambda r: r.with_query(**changes),
                world.authorization_server_node.id,
            )
            return at_as(world, flow)

        return user_case(id, title, AUTHORIZE, attack, act, expected, refs)

    return factory


register(
    _authorize_query_case(
        "user-request-and-request-uri",
        "Both request and request_uri",
        "the authorization request carries a request object by value and by reference",
        {"request": "eyJhbGciOiJub25lIn0.e30."},
        denied(
            "invalid_request", "claims 'request' and 'request_uri' are mutually exclusive", "jar.exclusive"
        ),
        ("PROTOCOL.md §4.2 #36", "RFC 9101 §5"),
    )
)
register(
    _authorize_query_case(
        "user-request-uri-method-put",
        "request_uri_method=put",
        "the authorization request asks the AS to fetch the request object with PUT",
        {"request_uri_method": "put"},
        denied("invalid_request_uri_method", "unsupported request_uri_method", "jar.request_uri_method"),
        ("PROTOCOL.md §4.2 #37", "OpenID4VP §5.10 request_uri_method"),
    )
)
register(
    _authorize_query_case(
        "user-jar-client-id-mismatch",
        "JAR client_id claim differs from the query client_id (mix-up)",
        # The mix-up of ATTACKS.md 3.3 #28: a rogue AS that received B's authorization request passes
        # B's request_uri on to the honest AS under its own client_id, to have the code bound to itself.
        "B's request_uri is presented under another client_id (a rogue AS passing it on as its own)",
        {"client_id": "https://attacker.example/oauth2/evil"},
        denied(
            "invalid_request_object",
            "invalid client_id claim in signed authorization request",
            "jar.client_id",
        ),
        ("PROTOCOL.md §4.2 #41", "ATTACKS.md 3.3 #28", "ATTACKS.md 3.4 #33", "RFC 9101 §5"),
    )
)


# == §4.2 #38–39, ATTACKS.md 3.4 #33: fetching the request object (steps 8, 12, 17) ======================
@STAGE.case(
    id="user-authorize-replay",
    title="Authorization URL replayed after its request object was consumed",
    attack="the attacker opens the victim's authorization URL again (request_uri reused)",
    expected=denied("invalid_request_uri", "failed to get Request Object", "request_object.found"),
    refs=("PROTOCOL.md §4.2 #38", "ATTACKS.md 3.4 #33", "RFC 9101 §5.2"),
    control="jar_single_use",
    vulnerable=GRANTED,
)
def authorize_replay(world: UserWorld) -> Observation:
    """§4.2 item 38 (ATTACKS.md 3.4 #33: request_uri reused)."""
    world.run()
    trace = world.sim.trace
    hospital = world.authorization_server_node.id
    first = next(x for x in trace.find(AUTHORIZE) if x.receiver == hospital)
    # The URL leaked from the victim's browser (history, referrer); the attacker opens it again.
    response = world.sim.network.send(first.request, attacker(world).id)
    if response.is_redirect and "error=" not in (response.location or ""):
        wallet = base_url(response.location or "")
        return Observation(
            "granted",
            http_status=response.status,
            detail=f"the AS took the replayed request object and opened a new session (302 to {wallet})",
        )
    return observe_at(world, AUTHORIZE, receiver=hospital, index=-1)


@STAGE.case(
    id="user-request-uri-expired",
    title="request_uri fetched after 15 minutes",
    step=REQUEST_OBJECT,
    attack="the authorization URL is used after the client's request-object store expired it",
    expected=denied("invalid_request_uri", "failed to get Request Object", "request_object.found"),
    refs=("ATTACKS.md 3.4 #33", "PROTOCOL.md §0 authzRequestObjectStore", "RFC 9101 §5.2"),
)
def request_uri_expired(world: UserWorld) -> Observation:
    """ATTACKS.md 3.4 #33: a request_uri fetched after the client's 15-minute store forgot it."""
    flow = world.start()
    run_to(flow, REQUEST_OBJECT, world.requester_node.id)
    world.sim.clock.advance(900)
    return at_as(world, flow)


@STAGE.case(
    id="user-jar-get-fetched-by-post",
    title="A 'get' request object fetched with POST",
    step=REQUEST_OBJECT,
    attack="the authorization request says request_uri_method=post for a get-object",
    expected=denied("invalid_request_uri", "failed to get Request Object", "request_object.method"),
    refs=("PROTOCOL.md §4.2 #39", "OpenID4VP §5.10"),
)
def get_object_fetched_by_post(world: UserWorld) -> Observation:
    """§4.2 item 39 (a get request object fetched with POST)."""
    flow = edit_pending(
        world,
        AUTHORIZE,
        lambda r: r.with_query(request_uri_method="post"),
        world.authorization_server_node.id,
    )
    return at_as(world, flow)


@STAGE.case(
    id="user-jar-post-fetched-by-get",
    title="A 'post' request object fetched with GET",
    step=REQUEST_OBJECT,
    attack="the user-wallet request says request_uri_method=get for a post-object",
    expected=denied("invalid_request_uri", "failed to get Request Object", "request_object.method"),
    refs=("PROTOCOL.md §4.2 #39", "OpenID4VP §5.10"),
)
def post_object_fetched_by_get(world: UserWorld) -> Observation:
    """§4.2 item 39 (a post request object fetched with GET)."""
    # The verifier's answer to the organization VP names JAR_3 with method post; make it get.
    rewrite = rewrite_text_response(
        is_direct_post, lambda body: body.replace("request_uri_method=post", "request_uri_method=get")
    )
    return at_wallet(world, mutate(world, rewrite))
