"""Explanations: why each candidate credential was taken or refused for each descriptor.

Matching itself records nothing (a wallet may hold 100,000 credentials); these reports
are computed on demand by re-running the same evaluation in verbose mode, which is
deterministic because the engine is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nutssim.specs.pex.values import MISSING, short


@dataclass(frozen=True)
class PathAttempt:
    """One path of a field, tried on one credential."""

    path: str
    value: Any  # ``MISSING`` when the path yields nothing
    passed: bool | None  # None: no filter ran (no value, or no filter)
    reason: str = ""

    def text(self) -> str:
        """One line: path, value, verdict."""
        if self.value is MISSING:
            return f"{self.path}: no value"
        verdict = "passes" if self.passed or self.passed is None else f"fails: {self.reason}"
        return f"{self.path} = {short(self.value, 80)} {verdict}"


@dataclass(frozen=True)
class FieldOutcome:
    """How one constraint field fared on one credential."""

    pointer: str  # JSON pointer of the field in the definition
    field_id: str | None
    filter: Any
    passed: bool
    value: Any  # the extracted value when passed; else the last value found, or MISSING
    attempts: tuple[PathAttempt, ...]
    optional: bool = False

    @property
    def label(self) -> str:
        """The field named by id (when it has one) and pointer."""
        return f"field '{self.field_id}' ({self.pointer})" if self.field_id else f"field {self.pointer}"

    def text(self) -> str:
        """Why the field passed or failed, naming paths, values and the filter."""
        if self.passed:
            return f"{self.label} passes with {short(self.value, 80)}"
        found = [a for a in self.attempts if a.value is not MISSING]
        if not found:
            paths = ", ".join(a.path for a in self.attempts) or "(no paths)"
            return f"{self.label}: no value at {paths}"
        tried = "; ".join(a.text() for a in found)
        return f"{self.label} with filter {short(self.filter, 100)}: {tried}"


@dataclass(frozen=True)
class CandidateOutcome:
    """One credential tried against one input descriptor."""

    wallet_index: int  # -1 when the credential is not from a wallet (a submitted one)
    credential_id: str
    credential_format: str
    accepted: bool
    rejected_by: str | None = None  # "field", "format", "selection" or None
    field: FieldOutcome | None = None
    detail: str = ""

    def text(self) -> str:
        """One line naming the credential and why it was accepted or refused."""
        number = f" #{self.wallet_index}" if self.wallet_index >= 0 else ""
        who = f"credential{number} ({self.credential_id or 'no id'}, {self.credential_format})"
        if self.accepted:
            return f"{who} fulfils the descriptor" + (f": {self.detail}" if self.detail else "")
        if self.rejected_by == "field" and self.field is not None:
            return f"{who} refused by {self.field.text()}"
        return f"{who} refused by {self.rejected_by}: {self.detail}"


@dataclass(frozen=True)
class DescriptorReport:
    """Every candidate tried for one input descriptor, and which was picked."""

    descriptor_id: str
    pointer: str
    picked: int | None  # wallet index, or None
    candidates: tuple[CandidateOutcome, ...]
    omitted: int = 0  # candidates not explained (over the limit)
    note: str = ""

    def text(self) -> str:
        """A paragraph: the verdict, then one line per candidate."""
        verdict = f"credential #{self.picked} picked" if self.picked is not None else "no credential picked"
        head = f"descriptor '{self.descriptor_id}' ({self.pointer}): {verdict}"
        if self.note:
            head += f" ({self.note})"
        lines = [head, *(f"  {c.text()}" for c in self.candidates)]
        if self.omitted:
            lines.append(f"  … {self.omitted} more candidates not shown")
        if not self.candidates:
            lines.append("  (the wallet holds no credentials)")
        return "\n".join(lines)


@dataclass(frozen=True)
class MatchReport:
    """The explanation of a whole match: one report per input descriptor."""

    definition_id: str
    descriptors: tuple[DescriptorReport, ...]
    requirements: tuple[str, ...] = ()
    semantics: str = ""  # which reading decided (Semantics.describe())

    def text(self) -> str:
        """The whole explanation as text."""
        parts = [
            f"presentation definition '{self.definition_id}'",
            *([f"semantics: {self.semantics}"] if self.semantics else []),
            *(d.text() for d in self.descriptors),
            *self.requirements,
        ]
        return "\n".join(parts)

    def descriptor(self, descriptor_id: str) -> DescriptorReport:
        """The report of one descriptor."""
        return next(d for d in self.descriptors if d.descriptor_id == descriptor_id)


@dataclass(frozen=True)
class Problem:
    """One reason a submission does not conform (PROTOCOL.md §3.7)."""

    message: str
    descriptor_id: str | None = None
    candidate: CandidateOutcome | None = None

    @property
    def field(self) -> FieldOutcome | None:
        """The field that refused the submitted credential, if that is the reason."""
        return self.candidate.field if self.candidate is not None else None

    def text(self) -> str:
        """The message, with the refusal of the submitted credential when there is one."""
        head = f"descriptor '{self.descriptor_id}': {self.message}" if self.descriptor_id else self.message
        if self.candidate is not None and not self.candidate.accepted:
            return f"{head} — submitted {self.candidate.text()}"
        return head
