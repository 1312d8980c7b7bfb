"""Building the presentation submission for one VP (PROTOCOL.md §1.3).

Under the reference's reading (``Semantics.decoded_jwt_vp_view``), the Nuts "flattened"
style: every path is evaluated against the VP itself
(``$.verifiableCredential[i]``), ``format`` is the credential's own format and there is
no ``path_nested``. A VP with a single credential is the special case: a JWT VP always
carries an array (``$.verifiableCredential[0]``), a JSON-LD VP a single object
(``$.verifiableCredential``), so the builder needs the VP format. Under the spec's reading
the paths resolve on the VP as sent (``_spec_submission``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from nutssim.errors import SimulationError
from nutssim.models.credential import Credential
from nutssim.specs.pex.compiled import CompiledDefinition
from nutssim.specs.pex.models import DescriptorMapEntry, PresentationSubmission

VP_FORMATS = ("jwt_vp", "ldp_vp")


class Matched(Protocol):
    """What a submission is built from: a match's definition, credentials and entries (``MatchResult``)."""

    @property
    def definition(self) -> CompiledDefinition: ...

    @property
    def definition_id(self) -> str: ...

    @property
    def credentials(self) -> tuple[Credential, ...]: ...

    @property
    def matches(self) -> Sequence[Any]: ...  # DescriptorMatch: descriptor_id, credential, position


def build_submission(result: Matched, *, submission_id: str, vp_format: str) -> PresentationSubmission:
    """The submission for a VP of ``vp_format`` holding ``result.credentials`` in that order."""
    if vp_format not in VP_FORMATS:
        raise SimulationError(f"vp_format must be one of {VP_FORMATS}, got {vp_format!r}")
    semantics = result.definition.semantics
    if not semantics.decoded_jwt_vp_view:
        return _spec_submission(result, submission_id, vp_format)
    if not semantics.present_twice and len(result.credentials) == 1:
        # Several entries may share the one credential; the flattened single-credential paths apply.
        entries = [
            DescriptorMapEntry(
                id=m.descriptor_id,
                format=_format(m.credential),
                path="$.verifiableCredential[0]" if vp_format == "jwt_vp" else "$.verifiableCredential",
            )
            for m in result.matches
        ]
        return PresentationSubmission(
            id=submission_id, definition_id=result.definition_id, descriptor_map=entries
        )
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


def _spec_submission(result: Matched, submission_id: str, vp_format: str) -> PresentationSubmission:
    """Paths that resolve on the VP as sent (DIF PE v2 §Processing of Submission Entries).

    A JWT VP is a string: the entry addresses it (``$``) as ``jwt_vp`` and nests into its
    decoded claims (``$.vp.verifiableCredential[i]``, the OpenID4VP shape); a JSON-LD VP with
    one credential carries it as an object (``verifiable_credential_member``).
    """
    single = len(result.credentials) == 1
    entries = []
    for m in result.matches:
        if vp_format == "jwt_vp":
            nested = DescriptorMapEntry(
                id=m.descriptor_id,
                format=_format(m.credential),
                path=f"$.vp.verifiableCredential[{m.position}]",
            )
            entries.append(
                DescriptorMapEntry(id=m.descriptor_id, format="jwt_vp", path="$", path_nested=nested)
            )
        else:
            path = "$.verifiableCredential" if single else f"$.verifiableCredential[{m.position}]"
            entries.append(DescriptorMapEntry(id=m.descriptor_id, format=_format(m.credential), path=path))
    return PresentationSubmission(
        id=submission_id, definition_id=result.definition_id, descriptor_map=entries
    )


def verifiable_credential_member(credentials: Sequence[Credential], vp_format: str) -> Any:
    """The ``verifiableCredential`` value of a VP carrying ``credentials`` as the builder addresses it."""
    raws = [c.raw for c in credentials]
    # A JSON-LD VP with one credential carries it as a single object (go-did, PROTOCOL.md §1.3).
    return raws[0] if vp_format == "ldp_vp" and len(raws) == 1 else raws


def _format(credential: Credential) -> str:
    if credential.format:
        return credential.format
    return "jwt_vc" if isinstance(credential.raw, str) else "ldp_vc"
