"""Parametrisation for the catalogue tests: every case under every profile and its vulnerable variant."""

from __future__ import annotations

import pytest

from nutssim.catalogue import Record, case, cases, run_case
from nutssim.profiles import PROFILES, Profile


def variants(flow: str) -> list[object]:
    """One pytest param per (case, profile, control on/off) of ``flow``."""
    out = []
    for c in cases(flow):
        for name in PROFILES:
            out.append(pytest.param(c.id, name, False, id=f"{c.id}[{name}]"))
            if c.control and c.vulnerable is not None:
                out.append(pytest.param(c.id, name, True, id=f"{c.id}[{name} -{c.control}]"))
    return out


def run_variant(case_id: str, profile: str, vulnerable: bool) -> Record:
    """Run one case under ``profile``, with its control switched off when ``vulnerable``."""
    found = case(case_id)
    chosen = Profile(profile)
    if vulnerable:
        assert found.control is not None
        chosen = chosen.without(found.control)
    return run_case(found, chosen)


def explain(record: Record) -> str:
    """Why a record failed, with the run's trace summary."""
    from nutssim.cli import text_summary  # only on failure: importing it adds nutssim.cli to the package

    observed = record.observed
    return (
        f"{record.case.id} under {record.profile}: {record.why}\n"
        f"observed: {observed.status} {observed.error}: {observed.description} {observed.failed_checks}\n"
        f"{text_summary(record.trace)}"
    )
