"""PROTOCOL.md §4.2 items 34–63 and the timers of §0, each a mutation of a good user-flow run.

Each test says which check failed (``trace.failed_checks()``), which error the party
answered and how it was delivered: rendered to the browser, a 302 to the client's
redirect_uri (no ``state`` under ``nuts-node``, with it under ``strict``), a JSON error
to the calling node, or POSTed by the wallet to the verifier's ``response_uri``. Where a
control guards against the attack, the same mutation succeeds with the control off.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from nutssim import jose, scenarios
from nutssim.catalogue.user_attacker import ResignResponse
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.network import Delivery, PassThrough, Tamper
from nutssim.parties.browser import error_shown
from nutssim.profiles import Profile
from nutssim.rng import SimRandom, b64url
from nutssim.simulation import FlowRun
from nutssim.specs import openid4vp, rfc9449
from nutssim.trace import Exchange, Trace

GP, HOSPITAL = "https://gp.example", "https://hospital.example"
CLIENT_ID = f"{GP}/oauth2/huisarts-west"
ISSUER = f"{HOSPITAL}/oauth2/ziekenhuis-oost"
CALLBACK = f"{GP}/oauth2/callback"
EHR_LANDING = "https://ehr.gp.example/user-flow/done"


@pytest.fixture(params=["nuts-node", "strict"])
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def build(profile: str, *off: str, **options: Any) -> scenarios.World:
    """The user scenario under ``profile`` with ``off`` controls switched off."""
    return scenarios.build("user", seed=21, profile=Profile(profile).without(*off), **options)


def run_to(flow: FlowRun, label: str, receiver: str | None = None, nth: int = 1) -> Delivery:
    """Step until the ``nth`` pending delivery with ``label`` (to ``receiver``) is about to go."""
    seen = 0
    while flow.pending is not None:
        pending = flow.pending
        if pending.label == label and (receiver is None or pending.receiver == receiver):
            seen += 1
            if seen == nth:
                return pending
        flow.step()
    raise AssertionError(f"no pending {label!r} to {receiver!r}")


def exchanges(trace: Trace, label: str, receiver: str | None = None) -> list[Exchange]:
    return [x for x in trace.find(label) if receiver is None or x.receiver == receiver]


def failed(trace: Trace) -> list[str]:
    """The ids of the failed checks, in exchange order (a parent before the exchanges it caused)."""
    return [c.id for _, c in trace.failed_checks()]


def failed_at(x: Exchange) -> str:
    """The first check that failed while handling ``x``."""
    return x.failed_checks[0].id


def rendered(x: Exchange, error: str, description: str, status: int = 400) -> None:
    """The error was rendered as the node's HTML page (no redirect)."""
    assert (x.response.status, x.response.content_type, x.response.location) == (status, "text/html", None)
    assert error_shown(x.response) == {"error": error, "error_description": description}


def as_json(x: Exchange, error: str, description: str, status: int = 400) -> None:
    """The error was answered as RFC 6749 §5.2 JSON."""
    assert x.response.status == status and x.response.json == {
        "error": error,
        "error_description": description,
    }


def redirected(x: Exchange, target: str, error: str, description: str | None, state: str | None) -> None:
    """A 302 to ``target`` with error (and description); ``state`` only under strict (§4.1.2.1)."""
    assert x.response.status == 302 and x.response.location.startswith(target + "?")
    query = openid4vp.query_of(x.response.location)
    assert query["error"] == error and query.get("error_description") == description
    assert query.get("state") == state


def client_state(trace: Trace) -> str:
    """The client's state CS (in JAR_1)."""
    return jar_claims(trace.find("request object")[0].response.body)["state"]


def jar_claims(token: str) -> dict[str, Any]:
    return jose.decode(token).payload


def reaches_client(world: scenarios.World, profile: str, error: str) -> None:
    """After an error redirect to B's callback: the reference shows it there; strict sends it to the EHR."""
    trace = world.sim.trace
    callback = exchanges(trace, "authorization callback")[-1]
    if profile == "strict":
        assert callback.response.location.startswith(EHR_LANDING + "?error=" + error)
        assert "ehr.landing" in failed(trace)
    else:
        assert callback.response.status == 400 and error_shown(callback.response)["error"] == error
        assert "callback.state" in failed(trace)
    result = world.sim.trace.outcome
    assert result["status"] == "denied" and result["error"]["error"] == error


def jar_of(host: str) -> Callable[[HttpRequest], bool]:
    """Matches the fetch of a request object served by ``host``."""
    return lambda r: r.origin == host and "/request.jwt/" in r.path


def b_key(world: scenarios.World) -> jose.KeyPair:
    return world.requester.identities[0].key


def a_key(world: scenarios.World) -> jose.KeyPair:
    return world.authorization_server.identities[0].key


def start_with(world: scenarios.World, *interceptors: Any, **options: Any) -> FlowRun:
    world.sim.network.interceptors.extend(interceptors)
    return world.start(**options)


# -- 34–46: the authorization endpoint and its request object (steps 7–9) --------------------------
def test_34_authorization_endpoint_disabled(profile: str) -> None:
    """34: A's endpoint off after B read its metadata → rendered invalid_request."""
    world = build(profile)
    flow = world.start()
    run_to(flow, "authorization request", "hospital")
    world.authorization_server_node.authorization_endpoint_enabled = False
    flow.finish()
    trace = world.sim.trace
    rendered(
        exchanges(trace, "authorization request", "hospital")[0],
        "invalid_request",
        "authorization endpoint is disabled",
    )
    assert failed(trace) == ["authorize.enabled"]
    assert trace.outcome["error"]["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("change", "check", "error", "description"),
    [
        (
            "plain",
            "jar.required",
            "invalid_request",
            "authorization request are required to use signed request objects (RFC9101)",
        ),
        (
            "both",
            "jar.exclusive",
            "invalid_request",
            "claims 'request' and 'request_uri' are mutually exclusive",
        ),
        ("put", "jar.request_uri_method", "invalid_request_uri_method", "unsupported request_uri_method"),
        (
            "client_id",
            "jar.client_id",
            "invalid_request_object",
            "invalid client_id claim in signed authorization request",
        ),
    ],
)
def test_35_36_37_41_authorization_request_forms(
    profile: str, change: str, check: str, error: str, description: str
) -> None:
    """35 plain, 36 request + request_uri, 37 request_uri_method=put, 41 client_id mix-up: rendered."""
    world = build(profile)
    flow = world.start()
    request = run_to(flow, "authorization request", "hospital").request
    edited = {
        "plain": HttpRequest.get(
            f"{ISSUER}/authorize",
            {
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": CALLBACK,
                "scope": "zorgtoepassing",
            },
        ),
        "both": request.with_query(request="eyJhbGciOiJub25lIn0.e30."),
        "put": request.with_query(request_uri_method="put"),
        "client_id": request.with_query(client_id="https://evil.example/oauth2/mallory"),
    }[change]
    flow.edit(edited)
    flow.finish()
    trace = world.sim.trace
    rendered(exchanges(trace, "authorization request", "hospital")[0], error, description)
    assert failed(trace)[0] == check


@pytest.mark.parametrize("single_use", [True, False])
def test_38_authorize_url_replayed(profile: str, single_use: bool) -> None:
    """38: a consumed request_uri is gone (client 400, AS invalid_request_uri); again without the control."""
    world = build(profile, *([] if single_use else ["jar_single_use"]))
    world.run()
    trace = world.sim.trace
    first = exchanges(trace, "authorization request", "hospital")[0]
    response = world.sim.network.send(first.request, world.browser.id)
    replay = exchanges(trace, "authorization request", "hospital")[-1]
    fetch = exchanges(trace, "request object", "gp")[-1]
    if single_use:
        as_json_or_page = error_shown(fetch.response)
        assert fetch.response.status == 400 and as_json_or_page == {
            "error": "invalid_request",
            "error_description": "request object not found",
        }
        rendered(replay, "invalid_request_uri", "failed to get Request Object")
        assert set(failed(trace)[-2:]) == {"request_object.found", "jar.fetch"}
    else:
        assert fetch.response.status == 200 and response.status == 302 and not failed(trace)


def test_39_request_uri_method_mismatch(profile: str) -> None:
    """39: a get-object fetched by POST, and a post-object fetched by GET: the client refuses both."""
    world = build(profile)
    flow = world.start()
    request = run_to(flow, "authorization request", "hospital").request
    flow.edit(request.with_query(request_uri_method="post"))
    flow.finish()
    trace = world.sim.trace
    fetch = exchanges(trace, "request object (post)", "gp")[0]
    assert (
        error_shown(fetch.response)["error_description"]
        == "used request_uri_method 'post' on a 'get' request_uri"
    )
    rendered(
        exchanges(trace, "authorization request", "hospital")[0],
        "invalid_request_uri",
        "failed to get Request Object",
    )

    world = build(profile)
    rewrite = RewriteAnswer(lambda body: body.replace("request_uri_method=post", "request_uri_method=get"))
    start_with(world, rewrite).finish()
    trace = world.sim.trace
    fetch = exchanges(trace, "request object", "hospital")[-1]
    assert (
        error_shown(fetch.response)["error_description"]
        == "used request_uri_method 'get' on a 'post' request_uri"
    )
    rendered(
        exchanges(trace, "authorization request", "gp")[0],
        "invalid_request_uri",
        "failed to get Request Object",
    )


@dataclass
class RewriteAnswer(PassThrough):
    """Rewrites the verifier's first 200 JSON answer to a direct_post (its redirect_uri)."""

    change: Callable[[str], str]
    done: bool = False

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        if self.done or not delivery.request.path.endswith("/response") or response.status != 200:
            return response
        self.done = True
        return replace(response, body=self.change(response.body))


@pytest.mark.parametrize("change", ["tampered", "expired", "too_long", "no_iss", "no_iat"])
def test_40_request_object_invalid(profile: str, change: str) -> None:
    """40: tampered, expired, exp − iat > 5 min + 5 s, missing iss/iat → invalid_request_object, rendered."""
    world = build(profile)
    now = world.sim.clock.now()

    def alter(header: dict[str, Any], claims: dict[str, Any]) -> None:
        if change == "expired":
            claims.update(iat=now - 400, exp=now - 100)
        elif change == "too_long":
            # Beyond 300 s plus the reference's 5 s skew (crypto/jwx.go:215,222): refused by both profiles.
            claims["exp"] = claims["iat"] + 306
        elif change in ("no_iss", "no_iat"):
            del claims[change[3:]]

    interceptor: Any = ResignResponse(jar_of(GP), b_key(world), alter)
    if change == "tampered":
        interceptor = RewriteJar(jar_of(GP), {"scope": "zorgtoepassing extra"})
    start_with(world, interceptor).finish()
    trace = world.sim.trace
    rendered(
        exchanges(trace, "authorization request", "hospital")[0],
        "invalid_request_object",
        "request signature validation failed",
    )
    assert failed(trace)[0] == "jar.signature"


@dataclass
class RewriteJar(PassThrough):
    """Changes a request object's claims without re-signing it (the signature no longer covers them)."""

    match: Callable[[HttpRequest], bool]
    claims: dict[str, Any]

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        if response.status != 200 or not self.match(delivery.request):
            return response
        header, _, signature = response.body.split(".")
        payload = {**jose.decode(response.body).payload, **self.claims}
        return replace(response, body=f"{header}.{b64url(json.dumps(payload).encode())}.{signature}")


def test_40_tampering_passes_without_jar_signature(profile: str) -> None:
    """With jar_signature off the AS trusts a tampered request object."""
    world = build(profile, "jar_signature")
    start_with(world, RewriteJar(jar_of(GP), {"x-injected": "yes"})).finish()
    assert world.sim.trace.outcome["status"] == "granted" and not failed(world.sim.trace)


@pytest.mark.parametrize("change", ["untyped", "foreign_iss"])
def test_40_strict_typing_and_issuer(profile: str, change: str) -> None:
    """RFC 9101 §10.8 and §6.2 (strict): an untyped object or a foreign iss; the reference accepts both."""
    world = build(profile)
    register_did = world.register.did

    def alter(header: dict[str, Any], claims: dict[str, Any]) -> None:
        if change == "untyped":
            header["typ"] = "JWT"
        else:
            claims["iss"] = register_did

    start_with(world, ResignResponse(jar_of(GP), b_key(world), alter)).finish()
    trace = world.sim.trace
    if profile == "nuts-node":
        assert trace.outcome["status"] == "granted"
        return
    rendered(
        exchanges(trace, "authorization request", "hospital")[0],
        "invalid_request_object",
        "request object typ must be oauth-authz-req+jwt"
        if change == "untyped"
        else "request object iss does not match the signing key DID",
    )
    assert failed(trace) == ["jar.typ" if change == "untyped" else "jar.iss_kid"]


@pytest.mark.parametrize("control", [True, False])
def test_42_attacker_signs_for_the_victim_client(profile: str, control: bool) -> None:
    """42: a JAR signed with the attacker's own DID key claiming the victim's client_id."""
    world = build(profile, *([] if control else ["jar_signature"]))
    mallory = world.sim.add_node("evil.example").add_subject("Mallory", id="mallory")
    key = mallory.identities[0].key
    # Mallory signs consistently (kid and iss are hers), only client_id names the victim.
    start_with(
        world,
        ResignResponse(jar_of(GP), key, lambda h, c: [h.update(kid=key.kid), c.update(iss=mallory.did)]),
    ).finish()
    trace = world.sim.trace
    if not control:
        assert trace.outcome["status"] == "granted"
        return
    rendered(
        exchanges(trace, "authorization request", "hospital")[0],
        "invalid_request_object",
        "client_id does not own signer key",
    )
    assert failed(trace) == ["jar.signer_owned"]


def test_42_listed_kid_with_another_key(profile: str) -> None:
    """42: a MITM swaps the key behind B's kid in its DID document → the statement's key differs."""
    world = build(profile)
    mallory = jose.KeyPair.generate(SimRandom(99), kid=b_key(world).kid)

    @dataclass
    class SwapKey(PassThrough):
        done: bool = False

        def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
            if self.done or delivery.request.origin != GP or not delivery.request.path.endswith("did.json"):
                return response
            self.done = True
            document = response.json
            document["verificationMethod"][0]["publicKeyJwk"] = mallory.public_jwk()
            # no-store, or the hospital's HTTP cache keeps the forgery for the statement's check too
            headers = tuple(h for h in response.headers if h[0].lower() != "cache-control")
            return replace(
                response, body=json.dumps(document), headers=(*headers, ("Cache-Control", "no-store"))
            )

    start_with(world, ResignResponse(jar_of(GP), mallory, lambda h, c: None), SwapKey()).finish()
    trace = world.sim.trace
    rendered(
        exchanges(trace, "authorization request", "hospital")[0],
        "invalid_request_object",
        "key mismatch between OpenID configuration and signer key",
    )
    assert failed(trace) == ["jar.signer_key"]


def test_43_audience_of_another_as(profile: str) -> None:
    """43: JAR aud for another AS → invalid_request by 302 to the client, state only under strict."""
    world = build(profile)
    other = "https://other.example/oauth2/x"
    start_with(world, ResignResponse(jar_of(GP), b_key(world), lambda h, c: c.update(aud=other))).finish()
    trace = world.sim.trace
    redirected(
        exchanges(trace, "authorization request", "hospital")[0],
        CALLBACK,
        "invalid_request",
        f"invalid audience, expected: {ISSUER}, was: {other}",
        client_state(trace) if profile == "strict" else None,
    )
    assert failed(trace)[0] == "authorize.audience"
    reaches_client(world, profile, "invalid_request")


@pytest.mark.parametrize(
    ("change", "description"),
    [
        ("none", "missing code_challenge parameter"),
        ("plain", "invalid value for code_challenge_method parameter, only S256 is supported"),
    ],
)
def test_44_pkce_required_at_authorize(profile: str, change: str, description: str) -> None:
    """44: no PKCE, or method plain → rendered invalid_request."""
    world = build(profile)

    def alter(header: dict[str, Any], claims: dict[str, Any]) -> None:
        if change == "none":
            del claims["code_challenge"], claims["code_challenge_method"]
        else:
            claims["code_challenge_method"] = "plain"

    start_with(world, ResignResponse(jar_of(GP), b_key(world), alter)).finish()
    trace = world.sim.trace
    rendered(exchanges(trace, "authorization request", "hospital")[0], "invalid_request", description)
    assert failed(trace) == ["pkce.challenge" if change == "none" else "pkce.method"]


def test_44_without_pkce_control_no_challenge_passes(profile: str) -> None:
    """With pkce off an authorization request without a challenge gets a token."""
    world = build(profile, "pkce")
    alter = ResignResponse(
        jar_of(GP), b_key(world), lambda h, c: [c.pop("code_challenge"), c.pop("code_challenge_method")]
    )
    start_with(world, alter).finish()
    assert world.sim.trace.outcome["status"] == "granted"


def test_45_unknown_scope(profile: str) -> None:
    """45: unknown scope → invalid_scope by 302 to the client."""
    world = build(profile)
    world.start(scope="unknown").finish()
    trace = world.sim.trace
    redirected(
        exchanges(trace, "authorization request", "hospital")[0],
        CALLBACK,
        "invalid_scope",
        "unsupported scope (unknown) for presentation exchange: not found",
        client_state(trace) if profile == "strict" else None,
    )
    assert failed(trace)[0] == "authorize.scope"
    reaches_client(world, profile, "invalid_scope")


def test_46_response_type_token(profile: str) -> None:
    """46: response_type=token → unsupported_response_type (no description) by 302 to the client."""
    world = build(profile)
    start_with(
        world, ResignResponse(jar_of(GP), b_key(world), lambda h, c: c.update(response_type="token"))
    ).finish()
    trace = world.sim.trace
    redirected(
        exchanges(trace, "authorization request", "hospital")[0],
        CALLBACK,
        "unsupported_response_type",
        None,
        client_state(trace) if profile == "strict" else None,
    )
    assert failed(trace)[0] == "authorize.response_type"


# -- 47–49: the wallet (steps 11–15) ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "check", "description"),
    [
        ({"response_mode": "fragment"}, "wallet.response_mode", "invalid response_mode parameter"),
        ({"response_uri": None}, "wallet.response_uri", "missing response_uri parameter"),
        ({"state": None}, "wallet.state", "missing state parameter"),
    ],
)
def test_47_wallet_renders(profile: str, change: dict[str, Any], check: str, description: str) -> None:
    """47: the first wallet checks are rendered to the browser by node B."""
    world = build(profile)
    alter = ResignResponse(jar_of(HOSPITAL), a_key(world), lambda h, c: _apply(c, change))
    start_with(world, alter).finish()
    trace = world.sim.trace
    rendered(exchanges(trace, "authorization request", "gp")[0], "invalid_request", description)
    assert failed(trace) == [check]


@pytest.mark.parametrize(
    ("change", "check", "description"),
    [
        ({"client_id_scheme": "did"}, "wallet.client_id_scheme", "invalid client_id_scheme parameter"),
        ({"nonce": None}, "wallet.nonce", "missing nonce parameter"),
    ],
)
def test_47_wallet_posts(profile: str, change: dict[str, Any], check: str, description: str) -> None:
    """47: later wallet checks are POSTed to response_uri; the verifier sends the browser to the client."""
    world = build(profile)
    start_with(world, ResignResponse(jar_of(HOSPITAL), a_key(world), lambda h, c: _apply(c, change))).finish()
    trace = world.sim.trace
    posted_error(world, profile, "invalid_request", description)
    assert failed(trace)[0] == check


def _apply(claims: dict[str, Any], change: dict[str, Any]) -> None:
    for key, value in change.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value


def posted_error(world: scenarios.World, profile: str, error: str, description: str) -> None:
    """The wallet POSTed the error; the verifier answered 200 with the client's redirect_uri; B redirected."""
    trace = world.sim.trace
    post = exchanges(trace, "authorization response (direct_post)")[0]
    assert post.request.form["error"] == error and post.request.form["error_description"].startswith(
        description
    )
    target = post.response.json["redirect_uri"]
    query = openid4vp.query_of(target)
    assert target.startswith(CALLBACK + "?") and query["error"] == error
    assert query.get("state") == (client_state(trace) if profile == "strict" else None)
    assert exchanges(trace, "authorization request", "gp")[0].response.location == target
    reaches_client(world, profile, error)


def test_48_wallet_lacks_the_organization_credential(profile: str) -> None:
    """48: no NutsOrganizationCredential → 'wallet could not fulfill requirements', POSTed."""
    world = build(profile)
    world.requester.wallet.credentials = []
    world.start().finish()
    did = world.requester.did
    posted_error(
        world,
        profile,
        "invalid_request",
        f"wallet could not fulfill requirements (PD ID: pd_care_organization, wallet: {did}): ",
    )
    assert failed(world.sim.trace)[0] == "wallet.fulfil"


def test_49_presentation_definition_unreachable(profile: str) -> None:
    """49: the PD GET fails → invalid_presentation_definition_uri, POSTed."""
    world = build(profile)
    drop = Tamper(
        lambda r: r.origin == HOSPITAL and r.path.endswith("/presentation_definition"), lambda r: None
    )
    start_with(world, drop).finish()
    uri = f"{ISSUER}/presentation_definition?scope=zorgtoepassing&wallet_owner_type=organization"
    posted_error(
        world,
        profile,
        "invalid_presentation_definition_uri",
        f"failed to retrieve presentation definition on {uri}",
    )
    assert failed(world.sim.trace)[0] == "wallet.presentation_definition_fetch"


# -- 50–55: the verifier's response_uri (step 15) --------------------------------------------------
@pytest.mark.parametrize("how", ["expired", "forged"])
def test_50_session_expired_or_state_forged(profile: str, how: str) -> None:
    """50: direct_post after 1 min, or with a forged state → invalid or expired session (JSON)."""
    world = build(profile)
    flow = world.start()
    post = run_to(flow, "authorization response (direct_post)")
    if how == "expired":
        world.sim.clock.advance(61)
    else:
        flow.edit(post.request.with_form(state="forged"))
    flow.finish()
    trace = world.sim.trace
    post = exchanges(trace, "authorization response (direct_post)")[0]
    as_json(post, "invalid_request", "invalid or expired session")
    assert failed_at(post) == "response.session"
    rendered(
        exchanges(trace, "authorization request", "gp")[0], "invalid_request", "invalid or expired session"
    )


def test_51_other_tenant(profile: str) -> None:
    """51: direct_post to another tenant's response URI → incorrect tenant."""
    world = build(profile)
    world.authorization_server_node.add_subject("Other", id="other")
    flow = world.start()
    post = run_to(flow, "authorization response (direct_post)")
    flow.edit(replace(post.request, url=f"{HOSPITAL}/oauth2/other/response"))
    flow.finish()
    trace = world.sim.trace
    post = exchanges(trace, "authorization response (direct_post)")[0]
    as_json(post, "invalid_request", "incorrect tenant")
    assert failed_at(post) == "response.tenant"


@pytest.mark.parametrize("binding", [True, False])
def test_52_vp_injected_into_another_session(profile: str, binding: bool) -> None:
    """52: session X's VP (nonce unused) posted with session Y's state → invalid nonce/state, redirected."""
    world = build(profile, *([] if binding else ["verifier_nonce_binding"]))
    victim = world.start()
    stolen = run_to(victim, "authorization response (direct_post)").request.form
    flow = world.start()
    post = run_to(flow, "authorization response (direct_post)")
    flow.edit(post.request.with_form(vp_token=stolen["vp_token"]))
    flow.finish()
    trace = world.sim.trace
    answer = exchanges(trace, "authorization response (direct_post)")[0]
    if not binding:
        assert answer.response.status == 200 and trace.outcome["status"] == "granted"
        return
    redirected(
        answer,
        CALLBACK,
        "invalid_request",
        "invalid nonce/state",
        client_state_of(answer) if profile == "strict" else None,
    )
    assert failed_at(answer) == "response.nonce_state"


def client_state_of(post: Exchange) -> str:
    return openid4vp.query_of(post.response.location)["state"]


def test_52_second_submission_and_missing_nonce(profile: str) -> None:
    """52: the same VP again → its nonce is burned; a VP without nonce → invalid or missing nonce."""
    world = build(profile)
    world.run()
    trace = world.sim.trace
    first = exchanges(trace, "authorization response (direct_post)")[0]
    world.sim.network.send(first.request, "gp")
    again = exchanges(trace, "authorization response (direct_post)")[-1]
    redirected(
        again,
        CALLBACK,
        "invalid_request",
        "invalid or expired session",
        client_state(trace) if profile == "strict" else None,
    )
    assert failed_at(again) == "response.nonce_session"

    world = build(profile)
    flow = world.start()
    post = run_to(flow, "authorization response (direct_post)")
    token = resign_vp(post.request.form["vp_token"], b_key(world), lambda c: c.pop("nonce"))
    flow.edit(post.request.with_form(vp_token=token))
    flow.finish()
    trace = world.sim.trace
    post = exchanges(trace, "authorization response (direct_post)")[0]
    redirected(
        post,
        CALLBACK,
        "invalid_request",
        "invalid or missing nonce/challenge in presentation",
        client_state(trace) if profile == "strict" else None,
    )
    assert failed_at(post) == "response.nonce"


def resign_vp(token: str, key: jose.KeyPair, change: Callable[[dict[str, Any]], Any]) -> str:
    jws = jose.decode(token)
    claims = dict(jws.payload)
    change(claims)
    return jose.sign(jws.header, claims, key)


def test_53_missing_presentation_submission(profile: str) -> None:
    """53: no presentation_submission → JSON invalid_request, not redirected."""
    world = build(profile)
    flow = world.start()
    post = run_to(flow, "authorization response (direct_post)")
    flow.edit(post.request.with_form(presentation_submission=None))
    flow.finish()
    trace = world.sim.trace
    post = exchanges(trace, "authorization response (direct_post)")[0]
    as_json(post, "invalid_request", "missing presentation_submission")
    assert failed_at(post) == "response.submission"


def test_53_unparsable_presentation_submission(profile: str) -> None:
    """Step 15: a submission that does not parse → "invalid presentation_submission: …", to the holder."""
    world = build(profile)
    flow = world.start()
    post = run_to(flow, "authorization response (direct_post)")
    flow.edit(post.request.with_form(presentation_submission='{"id": 1}'))
    flow.finish()
    post = exchanges(world.sim.trace, "authorization response (direct_post)")[0]
    assert failed_at(post) == "response.submission"
    state = client_state(world.sim.trace) if profile == "strict" else None
    redirected(
        post,
        "https://gp.example/oauth2/callback",
        "invalid_request",
        "invalid presentation_submission: /id: Input should be a valid string (and 2 more problems)",
        state,
    )


def test_54_definition_already_fulfilled(profile: str) -> None:
    """54: the organization VP again (with the user request's nonce) → already fulfilled, not redirected."""
    world = build(profile)
    flow = world.start()
    first = run_to(flow, "authorization response (direct_post)").request.form
    flow.step()
    second = run_to(flow, "authorization response (direct_post)")
    nonce = jose.decode(second.request.form["vp_token"]).payload["nonce"]
    token = resign_vp(first["vp_token"], b_key(world), lambda c: c.update(nonce=nonce))
    flow.edit(
        second.request.with_form(vp_token=token, presentation_submission=first["presentation_submission"])
    )
    flow.finish()
    trace = world.sim.trace
    post = exchanges(trace, "authorization response (direct_post)")[1]
    as_json(post, "invalid_request", "presentation definition is already fulfilled")
    assert failed_at(post) == "response.already_fulfilled"


@pytest.mark.parametrize("control", [True, False])
def test_55_vp_audience_of_another_verifier(profile: str, control: bool) -> None:
    """55: VP aud = another verifier → audience error, redirected; accepted with vp_audience off."""
    world = build(profile, *([] if control else ["vp_audience"]))
    flow = world.start()
    post = run_to(flow, "authorization response (direct_post)")
    token = resign_vp(
        post.request.form["vp_token"], b_key(world), lambda c: c.update(aud="https://other.example")
    )
    flow.edit(post.request.with_form(vp_token=token))
    flow.finish()
    trace = world.sim.trace
    if not control:
        assert trace.outcome["status"] == "granted"
        return
    post = exchanges(trace, "authorization response (direct_post)")[0]
    redirected(
        post,
        CALLBACK,
        "invalid_request",
        "presentation audience/domain is missing or does not match",
        client_state(trace) if profile == "strict" else None,
    )
    assert failed_at(post) == "token.audience"


# -- 56–60, 63: the authorization_code grant (step 22) ---------------------------------------------
def fresh_dpop(world: scenarios.World, request: HttpRequest) -> HttpRequest:
    """The same token request with a new DPoP proof (a new jti)."""
    proof = rfc9449.make_proof(
        b_key(world), htm="POST", htu=request.url, now=world.sim.clock.now(), rng=SimRandom(7)
    )
    return request.with_headers(DPoP=proof)


@pytest.mark.parametrize("single_use", [True, False])
def test_56_code_replay(profile: str, single_use: bool) -> None:
    """56: the code again → invalid_grant; with code_single_use off a second token is issued."""
    world = build(profile, *([] if single_use else ["code_single_use"]))
    world.run()
    trace = world.sim.trace
    request = fresh_dpop(world, trace.find("token request")[0].request)
    response = world.sim.network.send(request, "gp")
    if single_use:
        as_json(trace.find("token request")[-1], "invalid_grant", "invalid authorization code")
        assert failed(trace) == ["code_token.code_valid"]
    else:
        assert response.status == 200 and response.json["access_token"]


def test_57_code_with_another_client_id(profile: str) -> None:
    """57: a stolen code with another client_id → invalid_request; the code is burned for the real client."""
    world = build(profile)
    flow = world.start()
    pending = run_to(flow, "token request")
    original = pending.request
    flow.edit(original.with_form(client_id="https://evil.example/oauth2/mallory"))
    flow.step()
    trace = world.sim.trace
    as_json(
        trace.find("token request")[0],
        "invalid_request",
        f"client_id does not match: {CLIENT_ID} vs https://evil.example/oauth2/mallory",
    )
    assert failed_at(trace.find("token request")[0]) == "code_token.client_match"
    flow.finish()
    world.sim.network.send(fresh_dpop(world, original), "gp")
    as_json(trace.find("token request")[-1], "invalid_grant", "invalid authorization code")


@pytest.mark.parametrize("control", [True, False])
def test_58_code_without_the_verifier(profile: str, control: bool) -> None:
    """58: a wrong code_verifier → invalid_grant; with pkce off the code alone is enough."""
    world = build(profile, *([] if control else ["pkce"]))
    flow = world.start()
    pending = run_to(flow, "token request")
    flow.edit(pending.request.with_form(code_verifier="x" * 43))
    flow.finish()
    trace = world.sim.trace
    if not control:
        assert trace.outcome["status"] == "granted"
        return
    as_json(trace.find("token request")[0], "invalid_grant", "invalid code_verifier")
    assert failed_at(trace.find("token request")[0]) == "pkce.verifier"
    redirected(
        trace.find("authorization callback")[0],
        EHR_LANDING,
        "server_error",
        f"failed to retrieve access token from {ISSUER}/token",
        None,
    )


@pytest.mark.parametrize(
    ("field", "description"),
    [
        ("code_verifier", "missing code_verifier parameter"),
        ("code", "missing code parameter"),
        ("client_id", "missing client_id parameter"),
    ],
)
def test_59_missing_parameters(profile: str, field: str, description: str) -> None:
    """59: code_verifier, code or client_id missing → invalid_request."""
    world = build(profile)
    flow = world.start()
    pending = run_to(flow, "token request")
    flow.edit(pending.request.with_form(**{field: None}))
    flow.finish()
    as_json(world.sim.trace.find("token request")[0], "invalid_request", description)


def test_60_code_after_one_minute(profile: str) -> None:
    """60: the code redeemed after 1 min → invalid_grant."""
    world = build(profile)
    flow = world.start()
    run_to(flow, "token request")
    world.sim.clock.advance(61)
    flow.finish()
    as_json(world.sim.trace.find("token request")[0], "invalid_grant", "invalid authorization code")
    assert failed_at(world.sim.trace.find("token request")[0]) == "code_token.code_valid"


def test_63_redirect_uri_at_the_token_endpoint(profile: str) -> None:
    """63: another redirect_uri at the token endpoint: not detected by the reference; strict refuses."""
    world = build(profile)
    flow = world.start()
    pending = run_to(flow, "token request")
    flow.edit(pending.request.with_form(redirect_uri="https://evil.example/cb"))
    flow.finish()
    trace = world.sim.trace
    if profile == "nuts-node":
        assert trace.outcome["status"] == "granted"
        return
    as_json(
        trace.find("token request")[0],
        "invalid_grant",
        "redirect_uri does not match the authorization request",
    )
    assert failed_at(trace.find("token request")[0]) == "code_token.redirect_uri"


# -- 61–62: the client's callback and landing ------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"state": "forged"}, "callback.state_known"),
        ({"state": None}, "callback.state"),
        ({"code": None}, "callback.code"),
    ],
)
def test_61_callback_state_and_code(profile: str, change: dict[str, Any], check: str) -> None:
    """61: unknown state / no state → rendered; no code → 302 to the EHR."""
    world = build(profile)
    flow = world.start()
    pending = run_to(flow, "authorization callback")
    flow.edit(pending.request.with_query(**change))
    flow.finish()
    trace = world.sim.trace
    callback = trace.find("authorization callback")[0]
    if check == "callback.code":
        redirected(callback, EHR_LANDING, "invalid_request", "missing code parameter", None)
    else:
        rendered(
            callback,
            "invalid_request",
            "invalid or expired state" if check == "callback.state_known" else "missing state parameter",
        )
    assert failed(trace)[0] == check


def test_61_unknown_state_accepted_without_state_check(profile: str) -> None:
    """With state_check off the callback accepts an unknown state (and uses the latest flow)."""
    world = build(profile, "state_check")
    flow = world.start()
    pending = run_to(flow, "authorization callback")
    flow.edit(pending.request.with_query(state="forged"))
    flow.finish()
    assert world.sim.trace.outcome["status"] == "granted"


@pytest.mark.parametrize("how", ["reused", "late", "missing"])
def test_62_landing_token(profile: str, how: str) -> None:
    """62: the landing link a second time, after 5 s, or without token → HTTP 403."""
    world = build(profile)
    if how == "reused":
        world.run()
        url = world.sim.trace.find("user landing")[0].request.url
        response = world.sim.network.send(HttpRequest.get(url), world.browser.id)
    else:
        flow = world.start()
        pending = run_to(flow, "user landing")
        if how == "late":
            world.sim.clock.advance(5)
        else:
            flow.edit(pending.request.with_query(token=None))
        flow.finish()
        response = world.sim.trace.find("user landing")[0].response
    assert response.status == 403
    assert failed(world.sim.trace)[-1] == "landing.token"


# -- the timers of PROTOCOL.md §0, stage by stage --------------------------------------------------
def test_jar_store_expires_after_15_minutes(profile: str) -> None:
    """The client keeps a request object 15 min: fetched later, it is gone."""
    world = build(profile)
    flow = world.start()
    run_to(flow, "request object", "gp")
    world.sim.clock.advance(900)
    flow.finish()
    trace = world.sim.trace
    assert set(failed(trace)[:2]) == {"request_object.found", "jar.fetch"}


def test_jar_validity_is_five_minutes(profile: str) -> None:
    """A request object is valid 5 min (+5 s skew): passed by value 6 min later, it is refused."""
    world = build(profile)
    flow = world.start()
    run_to(flow, "OpenID configuration (entity statement)", "gp")  # JAR_1 has just been served
    jar = world.sim.trace.find("request object")[0].response.body
    world.sim.clock.advance(360)
    url = f"{ISSUER}/authorize?client_id={CLIENT_ID}"
    world.sim.network.send(HttpRequest.get(url).with_query(request=jar), world.browser.id)
    replay = exchanges(world.sim.trace, "authorization request", "hospital")[-1]
    rendered(replay, "invalid_request_object", "request signature validation failed")


def test_client_state_expires_after_one_minute(profile: str) -> None:
    """The client's state lives 1 min: a callback after that is an unknown state."""
    world = build(profile)
    flow = world.start()
    run_to(flow, "authorization callback")
    world.sim.clock.advance(60)
    flow.finish()
    rendered(world.sim.trace.find("authorization callback")[0], "invalid_request", "invalid or expired state")


def test_token_session_and_access_token_lifetimes(profile: str) -> None:
    """The EHR's session id lives 15 min; the access token 15 min; the session cookie 1 h."""
    world = build(profile)
    flow = world.start()
    run_to(flow, "retrieve user access token")
    world.sim.clock.advance(900)
    flow.finish()
    poll = world.sim.trace.find("retrieve user access token")[0]
    assert poll.response.status == 404 and poll.response.json["detail"] == "session not found"

    world = build(profile)
    world.run()
    world.sim.clock.advance(900)
    world.sim.network.send(world.sim.trace.find("resource request")[0].request, "ehr-gp")
    assert world.sim.trace.find("introspection")[-1].response.json == {"active": False}
    assert world.browser.cookies_for(f"{CLIENT_ID}/authorize")
    world.sim.clock.advance(2700)
    assert not world.browser.cookies_for(f"{CLIENT_ID}/authorize")


# -- DPoP around the user flow's token (RFC 9449) --------------------------------------------------
def test_token_endpoint_dpop_binding(profile: str) -> None:
    """A proof for another URL at the token endpoint: the reference accepts it (§4.2 item 73), strict not."""
    world = build(profile)
    flow = world.start()
    pending = run_to(flow, "token request")
    proof = rfc9449.make_proof(
        b_key(world),
        htm="GET",
        htu="https://elsewhere.example/token",
        now=world.sim.clock.now(),
        rng=SimRandom(8),
    )
    flow.edit(pending.request.with_headers(DPoP=proof))
    flow.finish()
    trace = world.sim.trace
    if profile == "nuts-node":
        assert trace.outcome["status"] == "granted"
        return
    token = trace.find("token request")[0]
    assert token.response.status == 400 and token.response.json["error"] == "invalid_dpop_proof"
    assert failed_at(token) == "token.dpop"


@pytest.mark.parametrize("control", [True, False])
def test_user_token_used_as_bearer(profile: str, control: bool) -> None:
    """The DPoP-bound user token presented as Bearer is refused; with dpop_required off it passes."""
    world = build(profile, *([] if control else ["dpop_required"]))
    world.run()
    token = world.sim.trace.outcome["token"]["access_token"]
    resource = world.resource_server.resource_url
    response = world.sim.network.send(
        HttpRequest.get(resource, headers={"Authorization": f"Bearer {token}"}), "ehr-gp"
    )
    assert (response.status == 200) is not control


# -- the session cookie in the browser (SameSite=Strict, PROTOCOL.md §2.4) -------------------------------
@pytest.mark.parametrize("how", ["redirect_chain", "ehr_on_another_site"])
def test_strict_session_cookie_lost_across_sites(profile: str, how: str) -> None:
    """Step 11 is reached via A: a browser that weighs the redirect chain, or an EHR on another site, sends no
    __Secure-SID; B opens an empty session wallet and cannot present the employee credential (finding)."""
    world = build(profile)
    if how == "redirect_chain":
        world.browser.redirect_chain_same_site = True
        flow = world.start()
    else:
        ehr = world.sim.add_ehr(world.requester_node, host="ehr-vendor.example")
        flow = world.sim.user_access(
            world.requester,
            world.authorization_server,
            "zorgtoepassing",
            preauthorized_user={"id": "u1", "name": "U", "role": "R"},
            ehr=ehr,
            browser=world.browser,
            resource_server=world.resource_server,
        )
    flow.finish()
    trace = world.sim.trace
    wallet_authorize = exchanges(trace, "authorization request", "gp")[0]
    assert wallet_authorize.request.header("Cookie") is None
    assert wallet_authorize.response.header("Set-Cookie", "").startswith("__Secure-SID=")
    posted = exchanges(trace, "authorization response (direct_post)")[-1].request.form
    assert posted["error_description"].startswith(
        "wallet could not fulfill requirements (PD ID: pd_user_employee"
    )
    assert failed_at(wallet_authorize) == "wallet.fulfil" and trace.outcome["status"] == "denied"
