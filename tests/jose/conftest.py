"""Every test here runs once per crypto backend: both must behave, and fail, alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nutssim.jose import BACKENDS, using_backend


@pytest.fixture(params=BACKENDS, autouse=True)
def crypto_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Make new keys with each backend in turn (``ecdsa`` is a dependency: a missing one fails)."""
    with using_backend(request.param):
        yield request.param
