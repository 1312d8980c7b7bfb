"""DIF PE v2 §Relational Constraint Feature under the spec's reading (``Semantics.ignore_relational`` off).

The reference supports none of it ("IsHolder, SameSubject, SubjectIsIssuer, Statuses are not
supported for now", ``presentation_definition.go matchConstraint``), so under ``NUTS_NODE``
these members are read and ignored. Under ``STRICT``, for the directive ``required``
(``preferred`` asks nothing a conformant consumer must do):

- ``subject_is_issuer``: the credential is self-attested: its issuer is every subject's id;
- ``is_holder``: the subject of the credential fulfilling the named fields is the holder,
  so the caller must say who holds (``holder=``), or nothing can fulfil such a descriptor;
- ``same_subject``: the credentials fulfilling the named fields (in any descriptors) are
  about one subject (one ``credentialSubject.id`` among them all).

The wallet checks these on its first-match picks (it does not search other combinations:
a violated ``same_subject`` fails the match with its reason); the verifier on the submitted
credentials.

``statuses`` (§Input Descriptor Object, the Status Constraint Feature), also ignored by the
reference: for each of ``active``, ``suspended``, ``revoked`` with the directive
``required`` the credential must have that status, with ``disallowed`` it must not
(``allowed``: either); a ``type`` list names the ``credentialStatus`` types accepted. The
engine knows no statuses itself: the caller passes ``status_of(credential)`` (e.g. from a
status-list check), and without it a definition that requires or disallows a status is
fulfilled by nothing, since its consumer cannot ensure it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nutssim.models.credential import Credential
from nutssim.specs.pex.models import InputDescriptor
from nutssim.specs.pex.semantics import Semantics


class CompiledDescriptor(Protocol):
    """What this module reads of ``compiled.CompiledDescriptor`` (which imports this module)."""

    @property
    def id(self) -> str: ...
    @property
    def model(self) -> InputDescriptor: ...
    @property
    def fields(self) -> Sequence[Any]: ...
    @property
    def ignore_relational(self) -> bool: ...


class CompiledDefinition(Protocol):
    """What this module reads of ``compiled.CompiledDefinition``."""

    @property
    def semantics(self) -> Semantics: ...
    @property
    def descriptors(self) -> Sequence[CompiledDescriptor]: ...


StatusOf = Callable[[Credential], Iterable[str]]
"""``status_of(credential)``: the statuses it has now, among ``active``, ``suspended``, ``revoked``."""

STATUSES = ("active", "suspended", "revoked")


@dataclass(frozen=True)
class Facts:
    """What the consumer knows beyond the credentials: who holds them, and their statuses."""

    holder: str | None = None
    status_of: StatusOf | None = None


NO_FACTS = Facts()


def _required(items: list[dict[str, object]] | None) -> list[list[str]]:
    """The ``field_id`` lists of the objects whose directive is ``required``."""
    found = []
    for item in items or []:
        ids = item.get("field_id")
        if item.get("directive") == "required" and isinstance(ids, list):
            found.append([str(i) for i in ids])
    return found


def credential_refusal(descriptor: CompiledDescriptor, credential: Credential, facts: Facts) -> str:
    """Why the credential breaks the descriptor's own relational or status constraints, or ""."""
    constraints = descriptor.model.constraints
    if constraints is None or descriptor.ignore_relational:
        return ""
    holder = facts.holder
    status = _status_refusal(constraints.statuses, credential, facts.status_of)
    if status:
        return status
    if constraints.subject_is_issuer == "required":
        ids = credential.subject_ids
        if not ids or any(i != credential.issuer for i in ids):
            return f"subject_is_issuer is required, but issuer {credential.issuer!r} is not the subject {ids}"
    own = {f.id for f in descriptor.fields if f.id is not None}
    for field_ids in _required(constraints.is_holder):
        if not own & set(field_ids):
            continue
        if holder is None:
            return "is_holder is required, but the holder is not known (pass holder=)"
        if holder not in credential.subject_ids:
            return f"is_holder is required, but subject {credential.subject_ids} is not the holder {holder!r}"
    return ""


def _status_refusal(
    statuses: Mapping[str, Any] | None, credential: Credential, status_of: StatusOf | None
) -> str:
    """Why the credential's statuses break the descriptor's ``statuses``, or ""."""
    directives = {
        name: spec for name, spec in (statuses or {}).items() if name in STATUSES and isinstance(spec, dict)
    }
    asked = {
        name: spec for name, spec in directives.items() if spec.get("directive") in ("required", "disallowed")
    }
    if not asked:
        return ""
    if status_of is None:
        return (
            f"statuses {sorted(asked)} must be ensured, but no credential status is known (pass status_of=)"
        )
    has = set(status_of(credential))
    status = credential.document.get("credentialStatus")
    kinds = {s.get("type") for s in (status if isinstance(status, list) else [status]) if isinstance(s, dict)}
    for name, spec in asked.items():
        if spec["directive"] == "required" and name not in has:
            return f"status '{name}' is required, but the credential is {sorted(has) or 'of no known status'}"
        if spec["directive"] == "disallowed" and name in has:
            return f"status '{name}' is disallowed, and the credential has it"
        types = spec.get("type")
        if isinstance(types, list) and types and not kinds & set(types):
            found = sorted(map(str, kinds))
            return f"status '{name}' must be expressed by {types}; the credentialStatus types are {found}"
    return ""


def same_subject_refusals(definition: CompiledDefinition, chosen: Mapping[str, Credential]) -> list[str]:
    """``same_subject`` (required) across descriptors: the subjects of the named fields' credentials."""
    if definition.semantics.ignore_relational:
        return []
    owner = {f.id: d.id for d in definition.descriptors for f in d.fields if f.id is not None}
    problems = []
    for descriptor in definition.descriptors:
        constraints = descriptor.model.constraints
        for field_ids in _required(constraints.same_subject if constraints else None):
            descriptors = {owner[i] for i in field_ids if i in owner}
            subjects = {
                s for d in sorted(descriptors) if d in chosen for s in (chosen[d].subject_ids or ["(no id)"])
            }
            if len(subjects) > 1:
                problems.append(
                    f"same_subject is required for fields {field_ids} of {descriptor.id!r}, "
                    f"but their credentials are about {sorted(subjects)}"
                )
    return problems
