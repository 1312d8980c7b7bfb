"""Hypothesis profiles for the fuzz tests: a short fixed one for CI, a long one on demand.

``NUTSSIM_FUZZ=long pytest tests/fuzz`` runs the long profile (random, many examples);
anything else runs the CI profile (derandomized, so every CI run tries the same inputs).
The profiles are applied by the fuzz tests themselves (``fuzz_settings``), so loading
this file changes no other test's settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    "print_blob": True,
}
settings.register_profile("nutssim-fuzz-ci", max_examples=200, derandomize=True, **_COMMON)
settings.register_profile("nutssim-fuzz-long", max_examples=4000, derandomize=False, **_COMMON)

#: The profile the fuzz tests run under.
PROFILE = "nutssim-fuzz-long" if os.environ.get("NUTSSIM_FUZZ") == "long" else "nutssim-fuzz-ci"


def fuzz_settings() -> settings:
    """The active fuzz profile's settings, to decorate a ``@given`` test with."""
    return settings(settings.get_profile(PROFILE))
