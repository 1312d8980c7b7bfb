"""Every scenario's trace, under every profile, is byte-identical to the recorded one (issue #23).

The hot-path work of issue #23 (routing, message decoding, JSON and base64 back ends, trace
levels) must change no byte a user sees: this pins the SHA-256 of ``Trace.to_json()`` of
``scenarios.run(name, seed=1, profile=p)`` for every scenario and profile. A change that *means*
to alter a trace re-records the digests and says so in its commit:

    .venv/bin/python tests/test_trace_digests.py --update
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from nutssim import scenarios
from nutssim.profiles import PROFILES

#: Our own recording (not reference input, so not under tests/data/).
RECORDED = Path(__file__).parent / "trace_digests.json"


def digest(name: str, profile: str) -> str:
    """SHA-256 of the exported trace of scenario ``name`` run with seed 1 under ``profile``."""
    world = scenarios.run(name, seed=1, profile=profile)
    return hashlib.sha256(world.sim.trace.to_json().encode("utf-8")).hexdigest()


def all_digests() -> dict[str, str]:
    """``name/profile`` → digest for every registered scenario and profile."""
    return {f"{n}/{p}": digest(n, p) for n in scenarios.names() for p in sorted(PROFILES)}


def _recorded() -> dict[str, str]:
    data: dict[str, str] = json.loads(RECORDED.read_text(encoding="utf-8"))
    return data


def test_every_scenario_and_profile_has_a_recorded_digest() -> None:
    expected = {f"{n}/{p}" for n in scenarios.names() for p in PROFILES}
    assert set(_recorded()) == expected, "re-record: python tests/test_trace_digests.py --update"


@pytest.mark.parametrize("key", sorted(_recorded()))
def test_the_trace_is_byte_identical_to_the_recorded_one(key: str) -> None:
    name, profile = key.split("/")
    assert digest(name, profile) == _recorded()[key], f"trace of {key} changed"


if __name__ == "__main__":
    if "--update" in sys.argv:
        RECORDED.write_text(json.dumps(all_digests(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {RECORDED}")
