"""The SVG pictures (no matplotlib): valid XML, every exchange's arrows and labels, same input same bytes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nutssim.trace import Trace
from nutssim.views import Player, heatmap_svg, html_report, outcome_table, sequence_svg, trust_svg, why_table
from nutssim.views.summary import error_code, response_label
from nutssim.views.timeline import layout
from tests.views.world import failure_trace, good_trace

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]


def _parse(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return root


def _classes(root: ET.Element) -> set[str]:
    return {c for e in root.iter() for c in (e.get("class") or "").split()}


def _texts(root: ET.Element) -> str:
    return "\n".join(" ".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("fold", [False, True])
def test_sequence_svg_has_an_arrow_pair_and_a_label_per_exchange(fold: bool, output: Path) -> None:
    trace = good_trace()
    picture = sequence_svg(trace, fold=fold)
    root = _parse(picture.svg)
    classes, texts = _classes(root), _texts(root)
    visible = [c for c in layout(trace, fold=fold).calls if c.visible]
    assert visible and len(visible) <= len(trace.exchanges)
    for call in visible:
        assert f"request-{call.key}" in classes and f"response-{call.key}" in classes
        assert f"{call.key}." in texts  # the step number starts its label (wrapped or not)
    arrows = [e for e in root.iter(f"{SVG}g") if (e.get("class") or "").startswith(("request-", "response-"))]
    assert len(arrows) == 2 * len(visible)
    assert all(len(g.findall(f"{SVG}polygon")) == 1 for g in arrows)  # each ends in one arrowhead
    assert sequence_svg(good_trace(), fold=fold).svg == picture.svg  # same input, same bytes
    (output / f"sequence{'-folded' if fold else ''}.svg").write_text(picture.svg)


def test_sequence_svg_names_the_failure_and_the_failed_check() -> None:
    trace = failure_trace()
    root = _parse(sequence_svg(trace).svg)
    texts = _texts(root)
    failed = [x for x in trace.exchanges if error_code(x)]
    assert failed
    for x in failed:
        assert response_label(x) in texts
    checked = [x for x in trace.exchanges if x.failed_checks]
    for x in checked:
        assert f"✗ {x.failed_checks[0].id}" in texts and f"check-{x.seq}" in _classes(root)
    title = root.find(f"{SVG}title")
    assert title is not None and "denied" in (title.text or "")


def test_sequence_svg_steps_and_highlights_without_moving_anything() -> None:
    trace = good_trace()
    first = trace.exchanges[0].seq
    partial = _classes(_parse(sequence_svg(trace, upto=first, highlight=first).svg))
    assert f"highlight-{first}" in partial
    assert f"request-{trace.exchanges[-1].seq}" not in partial  # later steps are not revealed yet
    assert sequence_svg(trace, upto=first).width == sequence_svg(trace).width


def test_svg_text_is_escaped() -> None:
    trace = good_trace()
    data = trace.to_dict()
    data["scenario"] = "<script>alert(1)</script> & co"
    text = sequence_svg(data).svg
    assert "<script>" not in text and "&lt;script&gt;" in text
    _parse(text)


def test_player_draws_inline_svg_cut_around_the_step() -> None:
    player = Player(good_trace(), svg=True, view_height=300)
    player.goto(len(player.steps) - 1)
    view = player.diagram_svg_view()
    root = _parse(view.svg)
    assert view.height == 300 and root.get("height") == "300"
    assert view.skipped > 0 and len(root.findall(f"{SVG}svg")) == 2  # headers, then a window of rows
    assert view.focus is not None and 0 <= view.focus[0] < view.focus[1] <= 300
    html = player.diagram_html()
    assert 'class="nsv-diagram"' in html and "<img" not in html
    import ipywidgets as w

    player.widget  # noqa: B018 (builds the widgets)
    assert isinstance(player._ui.image, w.HTML) and "<svg" in player._ui.image.value
    player.back()
    assert player._ui.image.value != html  # the widget follows the step


def test_report_diagram_is_the_svg_renderer() -> None:
    trace = good_trace()
    page = html_report(trace)
    assert sequence_svg(trace, narrow=0.75).svg in page


def test_trust_svg_marks_the_broken_link_with_its_check(output: Path) -> None:
    import nutssim as ns

    world = ns.scenarios.run("trust-revoked", seed=1)
    picture = trust_svg(world.sim.trace)
    root = _parse(picture.svg)
    texts, classes = _texts(root), _classes(root)
    assert {"node", "edge", "broken", "reason"} <= classes
    assert "credential is revoked" in texts and "[vc.revocation]" in texts
    assert "ISSUERS" in texts and "Zorgregister" in texts
    assert trust_svg(ns.scenarios.run("trust-revoked", seed=1).sim.trace).svg == picture.svg
    picture.save(output / "trust-revoked.svg")


def _rows() -> list[dict[str, object]]:
    base = {
        "flow": "s2s",
        "control": "vp_nonce",
        "expected_status": "denied",
        "expected_error": "invalid_request",
    }
    return [
        {**base, "case": "s2s-a", "profile": "nuts-node", "observed_status": "denied",
         "observed_error": "invalid_request", "passed": True},
        {**base, "case": "s2s-a", "profile": "nuts-node (without vp_nonce)", "observed_status": "granted",
         "observed_error": None, "passed": True, "expected_status": "granted", "expected_error": None},
        {**base, "case": "s2s-b", "control": None, "profile": "nuts-node", "observed_status": "granted",
         "observed_error": None, "passed": False},
    ]  # fmt: skip


def test_heatmap_svg_has_a_cell_per_run_and_frames_what_differs() -> None:
    root = _parse(heatmap_svg(_rows()).svg)
    cells = [e for e in root.iter(f"{SVG}rect") if "cell" in (e.get("class") or "").split()]
    assert len(cells) == 4  # 2 cases × 2 variants, one of them empty (no control)
    assert sum("differs" in (c.get("class") or "") for c in cells) == 1
    assert sum("empty" in (c.get("class") or "") for c in cells) == 1
    texts = _texts(root)
    assert "✗ granted" in texts and "expected invalid_request" in texts and "1 differs" in texts
    assert heatmap_svg(_rows()).svg == heatmap_svg(_rows()).svg


def test_sweep_tables_without_pandas() -> None:
    records = [
        {"policy": "as written", "wallet": "good", "status": "granted", "error": None, "failed_check": None},
        {"policy": "as written", "wallet": "bad", "status": "denied", "error": "invalid_request",
         "failed_check": "pex.match", "error_description": "no match"},
        {"policy": "anchored", "wallet": "bad", "status": "denied", "error": "invalid_request",
         "failed_check": "pex.match", "error_description": "no match"},
    ]  # fmt: skip
    table = outcome_table(records, "policy", "wallet")
    assert table.head == ("policy \\ wallet", "good", "bad")
    denied = "✗ invalid_request (pex.match)"
    assert table.rows == [("as written", "✓ granted", denied), ("anchored", "—", denied)]
    assert why_table(records).rows == [("pex.match", "invalid_request", "2", "100%", "no match")]
    with pytest.raises(KeyError, match="no column 'scope'"):
        outcome_table(records, "scope", "wallet")


def test_timelapse_svg_shows_lanes_denied_days_and_events(output: Path) -> None:
    from nutssim.timelapse import TimeLapse
    from nutssim.views import timelapse_svg

    lapse = TimeLapse(days=70, seed=1).run()
    picture = timelapse_svg(lapse)
    root = _parse(picture.svg)
    texts, classes = _texts(root), _classes(root)
    assert "credential 1, key 1" in texts and "daily flow" in texts
    denied = [p for p in lapse.periods() if p.status != "granted"]
    assert denied and "denied" in classes
    for period in denied:
        assert f"✗ days {period.first}–{period.last}: {period.error}" in texts
    for event in lapse.events:
        assert event.label in texts
    assert timelapse_svg(TimeLapse(days=70, seed=1).run()).svg == picture.svg
    picture.save(output / "timelapse.svg")


CHILD = textwrap.dedent(
    """
    import importlib.abc, json, sys

    BLOCKED = ("matplotlib", "numpy", "pandas", "PIL")

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked (as in the browser edition)")
            return None

    sys.meta_path.insert(0, Block())
    import nutssim as ns
    from nutssim.views import results

    trace = ns.scenarios.run("s2s", seed=1).sim.trace
    player = ns.views.Player(trace)
    player.next()
    player.widget
    rows = [{"case": "c", "flow": "s2s", "control": None, "profile": "nuts-node",
             "observed_status": "granted", "observed_error": None, "expected_status": "granted",
             "expected_error": None, "passed": True}]
    sweep = [{"policy": "p", "wallet": "w", "status": "granted", "error": None, "failed_check": None}]
    out = {
        "player_svg": player.svg,
        "player": player.diagram_html(),
        "widget": type(player._ui.image).__name__,
        "still": player.static_html(),
        "report": ns.views.html_report(trace),
        "sequence": str(ns.views.draw_sequence(trace)),
        "trust": str(ns.views.draw_trust_graph(trace)),
        "heatmap": str(ns.views.draw_heatmap(rows)),
        "matrix": results.matrix(sweep, "policy", "wallet").text,
        "loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
    }
    print(json.dumps(out))
    """
)


def test_pictures_without_matplotlib_numpy_or_pandas() -> None:
    """In a child interpreter where matplotlib, numpy, pandas and PIL cannot be imported, pictures draw."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, cwd=ROOT, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["loaded"] == []
    assert out["player_svg"] is True and out["widget"] == "HTML"
    for key in ("player", "still", "report", "sequence", "trust", "heatmap"):
        text = out[key]
        start = text.index("<svg")
        _parse(text[start : text.index("</svg>", start) + 6] if key != "player" else _outer(text[start:]))
    assert "2. request service access" in out["report"]
    assert "granted" in out["matrix"]


def _outer(text: str) -> str:
    """The outermost ``<svg>…</svg>`` of a windowed view (it nests two more)."""
    return text[: text.rindex("</svg>") + 6]


def test_draw_functions_keep_axes_where_matplotlib_is_there(good: Trace) -> None:
    from matplotlib.axes import Axes

    from nutssim.views import draw_sequence

    assert isinstance(draw_sequence(good), Axes)
