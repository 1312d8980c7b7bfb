"""Where the trust graph's boxes and links go: columns, rows, lanes and the figure's extent.

Pure geometry over ``nutssim.trust.trust_graph`` (no matplotlib): which nodes and edges are
shown, their columns and rows, the lanes of links that run against the flow, and the size of
the picture. ``views/trust_graph.py`` draws what this decides.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any

import networkx as nx

from nutssim.trust.graph import short_did, trust_graph
from nutssim.views import styles

#: Column of each node kind, left to right (DIDs sit in their controller's column).
COLUMNS: dict[str, int] = {
    "certificate": -1,  # a chain takes -3 (root), -2 (intermediate), -1 (leaf): its node's ``column``
    "issuer": 0,
    "credential": 1,
    "holder": 2,
    "presentation": 3,
    "verifier": 4,
    "token": 5,
    "claim": 6,
}
COLUMN_TITLES: dict[int, str] = {
    -3: "root CA",
    -2: "intermediate CA",
    -1: "certificate",
    **dict(
        enumerate(("issuers", "credentials", "holders", "presentations", "verifiers", "tokens", "claims"))
    ),
}
KIND_COLOURS: dict[str, str] = {
    "certificate": styles.DARK_YELLOW,
    "issuer": styles.REDDISH_PURPLE,
    "credential": styles.BLUISH_GREEN,
    "holder": styles.BLUE,
    "presentation": styles.SKY_BLUE,
    "verifier": styles.BLACK,
    "token": styles.ORANGE,
    "claim": styles.GREY,
    "did": styles.GREY,
}
KIND_NAMES = {
    "certificate": "X.509 certificate",
    "issuer": "issuer",
    "credential": "credential",
    "holder": "holder (wallet)",
    "presentation": "presentation (VP)",
    "verifier": "verifier (authorization server)",
    "token": "access token",
    "claim": "introspection claim",
    "did": "DID",
}
WARN = styles.ORANGE
GLYPH_WARN = "⚠"
BOX_W, BOX_H = 3.7, 0.86  # node box, data units
COLUMN_GAP = 1.0  # between neighbouring boxes (wider where a broken link's label sits)
ROW_GAP = 1.15  # minimum distance between node centres in a column
LANE_GAP = 0.45  # between lanes of links that run against the flow
INCH_PER_UNIT = 0.6
TITLE_INCH, LEGEND_INCH = 0.7, 0.9  # room above the drawing for the title, below it for the legend
FONT = 10.5
WRAP = 28  # characters per label line
_SEVERITY = {"held": 0, "warning": 1, "broken": 2}
Bounds = tuple[float, float, float, float]
Point = tuple[float, float]


@dataclass(frozen=True)
class DrawnEdge:
    """An edge as drawn: its ends, attributes, style and route (``rad`` for arcs, ``lane`` above)."""

    source: str
    target: str
    key: str
    data: dict[str, Any]
    style: str
    rad: float = 0.0
    lane: int | None = None


# -- what is shown -------------------------------------------------------------------------------------------
def visible_nodes(graph: nx.MultiDiGraph, *, show_dids: bool = False, show_claims: bool = True) -> list[str]:
    """The nodes drawn, in trace order: DIDs only when asked or when a broken link touches one."""
    out = []
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind == "claim" and not show_claims:
            continue
        if kind == "did" and not show_dids and not _touches_break(graph, node):
            continue
        out.append(node)
    return sorted(out, key=lambda n: _rank(graph, n))


def _rank(graph: nx.MultiDiGraph, node: str) -> tuple[int, int]:
    return graph.nodes[node].get("order", 0), graph.nodes[node].get("rank", 0)


def _touches_break(graph: nx.MultiDiGraph, node: str) -> bool:
    edges = list(graph.in_edges(node, data=True)) + list(graph.out_edges(node, data=True))
    return any(not d.get("held", True) and d.get("relation") != "controls" for _, _, d in edges)


def edge_style(data: dict[str, Any]) -> str:
    """``held``, ``broken`` (a check failed) or ``warning`` (a gap nobody checked)."""
    if not data.get("held", True):
        return "broken" if data.get("noticed", True) else "warning"
    if data.get("relation") == "trusts" and data.get("constrained") is False:
        return "warning"
    return "held"


def drawn_edges(graph: nx.MultiDiGraph, shown: list[str], *, highlight: bool = True) -> list[DrawnEdge]:
    """The links drawn between shown nodes, in trace order: per direction only the worst one."""
    visible = set(shown)
    worst: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        if u not in visible or v not in visible or u == v or data.get("relation") == "controls":
            continue
        held = data.get("held", True)
        if held and data.get("relation") == "issued" and data.get("self_attested"):
            continue  # an unsigned self-attested credential: its label says so (PROTOCOL.md §1.0)
        if held and data.get("relation") == "token-issued-to":
            continue
        best = worst.get((u, v))
        if best is None or _SEVERITY[edge_style(data)] > _SEVERITY[edge_style(best[1])]:
            worst[(u, v)] = (key, data)  # e.g. revoked over issued, between one issuer and credential
    ordered = sorted(worst.items(), key=lambda e: (e[1][1].get("order", 0), e[0], e[1][0]))
    out, routed = [], []
    for (u, v), (key, data) in ordered:
        style = edge_style(data) if highlight else "held"
        cu, cv = column_of(graph, u), column_of(graph, v)
        if cv < cu and (v, u) not in worst:
            routed.append(DrawnEdge(u, v, key, data, style))
            continue
        # A link each way between two nodes (a subject issues and holds its own credential): the
        # same curvature on both bends them to opposite sides.
        rad = 0.3 if (v, u) in worst else (0.5 if cv == cu else 0.0)
        out.append(DrawnEdge(u, v, key, data, style, rad=rad))
    # Nested lanes: the shortest span runs lowest, so brackets never cross each other.
    routed.sort(
        key=lambda e: (abs(column_of(graph, e.source) - column_of(graph, e.target)), _rank(graph, e.target))
    )
    out += [DrawnEdge(e.source, e.target, e.key, e.data, e.style, lane=i) for i, e in enumerate(routed)]
    return out


# -- where ---------------------------------------------------------------------------------------------------
def column_of(graph: nx.MultiDiGraph, node: str) -> int:
    """The column of a node; a DID goes to its controller's column."""
    data = graph.nodes[node]
    if data.get("kind") == "did":
        owners = [u for u, _, d in graph.in_edges(node, data=True) if d.get("relation") == "controls"]
        return column_of(graph, owners[0]) if owners else 0
    if data.get("kind") == "certificate":
        return int(data.get("column", COLUMNS["certificate"]))
    return COLUMNS.get(str(data.get("kind")), 0)


def trust_layout(
    graph: nx.MultiDiGraph, nodes: list[str] | None = None, edges: list[DrawnEdge] | None = None
) -> dict[str, Point]:
    """Deterministic layered positions: columns by kind, rows pulled level with their neighbours."""
    nodes = nodes if nodes is not None else visible_nodes(graph)
    edges = edges if edges is not None else drawn_edges(graph, nodes)
    columns: dict[int, list[str]] = {}
    for node in nodes:  # already in trace order
        columns.setdefault(column_of(graph, node), []).append(node)
    y = {node: -ROW_GAP * i for column in columns.values() for i, node in enumerate(column)}
    neighbours = _neighbours(graph, set(nodes))
    order = sorted(columns)
    for sweep in (order, order[::-1], order, order[::-1]):  # barycentre sweeps, fixed in number
        for index in sweep:
            wanted = {}
            for node in columns[index]:
                near = [y[m] for m in neighbours[node] if column_of(graph, m) != index]
                wanted[node] = sum(near) / len(near) if near else y[node]
            _spread(columns[index], wanted, y, graph)
    top = max(y.values(), default=0.0)
    xs = column_x(graph, nodes, edges)
    return {n: (xs[column_of(graph, n)], y[n] - top) for n in nodes}


def _neighbours(graph: nx.MultiDiGraph, shown: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {n: [] for n in shown}
    for u, v, data in graph.edges(data=True):
        if (
            u in shown
            and v in shown
            and data.get("relation") not in ("trusts", "token-issued-to", "controls")
        ):
            out[u].append(v)
            out[v].append(u)
    return out


def _spread(column: list[str], wanted: dict[str, float], y: dict[str, float], graph: nx.MultiDiGraph) -> None:
    """Place a column's nodes in the order of their wanted heights, at least ROW_GAP apart."""
    ranked = sorted(column, key=lambda n: (-wanted[n], *_rank(graph, n)))
    placed: list[float] = []
    for node in ranked:
        placed.append(min(wanted[node], placed[-1] - ROW_GAP) if placed else wanted[node])
    shift = (sum(wanted[n] for n in ranked) - sum(placed)) / len(ranked) if ranked else 0.0
    for node, value in zip(ranked, placed, strict=True):
        y[node] = value + shift


def column_x(graph: nx.MultiDiGraph, nodes: list[str], edges: list[DrawnEdge]) -> dict[int, float]:
    """Column centres; an empty column takes no room, a gap widens to hold a broken link's label."""
    used = sorted({column_of(graph, n) for n in nodes})
    gaps = dict.fromkeys(used, COLUMN_GAP)
    for edge in edges:
        if edge.lane is not None or edge.rad or edge.style == "held":
            continue
        low, high = sorted(
            (used.index(column_of(graph, edge.source)), used.index(column_of(graph, edge.target)))
        )
        if high - low == 1:
            gaps[used[low]] = max(gaps[used[low]], label_width(edge_label(edge.data)) + 1.2)
    out, x = {}, 0.0
    for column in used:
        out[column] = x
        x += BOX_W + gaps[column]
    return out


def label_width(text: str, font: float = FONT - 1) -> float:
    """Approximate width of a label in data units (bold sans: about 0.62 em per character)."""
    longest = max((len(line) for line in text.split("\n")), default=0)
    return longest * font * 0.62 / 72 / INCH_PER_UNIT


def label_height(text: str, font: float = FONT - 1) -> float:
    """Approximate height of a boxed label in data units."""
    return (text.count("\n") + 1) * font * 1.25 / 72 / INCH_PER_UNIT + 0.2


def lane_heights(positions: dict[str, Point], edges: list[DrawnEdge]) -> dict[int, float]:
    """The height of every lane above the boxes, each with room for its label; key -1 is the top of it all."""
    top = max((y for _, y in positions.values()), default=0.0) + BOX_H / 2
    out, y = {}, top
    for edge in sorted((e for e in edges if e.lane is not None), key=lambda e: e.lane or 0):
        half = label_height(edge_label(edge.data)) / 2 if edge.style != "held" else 0.15
        y += LANE_GAP + half
        out[edge.lane or 0] = y
        y += half
    out[-1] = y
    return out


def extent(positions: dict[str, Point], lanes: dict[int, float]) -> Bounds:
    """(xmin, xmax, ymin, ymax) of the boxes, the lanes and the column titles."""
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    top = max(max(ys) + BOX_H / 2, lanes.get(-1, 0.0))
    return min(xs) - BOX_W / 2 - 0.3, max(xs) + BOX_W / 2 + 0.3, min(ys) - BOX_H / 2 - 0.3, top + 0.75


def figure_size(bounds: Bounds) -> tuple[float, float]:
    """Inches for a figure where one data unit is INCH_PER_UNIT, with room for title and legend."""
    xmin, xmax, ymin, ymax = bounds
    return max(6.0, (xmax - xmin) * INCH_PER_UNIT), (ymax - ymin) * INCH_PER_UNIT + TITLE_INCH + LEGEND_INCH


def edge_label(data: dict[str, Any]) -> str:
    """The short label of a broken or unchecked link: glyph, reason, and the check that says so."""
    relation, check = data.get("relation"), data.get("check")
    if edge_style(data) == "warning":
        if relation == "trusts":
            return f"{GLYPH_WARN} no issuer constraint:\nany issuer is accepted"
        cause = "fail-open" if check in ("vc.revocation_list", "vc.x509.crl") else "not checked"
        return f"{GLYPH_WARN} revoked, not noticed\n({cause}{f': {check}' if check else ''})"
    reason = {
        "revoked": "certificate is revoked" if data.get("certificate") else "credential is revoked",
        "expired": "expired",
        "trusts": "issuer not trusted\n"
        + (
            "by the PD's $.issuer filter"
            if data.get("via") == "presentation definition"
            else "(not on the trust list)"
        ),
    }.get(str(relation))
    if reason is None and check == "vc.revocation_list":
        reason = "status list unreachable\n(fail closed)"
    if reason is None:
        reason = short_reason(str(data.get("reason") or "did not hold")).split(": ")[0]
    lines = [part for line in reason.split("\n") for part in textwrap.wrap(line, 30)][:2]
    return f"{styles.GLYPH_FAIL} " + "\n".join(lines) + (f"\n[{check}]" if check else "")


def short_reason(text: str) -> str:
    """Strip a reference error text down to its cause (no prefixes, ids, URLs or full DIDs)."""
    text = re.sub(r"^presentation\(s\) or credential\(s\) verification failed: ", "", text)
    text = re.sub(r"invalid VC \(id=[^)]*\): ", "", text)
    text = re.sub(r"https?://([^/\s]+)\S*", r"\1", text)
    text = re.sub(r"did:[a-z0-9]+:[^\s'\"]+", lambda m: short_did(m.group(0)), text)
    return text if len(text) <= 90 else text[:89] + "…"


def column_tops(graph: nx.MultiDiGraph, positions: dict[str, Point]) -> dict[str, float]:
    """For every node, the height of the highest node in its column."""
    highest: dict[int, float] = {}
    for node, (_, y) in positions.items():
        column = column_of(graph, node)
        highest[column] = max(highest.get(column, y), y)
    return {node: highest[column_of(graph, node)] for node in positions}


def broken_into(graph: nx.MultiDiGraph, node: str) -> bool:
    """Whether a noticed broken link ends at ``node`` (what broke, not the verifier that refused it)."""
    return any(
        not d.get("held", True) and d.get("noticed", True) and d.get("relation") != "verified-by"
        for _, _, d in graph.in_edges(node, data=True)
    )


def lane_corners(
    positions: dict[str, Point], lanes: dict[int, float], edge: DrawnEdge, *, from_above: bool
) -> list[Point]:
    """The corners of a lane's bracket: up from the source's top, across, down onto the target.

    It lands on the target's top when nothing in its column is above it, else on the upper
    part of its right side, coming down the gap beside the column; brackets nest, outer
    lanes leaving further right, so they never cross.
    """
    (xs, ys), (xt, yt) = positions[edge.source], positions[edge.target]
    index = edge.lane or 0
    lane = lanes[index]
    x_up = xs + 0.3 * index
    if from_above:
        x_down = xt + 0.3 * index
        return [(x_up, ys + BOX_H / 2), (x_up, lane), (x_down, lane), (x_down, yt + BOX_H / 2)]
    x_down = xt + BOX_W / 2 + 0.3 + 0.12 * index  # in the gap right of the target's column
    landing = yt + BOX_H / 4
    return [
        (x_up, ys + BOX_H / 2),
        (x_up, lane),
        (x_down, lane),
        (x_down, landing),
        (xt + BOX_W / 2, landing),
    ]


def rounded_corners(points: list[Point], radius: float) -> list[Point]:
    """A polyline with its corners cut into short quadratic curves (as straight-line samples)."""
    out = [points[0]]
    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        a = _towards(corner, before, radius)
        b = _towards(corner, after, radius)
        out.append(a)
        out += [_bezier(a, corner, b, t / 6) for t in range(1, 6)]
        out.append(b)
    out.append(points[-1])
    return out


def _towards(origin: Point, to: Point, distance: float) -> Point:
    dx, dy = to[0] - origin[0], to[1] - origin[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    step = min(distance, length / 2) / length
    return origin[0] + dx * step, origin[1] + dy * step


def _bezier(a: Point, c: Point, b: Point, t: float) -> Point:
    return (
        (1 - t) ** 2 * a[0] + 2 * (1 - t) * t * c[0] + t * t * b[0],
        (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * c[1] + t * t * b[1],
    )


def arc_middle(start: Point, end: Point, rad: float) -> Point:
    """The middle of matplotlib's ``arc3`` curve between two points (equal aspect): the chord's middle,
    pushed aside by ``rad``; also the control point's direction for a curve drawn without matplotlib."""
    (x1, y1), (x2, y2) = start, end
    return (x1 + x2) / 2 + 0.5 * rad * (y2 - y1), (y1 + y2) / 2 - 0.5 * rad * (x2 - x1)


def graph_title(graph: nx.MultiDiGraph) -> str:
    """``Trust graph · trust-revoked · nuts-node · seed 1 — denied (✗ invalid_request)``."""
    meta = graph.graph
    parts = ["Trust graph", *(str(meta[k]) for k in ("scenario", "profile") if meta.get(k))]
    if meta.get("seed") is not None:
        parts.append(f"seed {meta['seed']}")
    text = " · ".join(parts)
    outcome = meta.get("outcome") or {}
    if outcome.get("status"):
        text += f" — {outcome['status']}"
        error = outcome.get("error")
        if isinstance(error, dict) and error.get("error"):
            text += f" ({styles.GLYPH_FAIL} {error['error']})"
    return text


def as_graph(source: Any) -> nx.MultiDiGraph:
    """The trust graph of a graph (itself), a trace, its export, a simulation or a world."""
    if isinstance(source, nx.MultiDiGraph):
        return source
    from nutssim.trace import Trace

    if isinstance(source, Trace) or hasattr(source, "trace") or hasattr(source, "sim"):
        return trust_graph(source)
    from nutssim.views.load import as_trace

    return trust_graph(as_trace(source))
