"""The sequence diagram as SVG, drawn without matplotlib from the same layout (``views/timeline.py``).

What ``views/sequence.py`` draws on an ``Axes`` is drawn here in pixels: lifelines grouped per
node, a solid arrow per request labelled with its step, a dashed return arrow per response
labelled with its status, activation bars for nested calls, failures in vermillion with ✗
and their error code, the first failed check boxed beside the party that made it, and the
simulated time in the left margin. ``upto``, ``highlight``, ``fold``, ``pending`` and
``title`` mean what they mean there. Every arrow, bar and tag carries a class naming its
exchange (``request-3``, ``response-3``, ``check-3``, …) so tests and pages can find it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nutssim.trace import Trace
from nutssim.views import styles
from nutssim.views.load import as_trace
from nutssim.views.summary import error_code, network_failure, response_label
from nutssim.views.svg import BOLD_EM, CHAR_EM, Picture, Svg, text_width, wrap
from nutssim.views.timeline import Call, Layout, PendingCall, layout, request_note, revealed, visible_ancestor

HEADER_ROWS = 3.0  # rows above the first arrow for the lifeline headers (as sequence.py)
FOOTER_AFTER_ROWS = 24  # a taller diagram repeats the lifeline names at the bottom
LANE_PX = 240.0  # pixels between neighbouring lifelines at ``narrow`` 1
ROW_PX = 44.0  # pixels per layout row
TITLE_PX = 40.0  # room above the headers for the title
MARGIN = 0.6  # lifeline units left of the first and right of the last lifeline
BAR = 5.0  # half width of an activation bar, pixels
#: Font sizes in pixels: at least 14 for anything a room reads (a 1280-wide projector shows 1:1).
TITLE, HEADER, LABEL, RESPONSE, NOTE, SMALL = 19.0, 16.0, 16.0, 15.0, 14.0, 14.0


@dataclass(frozen=True)
class Geometry:
    """Pixels of one rendering: lifeline spacing and where layout units land."""

    lane: float
    rows: float

    def x(self, units: float) -> float:
        """Pixel column of a lifeline position."""
        return (units + MARGIN) * self.lane

    def y(self, row: float) -> float:
        """Pixel row of a layout row (negative rows are the header area)."""
        return TITLE_PX + (row + HEADER_ROWS) * ROW_PX


def size(lay: Layout, narrow: float = 1.0) -> tuple[float, float]:
    """Width and height in pixels of the diagram of ``lay``."""
    geo = Geometry(LANE_PX * narrow, lay.rows)
    right = max(lay.x.values(), default=0.0)
    bottom = lay.rows + (1.9 if lay.rows > FOOTER_AFTER_ROWS else 1.3)
    return max(geo.x(right + MARGIN), 640.0 * narrow), geo.y(bottom)


def sequence_svg(
    trace: Any,
    upto: int | None = None,
    highlight: int | None = None,
    fold: bool = False,
    *,
    pending: Sequence[PendingCall] = (),
    title: str | None = None,
    narrow: float = 1.0,
) -> Picture:
    """The sequence diagram of a trace (or its export) as an SVG ``Picture``; same input, same bytes."""
    trace = as_trace(trace)
    lay = layout(trace, fold=fold, pending=pending)
    width, height = size(lay, narrow)
    geo = Geometry(LANE_PX * narrow, lay.rows)
    heading = title if title is not None else sequence_title(trace)
    svg = Svg(width, height, label=heading, css_class="nsv-sequence")
    svg.rect(0, 0, width, height, fill="white")
    shown = revealed(lay.order, upto)
    _groups(svg, geo, trace, lay)
    _lifelines(svg, geo, trace, lay)
    mark = highlight_call(lay, highlight)
    if mark is not None:
        bottom = mark.y_resp if mark.y_resp is not None and ("resp", mark.key) in shown else mark.y_req
        top = geo.y(mark.y_req - 0.62)
        svg.rect(
            0, top, width, geo.y(bottom + 0.22) - top, fill=styles.HIGHLIGHT, cls=f"highlight-{mark.key}"
        )
    draw = _Drawing(svg, geo, lay, shown)
    for call in lay.calls:  # bars first, so every arrow and label lies on top of them
        if call.visible and ("req", call.key) in shown:
            draw.activation(call)
    for call in lay.calls:
        if call.visible and ("req", call.key) in shown:
            draw.call(call, emphasis=call is mark)
    _times(svg, geo, lay, shown)
    denied = (trace.outcome or {}).get("status") == "denied" and heading == sequence_title(trace)
    svg.text(10, 26, heading, size=TITLE, anchor="start", colour=styles.FAIL if denied else styles.INK)
    return svg.picture()


def _groups(svg: Svg, geo: Geometry, trace: Trace, lay: Layout) -> None:
    for key, members in lay.groups:
        if len(members) < 2:
            continue
        left, right = geo.x(lay.x[members[0]] - 0.47), geo.x(lay.x[members[-1]] + 0.47)
        top = geo.y(-HEADER_ROWS + 0.05)
        svg.rect(left, top, right - left, geo.y(lay.rows + 1.15) - top, rx=8, fill=styles.GROUP_FILL)
        info = trace.parties.get(key)
        label = styles.host_label(info.host) if info else key
        svg.text((left + right) / 2, top + 5, label, size=SMALL, valign="top", colour=styles.MUTED)


def _lifelines(svg: Svg, geo: Geometry, trace: Trace, lay: Layout) -> None:
    bottom = lay.rows + 0.9
    for party in lay.lanes:
        x = geo.x(lay.x[party])
        info = trace.parties.get(party)
        colour = styles.role_colour(info.role if info else "")
        svg.line(x, geo.y(-0.5), x, geo.y(bottom), stroke=styles.LIFELINE, stroke_dasharray="4 3")
        chars = int(geo.lane * 0.9 / (HEADER * BOLD_EM))
        name = wrap(styles.display_name(info, party), chars, lines=2)
        box_bottom = geo.y(-1.25)
        lines = name.count("\n") + 1
        h = lines * HEADER * 1.22 + 8
        w = min(text_width(name, HEADER, bold=True) + 14, geo.lane * 0.96)
        svg.rect(
            x - w / 2,
            box_bottom - h,
            w,
            h,
            rx=6,
            fill=styles.tint(colour, 0.75),
            stroke=colour,
            stroke_width=1.5,
        )
        svg.text(x, box_bottom - h / 2, name, size=HEADER, bold=True)
        role = styles.role_label(info.role) if info else "not on the network"
        svg.text(x, box_bottom + 4, role, size=SMALL, valign="top", colour=styles.MUTED)
        if lay.rows > FOOTER_AFTER_ROWS:
            svg.text(
                x,
                geo.y(bottom + 0.15),
                styles.display_name(info, party),
                size=SMALL,
                valign="top",
                colour=styles.MUTED,
                bold=True,
            )


def _times(svg: Svg, geo: Geometry, lay: Layout, shown: set[tuple[str, int]]) -> None:
    """Simulated time at the left margin, wherever it moved since the previous request."""
    start, last = None, None
    for kind, call in lay.order:
        if kind != "req" or call.exchange is None or not call.visible or ("req", call.key) not in shown:
            continue
        start = call.exchange.time if start is None else start
        if call.exchange.time != last:
            text = f"t+{call.exchange.time - start} s"
            svg.text(
                4,
                geo.y(call.y_req),
                text,
                size=SMALL,
                anchor="start",
                colour=styles.MUTED,
                cls=f"time-{call.key}",
            )
            last = call.exchange.time


class _Drawing:
    """The calls of one diagram: bars, arrows, labels and check tags."""

    def __init__(self, svg: Svg, geo: Geometry, lay: Layout, shown: set[tuple[str, int]]) -> None:
        self.svg, self.geo, self.lay, self.shown = svg, geo, lay, shown
        self.by_key = lay.by_key

    def bar_x(self, party: str, depth: int) -> float:
        return self.geo.x(self.lay.x[party]) + depth * BAR * 1.4

    def activation(self, call: Call) -> None:
        if not ((call.exchange is not None or call.key >= 0) and not _undelivered(call)):
            return
        answered = call.y_resp is not None and ("resp", call.key) in self.shown
        end = call.y_resp if answered and call.y_resp is not None else self._open_end()
        x = self.bar_x(call.receiver, call.depth)
        colour = self._colour(call.receiver)
        failed = call.exchange is not None and (error_code(call.exchange) or call.exchange.failed_checks)
        top = self.geo.y(call.y_req)
        self.svg.rect(
            x - BAR,
            top,
            2 * BAR,
            max(self.geo.y(end) - top, 6.0),
            fill=styles.tint(colour, 0.55),
            stroke=styles.FAIL if failed else colour,
            cls=f"activation-{call.key}",
        )

    def call(self, call: Call, emphasis: bool) -> None:
        answered = call.y_resp is not None and ("resp", call.key) in self.shown
        self._request(call, emphasis)
        if answered and call.exchange is not None:
            self._response(call, emphasis)
            self._checks(call)

    def _open_end(self) -> float:
        ys = [
            c.y_req if k == "req" or c.y_resp is None else c.y_resp
            for k, c in self.lay.order
            if c.visible and (k, c.key) in self.shown
        ]
        return (max(ys) if ys else 0.0) + 0.35

    def _colour(self, party: str) -> str:
        info = self.lay.trace.parties.get(party)
        return styles.role_colour(info.role if info else "")

    def _sender_depth(self, call: Call) -> int:
        parent = (
            visible_ancestor(self.by_key.get(call.parent), self.by_key) if call.parent is not None else None
        )
        return parent.depth if parent is not None and parent.receiver == call.sender else -1

    def _ends(self, call: Call) -> tuple[float, float]:
        """x of the sender's and the receiver's activation edges for this call."""
        depth = self._sender_depth(call)
        xs, xr = self.bar_x(call.sender, depth), self.bar_x(call.receiver, call.depth)
        edge = BAR if depth >= 0 else 0.0
        if _undelivered(call):  # dropped or unroutable: the arrow stops short of the receiver
            x1 = xs + edge * (1 if xr >= xs else -1)
            return x1, x1 + 0.8 * (xr - x1)
        return (xs + edge, xr - BAR) if xr >= xs else (xs - edge, xr + BAR)

    def _request(self, call: Call, emphasis: bool) -> None:
        dash = None if call.key >= 0 else "4 4"
        prefix = f"{call.key}. " if call.key >= 0 else f"{styles.GLYPH_PENDING} next: "
        text = prefix + call.label
        y = self.geo.y(call.y_req)
        if call.sender == call.receiver:
            self._self_arrow(call, y, styles.INK, dash, f"request-{call.key}", text, emphasis)
            return
        x1, x2 = self._ends(call)
        self.svg.arrow(
            [(x1, y), (x2, y)],
            styles.INK,
            width=2.4 if emphasis else 1.4,
            dash=dash,
            cls=f"request-{call.key}",
        )
        self._label(x1, x2, y, text, styles.INK, emphasis, LABEL, note=request_note(call))
        if _undelivered(call):
            mark = x2 + 8 * (1 if x2 >= x1 else -1)
            self.svg.text(
                mark,
                y,
                styles.GLYPH_FAIL,
                size=LABEL + 4,
                colour=styles.FAIL,
                bold=True,
                cls=f"lost-{call.key}",
            )

    def _response(self, call: Call, emphasis: bool) -> None:
        assert call.exchange is not None and call.y_resp is not None
        failed = error_code(call.exchange) is not None
        colour = styles.FAIL if failed else styles.MUTED
        text = response_label(call.exchange)
        y = self.geo.y(call.y_resp)
        if call.sender == call.receiver:
            self._self_arrow(call, y, colour, "6 4", f"response-{call.key}", text, emphasis)
            return
        x2, x1 = self._ends(call)
        bold = emphasis or failed
        self.svg.arrow(
            [(x1, y), (x2, y)], colour, width=2.4 if bold else 1.4, dash="6 4", cls=f"response-{call.key}"
        )
        self._label(x1, x2, y, text, colour, bold, RESPONSE)

    def _self_arrow(
        self, call: Call, y: float, colour: str, dash: str | None, cls: str, text: str, bold: bool
    ) -> None:
        x = self.bar_x(call.receiver, call.depth) + BAR
        out = x + 0.22 * self.geo.lane
        points = [
            (x, y - 0.15 * ROW_PX),
            (out, y - 0.15 * ROW_PX),
            (out, y + 0.3 * ROW_PX),
            (x, y + 0.3 * ROW_PX),
        ]
        self.svg.arrow(points, colour, width=2.4 if bold else 1.4, dash=dash, cls=cls)
        chars = int(0.9 * self.geo.lane / (RESPONSE * CHAR_EM))
        self.svg.text(
            out + 8, y, wrap(text, chars), size=RESPONSE, anchor="start", colour=colour, bold=bold, halo=True
        )

    def _label(
        self, x1: float, x2: float, y: float, text: str, colour: str, bold: bool, size_: float, note: str = ""
    ) -> None:
        # A request row holds two lines, a response row one: the whole label is in the inspector.
        chars = max(int(abs(x2 - x1) / (size_ * (BOLD_EM if bold else CHAR_EM))), 26)
        lines = 2 if size_ == LABEL else 1
        shown = wrap(text, max(chars, 44) if lines == 1 else chars, lines=lines)
        centre = (x1 + x2) / 2
        wide = text_width(shown, size_, bold=bold)
        if lines == 1 and wide > abs(x2 - x1):  # wider than its arrow: clear of the check tag at x1
            centre = x1 + (wide / 2 + 2) * (1 if x2 >= x1 else -1)
        self.svg.text(centre, y - 5, shown, size=size_, valign="bottom", colour=colour, bold=bold, halo=True)
        if note:
            self.svg.text(
                (x1 + x2) / 2,
                y + 4,
                wrap(note, max(int(abs(x2 - x1) / (NOTE * CHAR_EM)), 22), lines=1),
                size=NOTE,
                valign="top",
                colour=styles.MUTED,
                italic=True,
                halo=True,
            )

    def _checks(self, call: Call) -> None:
        """Next to the handler: the first failed check (boxed, failure colour), else how many passed."""
        assert call.exchange is not None and call.y_resp is not None
        failed, checks = call.exchange.failed_checks, call.exchange.checks
        if not checks:
            return
        x = self.bar_x(call.receiver, call.depth)
        lay = self.lay
        goes_left = lay.x[call.sender] < lay.x[call.receiver] or call.sender == call.receiver
        x, anchor = (x + BAR + 5, "start") if goes_left else (x - BAR - 5, "end")
        y = self.geo.y(call.y_resp)
        if not failed:
            text = f"{styles.GLYPH_PASS}{len(checks)}"
            self.svg.text(
                x,
                y - 0.35 * ROW_PX,
                text,
                size=SMALL,
                anchor=anchor,
                colour=styles.OK,
                cls=f"check-{call.key}",
            )
            return
        text = f"{styles.GLYPH_FAIL} {failed[0].id}" + (f" (+{len(failed) - 1})" if len(failed) > 1 else "")
        self.svg.boxed_text(
            x + (4 if anchor == "start" else -4),
            y,
            text,
            size=SMALL,
            colour=styles.FAIL,
            edge=styles.FAIL,
            anchor=anchor,
            bold=True,
            pad=4,
            cls=f"check-{call.key}",
        )


def _undelivered(call: Call) -> bool:
    """Whether the network answered instead of the receiver (dropped, unknown host)."""
    return call.exchange is not None and network_failure(call.exchange) is not None


def focus_rows(lay: Layout, narrow: float, **options: Any) -> tuple[float, float] | None:
    """Pixel rows (top, bottom) of the exchange a player keeps in view, as ``sequence_render`` does."""
    call = highlight_call(lay, options.get("highlight"))
    pending = [c for c in lay.calls if c.key < 0 and c.visible]
    if options.get("upto") is None and pending:
        call = pending[-1]
    if call is None:
        return None
    shown = revealed(lay.order, options.get("upto"))
    bottom = call.y_resp if call.y_resp is not None and ("resp", call.key) in shown else call.y_req
    geo = Geometry(LANE_PX * narrow, lay.rows)
    return geo.y(call.y_req - 0.62), geo.y(bottom + 0.22)


def header_rows(lay: Layout, narrow: float) -> float:
    """Pixel row where the lifeline headers end (the first arrow's label starts below it)."""
    # Just below the role names: a first label of two lines reaches nearly up to row 0.
    return Geometry(LANE_PX * narrow, lay.rows).y(-0.55)


def cut_rows(lay: Layout, narrow: float) -> list[float]:
    """Pixel rows where a window may start without slicing a label (just below an arrow)."""
    geo = Geometry(LANE_PX * narrow, lay.rows)
    ys = {geo.y(y + 0.1) for c in lay.calls if c.visible for y in (c.y_req, c.y_resp) if y is not None}
    return sorted(ys)


def highlight_call(lay: Layout, seq: int | None) -> Call | None:
    """The call to highlight for ``seq``: itself, or the visible call a folded one hides in."""
    if seq is None:
        return None
    by_key = lay.by_key
    return visible_ancestor(by_key.get(seq), by_key)


def sequence_title(trace: Trace, *, outcome: bool = True) -> str:
    """``scenario · profile · seed N — outcome`` (the outcome left out while stepping)."""
    meta = trace.meta
    parts = [str(meta.get("scenario") or "trace")]
    if meta.get("profile"):
        parts.append(str(meta["profile"]))
    if meta.get("seed") is not None:
        parts.append(f"seed {meta['seed']}")
    text = " · ".join(parts)
    result = (trace.outcome or {}) if outcome else {}
    if result.get("status"):
        text += f" — {result['status']}"
        error = result.get("error")
        if isinstance(error, dict) and error.get("error"):
            text += f" ({styles.GLYPH_FAIL} {error['error']})"
    return text
