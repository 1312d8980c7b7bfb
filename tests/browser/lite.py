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
        """Run All Cells (JupyterLab's command), wait until no cell is pending; the cells afterwards."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.page.wait_for_function(
            """() => { const w = window.jupyterapp.shell.currentWidget;
                       const cells = [...w.content.model.cells].filter(c => c.type === 'code');
                       const busy = w.sessionContext.session.kernel.status !== 'idle';
                       return !busy && cells.every(c => c.executionCount !== null
                         || c.outputs.toJSON().some(o => o.output_type === 'error'))
                         || (!busy && [...w.content.widgets].every(
                              c => !c.node.querySelector('.jp-InputPrompt')
                                     || !c.node.querySelector('.jp-InputPrompt').textContent.includes('*'))); }""",
            timeout=timeout * 1000,
            polling=1000,
        )
        return self.cells()

    def cells(self) -> list[dict[str, Any]]:
        """Every code cell's source, execution count and outputs."""
        return list(self.page.evaluate(CELLS))


def failed(cell: dict[str, Any]) -> str | None:
    """Why a cell failed (its exception, or 'not run'), or None when it ran cleanly."""
    for output in cell["outputs"]:
        if output["type"] == "error":
            return f"{output['ename']}: {output['evalue']}"
    return None if cell["count"] is not None else "not run"
