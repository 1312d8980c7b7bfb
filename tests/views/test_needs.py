"""``%%needs``: a course cell that needs a package runs where it exists, says so where it does not."""

from __future__ import annotations

import sys

import pytest
from IPython.testing.globalipapp import get_ipython

from nutssim.views.needs import enable, missing


@pytest.fixture(scope="module")
def shell():  # type: ignore[no-untyped-def]
    ip = get_ipython()
    enable()
    return ip


def test_missing_names_only_what_cannot_be_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "regopy", None)  # as in Pyodide: the import fails
    assert missing(["json", "regopy", "no_such_package_here"]) == ["regopy", "no_such_package_here"]


def test_a_cell_runs_where_its_packages_exist(shell, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    shell.run_cell_magic("needs", "json", "ran_here = 6 * 7\nprint('ran', ran_here)")
    assert shell.user_ns["ran_here"] == 42 and "ran 42" in capsys.readouterr().out


def test_a_cell_is_left_out_where_a_package_is_missing(shell, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    shell.run_cell_magic("needs", "no_such_package_here", "left = 1")
    assert "left" not in shell.user_ns
    said = capsys.readouterr().out
    expected = "left out here: this cell needs no_such_package_here, which this Python lacks (CPython only)"
    assert said.strip() == expected


def test_a_failing_cell_still_fails(shell) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ZeroDivisionError):
        shell.run_cell_magic("needs", "json", "1 / 0")
