"""Terminal output for the command line: colours on a terminal, aligned tables, a progress line.

Colour is used only when the stream is a terminal (``isatty``), ``NO_COLOR`` is unset and
``TERM`` is not ``dumb``; ``FORCE_COLOR`` forces it (https://no-color.org). Piped output
is plain text, so it can be diffed and parsed. The progress line goes to standard error,
only on a terminal, and only once the work has taken longer than a second.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

RESET = "\x1b[0m"
CODES = {"bold": "1", "dim": "2", "ok": "34", "fail": "31", "warn": "33", "accent": "36"}
_FAIL_WORDS = re.compile(r"(✗|\bdenied\b|\berror\b)")
_OK_WORDS = re.compile(r"(✓|\bgranted\b)")


def colour_enabled(stream: TextIO | None = None) -> bool:
    """Whether to colour ``stream`` (default standard output)."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


class Painter:
    """Wraps text in ANSI styles when enabled; returns it unchanged otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO | None = None) -> Painter:
        """A painter that colours only if ``stream`` is a terminal."""
        return cls(colour_enabled(stream))

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        return f"\x1b[{';'.join(CODES[s] for s in styles)}m{text}{RESET}"

    def lines(self, text: str) -> str:
        """Colour rendered text line by line: headings bold, ✗/denied red, ✓/granted blue."""
        if not self.enabled:
            return text
        out = []
        for line in text.split("\n"):
            if line.startswith(("═", "──", "  ▸")) or line.lstrip().startswith("═"):
                line = self(line, "bold")
            line = _FAIL_WORDS.sub(lambda m: self(m.group(1), "fail", "bold"), line)
            line = _OK_WORDS.sub(lambda m: self(m.group(1), "ok", "bold"), line)
            out.append(line)
        return "\n".join(out)


def table(head: Sequence[str], rows: Sequence[Sequence[str]], painter: Painter | None = None) -> str:
    """Left-aligned columns separated by two spaces, a dim header; the last column is not padded."""
    paint = painter or Painter(False)
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        padded = [str(c).ljust(w) for c, w in zip(cells[:-1], widths[:-1], strict=True)]
        return "  ".join([*padded, str(cells[-1])]).rstrip()

    return "\n".join([paint(line(head), "dim"), *(paint.lines(line(r)) for r in rows)]) + "\n"


@contextmanager
def progress(label: str, stream: TextIO | None = None, *, after: float = 1.0) -> Iterator[None]:
    """Show ``label`` with a spinner and the elapsed seconds on a terminal once ``after`` s have passed."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        yield
        return
    done = threading.Event()
    start = time.monotonic()

    def spin() -> None:
        frames, shown = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏", False
        while not done.wait(0.1):
            elapsed = time.monotonic() - start
            if elapsed >= after:
                stream.write(f"\r{frames[int(elapsed * 10) % len(frames)]} {label} ({elapsed:.0f} s)")
                stream.flush()
                shown = True
        if shown:
            stream.write("\r\x1b[2K")
            stream.flush()

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
