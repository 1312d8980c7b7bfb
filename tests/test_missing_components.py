"""A scenario whose component cannot be imported (as in the browser) refuses in one line (issue #24)."""

from __future__ import annotations

import pytest

from tests.test_crypto_backends import _child

# As in Pyodide: a child interpreter where regopy (the rego-cpp runtime) cannot be imported.
_WITHOUT_REGOPY = """
import importlib.abc, sys
class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "regopy":
            raise ImportError(f"No module named {name!r} (blocked)")
        return None
sys.meta_path.insert(0, _Block())
from nutssim import cli
raise SystemExit(cli.main(["run", sys.argv[1]]))
"""


@pytest.mark.parametrize("name", ["s2s-dynamic-scope", "user-dynamic-scope"])
def test_without_regopy_a_rego_scenario_refuses_in_one_line(name: str) -> None:
    done = _child("-c", _WITHOUT_REGOPY, name)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("nutssim: Rego policies need regopy (the rego-cpp runtime)")
    assert "run on CPython only (pip install regopy)" in done.stderr
