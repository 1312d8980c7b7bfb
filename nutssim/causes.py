"""Why a check failed, as data (ARCHITECTURE principle 11): causes are data, texts are rendered.

A ``Cause`` is recorded with every failed check in the trace (``Check.cause``) and
travels with the protocol error a rule raises. Whoever needs to know *why* (the AS
choosing RFC021's error kind, the trust graph finding the broken link, a view) reads
the cause; the wire text is rendered from it, never parsed back.

``kind`` says what went wrong, ``about`` what sort of thing it is about and ``subject``
which one; ``expected`` and ``actual`` carry the values compared, ``reason`` the words
of the rule or library that refused (verbatim, so renderers can quote them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# -- kinds: what went wrong ------------------------------------------------------------------------
MISSING = "missing"  # a required parameter, claim, member or header is absent
INVALID = "invalid"  # present but malformed or of the wrong type
MISMATCH = "mismatch"  # two values that must agree differ (expected ≠ actual)
UNKNOWN = "unknown"  # names something the party does not know (or no longer: expired, used)
REPLAYED = "replayed"  # a single-use value was used again
UNSUPPORTED = "unsupported"  # a value the party does not support
NOT_ALLOWED = "not_allowed"  # a policy forbids it
SIGNATURE = "signature"  # a signature or proof did not verify, or was made by the wrong key
RESOLUTION = "resolution"  # a DID, key or document could not be resolved or fetched
REVOKED = "revoked"  # a credential's status says revoked
STATUS_UNKNOWN = "status_unknown"  # a credential's status could not be established
TIME = "time"  # outside its validity window
UNTRUSTED = "untrusted"  # an issuer not on the trust list
VALIDATION = "validation"  # a credential or presentation breaks a content rule
UNFULFILLED = "unfulfilled"  # a presentation definition is not answered
FAILED = "failed"  # a rule without a more specific kind (the rule id says which)

KINDS = (
    MISSING,
    INVALID,
    MISMATCH,
    UNKNOWN,
    REPLAYED,
    UNSUPPORTED,
    NOT_ALLOWED,
    SIGNATURE,
    RESOLUTION,
    REVOKED,
    STATUS_UNKNOWN,
    TIME,
    UNTRUSTED,
    VALIDATION,
    UNFULFILLED,
    FAILED,
)


@dataclass(frozen=True)
class Cause:
    """Why one check failed: kind, what it is about, the values compared, the refusing words."""

    kind: str
    about: str = ""  # "parameter", "credential", "presentation", "request_object", "token", …
    subject: str = ""  # which one: the parameter name, credential id, key id, …
    expected: str | None = None
    actual: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown cause kind {self.kind!r}; one of {', '.join(KINDS)}")

    def on(self, about: str, subject: str) -> Cause:
        """This cause, now about an enclosing thing (a credential's failure inside a VP)."""
        return replace(self, about=about, subject=subject)

    def to_record(self) -> dict[str, Any]:
        """Serialise for the trace export: ``kind`` always, the other members when set."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in ("about", "subject", "expected", "actual", "reason"):
            value = getattr(self, name)
            if value not in ("", None):
                out[name] = value
        return out

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Cause:
        """Read a cause back from a trace export."""
        return cls(
            **{
                k: record[k]
                for k in ("kind", "about", "subject", "expected", "actual", "reason")
                if k in record
            }
        )


def failed(reason: str = "", **members: Any) -> Cause:
    """A cause of kind ``failed``: the rule id of its check says which rule."""
    return Cause(FAILED, reason=reason, **members)
