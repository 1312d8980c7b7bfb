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


def draw_timelapse(result: TimeLapseResult, ax: Axes | None = None) -> Axes:
    """Draw ``result`` into ``ax`` (a new figure if None)."""
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
