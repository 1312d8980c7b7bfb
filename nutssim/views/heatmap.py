"""The catalogue as a grid: one row per case, one column per profile and control variant.

A cell's fill is what was *observed*: orange when access was granted, blue when it was
denied (with the error code written in the cell). A cell whose observation differs
from the case's expectation gets a vermillion frame, the ✗ glyph and the expected
outcome, so a failure never rests on colour alone (``styles``). Columns come in pairs
per profile: every control on, then each case's own control switched off (the
*vulnerable variant*); a case without a control has no cell there.

Records are read, never run: pass ``nutssim.catalogue.Record`` objects or their
``to_dict()`` rows (as ``nutssim cases --json`` prints them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nutssim.views.styles import (
    BLUE,
    FAIL,
    GLYPH_FAIL,
    GREY,
    INK,
    MUTED,
    ORANGE,
    SKY_BLUE,
    tint,
)
from nutssim.views.svg import Picture, Svg, display_picture, fit, matplotlib_missing, text_width

if TYPE_CHECKING:
    from matplotlib.axes import Axes

GRANTED_FILL = tint(ORANGE, 0.45)
DENIED_FILL = tint(SKY_BLUE, 0.55)
EMPTY_FILL = tint(GREY, 0.9)
BASE, VULNERABLE = "controls on", "case's control off"

#: Flows top to bottom: the token flows first, then what is done with the token.
FLOW_ORDER = ("s2s", "user", "resource", "trust")
ROW_HEIGHT = 0.27  # inches per case
COLUMN_WIDTH = 1.75  # inches per profile/variant column
LABEL_WIDTH = 3.4  # inches for the case ids
RIGHT_MARGIN = 0.9  # inches for the flow names
TOP_MARGIN = 1.0  # inches for the title and the column heads
BOTTOM_MARGIN = 0.5  # inches for the legend


@dataclass(frozen=True)
class Cell:
    """One run of one case: where it sits in the grid and what it showed."""

    case: str
    flow: str
    control: str | None
    profile: str
    variant: str
    observed: str
    observed_error: str | None
    expected: str
    expected_error: str | None
    passed: bool

    @property
    def column(self) -> tuple[str, str]:
        """The column key: profile name and control variant."""
        return self.profile, self.variant


def cells(records: Iterable[Any]) -> list[Cell]:
    """Normalise ``Record`` objects or their ``to_dict()`` rows into cells."""
    return [_cell(r) for r in records]


def _cell(record: Any) -> Cell:
    row = record if isinstance(record, Mapping) else record.to_dict()
    label = str(row["profile"]).split()
    return Cell(
        case=str(row["case"]),
        flow=str(row.get("flow") or ""),
        control=row.get("control"),
        profile=label[0],
        variant=VULNERABLE if len(label) > 1 else BASE,
        observed=str(row["observed_status"]),
        observed_error=row.get("observed_error"),
        expected=str(row["expected_status"]),
        expected_error=row.get("expected_error"),
        passed=bool(row["passed"]),
    )


def _order(values: Iterable[Any]) -> list[Any]:
    seen: dict[Any, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


def grid(found: list[Cell]) -> tuple[list[tuple[str, str, str | None]], list[tuple[str, str]]]:
    """Rows (flow, case, control) grouped by flow in protocol order, and columns (profile, variant)."""
    seen = _order(c.flow for c in found)
    flows = [f for f in FLOW_ORDER if f in seen] + [f for f in seen if f not in FLOW_ORDER]
    rows = []
    for flow in flows:
        ids = sorted({c.case for c in found if c.flow == flow})
        controls = {c.case: c.control for c in found}
        rows += [(flow, case, controls[case]) for case in ids]
    profiles = _order(c.profile for c in found)
    variants = [v for v in (BASE, VULNERABLE) if any(c.variant == v for c in found)]
    return rows, [(p, v) for p in profiles for v in variants]


def figure_size(records: Iterable[Any]) -> tuple[float, float]:
    """Inches that fit every row and column legibly."""
    rows, columns = grid(cells(records))
    width = LABEL_WIDTH + COLUMN_WIDTH * max(len(columns), 1) + RIGHT_MARGIN
    return width, TOP_MARGIN + BOTTOM_MARGIN + ROW_HEIGHT * max(len(rows), 1)


def draw_heatmap(records: Iterable[Any], ax: Axes | None = None) -> Axes | Picture:
    """Draw the case × profile/variant grid of ``records`` into ``ax`` (a new figure if None).

    Without an ``ax`` where matplotlib cannot be imported (the browser edition), the same grid is
    drawn as SVG (``heatmap_svg``), shown in the notebook and returned as a ``Picture``.
    """
    if ax is None and matplotlib_missing():
        return display_picture(heatmap_svg(records))
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    records = list(records)
    found = cells(records)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figure_size(records))
    rows, columns = grid(found)
    by_key = {(c.case, c.column): c for c in found}
    row_of = {case: i for i, (_, case, _) in enumerate(rows)}

    for (case, column), cell in by_key.items():
        _draw_cell(ax, Rectangle, row_of[case], columns.index(column), cell)
    for i, (_, case, _) in enumerate(rows):  # no run: the case has no control to switch off
        for j, column in enumerate(columns):
            if (case, column) not in by_key:
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor=EMPTY_FILL, edgecolor="white", linewidth=1))
                ax.text(j + 0.5, i + 0.5, "–", ha="center", va="center", fontsize=7, color=MUTED)

    _flow_separators(ax, rows, len(columns))
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(rows), 0)
    ax.set_yticks([i + 0.5 for i in range(len(rows))])
    ax.set_yticklabels([f"{case}  [{control}]" if control else case for _, case, control in rows], fontsize=7)
    ax.set_xticks([j + 0.5 for j in range(len(columns))])
    ax.set_xticklabels([f"{p}\n{v}" for p, v in columns], fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)

    failed = sum(not c.passed for c in found)
    ax.set_title(
        f"Failure catalogue: {len(rows)} cases, {len(found)} runs, "
        f"{failed} {'differs' if failed == 1 else 'differ'} from expectation",
        fontsize=10,
        color=FAIL if failed else INK,
        pad=30,
    )
    handles = [
        Patch(facecolor=GRANTED_FILL, edgecolor=GREY, label="granted"),
        Patch(facecolor=DENIED_FILL, edgecolor=GREY, label="denied (error code)"),
        Patch(facecolor=EMPTY_FILL, edgecolor=GREY, label="no vulnerable variant"),
        Line2D([], [], color=FAIL, linewidth=2.5, label=f"{GLYPH_FAIL} differs from expectation"),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=0.4,
        ncol=4,
        fontsize=7,
        frameon=False,
    )
    return ax


def _draw_cell(ax: Axes, rectangle: Any, i: int, j: int, cell: Cell) -> None:
    granted = cell.observed == "granted"
    fill = GRANTED_FILL if granted else DENIED_FILL
    ax.add_patch(rectangle((j, i), 1, 1, facecolor=fill, edgecolor="white", linewidth=1))
    text = "granted" if granted else (cell.observed_error or "denied")
    colour = INK if granted else BLUE
    if cell.passed:
        ax.text(j + 0.5, i + 0.5, _fit(text), ha="center", va="center", fontsize=6.5, color=colour)
        return
    ax.add_patch(rectangle((j + 0.03, i + 0.06), 0.94, 0.88, fill=False, edgecolor=FAIL, linewidth=2))
    wanted = cell.expected if cell.expected == "granted" else (cell.expected_error or cell.expected)
    text = f"{GLYPH_FAIL} {_fit(text, 30)}\nexpected {_fit(wanted, 26)}"
    ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=5.8, color=FAIL, linespacing=1.0)


def _fit(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flow_separators(ax: Axes, rows: list[tuple[str, str, str | None]], width: int) -> None:
    """A rule between flows and the flow's name at the right edge of its first row."""
    previous = None
    for i, (flow, _, _) in enumerate(rows):
        if flow != previous:
            if previous is not None:
                ax.axhline(i, color=INK, linewidth=1.2)
            ax.text(
                width + 0.05, i + 0.5, flow, ha="left", va="center", fontsize=8, color=MUTED, weight="bold"
            )
            previous = flow


def render_heatmap_png(records: Iterable[Any], *, dpi: int = 110) -> bytes:
    """Draw the heatmap into a PNG with the Agg canvas (no pyplot, no display)."""
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    records = list(records)
    width, height = figure_size(records)
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(
        left=LABEL_WIDTH / width,
        right=1 - RIGHT_MARGIN / width,
        top=1 - TOP_MARGIN / height,
        bottom=BOTTOM_MARGIN / height,
    )
    draw_heatmap(records, ax)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


# -- the same grid as SVG (no matplotlib) -----------------------------------------------------------------
ROW_PX, TALL_PX, COLUMN_PX = 30.0, 46.0, 200.0  # a row with a cell that differs has two lines
TOP_PX, BOTTOM_PX, FLOW_PX = 96.0, 48.0, 104.0  # title and column heads, legend, flow names
TITLE, TEXT, CELL, SMALL = 18.0, 14.0, 14.0, 13.0  # font sizes, pixels


def heatmap_svg(records: Iterable[Any]) -> Picture:
    """The case × profile/variant grid of ``records`` (``Record`` objects or their rows) as SVG."""
    found = cells(list(records))
    rows, columns = grid(found)
    names = [f"{case}  [{control}]" if control else case for _, case, control in rows]
    left = max((text_width(name, TEXT) for name in names), default=80.0) + 24
    width = left + COLUMN_PX * max(len(columns), 1) + FLOW_PX
    differs = {c.case for c in found if not c.passed}
    tops = [TOP_PX]
    for _, case, _ in rows:
        tops.append(tops[-1] + (TALL_PX if case in differs else ROW_PX))
    height = max(tops[-1], TOP_PX + ROW_PX) + BOTTOM_PX
    failed = sum(not c.passed for c in found)
    title = (
        f"Failure catalogue: {len(rows)} cases, {len(found)} runs, "
        f"{failed} {'differs' if failed == 1 else 'differ'} from expectation"
    )
    svg = Svg(width, height, label=title, css_class="nsv-heatmap")
    svg.rect(0, 0, width, height, fill="white")
    svg.text(width / 2, 26, title, size=TITLE, colour=FAIL if failed else INK)
    for j, (profile, variant) in enumerate(columns):
        svg.text(
            left + (j + 0.5) * COLUMN_PX, TOP_PX - 8, f"{profile}\n{variant}", size=TEXT, valign="bottom"
        )
    by_key = {(c.case, c.column): c for c in found}
    for i, (name, (_, case, _)) in enumerate(zip(names, rows, strict=True)):
        y, h = tops[i], tops[i + 1] - tops[i]
        svg.text(left - 10, y + h / 2, name, size=TEXT, anchor="end", colour=INK)
        for j, column in enumerate(columns):
            x = left + j * COLUMN_PX
            cell = by_key.get((case, column))
            if cell is None:  # no run: the case has no control to switch off
                svg.rect(x, y, COLUMN_PX, h, fill=EMPTY_FILL, stroke="white", cls="cell empty")
                svg.text(x + COLUMN_PX / 2, y + h / 2, "–", size=CELL, colour=MUTED)
            else:
                _svg_cell(svg, x, y, h, cell)
    _svg_flows(svg, rows, tops, left + COLUMN_PX * len(columns))
    _svg_legend(svg, width, height - BOTTOM_PX / 2)
    return svg.picture()


def _svg_cell(svg: Svg, x: float, y: float, h: float, cell: Cell) -> None:
    granted = cell.observed == "granted"
    state = "granted" if granted else "denied"
    css = f"cell {state}" + ("" if cell.passed else " differs")
    svg.rect(x, y, COLUMN_PX, h, fill=GRANTED_FILL if granted else DENIED_FILL, stroke="white", cls=css)
    text = "granted" if granted else (cell.observed_error or "denied")
    middle = (x + COLUMN_PX / 2, y + h / 2)
    if cell.passed:
        svg.text(*middle, fit(text, 24), size=CELL, colour=INK if granted else BLUE)
        return
    svg.rect(x + 3, y + 3, COLUMN_PX - 6, h - 6, fill="none", stroke=FAIL, stroke_width=2.4)
    wanted = cell.expected if cell.expected == "granted" else (cell.expected_error or cell.expected)
    two = f"{GLYPH_FAIL} {fit(text, 26)}\nexpected {fit(wanted, 22)}"
    svg.text(*middle, two, size=SMALL, colour=FAIL, bold=True)


def _svg_flows(svg: Svg, rows: list[tuple[str, str, str | None]], tops: list[float], right: float) -> None:
    """A rule between flows and the flow's name at the right edge of its first row."""
    previous = None
    for i, (flow, _, _) in enumerate(rows):
        if flow == previous:
            continue
        y = tops[i]
        if previous is not None:
            svg.line(0, y, right, y, stroke=INK, stroke_width=1.4)
        svg.text(right + 8, (y + tops[i + 1]) / 2, flow, size=TEXT, anchor="start", colour=MUTED, bold=True)
        previous = flow


def _svg_legend(svg: Svg, width: float, y: float) -> None:
    entries = [
        (GRANTED_FILL, None, "granted"),
        (DENIED_FILL, None, "denied (error code)"),
        (EMPTY_FILL, None, "no vulnerable variant"),
        ("none", FAIL, f"{GLYPH_FAIL} differs from expectation"),
    ]
    widths = [34 + text_width(label, TEXT) + 24 for *_, label in entries]
    x = (width - sum(widths)) / 2
    for (fill, frame, label), w in zip(entries, widths, strict=True):
        svg.rect(x, y - 8, 26, 16, fill=fill, stroke=frame or GREY, stroke_width=2.4 if frame else 1)
        svg.text(x + 34, y, label, size=TEXT, anchor="start", colour=INK)
        x += w
