"""A PDP's decisions as the views show them: read from an AuthZEN exchange on the wire (issue #20 item 5).

An AuthZEN Access Evaluations exchange (``POST …/access/v1/evaluations``, AuthZEN 1.0 §7)
carries the questions in its request and the decisions, by index (§7.2), in its response.
``pdp_decisions`` pairs them; the inspector shows them as a table and the sequence diagram
labels the answer ``3 permit · deny patient/Secret.read``. What is shown is what the PEP received, so a
changed answer on the wire shows as changed. Hostile bodies give no decisions, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nutssim.limits import MAX_ROWS
from nutssim.trace import Exchange
from nutssim.views.blocks import Block, Heading, Para, Row, Rows
from nutssim.views.styles import GLYPH_FAIL, GLYPH_PASS

PATHS = ("/access/v1/evaluations", "/access/v1/evaluation")  # AuthZEN 1.0 §10.1
SHOWN_DENIED = 2  # denied resources named on the diagram's arrow; more are counted


@dataclass(frozen=True)
class PdpDecision:
    """One evaluation and its answer: what was asked (``resource``, ``action``) and what came back."""

    index: int
    resource: str
    action: str
    decision: bool | None  # None: no (boolean) answer for this evaluation
    reason: str = ""


def is_pdp_exchange(exchange: Exchange) -> bool:
    """An AuthZEN access evaluation(s) request."""
    request = exchange.request
    return request.method == "POST" and request.path.endswith(PATHS)


def pdp_decisions(exchange: Exchange) -> list[PdpDecision]:
    """The decisions of an AuthZEN exchange in request order; [] for any other exchange or body."""
    if not is_pdp_exchange(exchange) or not isinstance(exchange.request.json, dict):
        return []
    request: dict[str, Any] = exchange.request.json
    asked = request.get("evaluations")
    questions = asked if isinstance(asked, list) and asked else [{}]  # §7.1: none is one evaluation
    answer = exchange.response.json if exchange.response.ok else None
    answers = _answers(answer, single=not (isinstance(asked, list) and asked))
    out = []
    for index, item in enumerate(questions[:MAX_ROWS]):
        merged = {**request, **item} if isinstance(item, dict) else request  # §7.1.1 defaults
        got = answers[index] if index < len(answers) else None
        out.append(_decision(index, merged, got))
    return out


def _answers(body: Any, *, single: bool) -> list[Any]:
    if not isinstance(body, dict):
        return []
    if single:
        return [body]
    items = body.get("evaluations")
    return items if isinstance(items, list) else []


def _decision(index: int, asked: dict[str, Any], got: Any) -> PdpDecision:
    resource, action = asked.get("resource"), asked.get("action")
    name = f"{resource.get('type', '?')}:{resource.get('id', '?')}" if isinstance(resource, dict) else "?"
    verb = str(action.get("name", "?")) if isinstance(action, dict) else "?"
    decision = got.get("decision") if isinstance(got, dict) else None
    context = got.get("context") if isinstance(got, dict) else None
    reason = context.get("reason") if isinstance(context, dict) else None
    error = context.get("error") if isinstance(context, dict) else None
    if isinstance(error, dict) and not reason:
        reason = f"error: {error.get('message', '')}"
    return PdpDecision(
        index,
        name,
        verb,
        decision if isinstance(decision, bool) else None,
        reason if isinstance(reason, str) else "",
    )


def decision_summary(exchange: Exchange) -> str | None:
    """``3 permit · deny patient/Secret.read`` for an answered AuthZEN exchange; None otherwise."""
    decisions = pdp_decisions(exchange)
    if not decisions or all(d.decision is None for d in decisions):
        return None
    permits = sum(d.decision is True for d in decisions)
    denied = [d.resource.partition(":")[2] or d.resource for d in decisions if d.decision is False]
    # name the denied resources while they fit on an arrow; count them beyond that
    shown = f"deny {', '.join(denied)}" if 0 < len(denied) <= SHOWN_DENIED else f"{len(denied)} deny"
    parts = [f"{permits} permit"] + ([shown] if denied else [])
    missing = len(decisions) - permits - len(denied)
    if missing:
        parts.append(f"{missing} unanswered")
    return " · ".join(parts)


def decision_blocks(exchange: Exchange) -> list[Block]:
    """The inspector's section: one row per evaluation, permit or deny, with the PDP's reason."""
    decisions = pdp_decisions(exchange)
    if not decisions:
        return []
    summary = decision_summary(exchange)
    tone = "fail" if any(d.decision is not True for d in decisions) else "ok"
    out: list[Block] = [Heading(f"PDP decisions — {summary or 'no decisions in the answer'}", 2, tone)]
    rows = []
    for d in decisions:
        glyph = GLYPH_PASS if d.decision else GLYPH_FAIL
        verdict = {True: "permit", False: "deny", None: "no decision"}[d.decision]
        rows.append(Row(f"{glyph} {d.resource}", verdict, _note(d), "" if d.decision else "fail"))
    out.append(Rows(rows))
    out.append(Para("Answers are matched to the questions by position (AuthZEN 1.0 §7.2)."))
    return out


def _note(d: PdpDecision) -> str:
    parts = [f"#{d.index} {d.action}"]
    if d.reason:
        parts.append(d.reason)
    return " — ".join(parts)
