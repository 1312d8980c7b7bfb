"""Policy mutations: small named changes to a base policy's presentation definitions.

A mutation is a frozen object with a readable ``name`` that rewrites a policy file's content
(PROTOCOL.md §3.8) and returns a new one; ``a + b`` chains two. Mutations select what they
touch by scope (``None``: every scope), wallet owner type (``None``: every type) and input
descriptor, given as its id or as the credential type its ``$.type`` field asks for::

    DropField("$.issuer")                                  # the self-issued gap (§3.11)
    AddIssuerPattern(r"^did:web:register\\.example:.*$")   # trust one register
    SetFormat(["ldp_vc", "ldp_vp"]) + SetScopePolicy("passthrough")

A mutation that matches nothing raises ``InputError``, so a typo never passes as a variant.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from nutssim.errors import InputError
from nutssim.specs.nuts_policy import SCOPE_POLICIES, WALLET_OWNER_TYPES

PolicyDict = dict[str, Any]

#: Format entries ``SetFormat`` writes for a bare format name (the algs and proof type nutssim signs with).
DEFAULT_FORMAT_ENTRIES: dict[str, dict[str, list[str]]] = {
    "jwt_vc": {"alg": ["ES256", "EdDSA"]},
    "jwt_vp": {"alg": ["ES256", "EdDSA"]},
    "ldp_vc": {"proof_type": ["JsonWebSignature2020"]},
    "ldp_vp": {"proof_type": ["JsonWebSignature2020"]},
}


@dataclass(frozen=True)
class Mutation:
    """Base of policy mutations: a readable ``name`` and ``apply(policy) -> policy``."""

    op: ClassVar[str] = ""

    @property
    def name(self) -> str:
        """A short readable name, used as the variant's label."""
        raise NotImplementedError

    def apply(self, policy: PolicyDict) -> PolicyDict:
        """Return a mutated copy of ``policy`` (a policy file's content)."""
        out = copy.deepcopy(policy)
        if not self._mutate(out):
            raise InputError(
                f"mutation {self.name!r} matches nothing in the policy",
                where="policy mutation",
                hint=self._miss_hint(policy),
            )
        return out

    def _mutate(self, policy: PolicyDict) -> bool:
        raise NotImplementedError

    def _miss_hint(self, policy: PolicyDict) -> str:
        return f"scopes: {', '.join(policy) or 'none'}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON/YAML form: ``{"op": ..., <arguments>}``."""
        out: dict[str, Any] = {"op": self.op}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def __add__(self, other: Mutation) -> Chain:
        return Chain((*_steps(self), *_steps(other)))


def _steps(m: Mutation) -> tuple[Mutation, ...]:
    return m.steps if isinstance(m, Chain) else (m,)


@dataclass(frozen=True)
class Chain(Mutation):
    """Several mutations applied in order; its name joins theirs with `` + ``."""

    steps: tuple[Mutation, ...]
    op: ClassVar[str] = "chain"

    @property
    def name(self) -> str:
        """The step names joined."""
        return " + ".join(s.name for s in self.steps)

    def apply(self, policy: PolicyDict) -> PolicyDict:
        """Apply every step in order."""
        for step in self.steps:
            policy = step.apply(policy)
        return policy

    def to_dict(self) -> dict[str, Any]:
        """The steps' forms."""
        return {"op": self.op, "steps": [s.to_dict() for s in self.steps]}


# -- selecting profiles, definitions and descriptors -------------------------------------------------
def _definitions(policy: PolicyDict, scope: str | None, owner: str | None) -> list[dict[str, Any]]:
    """The presentation definitions a mutation may touch (legacy profiles are wrapped first)."""
    out = []
    for name, profile in policy.items():
        if scope is not None and name != scope:
            continue
        if (
            isinstance(profile, dict)
            and "input_descriptors" in profile
            and not profile.keys() & {*WALLET_OWNER_TYPES, "scope_policy"}
        ):
            policy[name] = profile = {"organization": profile}  # PROTOCOL.md §3.8 older form
        for wallet_owner in WALLET_OWNER_TYPES:
            if (owner is None or owner == wallet_owner) and isinstance(profile.get(wallet_owner), dict):
                out.append(profile[wallet_owner])
    return out


def _asks_type(descriptor: dict[str, Any], credential_type: str) -> bool:
    """Whether a descriptor's type field (``$.type`` or ``$.type[*]``) asks for ``credential_type``."""
    for f in (descriptor.get("constraints") or {}).get("fields") or []:
        if not {"$.type", "$.type[*]"}.intersection(f.get("path", [])):
            continue
        flt = f.get("filter") or {}
        if flt.get("const") == credential_type or credential_type in (flt.get("enum") or []):
            return True
        pattern = flt.get("pattern")
        if isinstance(pattern, str) and re.search(pattern, credential_type):
            return True
    return False


def _descriptors(definition: dict[str, Any], selector: str | None) -> list[dict[str, Any]]:
    """Descriptors chosen by id or by credential type; every descriptor for ``None``."""
    descriptors = definition.get("input_descriptors") or []
    if selector is None:
        return list(descriptors)
    by_id = [d for d in descriptors if d.get("id") == selector]
    return by_id or [d for d in descriptors if _asks_type(d, selector)]


def _fields(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    constraints = descriptor.setdefault("constraints", {})
    found: list[dict[str, Any]] = constraints.setdefault("fields", [])
    return found


@dataclass(frozen=True)
class DropField(Mutation):
    """Remove every constraint field that has ``path`` among its paths."""

    path: str
    descriptor: str | None = None
    scope: str | None = None
    owner: str | None = None
    op: ClassVar[str] = "drop_field"

    @property
    def name(self) -> str:
        """``drop <path>``."""
        return f"drop {self.path}" + (f" from {self.descriptor}" if self.descriptor else "")

    def _mutate(self, policy: PolicyDict) -> bool:
        changed = False
        for definition in _definitions(policy, self.scope, self.owner):
            for descriptor in _descriptors(definition, self.descriptor):
                kept = [f for f in _fields(descriptor) if self.path not in f.get("path", [])]
                changed |= len(kept) != len(_fields(descriptor))
                descriptor["constraints"]["fields"] = kept
        return changed


@dataclass(frozen=True)
class AddField(Mutation):
    """Add a constraint field (``path`` one JSONPath or several) to the chosen descriptor(s)."""

    path: str | tuple[str, ...]
    descriptor: str
    filter: Mapping[str, Any] | None = None
    id: str | None = None
    optional: bool = False
    scope: str | None = None
    owner: str | None = None
    op: ClassVar[str] = "add_field"

    def __post_init__(self) -> None:
        if isinstance(self.path, list):
            object.__setattr__(self, "path", tuple(self.path))
        if isinstance(self.filter, Mapping):
            object.__setattr__(self, "filter", _Frozen(self.filter))

    @property
    def name(self) -> str:
        """``add <first path>``."""
        first = self.path if isinstance(self.path, str) else self.path[0]
        return f"add {first}" + (f" as {self.id}" if self.id else "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the filter as a plain dict)."""
        out = super().to_dict()
        if self.filter is not None:
            out["filter"] = dict(self.filter)
        return out

    def _mutate(self, policy: PolicyDict) -> bool:
        entry: dict[str, Any] = {"path": [self.path] if isinstance(self.path, str) else list(self.path)}
        if self.id is not None:
            entry["id"] = self.id
        if self.filter is not None:
            entry["filter"] = json.loads(json.dumps(dict(self.filter)))
        if self.optional:
            entry["optional"] = True
        changed = False
        for definition in _definitions(policy, self.scope, self.owner):
            for descriptor in _descriptors(definition, self.descriptor):
                _fields(descriptor).append(copy.deepcopy(entry))
                changed = True
        return changed

    def _miss_hint(self, policy: PolicyDict) -> str:
        return f"no input descriptor with id or $.type {self.descriptor!r}"


@dataclass(frozen=True)
class AddIssuerPattern(Mutation):
    """Constrain ``$.issuer`` by a regex (replacing any issuer field), so only matching issuers pass."""

    pattern: str
    descriptor: str = "NutsOrganizationCredential"
    replace: bool = True
    scope: str | None = None
    owner: str | None = None
    op: ClassVar[str] = "add_issuer_pattern"

    @property
    def name(self) -> str:
        """``issuer ~ <pattern>``."""
        return f"issuer ~ {self.pattern}"

    def _mutate(self, policy: PolicyDict) -> bool:
        # PROTOCOL.md §3.11 (a): trust in an issuer is a PD constraint on $.issuer.
        entry = {"path": ["$.issuer"], "filter": {"type": "string", "pattern": self.pattern}}
        changed = False
        for definition in _definitions(policy, self.scope, self.owner):
            for descriptor in _descriptors(definition, self.descriptor):
                fields_ = _fields(descriptor)
                if self.replace:
                    fields_[:] = [f for f in fields_ if "$.issuer" not in f.get("path", [])]
                fields_.append(copy.deepcopy(entry))
                changed = True
        return changed

    def _miss_hint(self, policy: PolicyDict) -> str:
        return f"no input descriptor with id or $.type {self.descriptor!r}"


@dataclass(frozen=True)
class SetFormat(Mutation):
    """Set the claim formats of definitions (or of one descriptor); ``None`` removes them."""

    formats: tuple[str, ...] | Mapping[str, Any] | None
    descriptor: str | None = None
    scope: str | None = None
    owner: str | None = None
    op: ClassVar[str] = "set_format"

    def __post_init__(self) -> None:
        if isinstance(self.formats, list | tuple):
            unknown = [f for f in self.formats if f not in DEFAULT_FORMAT_ENTRIES]
            if unknown:
                raise InputError(
                    f"unknown format(s) {', '.join(map(str, unknown))}",
                    where="set_format",
                    hint=f"use {', '.join(DEFAULT_FORMAT_ENTRIES)} or a full format mapping",
                )
            object.__setattr__(self, "formats", tuple(self.formats))
        elif isinstance(self.formats, Mapping):
            object.__setattr__(self, "formats", _Frozen(self.formats))

    @property
    def name(self) -> str:
        """``format a+b`` or ``format any``."""
        names = "any" if self.formats is None else "+".join(self.formats)
        return f"format {names}" + (f" on {self.descriptor}" if self.descriptor else "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        out = super().to_dict()
        out["formats"] = (
            None
            if self.formats is None
            else list(self.formats)
            if isinstance(self.formats, tuple)
            else dict(self.formats)
        )
        return out

    def _entries(self) -> dict[str, Any] | None:
        if self.formats is None:
            return None
        if isinstance(self.formats, tuple):
            return {f: copy.deepcopy(DEFAULT_FORMAT_ENTRIES[f]) for f in self.formats}
        copied: dict[str, Any] = json.loads(json.dumps(dict(self.formats)))
        return copied

    def _mutate(self, policy: PolicyDict) -> bool:
        changed = False
        for definition in _definitions(policy, self.scope, self.owner):
            targets = [definition] if self.descriptor is None else _descriptors(definition, self.descriptor)
            for target in targets:
                entries = self._entries()
                if entries is None:
                    target.pop("format", None)
                else:
                    target["format"] = entries
                changed = True
        return changed


@dataclass(frozen=True)
class SetScopePolicy(Mutation):
    """Set ``scope_policy`` (profile-only, passthrough, dynamic) of the chosen profiles."""

    value: str
    scope: str | None = None
    op: ClassVar[str] = "set_scope_policy"

    def __post_init__(self) -> None:
        if self.value not in SCOPE_POLICIES:
            raise InputError(
                f"unknown scope_policy {self.value!r}",
                where="set_scope_policy",
                hint=f"use one of {', '.join(SCOPE_POLICIES)}",
            )

    @property
    def name(self) -> str:
        """``scope_policy <value>``."""
        return f"scope_policy {self.value}"

    def _mutate(self, policy: PolicyDict) -> bool:
        _definitions(policy, self.scope, None)  # wraps legacy profiles, which cannot carry a policy
        changed = False
        for name, profile in policy.items():
            if self.scope is None or name == self.scope:
                profile["scope_policy"] = self.value
                changed = True
        return changed


class _Frozen(dict[str, Any]):
    """A dict that hashes by content, so mutations holding one stay hashable."""

    def __hash__(self) -> int:  # type: ignore[override]  # dict declares itself unhashable
        return hash(json.dumps(self, sort_keys=True, default=str))


MUTATIONS: dict[str, type[Mutation]] = {
    m.op: m for m in (DropField, AddField, AddIssuerPattern, SetFormat, SetScopePolicy)
}


def mutation_from_dict(data: Any, where: str = "mutation") -> Mutation:
    """A mutation from its JSON/YAML form ``{"op": name, ...}`` or ``{name: {...}}``."""
    if isinstance(data, Mutation):
        return data
    if not isinstance(data, Mapping):
        raise InputError(
            f"a mutation must be an object, got {type(data).__name__}",
            where=where,
            hint=f"e.g. {{'op': 'drop_field', 'path': '$.issuer'}}; ops: {', '.join(MUTATIONS)}",
        )
    data = dict(data)
    if "op" not in data and len(data) == 1:
        ((op, args),) = data.items()
        data = {"op": op, **(args if isinstance(args, Mapping) else {})}
    op = data.pop("op", None)
    if op == "chain":
        return Chain(tuple(mutation_from_dict(s, f"{where}/steps/{i}") for i, s in enumerate(data["steps"])))
    cls = MUTATIONS.get(str(op))
    if cls is None:
        raise InputError(
            f"unknown mutation op {op!r}", where=where, hint=f"use one of {', '.join(MUTATIONS)}"
        )
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(
            f"unknown argument(s) {', '.join(unknown)} for {op}",
            where=where,
            hint=f"{op} takes {', '.join(sorted(known))}",
        )
    try:
        return cls(**data)
    except TypeError as exc:
        raise InputError(f"{op}: {exc}", where=where, hint=f"{op} takes {', '.join(sorted(known))}") from None
