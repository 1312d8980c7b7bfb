"""Every service-to-service case under both profiles and, for attacks, with its control switched off."""

from __future__ import annotations

import pytest

from tests.catalogue.helpers import explain, run_variant, variants


@pytest.mark.parametrize(("case_id", "profile", "vulnerable"), variants("s2s"))
def test_case(case_id: str, profile: str, vulnerable: bool) -> None:
    """The observed outcome matches the case's expectation (PROTOCOL.md §4.2, ATTACKS.md)."""
    record = run_variant(case_id, profile, vulnerable)
    assert record.passed, explain(record)
