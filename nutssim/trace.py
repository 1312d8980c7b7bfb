"""The trace: an append-only record of every exchange, check and fact (ARCHITECTURE principle 3).

Tests assert on it, views draw it, exports serialise it; nothing reads a party's
internals to explain a run. Exchanges are numbered (``seq``) when their request is
delivered and recorded when their response exists, so a nested exchange (a DID
resolution during a token request) has a higher ``seq`` than its parent and names it
in ``parent``. ``events`` always returns the events in ``seq`` order.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nutssim.causes import Cause
from nutssim.messages import HttpRequest, HttpResponse

FORMAT = "nutssim-trace/1"


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


def _seq(event: Event) -> int:
    return event.seq


class Trace:
    """Append-only list of events with queries and the JSON export."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._next_seq = 1
        self.parties: dict[str, PartyInfo] = {}
        self.meta: dict[str, Any] = {}
        self.outcome: dict[str, Any] | None = None

    def next_seq(self) -> int:
        """Reserve the next sequence number."""
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def append(self, event: Event) -> None:
        """Record an event, keeping ``seq`` order (a parent exchange completes after its children)."""
        events = self._events
        if not events or event.seq > events[-1].seq:
            events.append(event)
            return
        bisect.insort(events, event, key=_seq)  # lands near the end: nesting is shallow

    @property
    def events(self) -> list[Event]:
        """Every event in ``seq`` order."""
        return list(self._events)

    def latest(self, label: str) -> Exchange | None:
        """The most recent exchange with ``label`` (searched from the end)."""
        for event in reversed(self._events):
            if isinstance(event, Exchange) and event.label == label:
                return event
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
        return {
            "format": FORMAT,
            "scenario": self.meta.get("scenario"),
            "seed": self.meta.get("seed"),
            "profile": self.meta.get("profile"),
            "parties": [p.to_record() for p in self.parties.values()],
            "events": [e.to_record() for e in self.events],
            "outcome": self.outcome,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The export as JSON text; the same run gives the same bytes."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
