"""The checks behind ``lint``: one pass over files, profiles, definitions, descriptors and fields."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from nutssim.lint.rules import (
    DEFAULT_METADATA,
    FORMAT_ALIASES,
    KNOWN_FORMATS,
    RULES,
    SCHEMA_KEYWORDS,
    SELF_ATTESTABLE,
    Finding,
    Severity,
    Where,
)
from nutssim.messages import parse_json
from nutssim.specs.nuts_policy import SCOPE_POLICIES, WALLET_OWNER_TYPES
from nutssim.specs.pex import (
    NUTS_NODE,
    RESERVED_CLAIMS,
    Limits,
    Semantics,
    compile_definition,
    parse_definition,
)
from nutssim.specs.pex.errors import LimitExceeded, PexDocumentError
from nutssim.specs.pex.regex import RegexError, compile_ecma

_DIGITS = re.compile(r"\d{3,}")
_PATIENT_WORDS = re.compile(r"patient|bsn|burgerservicenummer", re.IGNORECASE)
_SUBJECT = "$.credentialSubject"


class Linter:
    """Collects findings over one or more policy files."""

    def __init__(
        self,
        metadata: Mapping[str, Any] | None,
        authzen_endpoint: str | None,
        limits: Limits,
        *,
        semantics: bool = False,
        reading: Semantics = NUTS_NODE,
    ) -> None:
        self.semantics = semantics
        self.reading = reading  # the profile's PE reading: what loads, and how filters are read
        self.supported = _supported_formats(metadata or DEFAULT_METADATA)
        self.authzen_endpoint = authzen_endpoint
        self.limits = limits
        self.findings: list[Finding] = []
        self.profiles: dict[str, tuple[str, dict[str, Any]]] = {}  # scope → (file, {owner: PD})

    def add(self, code: str, where: Where, severity: Severity | None = None, **values: Any) -> None:
        rule = RULES[code]
        self.findings.append(
            Finding(
                severity or rule.severity,
                code,
                rule.message.format(**values),
                where,
                rule.hint.format(**values),
            )
        )

    # -- files and profiles ------------------------------------------------------------------------------
    def path(self, path: Path, name: str) -> None:
        try:
            data = parse_json(path.read_text(encoding="utf-8"))
        except OSError as exc:
            self.add(
                "invalid-policy",
                Where(name),
                reason=f"cannot read the file: {exc.strerror}",
                hint="check the path",
            )
            return
        except ValueError as exc:
            self.add("invalid-policy", Where(name), reason=f"not JSON: {exc}", hint="fix the JSON syntax")
            return
        self.file(data, name)

    def file(self, data: Any, name: str) -> None:
        if not isinstance(data, dict):
            self.add(
                "invalid-policy",
                Where(name),
                reason=f"a policy file holds an object, not {type(data).__name__}",
                hint='write {"<scope>": {"organization": <presentation definition>}}',
            )
            return
        for scope, entry in data.items():
            if scope in self.profiles:
                self.add("duplicate-scope", Where(name, scope), scope=scope, other=self.profiles[scope][0])
                continue
            self.profile(name, scope, entry)

    def profile(self, file: str, scope: str, entry: Any) -> None:
        where = Where(file, scope)
        if not isinstance(entry, dict):
            self.add(
                "invalid-policy",
                where,
                reason=f"a credential profile is an object, not {type(entry).__name__}",
                hint="map the scope to {organization: PD, user: PD, scope_policy: ...}",
            )
            return
        owners = {k: v for k, v in entry.items() if k in WALLET_OWNER_TYPES}
        prefix = "/"
        if not owners and "scope_policy" not in entry and "input_descriptors" in entry:
            self.add("legacy-form", where)
            owners, prefix = {"organization": entry}, ""
        else:
            for key in sorted(entry.keys() - set(WALLET_OWNER_TYPES) - {"scope_policy"}):
                self.add(
                    "invalid-policy",
                    Where(file, scope, f"/{key}"),
                    reason=f"unknown member '{key}'",
                    hint=f"a profile has {', '.join((*WALLET_OWNER_TYPES, 'scope_policy'))}",
                )
            if not owners:
                self.add(
                    "invalid-policy",
                    where,
                    reason="the profile defines no presentation definition",
                    hint=f"add at least one of {', '.join(WALLET_OWNER_TYPES)}",
                )
        self.scope_policy(Where(file, scope, "/scope_policy"), entry.get("scope_policy"))
        self.profiles[scope] = (file, owners)
        ids: dict[str, list[str]] = {}
        for owner, definition in owners.items():
            at = Where(file, scope, f"{prefix}{owner}" if prefix else "")
            for field_id in self.definition(at, definition):
                ids.setdefault(field_id, []).append(owner)
        for field_id, used_by in ids.items():
            if sorted(used_by) == ["organization", "service_provider"]:  # the two-VP binding (issue #20)
                self.add("cross-vp-binding", where, field_id=field_id)
            elif len(set(used_by)) > 1:
                self.add(
                    "duplicate-field-id",
                    where,
                    field_id=field_id,
                    twice=f"by the {' and '.join(used_by)} PDs",
                    consequence="a token fulfilling both fails with 'duplicate mapped field in "
                    "Presentation Definitions'",
                )

    def scope_policy(self, where: Where, value: Any) -> None:
        if value is None or value == "profile-only":
            return
        if value not in SCOPE_POLICIES:
            self.add(
                "invalid-policy",
                where,
                reason=f"invalid scope_policy {json.dumps(value)}",
                hint=f"use one of {', '.join(SCOPE_POLICIES)}",
            )
        elif value == "dynamic" and not self.authzen_endpoint:
            self.add("dynamic-without-evaluator", where)
        elif value == "passthrough":
            self.add("passthrough-scope-policy", where)

    # -- one presentation definition ---------------------------------------------------------------------
    def definition(self, where: Where, definition: Any) -> list[str]:
        """Lint one PD; return its field ids (for the cross-PD duplicate check)."""
        for pointer, pattern, reason in _unbounded_patterns(definition):
            self.add("unbounded-regex", _at(where, pointer), pattern=json.dumps(pattern), reason=reason)
        try:
            compile_definition(
                parse_definition(definition, limits=self.limits), limits=self.limits, semantics=self.reading
            )
        except PexDocumentError as exc:
            bounds = (
                isinstance(exc, LimitExceeded) or "/path/" in exc.pointer or exc.pointer.endswith("/pattern")
            )
            fallback = (
                "simplify it within the engine's Limits"
                if bounds
                else "the node refuses a policy with this definition"
            )
            self.add(
                "engine-bounds" if bounds else "invalid-definition",
                _at(where, exc.pointer),
                reason=exc.reason,
                hint=exc.hint or fallback,
            )
        if not isinstance(definition, dict) or not isinstance(definition.get("input_descriptors"), list):
            return []
        pd_formats = definition.get("format")
        self.formats(where, "/format", pd_formats, "presentation definition")
        ids: dict[str, str] = {}
        for i, descriptor in enumerate(definition["input_descriptors"]):
            if not isinstance(descriptor, dict):
                continue
            pointer = f"/input_descriptors/{i}"
            self.formats(where, f"{pointer}/format", descriptor.get("format"), "input descriptor")
            formats = descriptor.get("format") or pd_formats
            for field_id, field_pointer in self.descriptor(where, pointer, descriptor, formats):
                if field_id in ids:
                    self.add(
                        "duplicate-field-id",
                        _at(where, field_pointer),
                        "warning",
                        field_id=field_id,
                        twice=f"twice in this PD (also at {ids[field_id]})",
                        consequence="one value overwrites the other in the token",
                    )
                ids.setdefault(field_id, field_pointer)
        return list(ids)

    def descriptor(
        self, where: Where, pointer: str, descriptor: dict[str, Any], formats: Any
    ) -> Iterator[tuple[str, str]]:
        constraints = descriptor.get("constraints") or {}
        fields_ = [f for f in constraints.get("fields") or [] if isinstance(f, dict)]
        name = descriptor.get("id")
        types = _asked_types(fields_)
        if types is None:
            self.add("no-type-constraint", _at(where, pointer), descriptor=name)
        elif all(len(_paths(f)) == 1 and _paths(f)[0] in _TYPE_PATHS for f in fields_):
            self.add("type-only", _at(where, pointer), descriptor=name)
        self.issuer(where, pointer, name, types, fields_)
        for j, f in enumerate(fields_):
            field_pointer = f"{pointer}/constraints/fields/{j}"
            self.subject_shape(_at(where, f"{field_pointer}/path"), f, formats)
            for sub_pointer, key in _walk_keywords(f.get("filter"), f"{field_pointer}/filter"):
                self.add("ignored-filter-keyword", _at(where, sub_pointer), keyword=key)
            for why, fix in semantics_differences(f) if self.semantics else []:
                self.add("semantics-differ", _at(where, f"{field_pointer}/filter"), why=why, fix=fix)
            field_id = f.get("id")
            if isinstance(field_id, str):
                if field_id in RESERVED_CLAIMS:
                    self.add(
                        "reserved-field-id",
                        _at(where, f"{field_pointer}/id"),
                        field_id=field_id,
                        suggestion=f"{name}_{field_id}",
                    )
                yield field_id, field_pointer

    def issuer(
        self, where: Where, pointer: str, name: Any, types: list[str] | None, fields_: list[dict[str, Any]]
    ) -> None:
        issuer_fields = [(i, f) for i, f in enumerate(fields_) if "$.issuer" in _paths(f)]
        for i, f in issuer_fields:
            flt = f.get("filter")
            at = _at(where, f"{pointer}/constraints/fields/{i}/filter")
            if not _constrains(flt):
                nested = isinstance(flt, dict) and "filter" in flt
                why = " (its pattern sits in a nested 'filter', which JSON Schema ignores)" if nested else ""
                self.add("issuer-unconstrained", at, why=why)
            elif (
                isinstance(flt, dict)
                and isinstance(flt.get("pattern"), str)
                and not (flt["pattern"].startswith("^") and flt["pattern"].endswith("$"))
            ):
                self.add("issuer-pattern-unanchored", at, pattern=flt["pattern"])
        trust_bearing = [t for t in types or [] if t not in SELF_ATTESTABLE]
        if "*" in trust_bearing:
            trust_bearing = ["(any type its pattern admits)"]
        if trust_bearing and not issuer_fields:
            self.add("self-issued-gap", _at(where, pointer), descriptor=name, types=", ".join(trust_bearing))

    def subject_shape(self, where: Where, f: dict[str, Any], formats: Any) -> None:
        paths = _paths(f)
        missing = []
        for p in paths:
            if p.startswith(_SUBJECT + "."):
                shape, other = "object", f"{_SUBJECT}[0].{p[len(_SUBJECT) + 1 :]}"
            elif p.startswith(_SUBJECT + "[0]."):
                shape, other = "array", f"{_SUBJECT}.{p[len(_SUBJECT) + 4 :]}"
            else:
                continue
            if other not in paths:
                missing.append((shape, other))
        if not missing:
            return
        families, shapes = _vc_families(formats), {shape for shape, _ in missing}
        # PROTOCOL.md §3.4: a JSON-LD VC gives an object, a JWT VC an array; one shape fits one family.
        fits = (families, shapes) in (({"ldp"}, {"object"}), ({"jwt"}, {"array"}))
        only = "ldp_vc" if families == {"ldp"} else "jwt_vc"
        self.add(
            "subject-shape",
            where,
            "info" if fits else None,
            shape="/".join(sorted(shapes)),
            other=missing[0][1],
            consequence=f"fine while the PD accepts {only} only"
            if fits
            else "credentials serialised the other way will not match",
        )

    def formats(self, where: Where, pointer: str, formats: Any, part: str) -> None:
        if not isinstance(formats, dict) or not formats:
            return
        accepted = ", ".join(sorted(self.supported)) or "nothing"
        usable: set[str] = set()
        for name, entry in formats.items():
            normal = FORMAT_ALIASES.get(name, name)
            at = _at(where, f"{pointer}/{name}")
            if normal not in self.supported:
                what = f"format '{name}' is" + ("" if normal in KNOWN_FORMATS else " not a Nuts format, and")
                self.add("unsupported-format", at, what=what, accepted=accepted)
                continue
            algs, proofs = self.supported[normal]
            entry = entry if isinstance(entry, dict) else {}
            refused = [a for a in entry.get("alg") or [] if a not in algs] + [
                p for p in entry.get("proof_type") or [] if p not in proofs
            ]
            if refused:
                self.add(
                    "unsupported-format",
                    at,
                    what=f"{name}: {', '.join(refused)}",
                    accepted=", ".join(sorted(algs | proofs)),
                )
            asked = list(entry.get("alg") or []) + list(entry.get("proof_type") or [])
            if not asked or set(asked) - set(refused):
                usable.add(normal)
        for kind in ("vp", "vc"):
            named = [n for n in formats if _normal(n).endswith(f"_{kind}")]
            if named and not any(f.endswith(f"_{kind}") for f in usable):
                kinds = [f for f in sorted(self.supported) if f.endswith(f"_{kind}")]
                self.add(
                    "no-shared-format",
                    _at(where, pointer),
                    kind=kind.upper(),
                    part=part,
                    accepted=", ".join(kinds) or "none",
                )

    # -- across scopes: RFC021 §8 ------------------------------------------------------------------------
    def across_scopes(self) -> None:
        groups: dict[str, list[str]] = {}
        for scope, (_, owners) in self.profiles.items():
            if owners:
                groups.setdefault(_canonical(owners), []).append(scope)
        for scopes in groups.values():
            if len(scopes) > 1:
                self.add(
                    "scope-reveals-availability",
                    Where(self.profiles[scopes[0]][0], scopes[0]),
                    scopes=", ".join(scopes),
                )
        for scope, (file, _) in self.profiles.items():
            bsn = any(_elfproef(m) for m in re.findall(r"\d{8,9}", scope))
            if bsn or _DIGITS.search(scope) or _PATIENT_WORDS.search(scope):
                self.add(
                    "patient-specific-scope",
                    Where(file, scope),
                    scope=scope,
                    bsn=" (it holds a BSN-like number)" if bsn else "",
                )


# -- helpers --------------------------------------------------------------------------------------------
def _unbounded_patterns(definition: Any) -> Iterator[tuple[str, str, str]]:
    """Every field-filter pattern the backtracking guard refuses: (pointer, pattern, why)."""
    descriptors = definition.get("input_descriptors") if isinstance(definition, dict) else None
    for i, descriptor in enumerate(descriptors if isinstance(descriptors, list) else []):
        constraints = descriptor.get("constraints") if isinstance(descriptor, dict) else None
        fields_ = constraints.get("fields") if isinstance(constraints, dict) else None
        for j, f in enumerate(fields_ if isinstance(fields_, list) else []):
            flt = f.get("filter") if isinstance(f, dict) else None
            pattern = flt.get("pattern") if isinstance(flt, dict) else None
            if not isinstance(pattern, str):
                continue
            try:
                compile_ecma(pattern, None)
            except RegexError as exc:
                if exc.cost and "linear-time" not in str(exc) and "backreference" not in str(exc):
                    yield f"/input_descriptors/{i}/constraints/fields/{j}/filter/pattern", pattern, str(exc)


def _at(where: Where, pointer: str) -> Where:
    return Where(where.file, where.scope, f"{where.pointer}{pointer}")


def _paths(f: dict[str, Any]) -> list[str]:
    return [p for p in f.get("path") or [] if isinstance(p, str)]


def _asked_types(fields_: list[dict[str, Any]]) -> list[str] | None:
    """Credential types the descriptor's $.type fields ask for (``*`` for a pattern); None if none."""
    found: list[str] | None = None
    for f in fields_:
        if not _TYPE_PATHS.intersection(_paths(f)):
            continue
        found = found or []
        raw = f.get("filter")
        flt: dict[str, Any] = raw if isinstance(raw, dict) else {}
        contains: dict[str, Any] = flt["contains"] if isinstance(flt.get("contains"), dict) else {}
        if isinstance(flt.get("const"), str):
            found.append(flt["const"])
        elif isinstance(flt.get("enum"), list):
            found.extend(str(v) for v in flt["enum"])
        elif isinstance(contains.get("const"), str):  # {"type": "array", "contains": {"const": ...}}
            found.append(contains["const"])
        else:
            found.append("*")
    return found


def _constrains(flt: Any) -> bool:
    """Whether a filter narrows a string value down (const, enum or pattern at its top level)."""
    return isinstance(flt, dict) and any(k in flt for k in ("const", "enum", "pattern"))


#: The members of the reference's Filter struct (vcr/pe/types.go); it ignores every other keyword.
_REFERENCE_MEMBERS = frozenset({"type", "const", "enum", "pattern"})
#: Paths whose value is an array in every W3C credential (VC-DM 1.1 §4.3 type, §4.1 @context).
_ARRAY_PATHS = frozenset({"$.type", "$['type']", "$.@context", "$['@context']"})
#: Paths to a credential's types: the array, or each of its elements (both readings agree on those).
_TYPE_PATHS = frozenset({"$.type", "$.type[*]"})


def semantics_differences(field: dict[str, Any]) -> list[tuple[str, str]]:
    """Why the reference's reading (pex.NUTS_NODE) and the spec's (pex.STRICT) of a field's filter differ."""
    flt = field.get("filter")
    if not isinstance(flt, dict):
        return []
    kind = flt.get("type")
    out: list[tuple[str, str]] = []
    ignored = sorted(k for k in flt if k not in _REFERENCE_MEMBERS and k not in ("$schema", "$id", "title"))
    if ignored:
        out.append((
            f"the reference evaluates only type/const/enum/pattern and ignores {', '.join(ignored)}",
            "express the constraint with type, const, enum or pattern if reference nodes must enforce it",
        ))  # fmt: skip
    if kind is None and ("pattern" in flt or "const" in flt):
        out.append((
            "without \"type\": \"string\" the reference never matches a string against pattern/const",
            'add "type": "string"',
        ))  # fmt: skip
    if kind == "integer" or isinstance(kind, list):
        out.append((
            f"the reference knows only one type name per filter and no \"integer\" (got {kind!r})",
            'use "type": "number"',
        ))  # fmt: skip
    if kind == "string" and any(p in _ARRAY_PATHS for p in _paths(field)):
        out.append((
            "the value is an array: the reference matches one element, the spec validates the whole array "
            "(which is not a string), so a spec-exact verifier never accepts it",
            'select the elements instead ("$.type[*]"): each is then a string to both readings '
            "(the reference's jsonpath returns them as one array; matchFilter reads it element by element)",
        ))  # fmt: skip
    return out


def _walk_keywords(schema: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key not in SCHEMA_KEYWORDS:
            yield f"{pointer}/{key}", key
            continue
        if key in (
            "properties",
            "patternProperties",
            "$defs",
            "definitions",
            "dependentSchemas",
        ) and isinstance(value, dict):
            for name, sub in value.items():
                yield from _walk_keywords(sub, f"{pointer}/{key}/{name}")
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems") and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from _walk_keywords(sub, f"{pointer}/{key}/{i}")
        elif key in (
            "items",
            "contains",
            "not",
            "if",
            "then",
            "else",
            "additionalProperties",
            "propertyNames",
        ):
            yield from _walk_keywords(value, f"{pointer}/{key}")


def _normal(name: str) -> str:
    """A format's PD name (``jwt_vc_json`` → ``jwt_vc``)."""
    return FORMAT_ALIASES.get(name, name)


def _vc_families(formats: Any) -> set[str]:
    """Which VC encodings a format designation admits: {'jwt', 'ldp'}; both when unrestricted."""
    if not isinstance(formats, dict):
        return {"jwt", "ldp"}
    vc = {_normal(n) for n in formats if _normal(n).endswith("_vc")}
    return {n.split("_")[0] for n in vc} or {"jwt", "ldp"}


def _supported_formats(metadata: Mapping[str, Any]) -> dict[str, tuple[set[str], set[str]]]:
    """PD format name → (algs, proof types) the server accepts, from its vp_formats_supported."""
    raw = metadata.get("vp_formats_supported") or metadata.get("vp_formats") or {}
    out = {}
    for name, entry in raw.items():
        entry = entry if isinstance(entry, dict) else {}
        algs = set(entry.get("alg_values_supported") or entry.get("alg") or [])
        proofs = set(entry.get("proof_type_values_supported") or entry.get("proof_type") or [])
        out[FORMAT_ALIASES.get(name, name)] = (algs, proofs)
    return out


def _canonical(owners: dict[str, Any]) -> str:
    """A PD set without its names, ids and purposes, as canonical JSON (for identity across scopes)."""
    stripped = {
        o: {k: v for k, v in pd.items() if k not in ("id", "name", "purpose")}
        for o, pd in owners.items()
        if isinstance(pd, dict)
    }
    return json.dumps(stripped, sort_keys=True, separators=(",", ":"))


def _elfproef(digits: str) -> bool:
    """The BSN eleven test (a 9-digit number, or 8 digits with a leading zero)."""
    digits = digits.zfill(9)
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0 and int(digits) > 0
