"""The player's ipywidgets: thin wrappers that call the ``Player`` methods and show its output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import ipywidgets as w

from nutssim.views.editing import editable_text


class Player(Protocol):
    """What the widgets read and call of a ``nutssim.views.player.Player`` (no import of it: no circle)."""

    index: int
    status: str
    live: bool
    svg: bool

    @property
    def steps(self) -> list[Any]: ...
    @property
    def at_end(self) -> bool: ...
    @property
    def pending(self) -> Any: ...
    @property
    def caption(self) -> str: ...
    def diagram_png(self) -> bytes: ...
    def diagram_html(self) -> str: ...
    @property
    def inspector_html(self) -> str: ...
    @property
    def state_html(self) -> str: ...
    @property
    def pending_html(self) -> str: ...
    def goto(self, index: int) -> None: ...
    def next(self) -> None: ...
    def back(self) -> None: ...
    def deliver(self) -> None: ...
    def drop(self) -> None: ...
    def deliver_edited(self, text: str) -> None: ...


@dataclass
class PlayerUI:
    """The widgets of one player."""

    root: w.Widget
    slider: w.IntSlider
    play: w.Play
    play_button: w.ToggleButton
    back: w.Button
    forward: w.Button
    caption: w.HTML
    image: w.Image | w.HTML  # an HTML widget holding inline SVG when the player draws SVG
    inspector: w.HTML
    state: w.HTML
    pending: w.HTML
    editor: w.Textarea
    status: w.HTML
    live_box: w.Widget
    actions: tuple[w.Button, ...] = ()
    _editing_for: Any = None

    def update(self, player: Player) -> None:
        """Show the player's current state."""
        count = max(len(player.steps), 1)
        self.slider.max = self.play.max = count - 1
        self.slider.value = max(player.index, 0)
        self.back.disabled = player.index <= 0
        self.forward.disabled = player.at_end
        self.caption.value = f"<b>{_e(player.caption)}</b>"
        if isinstance(self.image, w.HTML):
            self.image.value = player.diagram_html()
        else:
            self.image.value = player.diagram_png()
        self.inspector.value = player.inspector_html
        self.state.value = player.state_html
        self.pending.value = player.pending_html
        self.status.value = f"<span>{_e(player.status)}</span>"
        self._sync_editor(player)

    def _sync_editor(self, player: Player) -> None:
        pending = player.pending
        self.live_box.layout.display = "" if player.live else "none"
        for button in self.actions:  # a finished run has nothing to deliver, edit or drop
            button.disabled = pending is None
        if pending is None:
            self.editor.value, self.editor.disabled, self._editing_for = "", True, None
        elif pending is not self._editing_for:  # keep the user's typing while the same message waits
            self.editor.value, self.editor.disabled, self._editing_for = (
                editable_text(pending.request),
                False,
                pending,
            )


def _e(text: str) -> str:
    import html

    return html.escape(text)


def _button(description: str, action: Any, tooltip: str, style: str = "", status: Any = None) -> w.Button:
    button = w.Button(
        description=description, tooltip=tooltip, button_style=style, layout=w.Layout(width="auto")
    )

    def click(_: Any) -> None:
        try:
            action()
        except RuntimeError as exc:  # e.g. the run ended meanwhile: say so where the user looks
            if status is not None:
                status.value = f"<span>{_e(str(exc))}</span>"

    button.on_click(click)
    return button


def _play_controls(player: Player, slider: w.IntSlider) -> tuple[w.Play, w.ToggleButton]:
    """A labelled Play/Pause toggle driving a hidden ``Play`` timer (it steps the slider in the browser)."""
    play = w.Play(min=0, max=slider.max, interval=1500, show_repeat=False, layout=w.Layout(display="none"))
    w.jslink((play, "value"), (slider, "value"))
    toggle = w.ToggleButton(
        description="▶ Play",
        tooltip="step through every exchange, one every 1.5 s (click again to pause)",
        layout=w.Layout(width="auto"),
    )
    w.link((toggle, "value"), (play, "playing"))

    def relabel(change: dict[str, Any]) -> None:
        toggle.description = "⏸ Pause" if change["new"] else "▶ Play"

    toggle.observe(relabel, names="value")
    return play, toggle


def build(player: Player) -> PlayerUI:
    """Build the widgets of ``player`` and wire them to its methods."""
    slider = w.IntSlider(
        min=0,
        max=max(len(player.steps) - 1, 0),
        value=max(player.index, 0),
        readout=False,  # the caption is the one position indicator
        continuous_update=False,
        description_allow_html=False,
        tooltip="drag to any exchange",
        layout=w.Layout(width="280px"),
    )
    play, play_button = _play_controls(player, slider)
    slider.observe(
        lambda change: player.goto(change["new"]) if change["new"] != player.index else None, names="value"
    )
    caption = w.HTML()
    back = _button("◀ Back", player.back, "previous exchange")
    forward = _button("Next ▶", player.next, "next exchange")
    controls = w.HBox([back, forward, play_button, play, slider, caption])
    # The diagram at its natural aspect ratio: never stretched to the box (flex-start), scaled down
    # only to the width there is; the player crops it around the current step (Player.view_height).
    image: w.Image | w.HTML = (
        w.HTML(layout=w.Layout(width="auto", max_width="100%"))
        if player.svg
        else w.Image(format="png", layout=w.Layout(width="auto", max_width="100%", height="auto"))
    )
    inspector = w.HTML()
    state = w.HTML()
    pending, status = w.HTML(), w.HTML()
    editor = w.Textarea(layout=w.Layout(width="100%", height="160px"))
    actions = (
        _button("Deliver", player.deliver, "deliver the pending message", "primary", status),
        _button(
            "Deliver edited",
            lambda: player.deliver_edited(editor.value),
            "deliver the pending message with the edited body",
            "warning",
            status,
        ),
        _button("Drop", player.drop, "drop it: the sender sees a failed connection", "danger", status),
    )
    live_box = w.VBox([pending, editor, w.HBox([*actions, status])])
    # Stacked, not side by side: the diagram gets the full width, so its text stays readable on a
    # projector even for the user flow's ~38 exchanges, and long URLs in the inspector wrap.
    panes = w.VBox(
        [
            w.Box([image], layout=w.Layout(width="100%", align_items="flex-start", overflow="auto")),
            w.Box([inspector], layout=w.Layout(width="100%", max_height="520px", overflow="auto")),
        ]
    )
    root = w.VBox([controls, live_box, panes, state])
    root.add_class("nsv-player")  # the static still (Player.static_html) hides itself next to this
    return PlayerUI(
        root,
        slider,
        play,
        play_button,
        back,
        forward,
        caption,
        image,
        inspector,
        state,
        pending,
        editor,
        status,
        live_box,
        actions,
    )
