"""Two small things every PEX module shares, below all of them (so none imports another for them)."""

from __future__ import annotations

import json
from typing import Any

#: What a path yields when it selects nothing (``None`` is a JSON value: null).
MISSING: Any = object()


def short(value: Any, limit: int = 120) -> str:
    """A JSON-ish rendering of ``value`` cut to ``limit`` characters, for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
