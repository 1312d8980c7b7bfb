"""A small SVG writer for the pictures that must draw without matplotlib (the browser edition).

No numpy, no matplotlib: shapes and text go into a list of SVG elements with coordinates in
pixels, rounded to 0.1 so the same picture gives the same bytes. Text stays text (selectable,
searchable, sharp at any zoom); its width is estimated from the number of characters, so
boxes drawn round a label are a little generous. Arrowheads are polygons, not markers, and
nothing carries an ``id``: several pictures inline on one page never clash.

``Picture`` wraps the finished SVG for a notebook (``_repr_svg_``) and for files; the
``draw_*`` views return one when they were called without an ``Axes`` and matplotlib cannot
be imported (``matplotlib_missing``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif"
#: Average advance of a character, in em (sans-serif; bold is wider), for boxes round labels.
CHAR_EM, BOLD_EM = 0.56, 0.62
LINE_EM = 1.22  # distance between the baselines of two lines of one label


@cache
def _import_fails() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return True
    return False


def matplotlib_missing() -> bool:
    """Whether matplotlib cannot be imported here (Pyodide offline: no numpy, so no matplotlib)."""
    return _import_fails()


def n(value: float) -> str:
    """A coordinate as short, stable text: one decimal, no ``-0``, no trailing ``.0``."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def esc(text: object) -> str:
    """Text and attribute values escaped for XML."""
    return html.escape(str(text), quote=True)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width in pixels of the longest line of ``text`` at font ``size``."""
    longest = max((len(line) for line in text.split("\n")), default=0)
    return longest * size * (BOLD_EM if bold else CHAR_EM)


def text_height(text: str, size: float) -> float:
    """Height in pixels of ``text``'s lines at font ``size``."""
    return (text.count("\n") + 1) * size * LINE_EM


def _attrs(values: dict[str, Any]) -> str:
    parts = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = n(value)
        name = "class" if key == "cls" else key.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{esc(value)}"')
    return "".join(parts)


class Svg:
    """An SVG being drawn: elements appended in paint order, serialised by ``text``."""

    def __init__(self, width: float, height: float, *, label: str = "", css_class: str = "") -> None:
        self.width, self.height = width, height
        self.label = label
        self.css_class = css_class
        self.parts: list[str] = []

    def add(self, element: str) -> None:
        """Append raw SVG markup (already escaped)."""
        self.parts.append(element)

    def rect(self, x: float, y: float, w: float, h: float, **style: Any) -> None:
        """A rectangle (``rx`` rounds its corners)."""
        self.add(f"<rect{_attrs({'x': x, 'y': y, 'width': max(w, 0.0), 'height': max(h, 0.0), **style})}/>")

    def line(self, x1: float, y1: float, x2: float, y2: float, **style: Any) -> None:
        """A straight line."""
        self.add(f"<line{_attrs({'x1': x1, 'y1': y1, 'x2': x2, 'y2': y2, **style})}/>")

    def polyline(self, points: Sequence[tuple[float, float]], **style: Any) -> None:
        """An open polyline."""
        pts = " ".join(f"{n(x)},{n(y)}" for x, y in points)
        self.add(f"<polyline{_attrs({'points': pts, 'fill': 'none', **style})}/>")

    def path(self, d: str, **style: Any) -> None:
        """A path from its ``d`` data."""
        self.add(f"<path{_attrs({'d': d, **style})}/>")

    def arrowhead(
        self, tip: tuple[float, float], back: tuple[float, float], size: float, colour: str
    ) -> None:
        """A filled triangle at ``tip`` pointing away from ``back``, ``size`` pixels long."""
        (x, y), (bx, by) = tip, back
        angle = math.atan2(y - by, x - bx)
        half = size * 0.42
        ux, uy = math.cos(angle), math.sin(angle)
        base = (x - ux * size, y - uy * size)
        left = (base[0] - uy * half, base[1] + ux * half)
        right = (base[0] + uy * half, base[1] - ux * half)
        pts = " ".join(f"{n(px)},{n(py)}" for px, py in ((x, y), left, right))
        self.add(f'<polygon points="{pts}" fill="{colour}"/>')

    def arrow(
        self,
        points: Sequence[tuple[float, float]],
        colour: str,
        *,
        width: float = 1.3,
        dash: str | None = None,
        head: float = 10.0,
        cls: str | None = None,
    ) -> None:
        """A polyline ending in an arrowhead; the line stops where the head begins."""
        if len(points) < 2:
            return
        *body, (tx, ty) = points
        bx, by = body[-1]
        length = math.hypot(tx - bx, ty - by) or 1.0
        cut = min(head * 0.8, length)
        end = (tx - (tx - bx) * cut / length, ty - (ty - by) * cut / length)
        style = {"stroke": colour, "stroke_width": width, "stroke_dasharray": dash}
        self.add(f"<g{_attrs({'class': cls})}>")
        self.polyline([*body, end], **style)
        self.arrowhead((tx, ty), (bx, by), head, colour)
        self.add("</g>")

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        anchor: str = "middle",
        valign: str = "middle",
        colour: str = "#222222",
        bold: bool = False,
        italic: bool = False,
        halo: bool = False,
        cls: str | None = None,
    ) -> None:
        """Text, one ``tspan`` per line; ``valign`` (top, middle, bottom) places the block at ``y``."""
        lines = text.split("\n")
        step = size * LINE_EM
        block = step * (len(lines) - 1)
        first = {"top": y + size * 0.8, "bottom": y - block - size * 0.22}.get(
            valign, y - block / 2 + size * 0.35
        )
        attrs = {
            "x": x,
            "y": first,
            "font_size": size,
            "text_anchor": anchor,
            "fill": colour,
            "font_weight": "bold" if bold else None,
            "font_style": "italic" if italic else None,
            "class": cls,
        }
        if halo:  # a white outline under the glyphs: readable over lines, no box to estimate
            attrs.update(stroke="white", stroke_width=round(size * 0.28, 1), paint_order="stroke")
            attrs["stroke-linejoin"] = "round"
        spans = "".join(
            f'<tspan x="{n(x)}"{"" if i == 0 else f" dy={chr(34)}{n(step)}{chr(34)}"}>{esc(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        self.add(f"<text{_attrs(attrs)}>{spans}</text>")

    def boxed_text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        colour: str,
        fill: str = "white",
        edge: str | None = None,
        anchor: str = "middle",
        bold: bool = False,
        pad: float = 4.0,
        edge_width: float = 1.0,
        radius: float = 4.0,
        cls: str | None = None,
    ) -> tuple[float, float, float, float]:
        """Text centred vertically on ``y`` inside a rounded box; returns the box (x, y, w, h)."""
        w = text_width(text, size, bold=bold) + 2 * pad
        h = text_height(text, size) + pad
        left = {"start": x - pad, "end": x - w + pad}.get(anchor, x - w / 2)
        self.rect(
            left,
            y - h / 2,
            w,
            h,
            rx=radius,
            fill=fill,
            stroke=edge,
            stroke_width=edge_width if edge else None,
        )
        self.text(x, y, text, size=size, anchor=anchor, colour=colour, bold=bold, cls=cls)
        return left, y - h / 2, w, h

    def group(self, cls: str) -> None:
        """Open a ``<g class=…>`` (close it with ``end``)."""
        self.add(f'<g class="{esc(cls)}">')

    def end(self) -> None:
        """Close the last ``group``."""
        self.add("</g>")

    @property
    def text_value(self) -> str:
        """The whole SVG document (no XML prolog: it goes inline in HTML too)."""
        head = _attrs(
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "width": self.width,
                "height": self.height,
                "viewBox": f"0 0 {n(self.width)} {n(self.height)}",
                "class": self.css_class or None,
                "role": "img",
                "aria_label": self.label or None,
                "font_family": FONT_FAMILY,
            }
        )
        title = f"<title>{esc(self.label)}</title>" if self.label else ""
        return f"<svg{head}>{title}" + "".join(self.parts) + "</svg>"

    def picture(self) -> Picture:
        """The finished picture."""
        return Picture(self.text_value, self.width, self.height)


@dataclass(frozen=True)
class Picture:
    """A finished SVG picture: shows itself in a notebook, saves to a file."""

    svg: str
    width: float
    height: float

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        """Write the SVG to ``path`` (UTF-8)."""
        target = Path(path)
        target.write_text(self.svg, encoding="utf-8")
        return target


def window(svg: Picture, header: float, start: float, height: float, gap: float = 6.0) -> str:
    """``svg`` cut to its first ``header`` pixels plus a window of rows from ``start``, ``height`` tall.

    Two nested ``<svg>`` viewports onto the same drawing (each clips to its viewBox), with a
    dashed rule where rows are left out, so a long diagram keeps its natural aspect ratio.
    """
    from nutssim.views.styles import MUTED

    inner = svg.svg[svg.svg.index(">") + 1 : -len("</svg>")]
    w = svg.width
    rest = height - header - gap
    top = (
        f'<svg x="0" y="0" width="{n(w)}" height="{n(header)}" viewBox="0 0 {n(w)} {n(header)}">{inner}</svg>'
    )
    below = (
        f'<svg x="0" y="{n(header + gap)}" width="{n(w)}" height="{n(rest)}" '
        f'viewBox="0 {n(start)} {n(w)} {n(rest)}">{inner}</svg>'
    )
    rule = (
        f'<line x1="0" y1="{n(header + gap / 2)}" x2="{n(w)}" y2="{n(header + gap / 2)}" '
        f'stroke="{MUTED}" stroke-dasharray="6 6"/>'
    )
    head = svg.svg[: svg.svg.index(">") + 1]
    head = head.replace(f'height="{n(svg.height)}"', f'height="{n(height)}"', 1)
    head = head.replace(f'viewBox="0 0 {n(w)} {n(svg.height)}"', f'viewBox="0 0 {n(w)} {n(height)}"', 1)
    return (
        f'{head}<rect x="0" y="0" width="{n(w)}" height="{n(height)}" fill="white"/>{top}{rule}{below}</svg>'
    )


def display_picture(picture: Picture) -> Picture:
    """Display ``picture`` when running under IPython (a cell ending in ``;`` still shows it), return it."""
    try:
        from IPython import get_ipython
        from IPython.display import SVG, display
    except ImportError:
        return picture
    if get_ipython() is not None:
        display(SVG(data=picture.svg))
        return _Shown(picture.svg, picture.width, picture.height)
    return picture


class _Shown(Picture):
    """A picture already displayed: as a cell's value it shows nothing more (no second copy)."""

    def _ipython_display_(self) -> None:
        return None


def wrap(text: str, chars: int, lines: int = 3) -> str:
    """``text`` wrapped to ``chars`` per line, at most ``lines`` lines (the last cut with …)."""
    import textwrap

    out = textwrap.wrap(text, max(chars, 8), break_long_words=True) or [text]
    if len(out) > lines:
        out = [*out[: lines - 1], out[lines - 1][: max(chars, 8) - 1] + "…"]
    return "\n".join(out)


def fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one ``…`` when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
