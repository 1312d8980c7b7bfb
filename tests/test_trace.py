"""The trace: queries, the JSON export contract (ARCHITECTURE.md "Trace export"), determinism, raw JWTs."""

from __future__ import annotations

import json

import pytest
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

from nutssim import jose
from nutssim.errors import OAuthError
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect, text_response
from nutssim.models.credential import credential_document, organization_subject
from nutssim.parties.base import Context, Party
from nutssim.parties.identity import DidWebHost
from nutssim.simulation import Simulation
from nutssim.specs import vc_verify
from nutssim.specs.did import resolve
from nutssim.specs.vc_jwt import (
    credential_from_jwt,
    issue_credential,
    present,
    presentation_from_jwt,
    to_rfc3339,
)
from nutssim.trace import FORMAT, Check, Exchange, Fact, PartyInfo, Trace

EXCHANGE_KEYS = {"seq", "time", "type", "from", "to", "parent", "label", "request", "response", "checks"}


class Verifier(Party):
    """Verifies a posted VP (VerifyVP, resolving DIDs as nested exchanges) and records the check."""

    role = "verifier"

    def __init__(self) -> None:
        super().__init__("verifier", "Verifier", "https://verifier.example")
        self.route("POST", "/verify", self.verify, "VP verification")

    def verify(self, request: HttpRequest, ctx: Context):
        vp = presentation_from_jwt(request.form["vp_token"])
        try:
            yield from vc_verify.verify_presentation(vp, ctx.now())
        except vc_verify.VerificationFailed as exc:
            ctx.fail(exc.check, "PROTOCOL.md §3.5", OAuthError("invalid_request", str(exc)))
        ctx.check("vp.verify", "PROTOCOL.md §3.5", True)
        ctx.fact("vp_verified", holder=vp.holder)
        return json_response(200, {"valid": True, "holder": vp.holder})


def post_vp(token: str):
    """The holder's process: post a VP to the verifier and return the response."""
    response = yield HttpRequest.post_form(
        "https://verifier.example/verify", {"vp_token": token}, headers={"Accept": "application/json"}
    )
    return response


def small_run(seed: int, *, tamper: bool = False) -> Simulation:
    """A did:web resolution, then a VP (one org VC) posted to a verifier that verifies it."""
    sim = Simulation(seed=seed)
    register = sim.add(DidWebHost("register", "Zorgregister", "https://register.example"))
    gp = sim.add(DidWebHost("gp", "Huisartsenpraktijk West", "https://gp.example"))
    issuer, holder = register.new_identity(sim.rng), gp.new_identity(sim.rng)
    for party in (register, gp):
        sim.describe(party)
    sim.add(Verifier())
    now = sim.clock.now()
    document = credential_document(
        id=f"{issuer.did}#{sim.rng.uuid()}",
        type="NutsOrganizationCredential",
        issuer=issuer.did,
        issuance_date=to_rfc3339(now),
        expiration_date=to_rfc3339(now + 3600),
        subject=organization_subject(holder.did, "Huisartsenpraktijk West", "Utrecht"),
    )
    vc = credential_from_jwt(issue_credential(document, issuer.key))
    sim.run(resolve(holder.did), "verifier")
    sim.clock.advance(1)
    token = present(
        [vc],
        holder.key,
        holder=holder.did,
        audience="https://verifier.example",
        nonce=sim.rng.token(),
        now=sim.clock.now(),
        lifetime=5,
        jti=f"{holder.did}#{sim.rng.uuid()}",
    )
    if tamper:
        token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    sim.run(post_vp(token), "gp")
    return sim


# -- export contract -----------------------------------------------------------------------------------------
def test_export_has_exactly_the_contract_fields():
    """The JSON export has exactly the fields of ARCHITECTURE.md "Trace export", at every level."""
    data = json.loads(small_run(42).trace.to_json())
    assert set(data) == {"format", "scenario", "seed", "profile", "parties", "events", "outcome"}
    assert (data["format"], data["scenario"], data["seed"], data["profile"]) == (
        FORMAT,
        None,
        42,
        "nuts-node",
    )
    assert FORMAT == "nutssim-trace/1"
    assert [p["id"] for p in data["parties"]] == ["register", "gp", "verifier"]
    for party in data["parties"]:
        assert set(party) == {"id", "name", "role", "host", "dids"}
    assert data["parties"][0]["dids"][0].startswith("did:web:register.example:iam:")
    exchanges = [e for e in data["events"] if e["type"] == "exchange"]
    assert len(exchanges) == 4  # holder, VP post, then holder key, issuer (resolved once: status and key)
    for event in exchanges:
        assert set(event) == EXCHANGE_KEYS
        assert isinstance(event["seq"], int) and isinstance(event["time"], int)
        request, response = event["request"], event["response"]
        assert (
            {"method", "url", "headers"}
            <= set(request)
            <= {"method", "url", "headers", "form", "json", "text"}
        )
        assert len(set(request) & {"form", "json", "text"}) <= 1
        assert {"status", "headers"} <= set(response) <= {"status", "headers", "json", "text", "location"}
        for check in event["checks"]:
            assert set(check) == {"id", "ref", "passed", "detail"}
    others = [e for e in data["events"] if e["type"] != "exchange"]
    assert [e["type"] for e in others] == ["vp_verified"]
    assert {"seq", "time", "type"} <= set(others[0])
    assert [e["seq"] for e in data["events"]] == sorted(e["seq"] for e in data["events"])
    assert data["outcome"] is None


def test_exchange_records_what_crossed_the_wire():
    """An exchange record carries from/to, label, the form as posted and the JSON as answered."""
    data = small_run(42).trace.to_dict()
    resolution, verification = data["events"][0], data["events"][1]
    assert (resolution["from"], resolution["to"], resolution["label"]) == (
        "verifier",
        "gp",
        "DID document (did:web)",
    )
    assert resolution["response"]["status"] == 200
    assert resolution["response"]["headers"] == {"Content-Type": "application/did+json"}
    assert resolution["response"]["json"]["id"].startswith("did:web:gp.example:iam:")
    assert (verification["from"], verification["to"], verification["label"]) == (
        "gp",
        "verifier",
        "VP verification",
    )
    assert verification["request"]["method"] == "POST"
    assert set(verification["request"]["form"]) == {"vp_token"}
    assert verification["response"]["json"]["valid"] is True
    assert verification["checks"] == [
        {"id": "vp.verify", "ref": "PROTOCOL.md §3.5", "passed": True, "detail": ""}
    ]
    assert verification["time"] == resolution["time"] + 1


def test_nested_exchanges_carry_parent():
    """Resolutions made while the verifier handles the VP name the VP exchange as their parent."""
    trace = small_run(42).trace
    first, outer, *nested = trace.exchanges
    assert first.parent is None and outer.parent is None
    assert [x.parent for x in nested] == [outer.seq] * 2
    assert [x.sender for x in nested] == ["verifier"] * 2
    assert [x.receiver for x in nested] == ["gp", "register"]
    assert all(x.seq > outer.seq for x in nested)
    (fact,) = trace.facts("vp_verified")
    assert fact.parent == outer.seq and fact.party == "verifier"


def test_failed_verification_is_recorded_as_a_failed_check_and_an_error():
    """A tampered VP gives a failed check on the exchange and an OAuth error response."""
    trace = small_run(42, tamper=True).trace
    outer = trace.find("VP verification")[0]
    assert outer.error == "invalid_request"
    assert [(c.id, c.passed) for c in outer.checks] == [("jws.signature", False)]
    assert trace.failed_checks() == [(outer, outer.checks[0])]
    assert outer.response.status == 400


# -- determinism ---------------------------------------------------------------------------------------------
def test_same_seed_gives_byte_identical_trace_json():
    """Two runs with one seed export the same bytes."""
    assert small_run(42).trace.to_json() == small_run(42).trace.to_json()


def test_different_seed_gives_different_trace():
    """Another seed changes keys, DIDs, nonces and signatures, so the export differs."""
    assert small_run(42).trace.to_json() != small_run(43).trace.to_json()


# -- raw messages re-verify elsewhere ------------------------------------------------------------------------
def test_raw_jwts_in_the_trace_reverify_with_jwcrypto():
    """The VP and its VC, read from the exported trace, verify with jwcrypto and the traced DID documents."""
    data = json.loads(small_run(42).trace.to_json())
    documents = {
        e["response"]["json"]["id"]: e["response"]["json"]
        for e in data["events"]
        if e["type"] == "exchange" and e["label"] == "DID document (did:web)"
    }

    def check(token: str) -> dict:
        kid = jose.decode(token).kid
        document = documents[kid.split("#")[0]]
        (method,) = [m for m in document["verificationMethod"] if m["id"] == kid]
        key = jwcrypto_jwk.JWK(**method["publicKeyJwk"])
        return json.loads(jwcrypto_jwt.JWT(jwt=token, key=key, check_claims=False).claims)

    vp_token = next(e for e in data["events"] if e.get("label") == "VP verification")["request"]["form"][
        "vp_token"
    ]
    vp_claims = check(vp_token)
    (vc_token,) = vp_claims["vp"]["verifiableCredential"]
    assert check(vc_token)["vc"]["credentialSubject"][0]["organization"]["city"] == "Utrecht"
    assert len(documents) == 2


# -- queries and records -------------------------------------------------------------------------------------
def _exchange(
    seq: int, label: str = "x", response: HttpResponse | None = None, parent: int | None = None
) -> Exchange:
    return Exchange(
        seq=seq,
        time=0,
        sender="a",
        receiver="b",
        parent=parent,
        label=label,
        request=HttpRequest.get("https://b.example/"),
        response=response or text_response(200, "ok"),
    )


def test_events_come_out_in_seq_order():
    """Events appended out of ``seq`` order (nested exchanges close first) come out sorted."""
    trace = Trace()
    trace.append(_exchange(2, "inner", parent=1))
    trace.append(_exchange(1, "outer"))
    trace.append(Fact(3, 0, "nonce_burned", "b", {"nonce": "n"}))
    assert [e.seq for e in trace.events] == [1, 2, 3]
    assert trace.labels() == ["outer", "inner"]
    assert [x.seq for x in trace.find("inner")] == [2]
    assert len(trace) == 3 and [e.seq for e in trace] == [1, 2, 3]


def test_next_seq_reserves_increasing_numbers():
    """``next_seq`` hands out 1, 2, 3, …"""
    trace = Trace()
    assert [trace.next_seq() for _ in range(3)] == [1, 2, 3]


def test_exchange_error_from_json_or_redirect():
    """``Exchange.error`` reads the OAuth error from a JSON body or a redirect's query, else None."""
    assert _exchange(1, response=json_response(400, {"error": "invalid_grant"})).error == "invalid_grant"
    assert (
        _exchange(1, response=redirect("https://c.example/cb?error=access_denied&state=s")).error
        == "access_denied"
    )
    assert _exchange(1, response=redirect("https://c.example/cb?code=1")).error is None
    assert _exchange(1, response=json_response(200, {"error": 5})).error is None


def test_records_of_checks_facts_and_parties():
    """Checks, facts and party entries serialise with their contract fields."""
    assert Check("a", "RFC 1 §2", False, "why").to_record() == {
        "id": "a",
        "ref": "RFC 1 §2",
        "passed": False,
        "detail": "why",
    }
    assert Fact(4, 10, "token_issued", "as", {"jti": "j"}, 3).to_record() == {
        "seq": 4,
        "time": 10,
        "type": "token_issued",
        "party": "as",
        "parent": 3,
        "jti": "j",
    }
    info = PartyInfo("s", "Subject", "subject", "https://n.example", ("did:web:n.example",), node="n")
    assert info.to_record()["node"] == "n"
    assert "node" not in PartyInfo("s", "S", "r", "h").to_record()


def test_note_appears_only_when_set():
    """An exchange's ``note`` is exported only when something happened to the message."""
    assert "note" not in _exchange(1).to_record()
    noted = Exchange(
        1,
        0,
        "a",
        "b",
        None,
        "x",
        HttpRequest.get("https://b.example/"),
        text_response(200, ""),
        note="dropped",
    )
    assert noted.to_record()["note"] == "dropped"


def test_exchanges_are_immutable():
    """Trace events are frozen."""
    with pytest.raises(AttributeError):
        _exchange(1).label = "changed"  # type: ignore[misc]


# -- causes ------------------------------------------------------------------------------------------------
def test_a_failed_check_exports_its_cause_next_to_the_contract_fields():
    """``cause`` joins ``id``, ``ref``, ``passed``, ``detail`` on a failed check; a passed one has none."""
    from nutssim.causes import SIGNATURE, Cause

    cause = Cause(SIGNATURE, "credential", "urn:vc:1", reason="unable to validate JWT signature")
    failed = Check("token.verify_vp", "RFC021 §4.2.4", False, "invalid VC", cause)
    assert failed.to_record() == {
        "id": "token.verify_vp",
        "ref": "RFC021 §4.2.4",
        "passed": False,
        "detail": "invalid VC",
        "cause": {
            "kind": "signature",
            "about": "credential",
            "subject": "urn:vc:1",
            "reason": "unable to validate JWT signature",
        },
    }
    assert set(Check("x", "y", True).to_record()) == {"id", "ref", "passed", "detail"}
    assert Cause.from_record(failed.to_record()["cause"]) == cause


def test_the_tampered_run_records_a_cause_for_its_failed_check():
    trace = small_run(42, tamper=True).trace
    (check,) = trace.find("VP verification")[0].checks
    assert check.cause is not None and check.cause.reason == check.detail
