"""A protocol rule as data: trace id, spec clause, wire error and the kind of cause it records.

Spec modules declare their checks as ``Rule`` tables (``rfc9101``, ``openid4vp``); a party
records one with ``parties.base.expect_rule``, which renders the wire error from the rule
(``fail``) and records the structured cause (``cause``) in the trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nutssim import causes
from nutssim.causes import Cause
from nutssim.errors import OAuthError


@dataclass(frozen=True)
class Rule:
    """One protocol check: its trace id, spec clause, the OAuth error when it fails, and its cause kind."""

    id: str
    ref: str
    error: str
    description: str = ""
    kind: str = causes.FAILED
    about: str = ""
    subject: str = ""
    status: int | None = None  # the HTTP status when not RFC 6749's (400, server_error 500)

    def fail(
        self,
        *,
        code: str | None = None,
        redirect_uri: str | None = None,
        state: str | None = None,
        **values: Any,
    ) -> OAuthError:
        """The wire error of this rule (``values`` fill the description's placeholders; ``code``, the
        profile's rendering of ``error``)."""
        return OAuthError(
            code or self.error,
            self.description.format(**values),
            status=self.status,
            check=self.id,
            redirect_uri=redirect_uri,
            state=state,
        )

    def cause(self, reason: str = "", /, **values: Any) -> Cause:
        """The cause a failure of this rule records; ``expected``/``actual`` values are carried over."""
        expected, actual = values.get("expected"), values.get("actual")
        return Cause(
            self.kind,
            self.about,
            self.subject,
            None if expected is None else str(expected),
            None if actual is None else str(actual),
            reason,
        )
