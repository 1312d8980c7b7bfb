"""The player: replay steps change the highlight and the inspector; live edits reach the receiver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nutssim.messages import HttpRequest
from nutssim.trace import Trace
from nutssim.views import Player
from nutssim.views.player import apply_edit, editable_text, pending_calls
from tests.views.world import World

# A glyph missing from the font would show as a box on the projector.
pytestmark = pytest.mark.filterwarnings("error:Glyph:UserWarning")


def test_replay_steps_forward_and_back(good: Trace) -> None:
    player = Player(good)
    assert not player.live
    assert player.current == 1 and "user landing page" in player.inspector_html
    player.next()
    assert player.current == 2 and "#2 authorize" in player.inspector_html
    player.goto(7)
    assert player.current == 8 and "#8 token request" in player.inspector_html
    first = player.inspector_html
    player.back()
    assert player.current == 7 and player.inspector_html != first
    player.goto(99)
    assert player.current == good.exchanges[-1].seq and player.at_end
    player.goto(-5)
    assert player.current == 1


def test_state_panel_shows_facts_so_far(good: Trace) -> None:
    player = Player(good)
    assert player.state_text == "no facts yet"
    player.goto(7)  # the token request is delivered; its facts come while it is handled
    assert "nonce_burned" not in player.state_text
    player.goto(9)  # the second DID lookup: the AS then burns the nonce and issues the token
    assert "nonce_burned ×1, token_issued ×1" in player.state_text
    assert "scope=eoverdracht" in player.state_text
    player.play()
    assert "outcome" in player.state_text and "granted" in player.state_text


def test_fold_skips_did_lookups(good: Trace) -> None:
    player = Player(good, fold=True)
    assert [x.seq for x in player.steps] == [1, 2, 3, 4, 5, 6, 7, 8, 13, 14]


def test_widget_shows_diagram_inspector_and_slider(good: Trace, output: Path) -> None:
    player = Player(good, svg=False)  # the matplotlib PNG (the SVG widget: tests/views/test_svg.py)
    ui = player.widget
    assert ui is player.widget  # built once
    parts = player._ui
    assert parts.slider.max == len(good.exchanges) - 1
    assert bytes(parts.image.value).startswith(b"\x89PNG")
    parts.slider.value = 7  # moving the slider is the same as goto
    assert player.current == 8 and "#8 token request" in parts.inspector.value
    assert parts.caption.value == "<b>step 8/12 · token request</b>"  # one position indicator
    (output / "player-step-8.png").write_bytes(bytes(parts.image.value))
    assert parts.live_box.layout.display == "none"


def test_replay_refuses_live_actions(good: Trace) -> None:
    with pytest.raises(RuntimeError, match="replays a finished trace"):
        Player(good).deliver()


class FlowLike:
    """What a scenario's FlowRun offers: a run with a ``trace`` attribute."""

    def __init__(self, run: Any, trace: Trace) -> None:
        self.run, self.trace = run, trace

    pending = property(lambda self: self.run.pending)
    done = property(lambda self: self.run.done)

    def step(self) -> Any:
        return self.run.step()

    def edit(self, request: HttpRequest) -> None:
        self.run.edit(request)

    def drop(self) -> None:
        self.run.drop()


def test_live_edit_reaches_the_receiver_and_the_trace(output: Path) -> None:
    world = World()
    run = world.sim.start(world.s2s(), "ehr")
    player = Player(run)  # a bare Run: the trace is run.network.trace
    assert player.live and player.current is None
    assert "request service access token" in player.pending_html
    text = editable_text(player.pending.request)
    assert json.loads(text)["scope"] == "eoverdracht"
    player.deliver_edited(text.replace("eoverdracht", "edited-scope"))
    assert world.gp.seen[-1].json["scope"] == "edited-scope"  # the receiver got the edit
    calls = pending_calls(run)
    assert [(c.seq, c.label) for c in calls] == [
        (1, "request service access token"),
        (None, "authorization server metadata"),
    ]
    player._ui = None
    (output / "player-live-in-flight.png").write_bytes(player.diagram_png())
    while not run.done:
        player.deliver()
    first = next(x for x in world.trace.exchanges if x.seq == 1)
    assert first.note == "edited by user" and first.request.json["scope"] == "edited-scope"
    # the last thing that happened is the answer to the EHR's resource request (its introspection came before)
    assert player.latest and player.exchange.label == "resource request"
    assert "edited by user" in Player(world.trace).inspector_html  # replaying it later shows the edit too


def test_live_player_accepts_a_flow_run_and_drops(output: Path) -> None:
    world = World()
    flow = FlowLike(world.sim.start(world.s2s(), "ehr"), world.trace)
    player = Player(flow)
    ui = player.widget
    assert player.svg and "<svg" in player._ui.image.value  # inline SVG by default
    assert player._ui.live_box.layout.display == ""
    while player.pending.label != "resource request":
        player.deliver()
    player.drop()
    dropped = world.trace.exchanges[-1]
    assert dropped.label == "resource request" and dropped.note == "dropped by user"
    assert dropped.response.status == 504 and flow.done
    assert player.current == dropped.seq and "dropped by user" in player.inspector_html
    assert "the run is done" in player.pending_html and player._ui.editor.disabled
    # A finished run: nothing to deliver, edit or drop, so those buttons are off.
    assert not player.can_act and all(button.disabled for button in player._ui.actions)
    (output / "player-live-dropped.html").write_text(player._ui.image.value)
    assert ui is player.widget


def test_buttons_are_labelled_with_tooltips_and_follow_the_position(good: Trace) -> None:
    player = Player(good)
    ui = player.widget and player._ui
    assert not ui.slider.readout  # the caption is the one position indicator
    assert (ui.back.description, ui.forward.description, ui.play_button.description) == (
        "◀ Back",
        "Next ▶",
        "▶ Play",
    )
    assert all(b.tooltip for b in (ui.back, ui.forward, ui.play_button, *ui.actions))
    assert ui.back.disabled and not ui.forward.disabled
    ui.play_button.value = True  # Play starts the timer and says how to stop it
    assert ui.play.playing and ui.play_button.description == "⏸ Pause"
    ui.play_button.value = False
    player.goto(99)
    assert ui.forward.disabled and not ui.back.disabled
    assert "nsv-player" in ui.root._dom_classes


def test_the_diagram_keeps_its_proportions_and_the_current_step_in_view(good: Trace, output: Path) -> None:
    from io import BytesIO

    from PIL import Image

    whole = Player(good, view_height=None)
    player = Player(good, view_height=300)
    for index in range(len(player.steps)):
        player.goto(index)
        whole.goto(index)
        view, full = player.diagram_view(), whole.diagram_view()
        image = Image.open(BytesIO(view.png))
        assert image.size == (view.width, view.height) == (full.width, min(full.height, 300))
        assert view.focus is not None and 0 <= view.focus[0] < view.focus[1] <= view.height
        # The band found in the pixels is where the view says it is.
        band = [
            y for y in range(view.height) if image.getpixel((view.width // 100 + 2, y))[:3] == (255, 243, 176)
        ]
        assert band and view.focus[0] - 1 <= band[0] and band[-1] <= view.focus[1] + 1
    assert view.skipped > 0  # the last step of this trace lies below the first window
    (output / "player-view-last.png").write_bytes(view.png)


def test_static_still_shows_diagram_and_inspector_without_a_kernel(good: Trace) -> None:
    player = Player(good, fold=True)
    player.goto(3)
    still = player.static_html()
    assert still.count("<svg") == 1 and "<img" not in still
    assert f"#{player.current} {player.exchange.label}" in still  # the inspector of the current step
    assert ".jp-OutputArea:has(.nsv-player) .nsv-static" in still  # hidden beside the live widget
    assert "<script" not in still


def test_a_bad_form_edit_is_refused_with_a_message() -> None:
    world = World()
    run = world.sim.start(world.s2s(), "ehr")
    player = Player(run)
    while player.pending.label != "token request":
        player.deliver()
    form = editable_text(player.pending.request)
    assert "grant_type=vp_token-bearer" in form.splitlines()
    player.deliver_edited(form + "\nthis line has no equals sign")
    assert "not delivered" in player.status and player.pending.label == "token request"
    player.deliver_edited(form.replace("grant_type=vp_token-bearer", "grant_type=password"))
    while not run.done:
        player.deliver()
    token = world.trace.find("token request")[0]
    assert token.note == "edited by user" and token.request.form["grant_type"] == "password"


def test_edit_round_trip_for_get_and_text() -> None:
    get = HttpRequest.get("https://as.example/pd", {"scope": "a"})
    assert apply_edit(get, editable_text(get).replace("scope=a", "scope=b")).query == {"scope": "b"}
    post = HttpRequest.post_json("https://as.example/x", {"a": 1})
    assert apply_edit(post, "{not json").body == "{not json"  # sending malformed JSON is allowed
