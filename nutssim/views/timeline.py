"""The timeline of a trace: calls, their nesting, folding, lifelines and rows (no drawing).

A request is delivered in ``seq`` order; its response comes after every call made while
handling it. ``layout`` turns a trace into that order, assigns rows and lifelines (grouped
per node) and is shared by the sequence diagram and the Mermaid export, so both always
show the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from nutssim.trace import Exchange, Trace
from nutssim.views import styles
from nutssim.views.summary import error_code

ROW_REQUEST = 1.0  # vertical room before a request arrow (rows)
ROW_RESPONSE = 0.8  # vertical room before a response arrow
GROUP_GAP = 0.3  # extra space between groups (lifeline units)


@dataclass(frozen=True)
class PendingCall:
    """A message not (yet) in the trace: an in-flight request or the next one to be delivered."""

    sender: str
    receiver: str
    label: str
    parent: int | None = None
    seq: int | None = None  # set for in-flight requests (delivered, no response yet)
    note: str = ""


@dataclass
class Call:
    key: int  # seq, or a negative number for the next pending delivery
    sender: str
    receiver: str
    parent: int | None
    label: str
    exchange: Exchange | None
    note: str = ""
    visible: bool = True
    folded: list[Call] = field(default_factory=list)
    children: list[Call] = field(default_factory=list)
    y_req: float = 0.0
    y_resp: float | None = None
    depth: int = 0  # activation nesting on the receiver's lifeline


@dataclass
class Layout:
    trace: Trace
    calls: list[Call]
    order: list[tuple[str, Call]]  # ("req"|"resp", call), chronological
    lanes: list[str]
    x: dict[str, float]
    groups: list[tuple[str, list[str]]]
    rows: float

    @property
    def by_key(self) -> dict[int, Call]:
        """Calls by seq (negative keys: pending deliveries)."""
        return {c.key: c for c in self.calls}


# -- building the model -----------------------------------------------------------------------------


def _calls(trace: Trace, pending: Sequence[PendingCall]) -> list[Call]:
    calls = [Call(x.seq, x.sender, x.receiver, x.parent, x.label, x, x.note) for x in trace.exchanges]
    for i, extra in enumerate(pending):
        key = extra.seq if extra.seq is not None else -(i + 1)
        calls.append(
            Call(key, extra.sender, extra.receiver or "?", extra.parent, extra.label, None, extra.note)
        )
    return calls


def _link(calls: list[Call], fold: bool) -> list[Call]:
    """Attach children to parents, fold DID lookups into their parent; return the roots."""
    by_key = {c.key: c for c in calls}
    roots = []
    for call in sorted(calls, key=_chrono):
        parent = by_key.get(call.parent) if call.parent is not None else None
        if fold and (styles.is_folded_label(call.label) or (parent is not None and not parent.visible)):
            call.visible = False
            holder = visible_ancestor(parent, by_key)
            if holder is not None and styles.is_folded_label(call.label):
                holder.folded.append(call)
        if parent is None:
            roots.append(call)
        else:
            parent.children.append(call)
    return roots


def _chrono(call: Call) -> tuple[int, int]:
    return (1, -call.key) if call.key < 0 else (0, call.key)


def visible_ancestor(call: Call | None, by_key: dict[int, Call]) -> Call | None:
    while call is not None and not call.visible:
        call = by_key.get(call.parent) if call.parent is not None else None
    return call


def _timeline(roots: list[Call]) -> list[tuple[str, Call]]:
    """Requests and responses in the order they happened (a response after its nested calls)."""
    out: list[tuple[str, Call]] = []
    stack: list[tuple[str, Call]] = [("visit", r) for r in reversed(roots)]
    while stack:
        kind, call = stack.pop()
        if kind == "resp":
            out.append(("resp", call))
            continue
        out.append(("req", call))
        if call.exchange is not None:
            stack.append(("resp", call))
        stack += [("visit", c) for c in reversed(sorted(call.children, key=_chrono))]
    return out


# -- lifelines --------------------------------------------------------------------------------------


def _lanes(trace: Trace, calls: Iterable[Call]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Lifelines in order: grouped per node, groups by first appearance, roles ordered inside a group."""
    seen: list[str] = []
    for call in calls:
        for party in (call.sender, call.receiver):
            if party not in seen:
                seen.append(party)
    groups: dict[str, list[str]] = {}
    for party in seen:
        groups.setdefault(_group_of(trace, party), []).append(party)
    ordered = []
    for key, members in groups.items():
        members.sort(key=lambda p: (styles.ROLE_ORDER.get(_role(trace, p), 9), seen.index(p)))
        ordered.append((key, members))
    return [p for _, members in ordered for p in members], ordered


def _role(trace: Trace, party: str) -> str:
    info = trace.parties.get(party)
    return info.role if info else "unknown"


def _hostname(url: str) -> str:
    return (urlsplit(url).hostname or url) if "://" in url else url


def _group_of(trace: Trace, party: str) -> str:
    info = trace.parties.get(party)
    if info is None:
        return party
    if info.node:
        return info.node
    if info.role == "node":
        return info.id
    host = _hostname(info.host)
    for other in trace.parties.values():
        if other.role == "node" and host.endswith("." + _hostname(other.host)):
            return other.id
    return party


def _positions(lanes: list[str], groups: list[tuple[str, list[str]]]) -> dict[str, float]:
    x, pos = 0.0, {}
    for index, (_, members) in enumerate(groups):
        if index:
            x += GROUP_GAP
        for party in members:
            pos[party] = x
            x += 1.0
    return pos


# -- layout ------------------------------------------------------------------------------------------


def layout(trace: Trace, *, fold: bool = False, pending: Sequence[PendingCall] = ()) -> Layout:
    """Place every call: lifelines, rows, activation depths."""
    calls = _calls(trace, pending)
    roots = _link(calls, fold)
    order = _timeline(roots)
    visible = [(kind, c) for kind, c in order if c.visible]
    lanes, groups = _lanes(trace, [c for _, c in visible])
    rows = _assign_rows(visible)
    return Layout(trace, calls, order, lanes, _positions(lanes, groups), groups, rows)


def _assign_rows(visible: list[tuple[str, Call]]) -> float:
    y = 0.0
    active: dict[str, int] = {}
    extra = 0.0  # room for the note under the previous request
    for kind, call in visible:
        y += extra
        extra = 0.35 if kind == "req" and request_note(call) else 0.0
        if kind == "req":
            y += ROW_REQUEST
            call.y_req = y
            call.depth = active.get(call.receiver, 0)
            active[call.receiver] = call.depth + 1
        else:
            y += ROW_RESPONSE
            call.y_resp = y
            active[call.receiver] = max(active.get(call.receiver, 1) - 1, 0)
    return y


def revealed(order: list[tuple[str, Call]], upto: int | None) -> set[tuple[str, int]]:
    """The events (kind, key) that happened before any exchange after ``upto`` was delivered (all when None).

    Requests are delivered in ``seq`` order, so stepping ``upto`` forward only ever adds arrows:
    a leaf exchange shows with its response, a handler's response shows once its last nested
    call is done.
    """
    shown: set[tuple[str, int]] = set()
    for kind, call in order:
        if upto is not None and kind == "req" and (call.key > upto or call.key < 0):
            break
        shown.add((kind, call.key))
    return shown


def request_note(call: Call) -> str:
    """What is written under a request arrow: its note and how many DID lookups were folded into it."""
    parts = []
    if call.note:
        edited = any(word in call.note for word in ("edited", "tampered"))
        parts.append(f"{styles.GLYPH_NOTE} {call.note}" if edited else call.note)
    if call.folded:
        failed = sum(1 for f in call.folded if f.exchange is not None and error_code(f.exchange))
        text = (
            f"{styles.GLYPH_FOLD} {len(call.folded)} DID lookup{'s' if len(call.folded) != 1 else ''} folded"
        )
        parts.append(text + (f", {failed} failed" if failed else ""))
    return " · ".join(parts)
