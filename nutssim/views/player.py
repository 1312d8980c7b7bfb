"""The player: step through a trace (replay) or drive a run message by message (live).

Every button is a plain method (``next``, ``back``, ``goto``, ``deliver``, ``drop``,
``deliver_edited``), so the player is tested without a browser; ``widget`` wraps those
methods in ipywidgets. Replay mode reads a finished ``Trace`` (or its export). Live mode
takes a run (``pending``, ``step()``, ``done``, and a ``trace`` or ``network.trace``):
it shows the message about to be delivered and lets the user deliver, edit or drop it.
"""

from __future__ import annotations

import contextlib
import html
import json
from typing import Any

from nutssim.trace import Exchange, Fact, Trace
from nutssim.views import styles
from nutssim.views.blocks import STYLE
from nutssim.views.editing import apply_edit as apply_edit  # re-exported for callers of the player
from nutssim.views.editing import editable_text as editable_text
from nutssim.views.inspector import inspect_html
from nutssim.views.load import as_trace
from nutssim.views.sequence import PendingCall, sequence_title
from nutssim.views.sequence_render import SvgView, View, render_svg, render_svg_view, render_view
from nutssim.views.summary import fact_summary, party_name
from nutssim.views.svg import matplotlib_missing


def is_live(source: Any) -> bool:
    """Whether ``source`` is a run that can still be stepped."""
    return all(hasattr(source, name) for name in ("pending", "step", "done"))


def pending_calls(source: Any) -> list[PendingCall]:
    """Requests delivered but not yet answered, then the next delivery, of a live run."""
    run = getattr(source, "run", source)
    out = []
    for open_x in getattr(run, "in_flight", ()):  # Run.in_flight: delivered, not yet answered
        delivery = open_x.delivery
        out.append(
            PendingCall(
                delivery.sender,
                delivery.receiver or "?",
                delivery.label,
                delivery.parent,
                open_x.seq,
                delivery.note,
            )
        )
    nxt = None if getattr(source, "done", True) else source.pending
    if nxt is not None:
        out.append(PendingCall(nxt.sender, nxt.receiver or "?", nxt.label, nxt.parent, None, nxt.note))
    return out


class Player:
    """Step through a trace, or drive a live run, with a diagram, an inspector and a state panel."""

    #: Diagram height in pixels (at ``dpi`` 96): with the controls above it, the diagram fits the
    #: notebook area of a 1280×720 projector; at 1920×1080 it shows unscaled.
    VIEW_HEIGHT = 600
    #: The SVG's window at the default ``view_height``: shown at its natural size (not scaled to the
    #: width as the PNG was), it must fit under the controls in a 1280×720 notebook view
    #: (tests/test_notebooks_browser.py: at 600 the last exchanges fell below the screen's edge).
    SVG_VIEW_HEIGHT = 520
    #: Lifelines 3/4 as far apart as in the report: scaled to a screen's width, the labels read larger.
    NARROW = 0.75

    def __init__(
        self,
        source: Any,
        *,
        fold: bool = False,
        dpi: int = 96,
        view_height: int | None = VIEW_HEIGHT,
        svg: bool = True,
    ) -> None:
        self.source = source
        #: Draw the diagram as inline SVG (``svg_sequence``), not a matplotlib PNG: ~100× faster a step,
        #: text that stays sharp at projector zoom, and the same picture in CPython and the browser
        #: edition (tests/test_notebooks_browser.py measures it in Chromium). ``svg=False`` asks for the
        #: PNG, which only matplotlib can draw: without it the SVG is used anyway.
        self.svg = svg or matplotlib_missing()
        self.live = is_live(source)
        self.trace: Trace = as_trace(source)
        self.fold = fold
        self.dpi = dpi
        self.view_height = view_height  # None: the whole diagram, however tall
        self.status = ""
        self._ui: Any = None
        self._follow = self.live  # live: show the run as it is now, whatever is highlighted
        self.index = len(self.steps) - 1 if self.live else 0

    # -- state -------------------------------------------------------------------------------------
    @property
    def steps(self) -> list[Exchange]:
        """The exchanges the player steps through, in delivery order (DID lookups skipped when folded)."""
        return [x for x in self.trace.exchanges if not (self.fold and styles.is_folded_label(x.label))]

    @property
    def current(self) -> int | None:
        """The seq of the highlighted exchange (None before the first one)."""
        steps = self.steps
        return steps[self.index].seq if 0 <= self.index < len(steps) else None

    @property
    def exchange(self) -> Exchange | None:
        """The highlighted exchange."""
        steps = self.steps
        return steps[self.index] if 0 <= self.index < len(steps) else None

    @property
    def at_end(self) -> bool:
        """Whether the last recorded exchange is highlighted."""
        return self.index >= len(self.steps) - 1

    @property
    def latest(self) -> bool:
        """Whether the whole trace is shown (the last step, or a live run being followed)."""
        return self.at_end or self._follow

    @property
    def pending(self) -> Any:
        """The delivery a live run makes next (None in replay or when done)."""
        return None if not self.live or self.source.done else self.source.pending

    # -- navigation ----------------------------------------------------------------------------------
    def goto(self, index: int) -> None:
        """Highlight step ``index`` (clamped to the steps there are)."""
        self.index = max(0, min(int(index), len(self.steps) - 1))
        self._follow = False
        self.refresh()

    def next(self) -> None:
        """Highlight the next exchange."""
        self.goto(self.index + 1)

    def back(self) -> None:
        """Highlight the previous exchange."""
        self.goto(self.index - 1)

    def play(self) -> None:
        """Step to the last exchange (the widget's Play button animates the same slider)."""
        while not self.at_end:
            self.next()

    # -- live actions --------------------------------------------------------------------------------
    def deliver(self) -> None:
        """Deliver the pending message unchanged."""
        self._act(lambda: self.source.step(), "delivered")

    def drop(self) -> None:
        """Drop the pending message: its sender sees a failed connection."""
        self._act(lambda: self.source.drop(), "dropped")

    def deliver_edited(self, text: str) -> None:
        """Replace the pending request's body (or a GET's URL) with ``text``, then deliver it."""
        pending = self._require_pending()
        try:
            request = apply_edit(pending.request, text)
        except ValueError as exc:
            self.status = f"{styles.GLYPH_FAIL} not delivered: {exc}"
            self.refresh()
            return
        self.source.edit(request)
        self._act(lambda: self.source.step(), "delivered (edited)")

    @property
    def can_act(self) -> bool:
        """Whether deliver, edit and drop apply now (a live run with a message waiting)."""
        return self.pending is not None

    def _require_pending(self) -> Any:
        if not self.live:
            raise RuntimeError("this player replays a finished trace; pass a run to deliver, edit or drop")
        pending = self.pending
        if pending is None:
            raise RuntimeError("the run is done: there is no pending message")
        return pending

    def _act(self, action: Any, verb: str) -> None:
        pending = self._require_pending()
        before = {x.seq for x in self.trace.exchanges}
        action()
        self.status = f"{verb}: {pending.label}"
        steps = [x.seq for x in self.steps]
        done = [seq for seq in steps if seq not in before]  # the outermost one completed last
        self.index = steps.index(min(done)) if done else len(steps) - 1
        self._follow = True
        self.refresh()

    # -- what is shown -------------------------------------------------------------------------------
    def _diagram_options(self) -> dict[str, Any]:
        latest = self.latest
        return {
            "upto": None if latest else self.current,
            "highlight": self.current,
            "fold": self.fold,
            "pending": pending_calls(self.source) if self.live and latest else [],
            "title": sequence_title(self.trace, outcome=latest),
        }

    def diagram_view(self) -> View:
        """The diagram up to the highlighted exchange: headers plus a window that keeps it in view."""
        return render_view(
            self.trace,
            dpi=self.dpi,
            max_height=self.view_height,
            narrow=self.NARROW,
            **self._diagram_options(),
        )

    def diagram_svg_view(self) -> SvgView:
        """The diagram as inline SVG, cut to the same window as ``diagram_view`` (no matplotlib)."""
        height = self.SVG_VIEW_HEIGHT if self.view_height == self.VIEW_HEIGHT else self.view_height
        return render_svg_view(self.trace, max_height=height, narrow=self.NARROW, **self._diagram_options())

    def diagram_html(self) -> str:
        """The SVG diagram in a box that shows it at its natural size, scaled down only to fit the width."""
        view = self.diagram_svg_view()
        style = "<style>.nsv-diagram svg {max-width: 100%; height: auto; display: block;}</style>"
        return f'{style}<div class="nsv-diagram">{view.svg}</div>'

    def diagram_png(self) -> bytes:
        """The sequence diagram up to the highlighted exchange, as PNG bytes (see ``diagram_view``)."""
        return self.diagram_view().png

    def static_html(self) -> str:
        """The player without a kernel: the whole diagram (SVG, the current step highlighted) and the
        inspector, for exported notebooks and front ends that do not run widgets. Inside an output area
        that also shows the live widget, its own CSS hides it (``:has``), so nothing shows twice."""
        options = {**self._diagram_options(), "upto": None, "pending": []}
        options["title"] = sequence_title(self.trace)
        svg = render_svg(self.trace, narrow=self.NARROW, **options)
        hide = ", ".join(
            f"{area}:has(.nsv-player) .nsv-static" for area in (".jp-OutputArea", ".output", ".output_area")
        )
        return (
            f"<style>{hide} {{display: none;}} .nsv-static svg {{max-width: 100%; height: auto;}}</style>"
            f'<div class="nsv-static"><p class="note">{html.escape(self.caption)} '
            f"(a still of the player: run the notebook to step through it)</p>"
            f"{svg}{self.inspector_html}</div>"
        )

    @property
    def inspector_html(self) -> str:
        """The inspector of the highlighted exchange."""
        exchange = self.exchange
        if exchange is None:
            return f'{STYLE}<div class="nsv"><p class="note">No exchange yet.</p></div>'
        return inspect_html(exchange, self.trace)

    def facts_so_far(self) -> list[Fact]:
        """Facts recorded before the next exchange after the highlighted one was delivered."""
        current = self.current
        later = [x.seq for x in self.trace.exchanges if current is not None and x.seq > current]
        limit = min(later) if later and not self.latest else None
        return [f for f in self.trace.facts() if limit is None or f.seq < limit]

    @property
    def state_text(self) -> str:
        """The state panel as text: facts so far, counted per type, then each one."""
        facts = self.facts_so_far()
        counts: dict[str, int] = {}
        for fact in facts:
            counts[fact.type] = counts.get(fact.type, 0) + 1
        lines = [", ".join(f"{t} ×{n}" for t, n in counts.items()) or "no facts yet"]
        lines += [
            f"#{f.seq} {f.type} ({party_name(self.trace, f.party)}): {fact_summary(f.data)}" for f in facts
        ]
        if self.latest and self.trace.outcome:
            lines.append(f"outcome: {json.dumps(self.trace.outcome, default=str)[:300]}")
        return "\n".join(lines)

    @property
    def state_html(self) -> str:
        """The state panel as escaped HTML."""
        lines = self.state_text.splitlines()
        head, rest = lines[0], lines[1:]
        items = "".join(f"<li>{html.escape(line)}</li>" for line in rest)
        return f'<div class="nsv"><b>State</b> — {html.escape(head)}<ul>{items}</ul></div>'

    @property
    def pending_html(self) -> str:
        """The message a live run delivers next, as escaped HTML."""
        pending = self.pending
        if pending is None:
            done = "the run is done" if self.live else "replay of a finished trace"
            return f'<div class="nsv"><p class="note">{html.escape(done)}</p></div>'
        request = pending.request
        who = f"{party_name(self.trace, pending.sender)} → {party_name(self.trace, pending.receiver or '?')}"
        lines = [
            f"<b>{styles.GLYPH_PENDING} next: {html.escape(pending.label)}</b> — {html.escape(who)}",
            f'<p class="mono">{html.escape(request.method)} {html.escape(request.url)}</p>',
        ]
        return f'<div class="nsv">{"".join(lines)}</div>'

    @property
    def caption(self) -> str:
        """``step 3/12 · token request``: the one position indicator (the diagram numbers exchanges)."""
        exchange = self.exchange
        where = f" · {exchange.label}" if exchange else ""
        return f"step {self.index + 1}/{len(self.steps)}{where}"

    # -- widget --------------------------------------------------------------------------------------
    @property
    def widget(self) -> Any:
        """The ipywidgets user interface (built on first use)."""
        if self._ui is None:
            from nutssim.views.player_ui import build

            self._ui = build(self)
            self.refresh()
        return self._ui.root

    def refresh(self) -> None:
        """Bring the widget (if built) up to date with the player's state."""
        if self._ui is not None:
            self._ui.update(self)

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        with contextlib.suppress(ImportError):  # no ipywidgets here: the still below is the player
            display(self.widget)
        display(HTML(self.static_html()))  # what an export or a widget-less front end shows
