"""Policy variants: the levels of a sweep's ``policy`` dimension.

A level is the flow's own policy (``base``), a whole policy (a file, a shipped name such as
``eoverdracht``, or a dict), or either of these changed by mutations (``mutations.py``).
Its JSON/YAML form is ``{name, file | policy, mutate: [...], scope}``; ``scope`` is the
scope to request when the policy's own scope names differ from the flow's.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nutssim.errors import InputError, did_you_mean
from nutssim.messages import parse_json
from nutssim.sweep.mutations import Mutation, PolicyDict, mutation_from_dict

SPEC_KEYS = frozenset({"name", "file", "policy", "mutate", "scope"})


@dataclass(frozen=True)
class PolicyVariant:
    """One level of the ``policy`` dimension: a source (``None``: the flow's own policy) and mutations."""

    name: str
    source: Any = None  # a policy dict, a file path, or None for the flow's base policy
    mutations: tuple[Mutation, ...] = ()
    scope: str | None = None  # the scope to request; None derives it
    _source_key: str = field(default="", compare=False, repr=False)

    @property
    def is_base(self) -> bool:
        """True when the variant is the flow's own policy, unchanged."""
        return self.source is None and not self.mutations

    def resolve(self, base: PolicyDict) -> PolicyDict:
        """The policy file content this variant stands for, given the flow's base policy."""
        policy = copy.deepcopy(base) if self.source is None else load_policy_source(self.source)
        for mutation in self.mutations:
            policy = mutation.apply(policy)
        return policy

    def to_dict(self) -> dict[str, Any]:
        """The JSON/YAML form."""
        out: dict[str, Any] = {"name": self.name}
        if isinstance(self.source, str | Path):
            out["file"] = str(self.source)
        elif self.source is not None:
            out["policy"] = self.source
        if self.mutations:
            out["mutate"] = [m.to_dict() for m in self.mutations]
        if self.scope:
            out["scope"] = self.scope
        return out


def load_policy_source(source: Any) -> PolicyDict:
    """A policy file's content from a dict, a file path, or a shipped policy name (``eoverdracht``)."""
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source))
    path = Path(source)
    if not path.exists():
        from importlib import resources

        shipped = resources.files("nutssim").joinpath(f"data/policies/{source}.json")
        if shipped.is_file():
            shipped_policy: PolicyDict = json.loads(shipped.read_text(encoding="utf-8"))
            return shipped_policy
        raise InputError(
            f"no policy file {str(source)!r}",
            where="policy",
            hint="give a path to a policy JSON file or a shipped name such as 'eoverdracht'",
        )
    try:
        policy: PolicyDict = parse_json(path.read_text(encoding="utf-8"))
        return policy
    except ValueError as exc:
        raise InputError(f"policy file is not JSON: {exc}", where=str(path)) from None


def policy_variant(value: Any, where: str = "policy") -> PolicyVariant:
    """A ``PolicyVariant`` from its Python, JSON or YAML form."""
    if isinstance(value, PolicyVariant):
        return value
    if value is None or value == "base":
        return PolicyVariant("base")
    if isinstance(value, Mutation):
        return PolicyVariant(value.name, None, (value,))
    if isinstance(value, str | Path):
        path = Path(value)
        load_policy_source(value)  # fail early on a missing file
        return PolicyVariant(path.stem if path.suffix else str(value), str(value))
    if isinstance(value, Sequence) and value and all(isinstance(m, Mutation) for m in value):
        mutations = tuple(value)
        return PolicyVariant(" + ".join(m.name for m in mutations), None, mutations)
    if (
        isinstance(value, Mapping)
        and value
        and set(value) <= SPEC_KEYS
        and not isinstance(value.get("name", ""), Mapping)
    ):
        return _variant_from_spec(dict(value), where)
    if isinstance(value, Mapping) and set(value) & (SPEC_KEYS - {"policy", "scope"}):
        # {name, mutate, ...} with a misspelt key is a variant gone wrong, not a policy whose scope
        # is called "name": say which key and what a variant looks like.
        unknown = sorted(set(value) - SPEC_KEYS)
        raise InputError(
            f"unknown key(s) {', '.join(map(repr, unknown))} in a policy variant",
            where=where,
            hint=" ".join(
                part
                for part in (
                    did_you_mean(unknown[0], SPEC_KEYS, listing=False),
                    "a variant is {name, file | policy, mutate: [{op: ..., ...}], scope}",
                )
                if part
            ),
        )
    if isinstance(value, Mapping):
        return PolicyVariant(", ".join(value) or "empty", dict(value))
    raise InputError(
        f"cannot read a policy variant from {type(value).__name__}",
        where=where,
        hint="use 'base', a policy file path, a policy dict, a mutation, or "
        "{name, file|policy, mutate: [...], scope}",
    )


def _variant_from_spec(value: dict[str, Any], where: str) -> PolicyVariant:
    if "file" in value and "policy" in value:
        raise InputError("give either 'file' or 'policy', not both", where=where)
    source = value.get("file", value.get("policy"))
    if isinstance(source, str | Path):
        load_policy_source(source)
    raw = value.get("mutate") or []
    if isinstance(raw, Mapping):
        raw = [raw]
    mutations = tuple(mutation_from_dict(m, f"{where}/mutate/{i}") for i, m in enumerate(raw))
    default = (
        Path(str(source)).stem
        if isinstance(source, str | Path)
        else " + ".join(m.name for m in mutations) or ("policy" if source is not None else "base")
    )
    return PolicyVariant(str(value.get("name") or default), source, mutations, value.get("scope"))
