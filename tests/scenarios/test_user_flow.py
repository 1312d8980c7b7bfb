"""The user flow end to end (PROTOCOL.md §2.1): the 26 steps in order, re-verifiable from the trace alone."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from typing import Any

import pytest
from jwcrypto import jwk, jws

from nutssim import scenarios
from nutssim.profiles import Profile
from nutssim.specs import openid4vp
from nutssim.trace import Exchange, Trace

GP, HOSPITAL = "https://gp.example", "https://hospital.example"
CLIENT_ID = f"{GP}/oauth2/huisarts-west"
ISSUER = f"{HOSPITAL}/oauth2/ziekenhuis-oost"

#: PROTOCOL.md §2.1 as (step, sender, receiver, method, label, host): the exchanges that carry the steps.
STEPS = [
    (1, "ehr-gp", "gp", "POST", "request user access token", "https://gp.example:8081"),
    (4, "browser", "gp", "GET", "user landing", GP),
    (5, "gp", "hospital", "GET", "AS metadata", HOSPITAL),
    (7, "browser", "hospital", "GET", "authorization request", HOSPITAL),
    (8, "hospital", "gp", "GET", "request object", GP),
    (9, "hospital", "gp", "GET", "OpenID configuration (entity statement)", GP),
    (11, "browser", "gp", "GET", "authorization request", GP),
    (12, "gp", "hospital", "GET", "request object", HOSPITAL),
    (12, "gp", "hospital", "GET", "OpenID configuration (entity statement)", HOSPITAL),
    (13, "gp", "hospital", "GET", "verifier metadata", HOSPITAL),
    (14, "gp", "hospital", "GET", "presentation definition", HOSPITAL),
    (15, "gp", "hospital", "POST", "authorization response (direct_post)", HOSPITAL),
    (17, "gp", "hospital", "POST", "request object (post)", HOSPITAL),
    # step 17's verifier metadata is served by gp's HTTP cache (max-age=300): see test_step_17_…
    (17, "gp", "hospital", "GET", "presentation definition", HOSPITAL),
    (18, "gp", "hospital", "POST", "authorization response (direct_post)", HOSPITAL),
    (21, "browser", "gp", "GET", "authorization callback", GP),
    (22, "gp", "hospital", "POST", "token request", HOSPITAL),
    (24, "browser", "ehr-gp", "GET", "EHR landing page", "https://ehr.gp.example"),
    (25, "ehr-gp", "gp", "GET", "retrieve user access token", "https://gp.example:8081"),
    (26, "ehr-gp", "gp", "POST", "create DPoP proof", "https://gp.example:8081"),
    (26, "ehr-gp", "rs-hospital", "GET", "resource request", "https://api.hospital.example"),
    (26, "rs-hospital", "hospital", "POST", "introspection", "https://hospital.example:8081"),
    (26, "rs-hospital", "hospital", "POST", "DPoP validation", "https://hospital.example:8081"),
]


@pytest.fixture(scope="module", params=["nuts-node", "strict"])
def world(request: pytest.FixtureRequest) -> scenarios.World:
    """One granted user-flow run per profile, shared by the read-only tests below."""
    return scenarios.run("user", seed=11, profile=request.param)


# -- helpers shared with test_user_flow_failures ---------------------------------------------------
def step_exchanges(trace: Trace) -> list[tuple[int, Exchange]]:
    """Match STEPS, in order, as a subsequence of the trace's exchanges."""
    found: list[tuple[int, Exchange]] = []
    exchanges = iter(trace.exchanges)
    for step, sender, receiver, method, label, host in STEPS:
        match = next(
            x
            for x in exchanges
            if (x.sender, x.receiver, x.request.method, x.label) == (sender, receiver, method, label)
            and x.request.origin == host
        )
        found.append((step, match))
    return found


def labelled(trace: Trace, label: str, receiver: str | None = None) -> list[Exchange]:
    """Exchanges with this label (and receiver)."""
    return [x for x in trace.find(label) if receiver is None or x.receiver == receiver]


def b64url_json(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def verify_jwt(token: str, key: dict[str, Any]) -> dict[str, Any]:
    """Verify a compact JWS with jwcrypto alone and return its claims."""
    checked = jws.JWS()
    checked.deserialize(token)
    checked.verify(jwk.JWK(**key))
    return json.loads(checked.payload)


def did_keys(trace: Trace) -> dict[str, dict[str, Any]]:
    """Every verification key served in a DID document in the trace, by kid."""
    keys: dict[str, dict[str, Any]] = {}
    for x in trace.find("DID document (did:web)"):
        for method in x.response.json.get("verificationMethod", []):
            keys[method["id"]] = method["publicKeyJwk"]
    return keys


def jwk_of(did_url: str) -> dict[str, Any]:
    """The key of a did:jwk DID URL (did:jwk spec §2)."""
    return b64url_json(did_url.split("#")[0].removeprefix("did:jwk:"))


def key_for(trace: Trace, kid: str) -> dict[str, Any]:
    return jwk_of(kid) if kid.startswith("did:jwk:") else did_keys(trace)[kid]


# -- the sequence ----------------------------------------------------------------------------------
def test_the_26_steps_in_order(world: scenarios.World) -> None:
    """Every step of PROTOCOL.md §2.1 is in the trace, in order: sender, receiver, method and host."""
    trace = world.sim.trace
    steps = step_exchanges(trace)
    assert [s for s, _ in steps] == [s for s, *_ in STEPS]
    assert trace.outcome["status"] == "granted" and trace.outcome["resource_status"] == 200
    assert not trace.failed_checks() and not trace.facts("party_crash")


def test_responses_carry_the_redirects_of_steps_2_6_10_16_19_20_23_24(world: scenarios.World) -> None:
    """The answers that move the browser and the wallets: landing URL, 302s, JSON redirect_uris, the token."""
    steps = dict((s, x) for s, x in step_exchanges(world.sim.trace) if s not in (12, 17, 26))
    assert steps[1].response.json["redirect_uri"].startswith(f"{CLIENT_ID}/user?token=")  # step 2
    location = steps[4].response.location  # step 6
    assert location.startswith(f"{ISSUER}/authorize?") and set(openid4vp.query_of(location)) == {
        "client_id",
        "request_uri",
        "request_uri_method",
    }
    assert steps[7].response.location.startswith(f"{CLIENT_ID}/authorize?client_id=")  # step 10
    assert steps[15].response.json["redirect_uri"].startswith("openid4vp:?client_id=")  # step 16
    assert steps[18].response.json["redirect_uri"].startswith(f"{GP}/oauth2/callback?code=")  # step 19
    assert steps[11].response.location == steps[18].response.json["redirect_uri"]  # step 20
    token = steps[22].response.json  # step 23
    assert (token["token_type"], token["expires_in"], token["scope"]) == ("DPoP", 900, "zorgtoepassing")
    assert steps[21].response.location == "https://ehr.gp.example/user-flow/done"  # step 24
    assert steps[25].response.json["status"] == "active"


def test_nested_exchanges_happen_inside_their_step(world: scenarios.World) -> None:
    """Metadata inside the landing, JAR fetches inside authorize, wallet calls inside B's authorize."""
    steps = step_exchanges(world.sim.trace)
    by_step = dict(steps)
    for step, exchange in steps:
        parent = {5: 4, 8: 7, 9: 7, 12: 11, 13: 11, 14: 11, 15: 11, 17: 11, 18: 11, 22: 21}.get(step)
        if parent is not None:
            assert exchange.parent == by_step[parent].seq, step


def test_step_17_verifier_metadata_is_an_http_cache_hit(world: scenarios.World) -> None:
    """gp fetched the verifier metadata at step 13 (max-age=300): step 17 reads it from its cache."""
    fetched = labelled(world.sim.trace, "verifier metadata")
    assert len(fetched) == 1 and fetched[0].response.header("Cache-Control") == "max-age=300"
    hits = [f for f in world.sim.trace.facts("http_cache_hit") if f.data["label"] == "verifier metadata"]
    assert [(f.party, f.data["url"]) for f in hits] == [("gp", fetched[0].request.url)]


def test_step_17_verifier_metadata_refetched_without_the_http_cache() -> None:
    """With the http_cache control off the step-17 fetch is on the wire again."""
    world = scenarios.run("user", seed=11, profile=Profile().without("http_cache"))
    assert len(labelled(world.sim.trace, "verifier metadata")) == 2
    assert not world.sim.trace.facts("http_cache_hit")


def test_pd_requests_ask_organization_then_user(world: scenarios.World) -> None:
    """Step 14 asks the organization definition, step 17 the user definition."""
    owners = [
        openid4vp.query_of(x.request.url)["wallet_owner_type"]
        for x in labelled(world.sim.trace, "presentation definition")
    ]
    assert owners == ["organization", "user"]


# -- re-verifying the trace with jwcrypto alone ----------------------------------------------------
def test_request_objects_verify_from_the_trace(world: scenarios.World) -> None:
    """JAR_1 (by B) and JAR_2/JAR_3 (by A) verify with keys the trace's DID documents serve."""
    trace = world.sim.trace
    objects = [x.response.body for x in trace.exchanges if x.label.startswith("request object")]
    assert len(objects) == 3
    claims = []
    for token in objects:
        header = b64url_json(token.split(".")[0])
        assert header["typ"] == "oauth-authz-req+jwt"
        claims.append(verify_jwt(token, key_for(trace, header["kid"])))
    jar1, jar2, jar3 = claims
    assert (jar1["client_id"], jar1["aud"], jar1["response_type"]) == (CLIENT_ID, ISSUER, "code")
    assert jar1["redirect_uri"] == f"{GP}/oauth2/callback" and jar1["code_challenge_method"] == "S256"
    assert (jar2["client_id"], jar2["aud"], jar2["response_type"]) == (ISSUER, CLIENT_ID, "vp_token")
    assert "aud" not in jar3 and jar3["state"] == jar2["state"] and jar3["nonce"] != jar2["nonce"]
    for jar in claims:
        assert jar["exp"] - jar["iat"] == 300 and jar["iss"].startswith("did:web:")


def test_entity_statements_list_the_signers(world: scenarios.World) -> None:
    """Each statement verifies with its kid's DID key and lists the JAR signer's key (§2.5)."""
    trace = world.sim.trace
    for x in trace.find("OpenID configuration (entity statement)"):
        header = b64url_json(x.response.body.split(".")[0])
        statement = verify_jwt(x.response.body, key_for(trace, header["kid"]))
        assert (
            statement["iss"]
            == statement["sub"]
            == x.request.url.replace("/.well-known/openid-configuration", "")
        )
        assert [k["kid"] for k in statement["jwks"]["keys"]] == [header["kid"]]


def test_presentations_verify_and_answer_their_requests(world: scenarios.World) -> None:
    """Org VP by B's DID, user VP by the did:jwk; nonce from the request object, aud = the verifier."""
    trace = world.sim.trace
    posts = trace.find("authorization response (direct_post)")
    jars = [
        verify_jwt(x.response.body, key_for(trace, b64url_json(x.response.body.split(".")[0])["kid"]))
        for x in trace.exchanges
        if x.label.startswith("request object") and x.receiver == "hospital"
    ]
    for post, jar in zip(posts, jars, strict=True):
        token = post.request.form["vp_token"]
        kid = b64url_json(token.split(".")[0])["kid"]
        vp = verify_jwt(token, key_for(trace, kid))
        assert (vp["aud"], vp["nonce"], vp["exp"] - vp["iat"]) == (ISSUER, jar["nonce"], 900)
        assert post.request.form["state"] == jar["state"]
        for credential in vp["vp"]["verifiableCredential"]:
            vc_kid = b64url_json(credential.split(".")[0])["kid"]
            assert verify_jwt(credential, key_for(trace, vc_kid))["sub"] == vp["iss"]
    user_vp = b64url_json(posts[1].request.form["vp_token"].split(".")[1])
    assert user_vp["iss"].startswith("did:jwk:")
    employee = b64url_json(user_vp["vp"]["verifiableCredential"][0].split(".")[1])
    assert employee["iss"].startswith("did:web:gp.example") and employee["vc"]["credentialSubject"][0] == {
        "id": user_vp["iss"],
        "identifier": "jdoe@huisarts-west.example",
        "name": "John Doe",
        "roleName": "Huisarts",
    }


def test_dpop_proofs_verify_and_bind_the_token(world: scenarios.World) -> None:
    """The token request's proof verifies with its own jwk; cnf.jkt is that key's thumbprint."""
    trace = world.sim.trace
    request = trace.find("token request")[0].request
    proof = request.header("DPoP")
    header = b64url_json(proof.split(".")[0])
    claims = verify_jwt(proof, header["jwk"])
    assert (header["typ"], claims["htm"], claims["htu"]) == ("dpop+jwt", "POST", f"{ISSUER}/token")
    introspection = trace.find("introspection")[0].response.json
    assert introspection["cnf"]["jkt"] == jwk.JWK(**header["jwk"]).thumbprint()
    resource_proof = trace.find("resource request")[0].request.header("DPoP")
    verify_jwt(resource_proof, b64url_json(resource_proof.split(".")[0])["jwk"])


def test_pkce_challenge_is_s256_of_the_verifier(world: scenarios.World) -> None:
    """code_challenge in JAR_1 (step 8) = BASE64URL(SHA256(code_verifier)) of the token request (step 22)."""
    trace = world.sim.trace
    jar1 = b64url_json(trace.find("request object")[0].response.body.split(".")[1])
    verifier = trace.find("token request")[0].request.form["code_verifier"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert jar1["code_challenge"] == digest and len(verifier) == 43


def test_introspection_carries_both_definitions(world: scenarios.World) -> None:
    """PROTOCOL.md §2.2 steps 23–25: client_id, iss, scope and the field ids of both PDs."""
    body = world.sim.trace.find("introspection")[0].response.json
    assert (body["client_id"], body["iss"], body["scope"]) == (CLIENT_ID, ISSUER, "zorgtoepassing")
    assert {
        k: body[k]
        for k in (
            "organization_name",
            "organization_city",
            "employee_identifier",
            "employee_name",
            "employee_role",
        )
    } == {
        "organization_name": "Huisartsenpraktijk West",
        "organization_city": "Utrecht",
        "employee_identifier": "jdoe@huisarts-west.example",
        "employee_name": "John Doe",
        "employee_role": "Huisarts",
    }


def test_session_cookie(world: scenarios.World) -> None:
    """__Secure-SID: 1 h, Secure, HttpOnly, SameSite=Strict, Path=/oauth2/<S>; sent back at step 11."""
    trace = world.sim.trace
    landing = trace.find("user landing")[0]
    cookie = landing.response.header("Set-Cookie")
    assert cookie.startswith("__Secure-SID=") and "Path=/oauth2/huisarts-west" in cookie
    assert all(a in cookie for a in ("Max-Age=3600", "Secure", "HttpOnly", "SameSite=Strict"))
    wallet_authorize = labelled(trace, "authorization request", "gp")[0]
    assert wallet_authorize.request.header("Cookie") == cookie.split(";")[0]
    assert trace.find("authorization callback")[0].request.header("Cookie") is None  # path /oauth2/callback
    assert world.browser.document_cookie(f"{CLIENT_ID}/authorize") == ""  # HttpOnly


def test_whole_flow_within_the_one_minute_timers(world: scenarios.World) -> None:
    """The browser part runs inside the 1-minute flow stores: every exchange at one simulated instant."""
    times = {x.time for x in world.sim.trace.exchanges}
    assert max(times) - min(times) < 60


def test_same_seed_same_trace() -> None:
    """A seed fixes ids, keys, signatures and message order."""
    first = scenarios.run("user", seed=4).sim.trace.to_json()
    assert scenarios.run("user", seed=4).sim.trace.to_json() == first
    assert scenarios.run("user", seed=5).sim.trace.to_json() != first


def test_without_user_definition_steps_16_to_18_vanish() -> None:
    """A profile with only an organization PD: the first direct_post already returns the code."""
    trace = scenarios.run("user-no-user-pd", seed=2).sim.trace
    assert trace.outcome["status"] == "granted"
    posts = trace.find("authorization response (direct_post)")
    assert len(posts) == 1 and posts[0].response.json["redirect_uri"].startswith(
        f"{GP}/oauth2/callback?code="
    )
    assert not trace.find("request object (post)")
    body = trace.find("introspection")[0].response.json
    assert "organization_name" in body and "employee_name" not in body


def test_cli_run_user_json() -> None:
    """`nutssim run user --format json` ends granted with the resource fetched."""
    done = subprocess.run(
        [sys.executable, "-m", "nutssim", "run", "user", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    export = json.loads(done.stdout)
    assert export["scenario"] == "user" and export["outcome"]["status"] == "granted"
    assert export["outcome"]["resource_status"] == 200
    senders = {e["from"] for e in export["events"] if e["type"] == "exchange"}
    assert {"browser", "ehr-gp", "gp", "hospital", "rs-hospital"} <= senders
