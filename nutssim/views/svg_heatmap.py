"""The failure catalogue's grid as SVG, drawn without matplotlib from the same cells (``views/heatmap.py``).

One row per case, one column per profile and control variant; a cell's fill is what was
observed (orange granted, blue denied with its error code); a cell that differs from the
case's expectation gets a vermillion frame, ✗ and the expected outcome; a case without a
control has a grey ``–`` cell in the vulnerable column. Cells carry the class ``cell`` plus
``granted``/``denied`` and ``differs``, so tests and pages can find them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nutssim.views.heatmap import DENIED_FILL, EMPTY_FILL, GRANTED_FILL, Cell, cells, grid
from nutssim.views.styles import BLUE, FAIL, GLYPH_FAIL, GREY, INK, MUTED
from nutssim.views.svg import Picture, Svg, fit, text_width

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
                _cell(svg, x, y, h, cell)
    _flows(svg, rows, tops, left + COLUMN_PX * len(columns))
    _legend(svg, width, height - BOTTOM_PX / 2)
    return svg.picture()


def _cell(svg: Svg, x: float, y: float, h: float, cell: Cell) -> None:
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


def _flows(svg: Svg, rows: list[tuple[str, str, str | None]], tops: list[float], right: float) -> None:
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


def _legend(svg: Svg, width: float, y: float) -> None:
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
