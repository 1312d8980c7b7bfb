"""Hostile definitions: refused with a clear error that names the member, and fast."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from nutssim.specs import pex

from .helpers import ldp_vc, organization

FAST = 1.0  # CPU seconds (a hang guard, not a speed target): every refusal below takes milliseconds


@contextmanager
def quick():
    start = time.process_time()
    yield
    assert time.process_time() - start < FAST


def _pd(field: dict, **descriptor) -> dict:
    return {
        "id": "evil",
        "input_descriptors": [{"id": "d", "constraints": {"fields": [field]}, **descriptor}],
    }


def _refused(document, words, pointer=None, error=pex.LimitExceeded):
    with quick(), pytest.raises(error, match=words) as caught:
        pex.match_definition(document, [organization()])
    if pointer is not None:
        assert caught.value.pointer == pointer
    return caught.value


def test_very_long_path():
    error = _refused(
        _pd({"path": ["$" + ".a" * 50_000]}),
        "100001 characters long; at most 256",
        "/input_descriptors/0/constraints/fields/0/path/0",
    )
    assert str(error).startswith("/input_descriptors/0/constraints/fields/0/path/0: path is 100001")


def test_too_many_paths_and_segments():
    _refused(_pd({"path": [f"$.a{i}" for i in range(500)]}), "500 paths; at most 16")
    _refused(_pd({"path": ["$" + "[0]" * 40]}), "40 segments; at most 32")


def test_filter_selectors_and_descendant_chains():
    _refused(_pd({"path": ["$.credentialSubject[?@.name == 'x']"]}), "filter selectors")
    _refused(_pd({"path": ["$.credentialSubject[?match(@.name, '(a+)+$')]"]}), "filter selectors")
    _refused(_pd({"path": ["$..a..b"]}), "2 descendant")
    # ...and with the bound lifted the same engine evaluates the filter selector.
    limits = pex.Limits(allow_filter_selectors=True)
    pd = _pd({"path": ["$.credentialSubject[?@.city == 'Utrecht'].name"]})
    assert pex.match_definition(pd, [organization()], limits=limits).matches


def test_deeply_nested_document_is_refused_before_parsing():
    requirement: dict = {"rule": "all", "from": "A"}
    for _ in range(5_000):  # far beyond Python's recursion limit, if anything recursed on it
        requirement = {"rule": "pick", "count": 1, "from_nested": [requirement]}
    document = {"id": "evil", "input_descriptors": [], "submission_requirements": [requirement]}
    with quick(), pytest.raises(pex.LimitExceeded, match="nested deeper than 48 levels"):
        pex.parse_definition(document)


def test_nested_requirements_beyond_the_bound():
    requirement: dict = {"rule": "all", "from": "A"}
    for _ in range(10):
        requirement = {"rule": "pick", "count": 1, "from_nested": [requirement]}
    pd = {
        "id": "evil",
        "submission_requirements": [requirement],
        "input_descriptors": [{"id": "d", "group": ["A"], "constraints": {"fields": [{"path": ["$.type"]}]}}],
    }
    _refused(pd, "nest deeper than 8 levels")


def test_deep_and_wide_filters():
    deep: dict = {"type": "string"}
    for _ in range(10):
        deep = {"allOf": [deep]}
    _refused(_pd({"path": ["$.type"], "filter": deep}), "filter is nested deeper than 16 levels")
    wide = {"anyOf": [{"const": i} for i in range(1000)]}
    _refused(_pd({"path": ["$.type"], "filter": wide}), "more than 512 JSON values")


def test_too_many_descriptors_and_fields():
    many = {"id": "evil", "input_descriptors": [{"id": f"d{i}", "constraints": {}} for i in range(100)]}
    _refused(many, "100 input descriptors; at most 64", "/input_descriptors")
    fields = [{"path": ["$.type"]}] * 100
    _refused(
        {"id": "evil", "input_descriptors": [{"id": "d", "constraints": {"fields": fields}}]},
        "100 fields; at most 64",
    )


@pytest.mark.parametrize(
    "pattern, words",
    [
        ("^(a+)+$", "nested quantifiers"),
        ("^(a|aa)+$", "alternatives that can start alike"),
        ("(x+x+)+y", "overlapping characters in a row"),
        (".*care.*x", "anchor the pattern"),
        (r"^(\w+\s?)*$", "nested quantifiers"),
        (r"^(([a-z])+.)+[A-Z]([a-z])+$", "nested quantifiers"),
        (r"(.*a){12}", "nested quantifiers"),
        (r"^(a)\1+$", "backreferences"),
        ("a" * 600, "600 characters long"),
    ],
)
def test_catastrophic_patterns(pattern, words):
    field = {"path": ["$.credentialSubject.name"], "filter": {"type": "string", "pattern": pattern}}
    _refused(_pd(field), words, "/input_descriptors/0/constraints/fields/0/filter/pattern")


def test_catastrophic_pattern_deep_inside_a_filter():
    field = {"path": ["$.type"], "filter": {"type": "array", "items": {"anyOf": [{"pattern": "(a*)*b"}]}}}
    _refused(
        _pd(field),
        "nested quantifiers",
        "/input_descriptors/0/constraints/fields/0/filter/items/anyOf/0/pattern",
    )


def test_accepted_patterns_stay_fast_on_long_hostile_values():
    # The guard leaves at most polynomial shapes, and values are bounded in length.
    patterns = [
        r"^[0-9.]+-\d+-\d+-S-(\d+)-00\.000-\d+$",
        r"^did:x509:0:sha256:[A-Za-z0-9_-]+::.*$",
        r"^.*care.*x",
        r"\d+x",
        r"^did:web:.*:iam:.*$",
    ]
    values = [
        "1" * 2000 + "!",
        "did:x509:0:sha256:" + "a" * 2000,
        "care" * 500,
        "9" * 100_000,
        "did:web:" + ":iam:" * 400 + "\n",
    ]
    for pattern in patterns:
        pd = _pd({"path": ["$.credentialSubject.v"], "filter": {"type": "string", "pattern": pattern}})
        wallet = [ldp_vc(f"urn:{i}", "T", {"v": v}) for i, v in enumerate(values)]
        with quick(), pytest.raises(pex.NoCredentials):
            pex.match_definition(pd, wallet)


def test_remote_references_are_never_fetched():
    field = {"path": ["$.type"], "filter": {"$ref": "http://169.254.169.254/latest/meta-data"}}
    _refused(_pd(field), "refer inside itself", error=pex.InvalidDefinition)


def test_hostile_submission_paths_are_bounded_too():
    org = organization()
    entry = {"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": "$" + ".a" * 1000}
    submission = {"id": "s", "definition_id": "evil", "descriptor_map": [entry]}
    pd = {"id": "evil", "input_descriptors": [{"id": "id_nuts_care_organization_cred", "constraints": {}}]}
    with quick(), pytest.raises(pex.SubmissionMismatch, match="characters long"):
        pex.check_submission(
            pd, submission, {"verifiableCredential": [org.raw]}, parse_credential=lambda v, f: org
        )
    many = {**submission, "descriptor_map": [{**entry, "path": "$"}] * 300}
    with quick(), pytest.raises(pex.LimitExceeded, match="300 descriptor_map entries"):
        pex.check_submission(pd, many, {}, parse_credential=lambda v, f: org)
