"""Field ids → claims: what fulfilled definitions add to the access token (PROTOCOL.md §3.10).

For every fulfilled definition and every descriptor with a credential, each field with an
``id`` contributes ``id: value``: the regex capture when its pattern has one group, the
matched text when it has none, an array as a whole, ``null`` for an absent optional field.
The same id in two definitions of one token is the reference's server error "duplicate
mapped field in Presentation Definitions"; ids that are introspection claims
(``iss, sub, exp, iat, active, client_id, scope``) break introspection and are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from nutssim.models.credential import Credential
from nutssim.specs import rfc7662
from nutssim.specs.pex.compiled import CanonicalDefinition, CompiledDefinition, compile_definition
from nutssim.specs.pex.errors import DuplicateMappedField, InvalidDefinition
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits
from nutssim.specs.pex.models import PresentationDefinition
from nutssim.specs.pex.semantics import DEFAULT, Semantics

#: DEFAULT reading with filter paths as a reference node loads them (``reserved_field_ids``).
_ANY_PATHS = replace(DEFAULT, filter_selectors=True, paessler_filters=True)

# One list with the introspection response it protects (RFC 7662 §2.2, PROTOCOL.md §3.10).
RESERVED_CLAIMS = rfc7662.RESERVED_CLAIMS
"""Introspection response members a field id must not shadow (PROTOCOL.md §3.10)."""

Definition = PresentationDefinition | CompiledDefinition | CanonicalDefinition | Mapping[str, Any]


@dataclass(frozen=True)
class ClaimFinding:
    """Something wrong with the claims a set of definitions produces."""

    kind: Literal["duplicate", "duplicate_in_definition", "reserved"]
    field_id: str
    definition_ids: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class FieldClaims:
    """The claims, and the findings met while collecting them."""

    claims: dict[str, Any]
    findings: tuple[ClaimFinding, ...] = ()


def resolve_fields(
    definition: Definition,
    credentials: Mapping[str, Credential],
    *,
    limits: Limits = DEFAULT_LIMITS,
    semantics: Semantics | None = None,
) -> dict[str, Any]:
    """Field id → value for one definition, given descriptor id → the credential presented for it.

    Without ``semantics``: DEFAULT's reading, filter paths as a reference node loaded them.
    """
    reading = semantics if semantics is not None else _ANY_PATHS
    claims, _ = _resolve(compile_definition(definition, limits=limits, semantics=reading), credentials)
    return claims


def extract_claims(
    fulfilled: Iterable[tuple[Definition, Any]],
    *,
    on_duplicate: Literal["raise", "report"] = "raise",
    on_reserved: Literal["raise", "report"] = "report",
    limits: Limits = DEFAULT_LIMITS,
    semantics: Semantics | None = None,
) -> FieldClaims:
    """Claims of several fulfilled definitions; each paired with a match, check result or mapping.

    Without ``semantics``: DEFAULT's reading, filter paths as a reference node loaded them (a
    policy's definitions reach the token's claims only after they loaded).
    """
    reading = semantics if semantics is not None else _ANY_PATHS
    claims: dict[str, Any] = {}
    owner: dict[str, str] = {}
    findings: list[ClaimFinding] = []
    for definition, source in fulfilled:
        compiled = compile_definition(definition, limits=limits, semantics=reading)
        values, inner = _resolve(compiled, _credentials_of(source))
        findings += inner
        for field_id, value in values.items():
            if field_id in owner:
                ids = (owner[field_id], compiled.id)
                if on_duplicate == "raise":
                    raise DuplicateMappedField(field_id, list(ids))
                findings.append(
                    ClaimFinding(
                        "duplicate", field_id, ids, f"{DuplicateMappedField.reference_text}: '{field_id}'"
                    )
                )
                continue
            owner[field_id] = compiled.id
            claims[field_id] = value
            if field_id in RESERVED_CLAIMS:
                findings.append(_reserved(compiled, field_id, on_reserved))
    return FieldClaims(claims, tuple(findings))


def reserved_field_ids(definition: Definition, *, limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, str]]:
    """(pointer, id) of every field whose id shadows an introspection claim."""
    # Ids do not depend on how paths read: filter paths a policy loaded with (nuts-node's
    # PaesslerAG subset) compile here too, rather than meeting DEFAULT's refusal of filters.
    compiled = compile_definition(definition, limits=limits, semantics=_ANY_PATHS)
    return [(f.pointer, f.id) for d in compiled.descriptors for f in d.fields if f.id in RESERVED_CLAIMS]


def _credentials_of(source: Any) -> Mapping[str, Credential]:
    if isinstance(source, Mapping):
        return source
    if hasattr(source, "mapping"):  # MatchResult
        return source.mapping()
    return source.credentials  # CheckResult


def _resolve(
    compiled: CompiledDefinition, credentials: Mapping[str, Credential]
) -> tuple[dict[str, Any], list[ClaimFinding]]:
    values: dict[str, Any] = {}
    findings: list[ClaimFinding] = []
    for descriptor in compiled.descriptors:  # definition order: deterministic where the reference is not
        credential = credentials.get(descriptor.id)
        if credential is None:
            continue
        extracted = descriptor.values(credential.document)
        # A credential that no longer fulfils its descriptor contributes nothing (as the reference).
        for field_id, value in (extracted or {}).items():
            if field_id in values:
                findings.append(
                    ClaimFinding(
                        "duplicate_in_definition",
                        field_id,
                        (compiled.id,),
                        f"field id '{field_id}' appears twice in '{compiled.id}'; "
                        "the first descriptor's value is kept",
                    )
                )
                continue
            values[field_id] = value
    return values, findings


def _reserved(compiled: CompiledDefinition, field_id: str, mode: str) -> ClaimFinding:
    pointer = next(f.pointer for d in compiled.descriptors for f in d.fields if f.id == field_id)
    message = f"field id '{field_id}' ({pointer}) shadows the introspection claim '{field_id}'"
    if mode == "raise":
        raise InvalidDefinition(f"field id '{field_id}' is a reserved introspection claim", pointer=pointer)
    return ClaimFinding("reserved", field_id, (compiled.id,), message)
