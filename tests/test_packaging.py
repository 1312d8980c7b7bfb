"""Packaging: the declared dependencies are what the package imports, and conda mirrors them."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.reference_data import ROOT

PACKAGE = ROOT / "nutssim"
#: Import names whose distribution name differs and that packages_distributions may not map
#: (an environment without them installed still has to pass).
KNOWN_DISTRIBUTIONS = {
    "yaml": "pyyaml",
    "jsonpath": "python-jsonpath",
    "PIL": "pillow",
    "IPython": "ipython",
    "distributed": "dask",
}


def _name(requirement: str) -> str:
    """``"cryptography>=44; sys_platform != 'emscripten'"`` → ``cryptography``; ``dask[x]`` → ``dask``."""
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def imported_modules() -> set[str]:
    """Top-level third-party modules any package file imports (at module level or inside a function)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "nutssim"}


def distribution_of(module: str) -> str:
    """The distribution that provides ``module``."""
    if module in KNOWN_DISTRIBUTIONS:
        return KNOWN_DISTRIBUTIONS[module]
    names = packages_distributions().get(module, [module])
    return names[0].lower()


def test_runtime_dependencies_are_exactly_what_the_package_imports():
    extras = {_name(r) for reqs in _project()["optional-dependencies"].values() for r in reqs}
    declared = {_name(r) for r in _project()["dependencies"]}
    imported = {distribution_of(m) for m in imported_modules()}
    assert imported - declared - extras == set(), "imported but not declared"
    assert declared - imported == set(), "declared but never imported (move it to an extra)"


def test_the_lab_front_end_is_an_extra_the_make_targets_install():
    assert "jupyterlab" not in {_name(r) for r in _project()["dependencies"]}
    assert "jupyterlab" in {_name(r) for r in _project()["optional-dependencies"]["lab"]}
    assert "'.[lab,dev]'" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_environment_yml_mirrors_every_lower_bound():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\s+- ([A-Za-z0-9_.-]+)(>=[^\s#]+)", text, flags=re.MULTILINE))
    listed = {k.lower(): v for k, v in listed.items()}
    project = _project()
    extras = [r for reqs in project["optional-dependencies"].values() for r in reqs]
    every = [*project["dependencies"], *extras]
    for requirement in every:
        name = _name(requirement)
        bound = re.search(r">=[0-9][^\s;,]*", requirement)
        conda = "dask" if name == "dask" else name
        assert conda in listed, f"{name} is not in environment.yml"
        wanted = bound[0] if bound else "no lower bound"
        assert listed[conda] == wanted, f"{name}: environment.yml {listed[conda]}, pyproject.toml {wanted}"
