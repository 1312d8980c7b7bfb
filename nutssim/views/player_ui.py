"""The player's ipywidgets: thin wrappers that call the ``Player`` methods and show its output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from nutssim.views.player import editable_text

if TYPE_CHECKING:
    from nutssim.views.player import Player


@dataclass
class PlayerUI:
    """The widgets of one player."""

    root: w.Widget
    slider: w.IntSlider
    play: w.Play
    caption: w.HTML
    image: w.Image
    inspector: w.HTML
    state: w.HTML
    pending: w.HTML
    editor: w.Textarea
    status: w.HTML
    live_box: w.Widget
    _editing_for: Any = None

    def update(self, player: Player) -> None:
        """Show the player's current state."""
        count = max(len(player.steps), 1)
        self.slider.max = self.play.max = count - 1
        self.slider.value = max(player.index, 0)
        self.caption.value = f"<b>{_e(player.caption)}</b>"
        self.image.value = player.diagram_png()
        self.inspector.value = player.inspector_html
        self.state.value = player.state_html
        self.pending.value = player.pending_html
        self.status.value = f"<span>{_e(player.status)}</span>"
        self._sync_editor(player)

    def _sync_editor(self, player: Player) -> None:
        pending = player.pending
        self.live_box.layout.display = "" if player.live else "none"
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


def _button(description: str, action: Any, tooltip: str, style: str = "") -> w.Button:
    button = w.Button(
        description=description, tooltip=tooltip, button_style=style, layout=w.Layout(width="auto")
    )
    button.on_click(lambda _: action())
    return button


def build(player: Player) -> PlayerUI:
    """Build the widgets of ``player`` and wire them to its methods."""
    slider = w.IntSlider(
        min=0,
        max=max(len(player.steps) - 1, 0),
        value=max(player.index, 0),
        description="exchange",
        continuous_update=False,
        layout=w.Layout(width="320px"),
    )
    play = w.Play(min=0, max=slider.max, interval=1500, description="play")
    w.jslink((play, "value"), (slider, "value"))
    slider.observe(
        lambda change: player.goto(change["new"]) if change["new"] != player.index else None, names="value"
    )
    caption = w.HTML()
    controls = w.HBox(
        [
            _button("◀ Back", player.back, "previous exchange"),
            _button("Next ▶", player.next, "next exchange"),
            play,
            slider,
            caption,
        ]
    )
    image = w.Image(format="png", layout=w.Layout(width="auto"))
    inspector = w.HTML()
    state = w.HTML()
    pending, status = w.HTML(), w.HTML()
    editor = w.Textarea(layout=w.Layout(width="100%", height="160px"))
    live_box = w.VBox(
        [
            pending,
            editor,
            w.HBox(
                [
                    _button("Deliver", player.deliver, "deliver the pending message", "primary"),
                    _button(
                        "Deliver edited",
                        lambda: player.deliver_edited(editor.value),
                        "deliver the pending message with the edited body",
                        "warning",
                    ),
                    _button("Drop", player.drop, "drop it: the sender sees a failed connection", "danger"),
                    status,
                ]
            ),
        ]
    )
    # Stacked, not side by side: the diagram gets the full width, so its text stays readable on a
    # projector even for the user flow's ~38 exchanges, and long URLs in the inspector wrap.
    panes = w.VBox(
        [
            w.Box([image], layout=w.Layout(width="100%", max_height="560px", overflow="auto")),
            w.Box([inspector], layout=w.Layout(width="100%", max_height="520px", overflow="auto")),
        ]
    )
    root = w.VBox([controls, live_box, panes, state])
    return PlayerUI(root, slider, play, caption, image, inspector, state, pending, editor, status, live_box)
