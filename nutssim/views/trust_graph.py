"""The trust-graph picture: issuers → credentials → holders → presentations → verifiers → tokens → claims.

A layered drawing of ``nutssim.trust.trust_graph``: one column per kind of node, ordered
within a column by where each node first appears in the trace and then pulled level with
its neighbours, so the same run always draws the same way. Links that held are grey
arrows; a link that broke is vermillion with ✗, a short reason and the failed check; a gap
nobody checked (a revocation missed under fail-open, a PD without an issuer constraint) is
an orange dashed arrow with ⚠. Links against the flow (a verifier ``trusts`` an issuer)
run in lanes above the columns, so they never cross a box. A column gap widens to hold
the label of a broken link that crosses it. DIDs are hidden unless a broken link touches
one (``show_dids=True`` shows them all); a held ``token-issued-to`` link is not drawn (the
chain already shows who got the token).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx

from nutssim.views import styles
from nutssim.views.svg import Picture, display_picture, matplotlib_missing
from nutssim.views.trust_layout import (
    BOX_H,
    BOX_W,
    COLUMN_TITLES,
    COLUMNS,
    FONT,
    GLYPH_WARN,
    KIND_COLOURS,
    KIND_NAMES,
    LEGEND_INCH,
    TITLE_INCH,
    WARN,
    WRAP,
    Bounds,
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
    figure_size,
    graph_title,
    lane_corners,
    lane_heights,
    rounded_corners,
    trust_layout,
    visible_nodes,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def draw_trust_graph(
    graph: Any,
    ax: Axes | None = None,
    highlight_broken: bool = True,
    *,
    show_dids: bool = False,
    show_claims: bool = True,
    title: str | None = None,
) -> Axes | Picture:
    """Draw a trust graph (or the graph of a trace, simulation or world) and return the ``Axes``.

    Without an ``ax`` where matplotlib cannot be imported (the browser edition), the same graph is
    drawn as SVG (``views/svg_trust.py``), shown in the notebook and returned as a ``Picture``.
    """
    if ax is None and matplotlib_missing():
        from nutssim.views.svg_trust import trust_svg

        picture = trust_svg(
            graph, highlight_broken, show_dids=show_dids, show_claims=show_claims, title=title
        )
        return display_picture(picture)
    graph = as_graph(graph)
    shown = visible_nodes(graph, show_dids=show_dids, show_claims=show_claims)
    edges = drawn_edges(graph, shown, highlight=highlight_broken)
    positions = trust_layout(graph, shown, edges)
    lanes = lane_heights(positions, edges)
    bounds = extent(positions, lanes)
    ax = ax if ax is not None else _new_axes(bounds)
    _frame(ax, bounds)
    patches = {node: _draw_node(ax, graph, node, positions[node], highlight_broken) for node in shown}
    tops = column_tops(graph, positions)
    for edge in edges:
        if edge.lane is None:
            _draw_arc(ax, positions, patches, edge)
        else:
            _draw_lane(ax, positions, lanes, edge, from_above=positions[edge.target][1] >= tops[edge.target])
    _column_titles(ax, graph, shown, positions, bounds)
    _legend(ax, graph, shown, edges)
    ax.set_title(
        title if title is not None else graph_title(graph),
        loc="left",
        fontsize=FONT + 3,
        color=_title_colour(graph),
        pad=10,
    )
    return ax


def render_trust_png(source: Any, *, dpi: int = 100, **options: Any) -> bytes:
    """Draw the trust graph into a PNG with the Agg canvas (no pyplot, no display)."""
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    graph = as_graph(source)
    fig = Figure(figsize=trust_figure_size(graph, **options))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _adjust(fig)
    draw_trust_graph(graph, ax, **options)
    out = BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def trust_figure_size(graph: Any, **options: Any) -> tuple[float, float]:
    """Inches for a figure that shows the graph at INCH_PER_UNIT with room for title and legend."""
    graph = as_graph(graph)
    shown = visible_nodes(
        graph, show_dids=bool(options.get("show_dids")), show_claims=bool(options.get("show_claims", True))
    )
    edges = drawn_edges(graph, shown, highlight=bool(options.get("highlight_broken", True)))
    positions = trust_layout(graph, shown, edges)
    return figure_size(extent(positions, lane_heights(positions, edges)))


def _new_axes(bounds: Bounds) -> Axes:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figure_size(bounds))
    _adjust(fig)
    return ax


def _adjust(fig: Any) -> None:
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - TITLE_INCH / height, bottom=LEGEND_INCH / height)


def _frame(ax: Axes, bounds: Bounds) -> None:
    xmin, xmax, ymin, ymax = bounds
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")


# -- nodes ---------------------------------------------------------------------------------------------------
def _draw_node(ax: Axes, graph: nx.MultiDiGraph, node: str, xy: Point, highlight: bool) -> Any:
    from matplotlib.patches import FancyBboxPatch

    data = graph.nodes[node]
    colour = KIND_COLOURS.get(str(data.get("kind")), styles.GREY)
    x, y = xy
    hit = highlight and broken_into(graph, node)
    box = FancyBboxPatch(
        (x - BOX_W / 2, y - BOX_H / 2),
        BOX_W,
        BOX_H,
        boxstyle="round,pad=0,rounding_size=0.14",
        facecolor=styles.tint(colour, 0.82),
        edgecolor=styles.FAIL if hit else colour,
        linewidth=2.4 if hit else 1.4,
        zorder=3,
        gid=f"box:{node}",
    )
    ax.add_patch(box)
    lines = str(data.get("label", node)).split("\n")
    sub = _fit(lines[1], WRAP + 6) if len(lines) > 1 else ""
    ax.text(
        x,
        y + (0.14 if sub else 0.0),
        _fit(lines[0], WRAP),
        ha="center",
        va="center",
        fontsize=FONT,
        fontweight="bold",
        color=styles.INK,
        zorder=4,
        gid=f"node:{node}",
    )
    if sub:
        ax.text(x, y - 0.19, sub, ha="center", va="center", fontsize=FONT - 1.5, color=styles.MUTED, zorder=4)
    return box


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- edges ---------------------------------------------------------------------------------------------------
def _pen(edge: DrawnEdge) -> dict[str, Any]:
    pens: dict[str, tuple[str, float, Any]] = {
        "held": (styles.LIFELINE, 1.3, "-"),
        "broken": (styles.FAIL, 3.0, "-"),
        "warning": (WARN, 2.4, (0, (5, 3))),
    }
    colour, width, dash = pens[edge.style]
    if edge.style == "held" and edge.lane is not None:
        dash = (0, (2, 2.5))  # a link against the flow reads as an annotation
    return {
        "color": colour,
        "linewidth": width,
        "linestyle": dash,
        "zorder": 2 if edge.style == "held" else 5,
    }


def _draw_arc(ax: Axes, positions: dict[str, Point], patches: dict[str, Any], edge: DrawnEdge) -> None:
    from matplotlib.patches import FancyArrowPatch

    u, v = edge.source, edge.target
    ax.add_patch(
        FancyArrowPatch(
            positions[u],
            positions[v],
            patchA=patches[u],
            patchB=patches[v],
            connectionstyle=f"arc3,rad={edge.rad}",
            arrowstyle="-|>",
            mutation_scale=15,
            shrinkA=2,
            shrinkB=2,
            gid=f"edge:{u}->{v}:{edge.key}",
            **_pen(edge),
        )
    )
    if edge.style != "held":
        _reason(ax, *arc_middle(positions[u], positions[v], edge.rad), edge)


def _draw_lane(
    ax: Axes, positions: dict[str, Point], lanes: dict[int, float], edge: DrawnEdge, *, from_above: bool
) -> None:
    """A bracket from the source's top up to its lane, across, and down onto the target (``lane_corners``)."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    corners = lane_corners(positions, lanes, edge, from_above=from_above)
    (x_up, lane), (x_down, _) = corners[1], corners[2]
    ax.add_patch(
        FancyArrowPatch(
            path=Path(rounded_corners(corners, 0.2)),
            arrowstyle="-|>",
            mutation_scale=15,
            gid=f"edge:{edge.source}->{edge.target}:{edge.key}",
            **_pen(edge),
        )
    )
    if edge.style != "held":
        _reason(ax, (x_up + x_down) / 2, lane, edge)
    else:
        caption = "trusts" if edge.data.get("relation") == "trusts" else str(edge.data.get("relation"))
        ax.text(
            (x_up + x_down) / 2,
            lane + 0.06,
            caption,
            ha="center",
            va="bottom",
            fontsize=FONT - 2.5,
            color=styles.MUTED,
            style="italic",
            zorder=4,
        )


def _reason(ax: Axes, x: float, y: float, edge: DrawnEdge) -> None:
    colour = _pen(edge)["color"]
    ax.text(
        x,
        y,
        edge_label(edge.data),
        ha="center",
        va="center",
        fontsize=FONT - 1,
        color=colour,
        fontweight="bold",
        zorder=6,
        gid=f"reason:{edge.source}->{edge.target}:{edge.key}",
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": colour, "linewidth": 1.2},
    )


# -- titles and legend ---------------------------------------------------------------------------------------
def _column_titles(
    ax: Axes, graph: nx.MultiDiGraph, shown: list[str], positions: dict[str, Point], bounds: Bounds
) -> None:
    xs = {column_of(graph, n): positions[n][0] for n in shown}
    for column, x in sorted(xs.items()):
        ax.text(
            x,
            bounds[3] - 0.15,
            COLUMN_TITLES[column].upper(),
            ha="center",
            va="top",
            fontsize=FONT - 1,
            color=styles.MUTED,
            fontweight="bold",
        )


def _legend(ax: Axes, graph: nx.MultiDiGraph, shown: list[str], edges: list[DrawnEdge]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    kinds = [k for k in (*COLUMNS, "did") if any(graph.nodes[n].get("kind") == k for n in shown)]
    handles: list[Any] = [
        Patch(facecolor=styles.tint(KIND_COLOURS[k], 0.82), edgecolor=KIND_COLOURS[k], label=KIND_NAMES[k])
        for k in kinds
    ]
    handles.append(Line2D([], [], color=styles.LIFELINE, linewidth=1.5, label="link that held"))
    used = {e.style for e in edges}
    if "broken" in used:
        handles.append(
            Line2D([], [], color=styles.FAIL, linewidth=3, label=f"{styles.GLYPH_FAIL} broken [failed check]")
        )
    if "warning" in used:
        handles.append(
            Line2D(
                [],
                [],
                color=WARN,
                linewidth=2.4,
                linestyle=(0, (5, 3)),
                label=f"{GLYPH_WARN} gap nobody checked",
            )
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=min(len(handles), 6),
        fontsize=FONT - 1.5,
        frameon=False,
        handlelength=2.2,
    )


def _title_colour(graph: nx.MultiDiGraph) -> str:
    return styles.FAIL if (graph.graph.get("outcome") or {}).get("status") == "denied" else styles.INK
