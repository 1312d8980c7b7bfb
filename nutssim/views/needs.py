"""``%%needs PACKAGE …``: a notebook cell that runs only where its packages can be imported.

The browser edition (Pyodide) has no wheel of some packages (``regopy`` for Rego, ``cryptography``
for X.509); a course cell that needs one says so on its first line and, there, prints what it
left out instead of failing. Where the packages exist the cell runs as any other, errors included.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


def missing(packages: list[str]) -> list[str]:
    """The names in ``packages`` that cannot be imported here."""
    absent = []
    for package in packages:
        try:
            import_module(package)
        except ImportError:
            absent.append(package)
    return absent


def needs(line: str, cell: str) -> Any:
    """The cell magic: run ``cell`` unless a package named on ``line`` is missing, then say so."""
    from IPython import get_ipython

    absent = missing(line.split())
    if absent:
        print(f"left out here: this cell needs {', '.join(absent)}, which this Python lacks (CPython only)")
        return None
    result = get_ipython().run_cell(cell, store_history=False)
    result.raise_error()  # a failing cell fails as it would without the magic (nbval sees it)
    return None


def enable() -> None:
    """Register ``%%needs`` in the running IPython (a no-op outside IPython)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(needs, "cell", "needs")
