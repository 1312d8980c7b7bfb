"""Fuzzing every party of the ``s2s`` and ``user`` worlds (issue #11 part 2).

Three angles, each under both profiles:

* hostile requests to every route of every party (public and internal host), from a
  fresh world; afterwards a good run in the *same* simulation must still be granted;
* hostile requests in the middle of a flow, while its sessions, nonces and codes are
  live, with the replay stores switched off so every example gets past them to the
  checks behind them;
* a hostile peer: one response a party receives while a flow runs is replaced by a
  mutated one (metadata, DID documents, request objects, token responses, …).

Properties: every response is a well-formed HTTP answer (RFC 6749 §5.2, RFC 6750 §3,
RFC 9449 §7.1, the reference's 1 MiB limit), and no exception escapes a handler (no
``party_crash`` fact). Profiles and example counts: ``tests/fuzz/conftest.py``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutssim import scenarios
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import MAX_BODY_BYTES
from nutssim.profiles import Profile
from nutssim.scenarios import World
from tests.fuzz import strategies as fz
from tests.fuzz.conftest import PROFILE, fuzz_settings
from tests.reference_data import scenario_options

SEED = 3
PROFILES = ("nuts-node", "strict")
REDIRECTS = (301, 302, 303, 307, 308)
#: Replay stores switched off for mid-flow fuzzing, so one live session serves every example.
REPLAY_CONTROLS = ("vp_nonce_store", "verifier_nonce_binding", "jar_single_use", "code_single_use")
#: Mid-flow pause points: (scenario, delivery index in the good flow, label there).
PAUSES = [  # step indices with the nodes' HTTP caches on (a cache hit is no delivery)
    ("s2s", 0, "request service access token"),
    ("s2s", 3, "token request"),
    ("s2s", 8, "resource request"),
    ("s2s-ldp", 3, "token request"),
    ("user", 1, "user landing"),
    ("user", 3, "authorization request"),
    ("user", 7, "authorization request"),
    ("user", 13, "authorization response (direct_post)"),
    ("user", 16, "request object (post)"),
    ("user", 18, "authorization response (direct_post)"),
    ("user", 19, "authorization callback"),
    ("user", 20, "token request"),
]


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON (RFC 8259 §6)")

    return json.loads(text, parse_constant=refuse)


def check_answer(
    request: HttpRequest, response: HttpResponse, *, network: bool = False, cached: bool = False
) -> None:
    """Assert that ``response`` is a well-formed answer to ``request`` (``network``: may be the wire's).

    ``cached``: the sender's HTTP cache answered (RFC 9111 §4), so the request never reached a party.
    """
    where = f"{request.method} {request.url[:120]} → {response.status}"
    if response.header("X-Nutssim-Network"):
        assert network, f"{where}: answered by the network, not the party"
        return
    assert 200 <= response.status <= 599, where
    if not cached and len(request.body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        assert response.status == 413, f"{where}: a body over 1 MiB is refused with 413"
    if response.status in REDIRECTS:
        assert response.location, f"{where}: a redirect needs a Location"
    if response.status == 405:
        assert response.header("Allow"), f"{where}: 405 needs Allow (RFC 9110 §15.5.6)"
    if response.status == 401:
        assert response.header("WWW-Authenticate"), f"{where}: 401 needs WWW-Authenticate (RFC 6750 §3)"
    if response.content_type.endswith("json") and response.body:
        try:
            body = _strict_json(response.body)
        except ValueError as exc:
            raise AssertionError(f"{where}: {response.content_type} body is not JSON: {exc}") from None
        if response.status >= 400 and response.content_type == "application/json":
            assert isinstance(body, dict) and isinstance(body.get("error"), str), (
                f"{where}: an error body needs a string 'error' (RFC 6749 §5.2): {response.body[:200]}"
            )


def check_no_crash(world: World, since: int = 0) -> None:
    """Assert that no handler let an exception escape since trace event ``since``."""
    crashes = [f for f in world.sim.trace.facts("party_crash") if f.seq > since]
    assert not crashes, "; ".join(f"{f.party}: {f.data['exception']} (exchange #{f.parent})" for f in crashes)


def answered_from_cache(world: World, since: int) -> bool:
    """Whether the sender's HTTP cache answered a delivery made after trace seq ``since``."""
    return any(f.seq > since for f in world.sim.trace.facts("http_cache_hit"))


#: CPU one hostile delivery may cost (issue #18: no delivery over 50 ms). A finding under the
#: long profile only: the CI profile must not fail on a loaded machine's slow second.
DELIVERY_BUDGET_S = 0.050


def send(world: World, request: HttpRequest) -> None:
    """Deliver one hostile request and check the answer, the trace and (long profile) its cost."""
    since = world.sim.trace._next_seq - 1
    sender = _sender_for(world, request)
    started = time.process_time()
    response = world.sim.network.send(request, sender)
    spent = time.process_time() - started
    check_no_crash(world, since)
    check_answer(request, response, cached=answered_from_cache(world, since))
    if PROFILE == "nutssim-fuzz-long" and spent > DELIVERY_BUDGET_S:
        # Once more: a first delivery may pay one-off costs (lazy imports, compiled definitions).
        started = time.process_time()
        world.sim.network.send(request, sender)
        spent = min(spent, time.process_time() - started)
        assert spent <= DELIVERY_BUDGET_S, (
            f"{request.method} {request.url[:120]} cost {spent * 1000:.0f} ms of CPU "
            f"(budget {DELIVERY_BUDGET_S * 1000:.0f} ms)"
        )


def _sender_for(world: World, request: HttpRequest) -> str:
    """The fuzzer, or for a node's firewalled internal API a party inside its zone (its EHR, say)."""
    try:
        allowed = world.sim.network.zones.get(request.origin)
    except ValueError:  # a URL no client could send: the network answers it
        allowed = None
    return sorted(allowed)[0] if allowed else fz.SENDER


def templates(name: str, profile: str) -> list[HttpRequest]:
    """Requests of good runs with the same seed; s2s adds the JSON-LD credential variant."""
    out = fz.template_requests(name, SEED, profile)
    if name == "s2s":
        out += [x.request for x in scenarios.run("s2s-mixed", seed=SEED, profile=profile).sim.trace.exchanges]
    return out


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", ["s2s", "user"])
def test_every_route_answers_hostile_requests(name: str, profile: str) -> None:
    """Hostile requests to every route; the same simulation then still grants a good run."""
    world = scenarios.build(name, seed=SEED, profile=profile)
    cat = fz.catalogue(world, templates(name, profile))

    @fuzz_settings()
    @given(fz.hostile(cat))
    def fuzz(request: HttpRequest) -> None:
        send(world, request)

    fuzz()
    flow = world.run()
    check_no_crash(world)
    assert flow.trace.outcome and flow.trace.outcome["status"] == "granted", flow.trace.outcome


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("name", "index", "label"), PAUSES, ids=[f"{n}-{i}" for n, i, _ in PAUSES])
def test_mid_flow_hostile_requests(name: str, index: int, label: str, profile: str) -> None:
    """Hostile variants of the request a flow is about to send, while its state is live."""
    world = scenarios.build(
        name, seed=SEED, profile=Profile(profile).without(*REPLAY_CONTROLS), **scenario_options(name, profile)
    )
    flow = world.start()
    for _ in range(index):
        flow.step()
    assert flow.pending is not None and flow.pending.label == label
    pending = flow.pending.request
    seen = [x.request for x in world.sim.trace.exchanges] + [x.response for x in world.sim.trace.exchanges]
    cat = fz.catalogue(world, [pending])
    cat.jwts += [t for m in seen for t in fz.tokens_in(m) if t not in cat.jwts]
    base = fuzz_settings()

    @settings(base, max_examples=max(10, base.max_examples // 4))
    @given(fz.hostile(cat))
    def fuzz(request: HttpRequest) -> None:
        send(world, request)

    fuzz()
    assert world.run().trace.outcome["status"] == "granted"
    check_no_crash(world)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", ["s2s", "user"])
def test_parties_survive_hostile_peers(name: str, profile: str) -> None:
    """One response a party receives during a flow is replaced by a hostile one; nothing crashes."""
    good = scenarios.run(name, seed=SEED, profile=profile).sim.trace.exchanges
    cat = fz.catalogue(scenarios.build(name, seed=SEED, profile=profile), [x.request for x in good])
    cat.jwts += [t for x in good for t in fz.tokens_in(x.response) if t not in cat.jwts]

    @fuzz_settings()
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        index = data.draw(st.integers(0, len(good) - 1), label="delivery")
        hostile = data.draw(fz.responses(cat, good[index].response), label="response")
        world = scenarios.build(name, seed=SEED, profile=profile)
        flow = world.start()
        for _ in range(index):
            flow.step()
        flow.run.answer(hostile, note="hostile peer")
        flow.finish()
        check_no_crash(world)
        assert flow.trace.outcome and flow.trace.outcome["status"] in ("granted", "denied")
        for exchange in world.sim.trace.exchanges:
            if exchange.note != "hostile peer":
                check_answer(exchange.request, exchange.response, network=True)

    fuzz()
