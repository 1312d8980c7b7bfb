"""Wallet-side matching: choose credentials for a presentation definition (PROTOCOL.md §1.3, §3.4).

Per input descriptor the first credential (in wallet order) that passes the formats and
every field is picked, as the reference does; ``credential_selection`` narrows a
descriptor's candidates to those whose field values equal the requested ones
(PROTOCOL.md §3.9). Without submission requirements every descriptor must be fulfilled
and, as the reference does (``Semantics.present_twice``), each maps to its own position (a
credential picked twice is presented twice); with them, ``requirements.select`` decides,
and under ``Semantics.deduplicate_selection`` the selection is de-duplicated on the raw
credential and each credential maps to the first descriptor that picked it. Under the
spec's reading every selected descriptor is mapped and a shared credential presented once;
required relational constraints are checked on the picks (``relational.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from nutssim.models.credential import Credential
from nutssim.specs.pex import requirements
from nutssim.specs.pex.compiled import (
    CanonicalDefinition,
    CompiledDefinition,
    CompiledDescriptor,
    compile_definition,
    format_refusal,
)
from nutssim.specs.pex.errors import InvalidCredentialSelection, MultipleCredentials, NoCredentials, short
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits
from nutssim.specs.pex.models import PresentationDefinition
from nutssim.specs.pex.relational import NO_FACTS, Facts, StatusOf, credential_refusal, same_subject_refusals
from nutssim.specs.pex.report import CandidateOutcome, DescriptorReport, MatchReport
from nutssim.specs.pex.semantics import Semantics
from nutssim.specs.pex.submission import build_submission

if TYPE_CHECKING:
    from nutssim.specs.pex.models import PresentationSubmission

_NOT_A_STRING = object()


@dataclass(frozen=True)
class DescriptorMatch:
    """One descriptor_map entry to be: a descriptor and the credential presented for it."""

    descriptor_id: str
    credential: Credential
    wallet_index: int  # position in the wallet that was matched
    position: int  # position in the presentation's verifiableCredential list


@dataclass(frozen=True)
class MatchResult:
    """The credentials to present, in order, and which descriptor each fulfils."""

    definition: CompiledDefinition
    credentials: tuple[Credential, ...]
    matches: tuple[DescriptorMatch, ...]
    picks: tuple[int | None, ...]  # per descriptor (definition order): wallet position or None
    wallet: Sequence[Credential] = field(repr=False, compare=False)
    selection: Mapping[str, str] = field(default_factory=dict)
    requirement_notes: tuple[str, ...] = ()
    facts: Facts = NO_FACTS  # what the wallet knows beyond the credentials (holder, statuses)

    @property
    def definition_id(self) -> str:
        """The id of the fulfilled definition."""
        return self.definition.id

    def mapping(self) -> dict[str, Credential]:
        """Descriptor id → credential, as the verifier compares them."""
        return {m.descriptor_id: m.credential for m in self.matches}

    def explain(self, *, max_candidates: int = 50) -> MatchReport:
        """For every descriptor, why each candidate was taken or refused."""
        return explain(
            self.definition,
            self.wallet,
            self.picks,
            selection=self.selection,
            max_candidates=max_candidates,
            notes=self.requirement_notes,
            facts=self.facts,
        )

    def submission(self, *, submission_id: str, vp_format: str) -> PresentationSubmission:
        """The presentation submission for one VP of ``vp_format`` holding ``credentials``."""
        return build_submission(self, submission_id=submission_id, vp_format=vp_format)


def match_definition(
    definition: PresentationDefinition | CompiledDefinition | CanonicalDefinition | Mapping[str, Any],
    credentials: Sequence[Credential],
    *,
    selection: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    semantics: Semantics | None = None,
    holder: str | None = None,
    status_of: StatusOf | None = None,
) -> MatchResult:
    """Match a wallet against a definition; raise ``NoCredentials`` when it cannot be fulfilled.

    ``semantics`` picks the reading (``semantics.py``): ``NUTS_NODE`` for the reference,
    ``STRICT`` for the DIF text; the default is nutssim's historical mix (``DEFAULT``).
    ``holder`` (the wallet's DID) is what a required ``is_holder`` is checked against, and
    ``status_of(credential)`` (its statuses: active, suspended, revoked) what ``statuses`` is.
    """
    facts = Facts(holder, status_of)
    compiled = compile_definition(definition, limits=limits, semantics=semantics)
    selection = dict(selection or {})
    per_descriptor = _selections(compiled, selection)
    # The definition's format is the same for every descriptor: judge each credential once.
    allowed = (
        bytearray(format_refusal(compiled.format, c) is None for c in credentials)
        if compiled.format
        else None
    )
    picks = tuple(
        _pick(compiled, d, credentials, allowed, per_descriptor.get(d.id), facts)
        for d in compiled.descriptors
    )
    chosen = {d.id: credentials[p] for d, p in zip(compiled.descriptors, picks, strict=True) if p is not None}
    unrelated = same_subject_refusals(compiled, chosen)
    if unrelated:  # the first-match picks break a required same_subject; no other combination is tried
        return _fail(compiled, credentials, picks, selection, unrelated, facts)
    if compiled.requirements:
        return _with_requirements(compiled, credentials, picks, selection, facts)
    missing = [d for d, p in zip(compiled.descriptors, picks, strict=True) if p is None]
    if missing:
        return _fail(
            compiled,
            credentials,
            picks,
            selection,
            [f"no credential for input descriptor '{d.id}'" for d in missing],
            facts,
        )
    if not compiled.semantics.present_twice:
        return _result(compiled, credentials, picks, selection, range(len(picks)), facts)
    pairs = [(d, p) for d, p in zip(compiled.descriptors, picks, strict=True) if p is not None]
    matches = tuple(DescriptorMatch(d.id, credentials[p], p, i) for i, (d, p) in enumerate(pairs))
    presented = tuple(m.credential for m in matches)
    return MatchResult(compiled, presented, matches, picks, credentials, selection, facts=facts)


def credentials_required(definition: PresentationDefinition | CompiledDefinition) -> bool:
    """Whether fulfilling the definition needs any credential (the reference's ``CredentialsRequired``)."""
    model = definition.definition if isinstance(definition, CompiledDefinition) else definition
    for requirement in model.submission_requirements or []:
        if requirement.rule == "all" or (requirement.min is not None and requirement.min > 0):
            return True
    return len(model.input_descriptors) > 0


def explain(
    definition: CompiledDefinition,
    wallet: Sequence[Credential],
    picks: Sequence[int | None],
    *,
    selection: Mapping[str, str] | None = None,
    max_candidates: int = 50,
    notes: Sequence[str] = (),
    facts: Facts = NO_FACTS,
) -> MatchReport:
    """Explain every descriptor against (the first ``max_candidates`` of) the wallet."""
    selection = selection or {}
    reports = []
    for descriptor, pick in zip(definition.descriptors, picks, strict=True):
        shown = list(range(min(len(wallet), max_candidates)))
        if pick is not None and pick not in shown:
            shown.append(pick)
        keys = {f.id: selection[f.id] for f in descriptor.fields if f.id is not None and f.id in selection}
        outcomes = tuple(_explain_one(definition, descriptor, wallet[i], i, keys, facts) for i in shown)
        note = f"credential_selection {keys}" if keys else ""
        reports.append(
            DescriptorReport(
                descriptor.id, descriptor.pointer, pick, outcomes, max(0, len(wallet) - len(shown)), note
            )
        )
    return MatchReport(definition.id, tuple(reports), tuple(notes), definition.semantics.describe())


def _explain_one(
    definition: CompiledDefinition,
    descriptor: CompiledDescriptor,
    credential: Credential,
    index: int,
    keys: Mapping[str, str],
    facts: Facts,
) -> CandidateOutcome:
    outcome = definition.explain(descriptor, credential, index, facts)
    if not outcome.accepted or not keys:
        return outcome
    values = descriptor.values(credential.document) or {}
    for key, wanted in keys.items():
        found = values.get(key)
        if selection_value(found) != wanted:
            return CandidateOutcome(
                index,
                credential.id,
                credential.format,
                False,
                "selection",
                detail=f"field '{key}' is {short(found, 60)}, credential_selection asks {wanted!r}",
            )
    return CandidateOutcome(
        index, credential.id, credential.format, True, detail="credential_selection matches"
    )


def selection_value(value: Any) -> Any:
    """A field value as credential_selection compares it (numbers and booleans stringified)."""
    # PROTOCOL.md §3.9; Go's FormatFloat(v, 'f', -1, 64) spelling: shortest, never exponent.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return _NOT_A_STRING


def raw_key(credential: Credential) -> str:
    """The raw serialisation two credentials are compared on (PROTOCOL.md §3.7)."""
    raw = credential.raw
    return raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True, separators=(",", ":"))


# -- internals ---------------------------------------------------------------------------------------
def _selections(definition: CompiledDefinition, selection: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """credential_selection keys per descriptor id; unknown keys are refused (PROTOCOL.md §3.9)."""
    for key in selection:
        if key not in definition.field_ids:
            raise InvalidCredentialSelection(key)
    result: dict[str, dict[str, str]] = {}
    for d in definition.descriptors:
        keys = {f.id: selection[f.id] for f in d.fields if f.id is not None and f.id in selection}
        if keys:
            result[d.id] = keys
    return result


def _candidates(
    descriptor: CompiledDescriptor,
    credentials: Sequence[Credential],
    allowed: bytearray | None,
    facts: Facts,
) -> Iterator[int]:
    """Wallet positions whose formats allow the descriptor and whose fields all pass, in order."""
    if descriptor.withheld:
        return
    own_format = descriptor.format
    passes = descriptor.passes
    for i, credential in enumerate(credentials):
        if allowed is not None and not allowed[i]:
            continue
        if own_format and format_refusal(own_format, credential) is not None:
            continue
        if passes(credential.document) and not (
            descriptor.relational and credential_refusal(descriptor, credential, facts)
        ):
            yield i


def _pick(
    definition: CompiledDefinition,
    descriptor: CompiledDescriptor,
    credentials: Sequence[Credential],
    allowed: bytearray | None,
    wanted: dict[str, str] | None,
    facts: Facts,
) -> int | None:
    if wanted is None:
        return next(_candidates(descriptor, credentials, allowed, facts), None)
    chosen = []
    for i in _candidates(descriptor, credentials, allowed, facts):
        values = descriptor.values(credentials[i].document) or {}
        if all(selection_value(values.get(k)) == v for k, v in wanted.items()):
            chosen.append(i)
    if len(chosen) > 1:
        raise MultipleCredentials(descriptor.id, chosen)
    # No candidate left is a soft failure: a `pick` requirement may still do without it.
    return chosen[0] if chosen else None


def _with_requirements(
    definition: CompiledDefinition,
    credentials: Sequence[Credential],
    picks: tuple[int | None, ...],
    selection: dict[str, str],
    facts: Facts,
) -> MatchResult:
    try:
        chosen = requirements.select(definition, picks)
    except requirements.Unfulfilled as exc:
        return _fail(definition, credentials, picks, selection, [str(exc)], facts)
    if not definition.semantics.deduplicate_selection:
        # Spec: every selected descriptor is mapped; a shared credential is presented once.
        unique_descriptors = list(dict.fromkeys(chosen))
        return _result(definition, credentials, picks, selection, unique_descriptors, facts)
    selected = [p for p in (picks[d] for d in chosen) if p is not None]
    keys = {p: raw_key(credentials[p]) for p in set(selected) | {p for p in picks if p is not None}}
    unique: list[int] = []
    for position in selected:
        if all(keys[position] != keys[u] for u in unique):
            unique.append(position)
    matches = []
    for i, position in enumerate(unique):
        # The reference maps the credential to the first descriptor (definition order) that picked
        # it (presentation_definition.go matchSubmissionRequirements): other descriptors drop out.
        descriptor = next(
            d
            for d, p in zip(definition.descriptors, picks, strict=True)
            if p is not None and keys[p] == keys[position]
        )
        matches.append(DescriptorMatch(descriptor.id, credentials[position], position, i))
    presented = tuple(credentials[p] for p in unique)
    return MatchResult(definition, presented, tuple(matches), picks, credentials, selection, facts=facts)


def _result(
    definition: CompiledDefinition,
    credentials: Sequence[Credential],
    picks: tuple[int | None, ...],
    selection: dict[str, str],
    descriptors: Sequence[int],
    facts: Facts,
) -> MatchResult:
    """Every listed descriptor mapped; each credential presented once (spec reading)."""
    order: dict[str, int] = {}
    presented: list[Credential] = []
    matches = []
    for index in descriptors:
        pick = picks[index]
        if pick is None:
            continue
        key = raw_key(credentials[pick])
        if key not in order:
            order[key] = len(presented)
            presented.append(credentials[pick])
        matches.append(DescriptorMatch(definition.descriptors[index].id, credentials[pick], pick, order[key]))
    return MatchResult(
        definition, tuple(presented), tuple(matches), picks, credentials, selection, facts=facts
    )


def _fail(
    definition: CompiledDefinition,
    credentials: Sequence[Credential],
    picks: tuple[int | None, ...],
    selection: dict[str, str],
    reasons: list[str],
    facts: Facts,
) -> MatchResult:
    if not credentials_required(definition):
        # The reference's builder then presents nothing rather than failing.
        return MatchResult(definition, (), (), picks, credentials, selection, tuple(reasons), facts)
    report = explain(
        definition, credentials, picks, selection=selection, max_candidates=20, notes=reasons, facts=facts
    )
    details = []
    for d in report.descriptors:
        if d.picked is None:
            first = next((c.text() for c in d.candidates if not c.accepted), "the wallet is empty")
            details.append(f"descriptor '{d.descriptor_id}': {first}")
    raise NoCredentials(definition.id, reasons + details, report)


def fulfil(
    definition: PresentationDefinition | CompiledDefinition | CanonicalDefinition | Mapping[str, Any],
    credentials: Sequence[Credential],
    *,
    submission_id: str,
    vp_format: str,
    selection: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    semantics: Semantics | None = None,
    holder: str | None = None,
    status_of: StatusOf | None = None,
) -> tuple[PresentationSubmission, MatchResult]:
    """Match and build in one step: the submission and the match (whose ``credentials`` go in the VP)."""
    result = match_definition(
        definition,
        credentials,
        selection=selection,
        limits=limits,
        semantics=semantics,
        holder=holder,
        status_of=status_of,
    )
    return build_submission(result, submission_id=submission_id, vp_format=vp_format), result
