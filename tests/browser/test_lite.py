"""The browser edition (build/lite/, ``make lite``) in headless Chromium, with no network but 127.0.0.1.

The built site is served by ``python -m http.server`` on loopback, as a trainer would; every
request the browser makes for any other host is aborted and recorded, and the test asserts there
were none. Notebooks 00 and 01 are run to the end (Run All; a cell that fails does not stop the
rest), then the replay player of notebook 01 is stepped with **Next ▶**. Asserted: the flow's
status ``granted``, every cell ran, the diagram is shown at its natural aspect ratio and moves on.

Until the pictures are drawn without matplotlib (issue #26 item 3; the Pyodide build has no numpy
and so no matplotlib), the cells that draw fail with ``No module named 'matplotlib'``: the test
then checks everything else and reports an expected failure naming those cells.

Skips, saying why, where build/lite/ does not exist, or Chromium or playwright is missing
(``NUTSSIM_REQUIRE_BROWSER=1`` makes a missing browser a failure, ``NUTSSIM_REQUIRE_LITE=1`` a
missing site). Screenshots go to a new temporary directory, printed with ``-s``.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS, missing
from tests.browser.lite import SITE, LiteNotebook, failed, offline, serve

pytestmark = pytest.mark.browser

#: What a cell fails with while the pictures still need matplotlib (numpy has no Pyodide wheel).
NO_PICTURES = re.compile(r"ModuleNotFoundError.*No module named '(matplotlib|numpy|PIL)'")
CAPTION = re.compile(r"step (\d+)/(\d+)")
#: In the page: the diagram's natural size (an image's pixels, an SVG's viewBox) and its shown size.
MEASURE = """(el) => {
  const box = el.getBoundingClientRect();
  let natural;
  if (el.tagName.toLowerCase() === 'img') natural = [el.naturalWidth, el.naturalHeight];
  else { const v = el.viewBox && el.viewBox.baseVal;
         natural = v && v.width ? [v.width, v.height] : [box.width, box.height]; }
  return {natural, shown: [box.width, box.height]};
}"""


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, Any, list[str], Path]]:
    """The served site, a Chromium context routed to 127.0.0.1 only, what it refused, the shots' dir."""
    reason = missing()
    if reason and os.environ.get("NUTSSIM_REQUIRE_BROWSER"):
        pytest.fail(f"NUTSSIM_REQUIRE_BROWSER is set, but {reason}")
    if reason:
        pytest.skip(f"browser check skipped: {reason}")
    if not (SITE / "static" / "pyodide" / "pyodide-lock.json").exists():
        if os.environ.get("NUTSSIM_REQUIRE_LITE"):
            pytest.fail("NUTSSIM_REQUIRE_LITE is set, but there is no build/lite/ (run `make lite`)")
        pytest.skip("lite check skipped: no build/lite/ (run `make lite` to build the browser edition)")
    from playwright.sync_api import sync_playwright

    with serve() as url, sync_playwright() as playwright:
        profile = tempfile.mkdtemp(prefix="nutssim-lite-profile-")
        shots = Path(tempfile.mkdtemp(prefix="nutssim-lite-shots-"))
        print(f"\nscreenshots: {shots}")
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        refused = offline(context)
        try:
            yield url, context, refused, shots
        finally:
            context.close()


def _run(site: tuple[str, Any, list[str], Path], name: str) -> tuple[LiteNotebook, list[dict[str, Any]]]:
    url, context, refused, shots = site
    page = context.new_page()
    notebook = LiteNotebook(page, url, name)
    notebook.open()
    cells = notebook.run_all()
    page.screenshot(path=str(shots / f"{name.split('_')[0]}_after_run_all.png"))
    assert refused == [], f"requests left 127.0.0.1: {refused[:5]}"
    return notebook, cells


def _outcome(cells: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(cells that fail only for want of matplotlib, cells that fail otherwise), as 'N: why'."""
    no_pictures, broken = [], []
    for index, cell in enumerate(cells):
        why = failed(cell)
        if why:
            (no_pictures if NO_PICTURES.search(why) else broken).append(f"cell {index}: {why}")
    return no_pictures, broken


def _result_text(cell: dict[str, Any]) -> str:
    return "".join(o["text"] for o in cell["outputs"]) + "".join(
        str(o.get("data", "")) for o in cell["outputs"]
    )


def test_notebook_00_runs_to_the_end_offline_and_the_flow_is_granted(site):
    started = time.monotonic()
    notebook, cells = _run(site, "00_tour.ipynb")
    status = next(c for c in cells if "flow.result.status" in c["source"])
    assert failed(status) is None
    shown = notebook.page.evaluate(
        "(s) => [...window.jupyterapp.shell.currentWidget.content.model.cells]"
        ".find(c => c.sharedModel.getSource().includes(s)).outputs.toJSON()"
        ".map(o => (o.data || {})['text/plain'] || '').join('')",
        "flow.result.status",
    )
    assert shown == "'granted'"
    no_pictures, broken = _outcome(cells)
    assert broken == [], broken
    print(f"00: {len(cells) - len(no_pictures)}/{len(cells)} cells ran in {time.monotonic() - started:.0f} s")
    notebook.page.close()
    if no_pictures:
        pytest.xfail(f"the pictures still need matplotlib: {no_pictures}")


def test_notebook_01_runs_to_the_end_offline_and_its_player_steps(site):
    started = time.monotonic()
    notebook, cells = _run(site, "01_service_to_service.ipynb")
    no_pictures, broken = _outcome(cells)
    assert broken == [], broken
    print(f"01: {len(cells) - len(no_pictures)}/{len(cells)} cells ran in {time.monotonic() - started:.0f} s")
    if no_pictures:
        notebook.page.close()
        pytest.xfail(f"the pictures (and so the Player) still need matplotlib: {no_pictures}")
    page, shots = notebook.page, site[3]
    player = page.locator(".jp-CodeCell").filter(
        has=page.locator(".jp-InputArea", has_text="replay = ns.views.Player(")
    )
    caption = player.locator(".widget-html", has_text="step ").first
    first = CAPTION.search(caption.inner_text())
    assert first and first.group(1) == "1", caption.inner_text()
    diagram = player.locator(".widget-image, svg").first
    before = diagram.evaluate("(el) => el.outerHTML.length + ':' + (el.getAttribute('src') || '').length")
    player.get_by_role("button", name="Next ▶").click()
    player.locator(".widget-html", has_text=f"step 2/{first.group(2)}").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "([el, old]) => el.outerHTML.length + ':' + (el.getAttribute('src') || '').length !== old",
        arg=[diagram.element_handle(), before],
        timeout=60_000,
    )
    player.screenshot(path=str(shots / "01_player_step2.png"))
    seen = diagram.evaluate(MEASURE)
    (natural_w, natural_h), (shown_w, shown_h) = seen["natural"], seen["shown"]
    assert natural_w > 0 and shown_h > 0, seen
    assert abs((shown_w / shown_h) / (natural_w / natural_h) - 1) <= 0.02, f"diagram distorted: {seen}"
    assert site[2] == [], f"requests left 127.0.0.1: {site[2][:5]}"
    page.close()
