"""Nuts policy files (PROTOCOL.md §3.8): the reference policies load, the invalid ones are refused clearly."""

from __future__ import annotations

import json
import shutil

import pytest

from nutssim.specs import nuts_policy, pex
from nutssim.specs.nuts_policy import Policy, PolicyError
from tests.reference_data import NUTS_REFERENCE

DATA = NUTS_REFERENCE
POLICIES = sorted((DATA / "policies").glob("*.json"))
INVALID = DATA / "policies-invalid"

ORG_PD = {
    "id": "pd_org",
    "input_descriptors": [
        {
            "id": "d",
            "constraints": {
                "fields": [
                    {"path": ["$.type"], "filter": {"type": "string", "const": "NutsOrganizationCredential"}}
                ]
            },
        }
    ],
}


def test_reference_data_is_there():
    assert len(POLICIES) == 7 and len(list(INVALID.glob("*.json"))) == 3


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_reference_policies_load_and_round_trip(path):
    policy = Policy.from_file(path)
    content = json.loads(path.read_text())
    assert list(policy) == list(content)
    assert policy.to_dict() == content
    assert Policy.from_dict(policy.to_dict()) == policy
    for profile in policy.values():
        assert profile.source == path.name
        for definition in profile.definitions.values():
            pex.compile_definition(definition)  # every definition is ready for matching


@pytest.mark.parametrize(
    "file, message",
    [
        (
            "invalid_definition_mapping.json",
            "invalid_definition_mapping.json: scope 'example-scope': /organization/input_descriptors: "
            "required member is missing",
        ),
        (
            "invalid_scope_policy.json",
            "invalid_scope_policy.json: scope 'invalid-scope': /scope_policy: invalid scope_policy \"bogus\" "
            "for scope 'invalid-scope' (expected one of profile-only, passthrough, dynamic)",
        ),
        (
            "no_pds.json",
            "no_pds.json: scope 'no-pd-scope': credential profile 'no-pd-scope' must define at least one of "
            "'organization', 'service_provider', or 'user'",
        ),
    ],
)
def test_invalid_reference_policies_are_refused(file, message):
    with pytest.raises(PolicyError) as caught:
        Policy.from_file(INVALID / file)
    assert str(caught.value) == message


def test_scope_policies():
    assert (
        nuts_policy.load(DATA / "policies" / "zorgtoepassing.json")["zorgtoepassing"].scope_policy
        == "profile-only"
    )
    assert (
        nuts_policy.load(DATA / "policies" / "scope_policy_dynamic.json")["dynamic-scope"].scope_policy
        == "dynamic"
    )
    assert (
        nuts_policy.load(DATA / "policies" / "scope_policy_passthrough.json")
        .find_profile("passthrough-scope extra")
        .scope_policy
        == "passthrough"
    )


def test_wallet_owner_types():
    policy = nuts_policy.load(DATA / "policies" / "with_org_sp_user.json")
    assert {
        t: policy.presentation_definition("example-scope", t).id for t in nuts_policy.WALLET_OWNER_TYPES
    } == {"organization": "pd_organization", "user": "pd_user", "service_provider": "pd_service_provider"}
    only_org = nuts_policy.load(DATA / "policies" / "rfc021-e2e.json")
    with pytest.raises(nuts_policy.NoDefinitionForWallet) as caught:
        only_org.presentation_definition("test", "user")
    assert str(caught.value) == "no presentation definition found for 'user' wallet"


def test_find_profile():
    policy = Policy.from_dict({"a": {"organization": ORG_PD}, "b": {"user": ORG_PD}})
    match = policy.find_profile("openid  a\tprofile")
    assert (match.scope, match.other_scopes, match.presentation_definition().id) == (
        "a",
        ("openid", "profile"),
        "pd_org",
    )
    with pytest.raises(nuts_policy.ScopeNotFound) as not_found:
        policy.find_profile("openid profile")
    assert not_found.value.reference_text == "not found"
    assert str(not_found.value) == "unsupported scope (openid profile) for presentation exchange: not found"
    for scope in ("a b", "a a"):  # the same profile scope twice is ambiguous too, as in the reference
        with pytest.raises(nuts_policy.AmbiguousScope, match="multiple credential profile scopes found"):
            policy.find_profile(scope)
    with pytest.raises(nuts_policy.ScopeNotFound):
        policy.find_profile("")


def test_directory_loads_in_lexical_order_and_refuses_duplicate_scopes(tmp_path):
    with pytest.raises(PolicyError) as caught:
        nuts_policy.load(DATA / "policies")
    # definition_mapping.json and with_org_sp_user.json both define example-scope; didx509-e2e.json and
    # rfc021-e2e.json both define test: in lexical order the second of the first pair is met first.
    assert str(caught.value) == (
        "rfc021-e2e.json: scope 'test': mapping for scope 'test' already exists "
        "(first defined in didx509-e2e.json)"
    )
    for name in ("zorgtoepassing.json", "rfc021-e2e.json", "scope_policy_dynamic.json"):
        shutil.copy(DATA / "policies" / name, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not a policy")
    policy = nuts_policy.load(tmp_path)
    assert list(policy) == ["test", "dynamic-scope", "zorgtoepassing"]  # rfc021…, scope_policy…, zorg…
    assert policy["test"].source == "rfc021-e2e.json"


def test_older_form_is_read_as_organization():
    policy = Policy.from_dict({"example-scope": ORG_PD}, source="presentation_definition_mapping.json")
    profile = policy["example-scope"]
    assert profile.legacy and list(profile.definitions) == ["organization"]
    assert policy.to_dict() == {"example-scope": {"organization": ORG_PD}}
    assert Policy.from_dict(policy.to_dict()) == policy


def test_dump_round_trips(tmp_path):
    policy = nuts_policy.load(DATA / "policies" / "scope_policy_passthrough.json")
    policy.dump(tmp_path / "out.json")
    assert nuts_policy.load(tmp_path / "out.json") == policy
    assert json.loads((tmp_path / "out.json").read_text()) == json.loads(
        (DATA / "policies" / "scope_policy_passthrough.json").read_text()
    )


@pytest.mark.parametrize(
    "content, message",
    [
        ([], "<dict>: a policy file must hold a JSON object, got list"),
        ({"s": "pd"}, "<dict>: scope 's': a credential profile must be a JSON object, got str"),
        (
            {"s": {"organization": ORG_PD, "organisation": ORG_PD}},
            "<dict>: scope 's': /organisation: unknown member 'organisation' (a profile has organization, "
            "user, service_provider, scope_policy) (hint: did you mean 'organization'?)",
        ),
        (
            {
                "s": {
                    "user": {
                        **ORG_PD,
                        "input_descriptors": [
                            {"id": "d", "constraints": {"fields": [{"path": ["$.a" * 200]}]}}
                        ],
                    }
                }
            },
            "<dict>: scope 's': /user/input_descriptors/0/constraints/fields/0/path/0: path is 600 "
            "characters long; at most 256 are allowed",
        ),
        (
            {
                "s": {
                    "organization": {
                        **ORG_PD,
                        "input_descriptors": [
                            {
                                "id": "d",
                                "constraints": {
                                    "fields": [
                                        {"path": ["$.a"], "filter": {"type": "string", "pattern": "(a+)+$"}}
                                    ]
                                },
                            }
                        ],
                    }
                }
            },
            "<dict>: scope 's': /organization/input_descriptors/0/constraints/fields/0/filter/pattern: "
            'pattern "(a+)+$": nested quantifiers (such as (a+)+) can backtrack exponentially',
        ),
        (
            {"s": {"organization": ORG_PD, "scope_policy": 3}},
            "<dict>: scope 's': /scope_policy: invalid scope_policy 3 for scope 's' (expected one of "
            "profile-only, passthrough, dynamic)",
        ),
    ],
)
def test_load_errors_name_file_scope_and_member(content, message):
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(content)
    assert str(caught.value) == message


def test_unreadable_files(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{")
    with pytest.raises(PolicyError, match=r"broken\.json: failed to unmarshal PEX Policy mapping file"):
        nuts_policy.load(bad)
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        nuts_policy.load(tmp_path / "missing.json")


def test_reserved_field_ids_are_reported_at_load():
    pd = {
        "id": "pd",
        "input_descriptors": [
            {"id": "d", "constraints": {"fields": [{"id": "client_id", "path": ["$.credentialSubject.id"]}]}}
        ],
    }
    policy = Policy.from_dict({"s": {"organization": pd}})
    assert policy.findings == (
        "<dict>: scope 's': /organization/input_descriptors/0/constraints/fields/0: field id "
        "'client_id' shadows an introspection claim (PROTOCOL.md §3.10)",
    )


def test_load_passes_a_policy_through_and_takes_a_mapping():
    policy = nuts_policy.load({"s": {"organization": ORG_PD}})
    assert nuts_policy.load(policy) is policy
    assert repr(policy["s"]) == "<CredentialProfile 's': organization='pd_org', scope_policy='profile-only'>"
