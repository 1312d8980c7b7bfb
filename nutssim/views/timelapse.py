"""The time-lapse as one picture: credential and key lifetimes above, the daily outcome below.

Days run left to right. Each credential the wallet held is a lane from the day it was issued
to the day it was renewed, replaced or expired (a tick marks its expiry, an orange stretch the
warning window before it); a revoked stretch is vermillion and hatched, a stretch whose
signing key has left the issuer's DID document is grey and hatched. Each issuer key is a lane
from the day it was added to the day it was removed. The bottom strip is the daily flow:
blue granted, vermillion denied, each denied period labelled with its error and decisive
check (the why in words is in ``TimeLapseResult.summary()``), so a failure never rests on
colour alone (``styles``). Numbered lines mark the events, listed under the picture; an
event that failed (a renewal over OpenID4VCI the register refused) is marked and numbered in
vermillion with the failure glyph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nutssim.views.styles import BLUE, FAIL, GLYPH_FAIL, GREY, INK, MUTED, ORANGE, REDDISH_PURPLE, tint
from nutssim.views.svg import Picture, display_picture, matplotlib_missing

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from nutssim.timelapse import CredentialSpan, TimeLapseResult

LANE = 0.62  # lane height in data units (one lane per unit)
WIDTH = 13.0  # inches: reads on a projector at 110 dpi
AXES_INCHES = WIDTH - 2.3 - 0.02 * WIDTH  # the axes' width (render_timelapse_png's margins)
CHAR_INCHES = 0.085  # a 10-point character, about
LABEL_DROP = 0.9  # how much lower a denied label goes when it would overlap the one before
WARN_DAYS = 14  # the orange stretch before an expiry (TimeLapse.warn_days' default)


def figure_size(result: TimeLapseResult) -> tuple[float, float]:
    """Width and height in inches for ``result``'s lanes and event list."""
    lanes = len(result.credentials) + len(result.keys) + 2
    return WIDTH, 1.2 + 0.42 * lanes + 0.24 * len(result.events)


def draw_timelapse(result: TimeLapseResult, ax: Axes | None = None) -> Axes | Picture:
    """Draw ``result`` into ``ax`` (a new figure if None).

    Without an ``ax`` where matplotlib cannot be imported (the browser edition), the same picture
    is drawn as SVG (``timelapse_svg``), shown in the notebook and returned as a ``Picture``.
    """
    if ax is None and matplotlib_missing():
        return display_picture(timelapse_svg(result))
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figure_size(result))
    days = len(result.days)
    labels: list[str] = []
    row = 0.0
    for number, span in enumerate(result.credentials, 1):
        _credential_lane(ax, row, span, result, days)
        labels.append(f"credential {number}, {_kid_name(result, span.key_id)}")
        row += 1
    for number, key in enumerate(result.keys, 1):
        end = days if key.removed_day is None else key.removed_day
        ax.barh(row, end - key.added_day, left=key.added_day, height=LANE, color=tint(REDDISH_PURPLE, 0.45))
        labels.append(f"issuer key {number}")
        row += 1
    row += 0.4
    drop = _outcome_strip(ax, row, result)
    labels.append("daily flow")
    _events(ax, result, row)
    _legend(ax)
    ax.set_yticks([*range(len(labels) - 1), row], labels=labels, fontsize=11, color=INK)
    ax.set_ylim(row + 1.4 + drop, -1.3)
    ax.set_xlim(-0.5, days + 0.5)
    ax.set_xlabel("day", fontsize=11, color=MUTED)
    ax.tick_params(axis="x", labelsize=10, colors=MUTED)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(
        f"{result.scenario} under {result.profile}: {days} days, one flow a day"
        + (", credentials over OpenID4VCI" if result.over == "vci" else ""),
        loc="left",
        fontsize=13,
        color=INK,
    )
    return ax


def _kid_name(result: TimeLapseResult, kid: str) -> str:
    """``key 2`` for a credential signed with the second issuer key."""
    for number, key in enumerate(result.keys, 1):
        if key.kid == kid:
            return f"key {number}"
    return "unknown key"


def _credential_lane(ax: Axes, row: float, span: CredentialSpan, result: TimeLapseResult, days: int) -> None:
    """One credential: valid, warning window, revoked, signing key gone; the expiry tick."""
    end = min(x for x in (span.ended_day, span.expires_day, days) if x is not None)
    ax.barh(row, end - span.issued_day, left=span.issued_day, height=LANE, color=tint(BLUE, 0.35))
    if span.expires_day is not None:
        warn = max(span.issued_day, span.expires_day - WARN_DAYS)
        if warn < end:
            ax.barh(row, end - warn, left=warn, height=LANE, color=tint(ORANGE, 0.3))
    key_gone = next((k.removed_day for k in result.keys if k.kid == span.key_id and k.removed_day), None)
    if key_gone is not None and key_gone < end:
        ax.barh(row, end - key_gone, left=key_gone, height=LANE, color=tint(GREY, 0.35), hatch="//")
    if span.revoked_day is not None and span.revoked_day < end:
        ax.barh(
            row, end - span.revoked_day, left=span.revoked_day, height=LANE, color=tint(FAIL, 0.4), hatch="xx"
        )
    if span.expires_day is not None and span.expires_day <= days:
        ax.plot([span.expires_day] * 2, [row - LANE / 2, row + LANE / 2], color=INK, linewidth=2)
    expired = span.ended_day is None and span.expires_day is not None and span.expires_day < days
    ended_by = "expired" if expired else span.ended_by
    ending = " → ".join(x for x in ("revoked" if span.revoked_day is not None else "", ended_by) if x)
    if ending:
        ax.text(end + 0.5, row, ending, va="center", ha="left", fontsize=10, color=MUTED)


def _legend(ax: Axes) -> None:
    """What the fills mean, under the axes beside the event list."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(color=tint(BLUE, 0.35), label="credential valid"),
        Patch(color=tint(ORANGE, 0.3), label=f"expires within {WARN_DAYS} days"),
        Patch(facecolor=tint(FAIL, 0.4), hatch="xx", label="revoked"),
        Patch(facecolor=tint(GREY, 0.35), hatch="//", label="signing key removed"),
        Line2D([], [], color=INK, linewidth=2, label="expiry date"),
        Patch(color=tint(REDDISH_PURPLE, 0.45), label="key in the issuer's DID document"),
        Patch(color=tint(BLUE, 0.55), label="flow granted"),
        Patch(color=FAIL, label=f"flow denied ({GLYPH_FAIL})"),
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.5, -0.1),
        ncol=2,
        fontsize=10,
        frameon=False,
        handlelength=1.6,
    )


def _outcome_strip(ax: Axes, row: float, result: TimeLapseResult) -> float:
    """One cell per day, and a label per denied period; how much lower than usual the labels reach."""
    for day in result.days:
        colour = tint(BLUE, 0.55) if day.status == "granted" else FAIL
        ax.barh(row, 1, left=day.day - 0.5, height=LANE, color=colour, linewidth=0)
    free, last_drop, dropped = -1.0, 0.0, False  # where the last label ended, how low it sat
    for period in result.periods():
        if period.status == "granted":
            continue
        span = f"day {period.first}" if period.days == 1 else f"days {period.first}–{period.last}"
        text = f"{GLYPH_FAIL} {span}: {period.error or period.status}\n{period.cause}"
        # Near the right edge the label moves left just enough to stay inside the axes.
        width = max(map(len, text.splitlines())) * CHAR_INCHES * len(result.days) / AXES_INCHES
        x = max(-0.5, min(period.first - 0.5, len(result.days) + 0.5 - width))
        drop = LABEL_DROP if x < free and not last_drop else 0.0  # would overlap the last one: go lower
        free, last_drop, dropped = x + width, drop, dropped or bool(drop)
        ax.text(x, row + LANE / 2 + 0.12 + drop, text, va="top", fontsize=10, color=FAIL)
    return LABEL_DROP if dropped else 0.0


def _events(ax: Axes, result: TimeLapseResult, bottom: float) -> None:
    """A numbered dotted line per event day, and the list of events under the axes."""
    numbered: dict[int, int] = {}
    for event in result.events:
        numbered.setdefault(event.day, len(numbered) + 1)
    failed_days = {e.day for e in result.events if e.kind.endswith("_failed")}
    for day, number in numbered.items():
        colour = FAIL if day in failed_days else MUTED
        ax.plot([day, day], [-0.8, bottom + LANE / 2], color=colour, linewidth=0.8, linestyle=":")
        mark = f"{GLYPH_FAIL}{number}" if day in failed_days else str(number)
        ink = FAIL if day in failed_days else INK
        ax.text(day, -0.95, mark, ha="center", va="bottom", fontsize=10, color=ink, fontweight="bold")
    lines = [
        f"{numbered[e.day]}  day {e.day}: {GLYPH_FAIL + ' ' if e.kind.endswith('_failed') else ''}{e.label}"
        for e in result.events
    ]
    ax.annotate(
        "\n".join(lines),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -34),
        textcoords="offset points",
        va="top",
        fontsize=10,
        color=INK,
    )


def render_timelapse_png(result: TimeLapseResult, *, dpi: int = 110) -> bytes:
    """Draw the time-lapse into a PNG with the Agg canvas (no pyplot, no display)."""
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = figure_size(result)
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    ax: Any = fig.add_subplot()
    lanes_height = 0.42 * (len(result.credentials) + len(result.keys) + 2) + 0.9
    fig.subplots_adjust(left=2.3 / width, right=0.98, top=1 - 0.45 / height, bottom=1 - lanes_height / height)
    draw_timelapse(result, ax)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


# -- the same picture as SVG (no matplotlib) -----------------------------------------------------------------
LEFT_PX, PLOT_PX, LANE_PX = 200.0, 1040.0, 36.0  # label column, days, one lane
TEXT_PX = 14.0  # every label, pixels
TOP = 66.0  # the first lane's top: the title, then the event numbers above it


class _Days:
    """Day numbers to pixels across the plot (-0.5 … days + 0.5, as the matplotlib axes)."""

    def __init__(self, days: int) -> None:
        self.days = days

    def x(self, day: float) -> float:
        return LEFT_PX + (day + 0.5) * PLOT_PX / (self.days + 1)


def _hatch(
    svg: Any, x: float, y: float, w: float, h: float, colour: str, step: float = 7.0, cross: bool = False
) -> None:
    """Diagonal hatching inside a rectangle (``cross``: both ways), as clipped lines: no pattern ids
    that could clash when several pictures are inline on one page."""
    c = step
    while c < w + h:
        x1, y1 = x + min(c, w), y + c - min(c, w)
        x2, y2 = x + max(0.0, c - h), y + min(c, h)
        svg.line(x1, y1, x2, y2, stroke=colour, stroke_width=1)
        if cross:  # the same line mirrored left to right
            svg.line(2 * x + w - x1, y1, 2 * x + w - x2, y2, stroke=colour, stroke_width=1)
        c += step


def timelapse_svg(result: TimeLapseResult) -> Picture:
    """``result`` as an SVG ``Picture``: the lanes, the daily outcome strip, the events and the legend."""
    from nutssim.views.svg import Svg, text_width

    days = len(result.days)
    scale = _Days(days)
    lanes = len(result.credentials) + len(result.keys)
    strip = TOP + LANE_PX * (lanes + 0.4) + LANE_PX / 2  # the middle of the daily flow's row
    labels, drop = _svg_denied_labels(result, scale)
    axis = strip + LANE_PX / 2 + 18 + (60 if drop else 36)
    events = len(result.events)
    height = axis + 56 + max(events * TEXT_PX * 1.3, 4 * TEXT_PX * 1.5) + 16
    width = LEFT_PX + PLOT_PX + 20
    title = f"{result.scenario} under {result.profile}: {days} days, one flow a day" + (
        ", credentials over OpenID4VCI" if result.over == "vci" else ""
    )
    svg = Svg(width, height, label=title, css_class="nsv-timelapse")
    svg.rect(0, 0, width, height, fill="white")
    svg.text(10, 24, title, size=TEXT_PX + 3, anchor="start", colour=INK)
    numbered: dict[int, int] = {}
    for event in result.events:
        numbered.setdefault(event.day, len(numbered) + 1)
    failed_days = {e.day for e in result.events if e.kind.endswith("_failed")}
    for day, number in numbered.items():  # event lines under the lanes
        colour = FAIL if day in failed_days else MUTED
        svg.line(
            scale.x(day), TOP - 8, scale.x(day), strip + LANE_PX / 2, stroke=colour, stroke_dasharray="2 3"
        )
        mark = f"{GLYPH_FAIL}{number}" if day in failed_days else str(number)
        svg.text(scale.x(day), TOP - 10, mark, size=TEXT_PX, valign="bottom", bold=True, colour=colour)
    y = TOP
    for number, span in enumerate(result.credentials, 1):
        _svg_credential(svg, scale, y, span, result, days)
        svg.text(
            LEFT_PX - 10,
            y + LANE_PX / 2,
            f"credential {number}, {_kid_name(result, span.key_id)}",
            size=TEXT_PX,
            anchor="end",
        )
        y += LANE_PX
    for number, key in enumerate(result.keys, 1):
        end = days if key.removed_day is None else key.removed_day
        bar = LANE * LANE_PX
        svg.rect(
            scale.x(key.added_day),
            y + (LANE_PX - bar) / 2,
            scale.x(end) - scale.x(key.added_day),
            bar,
            fill=tint(REDDISH_PURPLE, 0.45),
        )
        svg.text(LEFT_PX - 10, y + LANE_PX / 2, f"issuer key {number}", size=TEXT_PX, anchor="end")
        y += LANE_PX
    bar = LANE * LANE_PX
    for period in result.periods():  # one bar per run of days: no seams between the days
        colour = tint(BLUE, 0.55) if period.status == "granted" else FAIL
        left, right = scale.x(period.first - 0.5), scale.x(period.last + 0.5)
        svg.rect(left, strip - bar / 2, right - left, bar, fill=colour, cls=f"days {period.status}")
    svg.text(LEFT_PX - 10, strip, "daily flow", size=TEXT_PX, anchor="end")
    for x, lower, text in labels:
        svg.text(
            x,
            strip + bar / 2 + 6 + (54 if lower else 0),
            text,
            size=TEXT_PX,
            anchor="start",
            valign="top",
            colour=FAIL,
        )
    svg.line(LEFT_PX, axis, LEFT_PX + PLOT_PX, axis, stroke=MUTED)
    step = next(s for s in (1, 2, 5, 10, 15, 30, 60, 90, 180, 365) if days / s <= 12)
    for tick in range(0, days + 1, step):
        svg.line(scale.x(tick), axis, scale.x(tick), axis + 5, stroke=MUTED)
        svg.text(scale.x(tick), axis + 8, str(tick), size=TEXT_PX, valign="top", colour=MUTED)
    svg.text(LEFT_PX + PLOT_PX / 2, axis + 30, "day", size=TEXT_PX, valign="top", colour=MUTED)
    lines = [
        f"{numbered[e.day]}  day {e.day}: {GLYPH_FAIL + ' ' if e.kind.endswith('_failed') else ''}{e.label}"
        for e in result.events
    ]
    listed = "\n".join(lines)
    if listed:
        svg.text(LEFT_PX, axis + 56, listed, size=TEXT_PX, anchor="start", valign="top")
    legend_x = max(LEFT_PX + PLOT_PX / 2, LEFT_PX + text_width(listed, TEXT_PX) + 30)
    _svg_legend(svg, legend_x, axis + 56)
    return svg.picture()


def _svg_credential(
    svg: Any, scale: _Days, y: float, span: CredentialSpan, result: TimeLapseResult, days: int
) -> None:
    """One credential lane: valid, warning window, signing key gone, revoked; the expiry tick."""
    end = min(x for x in (span.ended_day, span.expires_day, days) if x is not None)
    bar = LANE * LANE_PX
    top = y + (LANE_PX - bar) / 2

    def stretch(start: float, fill: str, hatch: str | None = None, cross: bool = False) -> None:
        x, w = scale.x(start), scale.x(end) - scale.x(start)
        svg.rect(x, top, w, bar, fill=fill)
        if hatch:
            _hatch(svg, x, top, w, bar, hatch, cross=cross)

    stretch(span.issued_day, tint(BLUE, 0.35))
    if span.expires_day is not None:
        warn = max(span.issued_day, span.expires_day - WARN_DAYS)
        if warn < end:
            stretch(warn, tint(ORANGE, 0.3))
    key_gone = next((k.removed_day for k in result.keys if k.kid == span.key_id and k.removed_day), None)
    if key_gone is not None and key_gone < end:
        stretch(key_gone, tint(GREY, 0.35), GREY)
    if span.revoked_day is not None and span.revoked_day < end:
        stretch(span.revoked_day, tint(FAIL, 0.4), FAIL, cross=True)
    if span.expires_day is not None and span.expires_day <= days:
        svg.line(
            scale.x(span.expires_day), top, scale.x(span.expires_day), top + bar, stroke=INK, stroke_width=2.5
        )
    expired = span.ended_day is None and span.expires_day is not None and span.expires_day < days
    ended_by = "expired" if expired else span.ended_by
    ending = " → ".join(x for x in ("revoked" if span.revoked_day is not None else "", ended_by) if x)
    if ending:
        svg.text(scale.x(end + 0.5) + 4, y + LANE_PX / 2, ending, size=TEXT_PX, anchor="start", colour=MUTED)


def _svg_denied_labels(result: TimeLapseResult, scale: _Days) -> tuple[list[tuple[float, bool, str]], bool]:
    """Where each denied period's label goes (x, lower, text); whether any went lower to clear the last."""
    from nutssim.views.svg import text_width

    out: list[tuple[float, bool, str]] = []
    free, last_lower, dropped = -1.0, False, False
    right = LEFT_PX + PLOT_PX
    for period in result.periods():
        if period.status == "granted":
            continue
        span = f"day {period.first}" if period.days == 1 else f"days {period.first}–{period.last}"
        text = f"{GLYPH_FAIL} {span}: {period.error or period.status}\n{period.cause}"
        width = text_width(text, TEXT_PX)
        x = max(LEFT_PX, min(scale.x(period.first - 0.5), right - width))
        lower = x < free and not last_lower
        free, last_lower, dropped = x + width + 8, lower, dropped or lower
        out.append((x, lower, text))
    return out, dropped


def _svg_legend(svg: Any, x: float, y: float) -> None:
    """What the fills mean, in two columns."""
    entries = [
        (tint(BLUE, 0.35), None, "credential valid"),
        (tint(ORANGE, 0.3), None, f"expires within {WARN_DAYS} days"),
        (tint(FAIL, 0.4), FAIL, "revoked"),
        (tint(GREY, 0.35), GREY, "signing key removed"),
        (None, INK, "expiry date"),
        (tint(REDDISH_PURPLE, 0.45), None, "key in the issuer's DID document"),
        (tint(BLUE, 0.55), None, "flow granted"),
        (FAIL, None, f"flow denied ({GLYPH_FAIL})"),
    ]
    column = (svg.width - x - 10) / 2
    for i, (fill, hatch, label) in enumerate(entries):
        ex, ey = x + (i % 2) * column, y + (i // 2) * TEXT_PX * 1.6
        if fill is None:
            svg.line(ex + 12, ey, ex + 12, ey + 14, stroke=INK, stroke_width=2.5)
        else:
            svg.rect(ex, ey, 24, 14, fill=fill)
            if hatch:
                _hatch(svg, ex, ey, 24, 14, hatch, step=5, cross=hatch == FAIL)
        svg.text(ex + 32, ey + 7, label, size=TEXT_PX, anchor="start")
