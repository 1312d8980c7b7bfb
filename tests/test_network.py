"""The network: stepping one delivery at a time, user actions, interceptors, error rendering, routes."""

from __future__ import annotations

import pytest

from nutssim.errors import OAuthError, SimulationError
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.network import MAX_STEPS, Eavesdropper, PassThrough, Tamper
from nutssim.parties.base import MAX_BODY_BYTES, Context, Party
from nutssim.simulation import Simulation


class Echo(Party):
    """Answers what it saw; can fail in every way a handler can."""

    role = "echo"

    def __init__(self, id: str = "echo", host: str = "https://echo.example") -> None:
        super().__init__(id, id.title(), host)
        self.seen: list[HttpRequest] = []
        self.route("GET", "/hello", self.hello, "hello")
        self.route("POST", "/hello", self.hello, "hello (post)")
        self.route("PUT", "/only-put", self.hello, "put")
        self.route("GET", "/oauth-error", self.oauth_error, "oauth error")
        self.route("GET", "/redirect-error", self.redirect_error, "redirect error")
        self.route("GET", "/crash", self.crash, "crash")
        self.route("GET", "/misbuilt", self.misbuilt, "misbuilt")
        self.route("GET", "/wrong-type", self.wrong_type, "wrong type")
        self.route("GET", "/checked", self.checked, "checked")
        self.route("GET", "/items/{item_id}", self.item, "item")

    def hello(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        self.seen.append(request)
        return json_response(200, {"query": request.query, "form": request.form, "now": ctx.now()})

    def item(self, request: HttpRequest, ctx: Context, item_id: str) -> HttpResponse:
        return json_response(200, {"item": item_id})

    def oauth_error(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        raise OAuthError("invalid_request", "bad <thing>", headers={"Cache-Control": "no-store"})

    def redirect_error(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        raise OAuthError("access_denied", "no", redirect_uri="https://client.example/cb?x=1", state="st")

    def crash(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        raise ZeroDivisionError("boom")

    def misbuilt(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        raise SimulationError("scenario is misbuilt")

    def wrong_type(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return "not a response"  # type: ignore[return-value]

    def checked(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        ctx.check("demo.ok", "RFC 0000 §1", True)
        ctx.check("demo.bad", "RFC 0000 §2", False, "why")
        ctx.fact("demo_fact", answer=42)
        return text_response(200, "ok")


class Relay(Party):
    """A handler that is a process: it asks the echo party before it answers."""

    role = "relay"

    def __init__(self, target: str = "https://echo.example/hello") -> None:
        super().__init__("relay", "Relay", "https://relay.example")
        self.target = target
        self.route("GET", "/relay", self.relay, "relay")
        self.route("GET", "/relay-crash", self.relay_crash, "relay crash")
        self.route("GET", "/relay-error", self.relay_error, "relay error")

    def relay(self, request: HttpRequest, ctx: Context):
        upstream = yield HttpRequest.get(self.target, {"via": "relay"})
        return json_response(200, {"upstream": upstream.status})

    def relay_crash(self, request: HttpRequest, ctx: Context):
        yield HttpRequest.get(self.target)
        raise KeyError("lost")

    def relay_error(self, request: HttpRequest, ctx: Context):
        yield HttpRequest.get(self.target)
        raise OAuthError("invalid_grant", "upstream said no")


@pytest.fixture
def echo(sim: Simulation) -> Echo:
    """An echo party on the network."""
    return sim.add(Echo())


@pytest.fixture
def relay(sim: Simulation, echo: Echo) -> Relay:
    """A relay party (whose handler makes a sub-request to the echo party) on the network."""
    return sim.add(Relay())


def calls(*requests: HttpRequest):
    """A process that sends ``requests`` in order and returns the responses."""
    responses = []
    for request in requests:
        responses.append((yield request))
    return responses


def get(path: str, host: str = "https://echo.example", **headers: str) -> HttpRequest:
    """A GET to ``host + path``."""
    return HttpRequest.get(host + path, headers={k.replace("_", "-"): v for k, v in headers.items()})


# -- stepping ------------------------------------------------------------------------------------------------
def test_run_pauses_before_every_delivery(sim, echo):
    """A run shows each request as ``pending`` before delivering it, one per ``step``."""
    run = sim.start(calls(get("/hello?n=1"), get("/hello?n=2")), "client")
    assert run.pending is not None and run.pending.request.query == {"n": "1"}
    assert (run.pending.sender, run.pending.receiver, run.pending.label) == ("client", "echo", "hello")
    assert echo.seen == []
    delivered = run.step()
    assert delivered.request.query == {"n": "1"}
    assert len(echo.seen) == 1
    assert run.pending is not None and run.pending.request.query == {"n": "2"}
    run.step()
    assert run.done and run.pending is None
    assert [r.json["query"]["n"] for r in run.result] == ["1", "2"]
    assert run.steps == 2


def test_nested_delivery_is_pending_at_depth_one(sim, relay, echo):
    """A handler's sub-request becomes pending at depth 1 and names its parent exchange."""
    run = sim.start(calls(get("/relay", "https://relay.example")), "client")
    assert run.depth == 0
    run.step()  # deliver to the relay, whose handler now waits for its sub-request
    assert run.depth == 1
    pending = run.pending
    assert pending is not None
    assert (pending.sender, pending.receiver, pending.request.query) == ("relay", "echo", {"via": "relay"})
    assert echo.seen == []
    (waiting,) = run.in_flight  # the relay's exchange: delivered, its answer not yet given
    assert waiting.delivery.receiver == "relay" and waiting.delivery.label == "relay"
    run.step()
    assert run.done and run.depth == 0 and run.in_flight == ()
    assert run.result[0].json == {"upstream": 200}
    outer, inner = sim.trace.exchanges
    assert waiting.seq == outer.seq
    assert (outer.label, inner.label) == ("relay", "hello")
    assert inner.parent == outer.seq and outer.parent is None
    assert inner.seq > outer.seq


def test_step_when_done_is_a_simulation_error(sim, echo):
    """Stepping or acting on a finished run says that nothing is pending."""
    run = sim.start(calls(get("/hello")), "client")
    run.finish()
    with pytest.raises(SimulationError, match="no pending message"):
        run.step()
    with pytest.raises(SimulationError, match="no pending message"):
        run.drop()


def test_send_delivers_one_request(sim, echo):
    """``Network.send`` delivers a single request and returns its response."""
    assert sim.network.send(get("/hello"), "client").status == 200


def test_run_returns_process_result(sim, echo):
    """``sim.run`` drives a process to its end and returns what it returns."""
    assert [r.status for r in sim.run(calls(get("/hello"), get("/items/7")), "client")] == [200, 200]


# -- user actions --------------------------------------------------------------------------------------------
def test_edit_reaches_the_receiver_and_is_noted(sim, echo):
    """An edited pending request is what the receiver sees, and the trace notes the edit."""
    run = sim.start(calls(get("/hello?x=1")), "client")
    run.edit(run.pending.request.with_query(x="2"))  # type: ignore[union-attr]
    run.finish()
    assert [r.query for r in echo.seen] == [{"x": "2"}]
    (exchange,) = sim.trace.exchanges
    assert exchange.note == "edited by user"
    assert exchange.request.query == {"x": "2"}
    assert exchange.to_record()["note"] == "edited by user"


def test_edit_to_another_host_changes_the_receiver(sim, echo):
    """Editing the URL to another party's host delivers there and records that receiver."""
    other = sim.add(Echo("other", "https://other.example"))
    run = sim.start(calls(get("/hello")), "client")
    run.edit(get("/hello", "https://other.example"), note="redirected")
    run.finish()
    assert echo.seen == [] and len(other.seen) == 1
    assert (sim.trace.exchanges[0].receiver, sim.trace.exchanges[0].note) == ("other", "redirected")


def test_drop_answers_the_sender_with_a_network_504(sim, echo):
    """A dropped request never arrives; its sender sees a 504 marked ``X-Nutssim-Network``."""
    run = sim.start(calls(get("/hello")), "client")
    run.drop()
    assert run.done
    (response,) = run.result
    assert response.status == 504
    assert response.header("X-Nutssim-Network") == "dropped by user"
    assert echo.seen == []
    assert sim.trace.exchanges[0].note == "dropped by user"


def test_answer_replaces_delivery(sim, echo):
    """``answer`` hands the sender the given response without delivering the request."""
    run = sim.start(calls(get("/hello")), "client")
    run.answer(json_response(418, {"teapot": True}))
    assert run.result[0].status == 418
    assert echo.seen == []
    (exchange,) = sim.trace.exchanges
    assert (exchange.note, exchange.response.status) == ("answered by user", 418)


def test_drop_of_a_nested_request_reaches_the_waiting_handler(sim, relay, echo):
    """Dropping a sub-request answers the waiting handler with a 504, which it can handle."""
    run = sim.start(calls(get("/relay", "https://relay.example")), "client")
    run.step()
    run.drop()
    assert run.done
    assert run.result[0].json == {"upstream": 504}


def test_replay_delivers_a_past_request_again(sim, echo):
    """``replay`` delivers a copy of a past request outside the run and notes it in the trace."""
    run = sim.start(calls(get("/hello?n=1"), get("/hello?n=2")), "client")
    run.step()
    past = sim.trace.exchanges[0].request
    response = run.replay(past, sender="attacker")
    assert response.status == 200
    assert [r.query for r in echo.seen] == [{"n": "1"}, {"n": "1"}]
    replayed = sim.trace.exchanges[-1]
    assert (replayed.note, replayed.sender, replayed.parent) == ("replayed", "attacker", None)
    assert run.pending is not None and run.pending.request.query == {"n": "2"}  # the run is untouched
    run.finish()
    assert len(echo.seen) == 3


# -- interceptors --------------------------------------------------------------------------------------------
def test_tamper_rewrites_matching_requests(sim, echo):
    """A ``Tamper`` interceptor changes what the receiver sees, and the trace says so."""
    sim.network.interceptors.append(
        Tamper(match=lambda r: r.path == "/hello", change=lambda r: r.with_query(x="evil"), times=1)
    )
    sim.run(calls(get("/hello?x=good"), get("/hello?x=good")), "client")
    assert [r.query["x"] for r in echo.seen] == ["evil", "good"]
    first, second = sim.trace.exchanges
    assert (first.note, second.note) == ("tampered on the wire", "")


def test_tamper_before_another_interceptor_still_updates_receiver(sim, echo):
    """A request redirected by an early interceptor is recorded with its real receiver and a note."""
    other = sim.add(Echo("other", "https://other.example"))
    eve = Eavesdropper()
    sim.network.interceptors += [
        Tamper(match=lambda r: True, change=lambda r: get("/hello", "https://other.example")),
        eve,
    ]
    sim.run(calls(get("/hello")), "client")
    assert echo.seen == [] and len(other.seen) == 1
    (exchange,) = sim.trace.exchanges
    assert exchange.receiver == "other"
    assert exchange.note == "tampered on the wire"
    assert eve.seen[0][0].origin == "https://other.example"


def test_eavesdropper_keeps_what_it_saw(sim, echo):
    """An ``Eavesdropper`` records every request and response, optionally for some hosts only."""
    sim.add(Echo("other", "https://other.example"))
    everything, only_other = Eavesdropper(), Eavesdropper(hosts=("https://other.example",))
    sim.network.interceptors += [everything, only_other]
    sim.run(calls(get("/hello?n=1"), get("/hello", "https://other.example")), "client")
    assert [(req.url, resp.status) for req, resp in everything.seen] == [
        ("https://echo.example/hello?n=1", 200),
        ("https://other.example/hello", 200),
    ]
    assert [req.origin for req, _ in only_other.seen] == ["https://other.example"]
    assert everything.requests(lambda r: "n" in r.query)[0].query == {"n": "1"}


def test_interceptor_that_drops_gives_504(sim, echo):
    """An interceptor returning None drops the request; the sender sees a network 504."""

    class Blackhole(PassThrough):
        def on_request(self, delivery):
            return None

    sim.network.interceptors.append(Blackhole())
    (response,) = sim.run(calls(get("/hello")), "client")
    assert response.status == 504 and response.header("X-Nutssim-Network")
    assert echo.seen == []
    assert sim.trace.exchanges[0].note == "dropped"


def test_interceptor_may_answer_instead(sim, echo):
    """An interceptor returning a response answers in the receiver's place."""

    class Forger(PassThrough):
        def on_request(self, delivery):
            return json_response(200, {"forged": True})

    sim.network.interceptors.append(Forger())
    (response,) = sim.run(calls(get("/hello")), "client")
    assert response.json == {"forged": True}
    assert echo.seen == []
    assert sim.trace.exchanges[0].note == "answered by interceptor"


def test_interceptor_may_rewrite_responses(sim, echo):
    """``on_response`` changes what the sender gets back and what the trace records."""

    class Rewriter(PassThrough):
        def on_response(self, delivery, response):
            return text_response(503, "rewritten")

    sim.network.interceptors.append(Rewriter())
    (response,) = sim.run(calls(get("/hello")), "client")
    assert response.status == 503
    assert sim.trace.exchanges[0].response.status == 503


# -- misbuilt processes and handlers -------------------------------------------------------------------------
def test_process_yielding_a_non_request_is_a_simulation_error(sim):
    """A process that yields something other than an ``HttpRequest`` fails with a helpful message."""

    def bad():
        yield "https://echo.example/hello"

    with pytest.raises(SimulationError, match="may only yield HttpRequest"):
        sim.run(bad(), "client")


def test_start_refuses_a_non_generator(sim):
    """Starting a run with something that is not a generator says what went wrong."""
    with pytest.raises(SimulationError, match="generator process"):
        sim.start(get("/hello"), "client")  # type: ignore[arg-type]


def test_handler_returning_a_non_response_is_a_simulation_error(sim, echo):
    """A handler returning neither a response nor a process is a misbuilt party."""
    with pytest.raises(SimulationError, match="expected an HttpResponse"):
        sim.run(calls(get("/wrong-type")), "client")


def test_simulation_error_inside_a_handler_is_a_recorded_crash(sim, echo):
    """A ``SimulationError`` raised inside a handler answers 500 and is kept in a ``party_crash`` fact."""
    (response,) = sim.run(calls(get("/misbuilt")), "client")
    assert response.status == 500
    assert sim.trace.facts("party_crash")[0].data == {"exception": "SimulationError: scenario is misbuilt"}


def test_runaway_process_is_stopped(sim, echo):
    """A process that never ends is stopped after ``MAX_STEPS`` deliveries."""

    def forever():
        while True:
            yield get("/items/1")

    with pytest.raises(SimulationError, match=str(MAX_STEPS)):
        sim.run(forever(), "client")


# -- protocol errors and crashes -----------------------------------------------------------------------------
def test_protocol_error_renders_json_when_accept_json(sim, echo):
    """An ``OAuthError`` becomes a JSON error body with its status when the client accepts JSON."""
    (response,) = sim.run(calls(get("/oauth-error", Accept="application/json")), "client")
    assert response.status == 400
    assert response.json == {"error": "invalid_request", "error_description": "bad <thing>"}
    assert response.header("Cache-Control") == "no-store"
    assert sim.trace.exchanges[0].error == "invalid_request"


def test_protocol_error_renders_json_for_a_json_request_body(sim, echo):
    """A JSON request body also gets a JSON error, as the reference does."""
    request = HttpRequest("GET", "https://echo.example/oauth-error", (("Content-Type", "application/json"),))
    (response,) = sim.run(calls(request), "client")
    assert response.content_type == "application/json"


def test_protocol_error_renders_html_page_otherwise(sim, echo):
    """Without JSON in Accept or Content-Type the error is an escaped HTML page."""
    (response,) = sim.run(calls(get("/oauth-error", Accept="text/html")), "client")
    assert (response.status, response.content_type) == (400, "text/html")
    assert "<h1>invalid_request</h1>" in response.body
    assert "bad &lt;thing&gt;" in response.body


def test_protocol_error_with_redirect_uri_redirects(sim, echo):
    """An error carrying a ``redirect_uri`` becomes a 302 with ``error``, description and state."""
    (response,) = sim.run(calls(get("/redirect-error", Accept="application/json")), "client")
    assert response.status == 302
    assert (
        response.location == "https://client.example/cb?x=1&error=access_denied&error_description=no&state=st"
    )
    assert sim.trace.exchanges[0].error == "access_denied"


def test_handler_process_protocol_error_after_sub_request(sim, relay, echo):
    """A handler process raising an ``OAuthError`` after its sub-request renders that error."""
    (response,) = sim.run(
        calls(get("/relay-error", "https://relay.example", Accept="application/json")), "client"
    )
    assert (response.status, response.json["error"]) == (400, "invalid_grant")


def test_handler_crash_is_a_500_and_a_fact(sim, echo):
    """A plain exception in a handler answers 500 and records a ``party_crash`` fact."""
    (response,) = sim.run(calls(get("/crash", Accept="application/json")), "client")
    assert response.status == 500
    assert response.json == {"error": "server_error", "error_description": "internal error"}
    (fact,) = sim.trace.facts("party_crash")
    assert fact.party == "echo"
    assert fact.data == {"exception": "ZeroDivisionError: boom"}
    assert fact.parent == sim.trace.exchanges[0].seq


def test_handler_process_crash_after_sub_request_is_a_500(sim, relay, echo):
    """A handler process crashing after its sub-request answers 500 and records the crash."""
    (response,) = sim.run(calls(get("/relay-crash", "https://relay.example")), "client")
    assert response.status == 500
    assert sim.trace.facts("party_crash")[0].party == "relay"


def test_raise_party_exceptions_lets_the_exception_out():
    """With ``raise_party_exceptions=True`` a handler's exception propagates for debugging."""
    sim = Simulation(seed=42, raise_party_exceptions=True)
    sim.add(Echo())
    with pytest.raises(ZeroDivisionError, match="boom"):
        sim.run(calls(get("/crash")), "client")
    assert len(sim.trace.facts("party_crash")) == 1


# -- routes --------------------------------------------------------------------------------------------------
def test_unknown_path_is_404(sim, echo):
    """A path no route serves answers 404."""
    (response,) = sim.run(calls(get("/nope")), "client")
    assert response.status == 404
    assert sim.trace.exchanges[0].label == "GET /nope"


def test_wrong_method_is_405_with_allow(sim, echo):
    """A known path with the wrong method answers 405 and lists the allowed methods."""
    request = HttpRequest("DELETE", "https://echo.example/hello")
    (response,) = sim.run(calls(request), "client")
    assert response.status == 405
    assert response.header("Allow") == "GET, POST"


def test_path_parameters_reach_the_handler(sim, echo):
    """A ``{name}`` path segment is passed to the handler as a keyword argument."""
    (response,) = sim.run(calls(get("/items/abc?q=1")), "client")
    assert response.json == {"item": "abc"}
    assert sim.trace.exchanges[0].label == "item"


def test_body_over_one_mib_is_413(sim, echo):
    """A body over the 1 MiB inbound limit is refused with 413; exactly 1 MiB is accepted."""
    big = HttpRequest(
        "POST", "https://echo.example/hello", (("Accept", "application/json"),), "a" * (MAX_BODY_BYTES + 1)
    )
    limit = HttpRequest("POST", "https://echo.example/hello", (), "a" * MAX_BODY_BYTES)
    too_big, fits = sim.run(calls(big, limit), "client")
    assert too_big.status == 413
    assert too_big.json["error"] == "invalid_request"
    assert fits.status == 200


def test_unknown_host_is_a_network_502(sim):
    """A request to a host where no party lives gets a 502 marked ``X-Nutssim-Network``."""
    (response,) = sim.run(calls(get("/x", "https://nowhere.example")), "client")
    assert response.status == 502
    assert "nowhere.example" in response.header("X-Nutssim-Network", "")
    assert sim.trace.exchanges[0].receiver == "?"


# -- context, registry ---------------------------------------------------------------------------------------
def test_checks_and_facts_are_recorded_on_the_exchange(sim, echo):
    """``ctx.check`` lands on the exchange, ``ctx.fact`` becomes a fact naming its exchange."""
    sim.run(calls(get("/checked")), "client")
    (exchange,) = sim.trace.exchanges
    assert [(c.id, c.passed) for c in exchange.checks] == [("demo.ok", True), ("demo.bad", False)]
    assert [c.id for c in exchange.failed_checks] == ["demo.bad"]
    (fact,) = sim.trace.facts("demo_fact")
    assert (fact.data, fact.party, fact.parent) == ({"answer": 42}, "echo", exchange.seq)


def test_context_now_includes_the_party_clock_offset(sim, echo):
    """A handler's ``ctx.now()`` is the simulated time plus its party's clock offset."""
    echo.clock_offset = 30
    sim.clock.advance(10)
    (response,) = sim.run(calls(get("/hello")), "client")
    assert response.json["now"] == sim.clock.now() + 30
    assert sim.trace.exchanges[0].time == sim.clock.now()


def test_hosts_and_ids_are_unique(sim, echo):
    """Registering a second party at a taken host, or with a taken id, is a simulation error."""
    with pytest.raises(SimulationError, match="already taken"):
        sim.add(Echo("echo-2", "https://echo.example"))
    with pytest.raises(SimulationError, match="exists already"):
        sim.add(Echo("echo", "https://echo-3.example"))
    with pytest.raises(SimulationError, match="known: echo"):
        sim.party("ghost")
    assert sim.unique_id("echo") == "echo-2"
