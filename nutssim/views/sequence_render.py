"""The sequence diagram as files and views: PNG, inline SVG, and a window cropped around one step.

``views/sequence.py`` draws on a matplotlib ``Axes``; this module puts that drawing on the Agg
canvas for PNG and, for the player, crops it to the lifeline headers plus a window around the
highlighted exchange. SVG comes from ``views/svg_sequence.py`` (no matplotlib), whole or cut
to the same kind of window (``render_svg_view``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nutssim.views import styles
from nutssim.views.load import as_trace
from nutssim.views.sequence import NARROW, draw_sequence, figure_size, highlight_call
from nutssim.views.timeline import Layout, layout, revealed


def render_png(trace: Any, *, dpi: int = 100, **options: Any) -> bytes:
    """Draw the sequence diagram into a PNG with the Agg canvas (no pyplot, no display)."""
    return render_view(trace, dpi=dpi, **options).png


def render_svg(trace: Any, *, narrow: float = 1.0, **options: Any) -> str:
    """The sequence diagram as SVG text: zoomable, its labels real (selectable, searchable) text.

    Drawn by ``views/svg_sequence.py`` (no matplotlib, so it works in the browser edition too).
    Same input, same bytes: no date, no random ids.
    """
    from nutssim.views.svg_sequence import sequence_svg

    return sequence_svg(trace, narrow=narrow, **options).svg


def render_svg_view(
    trace: Any, *, max_height: int | None = None, narrow: float = 1.0, **options: Any
) -> SvgView:
    """The diagram as inline SVG at most ``max_height`` pixels tall, cut like ``render_view`` cuts its PNG:
    the lifeline headers, then a window of rows around the highlighted (or the pending) exchange."""
    from nutssim.views.svg import window
    from nutssim.views.svg_sequence import cut_rows, focus_rows, header_rows, sequence_svg

    trace = as_trace(trace)
    picture = sequence_svg(trace, narrow=narrow, **options)
    lay = layout(trace, fold=bool(options.get("fold")), pending=options.get("pending", ()))
    band = focus_rows(lay, narrow, **options)
    focus = (round(band[0]), round(band[1])) if band is not None else None
    height, header = round(picture.height), round(header_rows(lay, narrow))
    if max_height is None or height <= max_height or header + VIEW_GAP >= max_height:
        return SvgView(picture.svg, picture.width, picture.height, focus)
    cuts = [round(c) for c in cut_rows(lay, narrow)]
    start = window_start(height, header, max_height, focus, cuts)
    if start <= header + VIEW_GAP:  # the window joins the headers: one viewport from the top
        start = header
        text = window(picture, header, header, max_height, gap=0)
    else:
        text = window(picture, header, start, max_height, gap=VIEW_GAP)
    offset = 0 if start == header else header + VIEW_GAP - start
    moved = (focus[0] + offset, focus[1] + offset) if focus is not None else None
    return SvgView(text, picture.width, max_height, moved, skipped=start - header)


@dataclass(frozen=True)
class SvgView:
    """A diagram as SVG text, whole or cut to a window (the Player's picture without matplotlib)."""

    svg: str
    width: float
    height: float
    #: Pixel rows (top, bottom) of the focused exchange's band; None when nothing is focused.
    focus: tuple[int, int] | None
    #: Pixel rows of the whole diagram left out above the window.
    skipped: int = 0


def window_start(
    height: int, header: int, max_height: int, focus: tuple[int, int] | None, cuts: Sequence[int] = ()
) -> int:
    """The first row of the window below the headers that keeps ``focus`` in view, at a clean cut."""
    window = max_height - header - VIEW_GAP
    top, bottom = focus if focus is not None else (height - window, height)
    # The focus sits in the lower part of the window: what led up to it is the context a room needs.
    start = top if bottom - top > window else bottom - (window * 3) // 4
    start = max(header, min(start, height - window))
    # Move up to the nearest clean cut, unless that would push the focus out of the window.
    clean = [c for c in cuts if header <= c <= start and (focus is None or focus[1] <= c + window)]
    return max(clean) if clean else start


@dataclass(frozen=True)
class View:
    """A rendered diagram, whole or cropped to a window, and where its highlighted exchange is."""

    png: bytes
    width: int
    height: int
    #: Pixel rows (top, bottom) of the focused exchange's band in ``png``; None when nothing is focused.
    focus: tuple[int, int] | None
    #: Pixel rows of the whole diagram hidden above the window (0 when the view is the whole diagram).
    skipped: int = 0


VIEW_GAP = 6  # pixels between the kept lifeline headers and the window onto the rows


def render_view(
    trace: Any, *, dpi: int = 100, max_height: int | None = None, narrow: float = 1.0, **options: Any
) -> View:
    """The diagram as a PNG at most ``max_height`` pixels tall: the lifeline headers, then the rows
    around the highlighted exchange (or the pending one), so the step a room is looking at is in view
    at the diagram's natural aspect ratio instead of being squeezed into a box."""
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    trace = as_trace(trace)
    lay = layout(trace, fold=bool(options.get("fold")), pending=options.get("pending", ()))
    token = NARROW.set(narrow)
    try:
        fig = Figure(figsize=figure_size(lay), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.55 / fig.get_figheight(), bottom=0.01)
        draw_sequence(trace, ax, **options)
        buffer = BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    finally:
        NARROW.reset(token)
    width, height = (round(v) for v in fig.get_size_inches() * dpi)

    def row(y: float) -> int:
        return round(float(height - ax.transData.transform((0.0, y))[1]))

    band = _focus_band(lay, options)
    focus = (row(band[0]), row(band[1])) if band is not None else None
    # Just below the role names: 0.75 rows above the first arrow sliced a first label of two lines.
    header = row(-0.6) if any(c.visible for c in lay.calls) else 0
    if max_height is None or height <= max_height or header + VIEW_GAP >= max_height:
        return View(buffer.getvalue(), width, height, focus)
    # Where the window may start without slicing a label: just below an arrow (labels sit above them).
    cuts = sorted(
        {row(y + 0.22) for c in lay.calls if c.visible for y in (c.y_req, c.y_resp) if y is not None}
    )
    return _crop(buffer.getvalue(), width, height, header, max_height, focus, cuts)


def _focus_band(lay: Layout, options: dict[str, Any]) -> tuple[float, float] | None:
    """Data rows of the exchange to keep in view: the highlighted one, else the next delivery."""
    call = highlight_call(lay, options.get("highlight"))
    pending = [c for c in lay.calls if c.key < 0 and c.visible]
    if options.get("upto") is None and pending:
        call = pending[-1]  # a live run being followed: what happens next matters most
    if call is None:
        return None
    shown = revealed(lay.order, options.get("upto"))
    bottom = call.y_resp if call.y_resp is not None and ("resp", call.key) in shown else call.y_req
    return call.y_req - 0.62, bottom + 0.22


def _crop(
    png: bytes,
    width: int,
    height: int,
    header: int,
    max_height: int,
    focus: tuple[int, int] | None,
    cuts: Sequence[int] = (),
) -> View:
    """Keep rows ``[0, header)`` and a window of the rest around ``focus``, ``max_height`` rows in all."""
    from io import BytesIO

    from PIL import Image

    window = max_height - header - VIEW_GAP
    start = window_start(height, header, max_height, focus, cuts)
    whole = Image.open(BytesIO(png)).convert("RGB")
    view = Image.new("RGB", (width, max_height), "white")
    view.paste(whole.crop((0, 0, width, header)), (0, 0))
    if start <= header + VIEW_GAP:  # the window joins the headers: no gap to show
        start = header
        view.paste(whole.crop((0, header, width, header + max_height - header)), (0, header))
        offset = 0
    else:
        view.paste(whole.crop((0, start, width, start + window)), (0, header + VIEW_GAP))
        _gap_marks(view, header)
        offset = header + VIEW_GAP - start
    out = BytesIO()
    view.save(out, format="PNG", optimize=False)
    moved = (focus[0] + offset, focus[1] + offset) if focus is not None else None
    return View(out.getvalue(), width, max_height, moved, skipped=start - header)


def _gap_marks(view: Any, header: int) -> None:
    """A dashed rule where rows are left out between the headers and the window."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(view)
    y = header + VIEW_GAP // 2
    for x in range(0, view.width, 12):
        draw.line([(x, y), (x + 6, y)], fill=styles.MUTED, width=1)
