"""The message inspector: one exchange, fully decoded, as terminal text or escaped HTML.

It finds every JWT and credential in the messages (``tokens``), explains each claim
(``jwt_explain``) and lays it all out as blocks that render as text or escaped HTML
(``blocks``).
"""

from __future__ import annotations

import json
from typing import Any

from nutssim.trace import Exchange, Fact, Trace
from nutssim.views.blocks import Block, Heading, Para, Pre, Row, Rows, render_html, render_text
from nutssim.views.decisions import decision_blocks
from nutssim.views.jwt_explain import (
    PROOF_MEMBERS,
    TIME_CLAIMS,
    explain_claim,
    explain_header,
    explain_member,
    format_time,
    iso,
)
from nutssim.views.styles import GLYPH_FAIL, GLYPH_NOTE, GLYPH_PASS
from nutssim.views.summary import error_code, error_description, fact_summary, party_name, reason
from nutssim.views.tokens import Token, find_tokens

BODY_MAX = 100_000


# -- building the blocks ---------------------------------------------------------------------------


def exchange_blocks(exchange: Exchange, trace: Trace | None = None) -> list[Block]:
    """Everything the inspector shows about one exchange, as blocks."""
    tokens = find_tokens(exchange, trace)
    refs = {t.raw: t.number for top in tokens for t in top.walk()}
    blocks: list[Block] = [*_title(exchange, trace)]
    blocks += _request(exchange, refs)
    blocks += _response(exchange, refs)
    blocks += decision_blocks(exchange)
    blocks += _tokens(tokens, exchange.time, refs)
    blocks += _checks(exchange)
    if trace is not None:
        blocks += _facts(exchange, trace)
    return blocks


def _title(exchange: Exchange, trace: Trace | None) -> list[Block]:
    sender, receiver = party_name(trace, exchange.sender), party_name(trace, exchange.receiver)
    error = error_code(exchange)
    out: list[Block] = [
        Heading(
            f"#{exchange.seq} {exchange.label} — {sender} → {receiver}",
            1,
            "fail" if error or exchange.failed_checks else "",
        )
    ]
    facts = [f"time {exchange.time} ({iso(exchange.time)})"]
    if exchange.parent is not None:
        facts.append(f"made while handling #{exchange.parent}")
    out.append(Para(" · ".join(facts)))
    if exchange.note:
        out.append(Para(f"{GLYPH_NOTE} {exchange.note}", "note"))
    if error:
        description = error_description(exchange)
        out.append(Para(f"{GLYPH_FAIL} {error}" + (f": {description}" if description else ""), "fail"))
    return out


def _request(exchange: Exchange, refs: dict[str, str]) -> list[Block]:
    request = exchange.request
    out: list[Block] = [Heading("Request"), Para(f"{request.method} {request.url}", "mono")]
    rows = [Row(name, _short(value, refs)) for name, value in request.headers]
    if rows:
        out.append(Rows(rows))
    if request.query_pairs:
        out += [Heading("query parameters", 3), Rows(_param_rows(request.query_pairs, refs))]
        out += _json_fields(request.query_pairs, refs)
    out += _body(request.body, request.form_pairs, request.json, refs, "request")
    return out


def _response(exchange: Exchange, refs: dict[str, str]) -> list[Block]:
    response = exchange.response
    tone = "fail" if error_code(exchange) else "ok"
    out: list[Block] = [Heading(f"Response — {response.status} {reason(response.status)}".rstrip(), 2, tone)]
    rows = [Row(name, _short(value, refs)) for name, value in response.headers]
    if rows:
        out.append(Rows(rows))
    location = response.location
    if location:
        from urllib.parse import parse_qsl, urlsplit

        out.append(Para(f"redirect to {location}", "mono"))
        pairs = parse_qsl(urlsplit(location).query, keep_blank_values=True)
        if pairs:
            out += [Heading("redirect parameters", 3), Rows(_param_rows(pairs, refs))]
    out += _body(response.body, [], response.json, refs, "response")
    return out


def _param_rows(pairs: list[tuple[str, str]], refs: dict[str, str]) -> list[Row]:
    return [
        Row(key, _short(value, refs), explain_claim(key), "fail" if key == "error" else "")
        for key, value in pairs
    ]


def _json_fields(pairs: list[tuple[str, str]], refs: dict[str, str]) -> list[Block]:
    """Form or query fields that hold JSON (a presentation submission, a JSON-LD VP), pretty-printed."""
    out: list[Block] = []
    for key, value in pairs:
        if value in refs or value.strip()[:1] not in ("{", "["):
            continue
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            continue
        out += [Para(f"{key} (JSON)", "label"), Pre(_pretty(parsed, refs, value))]
    return out


def _body(
    body: str, form: list[tuple[str, str]], parsed: Any, refs: dict[str, str], side: str
) -> list[Block]:
    if not body:
        return []
    if form:
        return [Heading(f"{side} form", 3), Rows(_param_rows(form, refs)), *_json_fields(form, refs)]
    if parsed is not None:
        return [Heading(f"{side} JSON body", 3), Pre(_pretty(parsed, refs, body))]
    if body in refs:
        return [Heading(f"{side} body", 3), Para(f"‹JWT {refs[body]}› (decoded below)")]
    return [Heading(f"{side} body", 3), Pre(_cut(body, BODY_MAX))]


def _tokens(tokens: list[Token], now: int, refs: dict[str, str]) -> list[Block]:
    if not tokens:
        return []
    out: list[Block] = [Heading(f"Tokens — {sum(1 for t in tokens for _ in t.walk())} decoded")]
    for top in tokens:
        for token in top.walk():
            out += _token(token, now, refs)
    return out


def _token(token: Token, now: int, refs: dict[str, str]) -> list[Block]:
    label = "JWT" if token.kind == "jwt" else "JSON-LD"
    tone = "ok" if token.verified else ("fail" if token.verified is False else "")
    out: list[Block] = [
        Heading(f"{label} {token.number} · {token.title} · in {token.where}", 3),
        Para(f"signature: {token.signature}", tone),
    ]
    if token.header:
        out += [
            Para("header", "label"),
            Rows([Row(k, _claim_value(k, v, now, refs), explain_header(k)) for k, v in token.header.items()]),
        ]
    explain = explain_claim if token.kind == "jwt" else explain_member
    rows = [
        Row(k, _claim_value(k, v, now, refs), explain(k)) for k, v in token.payload.items() if k != "proof"
    ]
    out += [Para("payload" if token.kind == "jwt" else "members", "label"), Rows(rows)]
    proof = token.payload.get("proof") if token.kind == "json-ld" else None
    if isinstance(proof, dict):
        out += [
            Para("proof", "label"),
            Rows([Row(k, _claim_value(k, v, now, refs), PROOF_MEMBERS.get(k, "")) for k, v in proof.items()]),
        ]
    out.append(Pre(token.raw, collapsed=f"raw {label} {token.number} ({len(token.raw)} chars)"))
    return out


def _claim_value(key: str, value: Any, now: int, refs: dict[str, str]) -> str:
    if key in TIME_CLAIMS:
        return format_time(value, now)
    if isinstance(value, str):
        return _short(value, refs)
    try:
        return json.dumps(_replace_tokens(value, refs), ensure_ascii=False)
    except (RecursionError, ValueError):
        return "(nested too deep to show)"


def _checks(exchange: Exchange) -> list[Block]:
    if not exchange.checks:
        return []
    failed = len(exchange.failed_checks)
    passed = len(exchange.checks) - failed
    out: list[Block] = [Heading(f"Checks — {passed} passed, {failed} failed", 2, "fail" if failed else "ok")]
    rows = [
        Row(f"{GLYPH_PASS if c.passed else GLYPH_FAIL} {c.id}", c.ref, c.detail, "" if c.passed else "fail")
        for c in exchange.checks
    ]
    return [*out, Rows(rows)]


def _facts(exchange: Exchange, trace: Trace) -> list[Block]:
    facts = [f for f in trace.events if isinstance(f, Fact) and f.parent == exchange.seq]
    if not facts:
        return []
    rows = [Row(f"#{f.seq} {f.type}", party_name(trace, f.party), fact_summary(f.data)) for f in facts]
    return [Heading("Facts recorded while handling it"), Rows(rows)]


def _replace_tokens(value: Any, refs: dict[str, str], depth: int = 0) -> Any:
    """Replace decoded JWT strings inside JSON by ``‹JWT n›`` so bodies stay readable."""
    if depth > 20:
        return value
    if isinstance(value, str) and value in refs:
        return f"‹JWT {refs[value]}›"
    if isinstance(value, dict):
        return {k: _replace_tokens(v, refs, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_tokens(v, refs, depth + 1) for v in value]
    return value


def _short(value: str, refs: dict[str, str]) -> str:
    for raw, number in refs.items():
        if raw and raw in value and len(raw) > 40:
            value = value.replace(raw, f"‹JWT {number}›")
    return value


def _pretty(value: Any, refs: dict[str, str], raw: str) -> str:
    """Indented JSON with decoded tokens referenced; the raw text if it nests too deep to print."""
    try:
        text = json.dumps(_replace_tokens(value, refs), indent=2, ensure_ascii=False)
    except (RecursionError, ValueError):
        text = raw
    return _cut(text, BODY_MAX)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


# -- public API --------------------------------------------------------------------------------------


def token_blocks(tokens: list[Token], now: int | None = None) -> list[Block]:
    """Blocks explaining decoded tokens (header, claims, nested tokens); times relative to ``now``."""
    refs = {t.raw: t.number for top in tokens for t in top.walk()}
    return _tokens(tokens, now, refs)  # type: ignore[arg-type]  # format_time takes None: no "now±"


def inspect_text(exchange: Exchange, trace: Trace | None = None) -> str:
    """The exchange decoded, for a terminal."""
    return render_text(exchange_blocks(exchange, trace))


def inspect_html(exchange: Exchange, trace: Trace | None = None, *, style: bool = True) -> str:
    """The exchange decoded, as an escaped, self-contained HTML fragment."""
    return render_html(exchange_blocks(exchange, trace), style=style)


class Inspector:
    """One exchange decoded; shows itself as HTML in Jupyter and as text in a terminal."""

    def __init__(self, exchange: Exchange | None, trace: Trace | None = None) -> None:
        # None is what trace.latest(label) gives when no exchange has that label (an s2s-bearer run
        # has no DPoP validation): say so in the cell instead of failing on it.
        self.exchange = exchange
        self.trace = trace

    @property
    def missing(self) -> str:
        """What is missing when there is no exchange to inspect ("" when there is one)."""
        if self.exchange is not None:
            return ""
        labels = sorted({x.label for x in self.trace.exchanges}) if self.trace is not None else []
        known = f" This trace's exchanges: {', '.join(labels)}." if labels else ""
        return (
            "Nothing to inspect: no exchange was given (trace.latest(label) and trace.find(label) "
            f"find none when the run made no exchange with that label).{known}"
        )

    @classmethod
    def at(cls, source: Any, seq: int) -> Inspector:
        """The inspector of exchange ``seq`` in a trace (or its export, or a run)."""
        from nutssim.views.load import as_trace

        trace = as_trace(source)
        for exchange in trace.exchanges:
            if exchange.seq == seq:
                return cls(exchange, trace)
        raise KeyError(f"no exchange #{seq} in this trace (exchanges: {[x.seq for x in trace.exchanges]})")

    @property
    def text(self) -> str:
        """The terminal rendering."""
        if self.exchange is None:
            return self.missing + "\n"
        return inspect_text(self.exchange, self.trace)

    @property
    def html(self) -> str:
        """The HTML rendering."""
        if self.exchange is None:
            return render_html([Para(self.missing, tone="note")])
        return inspect_html(self.exchange, self.trace)

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        if self.exchange is None:
            return "<Inspector of nothing: no exchange given>"
        return f"<Inspector #{self.exchange.seq} {self.exchange.label!r}>"
