"""Errors of the Presentation Exchange engine.

The hierarchy::

    InputError (nutssim.errors)        a document is wrong; ``where`` is a JSON pointer
    └── PexDocumentError
        ├── InvalidDefinition          a presentation definition (or a part of it) is invalid
        │   └── LimitExceeded          it asks more than the engine allows (a PD is attacker input)
        └── InvalidSubmission          a presentation submission is invalid
    ProtocolError (nutssim.errors)     a protocol rule failed; the party renders it
    └── PexError
        ├── NoCredentials              the wallet cannot fulfil the PD (the party answers 412)
        ├── MultipleCredentials        credential_selection left more than one candidate
        ├── InvalidCredentialSelection a credential_selection key names no field id
        ├── SubmissionMismatch         verifier: the submission does not conform to the PD
        └── DuplicateMappedField       two fulfilled PDs map the same field id

Which OAuth error each becomes on the wire is the party's decision (ARCHITECTURE
principle 5); the texts the reference puts on the wire are kept as attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nutssim.errors import InputError, ProtocolError
from nutssim.specs.pex.values import short as short  # re-exported: messages everywhere use it

if TYPE_CHECKING:
    from nutssim.specs.pex.report import MatchReport, Problem


class PexDocumentError(InputError):
    """A PEX document is invalid; ``pointer`` is the JSON pointer of the offending member."""

    def __init__(self, message: str, *, pointer: str = "", hint: str = "") -> None:
        self.pointer = pointer
        self.reason = message
        super().__init__(message, where=pointer or "(document root)", hint=hint)


class InvalidDefinition(PexDocumentError):
    """A presentation definition, input descriptor, filter or submission requirement is invalid."""


class LimitExceeded(InvalidDefinition):
    """A presentation definition exceeds a cost bound of ``Limits`` (hostile or runaway input)."""


class InvalidSubmission(PexDocumentError):
    """A presentation submission is invalid."""


class PexError(ProtocolError):
    """A Presentation Exchange rule failed."""

    check = "pex"


class NoCredentials(PexError):
    """No selection of the wallet's credentials fulfils the definition (``pe.ErrNoCredentials``)."""

    check = "pex.no_credentials"

    def __init__(self, definition_id: str, reasons: list[str], report: MatchReport | None = None) -> None:
        self.definition_id = definition_id
        self.reasons = tuple(reasons)
        self.report = report
        text = f"no credentials fulfil presentation definition (id={definition_id})"
        super().__init__(f"{text}: " + "; ".join(reasons) if reasons else text)


class MultipleCredentials(PexError):
    """credential_selection matched more than one candidate for a descriptor (PROTOCOL.md §3.9)."""

    check = "pex.credential_selection"
    reference_text = "multiple matching credentials"

    def __init__(self, descriptor_id: str, wallet_indexes: list[int]) -> None:
        self.descriptor_id = descriptor_id
        self.wallet_indexes = tuple(wallet_indexes)
        super().__init__(
            f"input descriptor '{descriptor_id}': {self.reference_text} "
            f"(wallet positions {list(wallet_indexes)})"
        )


class InvalidCredentialSelection(PexError):
    """A credential_selection key matches no field id of the definition (PROTOCOL.md §3.9)."""

    check = "pex.credential_selection"

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"credential_selection key '{key}' does not match any field id in the presentation definition"
        )


class SubmissionMismatch(PexError):
    """The submission does not conform to the definition (PROTOCOL.md §3.7)."""

    check = "pex.submission"
    semantics = ""  # which reading decided (Semantics.describe()), set by check_submission

    def __init__(self, definition_id: str, problems: list[Problem]) -> None:
        self.definition_id = definition_id
        self.problems = tuple(problems)
        # The reference's error_description, word for word (PROTOCOL.md §1.5 #12).
        self.reference_text = (
            f"presentation submission does not conform to presentation definition (id={definition_id})"
        )
        self.explanation = "; ".join(p.text() for p in problems)
        super().__init__(f"{self.reference_text}: {self.explanation}" if problems else self.reference_text)


class DuplicateMappedField(PexError):
    """Two fulfilled definitions map the same field id to a claim (PROTOCOL.md §3.10)."""

    check = "pex.field_mapping"
    reference_text = "duplicate mapped field in Presentation Definitions"

    def __init__(self, field_id: str, definition_ids: list[str]) -> None:
        self.field_id = field_id
        self.definition_ids = tuple(definition_ids)
        super().__init__(
            f"{self.reference_text}: field id '{field_id}' is mapped by "
            + " and ".join(f"'{d}'" for d in definition_ids)
        )
