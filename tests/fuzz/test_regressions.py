"""Every crash the fuzzers found, pinned as a plain test (each was a ``party_crash`` before its fix)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from nutssim import jose, messages, scenarios
from nutssim.limits import (
    MAX_BODY_BYTES,
    MAX_COOKIE_PAIRS,
    MAX_FORM_FIELDS,
    MAX_JSON_VALUES,
    MAX_QUERY_FIELDS,
)
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.profiles import Profile
from nutssim.scenarios import World
from tests.fuzz.strategies import SENDER, b64
from tests.fuzz.test_fuzz import answered_from_cache, check_answer, check_no_crash
from tests.reference_data import scenario_options

SEED = 3
HUGE = "9" * 5000


def _answered(name: str, label: str, answer: Any, profile: str = "nuts-node", nth: int = 0) -> World:
    """Run ``name`` with the ``nth`` delivery labelled ``label`` answered by ``answer(good_response)``."""
    good = [
        x for x in scenarios.run(name, seed=SEED, profile=profile).sim.trace.exchanges if x.label == label
    ]
    world = scenarios.build(name, seed=SEED, profile=profile)
    flow = world.start()
    seen = 0
    while flow.pending is not None:
        if flow.pending.label == label:
            if seen == nth:
                flow.run.answer(answer(good[nth].response), note="hostile peer")
                break
            seen += 1
        flow.step()
    flow.finish()
    check_no_crash(world)
    for exchange in world.sim.trace.exchanges:
        if exchange.note != "hostile peer":
            check_answer(exchange.request, exchange.response, network=True)
    return world


def _json(response: HttpResponse, **changes: Any) -> HttpResponse:
    body = {**response.json, **changes}
    return HttpResponse(response.status, response.headers, json.dumps(body))


def _without_dpop(request: HttpRequest) -> HttpRequest:
    return replace(request, headers=tuple((k, v) for k, v in request.headers if k != "DPoP"))


def test_a_jwt_part_with_an_over_long_integer_is_malformed() -> None:
    token = ".".join([b64('{"alg":"ES256"}'), b64('{"exp":' + HUGE + "}"), "AA"])
    with pytest.raises(jose.MalformedToken, match="payload is not valid JSON"):
        jose.decode(token)


def test_strict_token_endpoint_refuses_a_vp_whose_iat_is_not_a_number() -> None:
    good = scenarios.run("s2s", seed=SEED, profile="strict").sim.trace.find("token request")[0].request
    world = scenarios.build("s2s", seed=SEED, profile="strict")
    vp = jose.decode(good.form["assertion"])
    key = world.requester.identities[0].key
    forged = jose.sign(vp.header, {**vp.payload, "iat": [1]}, key)
    request = _without_dpop(good.with_form(assertion=forged))
    response = world.sim.network.send(request, SENDER)
    check_no_crash(world)
    assert response.status == 400 and "creation or expiration" in response.json["error_description"]


def test_deep_wallet_metadata_in_a_request_object_post() -> None:
    world = scenarios.build("user", seed=SEED)
    flow = world.start()
    while flow.pending is not None and flow.pending.label != "request object (post)":
        flow.step()
    assert flow.pending is not None
    request = flow.pending.request.with_form(wallet_metadata="[" * 5000)
    response = world.sim.network.send(request, SENDER)
    check_no_crash(world)
    assert response.status == 200  # the metadata is ignored, as unreadable metadata is


@pytest.mark.parametrize("changes", [{"token_endpoint": ["x"]}, {"vp_formats_supported": 1}])
def test_ill_typed_as_metadata_fails_its_candidate_not_the_client(changes: dict[str, Any]) -> None:
    """The client moves on to the append placement, as when decoding fails (RFC 8414 §3)."""
    world = _answered("s2s", "AS metadata", lambda r: _json(r, **changes))
    assert ("client.metadata_types", False) in [(c.id, c.passed) for _, c in world.sim.trace.checks()]


def test_as_metadata_without_a_token_endpoint_fails_the_flow() -> None:
    world = _answered("s2s", "AS metadata", lambda r: _json(r, token_endpoint=None))
    assert "has no token_endpoint" in world.sim.trace.outcome["error"]["error_description"]


@pytest.mark.parametrize("expires_in", [{}, None, "900", float("inf")])
@pytest.mark.parametrize("name", ["s2s", "user"])
def test_token_responses_of_the_wrong_shape(name: str, expires_in: Any) -> None:
    world = _answered(name, "token request", lambda r: _json(r, expires_in=expires_in))
    assert world.sim.trace.outcome["status"] in ("granted", "denied")


def test_a_nan_in_a_token_response_is_not_relayed_as_invalid_json() -> None:
    body = '{"access_token": "t", "expires_in": 900, "token_type": "DPoP", "iss": NaN}'
    world = _answered("s2s", "token request", lambda r: text_response(200, body, "application/json"))
    assert world.sim.trace.outcome["status"] == "denied"


@pytest.mark.parametrize(
    "answer", [{"redirect_uri": {"iss": True}}, {"redirect_uri": "https://x", "session_id": []}]
)
def test_the_ehr_survives_a_malformed_user_token_answer(answer: dict[str, Any]) -> None:
    world = _answered("user", "request user access token", lambda r: json_response(200, answer))
    assert world.sim.trace.outcome["status"] == "denied"


@pytest.mark.parametrize("vp_formats", [[1e-320, False], {"ldp_vp": {}, "ldp_vc": {}}])
def test_verifier_metadata_of_the_wrong_shape_or_without_jwt(vp_formats: Any) -> None:
    world = _answered("user", "verifier metadata", lambda r: _json(r, vp_formats=vp_formats))
    assert world.sim.trace.outcome["status"] == "denied"


def test_a_json_ld_proof_header_with_an_over_long_integer() -> None:
    profile = Profile("strict").without("vp_nonce_store")
    options = scenario_options("s2s-ldp", profile)
    good = (
        scenarios.run("s2s-ldp", seed=SEED, profile=profile, **options)
        .sim.trace.find("token request")[0]
        .request
    )
    world = scenarios.build("s2s-ldp", seed=SEED, profile=profile, **options)
    vp = json.loads(good.form["assertion"])
    signature = vp["proof"]["jws"].split("..")[1]
    vp["proof"]["jws"] = b64('{"alg":"ES256","x":' + HUGE + "}") + ".." + signature
    request = _without_dpop(good.with_form(assertion=json.dumps(vp)))
    response = world.sim.network.send(request, SENDER)
    check_no_crash(world)
    assert response.status == 400


#: The fuzz report's one hang (m_body, size 1 MiB − 1): ~80,000 form pairs cost the token endpoint 58-91 ms.
MANY_PAIRS = ("grant_type=x&" * (MAX_BODY_BYTES // 13 + 1)).encode()[: MAX_BODY_BYTES - 1].decode()


def _counting_parse_qsl(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the pairs ``messages.parse_qsl`` builds: the CPU cost of a form, as a count."""
    built: list[int] = []
    real = messages.parse_qsl

    def counting(text: str, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        pairs = real(text, *args, **kwargs)
        built.append(len(pairs))
        return pairs

    monkeypatch.setattr(messages, "parse_qsl", counting)
    return built


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_a_form_of_too_many_pairs_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    good = scenarios.run("s2s", seed=SEED, profile=profile).sim.trace.find("token request")[0].request
    world = scenarios.build("s2s", seed=SEED, profile=profile)
    built = _counting_parse_qsl(monkeypatch)
    response = world.sim.network.send(replace(good, body=MANY_PAIRS), SENDER)
    check_no_crash(world)
    assert response.status == 400
    assert response.json == {
        "error": "invalid_request",
        "error_description": "form body has more than MAX_FORM_FIELDS (10000) fields",
    }
    assert max(built, default=0) <= MAX_FORM_FIELDS, "the hostile form was parsed"


def test_a_form_at_the_limit_is_parsed() -> None:
    good = scenarios.run("s2s", seed=SEED).sim.trace.find("token request")[0].request
    world = scenarios.build("s2s", seed=SEED)
    at_limit = "&".join([good.body] + ["x=1"] * (MAX_FORM_FIELDS - len(good.form_pairs)))
    response = world.sim.network.send(replace(good, body=at_limit), SENDER)
    assert "MAX_FORM_FIELDS" not in response.body


@pytest.mark.parametrize(
    ("change", "description"),
    [
        (
            lambda r: replace(r, url=r.url + "?" + "a=1&" * MAX_QUERY_FIELDS),
            "query has more than MAX_QUERY_FIELDS (10000) parameters",
        ),
        (
            lambda r: replace(r, headers=(*r.headers, ("Cookie", "a=1;" * MAX_COOKIE_PAIRS))),
            "Cookie header has more than MAX_COOKIE_PAIRS (3000) pairs",
        ),
    ],
)
def test_a_query_or_cookie_of_too_many_pairs_is_refused(change: Any, description: str) -> None:
    good = scenarios.run("s2s", seed=SEED).sim.trace.find("token request")[0].request
    world = scenarios.build("s2s", seed=SEED)
    response = world.sim.network.send(change(good), SENDER)
    check_no_crash(world)
    assert response.status == 400
    assert response.json["error_description"] == description


@pytest.mark.parametrize(
    "body", ["[" + "1," * MAX_JSON_VALUES + "1]", "{" + '"k":1,' * MAX_JSON_VALUES + '"k":1}']
)
def test_a_json_body_of_too_many_values_is_refused_before_it_is_parsed(body: str) -> None:
    """87,000 members cost the internal API 76 ms to parse; the commas are counted first."""
    exchange = scenarios.run("s2s", seed=SEED).sim.trace.find("request service access token")[0]
    world = scenarios.build("s2s", seed=SEED)
    response = world.sim.network.send(replace(exchange.request, body=body), exchange.sender)
    check_no_crash(world)
    assert response.status == 400
    assert (
        response.json["detail"] == "invalid_request - JSON body has more than MAX_JSON_VALUES (10000) values"
    )


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
@pytest.mark.parametrize(
    ("after", "refused"),
    [
        (-1, "presentation nonce has already been used"),
        (0, '"exp" not satisfied'),
        (1, '"exp" not satisfied'),
    ],
)
def test_a_replayed_token_request_at_the_ttl_boundary_is_refused(
    profile: str, after: int, refused: str
) -> None:
    """Issue #18 item 4: at exp+skew−1 the nonce is still held; from exp+skew the VP has expired (jwx)."""
    world = scenarios.build("s2s", seed=SEED, profile=profile)
    world.start().finish()
    captured = world.sim.trace.find("token request")[0]
    vp = jose.decode(captured.request.form["assertion"]).payload
    world.sim.clock.advance(vp["exp"] + 5 + after - world.sim.clock.now())  # 5: the jwx skew (RFC021 §4.4)
    response = world.sim.network.send(_without_dpop(captured.request), captured.sender)
    assert response.status == 400
    assert refused in response.json["error_description"]
    assert "access_token" not in response.json


@pytest.mark.parametrize("profile", ["strict", "nuts-node"])
def test_a_redirect_to_an_unparsable_location_stops_the_navigation(profile: str) -> None:
    """Fuzz finding: ``urljoin`` of ``https://[::1/x`` raised out of the browser; now a network error."""
    world = scenarios.build("user", seed=1, profile=profile)
    flow = world.start()
    flow.step()  # the EHR's answer to the browser's first navigation is the hostile one
    flow.run.answer(HttpResponse(302, (("Location", "https://[::1/x"),), "{}"), note="hostile peer")
    while not flow.done:
        flow.step()
    flow.finish()
    stopped = [n.stopped_at for n in world.browser.history]
    assert "invalid Location" in stopped and (flow.trace.outcome or {}).get("status") == "denied"


def test_a_get_its_sender_cache_answers_never_reaches_the_party_so_its_body_is_not_measured() -> None:
    """Fuzz report finding: the sender's cached 404 answered a GET with a 1 MiB body (RFC 9111 §4)."""
    world = scenarios.build("s2s", seed=1, profile="strict")
    url = "https://hospital.example:8081/.well-known/did.json"
    first = world.sim.network.send(HttpRequest.get(url), "hospital")
    since = world.sim.trace._next_seq - 1
    big = HttpRequest("GET", url, (), "x" * (MAX_BODY_BYTES + 1))
    again = world.sim.network.send(big, "hospital")
    assert first.status == again.status == 404 and answered_from_cache(world, since)
    check_answer(big, again, cached=True)
    fresh = scenarios.build("s2s", seed=1, profile="strict")
    assert fresh.sim.network.send(big, "hospital").status == 413  # not cached: the party refuses it
