"""Offline JSON-LD processing: the context loader, strict expansion, URDNA2015 canonical form."""

from __future__ import annotations

import hashlib
import json
import socket

import pytest
import requests
from pyld import jsonld as pyld_jsonld

from nutssim.errors import ProtocolError
from nutssim.specs import jsonld
from nutssim.specs.jsonld import (
    JWS2020_CONTEXT,
    NUTS_2024_CONTEXT,
    NUTS_V1_CONTEXT,
    STATUSLIST2021_CONTEXT,
    VC_V1_CONTEXT,
    InvalidJsonLdError,
    OfflineLoader,
    UndefinedTermError,
    UnknownContextError,
)
from tests.reference_data import PACKAGE_CONTEXTS

#: SOURCES.md, jsonld-contexts row: URL → file.
SOURCES_MAPPING = {
    "https://www.w3.org/2018/credentials/v1": "w3c-credentials-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "w3c-statuslist2021.jsonld",
    "https://w3c-ccg.github.io/lds-jws2020/contexts/lds-jws2020-v1.json": "lds-jws2020-v1.jsonld",
    "https://nuts.nl/credentials/v1": "nuts.jsonld",
    "https://nuts.nl/credentials/2024": "nuts-2024.jsonld",
}

ORG_CREDENTIAL = {
    "@context": [VC_V1_CONTEXT, NUTS_V1_CONTEXT, JWS2020_CONTEXT],
    "id": "did:web:register.example#1",
    "type": ["VerifiableCredential", "NutsOrganizationCredential"],
    "issuer": "did:web:register.example",
    "issuanceDate": "2024-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:web:gp.example:iam:1",
        "organization": {"name": "Huisartsenpraktijk West", "city": "Utrecht"},
    },
}

EMPLOYEE_CREDENTIAL = {
    "@context": [VC_V1_CONTEXT, NUTS_V1_CONTEXT],
    "id": "did:web:gp.example:iam:1#2",
    "type": ["VerifiableCredential", "NutsEmployeeCredential"],
    "issuer": "did:web:gp.example:iam:1",
    "issuanceDate": "2024-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:web:gp.example:iam:1",
        "identifier": "jdoe@gp.example",
        "name": "Jane Doe",
        "roleName": "Verpleegkundige",
    },
}

STATUS_LIST_CREDENTIAL = {
    "@context": [VC_V1_CONTEXT, STATUSLIST2021_CONTEXT],
    "id": "https://register.example/statuslist/did:web:register.example/1",
    "type": ["VerifiableCredential", "StatusList2021Credential"],
    "issuer": "did:web:register.example",
    "issuanceDate": "2024-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "https://register.example/statuslist/did:web:register.example/1",
        "type": "StatusList2021",
        "statusPurpose": "revocation",
        "encodedList": "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
    },
}

#: The canonical form of ORG_CREDENTIAL, checked by hand against the shipped contexts:
#: ``organization`` and its members come from the NutsOrganizationCredential type-scoped
#: context, ``name`` maps to schema:legalname.
ORG_CREDENTIAL_NQUADS = """\
<did:web:gp.example:iam:1> <http://schema.org/organization> _:c14n0 .
<did:web:register.example#1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://nuts.nl/credentials/v1#NutsOrganizationCredential> .
<did:web:register.example#1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .
<did:web:register.example#1> <https://www.w3.org/2018/credentials#credentialSubject> <did:web:gp.example:iam:1> .
<did:web:register.example#1> <https://www.w3.org/2018/credentials#issuanceDate> "2024-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
<did:web:register.example#1> <https://www.w3.org/2018/credentials#issuer> <did:web:register.example> .
_:c14n0 <http://schema.org/city> "Utrecht" .
_:c14n0 <http://schema.org/legalname> "Huisartsenpraktijk West" .
"""  # noqa: E501 - N-Quads lines are what they are

#: SHA-256 of the canonical N-Quads; a change means signatures made before it no longer verify.
GOLDEN_SHA256 = {
    "employee": "bbea24f29b8df9d7aab90cd4d20a0f4dbe2ee041cfa664cc570b04fdab01dc2e",
    "status_list": "e0f620fb26ff118b3ee66b1de7d8d3edc916523ff0fa19882f65f0908e428bf9",
    "presentation": "c3ce346351383fd18f3be0e7454372b4db8c9b9d7190b25f974a753989f06157",
}


def _presentation() -> dict:
    return {
        "@context": [VC_V1_CONTEXT, JWS2020_CONTEXT],
        "type": ["VerifiablePresentation"],
        "id": "did:web:gp.example:iam:1#vp",
        "holder": "did:web:gp.example:iam:1",
        "verifiableCredential": [ORG_CREDENTIAL, EMPLOYEE_CREDENTIAL],
    }


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def network_attempts(monkeypatch) -> list:
    """Record every attempt to fetch a document: pyld's own loader, requests, sockets."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(pyld_jsonld, "_default_document_loader", refuse)
    monkeypatch.setattr(requests.Session, "request", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.fixture(autouse=True)
def no_network(network_attempts):
    """Fail any test here that tried to reach the network, even if the error was swallowed."""
    yield
    assert network_attempts == [], "network access attempted"


def test_network_guard_is_active(network_attempts):
    with pytest.raises(pyld_jsonld.JsonLdError):
        pyld_jsonld.expand({"@context": "https://example.org/context", "a": 1})
    assert network_attempts
    network_attempts.clear()


# -- the offline loader ---------------------------------------------------------------------------
def test_loader_serves_exactly_the_urls_sources_md_lists():
    assert set(jsonld.known_context_urls()) == set(SOURCES_MAPPING)
    assert dict(jsonld.CONTEXT_FILES) == SOURCES_MAPPING


@pytest.mark.parametrize("url", sorted(SOURCES_MAPPING))
def test_loader_serves_the_shipped_file_for_each_url(url):
    # the files are the reference's unchanged copies: tests/test_data_sources.py checks their blob ids
    shipped = json.loads((PACKAGE_CONTEXTS / SOURCES_MAPPING[url]).read_text(encoding="utf-8"))
    assert jsonld.context_document(url) == shipped


def test_loader_returns_a_pyld_remote_document():
    remote = OfflineLoader()(VC_V1_CONTEXT, {})
    assert remote["documentUrl"] == VC_V1_CONTEXT
    assert remote["contextUrl"] is None
    assert "@context" in remote["document"]


def test_context_documents_are_fresh_copies():
    first = jsonld.context_document(NUTS_V1_CONTEXT)
    first["@context"]["schema"] = "https://evil.example/"
    assert jsonld.context_document(NUTS_V1_CONTEXT)["@context"]["schema"] == "http://schema.org/"


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/context.jsonld",
        "https://www.w3.org/ns/did/v1",
        # No file ships for the w3id alias of the JWS2020 context, so it is not served.
        "https://w3id.org/security/suites/jws-2020/v1",
        "http://www.w3.org/2018/credentials/v1",
    ],
)
def test_loader_refuses_unknown_url_naming_it_and_the_known_ones(url):
    with pytest.raises(UnknownContextError) as info:
        OfflineLoader()(url, {})
    message = str(info.value)
    assert url in message
    assert all(known in message for known in SOURCES_MAPPING)
    assert info.value.url == url
    assert info.value.known == jsonld.known_context_urls()
    assert isinstance(info.value, ProtocolError)
    assert info.value.check == "jsonld.context"


def test_document_with_unknown_context_is_refused_without_network():
    document = {**ORG_CREDENTIAL, "@context": [VC_V1_CONTEXT, "https://evil.example/ctx"]}
    with pytest.raises(UnknownContextError, match=r"https://evil\.example/ctx"):
        jsonld.canonicalize(document)


def test_scoped_remote_context_inside_a_document_is_refused():
    subject = {"@context": "https://evil.example/ctx", "id": "did:x:1"}
    document = {**ORG_CREDENTIAL, "credentialSubject": subject}
    with pytest.raises(UnknownContextError):
        jsonld.canonicalize(document)


# -- caching ---------------------------------------------------------------------------------------
def test_cached_loader_is_called_once_per_context_url():
    loader = OfflineLoader()
    for _ in range(5):
        jsonld.canonicalize(_presentation(), loader=loader)
    assert loader.calls == 3  # VC v1, JWS2020, Nuts v1


def test_uncached_loader_is_called_on_every_operation():
    loader = OfflineLoader(cache=False)
    jsonld.canonicalize(_presentation(), loader=loader)
    once = loader.calls
    jsonld.canonicalize(_presentation(), loader=loader)
    assert once >= 3
    assert loader.calls == 2 * once


def test_cache_gives_the_same_canonical_form():
    cached, uncached = OfflineLoader(), OfflineLoader(cache=False)
    for _ in range(2):
        assert jsonld.canonicalize(ORG_CREDENTIAL, loader=cached) == ORG_CREDENTIAL_NQUADS
        assert jsonld.canonicalize(ORG_CREDENTIAL, loader=uncached) == ORG_CREDENTIAL_NQUADS


def test_cache_is_private_to_its_loader():
    class DoctoredLoader(OfflineLoader):
        def __call__(self, url, options=None):
            remote = super().__call__(url, options)
            if url == NUTS_V1_CONTEXT:
                scoped = remote["document"]["@context"]["NutsOrganizationCredential"]["@context"]
                scoped["organization"]["@context"]["name"] = "schema:name"
            return remote

    doctored = jsonld.canonicalize(ORG_CREDENTIAL, loader=DoctoredLoader())
    assert "<http://schema.org/name>" in doctored
    assert jsonld.canonicalize(ORG_CREDENTIAL) == ORG_CREDENTIAL_NQUADS


def test_cache_is_bounded_against_many_inline_contexts():
    loader = OfflineLoader()
    for i in range(jsonld.MAX_CACHED_CONTEXTS + 20):
        context = [VC_V1_CONTEXT, {f"t{i}": "https://example.org/t"}]
        document = {"@context": context, "id": "did:x:1", f"t{i}": 1}
        jsonld.canonicalize(document, loader=loader)
    assert len(loader._resolved) <= jsonld.MAX_CACHED_CONTEXTS


def test_clear_resets_cache_and_counter():
    loader = OfflineLoader()
    jsonld.canonicalize(ORG_CREDENTIAL, loader=loader)
    loader.clear()
    assert loader.calls == 0
    jsonld.canonicalize(ORG_CREDENTIAL, loader=loader)
    assert loader.calls == 3


# -- canonical form of the Nuts shapes (golden) ---------------------------------------------------
def test_organization_credential_canonical_form_is_golden():
    assert jsonld.canonicalize(ORG_CREDENTIAL) == ORG_CREDENTIAL_NQUADS


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("employee", EMPLOYEE_CREDENTIAL),
        ("status_list", STATUS_LIST_CREDENTIAL),
        ("presentation", _presentation()),
    ],
)
def test_nuts_shapes_canonical_form_is_golden(name, document):
    assert _sha256(jsonld.canonicalize(document)) == GOLDEN_SHA256[name]


def test_canonical_form_ignores_member_order_and_context_whitespace():
    shuffled = dict(reversed(list(ORG_CREDENTIAL.items())))
    assert jsonld.canonicalize(shuffled) == ORG_CREDENTIAL_NQUADS


def test_canonical_form_matches_pyld_with_its_own_loader():
    def loader(url, options):
        document = json.loads((PACKAGE_CONTEXTS / SOURCES_MAPPING[url]).read_text(encoding="utf-8"))
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
        }

    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    assert jsonld.canonicalize(_presentation()) == pyld_jsonld.normalize(_presentation(), options)


# -- strict processing -----------------------------------------------------------------------------
def test_undefined_property_is_refused_in_strict_mode():
    document = {**ORG_CREDENTIAL, "unsignedClaim": "x"}
    with pytest.raises(UndefinedTermError, match="unsignedClaim") as info:
        jsonld.canonicalize(document)
    assert info.value.terms == ["unsignedClaim"]
    assert info.value.check == "jsonld.undefined_term"


def test_undefined_type_is_refused_in_strict_mode():
    document = {**ORG_CREDENTIAL, "type": ["VerifiableCredential", "NutsOrganizationCredential", "Extra"]}
    with pytest.raises(UndefinedTermError, match="Extra"):
        jsonld.canonicalize(document)


def test_relative_id_is_refused_in_strict_mode():
    with pytest.raises(UndefinedTermError, match="relative-id"):
        jsonld.canonicalize({**ORG_CREDENTIAL, "id": "relative-id"})


def test_context_swap_leaves_terms_undefined():
    document = {**ORG_CREDENTIAL, "@context": [VC_V1_CONTEXT, NUTS_2024_CONTEXT, JWS2020_CONTEXT]}
    with pytest.raises(UndefinedTermError, match="organization"):
        jsonld.canonicalize(document)


def test_lenient_mode_drops_what_is_undefined():
    document = {**ORG_CREDENTIAL, "unsignedClaim": "x"}
    assert jsonld.canonicalize(document, strict=False) == ORG_CREDENTIAL_NQUADS


def test_protected_term_redefinition_is_a_syntax_error():
    document = {
        **ORG_CREDENTIAL,
        "@context": [*ORG_CREDENTIAL["@context"], {"VerifiableCredential": "https://evil.example/VC"}],
    }
    with pytest.raises(InvalidJsonLdError, match="protected term redefinition") as info:
        jsonld.canonicalize(document)
    assert info.value.check == "jsonld.syntax"


@pytest.mark.parametrize("document", [[], "text", None, 3])
def test_non_object_documents_are_refused(document):
    with pytest.raises(InvalidJsonLdError, match="JSON object"):
        jsonld.canonicalize(document)


# -- expand / compact ------------------------------------------------------------------------------
def test_expand_then_compact_round_trips():
    expanded = jsonld.expand(ORG_CREDENTIAL)
    assert expanded[0]["@id"] == ORG_CREDENTIAL["id"]
    compacted = jsonld.compact(expanded, ORG_CREDENTIAL["@context"])
    assert compacted["credentialSubject"] == ORG_CREDENTIAL["credentialSubject"]
    assert compacted["type"] == ORG_CREDENTIAL["type"]


def test_expand_strict_refuses_undefined_terms():
    with pytest.raises(UndefinedTermError):
        jsonld.expand({**ORG_CREDENTIAL, "x": 1})
    assert jsonld.expand({**ORG_CREDENTIAL, "x": 1}, strict=False) == jsonld.expand(ORG_CREDENTIAL)
