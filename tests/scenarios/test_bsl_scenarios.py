"""s2s-bsl-revoked: a Bitstring Status List revocation, ignored by nuts-node, honoured by strict."""

from __future__ import annotations

import pytest

from nutssim import scenarios
from nutssim.errors import InputError


def _checks(world: scenarios.World, id: str) -> list[tuple[bool, str]]:
    return [(c.passed, c.detail) for _, c in world.sim.trace.checks() if c.id == id]


def test_nuts_node_ignores_the_unknown_status_type_and_grants() -> None:
    world = scenarios.run("s2s-bsl-revoked", profile="nuts-node")
    assert world.sim.trace.outcome["status"] == "granted"
    ignored = _checks(world, "vc.status_type")
    assert ignored and ignored[0][0]
    assert "Ignoring credentialStatus with unknown type 'BitstringStatusListEntry'" in ignored[0][1]
    assert not world.sim.trace.find("status list (Bitstring Status List)")  # never fetched


def test_strict_reads_the_bitstring_and_refuses() -> None:
    world = scenarios.run("s2s-bsl-revoked", profile="strict")
    outcome = world.sim.trace.outcome
    assert outcome["status"] == "denied"
    assert outcome["error"]["error"] == "invalid_verifiable_credentials"
    assert outcome["error"]["error_description"].endswith("credential is revoked")
    assert world.sim.trace.find("status list (Bitstring Status List)")
    assert not _checks(world, "vc.revocation")[-1][0]
    assert "revocation status 1 at index 0" in _checks(world, "vc.revocation")[-1][1]


def test_strict_grants_when_not_revoked_and_fails_closed_when_the_list_is_down() -> None:
    assert (
        scenarios.run("s2s-bsl-revoked", profile="strict", revoked=False).sim.trace.outcome["status"]
        == "granted"
    )
    world = scenarios.build("s2s-bsl-revoked", profile="strict", revoked=False)
    world.register.status_list_online = False
    world.run()
    assert world.sim.trace.outcome["status"] == "denied"
    failed = [d for ok, d in _checks(world, "vc.revocation_list") if not ok]
    assert failed == [
        "STATUS_RETRIEVAL_ERROR: fetching " + world.register.bitstring_list_url + " failed: HTTP 503"
    ]


def test_same_seed_same_bytes() -> None:
    first = scenarios.run("s2s-bsl-revoked", profile="strict", seed=3).sim.trace
    second = scenarios.run("s2s-bsl-revoked", profile="strict", seed=3).sim.trace
    assert [x.response.body for x in first.exchanges] == [x.response.body for x in second.exchanges]


def test_bitstring_status_is_jwt_vc_only() -> None:
    world = scenarios.build("s2s")
    with pytest.raises(InputError, match="issued on jwt_vc credentials only"):
        world.register.issue_organization_credential(world.requester, format="ldp_vc", status="bitstring")
    with pytest.raises(InputError, match="unknown status method 'bsl'"):
        world.register.issue_organization_credential(world.requester, status="bsl")
