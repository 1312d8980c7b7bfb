"""A scenario whose component cannot be imported (as in the browser) refuses in one line (issue #24)."""

from __future__ import annotations

import pytest

from tests.test_crypto_backends import _child

# As in Pyodide: a child interpreter where regopy (the rego-cpp runtime) cannot be imported.
_WITHOUT = """
import importlib.abc, sys
class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == sys.argv[2]:
            raise ImportError(f"No module named {name!r} (blocked)")
        return None
sys.meta_path.insert(0, _Block())
from nutssim import cli
raise SystemExit(cli.main(["run", sys.argv[1]]))
"""


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("s2s-dynamic-scope", "regopy"),
        ("user-dynamic-scope", "regopy"),
        ("s2s-pdp-down", "regopy"),
        ("pilot-eoverdracht", "cryptography"),  # was exit 70 in Pyodide: an import deep in the world
        ("s2s-x509", "cryptography"),
    ],
)
def test_without_its_package_a_scenario_refuses_in_one_line(name: str, package: str) -> None:
    done = _child("-c", _WITHOUT, name, package)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr == (
        f"nutssim: scenario {name!r} needs {package}, which cannot be imported here; "
        f"it runs on CPython (pip install {package})\n"
    )


def test_the_catalogue_names_the_cases_it_cannot_run_here_and_runs_the_rest() -> None:
    code = (
        "import sys; sys.modules['regopy'] = None\n"
        "from nutssim import catalogue\n"
        "left = catalogue.unavailable()\n"
        "runs = catalogue.run_catalogue('strict', flow='s2s', available_only=True)\n"
        "print(len(left), all(i.startswith(('s2s-pdp', 'user-pdp')) or 'scope' in i for i in left),"
        " sum(not r.passed for r in runs), any(r.case.id in left for r in runs))\n"
    )
    done = _child("-c", code)
    count, only_pdp, failures, overlap = done.stdout.split()
    assert int(count) > 0 and only_pdp == "True" and failures == "0" and overlap == "False", done.stderr
