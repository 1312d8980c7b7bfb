"""Canonicalization is bounded before any signature is checked (issue #18 item 3).

URDNA2015 is exponential in symmetric blank nodes: 8 linked blank nodes (1.3 kB) hold pyld
(and the reference's json-gold) for about a minute. These tests pin *where* each bound
stops the work, by what was (not) done, never by timing.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from pyld.jsonld import JsonLdProcessor

from nutssim.specs import jsonld
from nutssim.specs.jsonld import (
    DEFAULT_CANONICALIZATION_LIMITS,
    CanonicalizationLimitExceeded,
    OfflineLoader,
)
from tests.specs.test_jsonld import ORG_CREDENTIAL, _presentation

KNOWS = "https://schema.org/knows"


def clique(size: int) -> dict:
    """``size`` blank nodes, each linked to every other: every one looks alike to URDNA2015."""
    nodes = [
        {"@id": f"_:b{i}", KNOWS: [{"@id": f"_:b{j}"} for j in range(size) if j != i]} for i in range(size)
    ]
    return {"@graph": nodes}


def with_objects(count: int) -> dict:
    """The organization credential with ``count`` anonymous (blank-node) organizations."""
    subject = {
        **ORG_CREDENTIAL["credentialSubject"],
        "organization": [{"name": f"o{i}"} for i in range(count)],
    }
    return {**ORG_CREDENTIAL, "credentialSubject": subject}


def test_symmetric_blank_nodes_exhaust_the_work_budget_not_the_cpu():
    with pytest.raises(CanonicalizationLimitExceeded, match="units of canonicalization work") as info:
        jsonld.canonicalize(clique(8), strict=False)
    # charged before the permutations run: at most one Hash N-Degree Quads call past the budget
    assert info.value.limit == DEFAULT_CANONICALIZATION_LIMITS.max_work
    assert info.value.found <= info.value.limit + 8 * 40320


def test_a_small_symmetric_graph_is_still_canonicalized():
    nquads = jsonld.canonicalize(clique(3), strict=False).splitlines()
    assert len(nquads) == 6
    assert {line.split()[0] for line in nquads} == {"_:c14n0", "_:c14n1", "_:c14n2"}


def test_too_many_json_values_are_refused_before_any_context_is_loaded():
    loader = OfflineLoader()
    too_big = with_objects(DEFAULT_CANONICALIZATION_LIMITS.max_json_values)
    with pytest.raises(CanonicalizationLimitExceeded, match="JSON values"):
        jsonld.canonicalize(too_big, loader=loader)
    assert loader.calls == 0


def test_deep_nesting_is_refused_before_expansion():
    deep: dict = {"name": "x"}
    for _ in range(DEFAULT_CANONICALIZATION_LIMITS.max_depth + 1):
        deep = {"name": "x", "organization": deep}
    loader = OfflineLoader()
    with pytest.raises(CanonicalizationLimitExceeded, match="levels of nesting"):
        jsonld.canonicalize({**ORG_CREDENTIAL, "credentialSubject": deep}, loader=loader)
    assert loader.calls == 0


def test_too_many_blank_nodes_are_refused_before_hashing():
    count = DEFAULT_CANONICALIZATION_LIMITS.max_blank_nodes + 1
    with pytest.raises(CanonicalizationLimitExceeded, match=f"has {count} blank nodes"):
        jsonld.canonicalize(with_objects(count))


def test_quads_are_bounded():
    limits = replace(DEFAULT_CANONICALIZATION_LIMITS, max_quads=5)
    with pytest.raises(CanonicalizationLimitExceeded, match="RDF quads"):
        jsonld.canonicalize(ORG_CREDENTIAL, limits=limits)


def test_limits_change_nothing_for_documents_within_them():
    # the golden canonical forms of test_jsonld hold too; here: bounded == pyld's own normalize
    unbounded = JsonLdProcessor().normalize(
        _presentation(),
        {**OfflineLoader().options(), "algorithm": "URDNA2015", "format": "application/n-quads"},
    )
    assert jsonld.canonicalize(_presentation()) == unbounded


def test_the_refusal_is_a_protocol_error_naming_its_check():
    with pytest.raises(jsonld.JsonLdError) as info:
        jsonld.canonicalize(clique(8), strict=False)
    assert info.value.check == "jsonld.limit"
