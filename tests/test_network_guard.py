"""The network guards every delivery: a URL no HTTP client would send never escapes a run (issue #18 item 1).

A request a *party* built (from input it received) to such a URL fails on the wire: it is
recorded as an exchange answered 502 by the network and the party's own error path takes
it from there. One the *scenario* built is a bug in the scenario, said at once.
"""

from __future__ import annotations

import pytest

from nutssim import scenarios
from nutssim.errors import SimulationError
from nutssim.messages import HttpRequest, HttpResponse, json_response, url_problem
from nutssim.parties.base import Context, Party
from nutssim.simulation import Simulation

MALFORMED = [
    "https://[::1/x",  # unclosed IPv6 literal
    "https://host.example:99999/",  # port out of range
    "https://host.example:abc/",  # port not a number
    "/relative/path",
    "ftp://host.example/",
    "https:///no-host",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_url_problem_names_what_is_wrong(url):
    assert url_problem(url)


@pytest.mark.parametrize(
    "url",
    ["https://host.example/x?y=1", "http://[::1]:8080/", "HTTPS://Host.Example", "https://h.example/a b"],
)
def test_url_problem_accepts_what_a_client_sends(url):
    assert url_problem(url) is None


class Fetcher(Party):
    """Fetches whatever URL it is told to, as an AS fetches a request_uri it was handed."""

    role = "fetcher"

    def __init__(self) -> None:
        super().__init__("fetcher", "Fetcher", "https://fetcher.example")
        self.route("GET", "/fetch", self.fetch, "fetch")

    def fetch(self, request: HttpRequest, ctx: Context):
        response = yield HttpRequest.get(request.query["url"])
        return json_response(200, {"upstream_status": response.status})


@pytest.fixture
def sim() -> Simulation:
    sim = Simulation(seed=1)
    sim.add(Fetcher())
    return sim


@pytest.mark.parametrize("url", MALFORMED[:4])
def test_a_party_built_request_fails_on_the_wire(sim, url):
    response = sim.network.send(HttpRequest.get("https://fetcher.example/fetch", query={"url": url}), "user")
    assert response.status == 200
    assert response.json == {"upstream_status": 502}
    (failed,) = [x for x in sim.trace.exchanges if x.parent is not None]
    assert failed.note == "malformed URL" and failed.receiver == "?"
    assert "not sent: " in failed.response.header("X-Nutssim-Network")


def test_a_scenario_built_request_is_a_simulation_error(sim):
    with pytest.raises(
        SimulationError, match="the scenario's process yielded a request to 'https://\\[::1/x'"
    ):
        sim.network.send(HttpRequest.get("https://[::1/x"), "user")


def test_a_root_acting_as_a_party_relays_input_so_it_fails_on_the_wire(sim):
    def browser():
        response = yield ("user", HttpRequest.get("https://[::1/x"))
        return response

    response = sim.network.run(browser(), "user")
    assert isinstance(response, HttpResponse) and response.status == 502


def test_edit_refuses_what_is_not_a_request(sim):
    def root():
        return (yield HttpRequest.get("https://fetcher.example/fetch?url=x"))

    run = sim.network.start(root(), "user")
    with pytest.raises(SimulationError, match="edit\\(\\) takes an HttpRequest, got str"):
        run.edit("https://x.example")  # type: ignore[arg-type]


def test_an_edited_malformed_url_fails_on_the_wire(sim):
    def root():
        return (yield ("user", HttpRequest.get("https://fetcher.example/fetch?url=x")))

    run = sim.network.start(root(), "user")
    run.edit(HttpRequest.get("https://[::1/x"))
    assert run.finish().status == 502


def test_a_malformed_request_uri_on_authorize_is_a_wire_error_not_an_escape():
    world = scenarios.build("user", seed=3)  # built, no flow run: one unauthenticated GET
    node = next(p for p in world.sim.network.parties.values() if p.role == "node")
    authorize = f"{node.host}/oauth2/{next(iter(node.subjects))}/authorize"
    request = HttpRequest.get(authorize, query={"client_id": "x", "request_uri": "https://[::1/x"})
    response = world.sim.network.send(request, "user")
    assert response.status in (302, 400)
    assert not [f for f in world.sim.trace.facts() if f.type == "party_crash"]


# -- interceptors are the user's code: their mistakes say which and how (issue #18 item 5) ---------
class ReturnsText:
    def on_request(self, delivery):
        return "not a request"

    def on_response(self, delivery, response):
        return response


class Raises:
    def on_request(self, delivery):
        raise KeyError("oops")

    def on_response(self, delivery, response):
        return response


class BadResponse:
    def on_request(self, delivery):
        return delivery.request

    def on_response(self, delivery, response):
        return None


@pytest.mark.parametrize(
    ("interceptor", "message"),
    [
        (ReturnsText(), "returned str from on_request; return the request"),
        (Raises(), "raised KeyError in on_request: 'oops'"),
        (BadResponse(), "returned NoneType from on_response"),
        (lambda delivery: delivery.request, "has no on_request\\(\\); subclass nutssim.network.PassThrough"),
    ],
)
def test_interceptor_mistakes_are_simulation_errors(sim, interceptor, message):
    sim.network.interceptors.append(interceptor)
    with pytest.raises(SimulationError, match=message):
        sim.network.send(
            HttpRequest.get("https://fetcher.example/fetch", query={"url": "https://x.example/"}), "user"
        )
