"""Every resource-access (DPoP, introspection) case under both profiles and with its control switched off."""

from __future__ import annotations

import pytest

from tests.catalogue.helpers import explain, run_variant, variants


@pytest.mark.parametrize(("case_id", "profile", "vulnerable"), variants("resource"))
def test_case(case_id: str, profile: str, vulnerable: bool) -> None:
    """The observed outcome matches the case's expectation (PROTOCOL.md §4.2 #64–73, ATTACKS.md 3.6)."""
    record = run_variant(case_id, profile, vulnerable)
    assert record.passed, explain(record)
