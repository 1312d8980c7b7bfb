"""Causes are data (ARCHITECTURE principle 11): every failed check carries one, and readers use it."""

from __future__ import annotations

import pytest

from nutssim import catalogue, causes
from nutssim.causes import Cause


def test_kind_must_be_known():
    with pytest.raises(ValueError, match="unknown cause kind"):
        Cause("broken")


def test_a_cause_moves_onto_the_thing_that_encloses_it():
    inner = Cause(causes.REVOKED, reason="credential is revoked")
    outer = inner.on("credential", "urn:vc:1")
    assert (outer.kind, outer.about, outer.subject, outer.reason) == (
        causes.REVOKED,
        "credential",
        "urn:vc:1",
        "credential is revoked",
    )
    assert inner.about == ""  # frozen: the original is unchanged


def test_the_record_leaves_out_what_is_not_set():
    assert Cause(causes.MISSING, "parameter", "state").to_record() == {
        "kind": "missing",
        "about": "parameter",
        "subject": "state",
    }


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_every_failed_check_of_every_case_has_a_cause(profile):
    """The whole catalogue, good and vulnerable: no failed check without a structured cause."""
    missing = []
    for vulnerable in (False, True):
        for record in catalogue.run_catalogue(profile, vulnerable=vulnerable):
            for exchange, check in record.trace.failed_checks():
                if check.cause is None:
                    missing.append((record.case.id, exchange.label, check.id))
                else:
                    assert check.cause.kind in causes.KINDS
    assert missing == []


def test_a_refused_credential_names_itself_in_the_cause():
    """VerifyVP's ``invalid VC (id=…)`` is rendered from the cause; the trust graph reads the cause."""
    record = catalogue.run_case(catalogue.case("s2s-org-credential-revoked"), "nuts-node")
    (check,) = [c for _, c in record.trace.failed_checks() if c.id == "token.verify_vp"]
    assert check.cause is not None
    assert (check.cause.kind, check.cause.about) == (causes.REVOKED, "credential")
    assert check.detail == f"invalid VC (id={check.cause.subject}): {check.cause.reason}"
