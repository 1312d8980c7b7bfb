"""Rebuild a ``Trace`` from its JSON export, so views work from a file without re-running.

``nutssim.trace`` has no ``Trace.from_dict`` yet; this loader inverts the export contract
(ARCHITECTURE.md "Trace export"): headers dict → header pairs, ``form`` → urlencoded body,
``json`` → compact JSON body, ``text`` → text body. A JSON body is re-serialised, so it
may differ in whitespace from the bytes originally sent; forms and text are exact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from nutssim.messages import FORM, JSON, HttpRequest, HttpResponse
from nutssim.trace import Check, Exchange, Fact, PartyInfo, Trace

_FACT_KEYS = ("seq", "time", "type", "party", "parent")


def load_trace(source: Mapping[str, Any] | str | Path) -> Trace:
    """Build a ``Trace`` from an export dict, a path to a JSON file, or JSON text."""
    data = _read(source)
    trace = Trace()
    trace.meta.update({k: data.get(k) for k in ("scenario", "seed", "profile")})
    trace.outcome = data.get("outcome")
    for record in data.get("parties") or []:
        info = party_from_record(record)
        trace.parties[info.id] = info
    for record in data.get("events") or []:
        trace.append(event_from_record(record))
    if hasattr(trace, "_next_seq"):  # so events appended after loading get fresh numbers
        trace._next_seq = max((e.seq for e in trace.events), default=0) + 1
    return trace


def _read(source: Mapping[str, Any] | str | Path) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    text = str(source)
    if isinstance(source, str) and text.lstrip().startswith("{"):
        return dict(json.loads(text))
    return dict(json.loads(Path(text).read_text(encoding="utf-8")))


def party_from_record(record: Mapping[str, Any]) -> PartyInfo:
    """Rebuild a ``PartyInfo``."""
    return PartyInfo(
        str(record["id"]),
        str(record.get("name") or record["id"]),
        str(record.get("role") or ""),
        str(record.get("host") or ""),
        tuple(record.get("dids") or ()),
        str(record.get("node") or ""),
    )


def event_from_record(record: Mapping[str, Any]) -> Exchange | Fact:
    """Rebuild an ``Exchange`` or a ``Fact``."""
    if record.get("type") == "exchange":
        return exchange_from_record(record)
    data = {k: v for k, v in record.items() if k not in _FACT_KEYS}
    return Fact(
        int(record["seq"]),
        int(record.get("time") or 0),
        str(record["type"]),
        str(record.get("party") or ""),
        data,
        record.get("parent"),
    )


def exchange_from_record(record: Mapping[str, Any]) -> Exchange:
    """Rebuild an ``Exchange`` with its messages and checks."""
    checks = tuple(
        Check(str(c.get("id", "")), str(c.get("ref", "")), bool(c.get("passed")), str(c.get("detail", "")))
        for c in record.get("checks") or []
    )
    return Exchange(
        seq=int(record["seq"]),
        time=int(record.get("time") or 0),
        sender=str(record.get("from") or "?"),
        receiver=str(record.get("to") or "?"),
        parent=record.get("parent"),
        label=str(record.get("label") or ""),
        request=request_from_record(record.get("request") or {}),
        response=response_from_record(record.get("response") or {}),
        checks=checks,
        note=str(record.get("note") or ""),
    )


def request_from_record(record: Mapping[str, Any]) -> HttpRequest:
    """Rebuild an ``HttpRequest``."""
    headers = _with_type(_headers(record.get("headers")), record)
    return HttpRequest(
        str(record.get("method") or "GET"), str(record.get("url") or ""), headers, _body(record)
    )


def response_from_record(record: Mapping[str, Any]) -> HttpResponse:
    """Rebuild an ``HttpResponse``."""
    headers = _with_type(_headers(record.get("headers")), record)
    location = record.get("location")
    if location is not None and not any(k.lower() == "location" for k, _ in headers):
        headers = (*headers, ("Location", str(location)))
    return HttpResponse(int(record.get("status") or 0), headers, _body(record))


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        return tuple((str(k), str(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple((str(k), str(v)) for k, v in value)
    return ()


def _with_type(
    headers: tuple[tuple[str, str], ...], record: Mapping[str, Any]
) -> tuple[tuple[str, str], ...]:
    has_body = any(k in record for k in ("form", "json", "text"))
    if not has_body or any(k.lower() == "content-type" for k, _ in headers):
        return headers
    return (("Content-Type", content_type_for(record)), *headers)


def _body(record: Mapping[str, Any]) -> str:
    if "form" in record:
        form = record["form"]
        return urlencode(list(form.items()) if isinstance(form, Mapping) else list(form))
    if "json" in record:
        return json.dumps(record["json"], separators=(",", ":"), ensure_ascii=False)
    return str(record.get("text") or "")


def content_type_for(record: Mapping[str, Any]) -> str:
    """The media type a record's body implies when its headers lack one."""
    if "form" in record:
        return FORM
    return JSON if "json" in record else "text/plain"


def as_trace(source: Any) -> Trace:
    """Accept a ``Trace``, its export (dict, path, JSON text) or a run holding one; return the ``Trace``."""
    if isinstance(source, Trace):
        return source
    if isinstance(source, Mapping | str | Path):
        return load_trace(source)
    trace = getattr(source, "trace", None)
    if isinstance(trace, Trace):
        return trace
    network = getattr(source, "network", None)
    if network is not None and isinstance(getattr(network, "trace", None), Trace):
        return network.trace  # type: ignore[no-any-return]
    raise TypeError(
        f"cannot read a trace from {type(source).__name__}: pass a Trace, its to_dict() export, "
        "a path to an exported JSON file, or a run with a .trace"
    )
