"""What the JSON-LD caches keep, under which key, and what they never keep (issue #23 item 2).

The canonical N-Quads of a document and each processed context are computed once per
loader; everything the result depends on (document, contexts, mode, strictness, limits) is
in the key, the bounds are still checked, and a signature is always checked again.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import pytest
from pyld.jsonld import JsonLdProcessor

from nutssim.jose import KeyPair
from nutssim.rng import SimRandom
from nutssim.specs import jsonld, jsonld_cache, jws2020
from nutssim.specs.jsonld import (
    DEFAULT_CANONICALIZATION_LIMITS,
    JWS2020_CONTEXT,
    STATUSLIST2021_CONTEXT,
    VC_V1_CONTEXT,
    CanonicalizationLimitExceeded,
    InvalidJsonLdError,
    LdProcessing,
    OfflineLoader,
    UndefinedTermError,
)
from tests.specs.test_jsonld import ORG_CREDENTIAL, ORG_CREDENTIAL_NQUADS, _presentation


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The documents actually canonicalized (cache misses), in order."""
    seen: list[dict] = []
    original = jsonld._canonicalize

    def counting(document, *args, **kwargs):
        seen.append(document)
        return original(document, *args, **kwargs)

    monkeypatch.setattr(jsonld, "_canonicalize", counting)
    return seen


@pytest.fixture
def term_definitions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The terms pyld defined while processing contexts."""
    defined: list[str] = []
    original = JsonLdProcessor._create_term_definition

    def counting(self, active_ctx, local_ctx, term, *args, **kwargs):
        defined.append(term)
        return original(self, active_ctx, local_ctx, term, *args, **kwargs)

    monkeypatch.setattr(JsonLdProcessor, "_create_term_definition", counting)
    return defined


# -- canonical N-Quads ------------------------------------------------------------------------------
def test_the_same_document_is_canonicalized_once_per_loader(computed):
    loader = OfflineLoader()
    assert jsonld.canonicalize(ORG_CREDENTIAL, loader=loader) == ORG_CREDENTIAL_NQUADS
    assert jsonld.canonicalize(dict(ORG_CREDENTIAL), loader=loader) == ORG_CREDENTIAL_NQUADS
    assert len(computed) == 1
    jsonld.canonicalize(ORG_CREDENTIAL, loader=OfflineLoader())  # another loader: its own cache
    assert len(computed) == 2


def test_a_changed_value_or_key_order_is_canonicalized_again(computed):
    loader = OfflineLoader()
    jsonld.canonicalize(ORG_CREDENTIAL, loader=loader)
    changed = {**ORG_CREDENTIAL, "issuanceDate": "2024-01-01T00:00:01Z"}
    assert jsonld.canonicalize(changed, loader=loader) != ORG_CREDENTIAL_NQUADS
    reordered = dict(reversed(list(ORG_CREDENTIAL.items())))
    assert jsonld.canonicalize(reordered, loader=loader) == ORG_CREDENTIAL_NQUADS
    assert len(computed) == 3


def test_strictness_and_mode_are_part_of_the_key():
    loader = OfflineLoader()
    undefined = {**ORG_CREDENTIAL, "unsignedClaim": "x"}
    assert jsonld.canonicalize(undefined, loader=loader, strict=False) == ORG_CREDENTIAL_NQUADS
    with pytest.raises(UndefinedTermError, match="unsignedClaim"):
        jsonld.canonicalize(undefined, loader=loader)
    relative_type = {**ORG_CREDENTIAL, "type": ["VerifiableCredential", "CompanyCredential"]}
    spec = jsonld.canonicalize(relative_type, loader=loader, strict=False)
    gold = jsonld.canonicalize(relative_type, loader=loader, mode=LdProcessing.JSON_GOLD)
    assert "<CompanyCredential>" in gold
    assert "<CompanyCredential>" not in spec


def test_the_bounds_hold_for_a_document_already_in_the_cache():
    loader = OfflineLoader()
    jsonld.canonicalize(ORG_CREDENTIAL, loader=loader)
    few_quads = replace(DEFAULT_CANONICALIZATION_LIMITS, max_quads=5)
    with pytest.raises(CanonicalizationLimitExceeded, match="RDF quads"):
        jsonld.canonicalize(ORG_CREDENTIAL, loader=loader, limits=few_quads)
    few_values = replace(DEFAULT_CANONICALIZATION_LIMITS, max_json_values=5)
    with pytest.raises(CanonicalizationLimitExceeded, match="JSON values"):
        jsonld.canonicalize(ORG_CREDENTIAL, loader=loader, limits=few_values)


def test_refusals_are_not_cached(computed):
    loader = OfflineLoader()
    for _ in range(2):
        with pytest.raises(UndefinedTermError):
            jsonld.canonicalize({**ORG_CREDENTIAL, "unsignedClaim": "x"}, loader=loader)
    assert len(computed) == 2
    assert len(loader._canonical) == 0


def test_a_document_holding_a_non_json_value_is_never_cached(computed):
    loader = OfflineLoader()
    # pyld does not read a tuple as an array, but json would write it as one: no key for it.
    with_tuple = {**ORG_CREDENTIAL, "type": ("VerifiableCredential", "NutsOrganizationCredential")}
    for _ in range(2):
        with contextlib.suppress(jsonld.JsonLdError):
            jsonld.canonicalize(with_tuple, loader=loader)
    assert len(computed) == 2
    assert len(loader._canonical) == 0


def test_a_loader_without_cache_keeps_nothing(computed):
    loader = OfflineLoader(cache=False)
    for _ in range(2):
        assert jsonld.canonicalize(ORG_CREDENTIAL, loader=loader) == ORG_CREDENTIAL_NQUADS
    assert len(computed) == 2
    assert len(loader._canonical) == len(loader._processed) == 0


def test_the_canonical_cache_is_bounded():
    loader = OfflineLoader()
    for i in range(jsonld_cache.MAX_CACHED_CANONICAL + 10):
        jsonld.canonicalize({**ORG_CREDENTIAL, "id": f"did:web:register.example#{i}"}, loader=loader)
    assert len(loader._canonical) == jsonld_cache.MAX_CACHED_CANONICAL


def test_clear_forgets_the_canonical_forms(computed):
    loader = OfflineLoader()
    jsonld.canonicalize(ORG_CREDENTIAL, loader=loader)
    loader.clear()
    jsonld.canonicalize(ORG_CREDENTIAL, loader=loader)
    assert len(computed) == 2


# -- processed contexts -----------------------------------------------------------------------------
def test_contexts_are_processed_once_for_every_new_document(term_definitions):
    loader = OfflineLoader()
    jsonld.canonicalize(_presentation(), loader=loader)
    assert term_definitions  # the first document processes VC v1, JWS2020, Nuts v1 and their scopes
    fresh = {**_presentation(), "id": "did:web:gp.example:iam:1#vp2"}
    expected = jsonld.canonicalize(fresh, loader=OfflineLoader())
    term_definitions.clear()
    assert jsonld.canonicalize(fresh, loader=loader) == expected
    assert term_definitions == []


def test_processed_contexts_are_bounded():
    loader = OfflineLoader()
    for i in range(jsonld_cache.MAX_PROCESSED_CONTEXTS + 10):
        document = {
            "@context": [VC_V1_CONTEXT, {f"t{i}": "https://example.org/t"}],
            "id": "did:x:1",
            f"t{i}": 1,
        }
        jsonld.canonicalize(document, loader=loader)
    assert len(loader._processed) == jsonld_cache.MAX_PROCESSED_CONTEXTS


def test_an_import_does_not_change_the_context_for_later_documents():
    # pyld merges an importing context into the cached imported document and caches the merge as
    # a processed context: without isolation the honest document below gets the attacker's term
    # (or pyld fails with a KeyError on every later use of the status-list context).
    loader = OfflineLoader()
    hostile = {"@context": {"@import": STATUSLIST2021_CONTEXT, "zzz": "https://evil.example/zzz"}, "zzz": "y"}
    assert (
        jsonld.canonicalize(hostile, loader=loader, strict=False)
        == '_:c14n0 <https://evil.example/zzz> "y" .\n'
    )
    honest = {"@context": [STATUSLIST2021_CONTEXT], "id": "did:x:3", "zzz": "x"}
    assert jsonld.canonicalize(honest, loader=loader, strict=False) == ""
    with pytest.raises(UndefinedTermError, match="zzz"):
        jsonld.canonicalize(honest, loader=loader)


def test_a_processor_failure_is_a_json_ld_error_not_a_traceback(monkeypatch):
    def broken(self, *args, **kwargs):
        raise KeyError("mappings")

    monkeypatch.setattr(JsonLdProcessor, "_expand", broken)
    with pytest.raises(InvalidJsonLdError, match=r"the processor failed \(KeyError: 'mappings'\)"):
        jsonld.canonicalize(ORG_CREDENTIAL, loader=OfflineLoader())


# -- signatures are always checked ------------------------------------------------------------------
def test_a_cached_canonical_form_does_not_spare_the_signature_check():
    key = KeyPair.generate(SimRandom(1), "ES256")
    loader = OfflineLoader()
    signed = jws2020.sign_credential(
        {**ORG_CREDENTIAL, "@context": [VC_V1_CONTEXT, jsonld.NUTS_V1_CONTEXT, JWS2020_CONTEXT]},
        key,
        verification_method="did:web:register.example#k",
        created=1_718_000_000,
        loader=loader,
    )
    jws2020.verify_proof(signed, key.public, loader=loader)
    header, _, signature = signed["proof"]["jws"].split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    forged = {**signed, "proof": {**signed["proof"], "jws": f"{header}..{flipped}"}}
    with pytest.raises(jws2020.InvalidProofSignature):
        jws2020.verify_proof(forged, key.public, loader=loader)
    other = KeyPair.generate(SimRandom(2), "ES256")
    with pytest.raises(jws2020.InvalidProofSignature):
        jws2020.verify_proof(signed, other.public, loader=loader)
