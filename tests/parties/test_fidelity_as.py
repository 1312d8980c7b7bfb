"""FIDELITY.md rows of the AS: the reference under ``nuts-node``, the specification under strict.

One test per row, named after it. Each asserts what nuts-node d2ad162 does for the input
(read from the file and function the row names) and what the specification asks.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from nutssim import scenarios
from nutssim.catalogue import case, run_case
from nutssim.catalogue.attacker import build_vp, post_token, token_form
from nutssim.catalogue.resource_cases import good_run
from nutssim.catalogue.s2s_cases.common import gp_key, org_credential
from nutssim.messages import FORM, HttpRequest
from nutssim.rng import SimRandom
from nutssim.scenarios.s2s import shipped_policy
from nutssim.specs import nuts_policy, rfc9449
from nutssim.specs.pex import regex as regex_module
from nutssim.specs.pex.regex import compile_ecma


def _outcome(case_id: str, profile: str) -> tuple[str, str | None]:
    """Status and error of a catalogue case under ``profile`` (its expectation must hold too)."""
    record = run_case(case(case_id), profile)
    assert record.passed, record.why
    return record.observed.status, record.observed.error


def _validate_ahead(profile: str, ahead: int) -> dict[str, Any]:
    """POST a proof dated ``ahead`` s in the future to the AS's ``/dpop/validate``, as the RS would."""
    world: Any = scenarios.build("s2s", profile=profile)
    token, url = good_run(world)
    key = world.requester.identities[0].key
    now = world.sim.clock.now()
    proof = rfc9449.make_proof(key, htm="GET", htu=url, now=now + ahead, rng=SimRandom(9), access_token=token)
    node = world.authorization_server_node
    body = {"dpop_proof": proof, "method": "GET", "thumbprint": key.thumbprint(), "token": token, "url": url}
    request = HttpRequest.post_json(f"{node.internal_host}/internal/auth/v2/dpop/validate", body)
    response = world.sim.network.send(request, sender=world.resource_server.id)
    result: dict[str, Any] = response.json
    return result


# -- DPoP iat in the future (crypto/dpop/dpop.go:154 Parse, jwx default skew 0) ---------------------
def test_dpop_iat_in_the_future() -> None:
    """+1…+5 s: refused by the reference at the token endpoint and /dpop/validate; strict allows 5 s."""
    assert rfc9449.parse_skew(strict=False) == 0
    assert rfc9449.parse_skew(strict=True) == rfc9449.IAT_FUTURE_SKEW == 5
    assert _outcome("s2s-clock-ahead-3s-dpop", "nuts-node") == ("denied", "invalid_dpop_proof")
    assert _outcome("s2s-clock-ahead-3s-dpop", "strict") == ("granted", None)
    reference = _validate_ahead("nuts-node", 1)
    assert reference["valid"] is False
    assert reference["reason"].startswith(
        "failed to parse DPoP header: invalid DPoP token\njwt.ParseString: failed to parse string: "
        'jwt.Validate: validation failed: "iat" not satisfied'
    )
    assert _validate_ahead("strict", 5).get("valid") is True
    assert _validate_ahead("strict", 6).get("valid") is False  # beyond the allowance under strict too


# -- Multiple DPoP headers (auth/api/iam/dpop.go:111 Header.Get) ------------------------------------
def test_multiple_dpop_headers() -> None:
    """The reference reads the first DPoP header and ignores the rest; RFC 9449 §4.3 step 1 refuses."""
    assert _outcome("s2s-dpop-two-headers", "nuts-node") == ("granted", None)
    assert _outcome("s2s-dpop-two-headers", "strict") == ("denied", "invalid_dpop_proof")


# -- JAR max validity (crypto/jwx.go:215,222: MaxDelta with the 5 s skew) ---------------------------
def test_jar_max_validity() -> None:
    """exp − iat = 301 s: accepted by the reference (≤ 305 s), refused by strict (RFC 9101 profile 300 s)."""
    assert _outcome("user-jar-too-long", "nuts-node") == ("granted", None)
    assert _outcome("user-jar-too-long", "strict") == ("denied", "invalid_request_object")


# -- Introspection Content-Type (auth/api/iam/api.go:340 slices.Contains) ----------------------------
@pytest.mark.parametrize(("profile", "status"), [("nuts-node", 415), ("strict", 200)])
def test_introspection_content_type(profile: str, status: int) -> None:
    """A form body with ``; charset=utf-8``: 415 in the reference (exact value), a form under strict."""
    world: Any = scenarios.build("s2s", profile=profile)
    token, _ = good_run(world)
    node = world.authorization_server_node
    plain = HttpRequest.post_form(
        f"{node.internal_host}/internal/auth/v2/accesstoken/introspect", {"token": token}
    )
    request = plain.with_headers(content_type=f"{FORM}; charset=utf-8")
    response = world.sim.network.send(request, sender=world.resource_server.id)
    assert response.status == status
    if status == 200:
        assert response.json["active"] is True


# -- Token endpoint cache headers (http/cache/middleware.go NoCache) --------------------------------
@pytest.mark.parametrize(
    ("profile", "headers"), [("nuts-node", ("no-cache", "no-store")), ("strict", ("no-store", "no-cache"))]
)
def test_token_endpoint_cache_headers(profile: str, headers: tuple[str, str]) -> None:
    """The reference sends Cache-Control: no-cache, Pragma: no-store; RFC 6749 §5.1 the other way round."""
    world = scenarios.run("s2s", profile=profile)
    response = world.sim.trace.find("token request")[0].response
    assert (response.header("Cache-Control"), response.header("Pragma")) == headers


# -- introspect_extended presentation_definitions, s2s (s2s_vptoken.go createAccessToken) -----------
@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_introspect_extended_presentation_definitions(profile: str) -> None:
    """Every PD of the scope's profile by wallet owner, the unfulfilled user PD too (a Nuts-only endpoint)."""
    policy = shipped_policy("eoverdracht")
    policy["eoverdracht"]["user"] = shipped_policy("zorgtoepassing")["zorgtoepassing"]["user"]
    world: Any = scenarios.build("s2s", profile=profile, policy=policy)
    token, _ = good_run(world)
    node = world.authorization_server_node
    request = HttpRequest.post_form(
        f"{node.internal_host}/internal/auth/v2/accesstoken/introspect_extended", {"token": token}
    )
    body = world.sim.network.send(request, sender=world.resource_server.id).json
    assert {owner: pd["id"] for owner, pd in body["presentation_definitions"].items()} == {
        "organization": policy["eoverdracht"]["organization"]["id"],
        "user": policy["eoverdracht"]["user"]["id"],
    }


# -- AS user-flow session TTL (openid4vp.go:554 re-Put, storage/session.go Put) -----------------------
def test_as_user_flow_session_ttl() -> None:
    """40 s per wallet: the reference's AS takes the second VP (TTL refreshed), strict's has expired."""
    reference = run_case(case("user-response-slow-wallets"), "nuts-node")
    assert reference.passed, reference.why
    assert "response.session" not in reference.observed.failed_checks  # the AS accepted both VPs
    assert len(reference.trace.facts("session_refreshed")) == 2
    strict = run_case(case("user-response-slow-wallets"), "strict")
    assert strict.passed, strict.why
    assert "response.session" in strict.observed.failed_checks


# -- Policy loading (policy/local.go:186 loadFromFile into credentialProfileConfig) ----------------
def _eoverdracht() -> dict[str, Any]:
    """The shipped eoverdracht profile (a fresh copy)."""
    return shipped_policy("eoverdracht")["eoverdracht"]


def test_policy_legacy_scope_to_pd_format() -> None:
    """The older scope → PD file: refused by the reference (its text); strict reads it as organization."""
    legacy = {"eoverdracht": _eoverdracht()["organization"]}
    with pytest.raises(nuts_policy.PolicyError) as refused:
        nuts_policy.load(legacy, reference=True)
    assert (
        "credential profile \"eoverdracht\" must define at least one of 'organization', "
        "'service_provider', or 'user' (file=<dict>)" in str(refused.value)
    )
    assert "older scope → definition form" in refused.value.hint
    assert nuts_policy.load(legacy)["eoverdracht"].legacy


def test_policy_unknown_profile_members() -> None:
    """An unknown member: ignored by the reference (json.Unmarshal), refused by strict loading."""
    profile = {**_eoverdracht(), "organisation_note": "typo'd extra member"}
    loaded = nuts_policy.load({"eoverdracht": profile}, reference=True)
    assert set(loaded["eoverdracht"].definitions) == {"organization"}
    with pytest.raises(nuts_policy.PolicyError, match="unknown member 'organisation_note'"):
        nuts_policy.load({"eoverdracht": profile})


@pytest.mark.parametrize(("profile", "loaded"), [("nuts-node", True), ("strict", False)])
def test_policy_loading_follows_the_profile(profile: str, loaded: bool) -> None:
    """A scenario's AS loads its policy as its profile does: an extra member passes only under nuts-node."""
    policy = {"eoverdracht": {**_eoverdracht(), "comment": "kept by ops"}}
    if loaded:
        assert scenarios.run("s2s", profile=profile, policy=policy).sim.trace.outcome["status"] == "granted"
    else:
        with pytest.raises(nuts_policy.PolicyError):
            scenarios.build("s2s", profile=profile, policy=policy)


# -- `dpop_kid` for Bearer, the AS's own answer (access_token.go createAccessToken, types.go omitempty) -----
@pytest.mark.parametrize(("profile", "dpop_kid"), [("nuts-node", ""), ("strict", None)])
def test_dpop_kid_for_bearer_as_response(profile: str, dpop_kid: str | None) -> None:
    """The AS's token response: no ``dpop_kid`` for Bearer; DPoP: the reference's empty Kid (strict: none)."""
    bearer = scenarios.run("s2s-bearer", profile=profile).sim.trace.find("token request")[0].response.json
    assert bearer["token_type"] == "Bearer" and "dpop_kid" not in bearer
    dpop = scenarios.run("s2s", profile=profile).sim.trace.find("token request")[0].response.json
    assert dpop["token_type"] == "DPoP" and dpop.get("dpop_kid") == dpop_kid


# -- s2s per-VP check interleaving (s2s_vptoken.go handleS2SAccessTokenRequest: one loop per VP) ---------
@pytest.mark.parametrize(
    ("profile", "reported"),
    [
        ("nuts-node", "presentation audience/domain is missing or does not match"),  # VP 1's fault first
        ("strict", "presentation is valid for too long (max 5s)"),  # the lifetime check over every VP first
    ],
)
def test_s2s_per_vp_check_interleaving(profile: str, reported: str) -> None:
    """VP 1 for another audience, VP 2 valid for 60 s: the reference reports VP 1's audience."""
    world: Any = scenarios.build("s2s", profile=profile)
    gp = world.requester.identities[0]
    vp1 = build_vp(
        world, key=gp_key(world), holder=gp.did, credentials=[org_credential(world)], audience="https://other"
    )
    vp2 = build_vp(world, key=gp_key(world), holder=gp.did, credentials=[], lifetime=60)
    pd = world.authorization_server.policy.presentation_definition("eoverdracht")
    submission = {
        "id": "s",
        "definition_id": pd.id,
        "descriptor_map": [
            {"id": pd.input_descriptors[0].id, "format": "jwt_vc", "path": "$[0].verifiableCredential[0]"}
        ],
    }
    observed = post_token(
        world, token_form(world, json.dumps([vp1, vp2]), submission), dpop_key=gp_key(world)
    )
    assert (observed.status, observed.description) == ("denied", reported)


# -- Policy: hostile JSONPath/regex (policy/local.go loads; vcr/pe matchFilter runs regexp2 at match time) --
HOSTILE = "^(did:web:[a-z.]+)+$"


def _hostile_policy(pattern: str) -> dict[str, Any]:
    profile = _eoverdracht()
    profile["organization"]["input_descriptors"][0]["constraints"]["fields"][1]["filter"]["pattern"] = pattern
    return {"eoverdracht": profile}


def test_policy_hostile_jsonpath_regex() -> None:
    """A ReDoS pattern: loaded by the reference (and nutssim's nuts-node, on RE2), refused by strict."""
    loaded = nuts_policy.load(_hostile_policy(HOSTILE), reference=True)
    assert list(loaded) == ["eoverdracht"]
    with pytest.raises(nuts_policy.PolicyError, match="nested quantifiers"):
        nuts_policy.load(_hostile_policy(HOSTILE))
    assert run_case(case("s2s-pd-hostile-regex"), "nuts-node").observed.failed_checks == ("client.pd_match",)
    assert run_case(case("s2s-pd-hostile-regex"), "strict").observed.error == "policy_error"


def test_policy_hostile_regex_runs_in_linear_time() -> None:
    """Evaluated at match time in bounded time: a 2 kB near-miss returns at once (RE2), and matches work."""
    regex = compile_ecma(HOSTILE, linear=True)
    started = time.process_time()
    assert regex.search("did:web:" + "a" * 2000 + "!") is None
    assert time.process_time() - started < 0.5
    assert regex.search("did:web:a.b") is not None


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("^(?=did)(a+)+$", "look-arounds need backtracking"),
        (r"^(a+)+\1$", "backreferences are not allowed"),
    ],
)
def test_policy_hostile_regex_without_a_linear_engine_is_refused(pattern: str, why: str) -> None:
    """What RE2 cannot run (look-arounds, back-references) is refused with a clear error, at load."""
    with pytest.raises(nuts_policy.PolicyError, match=why):
        nuts_policy.load(_hostile_policy(pattern), reference=True)


def test_policy_hostile_regex_fallback_without_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without google-re2 (Pyodide) the guard stays: the pattern is refused, naming the missing engine."""
    monkeypatch.setattr(regex_module, "linear_engine", lambda: None)
    regex_module._compile.cache_clear()
    try:
        with pytest.raises(regex_module.RegexError, match="no linear-time engine"):
            compile_ecma("^(b+)+$", linear=True)
    finally:
        regex_module._compile.cache_clear()


def test_policy_hostile_jsonpath_still_refused() -> None:
    """Filter selectors: PaesslerAG's dialect is not RFC 9535's, so no prediction; refused under both."""
    assert run_case(case("s2s-pd-hostile-jsonpath"), "nuts-node").observed.error == "policy_error"


@pytest.mark.parametrize(
    "case_id",
    [
        "s2s-vp-padded-signature",
        "s2s-vp-signature-second-spelling",
        "s2s-dpop-padded-signature",
        "user-vp-padded-signature",
    ],
)
def test_base64_reading_of_a_jws_parts(case_id: str) -> None:
    """jwx's Guess + Go's decoder under both nuts-node profiles: granted; RFC 7515 §2 under strict: denied."""
    assert _outcome(case_id, "nuts-node")[0] == "granted"
    assert _outcome(case_id, "nuts-node-gf")[0] == "granted"
    assert _outcome(case_id, "strict")[0] == "denied"
