"""The network: the only thing that moves messages (ARCHITECTURE principle 2).

Theory of operation. A *process* is a generator that yields ``HttpRequest``s and is
sent the ``HttpResponse``s. A handler may itself be a process, so one delivery can
cause nested deliveries (a token request causes DID resolutions). Instead of letting
those nest on Python's call stack, a ``Run`` keeps an explicit stack of frames: the
root process at the bottom, one frame per handler that is still waiting for a
response above it. The top frame's yielded request is the *pending* delivery. One
``step()`` delivers exactly that one message; that is why a run can pause before any
delivery, at any depth, and why the pending message can be edited, dropped or
answered by someone else before it arrives.

Senders. Every request a handler yields is sent by that handler's party. The root
process speaks for the run's ``sender``, unless it yields a ``(sender_id, request)``
pair: then that request is sent by party ``sender_id``. ``acting_as(sender_id, process)``
turns a process into one that speaks as another party, so one flow can drive two
parties (an EHR and the user's browser) while each request is attributed to its sender.

Interceptors see every request before delivery and every response before it returns:
they observe, tamper, drop, inject or replay. A dropped message and an unknown host
answer the sender with a synthetic 504/502 marked ``X-Nutssim-Network``, as a real
client would see a failed connection.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from nutssim.causes import Cause
from nutssim.clock import SimClock
from nutssim.errors import ProtocolError, SimulationError
from nutssim.limits import MAX_STEPS
from nutssim.messages import HttpRequest, HttpResponse, origin_of, text_response, url_problem
from nutssim.parties.base import Context, Party, Process
from nutssim.parties.base import acting_as as acting_as  # re-exported: it moved to parties.base (layering)
from nutssim.profiles import Profile
from nutssim.rng import SimRandom
from nutssim.specs.pex.limits import DEFAULT_LIMITS, REFERENCE_LIMITS, active, using_limits
from nutssim.specs.rfc9111 import ResponseCache
from nutssim.trace import Check, Exchange, Fact, Trace
from nutssim.wire import Delivery, Eavesdropper, Interceptor, PassThrough, Tamper, call_interceptor


class Owner(Protocol):
    """What the network needs of the simulation that owns it (so it need not import it)."""

    clock: SimClock
    rng: SimRandom
    trace: Trace
    profile: Profile
    raise_party_exceptions: bool


T = TypeVar("T")

__all__ = [
    "MAX_STEPS",
    "Delivery",
    "Eavesdropper",
    "Interceptor",
    "Network",
    "PassThrough",
    "Run",
    "Tamper",
    "acting_as",
]

#: What ``_pd_limits`` returns when the profile's limits are already in force.
_IN_FORCE = nullcontext()


@dataclass(frozen=True)
class InFlight:
    """An exchange delivered and not yet answered (its handler is still working): read-only."""

    seq: int
    delivery: Delivery


@dataclass
class _Frame:
    gen: Process
    sender: str  # the party id whose requests this frame yields
    party: Party | None = None  # the party whose handler this is (None for the root)
    exchange: _OpenExchange | None = None
    pending: Delivery | None = None


@dataclass
class _OpenExchange:
    seq: int
    time: int
    delivery: Delivery
    checks: list[Check] = field(default_factory=list)


class Network:
    """Hosts → parties, interceptors, and the driver of processes."""

    def __init__(self, sim: Owner) -> None:
        self.sim = sim
        self.parties: dict[str, Party] = {}  # by host (scheme://host)
        self._by_id: dict[str, Party] = {}  # the same parties by id (looked up twice per exchange)
        self.interceptors: list[Interceptor] = []
        #: Origins only some parties may reach (a node's internal API): origin → their ids.
        self.zones: dict[str, set[str]] = {}

    def restrict(self, origin: str, *party_ids: str) -> None:
        """Let only ``party_ids`` (and those added later) reach ``origin`` (``internal_api_isolation``)."""
        self.zones.setdefault(origin_of(origin), set()).update(party_ids)

    @property
    def trace(self) -> Trace:
        """The simulation's trace."""
        return self.sim.trace

    def register(self, party: Party) -> Party:
        """Put ``party`` on the network at each of its hosts."""
        hosts = [origin_of(h) for h in party.hosts]
        for host in hosts:
            if host in self.parties:
                raise SimulationError(
                    f"host {host} is already taken by {self.parties[host]!r}; give every party its own host"
                )
        for host in hosts:
            self.parties[host] = party
        self._by_id.setdefault(party.id, party)
        return party

    def party_by_id(self, party_id: str) -> Party | None:
        """The party with this id, if it is on the network."""
        found = self._by_id.get(party_id)
        if found is not None and found.id == party_id:
            return found
        return next((p for p in self.parties.values() if p.id == party_id), None)

    def party_at(self, url: str) -> Party | None:
        """The party serving ``url``'s origin, if any (none for a URL no client would send)."""
        return None if url_problem(url) else self.parties.get(origin_of(url))

    def start(self, process: Process, sender: str) -> Run:
        """Start a steppable run of ``process`` on behalf of party ``sender``."""
        if not isinstance(process, Generator):
            raise SimulationError(
                f"a run needs a generator process, got {type(process).__name__}; "
                "did you call a function that returns a response instead?"
            )
        return Run(self, process, sender)

    def run(self, process: Process, sender: str) -> Any:
        """Run ``process`` to the end and return its result."""
        return self.start(process, sender).finish()

    def send(self, request: HttpRequest, sender: str) -> HttpResponse:
        """Deliver one request (and whatever it causes) and return the response."""
        return _response_of(self.run(_single(request), sender))


def _response_of(result: Any) -> HttpResponse:
    """The response a one-request run returns (``_single`` returns what it was sent)."""
    if not isinstance(result, HttpResponse):
        raise SimulationError(f"a one-request run returned {type(result).__name__}, not an HttpResponse")
    return result


def _single(request: HttpRequest) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
    response = yield request
    return response


class Run:
    """A process being driven by the network, one delivery at a time."""

    def __init__(self, network: Network, process: Process, sender: str) -> None:
        self.network = network
        self.sender = sender
        self._stack: list[_Frame] = [_Frame(process, sender)]
        self.done = False
        self.result: Any = None
        self.steps = 0
        self._stepping = False  # inside step(): the profile's PD limits are in force already
        self._advance(self._stack[0], None)

    # -- inspection ---------------------------------------------------------------------------
    @property
    def pending(self) -> Delivery | None:
        """The delivery the next ``step()`` makes, or None when the run is done."""
        return None if self.done else self._stack[-1].pending

    @property
    def depth(self) -> int:
        """How many handlers are waiting for responses (0 at the root)."""
        return max(len(self._stack) - 1, 0)

    @property
    def in_flight(self) -> tuple[InFlight, ...]:
        """The exchanges delivered but not yet answered, outermost first (for views of a live run)."""
        return tuple(
            InFlight(frame.exchange.seq, frame.exchange.delivery)
            for frame in self._stack[1:]
            if frame.exchange is not None
        )

    # -- user actions on the pending message -------------------------------------------------
    def edit(self, request: HttpRequest, note: str = "edited by user") -> None:
        """Replace the pending request before it is delivered (a malformed URL fails on the wire)."""
        if not isinstance(request, HttpRequest):
            raise SimulationError(
                f"edit() takes an HttpRequest, got {type(request).__name__}; "
                "change the pending one with dataclasses.replace(run.pending.request, ...)"
            )
        delivery = self._require_pending()
        delivery.request = request
        delivery.receiver = _receiver_id(self.network, request)
        delivery.note = note

    def drop(self, note: str = "dropped by user") -> None:
        """Drop the pending request: its sender sees a failed connection."""
        delivery = self._require_pending()
        self._complete(delivery, _network_failure(504, note), note=note)

    def answer(self, response: HttpResponse, note: str = "answered by user") -> None:
        """Answer the pending request with ``response`` instead of delivering it."""
        delivery = self._require_pending()
        self._complete(delivery, response, note=note)

    def replay(self, request: HttpRequest, sender: str = "user") -> HttpResponse:
        """Deliver a copy of a (past) request now, outside this run, and return its response."""
        run = Run(self.network, _single(request), sender)
        if run.pending:
            run.pending.note = "replayed"
        return _response_of(run.finish())

    # -- driving --------------------------------------------------------------------------------
    def step(self) -> Delivery:
        """Deliver the pending message (one delivery) and return it."""
        if self._stepping:  # inside finish(): the limits are in force for the whole loop
            return self._step()
        with self._pd_limits():  # once per step, not per resumption of each frame
            self._stepping = True
            try:
                return self._step()
            finally:
                self._stepping = False

    def _step(self) -> Delivery:
        delivery = self._require_pending()
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise SimulationError(f"run exceeded {MAX_STEPS} deliveries: a redirect or retry loop?")
        original = delivery.request
        outcome = self._intercept(delivery)
        if isinstance(outcome, HttpResponse):
            self._complete(delivery, outcome, note=delivery.note or "answered by interceptor")
            return delivery
        if outcome is None:
            self._complete(delivery, _network_failure(504, "dropped on the wire"), note="dropped")
            return delivery
        if outcome is not original:
            delivery.request = outcome
            delivery.receiver = _receiver_id(self.network, outcome)
            delivery.note = delivery.note or "tampered on the wire"
        self._deliver(delivery)
        return delivery

    def finish(self) -> Any:
        """Step until the root process returns; return its result (the PD limits set once for all steps)."""
        with self._pd_limits():
            outer, self._stepping = self._stepping, True
            try:
                while not self.done:
                    self._step()
            finally:
                self._stepping = outer
        return self.result

    def _require_pending(self) -> Delivery:
        pending = self.pending
        if pending is None:
            raise SimulationError("the run is done: there is no pending message")
        return pending

    def _intercept(self, delivery: Delivery) -> HttpRequest | HttpResponse | None:
        request = delivery.request
        for interceptor in self.network.interceptors:
            delivery.request = request
            outcome = call_interceptor(interceptor, "on_request", delivery)
            if not isinstance(outcome, HttpRequest | HttpResponse | None):
                raise SimulationError(
                    f"interceptor {interceptor!r} returned {type(outcome).__name__} from on_request; "
                    "return the request (maybe changed), an HttpResponse to answer it, or None to drop it"
                )
            if not isinstance(outcome, HttpRequest):
                return outcome
            request = outcome
        return request

    def _deliver(self, delivery: Delivery) -> None:
        problem = url_problem(delivery.request.url)
        if problem is not None:  # the sender's HTTP client refuses: it sees a failed request
            self._complete(delivery, _network_failure(502, f"not sent: {problem}"), note="malformed URL")
            return
        party = self.network.parties.get(origin_of(delivery.request.url))  # the URL is sound: see above
        refusal = self._zone_refusal(delivery, party)
        if refusal is not None:  # a firewall in front of the origin: the sender's connection fails
            self._complete(delivery, _network_failure(502, refusal), note="refused: internal API")
            return
        open_x = self._open(delivery, party)
        if party is None:
            self._close(open_x, _network_failure(502, f"no host {delivery.request.origin} on the network"))
            return
        ctx = self._context(party, open_x)
        try:
            with self._pd_limits():
                result = party.dispatch(delivery.request, ctx)
        except ProtocolError as exc:
            result = party.render_error(delivery.request, exc)
        except Exception as exc:  # principle 5: no traceback escapes a run
            result = self._crash(party, delivery.request, exc, open_x)
        if isinstance(result, HttpResponse):
            self._close(open_x, result)
            return
        if not isinstance(result, Generator):
            raise SimulationError(
                f"{party!r} handler for {delivery.label!r} returned {type(result).__name__}, "
                "expected an HttpResponse or a generator process"
            )
        frame = _Frame(result, party.id, party, open_x)
        self._stack.append(frame)
        self._advance(frame, None)

    def _zone_refusal(self, delivery: Delivery, party: Party | None) -> str | None:
        """Why a firewall refuses this sender at this origin, or None (it may pass)."""
        allowed = self.network.zones.get(delivery.request.origin)
        if party is None or allowed is None or delivery.sender in allowed:
            return None
        if not self.network.sim.profile.on("internal_api_isolation"):
            return None
        return (
            f"connection refused: {delivery.request.origin} is the internal API of {party.id}, "
            f"reachable only from its own zone ({', '.join(sorted(allowed))})"
        )

    def _advance(self, frame: _Frame, value: HttpResponse | None) -> None:
        """Resume ``frame`` with ``value`` until it yields a request or returns.

        A GET its sender's HTTP client answers from its cache never reaches the wire: the frame
        is resumed with the stored response at once and the trace gets an ``http_cache_hit`` fact.
        """
        while True:
            found = self._advance_once(frame, value)
            if found is None:
                return
            value = found

    def _advance_once(self, frame: _Frame, value: HttpResponse | None) -> HttpResponse | None:
        """One resumption of ``frame``; a cached response to resume it with again, else None."""
        try:
            with self._pd_limits():
                request = frame.gen.send(value) if value is not None else next(frame.gen)
        except StopIteration as stop:
            self._finish_frame(frame, stop.value)
            return None
        except ProtocolError as exc:
            if frame.party is None:
                raise
            assert frame.exchange is not None  # a party's frame always answers an open exchange
            self._finish_frame(frame, frame.party.render_error(frame.exchange.delivery.request, exc))
            return None
        except Exception as exc:
            if frame.party is None:
                raise
            assert frame.exchange is not None
            self._finish_frame(
                frame, self._crash(frame.party, frame.exchange.delivery.request, exc, frame.exchange)
            )
            return None
        sender = frame.sender
        speaks_as_party = frame.party is not None
        if (
            frame.party is None
            and isinstance(request, tuple)
            and len(request) == 2
            and isinstance(request[0], str)
        ):
            sender, request = request  # the root speaks as another party (see "Senders" above)
            speaks_as_party = True
        if not isinstance(request, HttpRequest):
            raise SimulationError(
                f"process of {frame.sender} yielded {type(request).__name__}; "
                "a process may only yield HttpRequest objects (a root process may also "
                "yield (sender_id, HttpRequest) pairs)"
            )
        problem = url_problem(request.url)
        if problem is not None and not speaks_as_party:
            # The scenario itself built this request: a bug in the scenario, said at once.
            # A party's (or a root acting as one) was built from input it received: it fails
            # on the wire in _deliver, and the party's own error path answers.
            raise SimulationError(
                f"the scenario's process yielded a request to {request.url!r:.200}: {problem}"
            )
        parent = frame.exchange.seq if frame.exchange else None
        cached = self._from_cache(sender, request, parent)
        if cached is not None:
            return cached
        receiver, label = _address(self.network, request)
        frame.pending = Delivery(request, sender, receiver, parent, label)
        return None

    def _pd_limits(self) -> AbstractContextManager[None]:
        """The profile's reading of presentation definitions while a party works (``pex.limits``).

        nuts-node evaluates hostile paths and patterns at match time (``REFERENCE_LIMITS``, its
        time bounded by RE2); strict refuses them (the default limits). Inside ``step()`` they
        are set already: the delivery and each resumption of a frame skip the work (issue #23).
        """
        if self._stepping:
            return _IN_FORCE
        wanted = DEFAULT_LIMITS if self.network.sim.profile.strict else REFERENCE_LIMITS
        if active(DEFAULT_LIMITS) is wanted:  # already in force (a step sets them once): nothing to do
            return _IN_FORCE
        return using_limits(wanted)

    def _http_cache(self, sender: str) -> tuple[Party, ResponseCache] | None:
        """The sender's response cache, when it has one and the ``http_cache`` control is on."""
        party = self.network.party_by_id(sender)
        if party is None or party.http_cache is None or not self.network.sim.profile.on("http_cache"):
            return None
        return party, party.http_cache

    def _from_cache(self, sender: str, request: HttpRequest, parent: int | None) -> HttpResponse | None:
        """The sender's stored answer to ``request`` (``CachingRoundTripper.RoundTrip``), a fact recorded."""
        found = self._http_cache(sender)
        if found is None:
            return None
        party, cache = found
        now = self.network.sim.clock.now() + party.clock_offset
        hit = cache.get(request, now)
        if hit is None:
            return None
        response, expires = hit
        trace = self.network.trace
        data = {"url": request.url, "label": _label(self.network, request), "fresh_for": expires - now}
        trace.append(
            Fact(trace.next_seq(), self.network.sim.clock.now(), "http_cache_hit", sender, data, parent)
        )
        return response

    def _store(self, delivery: Delivery, response: HttpResponse) -> None:
        """The sender's client keeps a cacheable answer (``CachingRoundTripper.cacheResponse``)."""
        found = self._http_cache(delivery.sender)
        if found is not None:
            party, cache = found
            cache.store(delivery.request, response, self.network.sim.clock.now() + party.clock_offset)

    def _finish_frame(self, frame: _Frame, value: Any) -> None:
        if frame.party is None:  # the root process returned
            self._stack.pop()
            self.done = True
            self.result = value
            return
        assert frame.exchange is not None
        if not isinstance(value, HttpResponse):
            raise SimulationError(
                f"handler process of {frame.party!r} returned {type(value).__name__}; "
                "a handler process must return an HttpResponse"
            )
        self._stack.pop()
        self._close(frame.exchange, value)

    def _complete(self, delivery: Delivery, response: HttpResponse, note: str) -> None:
        """Record an exchange that was never delivered (dropped or answered) and resume its sender."""
        delivery.note = note
        open_x = self._open(delivery, None)
        self._close(open_x, response)

    def _open(self, delivery: Delivery, party: Party | None) -> _OpenExchange:
        self._stack[-1].pending = None
        return _OpenExchange(self.network.trace.next_seq(), self.network.sim.clock.now(), delivery)

    def _close(self, open_x: _OpenExchange, response: HttpResponse) -> None:
        delivery = open_x.delivery
        for interceptor in self.network.interceptors:
            response = call_interceptor(interceptor, "on_response", delivery, response)
            if not isinstance(response, HttpResponse):
                raise SimulationError(
                    f"interceptor {interceptor!r} returned {type(response).__name__} from on_response; "
                    "return the response (maybe changed)"
                )
        self._store(delivery, response)
        self.network.trace.append(
            Exchange(
                seq=open_x.seq,
                time=open_x.time,
                sender=delivery.sender,
                receiver=delivery.receiver or "?",
                parent=delivery.parent,
                label=delivery.label,
                request=delivery.request,
                response=response,
                checks=tuple(open_x.checks),
                note=delivery.note,
            )
        )
        self._advance(self._stack[-1], response)

    def _context(self, party: Party, open_x: _OpenExchange) -> Context:
        return _ExchangeContext(party, self.network.sim, self.network.trace, open_x)

    def _crash(
        self, party: Party, request: HttpRequest, exc: BaseException, open_x: _OpenExchange
    ) -> HttpResponse:
        trace = self.network.trace
        trace.append(
            Fact(
                trace.next_seq(),
                self.network.sim.clock.now(),
                "party_crash",
                party.id,
                {"exception": f"{type(exc).__name__}: {exc}"},
                open_x.seq,
            )
        )
        if self.network.sim.raise_party_exceptions:
            raise exc
        return party.render_crash(request, exc)


def _address(network: Network, request: HttpRequest) -> tuple[str | None, str]:
    """The receiver's id and the step's label, the URL looked up once (``_receiver_id``, ``_label``)."""
    if url_problem(request.url) is not None:
        return None, f"{request.method} (malformed URL)"
    party = network.parties.get(origin_of(request.url))
    if party is None:
        return None, f"{request.method} {request.path}"
    return party.id, party.label_for(request)


def _receiver_id(network: Network, request: HttpRequest) -> str | None:
    party = network.party_at(request.url)
    return party.id if party else None


def _label(network: Network, request: HttpRequest) -> str:
    if url_problem(request.url) is not None:
        return f"{request.method} (malformed URL)"
    party = network.party_at(request.url)
    return party.label_for(request) if party else f"{request.method} {request.path}"


def _network_failure(status: int, why: str) -> HttpResponse:
    return text_response(status, why, headers={"X-Nutssim-Network": why})


class _ExchangeContext(Context):
    """The context of one delivered exchange: checks go to it, facts to the trace.

    Methods, not closures built per message (issue #23 item 1: three closures and a keyword
    call per exchange were a tenth of an empty exchange).
    """

    def __init__(self, party: Party, sim: Any, trace: Trace, open_x: _OpenExchange) -> None:
        self.party = party
        self.rng = sim.rng
        self.profile = sim.profile
        self._sim = sim
        self._trace = trace
        self._exchange = open_x

    def now(self) -> int:
        """The handling party's view of the simulated time."""
        now: int = self._sim.clock.now() + self.party.clock_offset
        return now

    def _record_check(self, id: str, ref: str, passed: bool, detail: str, cause: Cause | None = None) -> None:
        self._exchange.checks.append(Check(id, ref, passed, detail, cause))

    def _record_fact(self, type: str, data: dict[str, Any]) -> None:
        trace = self._trace
        trace.append(
            Fact(trace.next_seq(), self._sim.clock.now(), type, self.party.id, data, self._exchange.seq)
        )
