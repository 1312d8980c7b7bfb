"""Fixtures for the trust tests: headless matplotlib and a folder for the pictures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture
def output() -> Path:
    """test-output/ (git-ignored), where the pictures go for a human to look at."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")
