"""Editing a pending request as text, for the player's editor: the text a user sees and back."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlencode

from nutssim.messages import FORM, HttpRequest


def editable_text(request: HttpRequest) -> str:
    """The part of a request a user edits: form as ``key=value`` lines, JSON pretty, a GET's URL."""
    if request.content_type == FORM:
        return "\n".join(f"{k}={v}" for k, v in request.form_pairs)
    if request.content_type.endswith("json") and request.json is not None:
        return json.dumps(request.json, indent=2, ensure_ascii=False)
    if not request.body and request.method in ("GET", "HEAD", "DELETE"):
        return request.url
    return request.body


def apply_edit(request: HttpRequest, text: str) -> HttpRequest:
    """Inverse of ``editable_text``: the request with the user's text put back in."""
    if request.content_type == FORM:
        return replace(request, body=urlencode(_form_lines(text)))
    if request.content_type.endswith("json"):
        try:
            return replace(
                request, body=json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
            )
        except ValueError:  # deliberately malformed JSON is a legitimate experiment
            return replace(request, body=text)
    if not request.body and request.method in ("GET", "HEAD", "DELETE"):
        return replace(request, url=text.strip())
    return replace(request, body=text)


def _form_lines(text: str) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if "=" not in line:
            raise ValueError(f"line {number} has no '=': write one form field per line as key=value")
        key, value = line.split("=", 1)
        pairs.append((key.strip(), value))
    return pairs
