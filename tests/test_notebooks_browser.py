"""The course in a real browser: JupyterLab, headless Chromium, Run All, then the player's Next button.

nbval runs the notebooks in a kernel but never renders a widget. This test opens
``01_service_to_service.ipynb`` in JupyterLab in Chromium (driven by Playwright), runs every cell
from the command palette, clicks **Next ▶** on the replay player and checks that the highlighted
step, the diagram and the inspector all moved on. Screenshots go to ``test-output/browser/``.

It skips, saying why, where Chromium or the playwright package is missing. CI installs both
(``make browser-deps``) and sets ``NUTSSIM_REQUIRE_BROWSER=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.browser.lab import Notebook, chromium, jupyter_lab, missing

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "01_service_to_service.ipynb"
SHOTS = ROOT / "test-output" / "browser"
REPLAY_CELL = "replay = ns.views.Player("
CAPTION = re.compile(r"step (\d+)/(\d+) · #(\d+) (.+)")


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory):
    reason = missing()
    if reason and os.environ.get("NUTSSIM_REQUIRE_BROWSER"):
        pytest.fail(f"NUTSSIM_REQUIRE_BROWSER is set, but {reason}")
    if reason:
        pytest.skip(f"browser check skipped: {reason}")
    scratch = tmp_path_factory.mktemp("browser")
    with jupyter_lab(ROOT / "notebooks", scratch) as lab, chromium(scratch) as browser:
        page = browser.new_page()
        opened = Notebook(page, lab, NOTEBOOK)
        try:
            opened.open()
            yield opened
        finally:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "01_last_view.png"))


def read_player(cell) -> dict[str, str]:
    """What the player shows: its caption, the diagram's image source and the inspector's heading."""
    return {
        "caption": cell.locator(".widget-html", has_text="step ").first.inner_text().strip(),
        "image": cell.locator(".widget-image").first.get_attribute("src") or "",
        "inspector": cell.locator(".nsv h1, .nsv h2").first.inner_text().strip(),
    }


def test_run_all_then_step_the_replay_player(notebook: Notebook) -> None:
    started = time.monotonic()
    notebook.run_all()
    assert notebook.unexecuted() == 0, f"Run All stopped early: {notebook.stderr_outputs()}"
    assert notebook.stderr_outputs() == []

    cell = notebook.cell(REPLAY_CELL)
    next_button = cell.get_by_role("button", name="Next ▶")
    next_button.scroll_into_view_if_needed()
    next_button.wait_for(state="visible", timeout=20_000)
    before = read_player(cell)
    step, total, seq, label = CAPTION.match(before["caption"]).groups()
    assert (step, label) == ("1", "request service access token"), before
    assert f"#{seq} {label}" in before["inspector"]
    cell.screenshot(path=str(SHOTS / "01_player_step1.png"))

    next_button.click()
    # The kernel answers by updating the caption, the diagram and the inspector, in that order.
    cell.locator(".widget-html", has_text="step 2/").first.wait_for(timeout=20_000)
    cell.locator(".nsv h1, .nsv h2", has_text="AS metadata").first.wait_for(timeout=20_000)
    after = read_player(cell)
    step2, total2, seq2, label2 = CAPTION.match(after["caption"]).groups()
    assert (step2, total2) == ("2", total)
    assert int(seq2) > int(seq) and label2 == "AS metadata", after
    assert after["inspector"] != before["inspector"] and f"#{seq2} {label2}" in after["inspector"]
    assert after["image"] and after["image"] != before["image"], "the diagram did not move its highlight"
    cell.screenshot(path=str(SHOTS / "01_player_step2.png"))
    notebook.page.screenshot(path=str(SHOTS / "01_after_next.png"), full_page=False)
    assert time.monotonic() - started < 120
