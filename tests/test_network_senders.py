"""A root process may speak as several parties: ``(sender_id, request)`` pairs and ``acting_as``."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from nutssim.errors import SimulationError
from nutssim.messages import HttpRequest, HttpResponse, json_response
from nutssim.network import acting_as
from nutssim.parties.base import Context, Party, Process
from nutssim.simulation import Simulation


class Echo(Party):
    """Answers with the path it was asked; its own requests stay its own."""

    role = "echo"

    def __init__(self, id: str, host: str) -> None:
        super().__init__(id, id, host)
        self.route("GET", "/hello", self.hello, "hello")
        self.route("GET", "/ask", self.ask, "ask")

    def hello(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return json_response(200, {"path": request.path})

    def ask(self, request: HttpRequest, ctx: Context) -> Process:
        response = yield HttpRequest.get("https://b.example/hello")
        return response


def _two_party_flow() -> Generator[object, HttpResponse, list[int]]:
    first = yield HttpRequest.get("https://a.example/hello")
    second = yield ("browser", HttpRequest.get("https://b.example/hello"))
    third = yield from acting_as("browser", _browser_part())
    return [first.status, second.status, *third]


def _browser_part() -> Generator[HttpRequest, HttpResponse, list[int]]:
    one = yield HttpRequest.get("https://a.example/hello")
    two = yield HttpRequest.get("https://a.example/ask")
    return [one.status, two.status]


@pytest.fixture
def world() -> Simulation:
    sim = Simulation(seed=1)
    sim.add(Echo("a", "https://a.example"))
    sim.add(Echo("b", "https://b.example"))
    sim.add(Echo("browser", "https://browser.example"))
    return sim


def test_pairs_and_acting_as_set_the_sender(world: Simulation) -> None:
    """A pair names its sender; ``acting_as`` sends every request of a sub-process as that party."""
    result = world.run(_two_party_flow(), "ehr")
    assert result == [200, 200, 200, 200]
    senders = [(x.sender, x.receiver, x.label) for x in world.trace.exchanges]
    assert senders == [
        ("ehr", "a", "hello"),
        ("browser", "b", "hello"),
        ("browser", "a", "hello"),
        ("browser", "a", "ask"),
        ("a", "b", "hello"),
    ]


def test_nested_handler_requests_keep_their_party(world: Simulation) -> None:
    """A handler's own requests are sent by its party, whoever sent the request that caused them."""
    world.run(acting_as("browser", _browser_part()), "ehr")
    nested = world.trace.exchanges[-1]
    assert (nested.sender, nested.parent) == ("a", world.trace.exchanges[-2].seq)


def test_pending_delivery_shows_the_sender(world: Simulation) -> None:
    """Stepping shows who sends the pending message before it is delivered."""
    run = world.start(_two_party_flow(), "ehr")
    assert run.pending is not None and run.pending.sender == "ehr"
    run.step()
    assert run.pending is not None and run.pending.sender == "browser"


def test_a_handler_may_not_speak_as_another_party(world: Simulation) -> None:
    """Only the root process may yield pairs: a handler that does is a misbuilt party."""

    class Impostor(Party):
        def __init__(self) -> None:
            super().__init__("impostor", "impostor", "https://impostor.example")
            self.route("GET", "/x", self.x, "x")

        def x(self, request: HttpRequest, ctx: Context) -> Process:
            response = yield ("b", HttpRequest.get("https://b.example/hello"))
            return response

    world.add(Impostor())
    with pytest.raises(SimulationError, match="may only yield HttpRequest"):
        world.run(acting_as("browser", _impostor_call()), "ehr")


def _impostor_call() -> Generator[HttpRequest, HttpResponse, int]:
    response = yield HttpRequest.get("https://impostor.example/x")
    return response.status


def test_other_yields_are_still_refused(world: Simulation) -> None:
    """A root that yields something that is neither a request nor a pair is a simulation error."""

    def bad() -> Generator[object, HttpResponse, None]:
        yield ("browser", "not a request")

    with pytest.raises(SimulationError, match="may only yield HttpRequest"):
        world.run(bad(), "ehr")
