"""Verifier side: does a submission conform to the definition? (PROTOCOL.md §3.7)

1. Resolve every descriptor_map entry (and its ``path_nested``) in the envelope; a string
   must be announced as ``jwt_vc``/``jwt_vp``, an object as ``ldp_vc``/``ldp_vp``.
2. Re-run the wallet's matching over the credentials of each presentation in turn (the
   first presentation that fulfils the definition counts, as the reference builds one
   "wallet" per VP), or over all of them pooled (``pool_presentations=True``). With
   ``rematch=False`` this step and the next are replaced by checking each mapped
   credential against its own descriptor only.
3. Require the same descriptor → credential pairs, compared on raw serialisation, and the
   same count. An envelope without presentations passes only when nothing is required.

That is the reference's procedure (``Semantics.verifier_first_match``, on the decoded
envelope of ``decoded_jwt_vp_view``, later entries overwriting earlier ones). Under the
spec's reading (DIF PE v2 §Processing of Submission Entries) paths run on the envelope as
sent, each value decoded by its entry's format (a JWT VP to its claims set), and each entry
is checked against its own descriptor, then the fulfilled descriptors against the
definition (every descriptor, or the submission requirements) and ``same_subject``.

Every failure is collected as a ``Problem`` naming the descriptor and, where a submitted
credential is refused, the field, path, value and filter; they are raised together as
``SubmissionMismatch``, whose ``reference_text`` is the reference's wire text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from nutssim.errors import NutsSimError
from nutssim.models.credential import Credential
from nutssim.specs.pex import requirements
from nutssim.specs.pex.compiled import CanonicalDefinition, CompiledDefinition, compile_definition
from nutssim.specs.pex.envelope import (
    DecodePresentation,
    decode_jwt_claims,
    decode_jwt_vp,
    decoded_view,
    envelope_view,
)
from nutssim.specs.pex.errors import LimitExceeded, NoCredentials, PexDocumentError, SubmissionMismatch, short
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits
from nutssim.specs.pex.match import MatchResult, credentials_required, match_definition, raw_key
from nutssim.specs.pex.models import (
    DescriptorMapEntry,
    PresentationDefinition,
    PresentationSubmission,
    parse_submission,
)
from nutssim.specs.pex.paths import compile_path
from nutssim.specs.pex.relational import NO_FACTS, Facts, StatusOf, same_subject_refusals
from nutssim.specs.pex.report import Problem
from nutssim.specs.pex.semantics import Semantics

ParseCredential = Callable[[Any, str], Credential]
"""``parse_credential(value, format)``: a credential as found in a VP → ``Credential``."""

_PARSE_ERRORS = (NutsSimError, ValueError, TypeError, KeyError)


@dataclass(frozen=True)
class CheckResult:
    """A conforming submission: descriptor id → credential, and the verifier's own match."""

    definition_id: str
    credentials: Mapping[str, Credential]
    match: MatchResult | None
    presentation_index: int | None  # which presentation fulfilled it (None: pooled or empty)
    semantics: str = ""  # which reading decided (Semantics.describe())


class _Unresolvable(Exception):
    pass


def check_submission(
    definition: PresentationDefinition | CompiledDefinition | CanonicalDefinition | Mapping[str, Any],
    submission: PresentationSubmission | Mapping[str, Any],
    envelope: Any,
    *,
    parse_credential: ParseCredential,
    decode_presentation: DecodePresentation | None = None,
    pool_presentations: bool = False,
    rematch: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    semantics: Semantics | None = None,
    holder: str | None = None,
    holders: Sequence[str | None] | None = None,
    status_of: StatusOf | None = None,
) -> CheckResult:
    """Check a submission against a definition and the envelope; raise ``SubmissionMismatch``.

    ``rematch=False`` switches the reference's re-run of matching off (a control a lesson can
    remove): each mapped credential is then only checked against its own descriptor. Under
    the spec's reading (``Semantics.verifier_first_match`` off) that is the procedure, and the
    mapped descriptors must also meet the definition's requirements. ``holder`` (the presentation's
    signer) is what a required ``is_holder`` is checked against under the spec's reading, and
    ``status_of`` what ``statuses`` is (``relational.py``). ``holders`` (the signer of each
    presentation of the envelope, in order) replaces ``holder`` when the envelope holds several
    VPs: each credential's holder is the signer of the VP its entry's ``path`` points into
    (DIF PE v2 §Relational Constraint Feature, ``is_holder``: the subject must be "the same as
    the entity submitting" it, and in a ``vp_token`` of several VPs that is the entity whose
    proof carries the credential; OpenID4VP §6.1). Under the reference's reading
    (``ignore_relational``, ``presentation_definition.go matchConstraint``) no holder counts.
    """
    compiled = compile_definition(definition, limits=limits, semantics=semantics)
    try:
        result = _check(
            compiled,
            submission,
            envelope,
            parse_credential,
            decode_presentation,
            pool_presentations,
            rematch,
            Facts(holder, status_of),
            tuple(holders) if holders is not None else None,
        )
    except SubmissionMismatch as exc:
        exc.semantics = compiled.semantics.describe()
        raise
    return replace(result, semantics=compiled.semantics.describe())


def _check(
    compiled: CompiledDefinition,
    submission: PresentationSubmission | Mapping[str, Any],
    envelope: Any,
    parse_credential: ParseCredential,
    decode_presentation: DecodePresentation | None,
    pool_presentations: bool,
    rematch: bool,
    facts: Facts,
    holders: tuple[str | None, ...] | None = None,
) -> CheckResult:
    semantics, limits = compiled.semantics, compiled.limits
    if not isinstance(submission, PresentationSubmission):
        submission = parse_submission(submission, limits=limits)
    decode = decode_presentation or decode_jwt_vp
    try:
        view = envelope_view(envelope, decode)
    except _PARSE_ERRORS as exc:
        raise SubmissionMismatch(compiled.id, [Problem(f"the envelope cannot be decoded: {exc}")]) from None
    # The reference resolves paths on its decoded view (util.go vpAsInterface); the spec on the
    # envelope as sent, decoding each value by the format its entry announces.
    target = view if semantics.decoded_jwt_vp_view else envelope
    entries, problems = _resolve_all(compiled, submission, target, parse_credential, decode)
    if problems:
        raise SubmissionMismatch(compiled.id, problems)
    if not rematch or not semantics.verifier_first_match:
        per_entry = _entry_facts(compiled, submission, target, facts, holders)
        return _check_each(compiled, entries, facts, per_entry)
    actual: dict[str, Credential] = {}
    for descriptor_id, credential in entries:
        # Later entries with the same id replace earlier ones, as the reference's map does.
        actual[descriptor_id] = credential
    presentations = _presentations(view)
    if not presentations:
        if credentials_required(compiled):
            raise SubmissionMismatch(
                compiled.id,
                [Problem("the envelope holds no presentation, but the definition requires credentials")],
            )
        return CheckResult(compiled.id, {}, None, None)
    wallets = _wallets(compiled, presentations, parse_credential)
    if pool_presentations:
        wallets = [[c for w in wallets for c in w]]
    match, index, failure = _rematch(compiled, wallets)
    if match is None:
        raise SubmissionMismatch(compiled.id, _unfulfilled(compiled, actual, failure))
    problems = _compare(compiled, actual, match)
    if problems:
        raise SubmissionMismatch(compiled.id, problems)
    return CheckResult(compiled.id, match.mapping(), match, None if pool_presentations else index)


def _entry_facts(
    compiled: CompiledDefinition,
    submission: PresentationSubmission,
    target: Any,
    facts: Facts,
    holders: tuple[str | None, ...] | None,
) -> list[Facts] | None:
    """Per resolved entry, the facts with its own VP's signer as holder (``holders`` given), else None."""
    if holders is None:
        return None
    out = []
    for entry in submission.descriptor_map:
        index = _presentation_index(entry.path, target, compiled)
        holder = holders[index] if index is not None and 0 <= index < len(holders) else None
        out.append(Facts(holder, facts.status_of))
    return out


def _presentation_index(path: str, target: Any, compiled: CompiledDefinition) -> int | None:
    """Which presentation of the envelope an entry's top-level ``path`` selects into (None: unknown)."""
    if not isinstance(target, list):
        return 0  # one VP: every entry is in it
    try:
        semantics = compiled.semantics
        query = compile_path(
            path,
            limits=compiled.limits,
            filters=semantics.filter_selectors,
            paessler=semantics.paessler_filters,
        )
    except PexDocumentError:
        return None
    if query.paessler is not None:
        return None  # the reference's value is the list of matches, never one presentation
    if query.keys is not None:
        first = query.keys[0] if query.keys else None
        return first % len(target) if isinstance(first, int) and target else None
    parts = [m.parts for m in query.query.finditer(target)]
    return parts[0][0] if len(parts) == 1 and parts[0] and isinstance(parts[0][0], int) else None


def _resolve_all(
    compiled: CompiledDefinition,
    submission: PresentationSubmission,
    view: Any,
    parse: ParseCredential,
    decode: DecodePresentation,
) -> tuple[list[tuple[str, Credential]], list[Problem]]:
    limits = compiled.limits
    if len(submission.descriptor_map) > limits.max_submission_entries:
        raise LimitExceeded(
            f"{len(submission.descriptor_map)} descriptor_map entries; at most "
            f"{limits.max_submission_entries} are allowed",
            pointer="/descriptor_map",
        )
    problems = []
    if submission.definition_id != compiled.id:
        problems.append(
            Problem(f"the submission is for definition '{submission.definition_id}', not '{compiled.id}'")
        )
    entries: list[tuple[str, Credential]] = []
    for i, entry in enumerate(submission.descriptor_map):
        try:
            credential = _resolve(entry, view, parse, decode, f"/descriptor_map/{i}", 0, compiled)
        except _Unresolvable as exc:
            problems.append(Problem(f"descriptor_map entry {i}: {exc}", entry.id))
            continue
        entries.append((entry.id, credential))
    return entries, problems


def _resolve(
    entry: DescriptorMapEntry,
    value: Any,
    parse: ParseCredential,
    decode: DecodePresentation,
    pointer: str,
    depth: int,
    compiled: CompiledDefinition,
) -> Credential:
    limits = compiled.limits
    if depth > limits.max_nested_path_depth:
        raise LimitExceeded(f"path_nested deeper than {limits.max_nested_path_depth} levels", pointer=pointer)
    target = _select(entry.path, value, pointer, limits, compiled.semantics)
    kind = (
        "a JWT string" if isinstance(target, str) else "a JSON object" if isinstance(target, dict) else None
    )
    expected = ("jwt_vc", "jwt_vp") if isinstance(target, str) else ("ldp_vc", "ldp_vp")
    if kind is None or entry.format not in expected:
        found = kind or f"a JSON {type(target).__name__}"
        raise _Unresolvable(
            f"the value at path '{entry.path}' is {found}, which format '{entry.format}' "
            f"cannot decode" + (f" (expected {' or '.join(expected)})" if kind else "")
        )
    if entry.format.endswith("_vp"):
        if entry.path_nested is None:
            raise _Unresolvable(
                f"path '{entry.path}' references a presentation; path_nested must "
                "point at the credential inside it"
            )
        try:
            if not isinstance(target, str):
                inner = target
            elif compiled.semantics.decoded_jwt_vp_view:
                inner = decoded_view(target, decode)
            else:  # the spec: a JWT decodes to its claims set, addressed as `$.vp.…`
                inner = decode_jwt_claims(target)
        except _PARSE_ERRORS as exc:
            raise _Unresolvable(f"invalid presentation at path '{entry.path}': {exc}") from None
        return _resolve(
            entry.path_nested, inner, parse, decode, f"{pointer}/path_nested", depth + 1, compiled
        )
    if entry.path_nested is not None:
        raise _Unresolvable(f"path '{entry.path}' references a credential; it cannot have path_nested")
    try:
        return parse(target, entry.format)
    except _PARSE_ERRORS as exc:
        raise _Unresolvable(f"invalid {entry.format} credential at path '{entry.path}': {exc}") from None


def _select(path: str, value: Any, pointer: str, limits: Limits, semantics: Semantics) -> Any:
    try:
        compiled = compile_path(
            path,
            pointer=f"{pointer}/path",
            limits=limits,
            filters=semantics.filter_selectors,
            paessler=semantics.paessler_filters,
        )
    except PexDocumentError as exc:
        raise _Unresolvable(exc.reason) from None
    nodes = compiled.nodes(value)
    if len(nodes) != 1:
        raise _Unresolvable(f"path '{path}' selects {len(nodes)} values; it must select exactly one")
    return nodes[0]


def _presentations(view: Any) -> list[dict[str, Any]]:
    if isinstance(view, list):
        return [v for v in view if isinstance(v, dict)]
    return [view] if isinstance(view, dict) else []


def _wallets(
    compiled: CompiledDefinition, presentations: list[dict[str, Any]], parse: ParseCredential
) -> list[list[Credential]]:
    wallets = []
    for p, presentation in enumerate(presentations):
        member = presentation.get("verifiableCredential", [])
        values = member if isinstance(member, list) else [member]
        wallet = []
        for c, value in enumerate(values):
            try:
                wallet.append(parse(value, "jwt_vc" if isinstance(value, str) else "ldp_vc"))
            except _PARSE_ERRORS as exc:
                raise SubmissionMismatch(
                    compiled.id, [Problem(f"credential {c} of presentation {p} cannot be parsed: {exc}")]
                ) from None
        wallets.append(wallet)
    return wallets


# -- comparison ----------------------------------------------------------------------------------
def _rematch(
    compiled: CompiledDefinition, wallets: list[list[Credential]]
) -> tuple[MatchResult | None, int | None, NoCredentials | None]:
    failure = None
    for index, wallet in enumerate(wallets):
        try:
            return match_definition(compiled, wallet), index, None
        except NoCredentials as exc:
            failure = failure or exc
    return None, None, failure


def _unfulfilled(
    compiled: CompiledDefinition, actual: dict[str, Credential], failure: NoCredentials | None
) -> list[Problem]:
    reasons = failure.reasons[:3] if failure else ()
    problems = [
        Problem(
            "no presentation in the envelope fulfils the definition"
            + (": " + "; ".join(reasons) if reasons else "")
        )
    ]
    for descriptor in compiled.descriptors:
        submitted = actual.get(descriptor.id)
        if submitted is None:
            continue
        outcome = compiled.explain(descriptor, submitted, -1)
        if not outcome.accepted:
            problems.append(
                Problem("the submitted credential does not fulfil the descriptor", descriptor.id, outcome)
            )
    return problems


def _compare(
    compiled: CompiledDefinition, actual: dict[str, Credential], match: MatchResult
) -> list[Problem]:
    expected = {m.descriptor_id: m for m in match.matches}
    problems = []
    if len(actual) != len(expected):
        problems.append(Problem(f"expected {len(expected)} credentials, got {len(actual)}"))
    for descriptor_id, wanted in expected.items():
        submitted = actual.get(descriptor_id)
        if submitted is None:
            problems.append(
                Problem(
                    f"not in the submission, but the verifier maps credential #"
                    f"{wanted.wallet_index} ({wanted.credential.id or 'no id'}) to it",
                    descriptor_id,
                )
            )
        elif raw_key(submitted) != raw_key(wanted.credential):
            problems.append(
                _wrong_credential(compiled, descriptor_id, submitted, wanted.wallet_index, wanted.credential)
            )
    for descriptor_id in actual.keys() - expected.keys():
        descriptor = compiled.descriptor(descriptor_id)
        if descriptor is None:
            problems.append(Problem("not an input descriptor of the definition", descriptor_id))
            continue
        outcome = compiled.explain(descriptor, actual[descriptor_id], -1)
        problems.append(
            Problem("the verifier's own match maps no credential to this descriptor", descriptor_id, outcome)
        )
    return problems


def _check_each(
    compiled: CompiledDefinition,
    entries: list[tuple[str, Credential]],
    facts: Facts = NO_FACTS,
    per_entry: list[Facts] | None = None,
) -> CheckResult:
    """Each entry against its own descriptor; under the spec's reading also the requirements."""
    semantics = compiled.semantics
    pairs = list(zip(entries, per_entry or [facts] * len(entries), strict=False))
    if semantics.overwrite_duplicate_entries:
        # The reference's map: the last entry per id wins.
        pairs = list({entry[0]: (entry, f) for entry, f in pairs}.values())
        entries = [entry for entry, _ in pairs]
    problems = []
    fulfilled: set[str] = set()
    for (descriptor_id, credential), entry_facts in pairs:
        descriptor = compiled.descriptor(descriptor_id)
        if descriptor is None:
            problems.append(Problem("not an input descriptor of the definition", descriptor_id))
            continue
        outcome = compiled.explain(descriptor, credential, -1, entry_facts)
        if not outcome.accepted:
            problems.append(
                Problem("the submitted credential does not fulfil the descriptor", descriptor_id, outcome)
            )
        else:
            fulfilled.add(descriptor_id)
    first: dict[str, Credential] = {}
    for descriptor_id, credential in entries:
        first.setdefault(descriptor_id, credential)
    problems += [Problem(text) for text in same_subject_refusals(compiled, first)]
    if semantics.verifier_first_match:
        if not entries and credentials_required(compiled):
            problems.append(Problem("the submission maps no credential, but the definition requires some"))
    else:
        problems += _requirements_problems(compiled, fulfilled)
    if problems:
        raise SubmissionMismatch(compiled.id, problems)
    return CheckResult(compiled.id, first, None, None)


def _requirements_problems(compiled: CompiledDefinition, fulfilled: set[str]) -> list[Problem]:
    """Spec §Submission Requirements: do the fulfilled descriptors satisfy the definition?"""
    if not compiled.requirements:
        # Without submission requirements every input descriptor is required (DIF PE v2 §Input Descriptor).
        return [
            Problem("not in the submission, but every input descriptor is required", d.id)
            for d in compiled.descriptors
            if d.id not in fulfilled
        ]
    picks = [0 if d.id in fulfilled else None for d in compiled.descriptors]
    try:
        requirements.select(compiled, picks)
    except requirements.Unfulfilled as exc:
        return [Problem(f"the submitted credentials do not meet the submission requirements: {exc}")]
    return []


def _wrong_credential(
    compiled: CompiledDefinition, descriptor_id: str, submitted: Credential, position: int, wanted: Credential
) -> Problem:
    descriptor = compiled.descriptor(descriptor_id)
    assert descriptor is not None  # expected ids come from the definition
    outcome = compiled.explain(descriptor, submitted, -1)
    if not outcome.accepted:
        return Problem("incorrect mapping for input descriptor", descriptor_id, outcome)
    label = submitted.id or short(raw_key(submitted), 40)
    return Problem(
        f"incorrect mapping for input descriptor: the submitted credential ({label}) fulfils "
        f"it, but the first match in the presentation is credential #{position} "
        f"({wanted.id or 'no id'}), and the verifier takes the first match",
        descriptor_id,
    )
