"""The trust graph as SVG, drawn without matplotlib from the same layout (``views/trust_layout.py``).

Columns, rows, lanes, styles and labels are those of ``views/trust_graph.py``: held links grey,
a broken link vermillion with ✗, its reason and the failed check, a gap nobody checked orange
and dashed with ⚠, links against the flow in lanes above the columns. Boxes carry the class
``node``, links ``edge`` plus their style, so tests and pages can find them.
"""

from __future__ import annotations

from typing import Any

from nutssim.views import styles
from nutssim.views.svg import Picture, Svg, fit, text_width
from nutssim.views.trust_layout import (
    BOX_H,
    BOX_W,
    COLUMN_TITLES,
    COLUMNS,
    GLYPH_WARN,
    KIND_COLOURS,
    KIND_NAMES,
    WARN,
    WRAP,
    DrawnEdge,
    Point,
    arc_middle,
    as_graph,
    broken_into,
    column_of,
    column_tops,
    drawn_edges,
    edge_label,
    extent,
    graph_title,
    lane_corners,
    lane_heights,
    rounded_corners,
    trust_layout,
    visible_nodes,
)

UNIT = 64.0  # pixels per layout unit
TITLE_PX, LEGEND_PX = 48.0, 64.0  # room above the drawing for the title, below it for the legend
TITLE, NAME, SUB, REASON, SMALL = 20.0, 15.0, 14.0, 14.0, 14.0  # font sizes, pixels
PENS: dict[str, tuple[str, float, str | None]] = {
    "held": (styles.LIFELINE, 1.5, None),
    "broken": (styles.FAIL, 3.2, None),
    "warning": (WARN, 2.6, "8 5"),
}


class _Frame:
    """Data units (y up) to pixels (y down)."""

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        self.xmin, self.xmax, self.ymin, self.ymax = bounds

    def p(self, point: Point) -> tuple[float, float]:
        x, y = point
        return (x - self.xmin) * UNIT, TITLE_PX + (self.ymax - y) * UNIT

    @property
    def size(self) -> tuple[float, float]:
        return (self.xmax - self.xmin) * UNIT, TITLE_PX + (self.ymax - self.ymin) * UNIT + LEGEND_PX


def trust_svg(
    source: Any,
    highlight_broken: bool = True,
    *,
    show_dids: bool = False,
    show_claims: bool = True,
    title: str | None = None,
) -> Picture:
    """The trust graph (of a graph, trace, simulation or world) as an SVG ``Picture``.

    Same input, same bytes.
    """
    graph = as_graph(source)
    shown = visible_nodes(graph, show_dids=show_dids, show_claims=show_claims)
    edges = drawn_edges(graph, shown, highlight=highlight_broken)
    positions = trust_layout(graph, shown, edges)
    lanes = lane_heights(positions, edges)
    frame = _Frame(extent(positions, lanes))
    width, height = frame.size
    width = max(width, 560.0)
    heading = title if title is not None else graph_title(graph)
    svg = Svg(width, height, label=heading, css_class="nsv-trust")
    svg.rect(0, 0, width, height, fill="white")
    tops = column_tops(graph, positions)
    reasons: list[tuple[Point, DrawnEdge]] = []
    for edge in edges:  # links under the boxes, their reasons over everything
        if edge.lane is None:
            middle = _arc(svg, frame, positions, edge)
        else:
            middle = _lane(
                svg, frame, positions, lanes, edge, from_above=positions[edge.target][1] >= tops[edge.target]
            )
        if middle is not None:
            reasons.append((middle, edge))
    for node in shown:
        _node(svg, frame, graph, node, positions[node], highlight_broken)
    for middle, edge in reasons:
        colour = PENS[edge.style][0]
        x, y = frame.p(middle)
        svg.boxed_text(
            x,
            y,
            edge_label(edge.data),
            size=REASON,
            colour=colour,
            edge=colour,
            bold=True,
            pad=6,
            edge_width=1.4,
            cls=f"reason {edge.style}",
        )
    xs = {column_of(graph, n): positions[n][0] for n in shown}
    for column, x in sorted(xs.items()):
        px, py = frame.p((x, frame.ymax - 0.15))
        svg.text(
            px, py, COLUMN_TITLES[column].upper(), size=SMALL, valign="top", colour=styles.MUTED, bold=True
        )
    _legend(svg, graph, shown, edges, height - LEGEND_PX + 18)
    denied = (graph.graph.get("outcome") or {}).get("status") == "denied"
    svg.text(10, 28, heading, size=TITLE, anchor="start", colour=styles.FAIL if denied else styles.INK)
    return svg.picture()


def _node(svg: Svg, frame: _Frame, graph: Any, node: str, xy: Point, highlight: bool) -> None:
    data = graph.nodes[node]
    colour = KIND_COLOURS.get(str(data.get("kind")), styles.GREY)
    hit = highlight and broken_into(graph, node)
    x, y = frame.p((xy[0] - BOX_W / 2, xy[1] + BOX_H / 2))
    svg.rect(
        x,
        y,
        BOX_W * UNIT,
        BOX_H * UNIT,
        rx=9,
        fill=styles.tint(colour, 0.82),
        stroke=styles.FAIL if hit else colour,
        stroke_width=2.6 if hit else 1.5,
        cls="node broken" if hit else "node",
    )
    lines = str(data.get("label", node)).split("\n")
    sub = fit(lines[1], WRAP + 6) if len(lines) > 1 else ""
    cx, cy = frame.p(xy)
    svg.text(cx, cy - (9 if sub else 0), fit(lines[0], WRAP), size=NAME, bold=True)
    if sub:
        svg.text(cx, cy + 12, sub, size=SUB, colour=styles.MUTED)


def _inside(point: Point, centre: Point, margin: float) -> bool:
    return abs(point[0] - centre[0]) <= BOX_W / 2 + margin and abs(point[1] - centre[1]) <= BOX_H / 2 + margin


def _arc(svg: Svg, frame: _Frame, positions: dict[str, Point], edge: DrawnEdge) -> Point | None:
    """A curved link (matplotlib's ``arc3``: a quadratic Bézier) from box edge to box edge."""
    start, end = positions[edge.source], positions[edge.target]
    (x1, y1), (x2, y2) = start, end
    control = ((x1 + x2) / 2 + edge.rad * (y2 - y1), (y1 + y2) / 2 - edge.rad * (x2 - x1))
    samples = [_quad(start, control, end, t / 80) for t in range(81)]
    margin = 3 / UNIT  # the gap between a box and its link's ends
    kept = [p for p in samples if not _inside(p, start, margin) and not _inside(p, end, margin)]
    if len(kept) < 2:
        return None
    colour, width, dash = PENS[edge.style]
    if edge.style == "held":
        width = 1.5
    svg.arrow([frame.p(p) for p in kept], colour, width=width, dash=dash, head=12, cls=f"edge {edge.style}")
    return arc_middle(start, end, edge.rad) if edge.style != "held" else None


def _quad(a: Point, c: Point, b: Point, t: float) -> Point:
    return (
        (1 - t) ** 2 * a[0] + 2 * (1 - t) * t * c[0] + t * t * b[0],
        (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * c[1] + t * t * b[1],
    )


def _lane(
    svg: Svg,
    frame: _Frame,
    positions: dict[str, Point],
    lanes: dict[int, float],
    edge: DrawnEdge,
    *,
    from_above: bool,
) -> Point | None:
    """A bracket above the columns for a link against the flow; a held one is captioned ``trusts``."""
    corners = lane_corners(positions, lanes, edge, from_above=from_above)
    colour, width, dash = PENS[edge.style]
    if edge.style == "held":
        dash = "3 4"  # a link against the flow reads as an annotation
    svg.arrow(
        [frame.p(p) for p in rounded_corners(corners, 0.2)],
        colour,
        width=width,
        dash=dash,
        head=12,
        cls=f"edge lane {edge.style}",
    )
    (x_up, lane), (x_down, _) = corners[1], corners[2]
    if edge.style != "held":
        return (x_up + x_down) / 2, lane
    caption = "trusts" if edge.data.get("relation") == "trusts" else str(edge.data.get("relation"))
    x, y = frame.p(((x_up + x_down) / 2, lane))
    svg.text(x, y - 4, caption, size=SMALL, valign="bottom", colour=styles.MUTED, italic=True, halo=True)
    return None


def _legend(svg: Svg, graph: Any, shown: list[str], edges: list[DrawnEdge], y: float) -> None:
    """Swatches in one row under the drawing (wrapping onto a second when the picture is narrow)."""
    kinds = [k for k in (*COLUMNS, "did") if any(graph.nodes[n].get("kind") == k for n in shown)]
    entries: list[tuple[str, str, str | None, str]] = [
        ("box", KIND_COLOURS[k], None, KIND_NAMES[k]) for k in kinds
    ]
    entries.append(("line", styles.LIFELINE, None, "link that held"))
    used = {e.style for e in edges}
    if "broken" in used:
        entries.append(("line", styles.FAIL, None, f"{styles.GLYPH_FAIL} broken [failed check]"))
    if "warning" in used:
        entries.append(("line", WARN, "8 5", f"{GLYPH_WARN} gap nobody checked"))
    widths = [34 + text_width(label, SMALL) + 22 for *_, label in entries]
    rows: list[list[int]] = [[]]
    for i, w in enumerate(widths):
        if rows[-1] and sum(widths[j] for j in rows[-1]) + w > svg.width - 20:
            rows.append([])
        rows[-1].append(i)
    for r, row in enumerate(rows):
        x = (svg.width - sum(widths[i] for i in row)) / 2
        yy = y + r * 22
        for i in row:
            kind, colour, dash, label = entries[i]
            if kind == "box":
                svg.rect(
                    x, yy - 7, 26, 14, rx=3, fill=styles.tint(colour, 0.82), stroke=colour, stroke_width=1.4
                )
            else:
                svg.line(
                    x,
                    yy,
                    x + 26,
                    yy,
                    stroke=colour,
                    stroke_width=3 if colour == styles.FAIL else 2,
                    stroke_dasharray=dash,
                )
            svg.text(x + 34, yy, label, size=SMALL, anchor="start", colour=styles.INK)
            x += widths[i]
