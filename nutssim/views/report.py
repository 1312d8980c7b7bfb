"""Exports for reading without Python: a self-contained HTML report and a plain-text summary.

The report is one file: the sequence diagram as inline SVG (zoomable on a projector, its
labels real text to select and search), every exchange
inspected, the facts and the outcome. It references nothing outside itself (no scripts,
no stylesheets, no images by URL), escapes everything from the trace, and holds no
wall-clock time, so the same trace gives the same bytes.
"""

from __future__ import annotations

import html
import json
from typing import Any

from nutssim.trace import Fact, Trace
from nutssim.views import styles
from nutssim.views.blocks import STYLE, render_html
from nutssim.views.inspector import exchange_blocks
from nutssim.views.load import as_trace
from nutssim.views.sequence_render import render_svg
from nutssim.views.summary import error_code, fact_summary, party_name, response_label

_PAGE_STYLE = f"""<style>
body {{font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #222;}}
h1 {{font-size: 22px;}} h2.section {{font-size: 19px; border-bottom: 1px solid #ccc; margin-top: 28px;}}
section.exchange {{border-top: 1px solid #ddd; margin-top: 18px; padding-top: 4px;}}
table.index td, table.meta td {{padding: 1px 10px 1px 0;}} figure.diagram {{margin: 0;}}
figure.diagram svg {{max-width: 100%; height: auto;}}
.denied {{color: {styles.FAIL}; font-weight: 600;}} .granted {{color: {styles.OK}; font-weight: 600;}}
pre.outcome {{background: #f6f6f6; padding: 8px; white-space: pre-wrap; word-break: break-all;}}
</style>"""


REPORT_NARROW = 0.75  # lifeline spacing as a share of svg_sequence.LANE_PX (as Player.NARROW)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def html_report(trace: Any, *, fold: bool = False, dpi: int = 90) -> str:
    """A self-contained HTML page: diagram, every exchange inspected, facts and outcome."""
    trace = as_trace(trace)
    title = f"nutssim trace — {trace.meta.get('scenario') or 'trace'}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        _PAGE_STYLE,
        STYLE,
        "</head><body>",
        f"<h1>{_e(title)}</h1>",
        _meta(trace),
        _outcome_line(trace),
        _diagram(trace, fold, dpi),
        _index(trace),
        '<h2 class="section">Exchanges</h2>',
    ]
    for exchange in trace.exchanges:
        parts.append(f'<section class="exchange" id="x{exchange.seq}">')
        parts.append(render_html(exchange_blocks(exchange, trace), style=False))
        parts.append("</section>")
    parts += [_facts(trace), _outcome(trace), "</body></html>"]
    return "\n".join(parts) + "\n"


def _meta(trace: Trace) -> str:
    rows = [(k, trace.meta.get(k)) for k in ("scenario", "profile", "seed")]
    rows.append(("exchanges", len(trace.exchanges)))
    cells = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="meta">{cells}</table>'


def _outcome_line(trace: Trace) -> str:
    outcome = trace.outcome or {}
    status = str(outcome.get("status") or "unknown")
    error = outcome.get("error")
    detail = ""
    if isinstance(error, dict) and error.get("error"):
        detail = f" — {error.get('error')}: {error.get('error_description', '')}"
    css = status if status in ("granted", "denied") else ""
    return f'<p>Outcome: <span class="{_e(css)}">{_e(status)}{_e(detail)}</span></p>'


def _diagram(trace: Trace, fold: bool, dpi: int) -> str:
    # Lifelines as close as in the Player: the user flow's ~1280 px fit the page's 1200 px almost
    # unscaled, so its 15-16 px labels stay readable on a projector (dpi: vector output has none).
    svg = render_svg(trace, fold=fold, narrow=REPORT_NARROW)
    label = f"sequence diagram of {len(trace.exchanges)} exchanges"
    return (
        f'<h2 class="section">Sequence</h2>'
        f'<figure class="diagram" role="img" aria-label="{_e(label)}">{svg}</figure>'
    )


def _index(trace: Trace) -> str:
    rows = []
    for x in trace.exchanges:
        css = ' class="denied"' if error_code(x) or x.failed_checks else ""
        rows.append(
            f'<tr><td><a href="#x{x.seq}">#{x.seq}</a></td><td>{_e(x.label)}</td>'
            f"<td>{_e(party_name(trace, x.sender))} → {_e(party_name(trace, x.receiver))}</td>"
            f"<td{css}>{_e(response_label(x))}</td></tr>"
        )
    return '<h2 class="section">Index</h2><table class="index">' + "".join(rows) + "</table>"


def _facts(trace: Trace) -> str:
    facts = trace.facts()
    if not facts:
        return ""
    rows = "".join(
        f"<tr><td>#{f.seq}</td><td>{_e(f.type)}</td><td>{_e(party_name(trace, f.party))}</td>"
        f"<td>{_e(fact_summary(f.data, limit=5))}</td></tr>"
        for f in facts
    )
    return f'<h2 class="section">Facts</h2><table class="index">{rows}</table>'


def _outcome(trace: Trace) -> str:
    text = json.dumps(trace.outcome, indent=2, ensure_ascii=False, default=str)
    return f'<h2 class="section">Outcome</h2><pre class="outcome">{_e(text)}</pre>'


def to_text(trace: Any) -> str:
    """One line per exchange and fact, then the outcome: the ``--format text`` view of a trace."""
    trace = as_trace(trace)
    parents = {x.seq: x.parent for x in trace.exchanges}
    lines = []
    for event in trace.events:
        if isinstance(event, Fact):
            lines.append(
                f"{event.seq:>4}   · {event.type} ({party_name(trace, event.party)}) "
                f"{fact_summary(event.data)}"
            )
            continue
        depth = _depth(parents, event.parent)
        flag = f" {styles.GLYPH_FAIL} {event.failed_checks[0].id}" if event.failed_checks else ""
        note = f" [{event.note}]" if event.note else ""
        lines.append(
            f"{event.seq:>4} {'  ' * depth}{party_name(trace, event.sender)} → "
            f"{party_name(trace, event.receiver)}: {event.label} → {response_label(event)}{flag}{note}"
        )
    outcome = trace.outcome or {}
    lines.append(f"outcome: {outcome.get('status', 'unknown')}")
    error = outcome.get("error")
    if isinstance(error, dict) and error.get("error"):
        lines.append(f"error: {error.get('error')}: {error.get('error_description', '')}")
    return "\n".join(lines) + "\n"


def _depth(parents: dict[int, int | None], parent: int | None) -> int:
    depth = 0
    while parent is not None and depth < 50:
        depth += 1
        parent = parents.get(parent)
    return depth
