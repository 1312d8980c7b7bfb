"""The pyld processors behind ``nutssim.specs.jsonld``: strict checks, json-gold's RDF, context memo.

``StrictProcessor`` records what expansion drops (JSON-LD 1.1 API §13.4 step 13.2) so strict
processing can refuse it, and processes each distinct context once per loader (the memo of
``jsonld_cache``). ``JsonGoldProcessor`` produces the dataset the reference's json-gold
v0.8.0 produces. Both keep pyld from corrupting the loader's cache through ``@import``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from frozendict import frozendict
from pyld import ContextResolver
from pyld.jsonld import JsonLdProcessor

from nutssim.specs.jsonld_cache import BoundedCache, json_text
from nutssim.specs.jsonld_iri import valid_quad


class StrictProcessor(JsonLdProcessor):
    """A pyld processor that records dropped terms and keeps the expanded form it produced."""

    def __init__(self, *, memo: bool = False) -> None:
        # memo: the document holds only JSON types, so its contexts' JSON text identifies them.
        self.memo = memo
        self.dropped: list[str] = []
        self.expanded: list[dict[str, Any]] = []
        super().__init__(on_property_dropped=self._dropped)

    def _dropped(self, term: str | None) -> None:
        # pyld reports the expanded key: None for a term mapped to null or a keyword look-alike.
        self.dropped.append(term if term is not None else "(a term mapped to null or a keyword look-alike)")

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        """pyld's context processing (JSON-LD 1.1 API §4.1), done once per loader for each input.

        The result is a pure function of the (immutable, once processed) active context, the
        local context, the flags and the options, so it is kept in the loader's memo. pyld's
        own cache misses here: it keys by a fresh id given to each cloned context.
        """
        flags = (override_protected, propagate, validate_scoped, cycles)
        memo = _processed_memo(options) if self.memo else None
        text = json_text(local_ctx) if memo is not None else None
        if _imports(local_ctx, text):
            # pyld merges the local context into the *cached* imported document and caches
            # that merge as a processed context (API §4.1.2 step 5.6): a hostile document
            # would change, or break with a KeyError, every later use of the imported URL.
            # A resolver of its own for this call keeps the loader's cache untouched.
            isolated = {**options, "contextResolver": ContextResolver({}, options["documentLoader"])}
            return super()._process_context(active_ctx, local_ctx, isolated, *flags)
        if memo is None or text is None or not _is_frozen(active_ctx) or cycles:
            return super()._process_context(active_ctx, local_ctx, options, *flags)
        settings = (options.get("base"), options.get("processingMode"))
        key = (active_ctx["_uuid"], text, override_protected, propagate, validate_scoped, *settings)
        processed = memo.get(key)
        if processed is None:
            processed = super()._process_context(active_ctx, local_ctx, options, *flags)
            if isinstance(processed, frozendict):  # a fresh mutable clone is never shared
                memo[key] = processed
        return processed

    def expand(self, input_: Any, options: Any) -> Any:
        """Expand as pyld does, remembering the result for the strict check."""
        self.expanded = super().expand(input_, options)
        return self.expanded

    def strict_problems(self) -> list[str]:
        """The dropped terms and relative IRIs strict processing refuses, sorted."""
        return sorted(set(self.dropped) | set(relative_iris(self.expanded)))


class JsonGoldProcessor(StrictProcessor):
    """pyld producing the RDF dataset json-gold v0.8.0 produces.

    json-gold ``ld/rdf_dataset.go GraphToRDF`` hands each ``@type`` value (a bare string
    in the node map) to ``ld/node.go objectToRDF``, whose string branch returns an IRI
    without the relative-IRI check its node-object branch has: ``{"type": "Foo"}`` with
    ``Foo`` undefined becomes ``<s> rdf:type <Foo>``. pyld's ``_object_to_rdf`` skips
    every relative IRI object (JSON-LD 1.1 API §8.2 step 3), so only that branch differs.
    """

    def _graph_to_rdf(self, graph: Any, issuer: Any, options: Any) -> Any:
        """pyld's triples less those ``GraphToRDF``'s final ``Quad.Valid`` pass drops.

        json-gold drops a quad with an http(s) IRI its URL check refuses or a malformed
        language tag (``ld/rdf_dataset.go GraphToRDF``, ``InvalidNode``); pyld keeps it.
        A named graph's own IRI is not checked here (pyld does not pass the name down).
        """
        return [t for t in super()._graph_to_rdf(graph, issuer, options) if valid_quad(t)]

    def _object_to_rdf(self, item: Any, issuer: Any, triples: Any, options: Any) -> Any:
        if isinstance(item, str) and not item.startswith("_:"):
            return {"type": "IRI", "value": item}
        return super()._object_to_rdf(item, issuer, triples, options)


def _processed_memo(options: Mapping[str, Any]) -> BoundedCache | None:
    """The processed-context memo of the loader in ``options`` (none when it does not cache)."""
    loader = options.get("documentLoader")
    memo = getattr(loader, "_processed", None) if getattr(loader, "cache", False) else None
    return memo if isinstance(memo, BoundedCache) else None


def _is_frozen(active_ctx: Any) -> bool:
    # pyld freezes every context it has finished processing (and its initial ones).
    return isinstance(active_ctx, frozendict) and isinstance(active_ctx.get("_uuid"), str)


def _imports(local_ctx: Any, text: str | None) -> bool:
    """Whether ``local_ctx`` may hold an ``@import`` anywhere (over-approximated: fine)."""
    if text is not None:
        return '"@import"' in text
    stack = [local_ctx]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            if "@import" in item:
                return True
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def relative_iris(node: Any) -> Iterator[str]:
    """Yield node ids and types in expanded JSON-LD that are not absolute IRIs or blank nodes."""
    if isinstance(node, list):
        for item in node:
            yield from relative_iris(item)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        datatype = node.get("@type")
        if isinstance(datatype, str) and datatype != "@json" and not is_absolute(datatype):
            yield datatype
        return
    node_id = node.get("@id")
    if isinstance(node_id, str) and not is_absolute(node_id):
        yield node_id
    for value in node.get("@type", []):
        if isinstance(value, str) and not is_absolute(value):
            yield value
    for key, value in node.items():
        if key not in ("@id", "@type"):
            yield from relative_iris(value)


def is_absolute(iri: str) -> bool:
    """Whether ``iri`` has an RFC 3987 §5.1 scheme, or is a blank node identifier (JSON-LD 1.1 §3.1)."""
    scheme, sep, _ = iri.partition(":")
    if not sep:
        return False
    return scheme == "_" or (scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme))
