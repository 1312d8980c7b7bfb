"""The two-VP RFC 7523 jwt-bearer scenario (issue #20 items 1-2): outcomes, client rules, AS checks."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jwcrypto import jwk, jws

from nutssim import scenarios
from nutssim.messages import HttpRequest
from nutssim.scenarios.s2s import shipped_policy
from nutssim.specs import rfc7523

NOT_ADVERTISED = f'authorization server does not advertise "{rfc7523.GRANT_TYPE}" in grant_types_supported'


def run(profile: str, **options: Any) -> scenarios.World:
    return scenarios.run("s2s-jwt-bearer", profile=profile, **options)


def outcome(world: scenarios.World) -> tuple[str, str | None, str | None]:
    out = world.sim.trace.outcome
    error = out.get("error") or {}
    return out["status"], error.get("error"), error.get("error_description")


def token_form(world: scenarios.World) -> dict[str, str]:
    return dict(world.sim.trace.find("token request")[-1].request.form)


@pytest.fixture(scope="module")
def strict() -> scenarios.World:
    return run("strict", seed=5)


def test_strict_grants_with_both_vps_and_claims_from_both(strict):
    assert outcome(strict) == ("granted", None, None)
    form = token_form(strict)
    # RFC 7521 §4.2 / requestJwtBearerAccessToken: no client_id, the client is its client_assertion.
    assert sorted(form) == ["assertion", "client_assertion", "client_assertion_type", "grant_type", "scope"]
    assert form["client_assertion_type"] == rfc7523.CLIENT_ASSERTION_TYPE
    intro = strict.sim.trace.outcome["introspection"]
    gp, vendor = strict.requester.did, strict.service_provider.did
    assert intro["sub"] == gp and intro["client_id"] == vendor
    assert intro["delegating_organization"] == gp  # VP1's subject and VP2's delegation issuer, bound
    assert intro["service_provider_name"] == "Softwareleverancier Noord"  # from VP2
    passed = {c.id for _, c in strict.sim.trace.checks() if c.passed}
    assert {"token.cross_vp_binding", "token.delegation", "token.distinct_nonces", "token.dpop"} <= passed


def test_the_dpop_proof_is_signed_by_the_service_provider(strict):
    token = strict.sim.trace.outcome["token"]
    assert token["dpop_kid"].startswith(strict.service_provider.did + "#")


def test_nuts_node_fails_as_master_does_before_sending():
    world = run("nuts-node")
    assert outcome(world) == ("denied", "unsupported_grant_type", NOT_ADVERTISED)
    assert not world.sim.trace.find("token request")  # never falls back to the single-VP flow


def test_nuts_node_gf_refuses_the_master_client_for_its_missing_client_id():
    """project-gf HandleTokenRequest requires client_id; master's two-VP client sends none."""
    world = run("nuts-node-gf")
    assert outcome(world) == ("denied", "invalid_request", "missing required parameters")
    assert [c.id for _, c in world.sim.trace.failed_checks()][-1] == "token.params"


def test_nuts_node_gf_grants_on_vp1_alone_when_a_client_id_is_sent():
    world = run("nuts-node-gf", client_id=True)
    assert outcome(world)[0] == "granted"
    intro = world.sim.trace.outcome["introspection"]
    assert intro["delegating_organization"] == world.requester.did
    assert "service_provider_name" not in intro  # client_assertion is never read
    assert intro["client_id"] == world.service_provider.url


def test_master_as_refuses_the_grant_when_it_reaches_it(strict):
    """api.go HandleTokenRequest default branch: unsupported_grant_type with the grant quoted."""
    world = scenarios.build("s2s-jwt-bearer", profile="nuts-node")
    request = strict.sim.trace.find("token request")[-1].request
    response = world.sim.network.send(
        HttpRequest(request.method, request.url, request.headers, request.body), sender="x"
    )
    assert response.json == {
        "error": "unsupported_grant_type",
        "error_description": f"grant_type '{rfc7523.GRANT_TYPE}' is not supported",
    }


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"jwtbearerclient": False},
            (
                "unsupported_grant_type",
                "jwt-bearer two-VP flow requires auth.experimental.jwtbearerclient = true",
            ),
        ),
        (
            {"service_provider_subject_id": ""},
            (
                "invalid_request",
                "service_provider_subject_id is optional and cannot be empty: omit the field or set a "
                "non-empty value",
            ),
        ),
        ({"service_provider_subject_id": "nobody"}, ("invalid_request", "subject not found")),
        (
            {"delegated": False},
            ("invalid_request", "wallet could not fulfill requirements"),
        ),
    ],
)
def test_client_engagement_rules(options, expected):
    for profile in ("nuts-node", "strict"):
        status, error, description = outcome(run(profile, **options))
        if profile == "nuts-node" and "delegated" in options:
            assert (error, description) == ("unsupported_grant_type", NOT_ADVERTISED)
            continue
        assert status == "denied" and error == expected[0]
        assert (description or "").startswith(expected[1])


def test_a_profile_without_a_service_provider_pd_fails_with_invalid_scope():
    policy = copy.deepcopy(shipped_policy("jwt-bearer"))
    del policy["eoverdracht"]["service_provider"]
    assert outcome(run("strict", policy=policy)) == (
        "denied",
        "invalid_scope",
        'no service_provider presentation definition for scope "eoverdracht"',
    )


def test_omitting_the_field_runs_the_single_vp_flow():
    world = run("strict", service_provider_subject_id="-")
    assert token_form(world)["grant_type"] == "vp_token-bearer"


def test_same_seed_same_bytes():
    assert run("strict", seed=2).sim.trace.to_json() == run("strict", seed=2).sim.trace.to_json()


# -- the raw JWTs of the trace re-verify with jwcrypto, from the trace's own DID documents -------------------
def _keys_from_trace(trace: dict[str, Any]) -> dict[str, dict[str, Any]]:
    keys = {}
    for event in trace["events"]:
        body = event.get("response", {}).get("json") if event.get("type") == "exchange" else None
        if isinstance(body, dict) and isinstance(body.get("verificationMethod"), list):
            for method in body["verificationMethod"]:
                keys[method["id"]] = method["publicKeyJwk"]
    return keys


def _verify(token: str, key: dict[str, Any]) -> dict[str, Any]:
    verifier = jws.JWS()
    verifier.deserialize(token)
    verifier.verify(jwk.JWK(**key))
    payload: dict[str, Any] = json.loads(verifier.payload)
    return payload


def test_raw_jwts_reverify_with_jwcrypto(strict):
    trace = json.loads(strict.sim.trace.to_json())
    keys = _keys_from_trace(trace)
    token = next(e for e in trace["events"] if e.get("label") == "token request")
    verified = 0
    for parameter, aud_signer in (
        ("assertion", strict.requester.did),
        ("client_assertion", strict.service_provider.did),
    ):
        raw = token["request"]["form"][parameter]
        header = json.loads(jws.base64url_decode(raw.split(".")[0]))
        claims = _verify(raw, keys[header["kid"]])
        assert claims["iss"] == aud_signer and claims["aud"] == strict.authorization_server.url
        for vc in claims["vp"]["verifiableCredential"]:
            vc_header = json.loads(jws.base64url_decode(vc.split(".")[0]))
            _verify(vc, keys[vc_header["kid"]])
            verified += 1
    proof = token["request"]["headers"]["DPoP"]
    proof_header = json.loads(jws.base64url_decode(proof.split(".")[0]))
    _verify(proof, proof_header["jwk"])
    assert verified == 3  # the organization credential, the certification and the delegation


@pytest.mark.parametrize(
    ("profile", "options"),
    [
        ("strict", []),
        ("nuts-node", []),
        ("nuts-node-gf", []),
        ("nuts-node-gf", ["--option", "client_id=true"]),
    ],
)
def test_nutssim_run_exits_0_with_each_profiles_expected_outcome(profile, options, capsys):
    """Done-when of issue #20, as the versions really behave: strict grants, the others as they do."""
    from nutssim import cli

    assert cli.main(["run", "s2s-jwt-bearer", "--profile", profile, *options]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("profile", ["nuts-node-gf", "strict"])
@pytest.mark.parametrize(
    "change",
    [
        {"assertion": "not-a-jwt"},
        {"assertion": "[]"},
        {"client_assertion": '{"a": 1}'},
        {"client_assertion": "a.b.c"},
        {"assertion": None},
        {"client_assertion_type": ""},
        {"scope": "unknown-scope"},
    ],
)
def test_hostile_token_requests_get_an_oauth_error_not_a_crash(strict, profile, change):
    world = scenarios.build("s2s-jwt-bearer", profile=profile)
    request = strict.sim.trace.find("token request")[-1].request.with_form(client_id="x", **change)
    response = world.sim.network.send(request, sender="attacker")
    assert response.status in (400, 401) and isinstance(response.json, dict) and response.json["error"]
    assert not world.sim.trace.facts("party_crash")
