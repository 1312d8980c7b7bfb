"""Validation against the DIF Presentation Exchange v2 JSON Schemas, offline.

The schemas ship inside the package (``nutssim/data/pex-schemas/``, Apache-2.0, see its
README) and are loaded with importlib.resources; each is registered under the URL the
others use for it, so ``$ref`` resolution never touches the network.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib.resources import files
from typing import Any

import referencing
import referencing.jsonschema
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from nutssim.specs.pex.errors import InvalidDefinition, InvalidSubmission, PexDocumentError
from nutssim.specs.pex.limits import pointer_of

#: ``json.dumps(..., sort_keys=True, separators=(",", ":"))`` without an encoder built per call (same text).
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode

_PEX = "identity.foundation/presentation-exchange/schemas/"
_REGISTRY_URLS = (
    "https://identity.foundation/claim-format-registry/schemas/"
    "presentation-definition-claim-format-designations.json",
    "https://identity.foundation/claim-format-registry/schemas/"
    "presentation-submission-claim-format-designations.json",
)
_FILES = {
    "presentation_definition": "presentation-definition.json",
    "presentation_definition_envelope": "presentation-definition-envelope.json",
    "input_descriptor": "input-descriptor.json",
    "submission_requirement": "submission-requirement.json",
    "submission_requirements": "submission-requirements.json",
    "presentation_submission": "presentation-submission.json",
}
NUTS_POLICY_PROFILE = "nuts_policy_profile"
"""Kind of the Nuts policy entry schema (one scope's profile), ``nutssim/data/``."""

KINDS = (*_FILES, NUTS_POLICY_PROFILE)
"""Document kinds ``validate_schema`` knows."""

_ERRORS: dict[str, type[PexDocumentError]] = {"presentation_submission": InvalidSubmission}


def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a document kind, as shipped in the package."""
    if kind == NUTS_POLICY_PROFILE:
        return _read("data/nuts-policy-profile.schema.json")
    if kind not in _FILES:
        raise ValueError(f"unknown schema kind {kind!r}; known: {', '.join(KINDS)}")
    return _read(f"data/pex-schemas/{_FILES[kind]}")


def validate_schema(document: Any, kind: str, *, error: type[PexDocumentError] | None = None) -> None:
    """Raise ``InvalidDefinition``/``InvalidSubmission`` naming the first schema violation.

    A bare presentation submission is wrapped as ``{"presentation_submission": …}`` first, as
    the DIF schema expects (and the reference does); pointers are given in the bare document.
    """
    error = error or _ERRORS.get(kind, InvalidDefinition)
    wrapped = kind == "presentation_submission" and not (
        isinstance(document, dict) and set(document) == {"presentation_submission"}
    )
    instance = {"presentation_submission": document} if wrapped else document
    key = _cache_key(instance, kind)
    if key is not None and key in _KNOWN_VALID:
        return
    found = best_match(_validator(kind).iter_errors(instance))
    if found is None:
        _remember_valid(key)
        return
    found = _deepest(found)
    location = tuple(found.absolute_path)[1 if wrapped else 0 :]
    raise error(
        f"does not conform to the {kind.replace('_', ' ')} schema: {found.message}",
        pointer=pointer_of(location),
    )


@cache
def member_names() -> frozenset[str]:
    """Every member name the shipped schemas define (the vocabulary of spelling hints)."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                names.update(node["properties"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for kind in KINDS:
        walk(load_schema(kind))
    return frozenset(names)


def spelling_hint(document: Any, pointer: str) -> str:
    """A hint when the object at ``pointer`` (or its parent) has a member that looks like a misspelling."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    if "filter" in parts:  # a filter is a JSON Schema: its keywords are not PEX member names
        return ""
    known = member_names()
    for depth in (len(parts), len(parts) - 1):
        node = _at(document, parts[: max(depth, 0)])
        if not isinstance(node, dict):
            continue
        for key in node:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
            if key not in known and close:
                return f"'{key}' is not a member name: did you mean '{close[0]}'?"
    return ""


def _at(document: Any, parts: list[str]) -> Any:
    node = document
    for part in parts:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


#: Documents already found valid, by canonical JSON: the same PD arrives on every flow, and
#: validating it again costs more than the rest of a token request. Bounded (FIFO).
_KNOWN_VALID: dict[str, None] = {}
_KNOWN_VALID_MAX = 1024


def _cache_key(instance: Any, kind: str) -> str | None:
    """A canonical key under which validity can be remembered."""
    if kind == "presentation_submission" and isinstance(instance, dict):
        inner = instance.get("presentation_submission")
        if isinstance(inner, dict) and isinstance(inner.get("id"), str):
            # The schema only requires `id` to be a string; blank it so fresh ids share a key.
            instance = {"presentation_submission": {**inner, "id": ""}}
    try:
        return f"{kind}:" + _canonical(instance)
    except (TypeError, ValueError, RecursionError):
        return None


def _remember_valid(key: str | None) -> None:
    if key is None:
        return
    if len(_KNOWN_VALID) >= _KNOWN_VALID_MAX:
        del _KNOWN_VALID[next(iter(_KNOWN_VALID))]
    _KNOWN_VALID[key] = None


def _deepest(error: Any) -> Any:
    """Inside ``oneOf``/``anyOf``, the sub-error that got furthest into the document."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def is_valid(document: Any, kind: str) -> bool:
    """Whether ``document`` conforms to the schema of ``kind``."""
    try:
        validate_schema(document, kind)
    except PexDocumentError:
        return False
    return True


@cache
def _validator(kind: str) -> Draft7Validator:
    return Draft7Validator(load_schema(kind), registry=_registry())


@cache
def _registry() -> referencing.Registry:
    resources: list[tuple[str, referencing.Resource[Any]]] = []
    for name in _FILES.values():
        resource = referencing.jsonschema.DRAFT7.create_resource(_read(f"data/pex-schemas/{name}"))
        # The DIF schemas and the Nuts reference refer to each other by http and https URLs.
        resources += [(f"http://{_PEX}{name}", resource), (f"https://{_PEX}{name}", resource)]
    stand_in = referencing.jsonschema.DRAFT7.create_resource(
        _read("data/pex-schemas/claim-format-designations.nutssim.json")
    )
    resources += [(url, stand_in) for url in _REGISTRY_URLS]
    resources += [(url.replace("https://", "http://"), stand_in) for url in _REGISTRY_URLS]
    return referencing.Registry().with_resources(resources)


@cache
def _read_text(path: str) -> str:
    return files("nutssim").joinpath(path).read_text(encoding="utf-8")


def _read(path: str) -> dict[str, Any]:
    return json.loads(_read_text(path))
