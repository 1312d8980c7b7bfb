"""The adversarial count report (``python -m tests.fuzz.report``): every input counted once, classified."""

from __future__ import annotations

from nutssim.messages import FORM, HttpRequest, HttpResponse
from tests.fuzz import report


def test_a_small_report_counts_every_input() -> None:
    result = report.report(3, worlds=("s2s",), angles=("routes", "peers"))
    assert [(r["angle"], r["profile"]) for r in result["runs"]] == [
        ("routes", "nuts-node"),
        ("routes", "strict"),
        ("peers", "nuts-node"),
        ("peers", "strict"),
    ]
    for run in result["runs"]:
        assert run["tried"] == 3 == run["handled"] + sum(run[c] for c in report.CLASSES)
    assert result["totals"]["tried"] == 12
    assert "total" in report.text(result)


def test_a_granted_token_for_a_forged_assertion_is_counted_as_accepted() -> None:
    cat = report.fz.Catalogue(targets=[])
    request = HttpRequest(
        "POST", "https://as.example/oauth2/h/token", (("Content-Type", FORM),), "assertion=a.b.c"
    )
    granted = HttpResponse(200, (("Content-Type", "application/json"),), '{"access_token": "x"}')
    assert report._wrongly_granted_token(request, granted, cat).startswith("token issued")
    refused = HttpResponse(400, (("Content-Type", "application/json"),), '{"error": "invalid_request"}')
    assert report._wrongly_granted_token(request, refused, cat) == ""


def test_the_accepted_class_finds_a_planted_fault() -> None:
    """A VP re-signed by another key (same kid, same claims): granted only with ``vp_signature`` off."""
    from nutssim import jose, scenarios
    from nutssim.catalogue.attacker import resign
    from nutssim.profiles import Profile
    from tests.fuzz.test_fuzz import SEED, templates

    found = {}
    for profile in (Profile("nuts-node").without("vp_signature"), Profile("strict")):
        world = scenarios.build("s2s", seed=SEED, profile=profile)
        sent = templates("s2s", profile)
        cat = report.fz.catalogue(world, sent)
        request = next(r for r in sent if r.path.endswith("/token") and not r.header("DPoP"))
        vp = request.form["assertion"]
        kid = jose.decode(vp).kid
        other = next(k for k in cat.keys.values() if k.kid and k.kid != kid)
        forged = request.with_form(assertion=resign(vp, other, header={"kid": kid}))
        found[profile.on("vp_signature")] = report.classify_request(world, cat, forged)[0]
    assert found == {False: "accepted", True: "handled"}
