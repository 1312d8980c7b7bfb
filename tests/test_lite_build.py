"""The browser edition's build script (tools/lite/build.py), without a browser (issue #26 item 5).

The pieces that need no network run always: the pins, the lock generator over hand-made wheels,
the kernel settings, the stand-ins. The checks of a built site (every wheel it serves is in its
lock and the other way round; no http(s) address outside 127.0.0.1 in its configuration) run
where build/lite/ exists (``make lite``) and skip, saying so, where it does not.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.reference_data import ROOT

SITE = ROOT / "build" / "lite"
TOOLS = ROOT / "tools" / "lite"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build = _load("nutssim_lite_build", TOOLS / "build.py")
rpds = _load("nutssim_lite_rpds", TOOLS / "standins" / "rpds-py" / "rpds" / "__init__.py")


def _wheel(folder: Path, name: str, version: str, requires: list[str], tops: list[str]) -> Path:
    """A minimal wheel with METADATA ``Requires-Dist`` lines and the given top-level modules."""
    path = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name.replace('-', '_')}-{version}.dist-info/METADATA", meta)
        for top in tops:
            archive.writestr(f"{top}/__init__.py" if "." not in top else top, "")
    return path


def test_pins_name_exact_versions_and_every_absent_requirement_says_why():
    pins = build.PINS
    assert all(re.fullmatch(r"[0-9][0-9a-z.]*", v) for v in pins["wheels"].values())
    assert pins["pyodide"]["platform"].startswith("pyemscripten_") and pins["pyodide"]["abi"] == "cp314"
    assert all(reason for reason in pins["absent"].values())
    # The build tools' pins are what `make lite` installs.
    assert build.PINS["jupyterlite"]["core"] == build.PINS["jupyterlite"]["pyodide-kernel"] == "0.8.6"


def test_the_makefile_builds_with_the_pinned_tools():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "tools/lite/build.py --pins" in text and re.search(r"^lite: ", text, flags=re.MULTILINE)


def test_the_lock_lists_each_wheel_with_its_browser_dependencies(tmp_path):
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "pyodide-lock.json").write_text(json.dumps({"info": {"abi_version": "2026_0"}}))
    requires = ["pydantic>=2.6", "numpy>=1.26", "cryptography>=45; sys_platform != 'emscripten'"]
    wheels = [
        _wheel(tmp_path, "nutssim", "0.1.0", [*requires, "pytest; extra == 'dev'"], ["nutssim"]),
        _wheel(tmp_path, "pydantic", "2.14.4", [], ["pydantic"]),
        _wheel(tmp_path, "typing-extensions", "4.16.0", [], ["typing_extensions.py"]),
    ]
    lock = build.lock(runtime, wheels)
    assert lock["info"] == {"abi_version": "2026_0"}
    assert sorted(lock["packages"]) == ["nutssim", "pydantic", "typing-extensions"]
    nutssim = lock["packages"]["nutssim"]
    # numpy is absent (pins.toml says why) and left out; cryptography's marker is false in the browser.
    assert nutssim["depends"] == ["pydantic"] and nutssim["imports"] == ["nutssim"]
    assert nutssim["file_name"] == "nutssim-0.1.0-py3-none-any.whl" and len(nutssim["sha256"]) == 64
    assert lock["packages"]["typing-extensions"]["imports"] == ["typing_extensions"]


def test_a_wheel_needing_an_unpinned_package_stops_the_build(tmp_path):
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "pyodide-lock.json").write_text(json.dumps({"info": {}, "packages": {}}))
    wheel = _wheel(tmp_path, "thing", "1.0", ["left-pad>=1"], ["thing"])
    with pytest.raises(SystemExit, match=r"thing-1.0-py3-none-any.whl needs \['left-pad'\]"):
        build.lock(runtime, [wheel])


def test_the_kernel_loads_the_local_pyodide_with_nutssim_and_never_falls_back_to_pypi():
    assert build.KERNEL["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert build.KERNEL["disablePyPIFallback"] is True
    assert build.KERNEL["loadPyodideOptions"] == {"packages": ["nutssim"]}


def test_the_rpds_standin_is_persistent():
    empty = rpds.HashTrieMap()
    one = empty.insert("a", 1)
    assert dict(empty) == {} and dict(one) == {"a": 1} and one.discard("b") is one
    assert dict(one.update({"b": 2}).remove("a")) == {"b": 2}
    assert rpds.HashTrieMap.convert(one) is one and rpds.HashTrieMap.convert({"x": 1}) == {"x": 1}
    with pytest.raises(KeyError):
        one.remove("zz")
    s = rpds.HashTrieSet().insert("u")
    assert s.insert("v") == {"u", "v"} and s == {"u"} and s.discard("u") == set()
    chain = rpds.List().push_front("b").push_front("a")
    assert list(chain) == ["a", "b"] and chain.first == "a" and list(chain.rest) == ["b"]


def _site() -> Path:
    if not (SITE / "static" / "pyodide" / "pyodide-lock.json").exists():
        pytest.skip("no build/lite/ (run `make lite` to build the browser edition)")
    return SITE


def test_the_built_lock_lists_exactly_the_wheels_the_site_serves():
    static = _site() / "static" / "pyodide"
    lock = json.loads((static / "pyodide-lock.json").read_text(encoding="utf-8"))
    served = {p.name for p in static.glob("*.whl")}
    assert {p["file_name"] for p in lock["packages"].values()} == served
    for package in lock["packages"].values():
        assert set(package["depends"]) <= set(lock["packages"]), package["name"]
    assert "nutssim" in lock["packages"] and "pydantic-core" in lock["packages"]


def test_no_configuration_of_the_built_site_names_an_address_outside_127_0_0_1():
    site = _site()
    # What tells the site where to load from: the app's and the kernel's configuration, piplite's
    # index, Pyodide's lock (not the settings schemas, whose "$schema" names are never fetched).
    configs = [
        *site.rglob("jupyter-lite.json"),
        *site.glob("extensions/**/pypi/all.json"),
        site / "static" / "pyodide" / "pyodide-lock.json",
    ]
    for path in configs:
        text = path.read_text(encoding="utf-8")
        urls = {u for u in re.findall(r"https?://[^\s\"']+", text) if not u.startswith("http://127.0.0.1")}
        assert urls == set(), f"{path.relative_to(site)}: {sorted(urls)[:5]}"
    kernel = json.loads((site / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]
    settings = kernel["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert settings["pyodideUrl"] == "./static/pyodide/pyodide.mjs" and settings["disablePyPIFallback"]
