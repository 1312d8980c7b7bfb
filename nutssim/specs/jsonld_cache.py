"""The bounded caches behind ``nutssim.specs.jsonld``: what is kept, under which key, and how much.

Three things are cached, each in an LRU private to one ``OfflineLoader`` (whose contexts are
fixed, so "the contexts" are part of every key through the loader itself):

- resolved context documents (pyld's ``ContextResolver``), ``MAX_CACHED_CONTEXTS``;
- processed active contexts, ``MAX_PROCESSED_CONTEXTS``: JSON-LD 1.1 API §4.1 context
  processing is a pure function of the active context (immutable in pyld once processed),
  the local context and the processing options, so a repeated ``@context`` or type-scoped
  context is processed once (pyld keys its own cache by a fresh id per clone, so it misses);
- canonical N-Quads, ``MAX_CACHED_CANONICAL``: URDNA2015 output is a pure function of the
  document, the contexts, the processing mode and strictness, so it is kept by a SHA-256 of
  the document's exact JSON text with those. Only successes are kept; the size bounds are
  part of the key and the cheap ones run before the look-up.

Signature *verification* results are never cached (issue #23: a verifier must not be
cheaper than a real one); only the signature-independent transformation is.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from nutssim.limits import MAX_CACHED_CANONICAL as MAX_CACHED_CANONICAL  # re-exported
from nutssim.limits import MAX_CACHED_CONTEXTS as MAX_CACHED_CONTEXTS
from nutssim.limits import MAX_PROCESSED_CONTEXTS as MAX_PROCESSED_CONTEXTS

#: Bound on resolved contexts kept per loader: inline contexts come from documents
#: received over the wire, so an attacker must not be able to grow the cache without end.
#: Bound on processed active contexts kept per loader (a Nuts VP needs about 30).
#: Bound on canonical N-Quads kept per loader (each a few kB: about 4 MB at most).


class BoundedCache:
    """A small thread-safe LRU mapping (``get`` and item assignment, as pyld's ContextResolver uses)."""

    def __init__(self, maxsize: int) -> None:
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        """Return the entry for ``key`` and mark it recently used."""
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def json_text(context: Any) -> str | None:
    """The exact JSON text of a local context, or ``None`` if it holds a non-JSON value.

    The document it came from must have been checked to hold only JSON types
    (``jsonld._check_json_size``): ``json`` writes a tuple as a list, which pyld does not
    treat alike. Key order is kept; it only makes two equal contexts two entries.
    """
    try:
        return json.dumps(context, ensure_ascii=False, separators=(",", ":"), default=_not_json)
    except (TypeError, ValueError):
        return None


def _not_json(value: object) -> Any:
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical_key(text: str, *parts: object) -> tuple[object, ...]:
    """The canonical cache key: SHA-256 of the document's JSON text, with the processing settings."""
    return (hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest(), *parts)
