"""The sequence diagram: one lifeline per party, one arrow per exchange, drawn from the trace.

Lifelines are grouped per node (a node, its EHR and its resource server side by side on
a shaded band). A request is a solid arrow labelled with its step name; its response a
dashed return arrow labelled with the status. A call made while handling another one
(``parent``) sits inside the handler's activation bar. Errors (status ≥ 400, an
``error`` code in a body or redirect, a negative introspection or DPoP validation) are
vermillion with ✗ and the error code; failed checks are named next to the party that
made them. ``upto`` reveals the diagram up to the delivery of one exchange without moving
anything, so a player can step through it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from nutssim.trace import Trace
from nutssim.views import styles
from nutssim.views.load import as_trace
from nutssim.views.summary import error_code, network_failure, response_label
from nutssim.views.svg import Picture, display_picture, matplotlib_missing
from nutssim.views.svg_sequence import highlight_call, sequence_svg, sequence_title
from nutssim.views.timeline import (
    GROUP_GAP,
    Call,
    Layout,
    PendingCall,
    layout,
    request_note,
    revealed,
    visible_ancestor,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

HEADER_ROWS = 3.0  # room for the lifeline headers above the first arrow
INCH_PER_ROW = 0.42
INCH_PER_LIFELINE = 2.4
BAR = 0.045  # half width of an activation bar
FONT = 10.0
FOOTER_AFTER_ROWS = 24  # repeat lifeline names at the bottom of taller diagrams
#: Lifeline spacing as a share of INCH_PER_LIFELINE, for one rendering (``narrow=`` of the renderers):
#: a narrower figure scaled to a screen's width shows its text larger (the Player uses 0.75).
NARROW: ContextVar[float] = ContextVar("narrow", default=1.0)


# -- drawing -----------------------------------------------------------------------------------------


def draw_sequence(
    trace: Any,
    ax: Axes | None = None,
    upto: int | None = None,
    highlight: int | None = None,
    fold: bool = False,
    *,
    pending: Sequence[PendingCall] = (),
    title: str | None = None,
) -> Axes | Picture:
    """Draw the sequence diagram of a trace (or its export) and return the ``Axes``.

    Without an ``ax`` where matplotlib cannot be imported (the browser edition), the same diagram
    is drawn as SVG (``views/svg_sequence.py``), shown in the notebook and returned as a ``Picture``.
    """
    if ax is None and matplotlib_missing():
        return display_picture(sequence_svg(trace, upto, highlight, fold, pending=pending, title=title))
    trace = as_trace(trace)
    lay = layout(trace, fold=fold, pending=pending)
    ax = ax if ax is not None else _new_axes(lay)
    shown = revealed(lay.order, upto)
    _frame(ax, lay)
    _draw_groups(ax, trace, lay)
    _draw_lifelines(ax, trace, lay)
    mark = highlight_call(lay, highlight)
    if mark is not None:
        _draw_highlight(ax, lay, mark, shown)
    for call in lay.calls:
        if call.visible and ("req", call.key) in shown:
            _draw_call(ax, lay, call, shown, emphasis=call is mark)
    _draw_times(ax, lay, shown)
    ax.set_title(
        title if title is not None else sequence_title(trace),
        loc="left",
        fontsize=FONT + 2,
        color=_title_colour(trace) if title is None or title == sequence_title(trace) else styles.INK,
        pad=8,
    )
    return ax


sequence = draw_sequence


def figure_size(lay: Layout) -> tuple[float, float]:
    """Inches for a readable figure: width per lifeline (narrowed by ``narrow``), height per row."""
    per_lane = INCH_PER_LIFELINE * NARROW.get()
    width = max(8.0 * NARROW.get(), per_lane * (len(lay.lanes) + GROUP_GAP * len(lay.groups)) + 0.6)
    height = max(3.0, INCH_PER_ROW * (lay.rows + HEADER_ROWS + 1.6) + 0.5)
    return width, height


def _new_axes(lay: Layout) -> Axes:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figure_size(lay))
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.55 / fig.get_figheight(), bottom=0.01)
    return ax


def _frame(ax: Axes, lay: Layout) -> None:
    right = max(lay.x.values(), default=0.0)
    ax.set_xlim(-0.6, right + 0.6)
    ax.set_ylim(lay.rows + (1.9 if lay.rows > FOOTER_AFTER_ROWS else 1.3), -HEADER_ROWS)
    ax.set_axis_off()


def _draw_times(ax: Axes, lay: Layout, shown: set[tuple[str, int]]) -> None:
    """Simulated time at the left margin, wherever it moved since the previous request."""
    start, last = None, None
    for kind, call in lay.order:
        if kind != "req" or call.exchange is None or not call.visible or ("req", call.key) not in shown:
            continue
        start = call.exchange.time if start is None else start
        if call.exchange.time != last:
            ax.text(
                -0.58,
                call.y_req,
                f"t+{call.exchange.time - start} s",
                ha="left",
                va="center",
                fontsize=FONT - 2,
                color=styles.MUTED,
                zorder=5,
                gid=f"time-{call.key}",
            )
            last = call.exchange.time


def _draw_groups(ax: Axes, trace: Trace, lay: Layout) -> None:
    from matplotlib.patches import FancyBboxPatch

    for key, members in lay.groups:
        if len(members) < 2:
            continue
        left, right = lay.x[members[0]] - 0.47, lay.x[members[-1]] + 0.47
        ax.add_patch(
            FancyBboxPatch(
                (left, -HEADER_ROWS + 0.05),
                right - left,
                lay.rows + HEADER_ROWS + 1.1,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=styles.GROUP_FILL,
                edgecolor="none",
                zorder=0,
                gid=f"group-{key}",
            )
        )
        ax.text(
            (left + right) / 2,
            -HEADER_ROWS + 0.12,
            _group_label(trace, key),
            ha="center",
            va="top",
            fontsize=FONT - 1,
            color=styles.MUTED,
            zorder=1,
        )


def _group_label(trace: Trace, key: str) -> str:
    info = trace.parties.get(key)
    return styles.host_label(info.host) if info else key


def _draw_lifelines(ax: Axes, trace: Trace, lay: Layout) -> None:
    bottom = lay.rows + 0.9
    for party in lay.lanes:
        x = lay.x[party]
        info = trace.parties.get(party)
        colour = styles.role_colour(info.role if info else "")
        ax.plot([x, x], [-0.5, bottom], color=styles.LIFELINE, lw=1.0, ls=(0, (4, 3)), zorder=1)
        _header(ax, x, -1.25, info, party, colour)
        if lay.rows > FOOTER_AFTER_ROWS:  # a tall diagram repeats the names at the bottom
            ax.text(
                x,
                bottom + 0.15,
                styles.display_name(info, party),
                ha="center",
                va="top",
                fontsize=FONT - 1,
                fontweight="bold",
                color=styles.MUTED,
                zorder=4,
            )


def _header(ax: Axes, x: float, y: float, info: Any, party: str, colour: str) -> None:
    name = "\n".join(textwrap.wrap(styles.display_name(info, party), 24)[:2])
    role = styles.role_label(info.role) if info else "not on the network"
    ax.text(
        x,
        y,
        name,
        ha="center",
        va="bottom",
        fontsize=FONT + 0.5,
        fontweight="bold",
        color=styles.INK,
        zorder=4,
        bbox={
            "boxstyle": "round,pad=0.35",
            "facecolor": styles.tint(colour, 0.75),
            "edgecolor": colour,
            "linewidth": 1.5,
        },
    )
    ax.text(x, y + 0.28, role, ha="center", va="top", fontsize=FONT - 1.5, color=styles.MUTED, zorder=4)


def _draw_highlight(ax: Axes, lay: Layout, call: Call, shown: set[tuple[str, int]]) -> None:
    bottom = call.y_resp if call.y_resp is not None and ("resp", call.key) in shown else call.y_req
    ax.axhspan(
        call.y_req - 0.62, bottom + 0.22, color=styles.HIGHLIGHT, zorder=0.5, gid=f"highlight-{call.key}"
    )


def _draw_call(ax: Axes, lay: Layout, call: Call, shown: set[tuple[str, int]], emphasis: bool) -> None:
    answered = call.y_resp is not None and ("resp", call.key) in shown
    end = call.y_resp if answered and call.y_resp is not None else _open_end(lay, shown)
    if (call.exchange is not None or call.key >= 0) and not _undelivered(call):
        _activation(ax, lay, call, end)
    _request_arrow(ax, lay, call, emphasis)
    if answered and call.exchange is not None:
        _response_arrow(ax, lay, call, emphasis)
        _checks_tag(ax, lay, call)


def _open_end(lay: Layout, shown: set[tuple[str, int]]) -> float:
    ys = [
        c.y_req if k == "req" or c.y_resp is None else c.y_resp
        for k, c in lay.order
        if c.visible and (k, c.key) in shown
    ]
    return (max(ys) if ys else 0.0) + 0.35


def _bar_x(lay: Layout, party: str, depth: int) -> float:
    return lay.x[party] + depth * BAR * 1.4


def _activation(ax: Axes, lay: Layout, call: Call, end: float) -> None:
    from matplotlib.patches import Rectangle

    x = _bar_x(lay, call.receiver, call.depth)
    colour = _party_colour(lay, call.receiver)
    failed = call.exchange is not None and (error_code(call.exchange) or call.exchange.failed_checks)
    ax.add_patch(
        Rectangle(
            (x - BAR, call.y_req),
            2 * BAR,
            max(end - call.y_req, 0.15),
            facecolor=styles.tint(colour, 0.55),
            edgecolor=styles.FAIL if failed else colour,
            linewidth=1.0,
            zorder=2,
            gid=f"activation-{call.key}",
        )
    )


def _party_colour(lay: Layout, party: str) -> str:
    info = lay.trace.parties.get(party)
    return styles.role_colour(info.role if info else "")


def _ends(lay: Layout, call: Call) -> tuple[float, float]:
    """x of the sender's and the receiver's activation edges for this call."""
    sender_depth = _sender_depth(lay, call)
    xs = _bar_x(lay, call.sender, sender_depth)
    xr = _bar_x(lay, call.receiver, call.depth)
    if _undelivered(call):  # dropped or unroutable: the arrow stops short of the receiver
        x1 = xs + (BAR if sender_depth >= 0 else 0) * (1 if xr >= xs else -1)
        return x1, x1 + 0.8 * (xr - x1)
    if xr >= xs:
        return xs + (BAR if sender_depth >= 0 else 0), xr - BAR
    return xs - (BAR if sender_depth >= 0 else 0), xr + BAR


def _undelivered(call: Call) -> bool:
    """Whether the network answered instead of the receiver (dropped, unknown host)."""
    return call.exchange is not None and network_failure(call.exchange) is not None


def _sender_depth(lay: Layout, call: Call) -> int:
    by_key = lay.by_key
    parent = visible_ancestor(by_key.get(call.parent), by_key) if call.parent is not None else None
    if parent is not None and parent.receiver == call.sender:
        return parent.depth
    return -1


def _request_arrow(ax: Axes, lay: Layout, call: Call, emphasis: bool) -> None:
    colour = styles.INK
    style = "-" if call.key >= 0 else (0, (2, 2))
    if call.sender == call.receiver:
        _self_arrow(
            ax, lay, call, call.y_req, colour, style, f"request-{call.key}", _request_text(call), emphasis
        )
        return
    x1, x2 = _ends(lay, call)
    _arrow(ax, x1, x2, call.y_req, colour, style, f"request-{call.key}", emphasis)
    _label(ax, x1, x2, call.y_req, _request_text(call), colour, emphasis, muted=request_note(call))
    if _undelivered(call):
        ax.text(
            x2 + 0.06 * (1 if x2 >= x1 else -1),
            call.y_req,
            styles.GLYPH_FAIL,
            ha="center",
            va="center",
            fontsize=FONT + 4,
            fontweight="bold",
            color=styles.FAIL,
            zorder=6,
            gid=f"lost-{call.key}",
        )


def _response_arrow(ax: Axes, lay: Layout, call: Call, emphasis: bool) -> None:
    assert call.exchange is not None and call.y_resp is not None
    failed = error_code(call.exchange) is not None
    colour = styles.FAIL if failed else styles.MUTED
    text = response_label(call.exchange)
    if call.sender == call.receiver:
        _self_arrow(ax, lay, call, call.y_resp, colour, "--", f"response-{call.key}", text, emphasis)
        return
    x2, x1 = _ends(lay, call)
    _arrow(ax, x1, x2, call.y_resp, colour, "--", f"response-{call.key}", emphasis or failed)
    _label(ax, x1, x2, call.y_resp, text, colour, emphasis or failed, size=FONT - 0.5)


def _arrow(ax: Axes, x1: float, x2: float, y: float, colour: str, style: Any, gid: str, bold: bool) -> None:
    ax.annotate(
        "",
        xy=(x2, y),
        xytext=(x1, y),
        gid=gid,
        zorder=3,
        arrowprops={
            "arrowstyle": "-|>",
            "color": colour,
            "lw": 2.2 if bold else 1.3,
            "linestyle": style,
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 14,
        },
    )


def _self_arrow(
    ax: Axes, lay: Layout, call: Call, y: float, colour: str, style: Any, gid: str, text: str, bold: bool
) -> None:
    x = _bar_x(lay, call.receiver, call.depth) + BAR
    ax.annotate(
        "",
        xy=(x, y + 0.3),
        xytext=(x, y - 0.15),
        gid=gid,
        zorder=3,
        arrowprops={
            "arrowstyle": "-|>",
            "color": colour,
            "lw": 2.2 if bold else 1.3,
            "linestyle": style,
            "connectionstyle": "bar,fraction=-0.6",
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 12,
        },
    )
    ax.text(
        x + 0.3,
        y,
        _wrap(text, 0.9),
        ha="left",
        va="center",
        fontsize=FONT - 0.5,
        color=colour,
        zorder=5,
        fontweight="bold" if bold else "normal",
    )


def _label(
    ax: Axes,
    x1: float,
    x2: float,
    y: float,
    text: str,
    colour: str,
    bold: bool,
    *,
    size: float = FONT,
    muted: str = "",
) -> None:
    span = abs(x2 - x1)
    wrapped = _wrap(text, span)
    ax.text(
        (x1 + x2) / 2,
        y - 0.1,
        wrapped,
        ha="center",
        va="bottom",
        fontsize=size,
        color=colour,
        zorder=5,
        fontweight="bold" if bold else "normal",
        linespacing=1.05,
        bbox={"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
    )
    if muted:
        ax.text(
            (x1 + x2) / 2,
            y + 0.1,
            _wrap(muted, span),
            ha="center",
            va="top",
            fontsize=size - 1.5,
            color=styles.MUTED,
            style="italic",
            zorder=5,
        )


def _wrap(text: str, span: float) -> str:
    width = max(20, int(span * INCH_PER_LIFELINE * NARROW.get() * 13))  # ~13 characters an inch at 10 pt
    lines = textwrap.wrap(text, width, break_long_words=True) or [text]
    if len(lines) > 3:
        lines = [*lines[:2], lines[2][: width - 1] + "…"]
    return "\n".join(lines)


def _request_text(call: Call) -> str:
    prefix = f"{call.key}. " if call.key >= 0 else f"{styles.GLYPH_PENDING} next: "
    return prefix + call.label


def _checks_tag(ax: Axes, lay: Layout, call: Call) -> None:
    """Next to the handler: the first failed check (boxed, failure colour), else how many passed."""
    assert call.exchange is not None and call.y_resp is not None
    failed, checks = call.exchange.failed_checks, call.exchange.checks
    if not checks:
        return
    x = _bar_x(lay, call.receiver, call.depth)
    response_goes_left = lay.x[call.sender] < lay.x[call.receiver] or call.sender == call.receiver
    x, ha = (x + BAR + 0.04, "left") if response_goes_left else (x - BAR - 0.04, "right")
    if not failed:
        ax.text(
            x,
            call.y_resp - 0.35,
            f"{styles.GLYPH_PASS}{len(checks)}",
            ha=ha,
            va="center",
            fontsize=FONT - 1.5,
            color=styles.OK,
            zorder=6,
            gid=f"check-{call.key}",
        )
        return
    text = f"{styles.GLYPH_FAIL} {failed[0].id}" + (f" (+{len(failed) - 1})" if len(failed) > 1 else "")
    ax.text(
        x,
        call.y_resp,
        text,
        ha=ha,
        va="center",
        fontsize=FONT - 1,
        color=styles.FAIL,
        fontweight="bold",
        zorder=6,
        gid=f"check-{call.key}",
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": styles.FAIL, "linewidth": 0.8},
    )


def _title_colour(trace: Trace) -> str:
    status = (trace.outcome or {}).get("status")
    return styles.FAIL if status == "denied" else styles.INK
