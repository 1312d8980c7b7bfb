"""Persistent HashTrieMap, HashTrieSet and List, copy on write, for the browser edition.

The same interface as rpds-py's, as far as referencing and jsonschema use it: every "update"
returns a new object and leaves the old one as it was. Copies cost O(n); the registries these
packages keep are small.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = ["HashTrieMap", "HashTrieSet", "List"]


class HashTrieMap(Mapping):
    """An immutable mapping whose ``insert``/``remove``/``update`` return a new map."""

    __slots__ = ("_d",)

    def __init__(self, value: Any = (), **kwds: Any) -> None:
        self._d = dict(value, **kwds)

    @classmethod
    def convert(cls, value: Any) -> HashTrieMap:
        """``value`` itself if it already is a HashTrieMap, else a new one from it."""
        return value if isinstance(value, cls) else cls(value)

    @classmethod
    def fromkeys(cls, keys: Iterable[Any], value: Any = None) -> HashTrieMap:
        """A map of every key to ``value``."""
        return cls(dict.fromkeys(keys, value))

    def __getitem__(self, key: Any) -> Any:
        return self._d[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __hash__(self) -> int:
        return hash(frozenset(self._d.items()))

    def __repr__(self) -> str:
        return f"HashTrieMap({self._d!r})"

    def insert(self, key: Any, value: Any) -> HashTrieMap:
        """A new map with ``key`` set to ``value``."""
        return HashTrieMap({**self._d, key: value})

    def remove(self, key: Any) -> HashTrieMap:
        """A new map without ``key`` (KeyError when it is absent)."""
        d = dict(self._d)
        del d[key]
        return HashTrieMap(d)

    def discard(self, key: Any) -> HashTrieMap:
        """A new map without ``key`` (no error when it is absent)."""
        return self.remove(key) if key in self._d else self

    def update(self, *maps: Any, **kwds: Any) -> HashTrieMap:
        """A new map with the items of ``maps`` and ``kwds`` added."""
        d = dict(self._d)
        for each in maps:
            d.update(each)
        d.update(kwds)
        return HashTrieMap(d)


class HashTrieSet(frozenset):
    """An immutable set whose ``insert``/``remove``/``discard``/``update`` return a new set."""

    __slots__ = ()

    def insert(self, value: Any) -> HashTrieSet:
        """A new set with ``value`` in it."""
        return HashTrieSet((*self, value))

    def remove(self, value: Any) -> HashTrieSet:
        """A new set without ``value`` (KeyError when it is absent)."""
        if value not in self:
            raise KeyError(value)
        return self.discard(value)

    def discard(self, value: Any) -> HashTrieSet:
        """A new set without ``value``."""
        return HashTrieSet(v for v in self if v != value)

    def update(self, *iterables: Iterable[Any]) -> HashTrieSet:
        """A new set with every value of ``iterables`` added."""
        return HashTrieSet(self.union(*iterables))


class List:
    """An immutable singly linked list: ``push_front`` and ``rest`` return new lists."""

    __slots__ = ("_t",)

    def __init__(self, *values: Any) -> None:
        # rpds.List(iterable) and rpds.List(a, b, c) both build a list.
        if len(values) == 1 and not isinstance(values[0], (str, bytes)) and hasattr(values[0], "__iter__"):
            values = tuple(values[0])
        self._t: tuple[Any, ...] = tuple(values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._t)

    def __len__(self) -> int:
        return len(self._t)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, List) and self._t == other._t

    def __hash__(self) -> int:
        return hash(self._t)

    def __repr__(self) -> str:
        return f"List({list(self._t)!r})"

    @property
    def first(self) -> Any:
        """The first element (IndexError on an empty list)."""
        return self._t[0]

    @property
    def rest(self) -> List:
        """The list without its first element."""
        return List(self._t[1:])

    def push_front(self, value: Any) -> List:
        """A new list with ``value`` in front."""
        return List((value, *self._t))

    def drop_first(self) -> List:
        """The list without its first element (IndexError on an empty list)."""
        if not self._t:
            raise IndexError("empty list")
        return self.rest
