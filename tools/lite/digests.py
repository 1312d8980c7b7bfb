"""Trace digests of every scenario, in CPython and in the built site's Pyodide (issue #26 item 3).

The digest is the sha256 of what ``nutssim run NAME --seed S --format json`` writes (as in
tests/test_crypto_backends.py). This script computes it here, then runs the same code in Node.js
with the Pyodide runtime, wheels and lock of build/lite/ (``make lite`` first), and prints one line
per scenario: ``same`` or what differs.

    python tools/lite/digests.py [--seed 7]
"""

from __future__ import annotations

import argparse
import json
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
    for name in scenarios.names():
        out, said = os.path.join(folder, name + ".json"), io.StringIO()
        try:
            with contextlib.redirect_stderr(said):
                code = cli.main(["run", name, "--seed", str(seed), "--format", "json", "--out", out])
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
    here, there = in_cpython(seed), in_pyodide(seed)
    differ = 0
    for name in sorted(here):
        (a, code_a), (b, code_b) = here[name], there.get(name, [None, "missing"])
        if a is None and b is None:
            verdict = f"runs in neither: CPython {code_a}; Pyodide {code_b}"
        elif b is None:
            verdict = f"does not run in Pyodide: {code_b}"
        elif (a, code_a) == (b, code_b):
            verdict = f"same ({a[:12]}…, exit {code_a})"  # type: ignore[index]
        else:
            differ += 1
            verdict = f"DIFFERS: CPython {a} exit {code_a}, Pyodide {b} exit {code_b}"
        print(f"{name:32} {verdict}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
