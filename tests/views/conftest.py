"""Fixtures for the views: headless matplotlib, the in-test traces and a folder for pictures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

from nutssim.trace import Trace
from tests.views.world import failure_trace, good_trace, long_trace

matplotlib.use("Agg")

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture
def good() -> Trace:
    """A granted run with redirects, nested calls and JWTs."""
    return good_trace()


@pytest.fixture
def failure() -> Trace:
    """A refused run: a redirect carrying access_denied and an invalid_request token response."""
    return failure_trace()


@pytest.fixture
def long() -> Trace:
    """About 30 exchanges."""
    return long_trace()


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
