"""What ``nutssim inspect`` is given, decoded and explained, without running anything.

The input is a compact JWT (a VP, a VC, a DPoP proof, a request object, an entity
statement), a JSON-LD credential or presentation, or an exported trace (``nutssim run
--format json``). Tokens are decoded with their nested credentials and every header and
claim explained in one line (``views.jwt_explain``); a trace is summarised one exchange
per row, or one exchange is shown in full by the message inspector. Signatures are
checked where the key is at hand: in the token itself (``jwk``, ``did:jwk``) or in the
DID documents of a trace given with it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nutssim.errors import InputError
from nutssim.terminal import Painter, table
from nutssim.trace import Exchange, Trace
from nutssim.views import html_report, inspect_html, inspect_text, load_trace, to_mermaid
from nutssim.views.blocks import Heading, render_html, render_text
from nutssim.views.inspector import token_blocks
from nutssim.views.jwt_explain import explain_claim, explain_header, explain_member
from nutssim.views.tokens import Token, is_credential_object, looks_like_jwt, tokens_in

FORMATS = ("text", "json", "html", "mermaid")
_PATH_SUFFIXES = (".json", ".jwt", ".txt", ".jsonld")


@dataclass
class Inspected:
    """A decoded input: its kind (``jwt``, ``json-ld`` or ``trace``), its tokens or its trace."""

    kind: str
    source: str
    tokens: list[Token] = field(default_factory=list)
    trace: Trace | None = None


def read_input(argument: str) -> tuple[str, str]:
    """The text to inspect and where it came from: a file, ``-`` for standard input, or the argument."""
    if argument == "-":
        return sys.stdin.read(), "standard input"
    path = Path(argument)
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # a token is no file name: too long, or holding a NUL
        is_file = False
    if is_file:
        try:
            return path.read_text(encoding="utf-8"), argument
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the file: {exc}", where=argument) from None
    if argument.endswith(_PATH_SUFFIXES) or ("/" in argument and "." not in argument.split("/")[0]):
        raise InputError("no such file", where=argument, hint="pass a trace or credential file, or a JWT")
    return argument, "argument"


def decode(text: str, source: str = "argument", *, keys_from: Trace | None = None) -> Inspected:
    """Classify and decode ``text``; ``keys_from`` is a trace whose DID documents verify signatures."""
    stripped = text.strip()
    for scheme in ("DPoP ", "Bearer "):  # a header value pasted whole
        stripped = stripped.removeprefix(scheme)
    if looks_like_jwt(stripped):
        return Inspected("jwt", source, tokens_in(stripped, source, keys_from))
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        raise InputError(
            "not a compact JWT, a JSON-LD credential or presentation, or a trace",
            where=source,
            hint="a JWT is three base64url parts separated by dots; a trace is `nutssim run … --format json`",
        ) from None
    if isinstance(value, dict) and _is_trace(value):
        try:
            return Inspected("trace", source, trace=load_trace(value))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a readable nutssim trace: {exc!r}", where=source) from None
    if isinstance(value, str) and looks_like_jwt(value.strip()):  # a JSON string holding a token
        return Inspected("jwt", source, tokens_in(value.strip(), source, keys_from))
    if is_credential_object(value):
        return Inspected("json-ld", source, tokens_in(value, source, keys_from))
    raise InputError(
        "JSON that is neither a verifiable credential or presentation nor a nutssim trace",
        where=source,
        hint="a credential has @context and type VerifiableCredential/VerifiablePresentation",
    )


def _is_trace(value: dict[str, Any]) -> bool:
    return str(value.get("format", "")).startswith("nutssim-trace/") or {"events", "parties"} <= set(value)


def exchange_at(trace: Trace, seq: int) -> Exchange:
    """Exchange ``seq`` of a trace; an ``InputError`` naming the valid numbers otherwise."""
    for exchange in trace.exchanges:
        if exchange.seq == seq:
            return exchange
    numbers = [x.seq for x in trace.exchanges]
    span = f"{numbers[0]}–{numbers[-1]}" if numbers else "none"
    raise InputError(f"no exchange #{seq} in this trace", where="--seq", hint=f"exchanges: {span}")


# -- rendering ----------------------------------------------------------------------------------------


def render(item: Inspected, fmt: str, *, seq: int | None = None, painter: Painter | None = None) -> str:
    """Render an inspected input as ``text``, ``json``, ``html`` or (for a trace) ``mermaid``."""
    paint = painter or Painter(False)
    if seq is not None and item.trace is None:
        raise InputError("--seq selects an exchange of a trace", where="--seq", hint="drop --seq for a token")
    if fmt == "mermaid" and (item.trace is None or seq is not None):
        raise InputError("mermaid draws a whole trace", where="--format", hint="use text, json or html")
    if item.trace is not None:
        return _render_trace(item.trace, fmt, seq, paint)
    if fmt == "json":
        record = {"kind": item.kind, "tokens": [token_record(t) for t in item.tokens]}
        return json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    title = item.tokens[0].title if item.tokens else "nothing decoded"
    blocks = [Heading(f"{title} — from {item.source}", 1), *token_blocks(item.tokens)]
    if fmt == "html":
        return _page(f"nutssim inspect — {item.source}", render_html(blocks))
    return paint.lines(render_text(blocks))


def _render_trace(trace: Trace, fmt: str, seq: int | None, paint: Painter) -> str:
    if seq is not None:
        exchange = exchange_at(trace, seq)
        if fmt == "json":
            record = {
                "exchange": exchange.to_record(),
                "tokens": [token_record(t) for t in _tokens_of(exchange)],
            }
            return json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        if fmt == "html":
            return _page(f"nutssim inspect — exchange #{seq}", inspect_html(exchange, trace))
        return paint.lines(inspect_text(exchange, trace))
    if fmt == "json":
        return json.dumps(trace_summary(trace), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return html_report(trace)
    if fmt == "mermaid":
        return str(to_mermaid(trace))
    return trace_text(trace, paint)


def _tokens_of(exchange: Exchange) -> list[Token]:
    from nutssim.views import find_tokens

    return find_tokens(exchange)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_escape(title)}</title></head><body>\n{body}\n</body></html>\n"
    )


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def token_record(token: Token) -> dict[str, Any]:
    """A decoded token as JSON: what it is, its signature status, header and claims explained, children."""
    explain = explain_claim if token.kind == "jwt" else explain_member
    return {
        "number": token.number,
        "where": token.where,
        "kind": token.kind,
        "title": token.title,
        "signature": token.signature,
        "verified": token.verified,
        "header": token.header,
        "payload": token.payload,
        "explained": {
            "header": {k: explain_header(k) for k in token.header if explain_header(k)},
            "payload": {k: explain(k) for k in token.payload if explain(k)},
        },
        "children": [token_record(c) for c in token.children],
    }


def trace_summary(trace: Trace) -> dict[str, Any]:
    """The trace's metadata, one row per exchange, and the outcome, as JSON."""
    return {
        **{k: trace.meta.get(k) for k in ("scenario", "seed", "profile")},
        "exchanges": [
            {
                "seq": x.seq,
                "from": x.sender,
                "to": x.receiver,
                "parent": x.parent,
                "label": x.label,
                "status": x.response.status,
                "error": x.error,
                "checks": len(x.checks),
                "failed_checks": [c.id for c in x.failed_checks],
            }
            for x in trace.exchanges
        ],
        "outcome": trace.outcome,
    }


def trace_text(trace: Trace, painter: Painter | None = None) -> str:
    """A table of the trace's exchanges, then its outcome."""
    paint = painter or Painter(False)
    meta = " · ".join(
        f"{k} {trace.meta.get(k)}" for k in ("scenario", "seed", "profile") if trace.meta.get(k) is not None
    )
    rows = []
    for x in trace.exchanges:
        failed = len(x.failed_checks)
        checks = f"{len(x.checks) - failed} ✓" + (f" {failed} ✗" if failed else "") if x.checks else ""
        problem = x.error or ""
        if x.failed_checks:
            problem = f"{problem} ({x.failed_checks[0].id})".strip()
        indent = "  " if x.parent is not None else ""
        rows.append(
            [
                str(x.seq),
                f"{indent}{x.sender} → {x.receiver}",
                x.label,
                str(x.response.status),
                checks,
                problem,
            ]
        )
    outcome = trace.outcome or {}
    lines = [
        paint(f"trace: {meta or 'no metadata'} · {len(rows)} exchanges", "bold"),
        table(["seq", "from → to", "step", "status", "checks", "error"], rows, paint).rstrip("\n"),
        paint.lines(f"outcome: {outcome.get('status', 'unknown')}"),
    ]
    error = outcome.get("error")
    if isinstance(error, dict) and error.get("error"):
        lines.append(paint.lines(f"error: {error.get('error')}: {error.get('error_description', '')}"))
    lines.append(paint("inspect one exchange with --seq N", "dim"))
    return "\n".join(lines) + "\n"
