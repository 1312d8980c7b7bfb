"""The time-lapse: a flow a day for months, with expiry, renewal, key rotation and revocation."""

from __future__ import annotations

import pytest

from nutssim.errors import InputError
from nutssim.profiles import Profile
from nutssim.timelapse import (
    RenewBefore,
    TimeLapse,
    check_at,
    end_enrolment,
    issue_credential,
    plan_events,
    revoke_credential,
    rotate_issuer_key,
)


@pytest.fixture(scope="module")
def story():
    return TimeLapse(days=90).run()


def spans(result):
    return [(p.first, p.last, p.status, p.cause) for p in result.periods()]


def test_the_default_story_fails_exactly_while_the_old_key_is_gone_and_while_revoked(story):
    periods = [(p.first, p.last, p.status) for p in story.periods()]
    assert periods == [
        (0, 24, "granted"),  # issued day 0 with key 1; key 2 from day 20
        (25, 37, "denied"),  # key 1 removed on day 25: the credential it signed no longer verifies
        (38, 59, "granted"),  # renewed 7 days before its day-45 expiry, signed with key 2
        (60, 64, "denied"),  # revoked on day 60
        (65, 89, "granted"),  # re-issued on day 65
    ]


def test_each_failure_names_its_decisive_check(story):
    denied = [p for p in story.periods() if p.status == "denied"]
    assert [(p.error, p.cause) for p in denied] == [
        ("invalid_request", "token.verify_vp"),
        ("invalid_request", "vc.revocation"),
    ]
    assert "key not found in DID document" in denied[0].reason  # ResolveKeyByID: the VC's key was rotated out


def test_the_renewal_is_an_event_and_the_credentials_are_recorded(story):
    assert [(e.day, e.kind) for e in story.events] == [
        (0, "issue"),
        (20, "rotate_key"),
        (25, "remove_key"),
        (38, "renew"),
        (60, "revoke"),
        (65, "issue"),
    ]
    assert [(c.issued_day, c.ended_day, c.ended_by, c.revoked_day) for c in story.credentials] == [
        (0, 38, "renewed", None),
        (38, 65, "replaced", 60),
        (65, None, "", None),
    ]
    assert [(k.added_day, k.removed_day) for k in story.keys] == [(0, 25), (20, None)]


def test_expiring_soon_lists_the_credential_in_its_warning_window(story):
    assert story.expiring(31) == (("NutsOrganizationCredential", 14),)
    assert story.expiring(30) == ()
    assert story.days[40].expiring == ()


def test_without_renewal_the_credential_expires_on_its_day():
    result = TimeLapse(days=50, events=[issue_credential(0, 45)], renewal=None).run()
    assert [(p.first, p.last, p.status) for p in result.periods()] == [(0, 44, "granted"), (45, 49, "denied")]
    assert result.periods()[1].reason == "credential not valid at given time"  # vcr/verifier/verifier.go


def test_same_seed_same_outcome_and_summary():
    a = TimeLapse(days=30, seed=3).run()
    b = TimeLapse(days=30, seed=3).run()
    assert a.summary() == b.summary()
    assert [d.held for d in a.days] == [d.held for d in b.days]


def test_records_are_one_row_per_day(story):
    rows = story.records()
    assert len(rows) == 90 and rows[0]["day"] == 0 and rows[0]["date"] == "2025-01-01"
    assert rows[30]["status"] == "denied"
    assert rows[0]["status_list"] == "fetched"  # one flow a day: the AS's 15-minute copy is always stale


def test_summary_reads_as_periods_and_events(story):
    text = story.summary()
    assert (
        "days 25–37   denied: invalid_request (token.verify_vp)" in text
        and "day 60   register revokes the credential" in text
    )


@pytest.mark.parametrize("days", [0, -1, 100_000, "90"])
def test_days_out_of_range_is_a_clear_error(days):
    with pytest.raises(InputError, match="days is"):
        TimeLapse(days=days).run()


def test_a_user_flow_is_refused_with_a_clear_error():
    with pytest.raises(InputError, match="s2s scenario"):
        TimeLapse(scenario="user", days=2).run()


def test_revoking_nothing_says_which_day():
    with pytest.raises(InputError, match="day 0: nothing to revoke"):
        TimeLapse(days=2, events=[revoke_credential(0)]).run()


def test_plan_events_is_the_documented_story():
    assert [e.day for e in plan_events()] == [0, 20, 25, 60, 65]
    assert RenewBefore().days == 7


def test_the_picture_renders(story):
    from nutssim.views.timelapse import render_timelapse_png

    png = render_timelapse_png(story)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert render_timelapse_png(story) == png  # deterministic bytes


def test_cli_prints_the_periods_and_draws_the_picture(tmp_path, capsys):
    from nutssim.cli import main

    png = tmp_path / "t.png"
    assert main(["timelapse", "--days", "30", "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert "days 25–29   denied: invalid_request (token.verify_vp)" in out
    assert png.read_bytes().startswith(b"\x89PNG")


def test_cli_json_is_one_row_per_day(tmp_path):
    import json

    from nutssim.cli import main

    out = tmp_path / "days.json"
    assert main(["timelapse", "--days", "3", "--format", "json", "--out", str(out)]) == 0
    assert [r["status"] for r in json.loads(out.read_text())] == ["granted"] * 3


def test_cli_usage_errors_are_one_line_exit_2(capsys):
    from nutssim.cli import main

    assert main(["timelapse", "--days", "0"]) == 2
    assert capsys.readouterr().err == "nutssim: days is 0; give a whole number from 1 to 3660\n"


def test_strict_sees_the_same_story():
    result = TimeLapse(days=70, profile="strict").run()
    assert [(p.first, p.last, p.status) for p in result.periods()] == [
        (0, 24, "granted"),
        (25, 37, "denied"),
        (38, 59, "granted"),
        (60, 64, "denied"),
        (65, 69, "granted"),
    ]


def test_the_default_story_over_openid4vci_has_the_periods_it_has_by_fiat(story):
    over = TimeLapse(days=90, renewal=RenewBefore(over="vci")).run()
    assert spans(over) == spans(story)
    renew = next(e for e in over.events if e.kind == "renew")
    assert (renew.day, renew.label) == (38, "holder renews over OpenID4VCI (7 d before expiry)")
    # Issued on the wire: the wallet's credentials are the register's, 45 days each (its valid_for).
    assert [(c.issued_day, c.expires_day) for c in over.credentials] == [(0, 45), (38, 83), (65, 110)]


def test_a_renewal_refused_over_openid4vci_is_an_event_and_the_credential_then_expires():
    events = [issue_credential(0, 45), end_enrolment(30)]
    result = TimeLapse(days=50, events=events, renewal=RenewBefore(over="vci")).run()
    assert [(p.first, p.last, p.status) for p in result.periods()] == [(0, 44, "granted"), (45, 49, "denied")]
    assert result.periods()[1].reason == "credential not valid at given time"
    failed = [(e.day, e.label) for e in result.events if e.kind == "renew_failed"]
    # Tried again each day from day 38; the same error is one event (vci_issuer.authorize, RFC 6749 §4.1.2.1).
    assert failed == [
        (
            38,
            "holder's renewal over OpenID4VCI fails: invalid_request: unknown client_id or redirect_uri"
            " (vci.authorize.client)",
        )
    ]


def test_a_key_rotated_on_the_renewal_day_does_not_stop_the_renewal_over_openid4vci():
    events = [issue_credential(0, 45), *rotate_issuer_key(38, grace_days=1)]
    result = TimeLapse(days=60, events=events, renewal=RenewBefore(over="vci")).run()
    assert [(p.first, p.last, p.status) for p in result.periods()] == [(0, 59, "granted")]
    assert result.credentials[1].key_id == result.keys[1].kid  # signed with the new key


def test_an_unknown_renewal_channel_is_an_input_error():
    with pytest.raises(InputError, match="renewal over 'post'"):
        TimeLapse(days=2, renewal=RenewBefore(over="post")).run()


def test_a_revocation_after_the_days_flow_is_seen_on_the_next_days_flow():
    events = [issue_credential(0, 45), revoke_credential(40, hour=10)]
    result = TimeLapse(days=43, events=events).run()
    assert [(p.first, p.last, p.status, p.cause) for p in result.periods()] == [
        (0, 40, "granted", ""),
        (41, 42, "denied", "vc.revocation"),
    ]
    # A day later the AS's copy (fetched at 09:00 the day before) is long stale: it fetches anew.
    assert [d.status_list for d in result.days[40:]] == ["fetched", "fetched", "fetched"]
    assert [e.label for e in result.events if e.kind == "revoke"] == [
        "register revokes the credential at 10:00"
    ]


@pytest.mark.parametrize("profile", [Profile("nuts-node"), Profile("nuts-node").without("http_cache")])
def test_the_as_keeps_a_fetched_status_list_15_minutes(profile):
    # statuslist2021_verifier.go maxAgeExternal: within 15 minutes of the 09:00 fetch the AS does
    # not ask again, so a revocation at 09:05 is not seen at 09:10 or 09:14; at 09:16 it is.
    hours = [9 + m / 60 for m in (10, 14, 16)]
    events = [
        issue_credential(0, 45),
        revoke_credential(30, hour=9 + 5 / 60),
        *(check_at(30, h) for h in hours),
    ]
    result = TimeLapse(days=32, events=events, profile=profile).run()
    assert [e.label for e in result.events if e.day == 30] == [
        "register revokes the credential at 09:05",
        "extra flow at 09:10: granted, status list from the AS's 15-min copy",
        "extra flow at 09:14: granted, status list from the AS's 15-min copy",
        "extra flow at 09:16: denied (vc.revocation), status list fetched anew",
    ]
    assert [(p.first, p.last, p.status) for p in result.periods()] == [(0, 30, "granted"), (31, 31, "denied")]
    # The register's max-age=300 ran out at 09:05, before the AS's own copy: with the HTTP cache
    # (http/client/caching.go) on or off, the refresh at 09:16 goes to the wire.


def test_cli_renews_over_openid4vci(capsys):
    from nutssim.cli import main

    assert main(["timelapse", "--days", "45", "--renew-over", "vci"]) == 0
    out = capsys.readouterr().out
    assert "day 38   holder renews over OpenID4VCI (7 d before expiry)" in out
    assert "days 25–37   denied" in out


def test_the_picture_marks_a_failed_renewal_and_says_over_openid4vci():
    import matplotlib

    matplotlib.use("Agg")
    from nutssim.views.timelapse import draw_timelapse

    events = [issue_credential(0, 45), end_enrolment(30)]
    result = TimeLapse(days=50, events=events, renewal=RenewBefore(over="vci")).run()
    ax = draw_timelapse(result)
    texts = [t.get_text() for t in ax.texts]
    assert "✗3" in texts and "expired" in texts  # the failed renewal's number; the lane's end
    assert ax.get_title(loc="left").endswith("one flow a day, credentials over OpenID4VCI")
    listed = next(a.get_text() for a in ax.texts if a.get_text().startswith("1  day 0"))
    assert "3  day 38: ✗ holder's renewal over OpenID4VCI fails" in listed
