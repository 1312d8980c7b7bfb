"""Terminal output: colour only when asked for or on a terminal, aligned tables, a delayed progress line."""

from __future__ import annotations

import io
import time

import pytest

from nutssim.terminal import Painter, colour_enabled, progress, table


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "stream", "expected"),
    [
        ({}, io.StringIO(), False),
        ({}, Terminal(), True),
        ({"NO_COLOR": "1"}, Terminal(), False),
        ({"TERM": "dumb"}, Terminal(), False),
        ({"FORCE_COLOR": "1"}, io.StringIO(), True),
    ],
)
def test_colour_follows_the_stream_and_the_environment(monkeypatch, env, stream, expected):
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert colour_enabled(stream) is expected


def test_painter_marks_failures_and_successes_only_when_enabled():
    text = "outcome: denied ✗\nchecks ✓ granted"
    assert Painter(False).lines(text) == text
    painted = Painter(True).lines(text)
    assert "\x1b[31;1mdenied\x1b[0m" in painted and "\x1b[34;1m✓\x1b[0m" in painted


def test_table_aligns_columns_and_does_not_pad_the_last():
    assert table(["seq", "step"], [["2", "token request"], ["10", "x"]]) == (
        "seq  step\n2    token request\n10   x\n"
    )


def test_progress_shows_on_a_terminal_after_the_delay_and_clears_itself():
    stream = Terminal()
    with progress("working", stream, after=0.1):
        time.sleep(0.35)
    shown = stream.getvalue()
    assert "working (0 s)" in shown and shown.endswith("\r\x1b[2K")
    quick = Terminal()
    with progress("working", quick, after=5):
        pass
    assert quick.getvalue() == ""


def test_progress_is_silent_when_not_a_terminal():
    stream = io.StringIO()
    with progress("working", stream, after=0):
        time.sleep(0.15)
    assert stream.getvalue() == ""
