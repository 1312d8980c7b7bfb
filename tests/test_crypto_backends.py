"""Every scenario gives the same trace under both crypto backends (issue #24: same seed, same bytes).

The digest is the sha256 of what ``nutssim run NAME --format json`` writes, produced here by the
CLI's own ``main`` with ``--out``. Spies on the backends prove each run really signed and verified
with the backend it claims, and with no other.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from nutssim import cli, scenarios
from nutssim.jose import BACKENDS, using_backend
from nutssim.jose.backend import load_backend

SEEDS = (0, 7)


def _spy(monkeypatch: pytest.MonkeyPatch, calls: Counter[str]) -> None:
    """Count the key operations each backend is asked for."""
    for name in BACKENDS:
        backend = load_backend(name)
        for method in ("ec_private", "ed25519_private", "public"):
            original = getattr(backend, method)

            def counted(*args: object, _original=original, _name=name, **kwargs: object) -> object:
                calls[_name] += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(backend, method, counted)


def _json_digest(name: str, seed: int, out: Path) -> tuple[str, int]:
    """Run ``nutssim run NAME --seed S --format json --out FILE`` in-process; its sha256 and exit code."""
    code = cli.main(["run", name, "--seed", str(seed), "--format", "json", "--out", str(out)])
    return hashlib.sha256(out.read_bytes()).hexdigest(), code


@pytest.mark.parametrize("name", scenarios.names())
def test_every_scenario_has_one_trace_under_both_backends(name, tmp_path, monkeypatch):
    """Same scenario, same seed: byte-identical JSON traces and exit codes from cryptography and pure."""
    digests: dict[tuple[str, int], tuple[str, int]] = {}
    for backend in BACKENDS:
        for seed in SEEDS:
            calls: Counter[str] = Counter()
            with monkeypatch.context() as patch:
                _spy(patch, calls)
                with using_backend(backend):
                    digests[backend, seed] = _json_digest(name, seed, tmp_path / f"{backend}-{seed}.json")
            assert calls[backend] > 0, f"{name} made no key with {backend}"
            assert set(calls) == {backend}, f"{name} under {backend} also used {dict(calls)}"
    for seed in SEEDS:
        assert digests["cryptography", seed] == digests["pure", seed], f"{name} seed {seed} differs"
    assert digests["cryptography", SEEDS[0]][0] != digests["cryptography", SEEDS[1]][0]  # the seed matters


def test_the_command_line_under_nutssim_crypto_pure(tmp_path):
    """``NUTSSIM_CRYPTO=pure python -m nutssim run s2s --format json`` writes the default backend's bytes."""
    env = {k: v for k, v in os.environ.items() if k != "NUTSSIM_CRYPTO"} | {"NUTSSIM_CRYPTO": "pure"}
    out = tmp_path / "pure.json"
    done = subprocess.run(
        [sys.executable, "-m", "nutssim", "run", "s2s", "--seed", "3", "--format", "json", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    with using_backend("cryptography"):
        expected, code = _json_digest("s2s", 3, tmp_path / "default.json")
    assert code == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == expected


# As in Pyodide: a child interpreter where cryptography (and so jwcrypto) cannot be imported.
_WITHOUT_CRYPTOGRAPHY = """
import hashlib, importlib.abc, io, json, sys, contextlib
class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("cryptography", "jwcrypto"):
            raise ImportError(f"No module named {name!r} (blocked)")
        return None
sys.meta_path.insert(0, _Block())
from nutssim import cli, jose, scenarios
out = {"backend": jose.backend_name(), "digests": {}}
for name in scenarios.names():
    with contextlib.redirect_stdout(io.StringIO()) as text:
        cli.main(["run", name, "--seed", "0", "--format", "json"])
    out["digests"][name] = hashlib.sha256(text.getvalue().encode()).hexdigest()
out["leaked"] = sorted(m for m in sys.modules if m.split(".")[0] in ("cryptography", "jwcrypto"))
print(json.dumps(out))
"""


def test_without_cryptography_every_scenario_gives_the_default_trace(capsys):
    """Where cryptography cannot be imported (Pyodide), nutssim picks pure and every trace is unchanged."""
    env = {k: v for k, v in os.environ.items() if k != "NUTSSIM_CRYPTO"}
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_CRYPTOGRAPHY], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr
    child = json.loads(done.stdout)
    assert child["backend"] == "pure" and child["leaked"] == []
    for name in scenarios.names():
        with using_backend("cryptography"):
            cli.main(["run", name, "--seed", "0", "--format", "json"])
        here = hashlib.sha256(capsys.readouterr().out.encode()).hexdigest()
        assert child["digests"][name] == here, name
