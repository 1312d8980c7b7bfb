"""A small sweep grid (56 variants of the bearer s2s flow) and its records, run once per session."""

from __future__ import annotations

from typing import Any

import pytest

from nutssim import sweep


def grid() -> sweep.SweepSpec:
    """Two policies × seven wallets × two control sets × two seeds: 56 variants."""
    return sweep.SweepSpec(
        name="grid",
        flow="s2s-bearer",
        policy=["base", sweep.DropField("$.issuer")],
        wallet=list(sweep.WALLETS),
        controls_off=[[], ["revocation_check"]],
        seed=[0, 1],
    )


@pytest.fixture(scope="session")
def grid_spec() -> sweep.SweepSpec:
    return grid()


@pytest.fixture(scope="session")
def grid_records() -> list[dict[str, Any]]:
    """The grid's records, run in this process."""
    return sweep.run_sweep(grid(), workers=0).records
