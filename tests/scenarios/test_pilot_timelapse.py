"""The 90-day time-lapse over the pilot set (issue #21 Done-when): the vendor's certification lives it."""

from __future__ import annotations

import pytest

from nutssim.timelapse import TimeLapse

pytest.importorskip("cryptography")

STORY = [
    "day 0 stelselhouder issues a 45-day credential",
    "day 20 stelselhouder rotates its signing key",
    "day 25 stelselhouder removes its old key",
    "day 38 holder renews (7 d before expiry)",
    "day 60 stelselhouder revokes the credential",
    "day 65 stelselhouder issues a 45-day credential",
]


def periods(result):
    return [(p.first, p.last, p.status, p.error, p.cause) for p in result.periods()]


def test_strict_refuses_while_the_old_key_is_gone_and_while_revoked() -> None:
    result = TimeLapse(scenario="pilot-eoverdracht", profile="strict").run()
    assert periods(result) == [
        (0, 24, "granted", "", ""),
        (25, 37, "denied", "invalid_client", "token.verify_vp"),  # VP2's certification no longer verifies
        (38, 59, "granted", "", ""),
        (60, 64, "denied", "invalid_client", "vc.revocation"),
        (65, 89, "granted", "", ""),
    ]
    assert [f"day {e.day} {e.label}" for e in result.events] == STORY
    assert {c.type for c in result.credentials} == {"ServiceProviderCredential"}


def test_project_gf_grants_every_day_because_it_never_reads_vp2() -> None:
    lapse = TimeLapse(scenario="pilot-eoverdracht", profile="nuts-node-gf", options={"client_id": True})
    result = lapse.run()
    assert periods(result) == [(0, 89, "granted", "", "")]


def test_master_never_sends_the_two_vp_request() -> None:
    result = TimeLapse(scenario="pilot-eoverdracht", days=3).run()
    assert periods(result) == [(0, 2, "denied", "unsupported_grant_type", "client.jwt_bearer_advertised")]


def test_renewal_over_openid4vci_is_refused_for_the_pilot_material() -> None:
    from nutssim.errors import InputError
    from nutssim.timelapse import RenewBefore

    with pytest.raises(InputError, match="OpenID4VCI covers the NutsOrganizationCredential only"):
        TimeLapse(scenario="pilot-eoverdracht", days=2, renewal=RenewBefore(over="vci")).run()
