"""``lxml.html`` for pyld's import only: nutssim never asks pyld to read a JSON-LD HTML document."""

from __future__ import annotations

from typing import Any


def fromstring(html: Any, *args: Any, **kwargs: Any) -> Any:
    """Refuse: the browser edition has no HTML parser (pyld then reports a loading error)."""
    raise ValueError("HTML documents are not supported in nutssim's browser edition")
