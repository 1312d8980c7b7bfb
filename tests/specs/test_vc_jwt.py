"""VC-DM 1.1 JWT encoding (§6.3.1) of credentials and presentations: claims mapping and parsing."""

from __future__ import annotations

import base64
import json

import pytest

from nutssim import jose
from nutssim.jose import KeyPair
from nutssim.models.credential import (
    NUTS_CONTEXT,
    STATUS_LIST_CONTEXT,
    VC_CONTEXT,
    credential_document,
    employee_subject,
    organization_subject,
)
from nutssim.rng import SimRandom, b64url
from nutssim.specs.vc_jwt import (
    CredentialFormatError,
    credential_from_json,
    credential_from_jwt,
    from_rfc3339,
    issue_credential,
    jwt_vc_document,
    parse_credential,
    present,
    presentation_from_jwt,
    to_rfc3339,
)

NOW = 1_735_689_600
ISSUER = "did:web:register.example:iam:reg"
HOLDER = "did:web:gp.example:iam:gp"


@pytest.fixture(scope="module")
def issuer_key() -> KeyPair:
    """The issuer's assertion key."""
    return KeyPair.generate(SimRandom(1), kid=f"{ISSUER}#k")


@pytest.fixture(scope="module")
def holder_key() -> KeyPair:
    """The holder's assertion key."""
    return KeyPair.generate(SimRandom(2), kid=f"{HOLDER}#k")


def org_document(**changes) -> dict:
    """A NutsOrganizationCredential document issued at NOW for one hour."""
    fields = {
        "id": f"{ISSUER}#1",
        "type": "NutsOrganizationCredential",
        "issuer": ISSUER,
        "issuance_date": to_rfc3339(NOW),
        "expiration_date": to_rfc3339(NOW + 3600),
        "subject": organization_subject(HOLDER, "Huisartsenpraktijk West", "Utrecht"),
    }
    fields.update(changes)
    return credential_document(**fields)


# -- dates ---------------------------------------------------------------------------------------------------
def test_rfc3339_round_trip():
    """Epoch seconds format as ``YYYY-MM-DDTHH:MM:SSZ`` and parse back."""
    assert to_rfc3339(NOW) == "2025-01-01T00:00:00Z"
    assert from_rfc3339("2025-01-01T00:00:00Z") == NOW


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2025-01-01T01:00:00+01:00", NOW),
        ("2025-01-01T00:00:00.999Z", NOW),
        ("2024-12-31T23:00:00-01:00", NOW),
    ],
)
def test_rfc3339_offsets_and_fractions(text, epoch):
    """Offsets are applied and fractions of a second dropped."""
    assert from_rfc3339(text) == epoch


@pytest.mark.parametrize("text", ["2025-01-01T00:00:00", "yesterday", "", 12, None])
def test_rfc3339_without_zone_or_garbage_is_refused(text):
    """A date-time without zone, or not a date-time string, is a ``CredentialFormatError``."""
    with pytest.raises(CredentialFormatError):
        from_rfc3339(text)  # type: ignore[arg-type]


# -- credentials ---------------------------------------------------------------------------------------------
def test_issue_credential_maps_members_to_claims(issuer_key):
    """issuer→iss, subject id→sub, id→jti, issuanceDate→nbf, expirationDate→exp, the rest under vc."""
    token = issue_credential(org_document(), issuer_key)
    jws = jose.decode(token)
    assert jws.header == {"alg": "ES256", "typ": "JWT", "kid": issuer_key.kid}
    claims = jws.payload
    assert (claims["iss"], claims["sub"], claims["jti"], claims["nbf"], claims["exp"]) == (
        ISSUER,
        HOLDER,
        f"{ISSUER}#1",
        NOW,
        NOW + 3600,
    )
    assert set(claims["vc"]) == {"@context", "type", "credentialSubject"}
    assert claims["vc"]["@context"] == [VC_CONTEXT, NUTS_CONTEXT]
    jws.verify(issuer_key.public)


def test_credential_round_trip_restores_the_document(issuer_key):
    """Decoding a JWT VC gives back the issued document, its subject as the reference's array (§2.4)."""
    document = org_document()
    credential = credential_from_jwt(issue_credential(document, issuer_key))
    assert credential.document == {**document, "credentialSubject": [document["credentialSubject"]]}
    assert (credential.format, credential.alg, credential.id, credential.issuer) == (
        "jwt_vc",
        "ES256",
        f"{ISSUER}#1",
        ISSUER,
    )
    assert credential.types == ["VerifiableCredential", "NutsOrganizationCredential"]
    assert credential.type_label == "NutsOrganizationCredential"
    assert credential.subject_ids == [HOLDER]


def test_a_token_decoded_again_gives_an_equal_independent_document(issuer_key):
    """The decode memo (issue #23) hands each caller its own copy: a change to one never leaks."""
    token = issue_credential(org_document(), issuer_key)
    first = credential_from_jwt(token)
    first.document["credentialSubject"][0]["organization"]["name"] = "Tampered"
    first.document["type"].append("Extra")
    again, third = credential_from_jwt(token), credential_from_jwt(token)
    assert again.document == credential_from_jwt(issue_credential(org_document(), issuer_key)).document
    assert again.document["credentialSubject"][0]["organization"]["name"] == "Huisartsenpraktijk West"
    assert again.document["type"] == ["VerifiableCredential", "NutsOrganizationCredential"]
    assert again.document is not third.document
    assert again.document["credentialSubject"] is not third.document["credentialSubject"]
    assert (again.alg, again.raw) == ("ES256", token)


def test_credential_without_expiry_or_subject_id(issuer_key):
    """A VC without expirationDate has no ``exp``; a subject without id has no ``sub``."""
    document = org_document(
        expiration_date=None,
        subject=employee_subject(None, "123", "Alice", "Nurse"),
        type="NutsEmployeeCredential",
    )
    claims = jose.decode(issue_credential(document, issuer_key)).payload
    assert "exp" not in claims and "sub" not in claims
    decoded = credential_from_jwt(issue_credential(document, issuer_key)).document
    assert decoded == {**document, "credentialSubject": [document["credentialSubject"]]}


def test_status_adds_the_status_list_context():
    """A credential with a credentialStatus gets the StatusList2021 context."""
    document = org_document(status={"type": "StatusList2021Entry"})
    assert document["@context"][-1] == STATUS_LIST_CONTEXT
    assert document["credentialStatus"] == {"type": "StatusList2021Entry"}


def test_jwt_vc_document_puts_sub_into_list_subjects():
    """``sub`` fills the first subject's id when the issuer wrote a list without ids."""
    doc = jwt_vc_document({"sub": HOLDER, "vc": {"credentialSubject": [{"a": 1}, {"b": 2}]}})
    assert doc["credentialSubject"] == [{"id": HOLDER, "a": 1}, {"b": 2}]
    kept = jwt_vc_document({"sub": HOLDER, "vc": {"credentialSubject": {"id": "did:x", "a": 1}}})
    assert kept["credentialSubject"] == {"id": "did:x", "a": 1}


def test_jwt_vc_without_vc_claim_is_refused(issuer_key):
    """A JWT without a ``vc`` object is not a JWT VC."""
    with pytest.raises(CredentialFormatError, match="no 'vc' claim"):
        credential_from_jwt(jose.sign({}, {"iss": ISSUER}, issuer_key))


@pytest.mark.parametrize("value", [10**20, "1e400", "-1e400"])
def test_jwt_vc_with_out_of_range_dates_is_refused(issuer_key, value):
    """A JWT VC whose ``nbf``/``exp`` lies beyond any calendar is a format error, not a crash."""
    payload = b64url(f'{{"iss":"{ISSUER}","nbf":{value},"vc":{{}}}}'.encode())
    header = b64url(json.dumps({"alg": "ES256"}).encode())
    with pytest.raises(CredentialFormatError):
        parse_credential(f"{header}.{payload}.")


def test_parse_credential_accepts_jwt_or_json_only(issuer_key):
    """A credential in a VP is a JWT string or a JSON-LD object; anything else is refused."""
    assert parse_credential(issue_credential(org_document(), issuer_key)).format == "jwt_vc"
    ld = parse_credential({**org_document(), "proof": {"type": "JsonWebSignature2020"}})
    assert (ld.format, ld.proof_type) == ("ldp_vc", "JsonWebSignature2020")
    assert credential_from_json(org_document()).proof_type is None
    with pytest.raises(CredentialFormatError, match="got int"):
        parse_credential(42)
    with pytest.raises(CredentialFormatError, match="unable to parse JWT credential"):
        parse_credential("not.a.jwt")


def test_credential_issuer_may_be_an_object():
    """An ``issuer`` object contributes its ``id``."""
    assert credential_from_json({**org_document(), "issuer": {"id": ISSUER, "name": "R"}}).issuer == ISSUER


# -- presentations -------------------------------------------------------------------------------------------
def test_presentation_round_trip(issuer_key, holder_key):
    """A JWT VP carries iss=sub=holder, jti, aud, nonce, nbf=iat, exp and the VCs; parsing restores them."""
    vc = credential_from_jwt(issue_credential(org_document(), issuer_key))
    token = present(
        [vc, vc],
        holder_key,
        holder=HOLDER,
        audience="https://as.example/oauth2/a",
        nonce="n1",
        now=NOW,
        lifetime=5,
        jti=f"{HOLDER}#vp1",
    )
    claims = jose.decode(token).payload
    assert (claims["iss"], claims["sub"], claims["jti"], claims["aud"], claims["nonce"]) == (
        HOLDER,
        HOLDER,
        f"{HOLDER}#vp1",
        "https://as.example/oauth2/a",
        "n1",
    )
    assert (claims["nbf"], claims["iat"], claims["exp"]) == (NOW, NOW, NOW + 5)
    assert claims["vp"]["type"] == ["VerifiablePresentation"]
    vp = presentation_from_jwt(token)
    assert (vp.format, vp.signer, vp.signer_did, vp.holder) == ("jwt_vp", holder_key.kid, HOLDER, HOLDER)
    assert (vp.audience, vp.nonce, vp.created, vp.expires, vp.alg) == (
        ["https://as.example/oauth2/a"],
        "n1",
        NOW,
        NOW + 5,
        "ES256",
    )
    assert [c.raw for c in vp.credentials] == [vc.raw, vc.raw]
    assert vp.document["holder"] == HOLDER and vp.document["id"] == f"{HOLDER}#vp1"


def test_presentation_without_audience_or_nonce(holder_key):
    """Audience and nonce are optional; extra claims are added as given."""
    token = present(
        [],
        holder_key,
        holder=HOLDER,
        audience=None,
        nonce=None,
        now=NOW,
        lifetime=900,
        jti="j",
        extra_claims={"aud": ["a", "b"]},
    )
    vp = presentation_from_jwt(token)
    assert (vp.audience, vp.nonce, vp.credentials) == (["a", "b"], None, ())


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"iss": HOLDER}, "no 'vp' claim"),
        ({"vp": {"verifiableCredential": [5]}}, "got int"),
    ],
)
def test_bad_presentations_are_refused(holder_key, payload, message):
    """A JWT without ``vp`` or with a VC entry of the wrong kind is a ``CredentialFormatError``."""
    with pytest.raises(CredentialFormatError, match=message):
        presentation_from_jwt(jose.sign({}, payload, holder_key))


def test_non_jwt_presentation_is_refused():
    """A string that is not a JWT cannot be parsed as a presentation."""
    with pytest.raises(CredentialFormatError, match="unable to parse PEX envelope"):
        presentation_from_jwt("garbage")


@pytest.mark.parametrize("literal", ["1e400", "NaN"])
def test_presentation_with_non_finite_times_does_not_crash(literal):
    """A VP whose ``nbf``/``exp`` is not a finite number parses without times instead of crashing."""
    payload = base64.urlsafe_b64encode(f'{{"nbf":{literal},"exp":{literal},"vp":{{}}}}'.encode()).rstrip(b"=")
    token = f"{b64url(b'{}')}.{payload.decode()}."
    # NaN is not JSON (RFC 8259 §6) and 1e400 is beyond a double (Go's encoding/json refuses it
    # too): refused as a malformed envelope, not a crash
    with pytest.raises(CredentialFormatError, match="not valid JSON"):
        presentation_from_jwt(token)


def test_single_credential_not_in_a_list(issuer_key, holder_key):
    """A VP whose ``verifiableCredential`` is one value (not a list) yields that one credential."""
    vc = issue_credential(org_document(), issuer_key)
    token = jose.sign({}, {"vp": {"verifiableCredential": vc}}, holder_key)
    assert [c.raw for c in presentation_from_jwt(token).credentials] == [vc]
