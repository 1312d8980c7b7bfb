"""StatusList2021 on the network (PROTOCOL.md §3.6): revoke, cache, stale copy, fail open or closed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nutssim import jose, scenarios
from nutssim.errors import InputError
from nutssim.messages import HttpResponse, text_response
from nutssim.network import PassThrough
from nutssim.parties import issuer as issuer_module
from nutssim.parties.ehr import FlowResult
from nutssim.profiles import Profile
from nutssim.scenarios.s2s import EMPLOYEE
from nutssim.specs import jws2020, vc_jwt
from nutssim.specs import statuslist2021 as sl

STATUS_LIST = "status list (StatusList2021)"
PROFILES = ("nuts-node", "strict")
ANY_LIST = "application/json, application/vc+ld+json, application/vc+jwt"
REVOKED_CODE = {"nuts-node": "invalid_request", "strict": "invalid_verifiable_credentials"}


def world(profile: str | Profile = "nuts-node", name: str = "s2s") -> scenarios.World:
    """A fresh s2s world, nothing run yet."""
    return scenarios.build(name, seed=5, profile=profile)


def organization_credential(w: scenarios.World) -> Any:
    """The register's credential in the GP's wallet."""
    return w.register.issued[-1]


def request(w: scenarios.World) -> FlowResult:
    """One service-access flow that bypasses the GP node's token cache (so it reaches the AS)."""
    ehr, gp, hospital = w.ehr, w.requester, w.authorization_server
    process = ehr.service_access(gp.id, hospital.url, "eoverdracht", credentials=[EMPLOYEE], no_cache=True)
    result: FlowResult = w.sim.run(process, ehr.id)
    return result


def fetches(w: scenarios.World, since: int = 0) -> list[Any]:
    """The status list exchanges after ``since``."""
    return [x for x in w.sim.trace.find(STATUS_LIST) if x.seq > since]


def last_seq(w: scenarios.World) -> int:
    """The highest seq recorded so far."""
    return max((e.seq for e in w.sim.trace.events), default=0)


def checks(w: scenarios.World, check_id: str, since: int = 0) -> list[Any]:
    """Every check with this id made after ``since``."""
    return [c for x, c in w.sim.trace.checks() if c.id == check_id and x.seq > since]


def served_bit(exchange: Any, credential: Any) -> bool:
    """Read the JSON-LD status list as it crossed the wire and the credential's bit."""
    entry = sl.check_entry_syntax(credential.document["credentialStatus"], credential.document["@context"])
    assert entry is not None
    document = json.loads(exchange.response.body)
    status_list = sl.check_status_list_credential(document, list_url=entry.list_url)
    return sl.is_listed(entry, status_list)


@pytest.mark.parametrize("profile", PROFILES)
def test_revoked_credential_is_refused_with_the_reference_text(profile):
    """§4.2 #25: the bit is set, so VerifyVP refuses the credential with the reference's words."""
    w = world(profile)
    credential = organization_credential(w)
    w.register.revoke(credential)
    flow = w.run()
    trace = w.sim.trace
    assert trace.outcome["status"] == "denied"
    assert trace.outcome["error"] == {
        "error": REVOKED_CODE[profile],
        "error_description": "presentation(s) or credential(s) verification failed: "
        f"invalid VC (id={credential.id}): credential is revoked",
    }
    (fetch,) = fetches(w)
    token = trace.find("token request")[0]
    assert (fetch.sender, fetch.receiver, fetch.parent) == ("hospital", "register", token.seq)
    assert served_bit(fetch, credential) is True
    (failed,) = checks(w, "vc.revocation")
    assert not failed.passed and failed.detail.startswith(credential.id) and "is set" in failed.detail
    assert [f.data["id"] for f in trace.facts("credential_revoked")] == [credential.id]
    assert flow.result is not None and flow.result.status == "denied"


def test_revoke_and_unrevoke_round_trip_over_the_network():
    """The list as fetched carries the bit; after unrevoking and the cache's 15 minutes, access is back."""
    w = world()
    credential = organization_credential(w)
    w.register.revoke(credential)
    assert request(w).status == "denied"
    assert served_bit(fetches(w)[0], credential) is True
    w.register.unrevoke(credential)
    w.sim.clock.advance(16 * 60)
    mark = last_seq(w)
    assert request(w).status == "granted"
    (fetch,) = fetches(w, mark)
    assert served_bit(fetch, credential) is False
    (passed,) = checks(w, "vc.revocation", mark)
    assert passed.passed and "is clear" in passed.detail
    assert [f.type for f in w.sim.trace.facts() if f.type.startswith("credential_")] == [
        "credential_issued",
        "credential_revoked",
        "credential_unrevoked",
    ]


def test_a_second_flow_within_15_minutes_uses_the_cached_list():
    """PROTOCOL.md §0 maxAgeExternal: no second fetch within 15 minutes; the check still runs."""
    w = world()
    assert request(w).status == "granted"
    assert len(fetches(w)) == 1
    w.sim.clock.advance(10 * 60)
    mark = last_seq(w)
    assert request(w).status == "granted"
    assert fetches(w, mark) == []
    assert [c.passed for c in checks(w, "vc.revocation", mark)] == [True]


def test_the_list_is_fetched_again_after_16_minutes():
    """An external list older than 15 minutes is refreshed."""
    w = world()
    request(w)
    w.sim.clock.advance(16 * 60)
    mark = last_seq(w)
    request(w)
    assert len(fetches(w, mark)) == 1


def test_the_cache_boundary_is_strictly_older_than_15_minutes():
    """The reference refreshes when created + 15 min is before now: at exactly 15 minutes it does not."""
    w = world()
    request(w)
    w.sim.clock.advance(15 * 60)
    mark = last_seq(w)
    request(w)
    assert fetches(w, mark) == []
    w.sim.clock.advance(1)
    mark = last_seq(w)
    request(w)
    assert len(fetches(w, mark)) == 1


def test_an_expired_list_is_refreshed_before_15_minutes(monkeypatch):
    """The reference also refreshes a cached list whose expirationDate has passed (statusList())."""
    monkeypatch.setattr(issuer_module, "STATUS_LIST_VALIDITY", 60)
    w = world(Profile().without("http_cache"))
    request(w)
    w.sim.clock.advance(2 * 60)
    mark = last_seq(w)
    request(w)
    assert len(fetches(w, mark)) == 1


def test_an_expired_list_refresh_inside_max_age_is_an_http_cache_hit(monkeypatch):
    """The refresh's GET goes through the node's caching client: inside max-age=300 it stays on the node."""
    monkeypatch.setattr(issuer_module, "STATUS_LIST_VALIDITY", 60)
    w = world()
    request(w)
    w.sim.clock.advance(2 * 60)
    mark = last_seq(w)
    request(w)
    assert fetches(w, mark) == []
    hits = [f for f in w.sim.trace.facts("http_cache_hit") if f.seq > mark and f.data["label"] == STATUS_LIST]
    assert len(hits) == 1 and hits[0].data["fresh_for"] == 180


def test_a_revocation_inside_the_cache_window_goes_unnoticed_until_the_refresh():
    """A cached list is up to 15 minutes old: a fresh revocation is seen only after the refresh."""
    w = world()
    credential = organization_credential(w)
    assert request(w).status == "granted"
    w.register.revoke(credential)
    w.sim.clock.advance(5 * 60)
    assert request(w).status == "granted"
    w.sim.clock.advance(11 * 60)
    assert request(w).status == "denied"


@pytest.mark.parametrize("profile", PROFILES)
def test_a_failed_refresh_uses_the_stale_copy(profile):
    """PROTOCOL.md §3.6: if the refresh fails the stale copy is used, under either profile."""
    w = world(profile)
    credential = organization_credential(w)
    w.register.revoke(credential)
    assert request(w).status == "denied"
    w.register.status_list_online = False
    w.sim.clock.advance(16 * 60)
    mark = last_seq(w)
    result = request(w)
    (fetch,) = fetches(w, mark)
    assert fetch.response.status == 503
    stale = [c for c in checks(w, "vc.revocation_list", mark) if c.passed]
    assert stale and "stale copy used" in stale[0].detail
    assert result.status == "denied"
    assert result.error is not None and result.error["error_description"].endswith("credential is revoked")


def test_a_stale_clear_copy_keeps_strict_granting():
    """Strict fails closed only when it has no copy at all; a stale copy is still a copy."""
    w = world("strict")
    assert request(w).status == "granted"
    w.register.status_list_online = False
    w.sim.clock.advance(16 * 60)
    assert request(w).status == "granted"


def test_unreachable_list_fails_open_under_nuts_node():
    """§4.2 #30: a revoked credential whose list cannot be fetched is accepted (only logged)."""
    w = world("nuts-node")
    w.register.revoke(organization_credential(w))
    w.register.status_list_online = False
    w.run()
    assert w.sim.trace.outcome["status"] == "granted"
    (fetch,) = fetches(w)
    assert fetch.response.status == 503
    (opened,) = checks(w, "vc.revocation_list")
    assert opened.passed and "treated as not revoked" in opened.detail
    assert opened.ref == "PROTOCOL.md §3.6 (reference: fail open)"


def test_unreachable_list_fails_closed_under_strict():
    """Strict: a status that cannot be had makes the credential unverifiable."""
    w = world("strict")
    credential = organization_credential(w)
    w.register.status_list_online = False
    w.run()
    outcome = w.sim.trace.outcome
    assert outcome["status"] == "denied"
    assert outcome["error"]["error"] == "invalid_verifiable_credentials"
    assert outcome["error"]["error_description"] == (
        f"presentation(s) or credential(s) verification failed: invalid VC (id={credential.id}): "
        "unable to check revocation status: fetching "
        f"{w.register.status_list_url} failed: HTTP 503"
    )
    (closed,) = checks(w, "vc.revocation_list")
    assert not closed.passed


def test_the_revocation_check_can_be_switched_off():
    """With revocation_check off the verifier fetches nothing and accepts a revoked credential."""
    w = world(Profile("nuts-node").without("revocation_check"))
    w.register.revoke(organization_credential(w))
    w.run()
    assert w.sim.trace.outcome["status"] == "granted"
    assert fetches(w) == []


def test_a_revoked_json_ld_credential_is_refused():
    """The same status entry works for an ldp_vc credential (s2s-ldp, the reference's e2e policy)."""
    w = world(name="s2s-ldp")
    credential = organization_credential(w)
    assert credential.format == "ldp_vc"
    w.register.revoke(credential)
    w.run()
    assert w.sim.trace.outcome["error"]["error_description"].endswith(
        f"invalid VC (id={credential.id}): credential is revoked"
    )


class ListServer(PassThrough):
    """A man in the middle that answers the status list itself with ``make(url)`` (body, content type)."""

    def __init__(self, make: Any) -> None:
        self.make = make

    def on_request(self, delivery: Any) -> Any:
        """Answer status list requests itself."""
        request = delivery.request
        if "/statuslist/" not in request.path:
            return request
        body, content_type = self.make(request.url.split("?")[0])
        response: HttpResponse = text_response(200, body, content_type)
        return response


def list_document(issuer: str, url: str, bits: sl.Bitstring, now: int, **changes: Any) -> dict[str, Any]:
    """An unsigned status list credential for ``url`` issued ``now``, valid 24 h, with ``changes``."""
    document = sl.status_list_credential_document(
        issuer,
        url,
        bits,
        vc_jwt.to_rfc3339(now),
        credential_id=f"{issuer}#list",
        expiration_date_str=vc_jwt.to_rfc3339(now + 24 * 3600),
    )
    return {**document, **changes}


def ld_list(document: dict[str, Any], key: jose.KeyPair, created: int) -> str:
    """``document`` signed with a JsonWebSignature2020 proof by ``key``, as the reference writes it."""
    unsigned = {**document, "@context": [*document["@context"], jws2020.JWS2020_CONTEXT]}
    assert key.kid is not None
    return sl.go_json(jws2020.sign_credential(unsigned, key, verification_method=key.kid, created=created))


def serve_ld_list(w: Any, issuer: str, key: jose.KeyPair, created: int, **changes: Any) -> None:
    """Answer the status list with an empty JSON-LD list of ``issuer`` (``changes``), signed by ``key``."""
    now = w.sim.clock.now()
    w.sim.network.interceptors.append(
        ListServer(
            lambda url: (
                ld_list(list_document(issuer, url, sl.Bitstring(), now, **changes), key, created),
                "application/json",
            )
        )
    )


def outcome(w: scenarios.World) -> str:
    """The flow's outcome status."""
    return str(w.sim.trace.outcome["status"])


def revocation_verdict(w: scenarios.World) -> Any:
    """The single status list verdict (fail-open pass, or strict failure)."""
    (verdict,) = checks(w, "vc.revocation_list")
    return verdict


# -- FIDELITY.md "StatusList2021 wire format" ------------------------------------------------------
@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_register_serves_json_ld(profile):
    """The register serves JSON-LD with a JsonWebSignature2020 proof, as application/json, max-age=300."""
    w = world(profile)
    w.run()
    (fetch,) = fetches(w)
    response = fetch.response
    assert response.header("Content-Type") == "application/json"  # generated.go StatusList200JSONResponse
    assert response.header("Cache-Control") == "max-age=300"  # api.go cacheControlMaxAgeURLs
    assert fetch.request.header("Accept") == (None if profile == "nuts-node" else ANY_LIST)
    document = json.loads(response.body)
    assert response.body.endswith("}\n") and list(document) == [
        "@context",
        "id",
        "type",
        "issuer",
        "issuanceDate",
        "expirationDate",
        "credentialSubject",
        "proof",
    ]  # json.Encoder: go-did's member order, one line
    assert document["@context"] == [sl.VC_CONTEXT_V1, sl.STATUS_LIST_CONTEXT, jws2020.JWS2020_CONTEXT]
    proof = document["proof"]
    assert list(proof) == sorted(proof) and proof["type"] == "JsonWebSignature2020"
    assert proof["proofPurpose"] == "assertionMethod" and proof["created"] == document["issuanceDate"]
    assert proof["verificationMethod"].split("#")[0] == w.register.did
    jws2020.verify_proof(document, w.register.identity.key.public)
    sl.check_status_list_credential(document, list_url=w.register.status_list_url)
    (passed,) = checks(w, "vc.revocation")
    assert passed.passed and outcome(w) == "granted"


@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_revoked_in_a_json_ld_list(profile):
    """A revocation in the reference's JSON-LD list is seen under both profiles."""
    w = scenarios.build("trust-revoked", seed=5, profile=profile)
    w.run()
    assert outcome(w) == "denied"
    assert w.sim.trace.outcome["error"]["error_description"].endswith("credential is revoked")


@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_jwt_list_from_a_non_reference_register(profile):
    """A bare JWT list: the reference cannot json.Unmarshal it and fails open; strict reads it, refuses."""
    w = scenarios.build("trust-revoked", seed=5, profile=profile, status_list_format="jwt")
    w.run()
    (fetch,) = fetches(w)
    assert fetch.response.header("Content-Type") == "application/vc+jwt"
    if profile == "nuts-node":
        assert outcome(w) == "granted"
        verdict = revocation_verdict(w)
        assert verdict.passed and verdict.detail.endswith(
            "treated as not revoked: invalid character 'e' looking for beginning of value"
        )
        assert checks(w, "vc.revocation") == []
    else:
        assert outcome(w) == "denied"
        assert w.sim.trace.outcome["error"]["error_description"].endswith("credential is revoked")
    assert w.options["expect"] == {"nuts-node": "granted", "strict": "denied"}


@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_quoted_jwt_is_read_by_the_reference(profile):
    """A JWT sent as a JSON string passes json.Unmarshal; go-did then reads it as a JWT VC."""
    w = world(profile)
    register = w.register
    register.revoke(organization_credential(w))
    now = w.sim.clock.now()
    bits = register.status_bits
    token = vc_jwt.issue_credential(
        list_document(register.did, register.status_list_url, bits, now), register.identity.key
    )
    w.sim.network.interceptors.append(ListServer(lambda url: (json.dumps(token), "application/json")))
    w.run()
    assert outcome(w) == "denied"
    (revoked,) = checks(w, "vc.revocation")
    assert not revoked.passed


@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_tampered_json_ld_list(profile):
    """The bit cleared after signing: the proof fails; nuts-node fails open, strict closed."""
    w = world(profile)
    register = w.register
    register.revoke(organization_credential(w))
    now = w.sim.clock.now()

    def tampered(url: str) -> tuple[str, str]:
        signed = json.loads(
            ld_list(list_document(register.did, url, register.status_bits, now), register.identity.key, now)
        )
        signed["credentialSubject"]["encodedList"] = sl.Bitstring().encode()
        return sl.go_json(signed), "application/json"

    w.sim.network.interceptors.append(ListServer(tampered))
    w.run()
    verdict = revocation_verdict(w)
    # signature_verifier.go jsonldProof: "invalid signature: invalid proof signature: <jwx>".
    assert "invalid signature: invalid proof signature: invalid ECDSA signature" in verdict.detail
    assert checks(w, "vc.revocation") == []
    assert outcome(w) == ("granted" if profile == "nuts-node" else "denied")


@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_json_ld_list_signed_by_another_did(profile):
    """Issuer binding: a proof whose verificationMethod is not the list issuer's is refused."""
    w = world(profile)
    register = w.register
    register.revoke(organization_credential(w))
    attacker = w.sim.add_issuer("Mallory", host="mallory.example")
    now = w.sim.clock.now()
    serve_ld_list(w, register.did, attacker.identity.key, now)
    w.run()
    assert "verification method is not of issuer" in revocation_verdict(w).detail
    assert outcome(w) == ("granted" if profile == "nuts-node" else "denied")


@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_proof_created_in_the_future(profile):
    """ProofOptions.ValidAt(now, 5 s): a proof created 10 s ahead is refused (nuts-node: fail-open)."""
    w = world(profile)
    register = w.register
    now = w.sim.clock.now()
    key = register.identity.key
    serve_ld_list(w, register.did, key, now + 10)
    w.run()
    assert "not valid at given time" in revocation_verdict(w).detail
    assert outcome(w) == ("granted" if profile == "nuts-node" else "denied")


@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_expired_list(profile):
    """The list's own expirationDate: the reference does not judge it (only refreshes); strict does."""
    w = world(profile)
    register = w.register
    now = w.sim.clock.now()
    key = register.identity.key
    expired = {"issuanceDate": vc_jwt.to_rfc3339(now - 7200), "expirationDate": vc_jwt.to_rfc3339(now - 3600)}
    serve_ld_list(w, register.did, key, now - 7200, **expired)
    w.run()
    if profile == "nuts-node":
        (passed,) = checks(w, "vc.revocation")
        assert passed.passed and outcome(w) == "granted"
    else:
        assert "credential not valid at given time" in revocation_verdict(w).detail
        assert outcome(w) == "denied"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"type": ["VerifiableCredential", "StatusList2021Credential", "https://example.org/Extra"]},
            "contains other types",
        ),
        ({"type": ["VerifiableCredential"]}, "type 'StatusList2021Credential' is required"),
    ],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_list_type(profile, changes, words):
    """validate(): the list credential's types; refused before its proof is looked at."""
    w = world(profile)
    register = w.register
    now = w.sim.clock.now()
    key = register.identity.key
    serve_ld_list(w, register.did, key, now, **changes)
    w.run()
    assert words in revocation_verdict(w).detail
    assert outcome(w) == ("granted" if profile == "nuts-node" else "denied")


@pytest.mark.parametrize("profile", PROFILES)
def test_statuslist2021_wire_format_status_purpose_mismatch(profile):
    """A list for another statusPurpose cannot answer a revocation entry (Verify: purposes must agree)."""
    w = world(profile)
    register = w.register
    now = w.sim.clock.now()
    key = register.identity.key

    def suspension(url: str) -> tuple[str, str]:
        document = list_document(register.did, url, sl.Bitstring(), now)
        document["credentialSubject"] = {**document["credentialSubject"], "statusPurpose": "suspension"}
        return ld_list(document, key, now), "application/json"

    w.sim.network.interceptors.append(ListServer(suspension))
    w.run()
    assert "does not match vc.credentialStatus.statusPurpose='revocation'" in revocation_verdict(w).detail
    assert outcome(w) == ("granted" if profile == "nuts-node" else "denied")


def test_statuslist2021_wire_format_the_register_keeps_its_list_until_a_quarter_of_validity_is_left():
    """statuslist2021_issuer.go Credential: the stored list is served again; a revocation re-issues it."""
    w = world()
    register, credential = w.register, organization_credential(w)
    request(w)
    w.sim.clock.advance(16 * 60)
    request(w)
    first, second = (x.response.body for x in fetches(w))
    assert first == second
    register.revoke(credential)
    w.sim.clock.advance(16 * 60)
    request(w)
    third = fetches(w)[-1].response.body
    assert third != second and served_bit(fetches(w)[-1], credential) is True
    w.sim.clock.advance(18 * 3600 + 1)  # less than 6 h of the 24 h left: a new list
    request(w)
    assert json.loads(fetches(w)[-1].response.body)["issuanceDate"] != json.loads(third)["issuanceDate"]


@pytest.mark.parametrize("fmt", ["ldp", "jwt"])
def test_statuslist2021_wire_format_traces_are_deterministic(fmt):
    """Same seed, same bytes: the served list (and the whole trace) does not vary between runs."""
    bodies = []
    for _ in range(2):
        w = scenarios.build("trust-revoked", seed=11, status_list_format=fmt)
        w.run()
        bodies.append([x.response.body for x in fetches(w)])
    assert bodies[0] == bodies[1] and bodies[0]


def test_statuslist2021_wire_format_unknown_register_format_is_refused():
    """A typo in the register option is a user error with a hint, not a traceback later."""
    w = world()
    with pytest.raises(InputError, match="unknown status list format 'jtw'"):
        w.register.status_list_format = "jtw"


class ForgedList(PassThrough):
    """A man in the middle that answers the status list with an all-clear list signed by its own key."""

    def __init__(self, issuer_did: str, key: jose.KeyPair) -> None:
        self.issuer_did = issuer_did
        self.key = key

    def on_request(self, delivery: Any) -> Any:
        """Answer status list requests itself."""
        request = delivery.request
        if "/statuslist/" not in request.path:
            return request
        document = sl.status_list_credential_document(
            self.issuer_did, request.url.split("?")[0], sl.Bitstring(), vc_jwt.to_rfc3339(0)
        )
        token = vc_jwt.issue_credential(document, self.key)  # a JWT list: strict reads it
        response: HttpResponse = text_response(200, token, "application/vc+jwt")
        return response


@pytest.mark.parametrize("profile", PROFILES)
def test_a_list_signed_by_another_did_is_not_accepted(profile, make_identity):
    """A status list whose kid is not a key of its issuer (§3.2) is invalid, not an all-clear."""
    w = world(profile)
    register = w.register
    credential = organization_credential(w)
    register.revoke(credential)
    attacker = w.sim.add_issuer("Mallory", host="mallory.example")
    w.sim.network.interceptors.append(ForgedList(register.did, attacker.identity.key))
    w.run()
    (verdict,) = checks(w, "vc.revocation_list")
    # The reference cannot even parse a bare JWT list; strict parses it and refuses its kid.
    words = "invalid character 'e'" if profile == "nuts-node" else "does not match signing key DID"
    assert words in verdict.detail
    # The reference fails open on an invalid list, strict fails closed: neither reads it as "clear".
    assert checks(w, "vc.revocation") == []
    assert w.sim.trace.outcome["status"] == ("granted" if profile == "nuts-node" else "denied")


@pytest.mark.parametrize(("profile", "status"), [("nuts-node", "granted"), ("nuts-node-gf", "denied")])
def test_a_crit_jwt_list_depends_on_the_reference_version(profile, status):
    """A JWT list with crit: master's jwx v3.2.0 refuses it (fail open), project-gf's v2.1.6 reads it."""
    from nutssim.catalogue.attacker import resign

    w = world(profile)
    register = w.register
    register.revoke(organization_credential(w))
    now = w.sim.clock.now()
    document = list_document(register.did, register.status_list_url, register.status_bits, now)
    token = vc_jwt.issue_credential(document, register.identity.key)
    token = resign(token, register.identity.key, header={"crit": ["x-ext"], "x-ext": True})
    w.sim.network.interceptors.append(ListServer(lambda url: (json.dumps(token), "application/json")))
    w.run()
    assert outcome(w) == status
    if profile == "nuts-node":
        assert "has not declared support for it" in revocation_verdict(w).detail
