"""The curated public API is pinned (httpx's test_exported_members style)."""

from types import ModuleType

import nutssim


def _isort_key(name: str) -> tuple[int, str]:
    """CONSTANTS, then Classes, then modules and functions, each alphabetically (ruff RUF022)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_exported():
    """``__all__`` is sorted and every name in it resolves."""
    assert nutssim.__all__ == sorted(nutssim.__all__, key=_isort_key)
    for name in nutssim.__all__:
        assert getattr(nutssim, name) is not None


def test_public_names_are_exactly_all():
    """No public non-module attribute sneaks in besides ``__all__`` (submodules appear as imported)."""
    public = {n for n, v in vars(nutssim).items() if not n.startswith("_") and not isinstance(v, ModuleType)}
    assert public - {"annotations", "Any"} - set(nutssim.__all__) == set()
