"""Every command line the README shows runs as typed, in order, from a fresh clone (issue #15)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference_data import ROOT

FENCE = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
#: How a CLI line starts; `make …`, `source …` and notebook lines are not CLI lines.
CLI = re.compile(r"^(\.venv/bin/nutssim|nutssim|python -m nutssim)(\s|$)")
#: Entries of a checkout a command may read; outputs land in the temporary folder instead.
NOT_LINKED = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}


def readme_command_lines() -> list[str]:
    """The CLI lines of the README's ```sh blocks, comments stripped, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in FENCE.findall(text):
        for line in block.splitlines():
            command = _strip_comment(line)
            if CLI.match(command):
                lines.append(command)
    return lines


def _strip_comment(line: str) -> str:
    """The line without a trailing `  # …` shell comment (the README's lines quote no `#`)."""
    return re.sub(r"\s+#\s.*$", "", line).strip()


def test_the_readme_shows_command_lines():
    lines = readme_command_lines()
    assert len(lines) >= 8, lines
    assert any(line.startswith(".venv/bin/nutssim") for line in lines), (
        "say how to call it without activating"
    )


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A folder that looks like the repository's (links to its entries) where outputs may be written."""
    folder = tmp_path_factory.mktemp("readme")
    for entry in ROOT.iterdir():
        if entry.name not in NOT_LINKED:
            (folder / entry.name).symlink_to(entry)
    bin_dir = Path(sys.executable).parent
    if not (ROOT / ".venv").exists():  # another environment (conda): `.venv/bin` is where python is
        (folder / ".venv").mkdir()
        (folder / ".venv" / "bin").symlink_to(bin_dir)
    return folder


@pytest.mark.parametrize("line", readme_command_lines())
def test_readme_command_runs_as_typed(line, checkout):
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "NO_COLOR": "1"}
    result = subprocess.run(
        ["bash", "-c", line], cwd=checkout, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{line!r} exited {result.returncode}:\n{result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr


def test_the_readme_counts_the_catalogue_as_it_is():
    from nutssim import catalogue

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"`nutssim\.catalogue` holds (\d+) failure and attack cases", text)
    assert stated, "the README says how many cases the catalogue holds"
    assert int(stated[1]) == len(catalogue.cases()), "update the count in README.md"
