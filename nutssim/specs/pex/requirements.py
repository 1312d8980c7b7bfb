"""Submission requirements: which of the per-descriptor picks go into the presentation.

DIF PE v2 §Submission Requirement Feature, as the reference applies it (PROTOCOL.md §3.4):
every descriptor of a group is a member of that group, matched or not; a requirement
drawing ``from`` a group sees its members in definition order, one drawing
``from_nested`` sees one member per nested requirement (unfulfilled when that one fails,
and, under ``Semantics.empty_nested_unmet``, also when it is met by selecting nothing).
Then ``all`` needs every member; ``pick`` with ``count`` needs at least ``count`` and takes
the first ``count``; ``pick`` with ``min``/``max`` needs at least ``min`` and takes up to
``max``; a bare ``pick`` takes whatever matched.
"""

from __future__ import annotations

from collections.abc import Sequence

from nutssim.specs.pex.compiled import CompiledDefinition
from nutssim.specs.pex.models import SubmissionRequirement

Member = list[int] | None
"""Descriptor indexes one group member contributes; None: the member is not fulfilled."""


class Unfulfilled(Exception):
    """A submission requirement cannot be met by the picks (becomes ``NoCredentials``)."""


def select(definition: CompiledDefinition, picks: Sequence[int | None]) -> list[int]:
    """Indexes of the descriptors selected by all top-level requirements, in order, with repeats.

    ``picks`` says per descriptor (definition order) whether it is fulfilled (not None).
    """
    groups: dict[str, list[Member]] = {}
    for descriptor, pick in zip(definition.descriptors, picks, strict=True):
        for group in descriptor.groups:
            groups.setdefault(group, []).append(None if pick is None else [descriptor.index])
    unmet_when_empty = definition.semantics.empty_nested_unmet
    selected: list[int] = []
    for i, requirement in enumerate(definition.requirements):
        selected += _match(requirement, groups, f"/submission_requirements/{i}", unmet_when_empty)
    return selected


def _match(
    requirement: SubmissionRequirement, groups: dict[str, list[Member]], pointer: str, unmet_when_empty: bool
) -> list[int]:
    if requirement.from_ is not None:
        return _apply(groups.get(requirement.from_, []), requirement, pointer)
    members: list[Member] = []
    for i, nested in enumerate(requirement.from_nested or []):
        try:
            taken: Member = _match(nested, groups, f"{pointer}/from_nested/{i}", unmet_when_empty)
        except Unfulfilled:
            taken = None
        # The reference keeps a nested result as a list whose emptiness means "unmet"
        # (submission_requirement.go selectableVCList.empty), so a met nested `pick` that
        # selects nothing fails an `all` parent; the spec counts it as met (issue #22, bug 1).
        members.append(None if unmet_when_empty and not taken else taken)
    return _apply(members, requirement, pointer)


def _apply(members: list[Member], requirement: SubmissionRequirement, pointer: str) -> list[int]:
    name = f"submission requirement ({requirement.name or pointer})"
    fulfilled = [m for m in members if m is not None]
    if requirement.rule == "all":
        if len(fulfilled) != len(members):
            raise Unfulfilled(
                f"{name} does not have all credentials from the group ({len(fulfilled)} of {len(members)})"
            )
        return [p for m in fulfilled for p in m]
    if requirement.count is not None:
        if len(fulfilled) < requirement.count:
            raise Unfulfilled(
                f"{name} has less credentials ({len(fulfilled)}) than required ({requirement.count})"
            )
        return [p for m in fulfilled[: requirement.count] for p in m]
    if requirement.min is not None and len(fulfilled) < requirement.min:
        raise Unfulfilled(
            f"{name} has less matches ({len(fulfilled)}) than minimal required ({requirement.min})"
        )
    taken = fulfilled if requirement.max is None else fulfilled[: requirement.max]
    return [p for m in taken for p in m]
