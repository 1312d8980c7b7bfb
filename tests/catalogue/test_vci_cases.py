"""Every OpenID4VCI issuance case under both profiles and with its control switched off (issue #21)."""

from __future__ import annotations

import pytest

from tests.catalogue.helpers import explain, run_variant, variants


@pytest.mark.parametrize(("case_id", "profile", "vulnerable"), variants("vci"))
def test_case(case_id: str, profile: str, vulnerable: bool) -> None:
    """The observed outcome matches the case's expectation (OpenID4VCI 1.0 §7, §8.2, F.1; RFC 7636)."""
    record = run_variant(case_id, profile, vulnerable)
    assert record.passed, explain(record)


def test_the_six_issuance_cases_are_catalogued() -> None:
    ids = {param.values[0] for param in variants("vci")}
    assert ids == {
        "vci-stale-nonce",
        "vci-credential-replay",
        "vci-proof-other-key",
        "vci-proof-unknown-crit",
        "vci-authorization-details-other-type",
        "vci-pkce-missing",
    }
