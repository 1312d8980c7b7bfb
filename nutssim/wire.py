"""What sits on the wire: the delivery a message makes, and the interceptors that see it.

Interceptors see every request before delivery and every response before it returns:
they observe (``Eavesdropper``), tamper (``Tamper``), drop, inject or replay. They are the
user's code, so their mistakes are ``SimulationError``s that name them (``call_interceptor``).
The network (``nutssim.network``) drives them; it re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from nutssim.errors import SimulationError
from nutssim.messages import HttpRequest, HttpResponse


class Interceptor(Protocol):
    """Something on the wire: sees requests before delivery and responses after."""

    def on_request(self, delivery: Delivery) -> HttpRequest | HttpResponse | None:
        """Return the request to deliver (maybe changed), a response to answer instead, or None to drop."""
        ...

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Return the response to hand back (maybe changed)."""
        ...


class PassThrough:
    """An interceptor base that changes nothing; override one method."""

    def on_request(self, delivery: Delivery) -> HttpRequest | HttpResponse | None:
        """Deliver unchanged."""
        return delivery.request

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Return unchanged."""
        return response


@dataclass
class Eavesdropper(PassThrough):
    """A passive observer that keeps every request and response it saw (optionally for some hosts)."""

    hosts: tuple[str, ...] = ()
    seen: list[tuple[HttpRequest, HttpResponse]] = field(default_factory=list)

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Record the exchange."""
        if not self.hosts or delivery.request.origin in self.hosts:
            self.seen.append((delivery.request, response))
        return response

    def requests(self, predicate: Callable[[HttpRequest], bool] = lambda r: True) -> list[HttpRequest]:
        """The requests seen that satisfy ``predicate``."""
        return [req for req, _ in self.seen if predicate(req)]


@dataclass
class Tamper(PassThrough):
    """Rewrite requests that ``match`` with ``change`` (a man in the middle)."""

    match: Callable[[HttpRequest], bool]
    change: Callable[[HttpRequest], HttpRequest | HttpResponse | None]
    times: int | None = None  # how many matches to act on; None for all
    acted: int = 0

    def on_request(self, delivery: Delivery) -> HttpRequest | HttpResponse | None:
        """Apply ``change`` to matching requests."""
        if self.match(delivery.request) and (self.times is None or self.acted < self.times):
            self.acted += 1
            return self.change(delivery.request)
        return delivery.request


@dataclass
class Delivery:
    """A request about to be delivered: who sends it, to whom, inside which exchange."""

    request: HttpRequest
    sender: str
    receiver: str | None
    parent: int | None
    label: str
    note: str = ""


def call_interceptor(interceptor: Any, method: str, *args: Any) -> Any:
    """Call a user's interceptor; its mistakes are a SimulationError that says which and how."""
    hook = getattr(interceptor, method, None)
    if not callable(hook):
        raise SimulationError(
            f"{interceptor!r} in network.interceptors has no {method}(); "
            "subclass nutssim.network.PassThrough and override on_request or on_response"
        )
    try:
        return hook(*args)
    except SimulationError:
        raise
    except Exception as exc:
        raise SimulationError(
            f"interceptor {interceptor!r} raised {type(exc).__name__} in {method}: {exc}"
        ) from exc
