"""Build the course's static JupyterLite edition into build/lite/ (``make lite``; issue #26).

Everything the site serves is fetched from the package registries only (PyPI with pip, npm with
``npm pack``) into a cache directory, then copied into the site: the Pyodide runtime under
``static/pyodide/``, every wheel beside it, and a ``pyodide-lock.json`` that lists exactly those
wheels, so the kernel never asks a CDN for anything. The versions are in ``pins.toml``.

    python tools/lite/build.py            # build build/lite/ (cache: build/lite-cache/)
    python tools/lite/build.py --pins     # the build tools' requirements, for pip (the Makefile)

Serve it with ``python -m http.server -d build/lite`` (or put the folder on any static host).
"""

from __future__ import annotations

import argparse
import email.parser
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PINS = tomllib.loads((HERE / "pins.toml").read_text(encoding="utf-8"))
#: The Pyodide runtime files the site needs from the npm package (not its docs or type stubs).
RUNTIME = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "package.json")
#: Under which the browser's ``Requires-Dist`` markers are evaluated.
BROWSER = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": PINS["pyodide"]["python"],
    "python_full_version": PINS["pyodide"]["python"] + ".0",
}


def run(*command: str | Path, cwd: Path | None = None) -> None:
    """Run a command, echoing it; a failure stops the build."""
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, cwd=cwd)


def pyodide_runtime(cache: Path) -> Path:
    """The npm package ``pyodide`` unpacked in the cache (``npm pack`` fetches it once)."""
    version = PINS["pyodide"]["npm"]
    unpacked = cache / f"pyodide-{version}"
    if not (unpacked / "pyodide.asm.wasm").exists():
        tarball = cache / f"pyodide-{version}.tgz"
        if not tarball.exists():
            run("npm", "pack", f"pyodide@{version}", "--pack-destination", cache)
        with tarfile.open(tarball) as archive:
            archive.extractall(cache / "npm", filter="data")
        shutil.rmtree(unpacked, ignore_errors=True)
        (cache / "npm" / "package").rename(unpacked)
    return unpacked


def registry_wheels(cache: Path) -> list[Path]:
    """The pinned wheels for the browser's platform, from PyPI (pip skips those already cached)."""
    target = cache / "wheels"
    pyodide = PINS["pyodide"]
    wanted = [f"{name}=={version}" for name, version in PINS["wheels"].items()]
    run(
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--platform", pyodide["platform"], "--platform", "any",
        "--python-version", pyodide["python"], "--implementation", "cp",
        "--abi", pyodide["abi"], "--abi", "none", "--dest", target, *wanted,
    )  # fmt: skip
    return [w for w in target.glob("*.whl") if _dist(w) in {canonicalize_name(n) for n in PINS["wheels"]}]


def local_wheels(cache: Path) -> list[Path]:
    """nutssim built from this checkout, and the stand-ins of tools/lite/standins/."""
    target = cache / "local"
    shutil.rmtree(target, ignore_errors=True)
    sources = [ROOT, *(HERE / "standins" / name for name in PINS["standins"])]
    for source in sources:
        run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", target, source)
    return sorted(target.glob("*.whl"))


def _dist(wheel: Path) -> str:
    """The canonical distribution name in a wheel's file name."""
    return canonicalize_name(wheel.name.split("-")[0])


def metadata(wheel: Path) -> tuple[email.message.Message, list[str]]:
    """A wheel's METADATA and its top-level import names."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(archive.read(info).decode("utf-8"))
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    return meta, sorted(t.removesuffix(".py") for t in tops if "." not in t.removesuffix(".py"))


def depends(meta: email.message.Message) -> list[str]:
    """The distributions a wheel needs in the browser (its ``Requires-Dist`` without extras)."""
    found = []
    for line in meta.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({**BROWSER, "extra": ""}):
            found.append(canonicalize_name(requirement.name))
    return sorted(set(found))


def lock(runtime: Path, wheels: list[Path]) -> dict[str, Any]:
    """A pyodide-lock.json listing exactly ``wheels`` (file names relative to the lock)."""
    served = {_dist(w) for w in wheels}
    absent = {canonicalize_name(n) for n in (*PINS["absent"], *PINS["provided"])}
    packages = {}
    for wheel in sorted(wheels):
        meta, imports = metadata(wheel)
        needs = depends(meta)
        missing = set(needs) - served - absent
        if missing:
            raise SystemExit(f"{wheel.name} needs {sorted(missing)}: pin them in tools/lite/pins.toml")
        packages[_dist(wheel)] = {
            "name": _dist(wheel),
            "version": meta["Version"],
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "package_type": "package",
            "imports": imports,
            # Absent ones are left out: loading nutssim must not ask for numpy that is not there.
            "depends": [n for n in needs if n in served],
            "unvendored_tests": False,
            "shared_library": False,
        }
    info = json.loads((runtime / "pyodide-lock.json").read_text(encoding="utf-8"))["info"]
    return {"info": info, "packages": packages}


#: The Pyodide kernel's settings: the local runtime, no PyPI fallback, nutssim loaded at start.
KERNEL = {
    "pyodideUrl": "./static/pyodide/pyodide.mjs",
    "disablePyPIFallback": True,
    "loadPyodideOptions": {"packages": ["nutssim"]},
}

#: JupyterLab settings of the site: no news or update checks (they would ask the internet), and
#: every cell kept in the page (the course's notebooks are short; a trainer scrolls freely).
SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def configure(site: Path) -> None:
    """Merge the kernel settings into the built jupyter-lite.json (after piplite wrote its own)."""
    path = site / "jupyter-lite.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    data = config["jupyter-config-data"]
    data["appName"] = "nutssim"
    data["exposeAppInBrowser"] = True  # window.jupyterapp: tests/browser/test_lite.py drives the site by it
    plugins = data.setdefault("litePluginSettings", {})
    plugins.setdefault("@jupyterlite/pyodide-kernel-extension:kernel", {}).update(KERNEL)
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def build(output: Path, cache: Path) -> None:
    """The whole site: JupyterLite with the notebooks, then the runtime, the wheels and the lock."""
    started = time.monotonic()
    cache.mkdir(parents=True, exist_ok=True)
    runtime = pyodide_runtime(cache)
    wheels = registry_wheels(cache) + local_wheels(cache)
    lite_dir = cache / "lite-dir"  # nothing but the settings below goes in besides the notebooks
    lite_dir.mkdir(exist_ok=True)
    (lite_dir / "overrides.json").write_text(json.dumps(SETTINGS, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(output, ignore_errors=True)
    run(
        sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", lite_dir,
        "--contents", ROOT / "notebooks", "--output-dir", output, cwd=cache,
    )  # fmt: skip
    configure(output)
    static = output / "static" / "pyodide"
    static.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME:
        shutil.copy2(runtime / name, static / name)
    for wheel in wheels:
        shutil.copy2(wheel, static / wheel.name)
    (static / "pyodide-lock.json").write_text(json.dumps(lock(runtime, wheels), indent=1) + "\n")
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    took = time.monotonic() - started
    print(f"built {output} in {took:.0f} s: {size / 2**20:.1f} MiB, {len(wheels)} wheels")
    print(f"serve it: python -m http.server -d {output}")


def main() -> None:
    """Build the site, or print the build tools' pinned requirements (``--pins``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "lite")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "lite-cache")
    parser.add_argument("--pins", action="store_true", help="print the build tools' requirements")
    args = parser.parse_args()
    if args.pins:
        tools = PINS["jupyterlite"]
        print(f"jupyterlite-core=={tools['core']} jupyterlite-pyodide-kernel=={tools['pyodide-kernel']}")
        return
    build(args.output.resolve(), args.cache.resolve())


if __name__ == "__main__":
    main()
