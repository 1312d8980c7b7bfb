"""Trace digests of every scenario, in CPython and in the built site's Pyodide (issue #26 item 3).

The digest is the sha256 of what ``nutssim run NAME --profile P --seed S --format json`` writes
(as in tests/test_crypto_backends.py), for every scenario under every profile. This script computes
it here with ``cryptography``, in a child interpreter with the pure-Python backend
(``NUTSSIM_CRYPTO=pure``), and in Node.js with the Pyodide runtime, wheels and lock of build/lite/
(``make lite`` first); it prints one line per scenario and profile: ``same`` or what differs.

    python tools/lite/digests.py [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYODIDE = ROOT / "build" / "lite" / "static" / "pyodide"
#: Runs in either interpreter: {scenario: [sha256, exit code] or [None, the exception]}.
DIGESTS = """
import contextlib, hashlib, io, json, tempfile, os
from nutssim import cli, scenarios

def digests(seed):
    found = {}
    folder = tempfile.mkdtemp()
    for name in [f"{n} {p}" for n in scenarios.names() for p in ("nuts-node", "nuts-node-gf", "strict")]:
        scenario, profile = name.split()
        out, said = os.path.join(folder, name.replace(" ", "_") + ".json"), io.StringIO()
        try:
            with contextlib.redirect_stderr(said):
                argv = ["run", scenario, "--profile", profile, "--seed", str(seed), "--format", "json"]
                code = cli.main([*argv, "--out", out])
        except BaseException as exc:  # noqa: BLE001  (a scenario that cannot run here)
            code, said = None, io.StringIO(f"{type(exc).__name__}: {exc}")
        if os.path.exists(out):
            with open(out, "rb") as f:
                found[name] = [hashlib.sha256(f.read()).hexdigest(), code]
        else:  # nothing written: why, in the command's own last words
            found[name] = [None, f"exit {code}: " + (said.getvalue().strip().splitlines() or [""])[-1][:200]]
    return found
"""
#: Node.js: load Pyodide from the site with nutssim, run DIGESTS, print its JSON on the last line.
NODE = """
import { loadPyodide } from "%(pyodide)s/pyodide.mjs";
const py = await loadPyodide({ indexURL: "%(pyodide)s/", packages: ["nutssim"] });
py.runPython(%(code)s);
console.log(py.runPython("json.dumps(digests(%(seed)d))"));
"""


def in_cpython(seed: int) -> dict[str, list[object]]:
    """The digests in this interpreter."""
    scope: dict[str, object] = {}
    exec(DIGESTS, scope)  # the very code Pyodide runs
    return scope["digests"](seed)  # type: ignore[operator, no-any-return]


def in_pure_backend(seed: int) -> dict[str, list[object]]:
    """The digests in a child CPython on the pure-Python crypto backend."""
    code = DIGESTS + f"\nprint(json.dumps(digests({seed})))"
    env = {**os.environ, "NUTSSIM_CRYPTO": "pure"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode:
        raise SystemExit(f"the pure-backend run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def in_pyodide(seed: int) -> dict[str, list[object]]:
    """The digests in Pyodide under Node.js, from the built site."""
    script = NODE % {"pyodide": PYODIDE.as_posix(), "code": json.dumps(DIGESTS), "seed": seed}
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=1800
    )
    if done.returncode:
        raise SystemExit(f"node failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    """Compare, scenario by scenario; exit 1 if any scenario that runs in both differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    seed = parser.parse_args().seed
    if not (PYODIDE / "pyodide-lock.json").exists():
        raise SystemExit("no build/lite/: run `make lite` first")
    here, pure, there = in_cpython(seed), in_pure_backend(seed), in_pyodide(seed)
    differ = 0
    for name in sorted(here):
        verdict, bad = _verdict(
            here[name], pure.get(name, [None, "missing"]), there.get(name, [None, "missing"])
        )
        differ += bad
        print(f"{name:45} {verdict}")
    sys.exit(1 if differ else 0)


def _verdict(here: list[object], pure: list[object], there: list[object]) -> tuple[str, bool]:
    """One line for a scenario and profile, and whether two interpreters that ran it disagree."""
    ran = {k: v for k, v in (("cryptography", here), ("pure", pure), ("pyodide", there)) if v[0] is not None}
    if len({tuple(v) for v in ran.values()}) > 1:
        return "DIFFERS: " + "; ".join(f"{k} {v[0]} exit {v[1]}" for k, v in ran.items()), True
    if not ran:
        return f"runs in none: CPython {here[1]}; Pyodide {there[1]}", False
    digest, code = next(iter(ran.values()))
    left = [
        f"not in {k}: {v[1]}"
        for k, v in (("cryptography", here), ("pure", pure), ("pyodide", there))
        if v[0] is None
    ]
    return f"same in {', '.join(ran)} ({str(digest)[:12]}…, exit {code})" + (
        "; " + "; ".join(left) if left else ""
    ), False


if __name__ == "__main__":
    main()
