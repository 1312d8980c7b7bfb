"""JSON-LD 1.1 processing over pyld, offline: only the contexts nutssim ships are ever loaded.

Nuts credentials and presentations in ``ldp_vc``/``ldp_vp`` format are JSON-LD
(PROTOCOL.md §3.2); their proofs sign the URDNA2015 canonical N-Quads of the document.
The reference node resolves contexts from embedded copies and never from the network;
so does the ``OfflineLoader`` here, serving the files SOURCES.md lists and refusing
every other URL.

Processing is *strict* by default: a property the active context does not define, or a
type or id that stays a relative IRI, is silently dropped by JSON-LD expansion
(JSON-LD 1.1 API §13.4 step 13.2) and so is not covered by a signature; a document
carrying one is refused rather than canonicalized, so an unsigned claim cannot ride
along next to signed ones.

``LdProcessing.JSON_GOLD`` reproduces the reference instead (the ``nuts-node`` profile):
nuts-node canonicalizes with json-gold v0.8.0 (``jsonld/ldutils.go LDUtil.Canonicalize``)
and refuses nothing: undefined terms and relative ids are dropped unsigned, and a relative
``@type`` value is kept as an ``rdf:type`` triple to the relative IRI, where pyld (and RDF 1.1
Concepts §3.2, which allows only absolute IRIs) drop it.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from pyld import ContextResolver
from pyld.canon import URDNA2015
from pyld.jsonld import JsonLdError as PyLdError

from nutssim.errors import ProtocolError
from nutssim.specs.jsonld_cache import (
    MAX_CACHED_CANONICAL,
    MAX_CACHED_CONTEXTS,
    MAX_PROCESSED_CONTEXTS,
    BoundedCache,
    canonical_key,
    json_text,
)
from nutssim.specs.jsonld_processor import JsonGoldProcessor, StrictProcessor

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
STATUSLIST2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"
JWS2020_CONTEXT = "https://w3c-ccg.github.io/lds-jws2020/contexts/lds-jws2020-v1.json"
NUTS_V1_CONTEXT = "https://nuts.nl/credentials/v1"
NUTS_2024_CONTEXT = "https://nuts.nl/credentials/2024"

#: Context URL → file under ``nutssim/data/contexts/``, exactly as SOURCES.md maps them.
#: No file is shipped for the ``https://w3id.org/security/suites/jws-2020/v1`` alias, so
#: it is not served.
CONTEXT_FILES: Mapping[str, str] = MappingProxyType(
    {
        VC_V1_CONTEXT: "w3c-credentials-v1.jsonld",
        STATUSLIST2021_CONTEXT: "w3c-statuslist2021.jsonld",
        JWS2020_CONTEXT: "lds-jws2020-v1.jsonld",
        NUTS_V1_CONTEXT: "nuts.jsonld",
        NUTS_2024_CONTEXT: "nuts-2024.jsonld",
    }
)


class LdProcessing(Enum):
    """How a JSON-LD document is turned into the signed N-Quads."""

    #: JSON-LD 1.1 as specified, strict: a dropped term or a relative IRI is refused.
    SPEC = "spec"
    #: The reference: json-gold v0.8.0 semantics, nothing refused (see the module docstring).
    JSON_GOLD = "json-gold"


class JsonLdError(ProtocolError):
    """A JSON-LD document received over the wire could not be processed."""

    check = "jsonld"


class UnknownContextError(JsonLdError):
    """A document refers to a context URL that nutssim does not ship."""

    check = "jsonld.context"

    def __init__(self, url: str) -> None:
        self.url = url
        self.known = known_context_urls()
        super().__init__(
            f"JSON-LD context {url!r} is not available offline; known contexts: {', '.join(self.known)}"
        )


class UndefinedTermError(JsonLdError):
    """Strict processing found terms or IRIs that expansion would silently drop."""

    check = "jsonld.undefined_term"

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms
        super().__init__(
            f"JSON-LD terms not defined by @context (they would be dropped, unsigned): {', '.join(terms)}"
        )


class InvalidJsonLdError(JsonLdError):
    """The document is not valid JSON-LD (syntax, protected-term redefinition, …)."""

    check = "jsonld.syntax"


class CanonicalizationLimitExceeded(JsonLdError):
    """A document would cost more to canonicalize than nutssim allows (before any signature check)."""

    check = "jsonld.limit"

    def __init__(self, what: str, found: int, limit: int) -> None:
        self.what, self.found, self.limit = what, found, limit
        super().__init__(
            f"JSON-LD document has {found} {what}; at most {limit} are canonicalized "
            "(a bound of nutssim: URDNA2015 is exponential in symmetric blank nodes)"
        )


@dataclass(frozen=True)
class CanonicalizationLimits:
    """What one canonicalization may cost; checked cheapest first, before any hashing.

    The reference (json-gold v0.8.0) has no bound: a 1.3 kB graph of 8 linked blank nodes
    takes it (and pyld) about a minute. ``work`` counts the Hash N-Degree Quads calls and
    the blank-node permutations they will try (RDF Dataset Canonicalization §4.8.3 step 5.4),
    charged before they run, so the bound holds whatever the graph's shape.
    """

    max_json_values: int = 1_000  # JSON values in the document as received (~20 Nuts credentials)
    max_depth: int = 32  # nesting of the document as received
    max_quads: int = 2_000  # RDF quads after expansion
    max_blank_nodes: int = 64  # distinct blank nodes in the dataset
    max_work: int = 2_000  # Hash N-Degree Quads calls + permutations


DEFAULT_CANONICALIZATION_LIMITS = CanonicalizationLimits()
_JSON_SCALARS = (str, int, float, bool, type(None))


def known_context_urls() -> tuple[str, ...]:
    """Return the context URLs the offline loader serves, sorted."""
    return tuple(sorted(CONTEXT_FILES))


@cache
def _parsed_context(url: str) -> Mapping[str, Any]:
    """Read and parse one shipped context file once per process."""
    name = CONTEXT_FILES[url]
    text = (resources.files("nutssim") / "data" / "contexts" / name).read_text(encoding="utf-8")
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def context_document(url: str) -> dict[str, Any]:
    """Return a fresh copy of the shipped context document for ``url``."""
    if url not in CONTEXT_FILES:
        raise UnknownContextError(url)
    # pyld rewrites nested context URLs in place: never hand out the cached object.
    return copy.deepcopy(dict(_parsed_context(url)))


class OfflineLoader:
    """A pyld document loader that serves only the shipped contexts, with its own cache.

    With ``cache=True`` resolved and processed contexts and canonical N-Quads are kept
    across operations in bounded caches private to this loader (``jsonld_cache``; pyld's
    global cache is shared by every loader in the process, so a test's doctored copy of a
    context could otherwise leak in). A loader must serve the same document for a URL
    every time: that is what lets the contexts stand for themselves in every key.
    ``calls`` counts how often pyld asked for a document.
    """

    def __init__(self, *, cache: bool = True) -> None:
        self.cache = cache
        self.calls = 0
        self._new_caches()

    def _new_caches(self) -> None:
        self._resolved = BoundedCache(MAX_CACHED_CONTEXTS)
        self._processed = BoundedCache(MAX_PROCESSED_CONTEXTS)
        self._canonical = BoundedCache(MAX_CACHED_CANONICAL)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return a pyld RemoteDocument for ``url`` or raise ``UnknownContextError``."""
        self.calls += 1
        remote: dict[str, Any] = {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": context_document(url),
        }
        if self.cache:
            # pyld keeps a resolved context across operations only when tagged "static".
            remote["tag"] = "static"
        return remote

    def clear(self) -> None:
        """Forget every cached context and canonical form, and reset the call counter."""
        self._new_caches()
        self.calls = 0

    def options(self) -> dict[str, Any]:
        """Return pyld processing options that use this loader and nothing else."""
        shared: Any = self._resolved if self.cache else {}
        return {
            "documentLoader": self,
            "contextResolver": ContextResolver(shared, self),
            "processingMode": "json-ld-1.1",
            # No document base: relative IRIs stay relative (and strict mode refuses them)
            # instead of pyld resolving them against its example.org placeholder base or a
            # remote context's @base (which JSON-LD 1.1 API context processing, step 5.7, ignores).
            "base": None,
        }


#: The loader every function here uses unless told otherwise.
DEFAULT_LOADER = OfflineLoader()


def _check_strict(processor: StrictProcessor) -> None:
    """Refuse the document if expansion dropped terms or left relative IRIs."""
    problems = processor.strict_problems()
    if problems:
        raise UndefinedTermError(problems)


def _processor(mode: LdProcessing, *, memo: bool = False) -> StrictProcessor:
    return JsonGoldProcessor(memo=memo) if mode is LdProcessing.JSON_GOLD else StrictProcessor(memo=memo)


def expand(
    document: Mapping[str, Any], *, loader: OfflineLoader | None = None, strict: bool = True
) -> list[dict[str, Any]]:
    """Expand ``document`` (JSON-LD 1.1 API §5.1); strict mode refuses dropped terms."""
    _require_object(document)
    processor = StrictProcessor()
    with _translated_errors():
        expanded: list[dict[str, Any]] = processor.expand(dict(document), _options(loader))
    if strict:
        _check_strict(processor)
    return expanded


def compact(
    document: Mapping[str, Any] | list[Any],
    context: str | Mapping[str, Any] | list[Any],
    *,
    loader: OfflineLoader | None = None,
) -> dict[str, Any]:
    """Compact ``document`` (a JSON-LD object or an expanded list) with ``context`` (API §6.1)."""
    if not isinstance(document, list):
        _require_object(document)
        document = dict(document)
    with _translated_errors():
        compacted: dict[str, Any] = StrictProcessor().compact(document, context, _options(loader))
    return compacted


def canonicalize(
    document: Mapping[str, Any],
    *,
    loader: OfflineLoader | None = None,
    strict: bool = True,
    mode: LdProcessing = LdProcessing.SPEC,
    limits: CanonicalizationLimits = DEFAULT_CANONICALIZATION_LIMITS,
) -> str:
    """Return the URDNA2015 canonical N-Quads of ``document`` (RDF Dataset Canonicalization).

    ``mode`` ``JSON_GOLD`` canonicalizes as the reference does and never refuses a dropped
    term (``strict`` applies to ``SPEC`` only). Bounded: the document's size, its dataset's
    size and the canonicalization's work are checked against ``limits`` (cheapest first) and
    refused with ``CanonicalizationLimitExceeded`` (a bound of nutssim in both modes).

    A loader that caches keeps the result (``jsonld_cache``): the same document, contexts,
    mode, strictness and limits give the same N-Quads, so they are computed once. The JSON
    bounds are checked before the look-up, and only successes are kept.
    """
    _require_object(document)
    received = dict(document)
    plain = _check_json_size(received, limits)
    loader = loader or DEFAULT_LOADER
    strict = strict and mode is LdProcessing.SPEC
    text = json_text(received) if plain and loader.cache else None
    key = canonical_key(text, mode.value, strict, limits) if text is not None else None
    cached: str | None = loader._canonical.get(key) if key is not None else None
    if cached is not None:
        return cached
    nquads = _canonicalize(received, loader, strict, mode, limits, memo=plain)
    if key is not None:
        loader._canonical[key] = nquads
    return nquads


def _canonicalize(
    document: dict[str, Any],
    loader: OfflineLoader,
    strict: bool,
    mode: LdProcessing,
    limits: CanonicalizationLimits,
    *,
    memo: bool,
) -> str:
    """Expand, check, bound and hash ``document`` (``canonicalize`` without its cache)."""
    processor = _processor(mode, memo=memo)
    with _translated_errors():
        # to_rdf expands through processor.expand, which keeps the expanded form.
        dataset = processor.to_rdf(document, {**loader.options(), "produceGeneralizedRdf": False})
    if strict:
        _check_strict(processor)
    _check_dataset_size(dataset, limits)
    with _translated_errors():
        nquads: str = _BoundedUrdna2015(limits.max_work).main(dataset, {"format": "application/n-quads"})
    return nquads


def _check_json_size(document: Any, limits: CanonicalizationLimits) -> bool:
    """Count values and depth iteratively (a hostile document cannot exhaust the stack first).

    Return whether every value is of a JSON type (``dict`` with ``str`` keys, ``list``,
    ``str``, ``int``, ``float``, ``bool``, ``None``): only such documents are cached.
    """
    stack: list[tuple[Any, int]] = [(document, 1)]
    values = 0
    plain = True
    while stack:
        value, depth = stack.pop()
        values += 1
        if values > limits.max_json_values:
            raise CanonicalizationLimitExceeded("JSON values", values, limits.max_json_values)
        if depth > limits.max_depth:
            raise CanonicalizationLimitExceeded("levels of nesting", depth, limits.max_depth)
        if isinstance(value, dict):
            plain = plain and all(type(name) is str for name in value)
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
        else:
            plain = plain and type(value) in _JSON_SCALARS
    return plain


def _check_dataset_size(dataset: Mapping[str, list[dict[str, Any]]], limits: CanonicalizationLimits) -> None:
    quads = [quad for triples in dataset.values() for quad in triples]
    if len(quads) > limits.max_quads:
        raise CanonicalizationLimitExceeded("RDF quads", len(quads), limits.max_quads)
    blank = {
        part["value"] for quad in quads for part in quad.values() if part.get("type") == "blank node"
    } | {name for name in dataset if name.startswith("_:")}
    if len(blank) > limits.max_blank_nodes:
        raise CanonicalizationLimitExceeded("blank nodes", len(blank), limits.max_blank_nodes)


class _BoundedUrdna2015(URDNA2015):
    """pyld's URDNA2015, charging each Hash N-Degree Quads call and its permutations to a budget."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget
        self.spent = 0

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        """§4.8.3 steps 1–3, then charge step 5.4's permutations before they are tried."""
        related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        self.spent += 1 + sum(_permutations(len(nodes), self.budget) for nodes in related.values())
        if self.spent > self.budget:
            raise CanonicalizationLimitExceeded("units of canonicalization work", self.spent, self.budget)
        return related

    def modify_first_degree_component(self, id_: str, component: dict[str, Any], key: str) -> dict[str, Any]:
        """§4.6.3 step 3.1.1: a blank node is ``_:a`` if it is the reference node, else ``_:z``.

        A blank-node term holds only strings, so a shallow copy does what pyld's deep copy
        does (a third of the time of a first-seen VP's hashing went to ``copy.deepcopy``).
        """
        if component["type"] != "blank node":
            return component
        return {**component, "value": "_:a" if component["value"] == id_ else "_:z"}


def _permutations(count: int, cap: int) -> int:
    """``count!``, or ``cap + 1`` once it exceeds ``cap`` (no huge integers for huge counts)."""
    return math.factorial(count) if count <= 12 else cap + 1


def _options(loader: OfflineLoader | None) -> dict[str, Any]:
    return (loader or DEFAULT_LOADER).options()


def _require_object(document: object) -> None:
    if not isinstance(document, Mapping):
        raise InvalidJsonLdError(f"JSON-LD document must be a JSON object, not {type(document).__name__}")


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Turn pyld's wrapped exceptions into nutssim domain errors."""
    try:
        yield
    except PyLdError as exc:
        # pyld wraps a loader failure two or three times; the innermost cause says what happened.
        causes = list(_causes(exc))
        for cause in causes:
            if isinstance(cause, JsonLdError):
                raise cause from None
        raise InvalidJsonLdError(f"invalid JSON-LD: {_describe(causes[-1])}") from None
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        # pyld is not total on hostile input (a document is data, never a traceback: issue #18).
        failure = f"{type(exc).__name__}: {exc}"
        raise InvalidJsonLdError(f"invalid JSON-LD: the processor failed ({failure})") from None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _describe(exc: BaseException) -> str:
    message = str(exc.args[0]) if exc.args else type(exc).__name__
    code = getattr(exc, "code", None)
    return f"{message} ({code})" if code else message
