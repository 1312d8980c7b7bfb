"""A presentation definition compiled for matching: paths, filters and formats, bounded once.

``compile_definition`` checks every cost bound and structural rule the matcher relies on
and caches the result per definition content, so repeated matches (a wallet answering
the same authorization server, a verifier checking every token request) pay once.
Evaluation comes in two speeds: ``passes``/``evaluate`` for the hot loop, ``explain``
for reports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nutssim.models.credential import Credential
from nutssim.specs.pex.errors import InvalidDefinition, LimitExceeded
from nutssim.specs.pex.filters import CompiledFilter, compile_filter
from nutssim.specs.pex.hotpath import Check, field_check
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits, active
from nutssim.specs.pex.models import (
    ClaimFormats,
    ConstraintField,
    InputDescriptor,
    PresentationDefinition,
    SubmissionRequirement,
    dump,
    parse_definition,
)
from nutssim.specs.pex.paths import MISSING, CompiledPath, compile_path
from nutssim.specs.pex.relational import NO_FACTS, Facts, credential_refusal
from nutssim.specs.pex.report import CandidateOutcome, FieldOutcome, PathAttempt
from nutssim.specs.pex.semantics import DEFAULT, Semantics

#: ``json.dumps(..., sort_keys=True, separators=(",", ":"), allow_nan=False)``, one encoder for all calls.
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False).encode


@dataclass(frozen=True, slots=True)
class CompiledField:
    """A constraint field: its paths and filter, ready to evaluate."""

    pointer: str
    id: str | None
    paths: tuple[CompiledPath, ...]
    filter: CompiledFilter | None
    optional: bool
    semantics: Semantics = DEFAULT
    boolean_result: bool = False  # spec §Predicate Feature: the result is `true`, not the value

    def evaluate(self, document: Any) -> tuple[bool, Any]:
        """(passes, extracted value): the first path with a value that passes the filter wins."""
        passed, value = self._evaluate(document)
        if self.boolean_result and passed and value is not None:
            return True, True
        return passed, value

    def _evaluate(self, document: Any) -> tuple[bool, Any]:
        semantics = self.semantics
        if not (semantics.null_is_absent and semantics.nodes_as_one_value):
            return self._evaluate_nodes(document)
        # PROTOCOL.md §3.4; `optional` only excuses absence, never a value the filter refuses.
        refused = False
        for path in self.paths:
            value = path.find(document)
            if value is MISSING:
                if not semantics.empty_list_is_a_value or path.singular:
                    continue
                value = []  # ambiguousPath.evaluate: the empty list of matches, not nil
            if self.filter is None:
                return True, value
            passed, extracted = self.filter.apply(value)
            if passed:
                return True, extracted
            refused = True
        return self._none_found(refused)

    def passes(self, document: Any) -> bool:
        """Whether the document passes the field (``evaluate`` without the value)."""
        return self.evaluate(document)[0]

    def _none_found(self, refused: bool) -> tuple[bool, Any]:
        # Spec step 1.1.3 excuses an optional field whatever the reason; the reference only absence.
        if self.optional and not (refused and self.semantics.optional_absence_only):
            return True, None
        return False, None

    def candidates(self, path: CompiledPath, document: Any) -> list[Any]:
        """The values one path offers the filter, under this field's semantics."""
        semantics = self.semantics
        if semantics.null_is_absent and semantics.nodes_as_one_value:
            value = path.find(document)
            if value is MISSING and semantics.empty_list_is_a_value and not path.singular:
                return [[]]
            return [] if value is MISSING else [value]
        nodes = path.nodes(document)
        if semantics.null_is_absent:
            nodes = [n for n in nodes if n is not None]
        if semantics.nodes_as_one_value and not path.singular:
            return [nodes] if nodes else []
        return nodes

    def _evaluate_nodes(self, document: Any) -> tuple[bool, Any]:
        """DIF PE v2 §Input Evaluation step 1.1: every JSONPath match is a candidate of its own."""
        refused = False
        for path in self.paths:
            for value in self.candidates(path, document):
                if self.filter is None:
                    return True, value
                passed, extracted = self.filter.apply(value)
                if passed:
                    return True, extracted
                refused = True
        return self._none_found(refused)

    def explain(self, document: Any) -> FieldOutcome:
        """The same evaluation, recording every path tried."""
        attempts: list[PathAttempt] = []
        for path in self.paths:
            found = self.candidates(path, document)
            for value in found or [MISSING]:
                outcome = self._attempt(path, value, attempts)
                if outcome is not None:
                    return outcome
        refused = any(a.passed is False for a in attempts)
        if self._none_found(refused)[0]:
            return self._outcome(True, None, attempts)
        found_values = [a.value for a in attempts if a.value is not MISSING]
        return self._outcome(False, found_values[-1] if found_values else MISSING, attempts)

    def _attempt(self, path: CompiledPath, value: Any, attempts: list[PathAttempt]) -> FieldOutcome | None:
        """Record one candidate value; the outcome when it settles the field."""
        if value is MISSING or self.filter is None:
            attempts.append(PathAttempt(path.text, value, None))
            return self._outcome(True, value, attempts) if value is not MISSING else None
        passed, extracted = self.filter.apply(value)
        reason = "" if passed else self.filter.reason(value)
        attempts.append(PathAttempt(path.text, value, passed, reason))
        return self._outcome(True, extracted, attempts) if passed else None

    def _outcome(self, passed: bool, value: Any, attempts: list[PathAttempt]) -> FieldOutcome:
        raw = self.filter.raw if self.filter is not None else None
        if self.boolean_result and passed and value is not None and value is not MISSING:
            value = True
        return FieldOutcome(self.pointer, self.id, raw, passed, value, tuple(attempts), self.optional)


@dataclass(frozen=True, slots=True)
class CompiledDescriptor:
    """An input descriptor: its fields, format and groups."""

    index: int
    id: str
    pointer: str
    fields: tuple[CompiledField, ...]
    format: ClaimFormats | None
    groups: tuple[str, ...]
    model: InputDescriptor
    withheld: str = ""  # why nothing may fulfil it under these semantics (limit_disclosure), or ""
    checks: tuple[Check, ...] = ()  # per field, the hot-path form of ``evaluate(document)[0]``
    ignore_relational: bool = True  # Semantics.ignore_relational
    relational: bool = False  # it has subject_is_issuer / is_holder / statuses to check per credential

    def passes(self, document: Any) -> bool:
        """Whether every field passes."""
        for check in self.checks:  # noqa: SIM110 - a plain loop: the innermost loop of matching
            if not check(document):
                return False
        return True

    def values(self, document: Any) -> dict[str, Any] | None:
        """Extracted values of the fields with an id, or None when a field fails."""
        values: dict[str, Any] = {}
        for f in self.fields:
            passed, value = f.evaluate(document)
            if not passed:
                return None
            if f.id is not None:
                values[f.id] = value
        return values


@dataclass(frozen=True)
class CompiledDefinition:
    """A presentation definition compiled for matching."""

    definition: PresentationDefinition
    descriptors: tuple[CompiledDescriptor, ...]
    format: ClaimFormats | None
    requirements: tuple[SubmissionRequirement, ...]
    field_ids: frozenset[str]
    limits: Limits
    semantics: Semantics = DEFAULT
    key: str = ""  # the canonical JSON text it was compiled from ("" when it was not plain JSON)

    @property
    def id(self) -> str:
        """The definition id."""
        return self.definition.id

    def descriptor(self, descriptor_id: str) -> CompiledDescriptor | None:
        """The descriptor with this id (the first, if ids repeat)."""
        return next((d for d in self.descriptors if d.id == descriptor_id), None)

    def format_refusal(self, descriptor: CompiledDescriptor, credential: Credential) -> str | None:
        """Why the definition's or the descriptor's format refuses the credential, or None."""
        refusal = format_refusal(self.format, credential)
        if refusal is not None:
            return f"presentation definition format: {refusal}"
        refusal = format_refusal(descriptor.format, credential)
        return f"input descriptor format: {refusal}" if refusal is not None else None

    def accepts(self, descriptor: CompiledDescriptor, credential: Credential) -> bool:
        """Whether the credential fulfils the descriptor (formats, then fields)."""
        return (
            not descriptor.withheld
            and format_refusal(self.format, credential) is None
            and format_refusal(descriptor.format, credential) is None
            and descriptor.passes(credential.document)
        )

    def explain(
        self, descriptor: CompiledDescriptor, credential: Credential, index: int, facts: Facts = NO_FACTS
    ) -> CandidateOutcome:
        """Why the credential does or does not fulfil the descriptor (fields first, as the reference)."""
        if descriptor.withheld:
            return CandidateOutcome(
                index, credential.id, credential.format, False, "limit_disclosure", detail=descriptor.withheld
            )
        for f in descriptor.fields:
            outcome = f.explain(credential.document)
            if not outcome.passed:
                return CandidateOutcome(index, credential.id, credential.format, False, "field", outcome)
        refusal = self.format_refusal(descriptor, credential)
        if refusal is not None:
            return CandidateOutcome(index, credential.id, credential.format, False, "format", detail=refusal)
        relational = credential_refusal(descriptor, credential, facts) if descriptor.relational else ""
        if relational:
            return CandidateOutcome(
                index, credential.id, credential.format, False, "relational", detail=relational
            )
        return CandidateOutcome(index, credential.id, credential.format, True)


def format_refusal(formats: ClaimFormats | None, credential: Credential) -> str | None:
    """Why a claim-format designation refuses a credential, or None (PROTOCOL.md §3.4)."""
    # As the reference: no designation, or a credential without a format, always passes; a
    # credential without proof passes its own format's entry; VP formats are not consulted.
    if not formats or not credential.format:
        return None
    spec = formats.get(credential.format)
    if spec is None:
        return f"{credential.format} is not among the allowed formats {sorted(formats)}"
    if credential.format == "ldp_vc":
        if credential.proof_type is None or credential.proof_type in (spec.proof_type or ()):
            return None
        return f"proof type {credential.proof_type} is not in {spec.proof_type or []}"
    if credential.format == "jwt_vc":
        if credential.alg in (None, "none") or credential.alg in (spec.alg or ()):
            return None
        return f"alg {credential.alg} is not in {spec.alg or []}"
    return f"{credential.format} credentials are not matched by format"


@dataclass(frozen=True)
class CanonicalDefinition:
    """A parsed definition with its canonical JSON text, so compiling it needs no dump.

    A policy's definitions are read once (``nuts_policy.CredentialProfile.canonical``); every
    token request then compiles from the text, a cache hit, where a model costs a dump and an
    encode per call (issue #23).
    """

    definition: PresentationDefinition
    text: str

    @classmethod
    def of(cls, definition: PresentationDefinition) -> CanonicalDefinition:
        """The definition and its text, as ``compile_definition`` keys it."""
        return cls(definition, _key(dump(definition)))

    @property
    def id(self) -> str:
        """The definition id."""
        return self.definition.id

    @property
    def format(self) -> ClaimFormats | None:
        """The definition's claim format designation."""
        return self.definition.format


#: Definitions parsed from JSON, by the text they were read from and limits: a wallet reads the
#: same PD per flow. Each entry keeps the definition and its canonical text.
_PARSED: dict[tuple[str, Limits], CanonicalDefinition] = {}
_PARSED_MAX = 256
#: Longer texts are parsed every time: the cache holds at most 256 × 64 KiB, however hostile a run.
_PARSED_MAX_TEXT = 64 * 1024


def canonical_definition(
    document: Any, *, limits: Limits = DEFAULT_LIMITS, raw: str | None = None
) -> CanonicalDefinition:
    """Parse a definition (JSON value) as ``parse_definition`` does, cached by its content.

    Parsing is a pure function of the document, so a document seen before is not validated
    again; one that fails is parsed, and refused, every time, with the parser's own words.
    ``raw`` is the JSON text ``document`` was parsed from (a response body): the same text is
    the same document, so it keys the cache without encoding the document again.
    """
    limits = active(limits)
    key = raw if raw is not None else _plain_text(document)
    if key is None or len(key) > _PARSED_MAX_TEXT:
        return CanonicalDefinition.of(parse_definition(document, limits=limits))
    found = _PARSED.get((key, limits))
    if found is None:
        definition = parse_definition(document, limits=limits)
        text = key if raw is None else _plain_text(document)
        found = CanonicalDefinition(definition, text) if text else CanonicalDefinition.of(definition)
        if len(_PARSED) >= _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]  # the oldest: bounded however many PDs a run meets
        _PARSED[(key, limits)] = found
    return found


def _plain_text(document: Any) -> str | None:
    """The canonical text of a JSON object, or None when it is not one (the parser refuses it)."""
    if not isinstance(document, Mapping):
        return None
    try:
        return _key(document)
    except (TypeError, ValueError, RecursionError):
        return None


def compile_definition(
    definition: PresentationDefinition | CompiledDefinition | CanonicalDefinition | Mapping[str, Any],
    *,
    limits: Limits = DEFAULT_LIMITS,
    semantics: Semantics | None = None,
) -> CompiledDefinition:
    """Compile (and bound) a definition for matching; cached by content, limits and semantics.

    A JSON value is parsed (and checked against the PE v2 schema) first; a model is taken
    as it is. Either way the cache key is the content, so a changed definition recompiles.
    A compiled definition is taken as it is unless other ``semantics`` are asked for; a
    ``CanonicalDefinition`` compiles from its text without a dump.
    Default ``limits`` are the ones in force (``limits.using_limits``).
    """
    limits = active(limits)
    if isinstance(definition, CompiledDefinition):
        if semantics is None or semantics == definition.semantics:
            return definition
        text = definition.key or _key(dump(definition.definition))
        return _compile_cached(text, definition.limits, semantics, False)
    semantics = semantics or DEFAULT
    if isinstance(definition, CanonicalDefinition):
        return _compile_cached(definition.text, limits, semantics, False)
    if isinstance(definition, PresentationDefinition):
        return _compile_cached(_key(dump(definition)), limits, semantics, False)
    key = _plain_text(definition)  # None when not plain JSON: the parser says what is wrong
    if key is not None:
        return _compile_cached(key, limits, semantics, True)
    return _compile(parse_definition(definition, limits=limits), limits, semantics)


def _key(document: Any) -> str:
    return _canonical(document)


@lru_cache(maxsize=256)
def _compile_cached(key: str, limits: Limits, semantics: Semantics, check_schema: bool) -> CompiledDefinition:
    definition = parse_definition(key, check_schema=check_schema, limits=limits)
    return _compile(definition, limits, semantics, key)


def _compile(
    definition: PresentationDefinition, limits: Limits, semantics: Semantics, key: str = ""
) -> CompiledDefinition:
    descriptors = definition.input_descriptors
    if len(descriptors) > limits.max_input_descriptors:
        raise LimitExceeded(
            f"{len(descriptors)} input descriptors; at most {limits.max_input_descriptors} are allowed",
            pointer="/input_descriptors",
        )
    compiled = tuple(_compile_descriptor(i, d, limits, semantics) for i, d in enumerate(descriptors))
    if not semantics.duplicate_ids_allowed:
        _check_unique_ids(compiled)
    requirements = tuple(definition.submission_requirements or ())
    _check_requirements(requirements, compiled, limits)
    field_ids = frozenset(f.id for d in compiled for f in d.fields if f.id is not None)
    return CompiledDefinition(
        definition, compiled, definition.format, requirements, field_ids, limits, semantics, key
    )


def _compile_descriptor(
    index: int, descriptor: InputDescriptor, limits: Limits, semantics: Semantics
) -> CompiledDescriptor:
    pointer = f"/input_descriptors/{index}"
    fields = (descriptor.constraints.fields or []) if descriptor.constraints else []
    if len(fields) > limits.max_fields_per_descriptor:
        raise LimitExceeded(
            f"{len(fields)} fields; at most {limits.max_fields_per_descriptor} are allowed",
            pointer=f"{pointer}/constraints/fields",
        )
    compiled = tuple(
        _compile_field(f"{pointer}/constraints/fields/{i}", f, limits, semantics)
        for i, f in enumerate(fields)
    )
    withheld = ""
    limited = descriptor.constraints is not None and descriptor.constraints.limit_disclosure == "required"
    if limited and not semantics.ignore_limit_disclosure:
        withheld = (
            "limit_disclosure is 'required' and nutssim derives no credentials, so it returns "
            "nothing (DIF PE v2 §Input Descriptor Object, limit_disclosure)"
        )
    return CompiledDescriptor(
        index,
        descriptor.id,
        pointer,
        compiled,
        descriptor.format,
        tuple(descriptor.group or ()),
        descriptor,
        withheld,
        tuple(field_check(f.paths, f.filter, f.optional, semantics, f.passes) for f in compiled),
        semantics.ignore_relational,
        not semantics.ignore_relational and _has_relational(descriptor),
    )


def _has_relational(descriptor: InputDescriptor) -> bool:
    """Whether the descriptor has a required per-credential relational constraint."""
    c = descriptor.constraints
    if c is None:
        return False
    holder = any(isinstance(i, dict) and i.get("directive") == "required" for i in c.is_holder or [])
    return c.subject_is_issuer == "required" or holder or bool(c.statuses)


def _compile_field(
    pointer: str, field: ConstraintField, limits: Limits, semantics: Semantics
) -> CompiledField:
    if len(field.path) > limits.max_paths_per_field:
        raise LimitExceeded(
            f"{len(field.path)} paths; at most {limits.max_paths_per_field} are allowed",
            pointer=f"{pointer}/path",
        )
    paths = tuple(
        compile_path(
            p,
            pointer=f"{pointer}/path/{i}",
            limits=limits,
            filters=semantics.filter_selectors,
            paessler=semantics.paessler_filters,
        )
        for i, p in enumerate(field.path)
    )
    compiled = None
    if field.filter is not None:
        compiled = compile_filter(
            field.filter, pointer=f"{pointer}/filter", limits=limits, semantics=semantics
        )
        # PROTOCOL.md §3.10: a capture yields the claim, so more than one group is ambiguous, but
        # only for a field that makes a claim (an `id`): the spec puts no bound on groups, and the
        # DIF examples use such patterns in fields without one (issue #22, bug 3). The reference
        # compiles it too and errs only when such a pattern matches (reference_filter.py).
        if field.id is not None and compiled.capture is not None and compiled.capture.groups > 1:
            raise InvalidDefinition(
                f"pattern has {compiled.capture.groups} capture groups; at most one is "
                "allowed in a field with an id (the capture is the field's value)",
                pointer=f"{pointer}/filter/pattern",
            )
    boolean = field.predicate is not None and not semantics.ignore_predicate
    return CompiledField(pointer, field.id, paths, compiled, bool(field.optional), semantics, boolean)


def _check_unique_ids(descriptors: tuple[CompiledDescriptor, ...]) -> None:
    """DIF PE v2 §Input Descriptor Object: descriptor ids and field ids are each unique."""
    seen: set[str] = set()
    for d in descriptors:
        if d.id in seen:
            raise InvalidDefinition(
                f"input descriptor id '{d.id}' is used twice; ids must not conflict "
                "(DIF PE v2 §Input Descriptor Object)",
                pointer=f"{d.pointer}/id",
            )
        seen.add(d.id)
    fields: set[str] = set()
    for d in descriptors:
        for f in d.fields:
            if f.id is None:
                continue
            if f.id in fields:
                raise InvalidDefinition(
                    f"field id '{f.id}' is used twice; field ids must be unique across the definition",
                    pointer=f"{f.pointer}/id",
                )
            fields.add(f.id)


def _check_requirements(
    requirements: tuple[SubmissionRequirement, ...],
    descriptors: tuple[CompiledDescriptor, ...],
    limits: Limits,
) -> None:
    """DIF PE v2 §Submission Requirement Feature rules the matcher relies on, checked up front."""
    named: set[str] = set()
    for i, requirement in enumerate(requirements):
        named |= _check_requirement(requirement, f"/submission_requirements/{i}", 1, limits)
    if not requirements:
        return
    for d in descriptors:
        for j, group in enumerate(d.groups):
            if group not in named:
                # The reference fails the match with "group '<g>' is required but not available".
                raise InvalidDefinition(
                    f"group '{group}' is required but not available: no submission requirement draws from it",
                    pointer=f"{d.pointer}/group/{j}",
                )


def _check_requirement(
    requirement: SubmissionRequirement, pointer: str, depth: int, limits: Limits
) -> set[str]:
    if depth > limits.max_requirement_depth:
        raise LimitExceeded(
            f"submission requirements nest deeper than {limits.max_requirement_depth} levels", pointer=pointer
        )
    if (requirement.from_ is None) == (requirement.from_nested is None):
        raise InvalidDefinition(
            "a submission requirement needs exactly one of 'from' and 'from_nested'", pointer=pointer
        )
    if requirement.from_ is not None:
        return {requirement.from_}
    groups: set[str] = set()
    for i, nested in enumerate(requirement.from_nested or []):
        groups |= _check_requirement(nested, f"{pointer}/from_nested/{i}", depth + 1, limits)
    return groups
