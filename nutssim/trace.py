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
which the flow's outcome reads (the introspection). Below ``full`` an event is a row of columns
(``_Rows``: its numbers in arrays, the rest one tuple) and identical strings, headers, check tuples
and whole rows are stored once, so a long simulation grows by what is new in each flow.
"""

from __future__ import annotations

import bisect
import heapq
import json
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nutssim.causes import Cause
from nutssim.limits import MAX_LATEST
from nutssim.messages import HttpRequest, HttpResponse

FORMAT = "nutssim-trace/1"

FULL, WIRE, SUMMARY = "full", "wire", "summary"
#: The trace levels, from most to least kept (see the module docstring).
LEVELS = (FULL, WIRE, SUMMARY)


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


#: The kinds of a reduced row (the first item of its payload).
_BRIEF, _WIRE, _FACT = 0, 1, 2
#: ``parent`` of a row without one (sequence numbers start at 1).
_NO_PARENT = -1
#: A ``wire`` row keeps a body at least this long zlib-compressed (tokens and VPs: base64 text).
_PACK_FROM = 512


def _pack(body: str) -> str | bytes:
    """``body`` as a ``wire`` row keeps it: compressed when long and that makes it smaller."""
    if len(body) < _PACK_FROM:
        return body
    packed = zlib.compress(body.encode("utf-8", "surrogatepass"), 1)
    return packed if len(packed) < len(body) else body


def _unpack(body: str | bytes) -> str:
    """The body text a ``wire`` row kept (exactly: the round trip is lossless)."""
    return body if isinstance(body, str) else zlib.decompress(body).decode("utf-8", "surrogatepass")


class _Rows:
    """Reduced events as columns: numbers in arrays (no int objects), the rest one shared tuple each.

    A row's payload tuple starts with its kind. Everything that repeats from flow to flow
    (parties, label, method, status, identical checks, identical fact data) is one stored
    tuple, so a row costs its three numbers and one reference plus what is new in it.
    """

    def __init__(self) -> None:
        self.seq = array("q")
        self.time = array("q")
        self.parent = array("q")
        self.payload: list[tuple[Any, ...]] = []

    def __len__(self) -> int:
        return len(self.payload)

    def insert(self, seq: int, time: int, parent: int | None, payload: tuple[Any, ...]) -> None:
        """Store one row, keeping ``seq`` order (a parent completes after its children)."""
        where = len(self.seq)
        if where and seq < self.seq[-1]:
            where = bisect.bisect(self.seq, seq)  # lands near the end: nesting is shallow
        self.seq.insert(where, seq)
        self.time.insert(where, time)
        self.parent.insert(where, _NO_PARENT if parent is None else parent)
        self.payload.insert(where, payload)

    def clear(self) -> None:
        """Forget every row."""
        for column in (self.seq, self.time, self.parent):
            del column[:]
        self.payload.clear()

    def label(self, i: int) -> str | None:
        """The label of row ``i`` when it is an exchange."""
        payload = self.payload[i]
        if payload[0] == _BRIEF:
            return str(payload[3])
        return str(payload[1][2]) if payload[0] == _WIRE else None

    def event(self, i: int) -> Event:
        """Row ``i`` read back as an event (a summary exchange with its messages elided)."""
        seq, time, parent = self.seq[i], self.time[i], self.parent[i]
        up = None if parent == _NO_PARENT else parent
        kind, *rest = self.payload[i]
        if kind == _FACT:
            type, party, keys, values = rest
            return Fact(seq, time, type, party, dict(zip(keys, values, strict=True)), up)
        if kind == _BRIEF:
            sender, receiver, label, method, status, checks, note = rest
            request, response = HttpRequest(method, ""), HttpResponse(status)
        else:
            meta, request_headers, request_body, response_headers, response_body = rest
            sender, receiver, label, method, url, status, reason, checks, note = meta
            request = HttpRequest(method, url, request_headers, _unpack(request_body))
            response = HttpResponse(status, response_headers, _unpack(response_body), reason)
        return Exchange(seq, time, sender, receiver, up, label, request, response, checks, note)


def _seq(event: Event) -> int:
    return event.seq


class Trace:
    """Append-only list of events with queries and the JSON export."""

    def __init__(self, level: str = FULL) -> None:
        self._events: list[Event] = []  # the full level's events
        self._rows = _Rows()  # the wire and summary levels' events
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

    def _reduce(self, event: Event) -> tuple[Any, ...]:
        """The payload of ``event`` as this trace's level keeps it (repeated parts stored once)."""
        share = self._share
        if isinstance(event, Fact):
            keys, values = tuple(event.data), tuple(share(v) for v in event.data.values())
            return share((_FACT, share(event.type), share(event.party), share(keys), share(values)))
        checks = share(event.checks)
        request, response = event.request, event.response
        if self._level == WIRE:
            meta = (event.sender, event.receiver, event.label, request.method, request.url, response.status)
            meta = share((*meta, response.reason, checks, event.note))
            bodies = (share(request.headers), share(_pack(request.body)))
            return (_WIRE, meta, *bodies, share(response.headers), share(_pack(response.body)))
        if len(self._latest) >= MAX_LATEST and event.label not in self._latest:
            self._latest.clear()
        self._latest[event.label] = event
        brief = (event.sender, event.receiver, event.label, request.method, response.status)
        return share((_BRIEF, *brief, checks, event.note))

    def next_seq(self) -> int:
        """Reserve the next sequence number."""
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def append(self, event: Event) -> None:
        """Record an event, keeping ``seq`` order (a parent exchange completes after its children)."""
        if self._level != FULL:
            self._rows.insert(event.seq, event.time, event.parent, self._reduce(event))
            return
        events = self._events
        if not events or event.seq > events[-1].seq:
            events.append(event)
            return
        bisect.insort(events, event, key=_seq)  # lands near the end: nesting is shallow

    @property
    def events(self) -> list[Event]:
        """Every event in ``seq`` order."""
        rows = self._rows
        reduced = [rows.event(i) for i in range(len(rows))]
        if not self._events:
            return reduced
        if not reduced:
            return list(self._events)
        return list(heapq.merge(self._events, reduced, key=_seq))  # the level changed during the run

    def latest(self, label: str) -> Exchange | None:
        """The most recent exchange with ``label`` (searched from the end)."""
        whole = next(
            (e for e in reversed(self._events) if isinstance(e, Exchange) and e.label == label), None
        )
        rows = self._rows
        row = next((i for i in reversed(range(len(rows))) if rows.label(i) == label), None)
        if row is None or (whole is not None and whole.seq > rows.seq[row]):
            return whole
        kept = self._latest.get(label)
        if kept is not None and kept.seq == rows.seq[row]:
            return kept  # summary: the latest exchange of a label kept whole
        found = rows.event(row)
        return found if isinstance(found, Exchange) else None

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self._events) + len(self._rows)

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
