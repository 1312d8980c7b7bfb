"""The sequence diagram: one arrow per exchange, failures in the failure colour, stepping, folding."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from nutssim.trace import Trace
from nutssim.views import draw_sequence, load_trace, render_png, styles
from tests.views.world import good_trace

# A glyph missing from the font would show as a box on the projector.
pytestmark = pytest.mark.filterwarnings("error:Glyph:UserWarning")


def arrows(ax: Axes, kind: str) -> list[Annotation]:
    return [a for a in ax.texts if isinstance(a, Annotation) and (a.get_gid() or "").startswith(f"{kind}-")]


def arrow_colour(annotation: Annotation) -> str:
    return to_hex(annotation.arrow_patch.get_edgecolor())


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts if isinstance(t, Text) and not isinstance(t, Annotation)]


def test_one_request_and_one_response_arrow_per_exchange(good: Trace) -> None:
    ax = draw_sequence(good)
    seqs = sorted(x.seq for x in good.exchanges)
    assert sorted(int(a.get_gid().split("-")[1]) for a in arrows(ax, "request")) == seqs
    assert sorted(int(a.get_gid().split("-")[1]) for a in arrows(ax, "response")) == seqs


def test_lifelines_are_grouped_per_node(good: Trace) -> None:
    ax = draw_sequence(good)
    shown = texts(ax)
    headers = [
        name
        for name in (
            "Browser",
            "EHR Huisarts West",
            "Huisarts West (node)",
            "Ziekenhuis Oost (node)",
            "API Ziekenhuis Oost",
            "Zorgregister",
        )
        if name in shown
    ]
    assert len(headers) == 6
    groups = {p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("group-")}
    assert groups == {"group-gp", "group-hospital"}  # the EHR sits with its node, the API with the hospital


def test_failures_are_drawn_in_the_failure_colour_with_their_code(failure: Trace) -> None:
    ax = draw_sequence(failure)
    fail = to_hex(styles.FAIL)
    red = {a.get_gid() for a in arrows(ax, "response") if arrow_colour(a) == fail}
    assert red == {"response-2", "response-4", "response-5", "response-8"}
    assert not [a for a in arrows(ax, "response") if a.get_gid() == "response-9" and arrow_colour(a) == fail]
    labels = texts(ax)
    assert any("invalid_request" in t and styles.GLYPH_FAIL in t for t in labels)
    assert any("access_denied" in t and "↪" in t for t in labels)  # the redirect through the browser
    checks = [
        t for t in ax.texts if (t.get_gid() or "").startswith("check-") and to_hex(t.get_color()) == fail
    ]
    assert {t.get_text() for t in checks} == {"✗ s2s.vp.nonce", "✗ user.consent"}
    good = draw_sequence(good_trace())
    passed = {t.get_gid(): t.get_text() for t in good.texts if to_hex(t.get_color()) == to_hex(styles.OK)}
    assert passed == {"check-2": "✓1", "check-8": "✓3", "check-13": "✓1"}  # checks that passed, counted


def test_upto_reveals_in_delivery_order_without_moving_anything(good: Trace) -> None:
    full = draw_sequence(good)
    limits = (full.get_xlim(), full.get_ylim())
    previous: set[str] = set()
    for x in good.exchanges:
        ax = draw_sequence(good, upto=x.seq)
        assert (ax.get_xlim(), ax.get_ylim()) == limits
        shown = {a.get_gid() for a in arrows(ax, "request") + arrows(ax, "response")}
        assert f"request-{x.seq}" in shown
        assert not any(int(g.split("-")[1]) > x.seq for g in shown if g.startswith("request"))
        assert previous <= shown
        previous = shown
    # the token request (8) is answered only after its DID lookups (9, 10)
    assert "response-8" not in {a.get_gid() for a in arrows(draw_sequence(good, upto=9), "response")}
    assert "response-8" in {a.get_gid() for a in arrows(draw_sequence(good, upto=10), "response")}


def test_highlight_marks_one_exchange(good: Trace) -> None:
    ax = draw_sequence(good, highlight=8)
    bands = [p for p in ax.patches if (p.get_gid() or "").startswith("highlight-")]
    assert [b.get_gid() for b in bands] == ["highlight-8"]
    widths = {a.get_gid(): a.arrow_patch.get_linewidth() for a in arrows(ax, "request")}
    assert widths["request-8"] > widths["request-7"]


def test_fold_hides_did_lookups_and_counts_them_on_the_parent(good: Trace) -> None:
    ax = draw_sequence(good, fold=True)
    gids = {a.get_gid() for a in arrows(ax, "request")}
    assert "request-9" not in gids and "request-10" not in gids and "request-8" in gids
    assert any("2 DID lookups folded" in t for t in texts(ax))
    assert "Zorgregister" not in texts(ax)  # only reached through DID lookups
    assert [p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("highlight")] == []
    folded = draw_sequence(good, fold=True, highlight=9)  # a folded exchange highlights its parent
    assert [p.get_gid() for p in folded.patches if (p.get_gid() or "").startswith("highlight")] == [
        "highlight-8"
    ]


def test_given_axes_are_used_and_returned(good: Trace) -> None:
    fig = Figure(figsize=(12, 8))
    ax = fig.add_subplot()
    assert draw_sequence(good, ax) is ax


def test_draws_from_the_exported_dict(good: Trace) -> None:
    ax = draw_sequence(good.to_dict())
    assert len(arrows(ax, "request")) == len(good.exchanges)


def test_figure_height_grows_with_the_number_of_exchanges(good: Trace, long: Trace) -> None:
    small, big = draw_sequence(good).figure, draw_sequence(long).figure
    assert big.get_figheight() > small.get_figheight() * 1.8


def test_long_labels_are_wrapped(good: Trace) -> None:
    data = good.to_dict()
    data["events"][0]["label"] = (
        "a very long step name that goes on and on about what the message is for " * 3
    )
    ax = draw_sequence(load_trace(data))
    label = next(t for t in texts(ax) if t.startswith("1. a very long"))
    lines = label.splitlines()
    assert 1 < len(lines) <= 3 and max(len(line) for line in lines) < 76
    assert lines[-1].endswith("…")  # cut, and says so


def test_empty_trace_draws_nothing_but_does_not_fail() -> None:
    ax = draw_sequence(Trace())
    assert arrows(ax, "request") == []


@pytest.mark.parametrize("name", ["good", "failure", "long"])
def test_pictures_for_a_human(name: str, request: pytest.FixtureRequest, output: Path) -> None:
    trace = request.getfixturevalue(name)
    png = render_png(trace, highlight=8)
    assert png.startswith(b"\x89PNG")
    (output / f"sequence-{name}.png").write_bytes(png)
    if name == "long":
        (output / "sequence-long-folded.png").write_bytes(render_png(trace, fold=True))
    assert render_png(trace, highlight=8) == png  # deterministic
