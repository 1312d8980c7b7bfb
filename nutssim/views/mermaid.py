"""Mermaid ``sequenceDiagram`` text of a trace, for Markdown documents and issue trackers.

Participants get safe ids (``P1``, ``P2``…) and their display names as aliases; lifelines
of one node sit in a ``box``. Every exchange is one ``->>`` request and one ``-->>``
response, with activations for nested calls; errors and failed checks become notes.
Text from the trace is escaped with Mermaid entity codes, so ``;``, ``#``, ``:`` and
angle brackets cannot break the diagram.
"""

from __future__ import annotations

from typing import Any

from nutssim.trace import Trace
from nutssim.views import styles
from nutssim.views.load import as_trace
from nutssim.views.summary import error_code, error_description, response_label
from nutssim.views.timeline import Call, layout

_ESCAPES = {
    "#": "#35;",
    ";": "#59;",
    ":": "#58;",
    "<": "#lt;",
    ">": "#gt;",
    "%": "#37;",
    "{": "#123;",
    "}": "#125;",
    "\\": "#92;",
    '"': "#quot;",
}


def escape(text: str) -> str:
    """Make any text safe inside a Mermaid message, note or alias (one line)."""
    flat = " ".join(str(text).split())
    return "".join(_ESCAPES.get(ch, ch) for ch in flat)


def to_mermaid(trace: Any, *, fold: bool = False) -> str:
    """The trace (or its export) as Mermaid ``sequenceDiagram`` text."""
    trace = as_trace(trace)
    lay = layout(trace, fold=fold)
    ids = {party: f"P{i + 1}" for i, party in enumerate(lay.lanes)}
    lines = ["sequenceDiagram", *_header_comments(trace)]
    lines += _participants(trace, lay.groups, ids)
    hits = _cache_hits(trace)
    for kind, call in lay.order:
        if call.visible and call.exchange is not None:
            if kind == "resp":  # what the handler read from its HTTP cache meanwhile (no exchange)
                lines += _cache_notes(hits.get(call.exchange.seq, []), call, ids)
            lines += _request(call, ids) if kind == "req" else _response(call, ids)
    return "\n".join(lines) + "\n"


def _cache_hits(trace: Trace) -> dict[int, list[Any]]:
    """The ``http_cache_hit`` facts by the exchange whose handler made the cached GET."""
    out: dict[int, list[Any]] = {}
    for fact in trace.facts("http_cache_hit"):
        if fact.parent is not None:
            out.setdefault(fact.parent, []).append(fact)
    return out


def _cache_notes(facts: list[Any], call: Call, ids: dict[str, str]) -> list[str]:
    """One note per cache hit, over the party whose client answered itself."""
    out = []
    for fact in facts:
        label = fact.data.get("label") or "GET"
        out.append(
            f"    Note over {ids.get(fact.party, ids[call.receiver])}: {escape(f'cache hit: {label}')}"
        )
    return out


def _header_comments(trace: Trace) -> list[str]:
    meta = trace.meta
    out = [
        f"    %% scenario {escape(str(meta.get('scenario')))}, profile {escape(str(meta.get('profile')))}, "
        f"seed {escape(str(meta.get('seed')))}"
    ]
    outcome = trace.outcome or {}
    if outcome.get("status"):
        out.append(f"    %% outcome {escape(str(outcome['status']))}")
    return out


def _participants(trace: Trace, groups: list[tuple[str, list[str]]], ids: dict[str, str]) -> list[str]:
    out = []
    for key, members in groups:
        boxed = len(members) > 1
        if boxed:
            info = trace.parties.get(key)
            out.append(f"    box rgb(242,242,242) {escape(styles.host_label(info.host) if info else key)}")
        for party in members:
            info = trace.parties.get(party)
            role = styles.role_label(info.role) if info else "not on the network"
            name = f"{styles.display_name(info, party)} ({role})"
            out.append(f"    {'  ' if boxed else ''}participant {ids[party]} as {escape(name)}")
        if boxed:
            out.append("    end")
    return out


def _request(call: Call, ids: dict[str, str]) -> list[str]:
    text = f"{call.key}. {call.label}"
    if call.note:
        text += f" ({styles.GLYPH_NOTE} {call.note})"
    if call.folded:
        text += f" ({styles.GLYPH_FOLD} {len(call.folded)} DID lookups folded)"
    activate = "+" if call.sender != call.receiver else ""
    return [f"    {ids[call.sender]}->>{activate}{ids[call.receiver]}: {escape(text)}"]


def _response(call: Call, ids: dict[str, str]) -> list[str]:
    assert call.exchange is not None
    deactivate = "-" if call.sender != call.receiver else ""
    out = [
        f"    {ids[call.receiver]}-->>{deactivate}{ids[call.sender]}: {escape(response_label(call.exchange))}"
    ]
    note = failure_note(call.exchange)
    if note:
        out.append(f"    Note over {ids[call.receiver]}: {escape(note)}")
    return out


#: A note is a label in a picture, not a log: the codes, a short description, a pointer to the rest.
NOTE_DESCRIPTION_MAX = 80


def failure_note(exchange: Any) -> str:
    """The failed checks' ids, the error code and a short description; the full text is in the report."""
    parts = [f"{styles.GLYPH_FAIL} {c.id}" for c in exchange.failed_checks[:3]]
    if len(exchange.failed_checks) > 3:
        parts.append(f"+{len(exchange.failed_checks) - 3} more")
    code, description = error_code(exchange), error_description(exchange) or ""
    if code or description:
        short = " ".join(description.split())
        cut = len(short) > NOTE_DESCRIPTION_MAX
        if cut:
            short = short[: NOTE_DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"
        parts.append(f"{code}: {short}" if code and short else code or short)
        if cut or any(c.detail for c in exchange.failed_checks):
            parts.append(f"full text: #{exchange.seq} in the HTML report")
    return " · ".join(parts)
