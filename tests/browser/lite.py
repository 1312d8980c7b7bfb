"""The static JupyterLite edition (build/lite/) in a real browser: serve it, open a notebook, run it.

``serve()`` starts ``python -m http.server`` on a free loopback port over the built site, as a
trainer would. ``offline()`` routes every request of a browser context: those for 127.0.0.1 go
through, anything else is aborted and recorded. ``LiteNotebook`` opens a notebook in JupyterLite
and runs all its cells through JupyterLab's own command, then reads each code cell's outputs from
the notebook model (not from the DOM, so a cell scrolled away still counts).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.browser.lab import free_port

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "lite"
#: JavaScript: the current notebook's code cells as {source, count, outputs: [{type, name, text, ename}]}.
CELLS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [...panel.content.model.cells].filter(c => c.type === 'code');
  return cells.map(c => ({
    source: c.sharedModel.getSource(),
    count: c.executionCount,
    outputs: c.outputs.toJSON().map(o => ({
      type: o.output_type, name: o.name || '', ename: o.ename || '', evalue: o.evalue || '',
      text: Array.isArray(o.text) ? o.text.join('') : (o.text || ''),
      mimes: Object.keys(o.data || {}),
    })),
  }));
}"""

#: JavaScript: make the ``i``-th code cell the active cell (markdown cells count in the index).
ACTIVATE = """(i) => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  const cells = [...notebook.model.cells];
  notebook.activeCellIndex = cells.indexOf(cells.filter(c => c.type === 'code')[i]);
}"""
#: JavaScript: the kernel's status and how many input prompts show ``[*]`` (queued or running).
BUSY = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const prompts = [...w.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  return [w.sessionContext.session.kernel.status, prompts.filter(p => p.textContent.includes('*')).length];
}"""


@contextmanager
def serve(site: Path = SITE) -> Iterator[str]:
    """``python -m http.server`` over ``site`` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", "-b", "127.0.0.1", "-d", str(site), str(port)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/jupyter-lite.json", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("python -m http.server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def offline(context: Any) -> list[str]:
    """Abort every request of ``context`` that is not for 127.0.0.1; returns the list of those."""
    refused: list[str] = []

    def route(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", route)
    return refused


class LiteNotebook:
    """One notebook open in the JupyterLite site, in a Playwright page."""

    def __init__(self, page: Any, url: str, name: str) -> None:
        self.page = page
        self.url = url
        self.name = name

    def open(self, timeout: float = 180.0) -> None:
        """Load the notebook and wait until Pyodide (with nutssim) has started and the kernel is idle."""
        self.page.goto(f"{self.url}/lab/index.html?path={self.name}")
        self.page.wait_for_function(
            """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                       return w && w.sessionContext && w.sessionContext.session
                         && w.sessionContext.session.kernel
                         && w.sessionContext.session.kernel.status === 'idle'; }""",
            timeout=timeout * 1000,
            polling=500,
        )

    def run_all(self, timeout: float = 300.0) -> list[dict[str, Any]]:
        """Run All Cells; where a cell fails, go on from the next one (Run All Below). The cells then."""
        self._command("notebook:run-all-cells", timeout)
        while True:
            cells = self.cells()
            broken = [i for i, cell in enumerate(cells) if failed(cell) and failed(cell) != "not run"]
            rest = [i for i, cell in enumerate(cells) if cell["count"] is None]
            after = [i for i in rest if not broken or i > broken[-1]]
            if not after:
                return cells
            self.page.evaluate(ACTIVATE, after[0])
            self._command("notebook:run-all-below", timeout)

    def _command(self, command: str, timeout: float) -> None:
        """Execute a JupyterLab command, then wait until no cell is queued or running."""
        # The command's promise settles when its cells have run; then the kernel must be idle too.
        self.page.evaluate("async (c) => { await window.jupyterapp.commands.execute(c); }", command)
        deadline = time.monotonic() + timeout
        while True:
            self.page.wait_for_timeout(1000)
            status, pending = self.page.evaluate(BUSY)
            if os.environ.get("NUTSSIM_LITE_DEBUG"):
                print(f"  {self.name} {command}: kernel {status}, {pending} cells pending", flush=True)
            if status == "idle" and pending == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: {command} still running after {timeout:.0f} s")

    def cells(self) -> list[dict[str, Any]]:
        """Every code cell's source, execution count and outputs."""
        return list(self.page.evaluate(CELLS))


def failed(cell: dict[str, Any]) -> str | None:
    """Why a cell failed (its exception, or 'not run'), or None when it ran cleanly."""
    for output in cell["outputs"]:
        if output["type"] == "error":
            return f"{output['ename']}: {output['evalue']}"
    return None if cell["count"] is not None else "not run"


def census(names: list[str]) -> None:
    """Run each notebook in the served site (offline) and print which code cells ran and which failed."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS

    with serve() as url, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="nutssim-lite-"), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        refused = offline(context)
        for name in names:
            page = context.new_page()
            started = time.monotonic()
            notebook = LiteNotebook(page, url, name)
            notebook.open()
            cells = notebook.run_all()
            bad = [(i, failed(c)) for i, c in enumerate(cells) if failed(c)]
            took = time.monotonic() - started
            print(f"{name}: {len(cells) - len(bad)}/{len(cells)} code cells ran ({took:.0f} s)", flush=True)
            for index, why in bad:
                print(f"  cell {index}: {why}", flush=True)
            page.close()
        print(f"requests refused (not 127.0.0.1): {refused}")
        context.close()


if __name__ == "__main__":  # python -m tests.browser.lite [NOTEBOOK.ipynb ...]
    census(sys.argv[1:] or sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")))
