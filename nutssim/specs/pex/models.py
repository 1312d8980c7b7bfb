"""Pydantic models of the Presentation Exchange v2 documents (DIF PE v2 §5–§7).

Every model keeps unknown members (``extra="allow"``) and ``dump`` writes by alias with
only the members that were set, so ``dump(parse_x(doc)) == doc`` for any valid document.
Members are typed strictly (JSON types, no coercion). The filter is kept as the raw JSON
Schema it is; ``filters.py`` compiles it.

``parse_*`` take a JSON value (or JSON text), check it against the DIF v2 JSON Schema
(``schemas.py``; skip with ``check_schema=False``), then build the model; failures raise
``InvalidDefinition`` / ``InvalidSubmission`` whose ``pointer`` names the member.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nutssim.specs.pex.errors import InvalidDefinition, InvalidSubmission, PexDocumentError
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits, active, check_document_size, pointer_of
from nutssim.specs.pex.schemas import spelling_hint, validate_schema

Directive = Literal["required", "preferred"]


class PexModel(BaseModel):
    """Base: strict JSON types, unknown members kept, aliases accepted on input."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, strict=True)


class FormatSpec(PexModel):
    """One claim format designation: ``alg`` for JWT formats, ``proof_type`` for LD formats."""

    alg: list[str] | None = None
    proof_type: list[str] | None = None


ClaimFormats = dict[str, FormatSpec]
"""Claim format designations, e.g. ``{"jwt_vc": {"alg": ["ES256"]}, "ldp_vc": {...}}``."""


class ConstraintField(PexModel):
    """A field of an input descriptor's constraints (DIF PE v2 §Input Descriptor Object)."""

    path: list[str]
    id: str | None = None
    purpose: str | None = None
    name: str | None = None
    filter: Any = None
    optional: bool | None = None
    intent_to_retain: bool | None = None
    predicate: Directive | None = None

    @field_validator("filter")
    @classmethod
    def _filter_is_schema(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, dict | bool):
            raise ValueError("a filter must be a JSON Schema (an object)")
        return value


class Constraints(PexModel):
    """An input descriptor's constraints; only ``fields`` is evaluated (PROTOCOL.md §3.4)."""

    fields: list[ConstraintField] | None = None
    limit_disclosure: Directive | None = None
    statuses: dict[str, Any] | None = None
    subject_is_issuer: Directive | None = None
    is_holder: list[dict[str, Any]] | None = None
    same_subject: list[dict[str, Any]] | None = None


class InputDescriptor(PexModel):
    """An input descriptor: what one credential must look like."""

    id: str
    constraints: Constraints | None = None
    name: str | None = None
    purpose: str | None = None
    format: ClaimFormats | None = None
    group: list[str] | None = None


class SubmissionRequirement(PexModel):
    """A submission requirement (DIF PE v2 §Submission Requirement Feature)."""

    rule: Literal["all", "pick"]
    from_: str | None = Field(default=None, alias="from")
    from_nested: list[SubmissionRequirement] | None = None
    name: str | None = None
    purpose: str | None = None
    count: int | None = Field(default=None, ge=1)
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class PresentationDefinition(PexModel):
    """A presentation definition (DIF PE v2 §Presentation Definition)."""

    id: str
    input_descriptors: list[InputDescriptor]
    name: str | None = None
    purpose: str | None = None
    format: ClaimFormats | None = None
    submission_requirements: list[SubmissionRequirement] | None = None
    frame: dict[str, Any] | None = None


class DescriptorMapEntry(PexModel):
    """One descriptor_map entry (DIF PE v2 §Presentation Submission, Input Descriptor Mapping Object)."""

    id: str
    format: str
    path: str
    path_nested: DescriptorMapEntry | None = None


class PresentationSubmission(PexModel):
    """A presentation submission (DIF PE v2 §Presentation Submission)."""

    id: str
    definition_id: str
    descriptor_map: list[DescriptorMapEntry]


M = TypeVar("M", bound=PexModel)


def dump(model: PexModel) -> dict[str, Any]:
    """The JSON value of a model: by alias, only members that were set (a lossless round trip)."""
    return model.model_dump(by_alias=True, exclude_unset=True, mode="json")


def parse_definition(
    data: Any, *, check_schema: bool = True, limits: Limits = DEFAULT_LIMITS
) -> PresentationDefinition:
    """Parse a presentation definition (JSON value or text)."""
    return _parse(
        PresentationDefinition, data, "presentation_definition", check_schema, limits, InvalidDefinition
    )


def parse_input_descriptor(
    data: Any, *, check_schema: bool = True, limits: Limits = DEFAULT_LIMITS
) -> InputDescriptor:
    """Parse one input descriptor (JSON value or text)."""
    return _parse(InputDescriptor, data, "input_descriptor", check_schema, limits, InvalidDefinition)


def parse_submission_requirement(
    data: Any, *, check_schema: bool = True, limits: Limits = DEFAULT_LIMITS
) -> SubmissionRequirement:
    """Parse one submission requirement (JSON value or text)."""
    return _parse(
        SubmissionRequirement, data, "submission_requirement", check_schema, limits, InvalidDefinition
    )


def parse_submission(
    data: Any, *, check_schema: bool = True, limits: Limits = DEFAULT_LIMITS
) -> PresentationSubmission:
    """Parse a presentation submission (the bare object, JSON value or text)."""
    return _parse(
        PresentationSubmission, data, "presentation_submission", check_schema, limits, InvalidSubmission
    )


def _parse(
    model: type[M], data: Any, kind: str, check_schema: bool, limits: Limits, error: type[PexDocumentError]
) -> M:
    # The limits in force when a caller left the default, as compile_definition reads them: a
    # node's edge parse and its later checks then bound a document alike (using_limits).
    limits = active(limits)
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise error(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"a {kind.replace('_', ' ')} must be a JSON object, got {type(data).__name__}")
    check_document_size(
        data,
        max_depth=limits.max_document_depth,
        max_nodes=limits.max_document_nodes,
        what=kind.replace("_", " "),
    )
    try:
        result = model.model_validate(data)
        if check_schema:  # after the model, whose messages name types more precisely
            validate_schema(data, kind, error=error)
    except ValidationError as exc:
        raise _with_hint(_domain_error(exc, error), data) from None
    except PexDocumentError as exc:
        raise _with_hint(exc, data) from None
    return result


def _with_hint(exc: PexDocumentError, document: Any) -> PexDocumentError:
    """The error with a spelling hint when a member near its pointer looks misspelt."""
    hint = exc.hint or spelling_hint(document, exc.pointer)
    return exc if hint == exc.hint else type(exc)(exc.reason, pointer=exc.pointer, hint=hint)


def _domain_error(exc: ValidationError, error: type[PexDocumentError]) -> PexDocumentError:
    """Turn the first pydantic error into a domain error naming its JSON pointer."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    message = first["msg"]
    if first["type"] == "missing":
        message = "required member is missing"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return error(f"{message}{more}", pointer=pointer_of(first["loc"]))


def json_text(model: PexModel) -> str:
    """Compact JSON text of a model (as it travels in a form parameter)."""
    return json.dumps(dump(model), separators=(",", ":"), ensure_ascii=False)
