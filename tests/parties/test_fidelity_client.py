"""FIDELITY.md client-side and internal-API rows: nuts-node reproduces the reference, strict the spec."""

from __future__ import annotations

import pytest

from nutssim.catalogue import case, run_case
from nutssim.parties.wallet import complete_self_attested
from nutssim.profiles import Profile
from nutssim.scenarios import S2SWorld, build
from nutssim.scenarios.s2s import EMPLOYEE

PROFILES = ("nuts-node", "strict")


def _second_subject_flow(world: S2SWorld) -> tuple[bool, bool]:
    """The GP's run, then a credential-less second subject's identical request: (first, second) granted."""
    first = world.run().result
    second = world.requester_node.add_subject("Tandarts Noord", id="tandarts-noord")
    flow = world.sim.service_access(
        second, world.authorization_server, "eoverdracht", ehr=world.ehr, credentials=[EMPLOYEE]
    )
    result = flow.finish()
    assert first is not None and result is not None
    return first.granted, result.granted


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_key(profile: str) -> None:
    """Row 'Client token cache key': the key includes the subject, so no token crosses subjects."""
    world = build("s2s", profile=profile)
    assert isinstance(world, S2SWorld)
    assert _second_subject_flow(world) == (True, False)


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_key_still_hits_for_the_same_subject(profile: str) -> None:
    """The same subject's identical request is served from the cache: no second token request."""
    world = build("s2s", profile=profile)
    assert isinstance(world, S2SWorld)
    world.run()
    again = world.start().finish()
    assert again is not None and again.granted
    assert len(world.sim.trace.find("token request")) == 1


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_key_control_off_leaks(profile: str) -> None:
    """With token_cache_subject_key off (the body-only key) the second subject gets the GP's token."""
    world = build("s2s", profile=Profile(profile).without("token_cache_subject_key"))
    assert isinstance(world, S2SWorld)
    assert _second_subject_flow(world) == (True, True)


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_catalogue_case(profile: str) -> None:
    """The catalogue case holds with the control on and its vulnerable variant with it off."""
    declared = case("s2s-token-cache-other-subject")
    assert run_case(declared, profile).passed
    off = run_case(declared, Profile(profile).without("token_cache_subject_key"))
    assert off.passed and off.observed.status == "granted"


NODE_FORMATS = ("jwt_vp", "ldp_vp")
LDP_VC_ONLY = {"ldp_vc": {"proof_type": ["JsonWebSignature2020"]}}


@pytest.mark.parametrize(
    ("pd_formats", "nuts_node", "strict"),
    [
        (None, "jwt_vp", "jwt_vp"),
        (LDP_VC_ONLY, None, "jwt_vp"),  # the row: reference refuses, strict leaves the VP format open
        ({"jwt_vp": {"alg": ["ES256"]}}, "jwt_vp", "jwt_vp"),
        ({"jwt_vp": {"alg": ["RS1"]}}, None, "jwt_vp"),  # Match: no shared alg drops the format
        ({"ldp_vp": {"proof_type": ["JsonWebSignature2020"]}}, "ldp_vp", "ldp_vp"),
    ],
)
def test_vp_format_selection(
    pd_formats: dict[str, object] | None, nuts_node: str | None, strict: str
) -> None:
    """Row 'VP format selection': nuts-node as credential.Formats.Match + pe.ChooseVPFormat."""
    from nutssim.parties.wallet import choose_vp_format
    from nutssim.specs import openid4vp

    metadata = openid4vp.vp_formats_supported(NODE_FORMATS)
    assert choose_vp_format(NODE_FORMATS, metadata, pd_formats, reference=True) == nuts_node
    assert choose_vp_format(NODE_FORMATS, metadata, pd_formats) == strict


@pytest.mark.parametrize("profile", PROFILES)
def test_vp_format_selection_flow(profile: str) -> None:
    """A PD naming only ldp_vc: nuts-node answers the presenter.go error (412), strict builds a jwt_vp."""
    from nutssim.catalogue.s2s_cases.common import with_policy

    policy = with_policy(lambda pd: pd.update(format=LDP_VC_ONLY))
    world = build("s2s", profile=profile, policy=policy, credential_format="ldp_vc")
    assert isinstance(world, S2SWorld)
    result = world.run().result
    assert result is not None
    if profile == "nuts-node":
        assert result.error is not None and result.error["status"] == 412
        assert result.error["error_description"] == (
            "requester, verifier (authorization server metadata) and "
            "presentation definition don't share a supported VP format"
        )
    else:
        assert result.token is not None


@pytest.mark.parametrize("profile", PROFILES)
def test_dpop_kid_for_bearer(profile: str) -> None:
    """Row '`dpop_kid` for Bearer': omitted (types.go omitempty) for a Bearer token, the kid for DPoP."""
    bearer = build("s2s-bearer", profile=profile)
    assert isinstance(bearer, S2SWorld)
    result = bearer.run().result
    assert result is not None and result.token is not None and result.granted
    assert "dpop_kid" not in result.token
    dpop = build("s2s", profile=profile)
    assert isinstance(dpop, S2SWorld)
    token = (dpop.run().result or pytest.fail("no result")).token or {}
    assert token["dpop_kid"] == dpop.requester.identities[0].key.kid


@pytest.mark.parametrize(("profile", "scope"), [("nuts-node", "eoverdracht"), ("strict", "granted-by-as")])
def test_client_scope_returned(profile: str, scope: str) -> None:
    """Row 'Client scope returned': nuts-node answers the requested scope, strict the AS's (RFC 6749 §5.1)."""
    from nutssim.catalogue.attacker import RewriteResponse, is_token_request, rewrite_json

    world = build("s2s", profile=profile)
    assert isinstance(world, S2SWorld)
    change = rewrite_json(lambda body: {**body, "scope": "granted-by-as", "extra": 1})
    world.sim.network.interceptors.append(RewriteResponse(is_token_request, change))
    result = world.run().result
    assert result is not None and result.token is not None
    assert result.token["scope"] == scope
    # openid4vp.go postTokenRequest copies four members; other AS members are dropped there.
    assert ("extra" in result.token) is (profile == "strict")


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_hit_reports_time_left(profile: str) -> None:
    """api.go RequestServiceAccessToken: a cached token's expires_in is the time it has left."""
    world = build("s2s", profile=profile)
    assert isinstance(world, S2SWorld)
    world.run()
    world.sim.clock.advance(100)
    again = world.start().finish()
    assert again is not None and again.token is not None
    assert again.token["expires_in"] == again.token["expires_at"] - world.sim.clock.now()
    assert again.token["expires_in"] < 900 - 99  # the AS issued 900 s, 100 s ago


@pytest.mark.parametrize("profile", PROFILES)
def test_self_attested_credential_id(profile: str) -> None:
    """Row 'Self-attested credential id': a bare UUID under nuts-node, holder#uuid under strict."""
    import re

    from nutssim.rng import SimRandom

    holder = "did:web:gp.example:iam:x"
    reference = profile == "nuts-node"
    made = complete_self_attested([EMPLOYEE], holder, 1_700_000_000, SimRandom(0), reference=reference)[0]
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    assert re.fullmatch(uuid if reference else re.escape(holder) + "#" + uuid, str(made.id))
    # and the flow that carries it is still granted under the profile
    world = build("s2s", profile=profile)
    assert isinstance(world, S2SWorld)
    assert (world.run().result or pytest.fail("no result")).granted
