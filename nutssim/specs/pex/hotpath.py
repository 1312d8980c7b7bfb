"""One closure per constraint field for the matcher's inner loop (``CompiledDescriptor.passes``).

A wallet of 100,000 credentials runs every field's check up to 100,000 times per
descriptor, so the common shape — one singular path (names and indexes only) and a
filter — is compiled into a closure that walks the keys and calls the filter's predicate
directly, with the semantics' switches fixed at compile time. It answers exactly what
``CompiledField.evaluate(document)[0]`` answers; every other shape falls back to that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nutssim.specs.pex.filters import CompiledFilter
    from nutssim.specs.pex.paths import CompiledPath
    from nutssim.specs.pex.semantics import Semantics

Check = Callable[[Any], bool]
_ABSENT: Any = object()


def field_check(
    paths: tuple[CompiledPath, ...],
    filter: CompiledFilter | None,
    optional: bool,
    semantics: Semantics,
    fallback: Check,
) -> Check:
    """Whether a document passes the field: a specialised closure, or ``fallback``."""
    if len(paths) != 1 or paths[0].keys is None or filter is None:
        return fallback
    keys = paths[0].keys
    accepts = filter.accepts
    elements = filter.array_elements
    if filter.reference is not None:  # matchFilter reads arrays itself (and may raise FilterError)
        reference = filter.reference
        accepts, elements = (lambda v: reference(v)[0]), False
    null_absent = semantics.null_is_absent
    # A refused value fails the field unless the semantics let `optional` excuse it too.
    refused = optional and not semantics.optional_absence_only

    def check(document: Any) -> bool:
        node = document
        for key in keys:
            if key.__class__ is str:
                if node.__class__ is not dict:
                    return optional
                node = node.get(key, _ABSENT)
                if node is _ABSENT:
                    return optional
            elif node.__class__ is not list or not -len(node) <= key < len(node):  # type: ignore[operator]
                return optional
            else:
                node = node[key]  # type: ignore[index]  # an int here: str keys took the branch above
        if node is None and null_absent:
            return optional
        if accepts(node):
            return True
        if elements and node.__class__ is list:
            for element in node:
                if accepts(element):
                    return True
        return refused

    return check
