"""Building the presentation submission for one VP (PROTOCOL.md §1.3).

The Nuts "flattened" style: every path is evaluated against the VP itself
(``$.verifiableCredential[i]``), ``format`` is the credential's own format and there is
no ``path_nested``. A VP with a single credential is the special case: a JWT VP always
carries an array (``$.verifiableCredential[0]``), a JSON-LD VP a single object
(``$.verifiableCredential``), so the builder needs the VP format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nutssim.errors import SimulationError
from nutssim.models.credential import Credential
from nutssim.specs.pex.compiled import CompiledDefinition
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits
from nutssim.specs.pex.match import MatchResult, match_definition
from nutssim.specs.pex.models import DescriptorMapEntry, PresentationDefinition, PresentationSubmission

VP_FORMATS = ("jwt_vp", "ldp_vp")


def build_submission(result: MatchResult, *, submission_id: str, vp_format: str) -> PresentationSubmission:
    """The submission for a VP of ``vp_format`` holding ``result.credentials`` in that order."""
    if vp_format not in VP_FORMATS:
        raise SimulationError(f"vp_format must be one of {VP_FORMATS}, got {vp_format!r}")
    entries = [
        DescriptorMapEntry(
            id=m.descriptor_id, format=_format(m.credential), path=f"$.verifiableCredential[{m.position}]"
        )
        for m in result.matches
    ]
    if len(entries) == 1:
        entries[0].path = "$.verifiableCredential[0]" if vp_format == "jwt_vp" else "$.verifiableCredential"
    return PresentationSubmission(
        id=submission_id, definition_id=result.definition_id, descriptor_map=entries
    )


def fulfil(
    definition: PresentationDefinition | CompiledDefinition | Mapping[str, Any],
    credentials: Sequence[Credential],
    *,
    submission_id: str,
    vp_format: str,
    selection: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[PresentationSubmission, MatchResult]:
    """Match and build in one step: the submission and the match (whose ``credentials`` go in the VP)."""
    result = match_definition(definition, credentials, selection=selection, limits=limits)
    return build_submission(result, submission_id=submission_id, vp_format=vp_format), result


def verifiable_credential_member(credentials: Sequence[Credential], vp_format: str) -> Any:
    """The ``verifiableCredential`` value of a VP carrying ``credentials`` as the builder addresses it."""
    raws = [c.raw for c in credentials]
    # A JSON-LD VP with one credential carries it as a single object (go-did, PROTOCOL.md §1.3).
    return raws[0] if vp_format == "ldp_vp" and len(raws) == 1 else raws


def _format(credential: Credential) -> str:
    if credential.format:
        return credential.format
    return "jwt_vc" if isinstance(credential.raw, str) else "ldp_vc"
