"""FIDELITY.md row "JSON-LD strictness and canonicalization": reference-signed documents verify as there.

The documents and keys are nuts-node's own test fixtures (``tests/data/nuts-reference/signed``,
see its SOURCES.md); each expected result is the reference test's assertion, named per case.
Under ``LdProcessing.JSON_GOLD`` every one verifies and a tampered copy fails on the
signature, not on a parsing refusal; under ``SPEC`` the three carrying a relative IRI or an
undefined term are refused (the documented strict difference).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from nutssim.jose import PublicKey
from nutssim.specs import jsonld, jws2020, ld_reference
from nutssim.specs.jsonld import LdProcessing, OfflineLoader, UndefinedTermError
from nutssim.specs.jws2020 import InvalidProofSignature
from tests.reference_data import NUTS_REFERENCE

SIGNED = NUTS_REFERENCE / "signed"
EXAMPLES_CONTEXT = "https://www.w3.org/2018/credentials/examples/v1"
ODRL_CONTEXT = "https://www.w3.org/ns/odrl.jsonld"


class _ExamplesLoader(OfflineLoader):
    """The offline loader plus the two test contexts nuts-node's test loader maps (jsonld/test.go)."""

    extra = {EXAMPLES_CONTEXT: "credentials-examples-v1.ldjson", ODRL_CONTEXT: "odrl.ldjson"}

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        if url in self.extra:
            document = json.loads((SIGNED / self.extra[url]).read_text(encoding="utf-8"))
            return {
                "contentType": "application/ld+json",
                "contextUrl": None,
                "documentUrl": url,
                "document": document,
            }
        return super().__call__(url, options)


def _read(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SIGNED / name).read_text(encoding="utf-8"))
    return document


def _jwk(name: str, key: str | None = None) -> dict[str, Any]:
    """A public JWK: a key of keys.json, a verification method's, or the selfsigned DID document's."""
    if name == "keys.json":
        return dict(_read(name)[str(key)])
    found = _read(name)
    if "verificationMethod" in found:
        found = found["verificationMethod"][0]
    return dict(found["publicKeyJwk"])


TESTSUITE_KEY = ("keys.json", "jsonld/testsuite/private_key.pem")
#: document → its key, whether it is read as a go-did credential, the reference test asserting it verifies.
REFERENCE_SIGNED = {
    "authcred_001.ldjson": (TESTSUITE_KEY, False, "jsonld/testsuite/compat_test.go TestCompatibility"),
    "orgcred_001.ldjson": (TESTSUITE_KEY, False, "jsonld/testsuite/compat_test.go TestCompatibility"),
    "test_assets_vc.json": (("public.json", None), True, "signature_verifier_test.go JSON-LD/ok"),
    "ld-revocation.json": (
        ("revocation-public.json", None),
        False,
        "verifier_test.go CheckAndStoreRevocation",
    ),
    "selfsigned_vc.json": (("selfsigned_diddocument.json", None), True, "selfsigned/test/generate_test.go"),
    "selfsigned_vp.json": (("selfsigned_diddocument.json", None), False, "selfsigned/test/generate_test.go"),
    "verifier_test_jsonld_vp.json": (
        ("keys.json", "vdr/test.go TestMethodDIDAPrivateKey"),
        False,
        "verifier_test.go VerifyVP/JSONLD/ok - no credentials in VP",
    ),
    "jsonld_test_vc_0.json": (
        ("keys.json", "vcr/signature/proof/jsonld_test.go TestLDProof_Verify rawVerificationMethod"),
        False,
        "proof/jsonld_test.go ok - JSONWebSignature2020 test vector",
    ),
}
#: The documents strict processing refuses, and the terms it names.
STRICT_REFUSED = {
    "authcred_001.ldjson": ["key-id"],
    "orgcred_001.ldjson": ["key-id"],
    "verifier_test_jsonld_vp.json": ["CompanyCredential", "company"],
}


def _case(name: str) -> tuple[dict[str, Any], PublicKey, OfflineLoader]:
    (key_file, key_name), as_credential, _source = REFERENCE_SIGNED[name]
    document = _read(name)
    if as_credential:  # vcr/verifier: the credential is canonicalized as go-did marshals it back
        document = ld_reference.credential(document)
    return document, PublicKey.from_jwk(_jwk(key_file, key_name)), _ExamplesLoader()


@pytest.mark.parametrize("name", sorted(REFERENCE_SIGNED))
def test_reference_signed_document_verifies_under_json_gold(name: str) -> None:
    document, key, loader = _case(name)
    jws2020.verify_proof(document, key, loader=loader, mode=LdProcessing.JSON_GOLD)


@pytest.mark.parametrize("name", sorted(REFERENCE_SIGNED))
def test_tampered_reference_document_fails_on_the_signature(name: str) -> None:
    """A proof dated in another year: the canonical proof options change, the JWS no longer verifies."""
    document, key, loader = _case(name)
    tampered = copy.deepcopy(document)
    tampered["proof"]["created"] = "2031" + document["proof"]["created"][4:]
    with pytest.raises(InvalidProofSignature, match="signature invalid"):
        jws2020.verify_proof(tampered, key, loader=loader, mode=LdProcessing.JSON_GOLD)


def test_changed_issuance_date_fails_on_the_signature() -> None:
    """signature_verifier_test.go 'wrong hashed payload': a changed issuanceDate, invalid ECDSA signature."""
    document, key, loader = _case("test_assets_vc.json")
    document["issuanceDate"] = "2023-01-01T00:00:00Z"
    with pytest.raises(InvalidProofSignature):
        jws2020.verify_proof(document, key, loader=loader, mode=LdProcessing.JSON_GOLD)


def test_credential_without_role_is_a_tampered_copy() -> None:
    """vc-without-role.json is vc.json with roleName removed and not signed again: the signature fails."""
    document = ld_reference.credential(_read("selfsigned_vc-without-role.json"))
    key = PublicKey.from_jwk(_jwk("selfsigned_diddocument.json"))
    with pytest.raises(InvalidProofSignature):
        jws2020.verify_proof(document, key, mode=LdProcessing.JSON_GOLD)


@pytest.mark.parametrize("name", sorted(set(REFERENCE_SIGNED) - set(STRICT_REFUSED)))
def test_strict_processing_verifies_the_documents_without_relative_iris(name: str) -> None:
    document, key, loader = _case(name)
    jws2020.verify_proof(document, key, loader=loader, mode=LdProcessing.SPEC)


@pytest.mark.parametrize("name", sorted(STRICT_REFUSED))
def test_strict_processing_refuses_relative_iris_and_undefined_terms(name: str) -> None:
    """The documented difference: strict refuses what json-gold silently leaves unsigned."""
    document, key, loader = _case(name)
    with pytest.raises(UndefinedTermError) as info:
        jws2020.verify_proof(document, key, loader=loader, mode=LdProcessing.SPEC)
    assert info.value.terms == STRICT_REFUSED[name]


def test_json_gold_keeps_a_relative_type_as_rdf_type() -> None:
    """ld/node.go objectToRDF: a relative @type value is an rdf:type IRI; pyld (non-strict) drops it."""
    vp = {k: v for k, v in _read("verifier_test_jsonld_vp.json").items() if k != "proof"}
    gold = jsonld.canonicalize(vp, mode=LdProcessing.JSON_GOLD)
    pyld = jsonld.canonicalize(vp, strict=False)
    triple = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <CompanyCredential> "
    assert triple in gold
    assert triple not in pyld
    assert gold.replace(triple, "") != gold and "company" not in gold  # the undefined claim is dropped


def test_relative_proof_verification_method_is_dropped_unsigned() -> None:
    """authcred_001's verificationMethod 'key-id' is relative: json-gold leaves it out of the options."""
    proof = _read("authcred_001.ldjson")["proof"]
    signed = jsonld.canonicalize(ld_reference.proof_options(proof), mode=LdProcessing.JSON_GOLD)
    moved = jsonld.canonicalize(
        ld_reference.proof_options({**proof, "verificationMethod": "other-key"}), mode=LdProcessing.JSON_GOLD
    )
    assert "key-id" not in signed
    assert signed == moved


def test_undefined_top_level_member_is_not_signed_for_a_credential() -> None:
    """go-did v0.22.0 keeps only its members: an added top-level member is unsigned under the reference."""
    document = _read("test_assets_vc.json")
    document["evidence"] = [{"id": "https://attacker.example/evidence"}]
    key = PublicKey.from_jwk(_jwk("public.json"))
    jws2020.verify_proof(ld_reference.credential(document), key, mode=LdProcessing.JSON_GOLD)
    with pytest.raises(InvalidProofSignature):
        jws2020.verify_proof(document, key, mode=LdProcessing.SPEC)


# -- the proof options as LDProof.asCanonicalizableMap builds them (vcr/signature/proof/jsonld.go) --------
def test_proof_options_have_only_the_jws2020_context_and_a_copied_type() -> None:
    proof = _read("test_assets_vc.json")["proof"]
    options = ld_reference.proof_options({**proof, "custom": "dropped", "@context": ["ignored"]})
    assert options == {
        "@context": [jsonld.JWS2020_CONTEXT],
        "@type": "JsonWebSignature2020",
        "type": "JsonWebSignature2020",
        "created": "2022-06-01T12:00:00Z",
        "proofPurpose": "assertionMethod",
        "verificationMethod": proof["verificationMethod"],
    }


def test_absent_created_is_go_zero_time_and_absent_purpose_is_empty() -> None:
    options = ld_reference.proof_options({"type": "JsonWebSignature2020", "nonce": None})
    assert options["created"] == "0001-01-01T00:00:00Z"
    assert options["proofPurpose"] == "" and options["verificationMethod"] == ""
    assert "nonce" not in options  # *string omitempty: null is absent


def test_proof_members_match_case_insensitively_as_go_json() -> None:
    options = ld_reference.proof_options({"type": "JsonWebSignature2020", "Domain": "https://as.example"})
    assert options["domain"] == "https://as.example"


@pytest.mark.parametrize(
    ("text", "go"),
    [
        ("2022-12-05T13:47:24.714488+01:00", "2022-12-05T13:47:24.714488+01:00"),
        ("2022-06-01T12:00:00.000Z", "2022-06-01T12:00:00Z"),
        ("2022-06-01T12:00:00.120+00:00", "2022-06-01T12:00:00.12Z"),
        ("2024-09-17T06:44:57.9767652100Z", "2024-09-17T06:44:57.97676521Z"),
        ("2022-06-01t12:00:00z", "2022-06-01T12:00:00Z"),
    ],
)
def test_times_are_rewritten_in_go_rfc3339nano(text: str, go: str) -> None:
    assert ld_reference.go_rfc3339nano(text) == go


def test_a_proof_time_go_cannot_read_is_refused() -> None:
    with pytest.raises(ld_reference.ReferenceReadError, match="not an RFC 3339 date-time"):
        ld_reference.proof_options({"type": "JsonWebSignature2020", "created": "yesterday"})


def test_absent_created_is_valid_under_json_gold_only() -> None:
    """ProofOptions.ValidAt: the zero time is never after now; strict requires a created date."""
    jws2020.check_proof_time({"type": "JsonWebSignature2020"}, 1_700_000_000, mode=LdProcessing.JSON_GOLD)
    with pytest.raises(jws2020.MalformedProof, match="no created date"):
        jws2020.check_proof_time({"type": "JsonWebSignature2020"}, 1_700_000_000)


def test_vendored_files_exist() -> None:
    assert all((SIGNED / name).is_file() for name in REFERENCE_SIGNED)
    assert isinstance(SIGNED, Path)
