"""JupyterLab in a real browser: start a throw-away server, drive it with Playwright and Chromium.

``missing()`` says why the browser check cannot run here (no Chromium, no Playwright), so the
test can skip with that reason. ``JupyterLab`` starts ``jupyter lab`` from this interpreter on a
free loopback port with no token, its own settings, workspaces, config and runtime directories
(nothing from the user's), and a notebook windowing mode that keeps every cell in the DOM.
``Notebook`` wraps a Playwright page showing one notebook: run all cells from the command palette,
wait for the kernel to finish, find a cell by its source, read errors.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("NUTSSIM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Lab settings for a quiet, fully rendered notebook: no news or update checks, every cell in the DOM.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
START_TIMEOUT = 60.0
#: The notebook panel on show (other open notebooks stay in the DOM, hidden).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
#: JavaScript: the input prompts ("[ ]:", "[*]:", "[3]:") of the code cells on show.
PROMPTS = f"[...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputPrompt')]"


def missing() -> str | None:
    """Why the browser check cannot run here, or None when it can."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set NUTSSIM_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright; no browser download)"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JupyterLab:
    """A JupyterLab server serving ``root`` on a free loopback port, started and stopped by us."""

    def __init__(self, root: Path, scratch: Path) -> None:
        self.root = root
        self.scratch = scratch
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = scratch / "jupyterlab.log"

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until it answers (a few attempts if a port was taken meanwhile)."""
        settings = self.scratch / "settings"
        for name, value in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "JUPYTER_CONFIG_DIR": str(self.scratch / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.scratch / "runtime"),
            "IPYTHONDIR": str(self.scratch / "ipython"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        }
        for _ in range(3):
            self.port = free_port()
            command = [
                sys.executable, "-m", "jupyter", "lab", "--no-browser",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
                f"--ServerApp.root_dir={self.root}",
                f"--LabApp.user_settings_dir={settings}",
                f"--LabApp.workspaces_dir={self.scratch / 'workspaces'}",
                "--LabApp.extension_manager=readonly",
            ]  # fmt: skip
            if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
                command.append("--allow-root")
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    command,
                    cwd=self.root,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, so stop() ends exactly what we started
                )
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError(f"JupyterLab did not start; see {self.log}:\n{self.log.read_text()[-3000:]}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        return False

    def kernel_state(self, path: str) -> str | None:
        """The execution state of the kernel of the session for notebook ``path`` (None: no session)."""
        with urllib.request.urlopen(f"{self.url}/api/sessions", timeout=5) as response:
            sessions = json.loads(response.read())
        for session in sessions:
            if session.get("path") == path and session.get("kernel"):
                return str(session["kernel"].get("execution_state"))
        return None

    def stop(self) -> None:
        """Ask the server to shut down (it stops its kernels); if it lingers, end its process group."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            request = urllib.request.Request(f"{self.url}/api/shutdown", method="POST")
            urllib.request.urlopen(request, timeout=5).close()
            process.wait(timeout=15)
        except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
            pass
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@contextmanager
def jupyter_lab(notebooks: Path, scratch: Path) -> Iterator[JupyterLab]:
    """A running JupyterLab over a copy of ``notebooks`` (the repository's files stay untouched)."""
    root = scratch / "notebooks"
    shutil.copytree(notebooks, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    lab = JupyterLab(root, scratch)
    lab.start()
    try:
        yield lab
    finally:
        lab.stop()


@contextmanager
def chromium(scratch: Path) -> Iterator[Any]:
    """A headless Chromium browser context with a fresh profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(scratch / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1600, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


class Notebook:
    """One notebook open in JupyterLab, in a Playwright page."""

    def __init__(self, page: Any, lab: JupyterLab, name: str) -> None:
        self.page = page
        self.lab = lab
        self.name = name

    def open(self, timeout: float = 60.0) -> None:
        """Load the notebook and wait until its kernel has started and is idle."""
        self.page.goto(f"{self.lab.url}/lab/tree/{self.name}")
        self.page.locator(f"{PANEL} .jp-Notebook .jp-Cell").first.wait_for(timeout=timeout * 1000)
        # The toolbar says "idle" before the kernel exists; the server knows when it really is.
        deadline = time.monotonic() + timeout
        while self.lab.kernel_state(self.name) != "idle":
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel of {self.name} did not start; see {self.lab.log}")
            time.sleep(0.25)
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float) -> None:
        """Wait until the notebook's kernel reports idle."""
        indicator = self.page.locator(f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]')
        indicator.wait_for(timeout=timeout * 1000)

    def run_all(self, timeout: float = 90.0) -> None:
        """Run > Run All Cells through the command palette, then wait for every code cell to finish."""
        palette = self.page.locator(".lm-CommandPalette-input")
        for _ in range(10):  # just after loading, Lab may not have wired its shortcuts yet
            self.page.locator(f"{PANEL} .jp-Cell").first.click()  # focus the notebook
            self.page.keyboard.press("Escape")  # command mode, so the shortcut reaches JupyterLab
            self.page.keyboard.press("Control+Shift+C")  # the command palette
            try:
                palette.wait_for(state="visible", timeout=2_000)
                break
            except Exception:  # playwright's TimeoutError; try again
                continue
        palette.fill("Run All Cells")
        self.page.locator(".lm-CommandPalette-item", has_text="Run All Cells").first.wait_for(timeout=10_000)
        self.page.keyboard.press("Enter")
        # Queued cells show [*]; wait until some cell has started or finished, then until none is left.
        self.page.wait_for_function(
            f"() => {PROMPTS}.some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))", timeout=timeout * 1000
        )
        self.page.wait_for_function(
            f"() => !{PROMPTS}.some(p => p.textContent.includes('*'))", timeout=timeout * 1000
        )
        self.wait_idle(timeout)

    def unexecuted(self) -> int:
        """How many code cells have no execution count (Run All stops at the first error)."""
        script = f"() => {PROMPTS}.filter(p => !/\\[\\d+\\]/.test(p.textContent)).length"
        return int(self.page.evaluate(script))

    def stderr_outputs(self) -> list[str]:
        """The text of every output JupyterLab renders as stderr (tracebacks and warnings alike)."""
        selector = f'{PANEL} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        return list(self.page.locator(selector).all_inner_texts())

    def cell(self, source_contains: str) -> Any:
        """The (single) code cell whose source contains ``source_contains``."""
        cells = self.page.locator(f"{PANEL} .jp-CodeCell").filter(
            has=self.page.locator(".jp-InputArea", has_text=source_contains)
        )
        count = cells.count()
        if count != 1:
            raise AssertionError(f"{count} code cells contain {source_contains!r}; expected one")
        return cells.first
