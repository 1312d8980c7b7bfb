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
    out = tmp_path / "pure.json"
    args = ("-m", "nutssim", "run", "s2s", "--seed", "3", "--format", "json", "--out", str(out))
    done = _child(*args, NUTSSIM_CRYPTO="pure")
    assert done.returncode == 0, done.stderr
    with using_backend("cryptography"):
        expected, code = _json_digest("s2s", 3, tmp_path / "default.json")
    assert code == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == expected


def _child(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` in a fresh interpreter with ``env`` added (``NUTSSIM_CRYPTO`` removed first)."""
    environ = {k: v for k, v in os.environ.items() if k != "NUTSSIM_CRYPTO"} | env
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=environ, timeout=600)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("pure", "pure"), ("cryptography", "cryptography"), ("auto", "cryptography"), ("", "cryptography")],
)
def test_environment_variable_chooses(value, expected):
    """``NUTSSIM_CRYPTO`` picks the backend at import; ``auto`` or empty prefers cryptography."""
    done = _child("-c", "from nutssim import jose; print(jose.backend_name())", NUTSSIM_CRYPTO=value)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


def test_bad_environment_variable_warns_and_falls_back():
    """A misspelt ``NUTSSIM_CRYPTO`` warns (naming the variable) and does not stop ``import nutssim``."""
    done = _child("-c", "import nutssim.jose as j; print(j.backend_name())", NUTSSIM_CRYPTO="openssl")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "cryptography"
    assert "NUTSSIM_CRYPTO='openssl' ignored" in done.stderr and "Traceback" not in done.stderr


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
    if "cryptography" in scenarios.spec(name).needs:
        continue  # X.509 scenarios need cryptography.x509: they refuse to build here (tested apart)
    with contextlib.redirect_stdout(io.StringIO()) as text:
        cli.main(["run", name, "--seed", "0", "--format", "json"])
    out["digests"][name] = hashlib.sha256(text.getvalue().encode()).hexdigest()
out["leaked"] = sorted(m for m in sys.modules if m.split(".")[0] in ("cryptography", "jwcrypto"))
try:
    jose.use_backend("cryptography")
except jose.BackendUnavailable as exc:
    out["refused"] = str(exc)
print(json.dumps(out))
"""


def test_without_cryptography_every_scenario_gives_the_default_trace(capsys):
    """Where cryptography cannot be imported (Pyodide), nutssim picks pure and every trace is unchanged.

    The child even asks for cryptography (``NUTSSIM_CRYPTO=cryptography``): it warns and falls back.
    """
    done = _child("-c", _WITHOUT_CRYPTOGRAPHY, NUTSSIM_CRYPTO="cryptography")
    assert done.returncode == 0, done.stderr
    assert "NUTSSIM_CRYPTO='cryptography' ignored, using 'pure'" in done.stderr
    child = json.loads(done.stdout)
    assert child["backend"] == "pure" and child["leaked"] == []
    assert child["refused"].startswith("crypto backend 'cryptography' cannot be used here")
    for name in scenarios.names():
        if "cryptography" in scenarios.spec(name).needs:
            continue
        with using_backend("cryptography"):
            cli.main(["run", name, "--seed", "0", "--format", "json"])
        here = hashlib.sha256(capsys.readouterr().out.encode()).hexdigest()
        assert child["digests"][name] == here, name


def test_without_cryptography_an_x509_scenario_refuses_in_one_line():
    """A scenario that needs cryptography.x509 exits 2 with one line where it cannot be imported."""
    blocker = _WITHOUT_CRYPTOGRAPHY.split("from nutssim import")[0]
    code = blocker + "from nutssim import cli\nraise SystemExit(cli.main(['run', 's2s-x509']))\n"
    done = _child("-c", code)
    assert done.returncode == 2, done.stderr
    assert "scenario 's2s-x509' needs cryptography, which cannot be imported here" in done.stderr
    assert "Traceback" not in done.stderr
