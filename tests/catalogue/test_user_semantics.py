"""The user-flow semantics cases (issue #22): a different grant per reading, and the linter says why."""

from __future__ import annotations

import pytest

from nutssim.catalogue import case, run_case
from nutssim.lint import lint

IDS = [
    "user-pd-org-type-string-filter-on-array",
    "user-pd-employee-type-string-filter-on-array",
    "user-pd-employee-role-not-ignored",
    "user-pd-employee-untyped-identifier-pattern",
]


@pytest.mark.parametrize("case_id", IDS)
def test_the_readings_grant_differently(case_id: str) -> None:
    """One policy, one wallet: exactly one of nuts-node and strict grants the user token."""
    granted = {p: run_case(case(case_id), p).observed.status == "granted" for p in ("nuts-node", "strict")}
    assert granted["nuts-node"] != granted["strict"], granted


@pytest.mark.parametrize("case_id", IDS)
def test_lint_semantics_flags_the_policy_of_each_case(case_id: str) -> None:
    """``nutssim lint --semantics`` points at the changed filter, in the PD the case changed."""
    found = case(case_id)
    owner = "organization" if "-org-" in case_id else "user"
    flagged = [f for f in lint(found.options["policy"], semantics=True) if f.code == "semantics-differ"]
    assert any(f"/{owner}/input_descriptors/0/constraints/fields/" in f.where.pointer for f in flagged), [
        (f.where.pointer, f.message) for f in flagged
    ]
