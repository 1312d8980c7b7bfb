"""Where two readings of PE give a different answer for the same definition and wallet.

For the policy linter and sweeps: ``compare_semantics`` runs one match per reading (by
default ``NUTS_NODE`` and ``STRICT``) and says whether they agree: both fulfil the
definition with the same descriptor → credential mapping, both fail, or one fails. A
different outcome means the same policy and wallet get a different grant depending on
whether the node reproduces the reference or follows the DIF text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nutssim.models.credential import Credential
from nutssim.specs.pex.compiled import CanonicalDefinition, CompiledDefinition
from nutssim.specs.pex.errors import PexDocumentError, PexError
from nutssim.specs.pex.match import match_definition
from nutssim.specs.pex.models import PresentationDefinition
from nutssim.specs.pex.semantics import NUTS_NODE, STRICT, Semantics


@dataclass(frozen=True)
class Outcome:
    """One reading's answer: the mapping (descriptor id → wallet position), or why it failed."""

    semantics: str
    mapping: tuple[tuple[str, int], ...] | None
    error: str = ""

    @property
    def fulfilled(self) -> bool:
        """Whether the definition was fulfilled."""
        return self.mapping is not None


@dataclass(frozen=True)
class Comparison:
    """Two readings side by side."""

    first: Outcome
    second: Outcome
    switches: tuple[str, ...]  # the switches on which the two readings differ

    @property
    def agree(self) -> bool:
        """Same mapping (or both failing)."""
        return self.first.mapping == self.second.mapping

    def text(self) -> str:
        """One line for a report."""
        if self.agree:
            return f"{self.first.semantics} and {self.second.semantics} agree"
        parts = [_describe(o) for o in (self.first, self.second)]
        return "; ".join(parts) + f" (readings differ in: {', '.join(self.switches)})"


def compare_semantics(
    definition: PresentationDefinition | CompiledDefinition | CanonicalDefinition | Mapping[str, Any],
    credentials: Sequence[Credential],
    *,
    first: Semantics = NUTS_NODE,
    second: Semantics = STRICT,
    holder: str | None = None,
) -> Comparison:
    """Match the wallet under both readings and compare the outcomes."""
    return Comparison(
        _outcome(definition, credentials, first, holder),
        _outcome(definition, credentials, second, holder),
        tuple(first.differs_from(second)),
    )


def _outcome(
    definition: PresentationDefinition | CompiledDefinition | CanonicalDefinition | Mapping[str, Any],
    credentials: Sequence[Credential],
    semantics: Semantics,
    holder: str | None,
) -> Outcome:
    try:
        result = match_definition(definition, credentials, semantics=semantics, holder=holder)
    except (PexError, PexDocumentError) as exc:
        return Outcome(semantics.name, None, f"{type(exc).__name__}: {exc}")
    return Outcome(semantics.name, tuple((m.descriptor_id, m.wallet_index) for m in result.matches))


def _describe(outcome: Outcome) -> str:
    if outcome.mapping is None:
        return f"{outcome.semantics}: not fulfilled ({outcome.error[:120]})"
    pairs = ", ".join(f"{d}→#{i}" for d, i in outcome.mapping) or "nothing needed"
    return f"{outcome.semantics}: {pairs}"
