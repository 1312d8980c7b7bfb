"""JsonWebSignature2020 proofs: round trips, every tampering refused by name, interop, time checks."""

from __future__ import annotations

import copy
import hashlib
import json
import socket

import pytest
import requests
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS
from pyld import jsonld as pyld_jsonld

from nutssim.errors import InputError, ProtocolError
from nutssim.jose import KeyPair
from nutssim.rng import SimRandom, b64url
from nutssim.specs import jws2020
from nutssim.specs.jsonld import (
    JWS2020_CONTEXT,
    NUTS_2024_CONTEXT,
    NUTS_V1_CONTEXT,
    STATUSLIST2021_CONTEXT,
    VC_V1_CONTEXT,
    UndefinedTermError,
    UnknownContextError,
)
from nutssim.specs.jws2020 import (
    InvalidProofSignature,
    InvalidTimestamp,
    MalformedProof,
    ProofMissing,
    ProofNotValidAtTime,
    ProofPurposeMismatch,
    UnsupportedJwsHeader,
    UnsupportedProofType,
)
from tests.reference_data import PACKAGE_CONTEXTS

T = 1_718_000_000  # 2024-06-10T06:13:20Z
ISSUER = "did:web:register.example"
HOLDER = "did:web:gp.example:iam:1"
AS_URL = "https://hospital.example/oauth2/oost"
NONCE = "n-0S6_WzA2Mj"


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test here that tried to fetch a document: pyld's own loader, requests, sockets."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(pyld_jsonld, "_default_document_loader", refuse)
    monkeypatch.setattr(requests.Session, "request", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield
    assert attempts == [], "network access attempted"


@pytest.fixture(params=["ES256", "EdDSA"])
def alg(request):
    return request.param


@pytest.fixture
def issuer_key(alg):
    return KeyPair.generate(SimRandom(11), alg)


@pytest.fixture
def holder_key(alg):
    return KeyPair.generate(SimRandom(12), alg)


def _org_credential(name="Huisartsenpraktijk West", credential_id=f"{ISSUER}#1") -> dict:
    return jws2020.nuts_organization_credential_ld(
        credential_id=credential_id, issuer=ISSUER, subject=HOLDER, name=name, city="Utrecht", issuance_date=T
    )


def _employee_credential() -> dict:
    return jws2020.nuts_employee_credential_ld(
        credential_id=f"{HOLDER}#2",
        holder=HOLDER,
        identifier="jdoe@gp.example",
        name="Jane Doe",
        role="Verpleegkundige",
        issuance_date=T,
    )


def _signed_credential(key, **changes) -> dict:
    return jws2020.sign_credential(
        _org_credential(**changes), key, verification_method=f"{ISSUER}#key-1", created=T
    )


def _signed_presentation(holder_key, issuer_key) -> dict:
    vp = jws2020.presentation_ld(
        presentation_id=f"{HOLDER}#vp-1",
        holder=HOLDER,
        credentials=[_signed_credential(issuer_key), _employee_credential()],
    )
    return jws2020.sign_presentation(
        vp,
        holder_key,
        verification_method=f"{HOLDER}#key-1",
        created=T,
        expires=T + 5,
        domain=AS_URL,
        challenge=NONCE,
        nonce=NONCE,
    )


# -- round trips -----------------------------------------------------------------------------------
def test_credential_round_trip(issuer_key, alg):
    credential = _signed_credential(issuer_key)
    jws2020.verify_proof(credential, issuer_key.public)
    proof = credential["proof"]
    assert proof["type"] == "JsonWebSignature2020"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == f"{ISSUER}#key-1"
    assert proof["created"] == "2024-06-10T06:13:20Z"
    header = json.loads(jws2020.jose.b64url_decode(proof["jws"].split(".")[0]))
    assert header == {"alg": alg, "b64": False, "crit": ["b64"]}
    assert proof["jws"].split(".")[1] == ""


def test_presentation_round_trip_with_two_credentials(holder_key, issuer_key):
    vp = _signed_presentation(holder_key, issuer_key)
    jws2020.verify_proof(vp, holder_key.public, proof_purpose="authentication")
    proof = jws2020.proof_of(vp)
    assert {k: proof[k] for k in ("domain", "challenge", "nonce", "created", "expires")} == {
        "domain": AS_URL,
        "challenge": NONCE,
        "nonce": NONCE,
        "created": "2024-06-10T06:13:20Z",
        "expires": "2024-06-10T06:13:25Z",
    }
    assert vp["@context"] == [VC_V1_CONTEXT, JWS2020_CONTEXT]
    organization, employee = vp["verifiableCredential"]
    jws2020.verify_proof(organization, issuer_key.public, proof_purpose="assertionMethod")
    with pytest.raises(ProofMissing):
        jws2020.verify_proof(employee, holder_key.public)


def test_signing_is_deterministic_and_pure(issuer_key):
    unsigned = _org_credential()
    before = copy.deepcopy(unsigned)
    method = f"{ISSUER}#key-1"
    first = jws2020.sign_credential(unsigned, issuer_key, verification_method=method, created=T)
    again = jws2020.sign_credential(unsigned, issuer_key, verification_method=method, created=T)
    later = jws2020.sign_credential(unsigned, issuer_key, verification_method=method, created=T + 1)
    assert first == again
    assert first["proof"]["jws"] != later["proof"]["jws"]
    assert unsigned == before


def test_same_seed_gives_the_same_proof(alg):
    a = _signed_credential(KeyPair.generate(SimRandom(5), alg))
    b = _signed_credential(KeyPair.generate(SimRandom(5), alg))
    assert a == b


# -- every tampering refused with its reason -------------------------------------------------------
def _change_claim(vp):
    vp["verifiableCredential"][0]["credentialSubject"]["organization"]["name"] = "Kwaadaardig BV"


def _change_self_attested_claim(vp):
    vp["verifiableCredential"][1]["credentialSubject"]["roleName"] = "Arts"


def _change_domain(vp):
    vp["proof"]["domain"] = "https://attacker.example/oauth2/x"


def _change_challenge(vp):
    vp["proof"]["challenge"] = "replayed"


def _change_nonce(vp):
    vp["proof"]["nonce"] = "replayed"


def _change_created(vp):
    vp["proof"]["created"] = "2024-06-10T06:13:21Z"


def _change_expires(vp):
    vp["proof"]["expires"] = "2024-06-10T07:13:25Z"


def _change_holder(vp):
    vp["holder"] = "did:web:attacker.example"


def _drop_credential(vp):
    vp["verifiableCredential"] = vp["verifiableCredential"][:1]


def _inline_context_redefines_a_term(vp):
    # An unprotected term given another meaning: same JSON, different graph.
    vp["@context"] = [*vp["@context"], {"JsonWebKey2020": "https://evil.example/K"}]
    vp["verifiableCredential"][1]["type"].append("JsonWebKey2020")


@pytest.mark.parametrize(
    "tamper",
    [
        _change_claim,
        _change_self_attested_claim,
        _change_domain,
        _change_challenge,
        _change_nonce,
        _change_created,
        _change_expires,
        _change_holder,
        _drop_credential,
        _inline_context_redefines_a_term,
    ],
)
def test_presentation_tampering_breaks_the_signature(holder_key, issuer_key, tamper):
    vp = _signed_presentation(holder_key, issuer_key)
    tamper(vp)
    with pytest.raises(InvalidProofSignature, match="signature invalid") as info:
        jws2020.verify_proof(vp, holder_key.public)
    assert info.value.check == "jws2020.signature"


def test_changed_claim_in_credential_is_refused(issuer_key):
    credential = _signed_credential(issuer_key)
    credential["credentialSubject"]["organization"]["city"] = "Amsterdam"
    with pytest.raises(InvalidProofSignature, match="signature invalid"):
        jws2020.verify_proof(credential, issuer_key.public)


def test_changed_context_is_refused(issuer_key):
    credential = _signed_credential(issuer_key)
    credential["@context"] = [VC_V1_CONTEXT, NUTS_2024_CONTEXT, JWS2020_CONTEXT]
    # NutsOrganizationCredential and organization lose their meaning: refused before hashing.
    with pytest.raises(UndefinedTermError, match="organization"):
        jws2020.verify_proof(credential, issuer_key.public)


def test_context_from_elsewhere_is_refused(issuer_key):
    credential = _signed_credential(issuer_key)
    credential["@context"] = [*credential["@context"], "https://attacker.example/context.jsonld"]
    with pytest.raises(UnknownContextError, match=r"attacker\.example"):
        jws2020.verify_proof(credential, issuer_key.public)


def test_unsigned_claim_added_next_to_signed_ones_is_refused(issuer_key):
    credential = _signed_credential(issuer_key)
    credential["credentialSubject"]["organization"]["agb"] = "01234567"
    with pytest.raises(UndefinedTermError, match="agb"):
        jws2020.verify_proof(credential, issuer_key.public)


def test_proof_moved_to_another_document_is_refused(issuer_key):
    genuine = _signed_credential(issuer_key)
    forged = _org_credential(name="Kwaadaardig BV", credential_id=f"{ISSUER}#2")
    forged["proof"] = genuine["proof"]
    with pytest.raises(InvalidProofSignature, match="signature invalid"):
        jws2020.verify_proof(forged, issuer_key.public)


def test_wrong_key_is_refused(issuer_key, alg):
    credential = _signed_credential(issuer_key)
    other = KeyPair.generate(SimRandom(99), alg)
    with pytest.raises(InvalidProofSignature, match="signature invalid"):
        jws2020.verify_proof(credential, other.public)


def test_key_of_another_type_is_refused(issuer_key, alg):
    credential = _signed_credential(issuer_key)
    other = KeyPair.generate(SimRandom(99), "EdDSA" if alg == "ES256" else "ES256")
    with pytest.raises(UnsupportedJwsHeader, match="does not fit"):
        jws2020.verify_proof(credential, other.public)


def _resign(document, key, header):
    """Re-sign ``document``'s proof under another JWS header, so only the header is at fault."""
    proof = jws2020.proof_of(document)
    encoded = b64url(json.dumps(header, separators=(",", ":")).encode())
    data = jws2020.verify_data(document, proof)
    signature = key.sign(encoded.encode() + b"." + data)
    return {**document, "proof": {**proof, "jws": f"{encoded}..{b64url(signature)}"}}


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"b64": True, "crit": ["b64"]}, "b64 header must be false"),
        ({"crit": ["b64"]}, "b64 header must be false"),
        ({"b64": False}, "crit header must list b64"),
        ({"b64": False, "crit": ["b64", "exp"]}, "unsupported critical header"),
        ({"b64": False, "crit": ["b64"], "alg": "none"}, "alg none"),
        ({"b64": False, "crit": ["b64"], "alg": "HS256"}, "not allowed"),
    ],
)
def test_jws_header_is_checked(issuer_key, header, reason):
    credential = _resign(_signed_credential(issuer_key), issuer_key, {"alg": issuer_key.alg, **header})
    with pytest.raises(UnsupportedJwsHeader, match=reason) as info:
        jws2020.verify_proof(credential, issuer_key.public)
    assert info.value.check == "jws2020.header"


def test_resigned_with_the_right_header_verifies(issuer_key):
    header = {"alg": issuer_key.alg, "b64": False, "crit": ["b64"]}
    jws2020.verify_proof(_resign(_signed_credential(issuer_key), issuer_key, header), issuer_key.public)


def test_algorithm_outside_the_allowed_list_is_refused(issuer_key):
    with pytest.raises(UnsupportedJwsHeader, match="not allowed"):
        jws2020.verify_proof(_signed_credential(issuer_key), issuer_key.public, allowed_algs=("PS256",))


@pytest.mark.parametrize(
    ("mutate", "error", "reason"),
    [
        (lambda d: d.pop("proof"), ProofMissing, "proof missing"),
        (lambda d: d.update(proof=None), ProofMissing, "proof missing"),
        (lambda d: d.update(proof=[]), ProofMissing, "proof missing"),
        (lambda d: d.update(proof=[d["proof"], d["proof"]]), MalformedProof, "exactly one proof"),
        (lambda d: d.update(proof="x"), MalformedProof, "JSON object"),
        (lambda d: d["proof"].update(type="Ed25519Signature2018"), UnsupportedProofType, "unsupported proof"),
        (lambda d: d["proof"].pop("jws"), MalformedProof, "detached"),
        (lambda d: d["proof"].update(jws="a.b.c"), MalformedProof, "detached"),
        (lambda d: d["proof"].update(jws="!!..sig"), MalformedProof, "base64url"),
        (lambda d: d["proof"].update(jws=b64url(b"[1]") + "..AA"), MalformedProof, "JSON object"),
    ],
)
def test_malformed_proofs_are_refused_by_name(issuer_key, mutate, error, reason):
    credential = _signed_credential(issuer_key)
    mutate(credential)
    with pytest.raises(error, match=reason):
        jws2020.verify_proof(credential, issuer_key.public)


def test_single_proof_in_a_list_is_accepted(issuer_key):
    credential = _signed_credential(issuer_key)
    credential["proof"] = [credential["proof"]]
    jws2020.verify_proof(credential, issuer_key.public)


def test_proof_purpose_is_checked_when_asked(issuer_key):
    with pytest.raises(ProofPurposeMismatch, match="authentication"):
        jws2020.verify_proof(
            _signed_credential(issuer_key), issuer_key.public, proof_purpose="authentication"
        )


def test_every_refusal_is_a_protocol_error_with_a_check():
    for error in (
        ProofMissing,
        MalformedProof,
        UnsupportedProofType,
        UnsupportedJwsHeader,
        InvalidProofSignature,
        ProofNotValidAtTime,
        InvalidTimestamp,
        ProofPurposeMismatch,
    ):
        assert issubclass(error, ProtocolError)
        assert error.check.startswith("jws2020.")


# -- interop: verify without nutssim's JSON-LD or JWS code -----------------------------------------
_CONTEXT_FILES = {
    "https://www.w3.org/2018/credentials/v1": "w3c-credentials-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "w3c-statuslist2021.jsonld",
    "https://w3c-ccg.github.io/lds-jws2020/contexts/lds-jws2020-v1.json": "lds-jws2020-v1.jsonld",
    "https://nuts.nl/credentials/v1": "nuts.jsonld",
    "https://nuts.nl/credentials/2024": "nuts-2024.jsonld",
}


def _independent_loader(url, options):
    # read the files directly, not through nutssim's loader
    document = json.loads((PACKAGE_CONTEXTS / _CONTEXT_FILES[url]).read_text(encoding="utf-8"))
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


def _independent_verify_data(document: dict) -> bytes:
    """The JWS2020 signing payload, computed with plain pyld and hashlib."""
    proof = {k: v for k, v in document["proof"].items() if k != "jws"}
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": _independent_loader,
    }

    def digest(doc: dict) -> bytes:
        return hashlib.sha256(pyld_jsonld.normalize(doc, options).encode("utf-8")).digest()

    body = {k: v for k, v in document.items() if k != "proof"}
    return digest({"@context": document["@context"], **proof}) + digest(body)


def test_interop_proofs_verify_with_pyld_and_jwcrypto(holder_key, issuer_key):
    vp = _signed_presentation(holder_key, issuer_key)
    for document, key in ((vp, holder_key), (vp["verifiableCredential"][0], issuer_key)):
        jws = JWS()
        jws.deserialize(document["proof"]["jws"])
        jws.verify(JWK(**key.public_jwk()), detached_payload=_independent_verify_data(document))
        assert jws.jose_header == {"alg": key.alg, "b64": False, "crit": ["b64"]}


def test_interop_jwcrypto_made_proof_verifies_here(issuer_key):
    unsigned = _org_credential()
    proof = {
        "type": "JsonWebSignature2020",
        "proofPurpose": "assertionMethod",
        "verificationMethod": f"{ISSUER}#key-1",
        "created": "2024-06-10T06:13:20Z",
    }
    data = _independent_verify_data({**unsigned, "proof": proof})
    jws = JWS(data)
    header = {"alg": issuer_key.alg, "b64": False, "crit": ["b64"]}
    private = JWK.from_pem(issuer_key.private_pem())
    jws.add_signature(private, alg=issuer_key.alg, protected=json.dumps(header))
    jws.detach_payload()
    credential = {**unsigned, "proof": {**proof, "jws": jws.serialize(compact=True)}}
    jws2020.verify_proof(credential, issuer_key.public)
    credential["credentialSubject"]["organization"]["city"] = "Amsterdam"
    with pytest.raises(InvalidProofSignature):
        jws2020.verify_proof(credential, issuer_key.public)


# -- signing refuses a user's mistakes ------------------------------------------------------------
def test_signing_a_document_without_the_jws2020_context_is_a_user_error(issuer_key):
    unsigned = {**_org_credential(), "@context": [VC_V1_CONTEXT, NUTS_V1_CONTEXT]}
    with pytest.raises(InputError, match="lds-jws2020"):
        jws2020.sign_credential(unsigned, issuer_key, verification_method=f"{ISSUER}#k", created=T)


def test_signing_a_document_with_undefined_terms_is_a_user_error(issuer_key):
    unsigned = {**_org_credential(), "colour": "blue"}
    with pytest.raises(InputError, match="colour"):
        jws2020.sign_credential(unsigned, issuer_key, verification_method=f"{ISSUER}#k", created=T)


@pytest.mark.parametrize(
    ("document", "kwargs", "reason"),
    [
        ({**_org_credential(), "proof": {}}, {}, "already has a proof"),
        ([], {}, "JSON object"),
        (_org_credential(), {"verification_method": ""}, "verification_method"),
        (_org_credential(), {"created": "2024-06-10T06:13:20Z"}, "epoch seconds"),
        (_org_credential(), {"created": True}, "epoch seconds"),
    ],
)
def test_signing_refuses_bad_arguments(issuer_key, document, kwargs, reason):
    arguments = {"verification_method": f"{ISSUER}#k", "created": T, **kwargs}
    with pytest.raises(InputError, match=reason):
        jws2020.sign_credential(document, issuer_key, **arguments)


def test_signing_needs_a_key_pair(issuer_key):
    with pytest.raises(InputError, match="KeyPair"):
        jws2020.sign_credential(
            _org_credential(), issuer_key.public, verification_method="did:x:1#k", created=T
        )


# -- time helpers (PROTOCOL.md §3.5 step 2) --------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "valid"),
    [
        (T - 5, True),  # created ≤ now + 5
        (T - 6, False),
        (T + 10, True),  # expires (T + 5) + 5 ≥ now
        (T + 11, False),
    ],
)
def test_check_proof_time_boundaries(now, valid):
    proof = {"created": jws2020.to_rfc3339(T), "expires": jws2020.to_rfc3339(T + 5)}
    if valid:
        jws2020.check_proof_time(proof, now)
    else:
        with pytest.raises(ProofNotValidAtTime, match="presentation not valid at given time"):
            jws2020.check_proof_time(proof, now)


def test_check_proof_time_without_expiry_has_no_upper_bound():
    jws2020.check_proof_time({"created": jws2020.to_rfc3339(T)}, T + 10**6)


def test_check_proof_time_needs_created():
    with pytest.raises(MalformedProof, match="created"):
        jws2020.check_proof_time({"expires": jws2020.to_rfc3339(T)}, T)


def test_check_proof_time_skew_is_configurable():
    proof = {"created": jws2020.to_rfc3339(T + 30)}
    jws2020.check_proof_time(proof, T, skew=30)
    with pytest.raises(ProofNotValidAtTime):
        jws2020.check_proof_time(proof, T, skew=29)


def test_proof_times_and_accessors(holder_key, issuer_key):
    proof = jws2020.proof_of(_signed_presentation(holder_key, issuer_key))
    assert jws2020.proof_times(proof) == (T, T + 5)
    assert jws2020.proof_times({}) == (None, None)
    assert jws2020.verification_method_did(proof) == HOLDER


@pytest.mark.parametrize("method", [None, 7, "key-1", "https://x.example#k"])
def test_verification_method_did_needs_a_did_url(method):
    with pytest.raises(MalformedProof, match="verificationMethod"):
        jws2020.verification_method_did({"verificationMethod": method})


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2024-06-10T06:13:20Z", T),
        ("2024-06-10t06:13:20z", T),
        ("2024-06-10T08:13:20+02:00", T),
        ("2024-06-10T06:13:20.999Z", T),
        ("2024-06-10T06:13:20.123456789Z", T),
        ("1970-01-01T00:00:00Z", 0),
    ],
)
def test_from_rfc3339(text, epoch):
    assert jws2020.from_rfc3339(text) == epoch


@pytest.mark.parametrize(
    "text",
    ["2024-06-10T06:13:20", "2024-06-10 06:13:20Z", "2024-13-10T06:13:20Z", "yesterday", 1718000000, None],
)
def test_from_rfc3339_refuses_what_is_not_rfc3339(text):
    with pytest.raises(InvalidTimestamp):
        jws2020.from_rfc3339(text)


def test_to_rfc3339_round_trips():
    assert jws2020.to_rfc3339(T) == "2024-06-10T06:13:20Z"
    assert jws2020.from_rfc3339(jws2020.to_rfc3339(T)) == T


@pytest.mark.parametrize("value", [1.5, "1718000000", True, -1, None])
def test_to_rfc3339_refuses_what_is_not_epoch_seconds(value):
    with pytest.raises(InputError):
        jws2020.to_rfc3339(value)


# -- document builders (PROTOCOL.md §1.3, §3.3, §3.6) ---------------------------------------------
def test_organization_credential_shape():
    credential = _org_credential()
    assert credential["@context"] == [VC_V1_CONTEXT, NUTS_V1_CONTEXT, JWS2020_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "NutsOrganizationCredential"]
    assert credential["id"].startswith(f"{ISSUER}#")
    assert credential["credentialSubject"] == {
        "id": HOLDER,
        "organization": {"name": "Huisartsenpraktijk West", "city": "Utrecht"},
    }
    assert "expirationDate" not in credential


def test_organization_credential_with_status_and_expiry():
    status = {
        "id": "https://register.example/statuslist/1#7",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://register.example/statuslist/1",
    }
    credential = jws2020.nuts_organization_credential_ld(
        credential_id=f"{ISSUER}#1",
        issuer=ISSUER,
        subject=HOLDER,
        name="X",
        city="Y",
        issuance_date=T,
        expiration_date=T + 3600,
        credential_status=status,
    )
    assert credential["@context"][-1] == STATUSLIST2021_CONTEXT
    assert credential["expirationDate"] == "2024-06-10T07:13:20Z"
    assert credential["credentialStatus"] == status


def test_status_credential_signs_and_verifies(issuer_key):
    status = {
        "id": "https://register.example/statuslist/1#7",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://register.example/statuslist/1",
    }
    unsigned = jws2020.nuts_organization_credential_ld(
        credential_id=f"{ISSUER}#1",
        issuer=ISSUER,
        subject=HOLDER,
        name="X",
        city="Y",
        issuance_date=T,
        credential_status=status,
    )
    signed = jws2020.sign_credential(unsigned, issuer_key, verification_method=f"{ISSUER}#k", created=T)
    jws2020.verify_proof(signed, issuer_key.public)
    signed["credentialStatus"]["statusListIndex"] = "8"
    with pytest.raises(InvalidProofSignature):
        jws2020.verify_proof(signed, issuer_key.public)


def test_employee_credential_is_self_attested():
    credential = _employee_credential()
    assert credential["issuer"] == credential["credentialSubject"]["id"] == HOLDER
    assert "proof" not in credential
    assert credential["credentialSubject"]["roleName"] == "Verpleegkundige"


def test_presentation_with_one_credential_embeds_it_as_an_object(holder_key, issuer_key):
    vp = jws2020.presentation_ld(
        presentation_id=f"{HOLDER}#vp", holder=HOLDER, credentials=[_employee_credential()]
    )
    assert isinstance(vp["verifiableCredential"], dict)
    signed = jws2020.sign_presentation(
        vp,
        holder_key,
        verification_method=f"{HOLDER}#k",
        created=T,
        expires=T + 5,
        domain=AS_URL,
        challenge=NONCE,
        nonce=NONCE,
    )
    jws2020.verify_proof(signed, holder_key.public)
