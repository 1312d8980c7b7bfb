"""FIDELITY.md row "JSON-LD strictness and canonicalization": json-gold drops quads with bad IRIs.

json-gold v0.8.0 ``ld/rdf_dataset.go GraphToRDF`` keeps only the quads ``Quad.Valid``
accepts: an http(s) IRI must pass ``IsURL`` (``validIRI``) and a language tag must match
``validLanguageRegex``. What it drops is not signed, so under ``nuts-node`` it can change
after signing; pyld (``strict``) keeps and signs it.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest

from nutssim.jose import KeyPair
from nutssim.rng import SimRandom
from nutssim.specs import jsonld, jws2020
from nutssim.specs.jsonld import LdProcessing
from nutssim.specs.jsonld_iri import is_url, valid_iri, valid_language
from nutssim.specs.jws2020 import InvalidProofSignature
from tests.reference_data import NUTS_REFERENCE

BAD_ID = "http://-vc.example/1"  # a host label may not start with '-' (the URL pattern)


@pytest.mark.parametrize(
    ("iri", "valid"),
    [
        ("https://www.w3.org/2018/credentials#VerifiableCredential", True),
        ("https://nuts.nl/credentials/v1#organization", True),
        ("http://localhost", True),
        ("https://[::1]:8080/x", True),
        ("https://a_b.example.com/", True),
        ("https://example.com/x?q=%zz", True),  # Go's url.Parse keeps the query raw
        ("did:web:example.com", True),  # only http(s) IRIs are checked
        ("urn:uuid:1", True),
        ("http://-vc.example/1", False),
        ("http://example.com/%zz", False),  # url.Parse: invalid URL escape
        ("http://.example.com", False),  # IsURL: host starts with a dot
        ("https://example.com:8o/", False),  # url.Parse: invalid port
        ("https://exa{mple.com/", False),  # url.Parse: invalid character in host name
        ("https://example.com/a\x01", False),  # url.Parse: control character
        ("https://example.com/" + "a" * 2100, False),  # IsURL: 2083 runes or more
    ],
)
def test_valid_iri_is_json_golds_url_check(iri: str, valid: bool) -> None:
    assert valid_iri(iri) is valid


def test_language_tags_as_valid_language_regex() -> None:
    assert [valid_language(t) for t in ("nl", "en-US", "zh-Hant-TW", "en_US", "en-", "1a", "")] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_the_url_check_is_linear_on_hostile_hosts() -> None:
    start = time.monotonic()
    for host in ("a-" * 1000 + "!", "a." * 1000 + "!", "a" * 2070 + "-", "a_" * 1000 + "!"):
        assert not is_url("http://" + host)
    assert time.monotonic() - start < 1.0


def _document() -> dict[str, Any]:
    text = (NUTS_REFERENCE / "signed" / "test_assets_vc.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    document.pop("proof")
    return document


def test_json_gold_drops_a_quad_with_an_invalid_iri() -> None:
    """The credential's own id is the subject of its quads: json-gold drops every one of them."""
    document = {**_document(), "id": BAD_ID}
    gold = jsonld.canonicalize(document, mode=LdProcessing.JSON_GOLD)
    spec = jsonld.canonicalize(document)
    assert BAD_ID not in gold and "issuanceDate" not in gold and "IJbergen" in gold
    assert f"<{BAD_ID}> <https://www.w3.org/2018/credentials#issuanceDate>" in spec


def test_json_gold_drops_a_literal_with_a_malformed_language_tag() -> None:
    document = _document()
    document["credentialSubject"]["organization"]["name"] = {"@value": "Zorg B.V.", "@language": "nl_NL"}
    assert "Zorg B.V." not in jsonld.canonicalize(document, mode=LdProcessing.JSON_GOLD)
    document["credentialSubject"]["organization"]["name"]["@language"] = "nl-NL"
    assert '"Zorg B.V."@nl-nl' in jsonld.canonicalize(document, mode=LdProcessing.JSON_GOLD)


@pytest.mark.parametrize("mode", [LdProcessing.JSON_GOLD, LdProcessing.SPEC])
def test_a_dropped_statement_is_unsigned_under_json_gold_only(mode: LdProcessing) -> None:
    """Signed with a bad credential id, the issuance date can be moved: nuts-node still verifies."""
    key = KeyPair.generate(SimRandom(17))
    document = {**_document(), "id": BAD_ID}
    signed = jws2020.sign_credential(
        document, key, verification_method="did:web:issuer.example#0", created=1_700_000_000, mode=mode
    )
    moved = copy.deepcopy(signed)
    moved["issuanceDate"] = "2099-01-01T00:00:00Z"
    if mode is LdProcessing.JSON_GOLD:
        jws2020.verify_proof(moved, key.public, mode=mode)
    else:
        with pytest.raises(InvalidProofSignature):
            jws2020.verify_proof(moved, key.public, mode=mode)
