"""Error roots of nutssim.

The hierarchy::

    NutsSimError                 anything nutssim raises on purpose
    ├── SimulationError          a misbuilt scenario or a misused API: raised to the caller
    │   └── InputError           a user's document (policy, PD, credential) is wrong; says where
    └── ProtocolError            a protocol rule failed: becomes a wire response and a trace event
        └── OAuthError           carries an RFC 6749 ``error`` code, description and HTTP status

Spec modules define their own narrower failures (``JoseError``, ``PexError``, …) under
``ProtocolError``; the party that catches one decides which ``OAuthError`` it becomes on
the wire (ARCHITECTURE principle 5).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from nutssim.causes import Cause


class NutsSimError(Exception):
    """Root of every error nutssim raises on purpose."""


class SimulationError(NutsSimError):
    """A misbuilt scenario or misused API; the message says how to fix it."""


class InputError(SimulationError):
    """A user-supplied document is invalid; ``where`` names the file, scope or JSON pointer."""

    def __init__(self, message: str, *, where: str = "", hint: str = "") -> None:
        self.where = where
        self.hint = hint
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text} (hint: {hint})"
        super().__init__(text)


class ComponentMissing(InputError):
    """A package a scenario cannot run without is not importable here (the browser edition lacks some)."""


def did_you_mean(word: str, known: Iterable[str], *, cutoff: float = 0.6, listing: bool = True) -> str:
    """A hint for a misspelt name: "did you mean 'x'?", else (with ``listing``) the known names."""
    names = sorted({str(k) for k in known})
    close = difflib.get_close_matches(str(word), names, n=1, cutoff=cutoff)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known: {', '.join(names)}" if listing and names else ""


class ProtocolError(NutsSimError):
    """A protocol rule failed; ``check`` is the rule id that failed and ``cause`` why, if known."""

    check: str = ""
    cause: Cause | None = None

    def __init__(self, message: str, *, check: str = "", cause: Cause | None = None) -> None:
        super().__init__(message)
        if check:
            self.check = check
        if cause is not None:
            self.cause = cause


class OAuthError(ProtocolError):
    """An OAuth 2.0 error response (RFC 6749 §5.2): ``error``, ``description``, ``status``."""

    def __init__(
        self,
        error: str,
        description: str = "",
        *,
        status: int | None = None,
        check: str = "",
        redirect_uri: str | None = None,
        state: str | None = None,
        headers: dict[str, str] | None = None,
        cause: Cause | None = None,
    ) -> None:
        super().__init__(f"{error}: {description}" if description else error, check=check, cause=cause)
        self.error = error
        self.description = description
        # PROTOCOL.md conventions: every OAuth error is HTTP 400, server_error is 500.
        self.status = status if status is not None else (500 if error == "server_error" else 400)
        # Set when the error is delivered by redirect (RFC 6749 §4.1.2.1) rather than rendered.
        self.redirect_uri = redirect_uri
        self.state = state
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """Return the JSON error body of RFC 6749 §5.2."""
        out: dict[str, Any] = {"error": self.error}
        if self.description:
            out["error_description"] = self.description
        return out
