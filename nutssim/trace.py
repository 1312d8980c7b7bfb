"""The trace: an append-only record of every exchange, check and fact (ARCHITECTURE principle 3).

Tests assert on it, views draw it, exports serialise it; nothing reads a party's
internals to explain a run. Exchanges are numbered (``seq``) when their request is
delivered and recorded when their response exists, so a nested exchange (a DID
resolution during a token request) has a higher ``seq`` than its parent and names it
in ``parent``. ``events`` always returns the events in ``seq`` order.

Levels (issue #23 item 3): what a trace keeps of each exchange. ``full`` (the default, for
notebooks) keeps every message as the parties used it, decoded forms included; ``wire`` keeps the
raw messages (method, URL, headers, body text), checks and facts, and decodes a body again when it
is read; ``summary`` (for sweeps) keeps each exchange's numbering, parties, label, status and
checks, every fact and the outcome, and no message (an exchange read back carries an empty request
and a bodiless response of the same method and status), except the latest exchange of each label,
which the flow's outcome reads (the introspection). Identical strings, headers and check tuples are
stored once, so a long simulation grows by what is new in each flow.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from nutssim.causes import Cause
from nutssim.limits import MAX_LATEST
from nutssim.messages import HttpRequest, HttpResponse

FORMAT = "nutssim-trace/1"

FULL, WIRE, SUMMARY = "full", "wire", "summary"
#: The trace levels, from most to least kept (see the module docstring).
LEVELS = (FULL, WIRE, SUMMARY)
#: Labels whose latest full exchange a ``summary`` trace keeps before it starts over.


@dataclass(frozen=True)
class Check:
    """One rule a party evaluated: its id, the spec clause, the result, why (prose) and, failed, its cause."""

    id: str
    ref: str
    passed: bool
    detail: str = ""
    cause: Cause | None = None

    def to_record(self) -> dict[str, Any]:
        """Serialise for the trace export (``cause`` only on a check that has one)."""
        out: dict[str, Any] = {"id": self.id, "ref": self.ref, "passed": self.passed, "detail": self.detail}
        if self.cause is not None:
            out["cause"] = self.cause.to_record()
        return out


@dataclass(frozen=True)
class Exchange:
    """One request delivered by the network and the response it got."""

    seq: int
    time: int
    sender: str
    receiver: str
    parent: int | None
    label: str
    request: HttpRequest
    response: HttpResponse
    checks: tuple[Check, ...] = ()
    note: str = ""  # e.g. "dropped by mitm", "edited by user", "replayed"

    type = "exchange"

    @property
    def failed_checks(self) -> tuple[Check, ...]:
        """The checks that did not pass."""
        return tuple(c for c in self.checks if not c.passed)

    @property
    def error(self) -> str | None:
        """The OAuth ``error`` code carried by the response (JSON body or redirect), if any."""
        body = self.response.json
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return str(body["error"])
        location = self.response.location
        if location and "error=" in location:
            from urllib.parse import parse_qs, urlsplit

            values = parse_qs(urlsplit(location).query).get("error")
            return values[0] if values else None
        return None

    def to_record(self) -> dict[str, Any]:
        """Serialise per the trace export contract (ARCHITECTURE.md)."""
        out: dict[str, Any] = {
            "seq": self.seq,
            "time": self.time,
            "type": "exchange",
            "from": self.sender,
            "to": self.receiver,
            "parent": self.parent,
            "label": self.label,
            "request": self.request.to_record(),
            "response": self.response.to_record(),
            "checks": [c.to_record() for c in self.checks],
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Fact:
    """A notable event that is not a message: a credential issued, a nonce burned, …"""

    seq: int
    time: int
    type: str
    party: str
    data: dict[str, Any] = field(default_factory=dict)
    parent: int | None = None

    def to_record(self) -> dict[str, Any]:
        """Serialise for the trace export."""
        return {
            "seq": self.seq,
            "time": self.time,
            "type": self.type,
            "party": self.party,
            "parent": self.parent,
            **self.data,
        }


Event = Exchange | Fact


@dataclass(frozen=True)
class PartyInfo:
    """How a party appears in a trace."""

    id: str
    name: str
    role: str
    host: str
    dids: tuple[str, ...] = ()
    node: str = ""  # the node a subject lives on; "" for stand-alone parties

    def to_record(self) -> dict[str, Any]:
        """Serialise for the trace export."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "host": self.host,
            "dids": list(self.dids),
        }
        if self.node:
            out["node"] = self.node
        return out


class _Brief(NamedTuple):
    """What a ``summary`` trace keeps of an exchange (a tuple: no per-event dict)."""

    seq: int
    time: int
    sender: str
    receiver: str
    parent: int | None
    label: str
    method: str
    status: int
    checks: tuple[Check, ...]
    note: str

    def expand(self) -> Exchange:
        """The exchange as read back: its messages elided (an empty request, a bodiless response)."""
        return Exchange(
            self.seq,
            self.time,
            self.sender,
            self.receiver,
            self.parent,
            self.label,
            HttpRequest(self.method, ""),
            HttpResponse(self.status),
            self.checks,
            self.note,
        )


class _Wire(NamedTuple):
    """What a ``wire`` trace keeps of an exchange: the raw messages as fields of one tuple."""

    seq: int
    time: int
    sender: str
    receiver: str
    parent: int | None
    label: str
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: str
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: str
    reason: str
    checks: tuple[Check, ...]
    note: str

    def expand(self) -> Exchange:
        """The exchange rebuilt from its raw messages (bodies decoded again when read)."""
        request = HttpRequest(self.method, self.url, self.request_headers, self.request_body)
        response = HttpResponse(self.status, self.response_headers, self.response_body, self.reason)
        return Exchange(
            self.seq,
            self.time,
            self.sender,
            self.receiver,
            self.parent,
            self.label,
            request,
            response,
            self.checks,
            self.note,
        )


class _BriefFact(NamedTuple):
    """A fact kept as one tuple, its data as (key, value) pairs stored once when identical."""

    seq: int
    time: int
    type: str
    party: str
    items: tuple[tuple[str, Any], ...]
    parent: int | None

    def expand(self) -> Fact:
        """The fact as recorded."""
        return Fact(self.seq, self.time, self.type, self.party, dict(self.items), self.parent)


_Stored = Exchange | Fact | _Brief | _Wire | _BriefFact


def _seq(event: _Stored) -> int:
    return event.seq


def _expand(stored: _Stored) -> Event:
    return stored if isinstance(stored, Exchange | Fact) else stored.expand()


class Trace:
    """Append-only list of events with queries and the JSON export."""

    def __init__(self, level: str = FULL) -> None:
        self._events: list[_Stored] = []
        self._next_seq = 1
        self.parties: dict[str, PartyInfo] = {}
        self.meta: dict[str, Any] = {}
        self.outcome: dict[str, Any] | None = None
        self._level = FULL
        self.level = level
        self._shared: dict[Any, Any] = {}  # one copy of each identical string, header or check tuple
        self._latest: dict[str, Exchange] = {}  # summary: the latest full exchange of each label

    @property
    def level(self) -> str:
        """What the trace keeps of each exchange from now on: ``full``, ``wire`` or ``summary``."""
        return self._level

    @level.setter
    def level(self, level: str) -> None:
        if level not in LEVELS:
            raise ValueError(f"unknown trace level {level!r}; one of {', '.join(LEVELS)}")
        self._level = level

    def _share(self, value: Any) -> Any:
        """The stored copy of an identical ``value`` (it becomes the copy when it is new)."""
        try:
            return self._shared.setdefault(value, value)
        except TypeError:  # unhashable (a cause holding a list): kept as it is
            return value

    def _reduce(self, event: Event) -> _Stored:
        """``event`` as this trace's level keeps it."""
        share = self._share
        if isinstance(event, Fact):
            items = tuple(share((key, share(value))) for key, value in event.data.items())
            return _BriefFact(
                event.seq, event.time, share(event.type), share(event.party), share(items), event.parent
            )
        checks = share(event.checks)
        if self._level == WIRE:
            request, response = event.request, event.response
            return _Wire(
                event.seq,
                event.time,
                share(event.sender),
                share(event.receiver),
                event.parent,
                share(event.label),
                request.method,
                share(request.url),
                share(request.headers),
                share(request.body),
                response.status,
                share(response.headers),
                share(response.body),
                response.reason,
                checks,
                event.note,
            )
        if len(self._latest) >= MAX_LATEST and event.label not in self._latest:
            self._latest.clear()
        self._latest[event.label] = event
        return _Brief(
            event.seq,
            event.time,
            share(event.sender),
            share(event.receiver),
            event.parent,
            share(event.label),
            event.request.method,
            event.response.status,
            checks,
            event.note,
        )

    def next_seq(self) -> int:
        """Reserve the next sequence number."""
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def append(self, event: Event) -> None:
        """Record an event, keeping ``seq`` order (a parent exchange completes after its children)."""
        stored = event if self._level == FULL else self._reduce(event)
        events = self._events
        if not events or stored.seq > events[-1].seq:
            events.append(stored)
            return
        bisect.insort(events, stored, key=_seq)  # lands near the end: nesting is shallow

    @property
    def events(self) -> list[Event]:
        """Every event in ``seq`` order."""
        return [_expand(e) for e in self._events]

    def latest(self, label: str) -> Exchange | None:
        """The most recent exchange with ``label`` (searched from the end)."""
        for event in reversed(self._events):
            if isinstance(event, Exchange) and event.label == label:
                return event
            if isinstance(event, _Wire) and event.label == label:
                return event.expand()
            if isinstance(event, _Brief) and event.label == label:
                kept = self._latest.get(label)
                return kept if kept is not None and kept.seq == event.seq else event.expand()
        return None

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self._events)

    @property
    def exchanges(self) -> list[Exchange]:
        """Every exchange in ``seq`` order."""
        return [e for e in self.events if isinstance(e, Exchange)]

    def facts(self, type: str | None = None) -> list[Fact]:
        """Every fact, or those of one ``type``, in ``seq`` order."""
        return [e for e in self.events if isinstance(e, Fact) and (type is None or e.type == type)]

    def checks(self) -> list[tuple[Exchange, Check]]:
        """Every check with the exchange it was made in."""
        return [(x, c) for x in self.exchanges for c in x.checks]

    def failed_checks(self) -> list[tuple[Exchange, Check]]:
        """Every failed check with its exchange."""
        return [(x, c) for x, c in self.checks() if not c.passed]

    def find(self, label: str) -> list[Exchange]:
        """Exchanges whose label equals ``label``."""
        return [x for x in self.exchanges if x.label == label]

    def labels(self) -> list[str]:
        """The label of every exchange in order."""
        return [x.label for x in self.exchanges]

    def to_dict(self) -> dict[str, Any]:
        """Serialise per the trace export contract (ARCHITECTURE.md "Trace export")."""
        out: dict[str, Any] = {
            "format": FORMAT,
            "scenario": self.meta.get("scenario"),
            "seed": self.meta.get("seed"),
            "profile": self.meta.get("profile"),
            "parties": [p.to_record() for p in self.parties.values()],
            "events": [e.to_record() for e in self.events],
            "outcome": self.outcome,
        }
        if self._level != FULL:  # a reader must know messages may be elided (absent from a full trace)
            out["level"] = self._level
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """The export as JSON text; the same run gives the same bytes."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
