"""The policy linter: silent on a clean policy, each rule on a risky one, the reference files, the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from nutssim.cli import main
from nutssim.lint import RULES, Finding, has_errors, lint
from nutssim.specs import nuts_policy
from tests.reference_data import REFERENCE_POLICIES

REFERENCE = REFERENCE_POLICIES
SHIPPED = Path(__file__).resolve().parents[1] / "nutssim" / "data" / "policies"

ISSUER = {
    "path": ["$.issuer"],
    "filter": {"type": "string", "pattern": "^did:web:register\\.example:iam:.+$"},
}


def field(name: str, *rest: str, id: str | None = None) -> dict[str, Any]:
    """A field over both credentialSubject shapes."""
    tail = ".".join((name, *rest))
    out: dict[str, Any] = {
        "path": [f"$.credentialSubject.{tail}", f"$.credentialSubject[0].{tail}"],
        "filter": {"type": "string"},
    }
    if id:
        out["id"] = id
    return out


def type_field(credential_type: str) -> dict[str, Any]:
    return {"path": ["$.type"], "filter": {"type": "string", "const": credential_type}}


def clean_policy() -> dict[str, Any]:
    """A policy every rule accepts: issuer pinned, both subject shapes, supported formats, distinct ids."""
    organization = {
        "id": "pd_care_organization",
        "format": {
            "jwt_vc": {"alg": ["ES256"]},
            "jwt_vp": {"alg": ["ES256"]},
            "ldp_vc": {"proof_type": ["JsonWebSignature2020"]},
            "ldp_vp": {"proof_type": ["JsonWebSignature2020"]},
        },
        "input_descriptors": [
            {
                "id": "organization",
                "constraints": {
                    "fields": [
                        type_field("NutsOrganizationCredential"),
                        ISSUER,
                        field("organization", "name", id="organization_name"),
                        field("organization", "city", id="organization_city"),
                    ]
                },
            },
            {
                "id": "employee",
                "constraints": {
                    "fields": [
                        type_field("NutsEmployeeCredential"),
                        field("identifier", id="employee_identifier"),
                        field("roleName", id="employee_role"),
                    ]
                },
            },
        ],
    }
    user = {
        "id": "pd_user",
        "input_descriptors": [
            {
                "id": "user",
                "constraints": {
                    "fields": [type_field("NutsEmployeeCredential"), field("name", id="user_name")]
                },
            }
        ],
    }
    return {"eoverdracht": {"organization": organization, "user": user, "scope_policy": "profile-only"}}


def codes(findings: list[Finding]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in findings:
        out.setdefault(f.code, set()).add(f.severity)
    return out


def test_clean_policy_gives_no_findings() -> None:
    policy = clean_policy()
    nuts_policy.load(policy)  # it is a valid policy, too
    assert lint(policy) == []
    assert lint(nuts_policy.load(policy)) == []


def test_shipped_eoverdracht_policy_is_clean() -> None:
    assert [f for f in lint(SHIPPED / "eoverdracht.json") if f.severity != "info"] == []


def mutate(path: str, value: Any) -> dict[str, Any]:
    """The clean policy with the member at a /-separated path replaced (or deleted for None)."""
    policy = clean_policy()
    *parents, last = path.split("/")
    node: Any = policy
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is None:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return policy


ORG_FIELDS = "eoverdracht/organization/input_descriptors/0/constraints/fields"
EMP_FIELDS = "eoverdracht/organization/input_descriptors/1/constraints/fields"

RISKY: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (rule, policy, severity, scope, pointer of the finding)
    (
        "self-issued-gap",
        mutate(f"{ORG_FIELDS}/1", None),
        "error",
        "eoverdracht",
        "/organization/input_descriptors/0",
    ),
    (
        "issuer-unconstrained",
        mutate(
            f"{ORG_FIELDS}/1",
            {"path": ["$.issuer"], "filter": {"type": "string", "filter": {"pattern": "^x$"}}},
        ),
        "error",
        "eoverdracht",
        "/organization/input_descriptors/0/constraints/fields/1/filter",
    ),
    (
        "ignored-filter-keyword",
        mutate(
            f"{ORG_FIELDS}/1",
            {
                "path": ["$.issuer"],
                "filter": {"type": "string", "pattern": "^x$", "filter": {"pattern": "^y$"}},
            },
        ),
        "warning",
        "eoverdracht",
        "/organization/input_descriptors/0/constraints/fields/1/filter/filter",
    ),
    (
        "issuer-pattern-unanchored",
        mutate(
            f"{ORG_FIELDS}/1", {"path": ["$.issuer"], "filter": {"type": "string", "pattern": "register"}}
        ),
        "warning",
        "eoverdracht",
        "/organization/input_descriptors/0/constraints/fields/1/filter",
    ),
    (
        "type-only",
        mutate(EMP_FIELDS, [type_field("NutsEmployeeCredential")]),
        "warning",
        "eoverdracht",
        "/organization/input_descriptors/1",
    ),
    (
        "no-type-constraint",
        mutate(f"{EMP_FIELDS}/0", None),
        "warning",
        "eoverdracht",
        "/organization/input_descriptors/1",
    ),
    (
        "subject-shape",
        mutate(f"{EMP_FIELDS}/1/path", ["$.credentialSubject.identifier"]),
        "warning",
        "eoverdracht",
        "/organization/input_descriptors/1/constraints/fields/1/path",
    ),
    (
        "reserved-field-id",
        mutate(f"{EMP_FIELDS}/1/id", "sub"),
        "error",
        "eoverdracht",
        "/organization/input_descriptors/1/constraints/fields/1/id",
    ),
    (
        "duplicate-field-id",
        mutate("eoverdracht/user/input_descriptors/0/constraints/fields/1/id", "employee_role"),
        "error",
        "eoverdracht",
        "",
    ),
    (
        "unsupported-format",
        mutate("eoverdracht/organization/format/jwt_vc", {"alg": ["ES256", "HS256"]}),
        "warning",
        "eoverdracht",
        "/organization/format/jwt_vc",
    ),
    (
        "no-shared-format",
        mutate("eoverdracht/organization/format", {"mso_mdoc": {}, "jwt_vp": {"alg": ["HS256"]}}),
        "error",
        "eoverdracht",
        "/organization/format",
    ),
    (
        "engine-bounds",
        mutate(f"{EMP_FIELDS}/1/path", ["$..a..b"]),
        "error",
        "eoverdracht",
        "/organization/input_descriptors/1/constraints/fields/1/path/0",
    ),
    (
        "engine-bounds",
        mutate(f"{EMP_FIELDS}/1/filter", {"type": "string", "pattern": "^(a+)+$"}),
        "error",
        "eoverdracht",
        "/organization/input_descriptors/1/constraints/fields/1/filter/pattern",
    ),
    (  # the reference's risk (regexp2 without timeout), beside strict's refusal above
        "unbounded-regex",
        mutate(f"{EMP_FIELDS}/1/filter", {"type": "string", "pattern": "^(a+)+$"}),
        "warning",
        "eoverdracht",
        "/organization/input_descriptors/1/constraints/fields/1/filter/pattern",
    ),
    (
        "invalid-definition",
        mutate("eoverdracht/organization/input_descriptors/1/id", None),
        "error",
        "eoverdracht",
        "/organization/input_descriptors/1/id",
    ),
    (
        "invalid-policy",
        mutate("eoverdracht/scope_policy", "everything"),
        "error",
        "eoverdracht",
        "/scope_policy",
    ),
    ("invalid-policy", mutate("eoverdracht/wallet", {}), "error", "eoverdracht", "/wallet"),
    (
        "dynamic-without-evaluator",
        mutate("eoverdracht/scope_policy", "dynamic"),
        "info",
        "eoverdracht",
        "/scope_policy",
    ),
    (
        "passthrough-scope-policy",
        mutate("eoverdracht/scope_policy", "passthrough"),
        "info",
        "eoverdracht",
        "/scope_policy",
    ),
]


@pytest.mark.parametrize(
    ("rule", "policy", "severity", "scope", "pointer"),
    RISKY,
    ids=[f"{r[0]}-{i}" for i, r in enumerate(RISKY)],
)
def test_each_rule_flags_its_risky_pattern(
    rule: str, policy: dict[str, Any], severity: str, scope: str, pointer: str
) -> None:
    found = [f for f in lint(policy) if f.code == rule]
    assert found, f"{rule} not flagged: {[str(f) for f in lint(policy)]}"
    assert any(
        f.severity == severity and f.where.scope == scope and f.where.pointer == pointer for f in found
    ), [(f.severity, f.where) for f in found]
    assert all(f.hint for f in found)


def test_duplicate_field_id_within_one_definition_is_a_warning() -> None:
    policy = mutate(f"{EMP_FIELDS}/2/id", "employee_identifier")
    found = [f for f in lint(policy) if f.code == "duplicate-field-id"]
    assert [(f.severity, f.where.pointer) for f in found] == [
        ("warning", "/organization/input_descriptors/1/constraints/fields/2")
    ]


def test_scopes_with_identical_definitions_reveal_data_availability() -> None:
    profile = clean_policy()["eoverdracht"]
    other = copy.deepcopy(profile)
    other["organization"]["id"] = "another_id"  # ids, names and purposes do not make a PD different
    findings = lint({"medicatie": profile, "labuitslagen": other})
    found = [f for f in findings if f.code == "scope-reveals-availability"]
    assert len(found) == 1 and "medicatie, labuitslagen" in found[0].message and "RFC021 §8" in str(found[0])
    assert found[0].severity == "warning"


@pytest.mark.parametrize(
    ("scope", "bsn"), [("patient-123456", False), ("dossier-999999990", True), ("eoverdracht:bsn", False)]
)
def test_patient_specific_scope_names(scope: str, bsn: bool) -> None:
    found = [f for f in lint({scope: clean_policy()["eoverdracht"]}) if f.code == "patient-specific-scope"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert ("BSN-like" in found[0].message) is bsn


def test_legacy_form_and_subject_shape_info_when_formats_fit() -> None:
    organization = clean_policy()["eoverdracht"]["organization"]
    organization["format"] = {"ldp_vc": {"proof_type": ["JsonWebSignature2020"]}}
    organization["input_descriptors"][0]["constraints"]["fields"][2]["path"] = [
        "$.credentialSubject.organization.name"
    ]
    found = codes(lint({"eoverdracht": organization}))
    assert found == {"legacy-form": {"info"}, "subject-shape": {"info"}}


def test_formats_are_checked_against_the_given_metadata() -> None:
    jwt_only = {
        "vp_formats_supported": {
            "jwt_vp_json": {"alg_values_supported": ["ES256"]},
            "jwt_vc_json": {"alg_values_supported": ["ES256"]},
        }
    }
    policy = mutate(
        "eoverdracht/organization/format",
        {
            "ldp_vc": {"proof_type": ["JsonWebSignature2020"]},
            "ldp_vp": {"proof_type": ["JsonWebSignature2020"]},
        },
    )
    assert lint(policy) == []
    found = codes(lint(policy, as_metadata=jwt_only))
    assert found == {"unsupported-format": {"warning"}, "no-shared-format": {"error"}}


def test_dynamic_scope_policy_with_an_evaluator_is_silent() -> None:
    assert lint(mutate("eoverdracht/scope_policy", "dynamic"), authzen_endpoint="https://pdp.example") == []


def test_a_directory_is_linted_as_the_node_loads_it(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(clean_policy()))
    (tmp_path / "b.json").write_text(json.dumps(clean_policy()))
    (tmp_path / "c.json").write_text("{not json")
    found = lint(tmp_path)
    assert {(f.code, f.where.file) for f in found} == {
        ("duplicate-scope", "b.json"),
        ("invalid-policy", "c.json"),
    }


def test_a_field_id_shared_by_organization_and_service_provider_is_the_binding_not_a_duplicate() -> None:
    """Issue #20: the two-VP flow binds VP2 to VP1 through a shared field id (nuts-node policy.rst)."""
    found = lint(nuts_policy_file("jwt-bearer"))
    assert [(f.code, f.severity) for f in found] == [("cross-vp-binding", "info")]


def nuts_policy_file(name: str) -> Path:
    return Path(__file__).resolve().parents[1] / "nutssim" / "data" / "policies" / f"{name}.json"


def test_every_rule_is_exercised_and_documented() -> None:
    exercised = {r[0] for r in RISKY} | {
        "cross-vp-binding",
        "scope-reveals-availability",
        "patient-specific-scope",
        "legacy-form",
        "duplicate-scope",
        "semantics-differ",  # opt-in: tests below
    }
    assert exercised == set(RULES)
    assert all(rule.ref and rule.hint is not None for rule in RULES.values())


# -- the reference policy files ----------------------------------------------------------------------------
REFERENCE_EXPECTED = {
    "definition_mapping.json": {
        "issuer-unconstrained": {"error"},
        "ignored-filter-keyword": {"warning"},
        "subject-shape": {"info"},
    },
    "didx509-e2e.json": {"subject-shape": {"info"}},
    "rfc021-e2e.json": {"self-issued-gap": {"error"}, "subject-shape": {"info"}},
    "scope_policy_dynamic.json": {
        "self-issued-gap": {"error"},
        "type-only": {"warning"},
        "dynamic-without-evaluator": {"info"},
    },
    "scope_policy_passthrough.json": {
        "self-issued-gap": {"error"},
        "type-only": {"warning"},
        "passthrough-scope-policy": {"info"},
    },
    "with_org_sp_user.json": {"self-issued-gap": {"error"}, "type-only": {"warning"}},
    "zorgtoepassing.json": {"self-issued-gap": {"error"}},
}


@pytest.mark.parametrize("name", sorted(REFERENCE_EXPECTED))
def test_reference_policies(name: str) -> None:
    assert codes(lint(REFERENCE / name)) == REFERENCE_EXPECTED[name]


# -- the command line ------------------------------------------------------------------------------------
def test_cli_lint_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps(clean_policy()))
    risky = tmp_path / "risky.json"
    risky.write_text(json.dumps(mutate(f"{ORG_FIELDS}/1", None)))
    assert main(["lint", str(clean)]) == 0
    assert "0 errors, 0 warnings, 0 info" in capsys.readouterr().out
    assert main(["lint", str(clean), str(risky), "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in rows] == ["self-issued-gap"]
    assert rows[0]["where"] == {
        "file": str(risky),
        "scope": "eoverdracht",
        "pointer": "/organization/input_descriptors/0",
    }
    assert rows[0]["ref"] == "PROTOCOL.md §3.11"
    assert main(["lint", str(tmp_path / "missing.json")]) == 2


def test_has_errors() -> None:
    assert not has_errors(lint(clean_policy()))
    assert has_errors(lint(mutate(f"{ORG_FIELDS}/1", None)))


# -- semantics-differ (opt-in): where a reference node and a spec-exact verifier disagree ------------
def _differences(flt: dict[str, Any], path: str = "$.credentialSubject.x") -> list[str]:
    policy = clean_policy()
    descriptor = policy["eoverdracht"]["organization"]["input_descriptors"][0]
    descriptor["constraints"]["fields"] = [{"path": [path], "filter": flt}]
    at = "/organization/input_descriptors/0/constraints/fields/0/filter"
    return [
        f.message
        for f in lint(policy, semantics=True)
        if f.code == "semantics-differ" and f.where.pointer == at
    ]


@pytest.mark.parametrize(
    ("flt", "path", "says"),
    [
        ({"type": "number", "minimum": 3}, "$.credentialSubject.x", "ignores minimum"),
        ({"pattern": "^a"}, "$.credentialSubject.x", 'without "type": "string"'),
        ({"type": "integer"}, "$.credentialSubject.x", 'no "integer"'),
        ({"type": "string", "const": "X"}, "$.type", "the value is an array"),
    ],
)
def test_semantics_differ_names_the_reason(flt, path, says):
    (message,) = _differences(flt, path)
    assert says in message


def test_semantics_differ_is_quiet_where_both_readings_agree_and_off_by_default():
    assert _differences({"type": "string", "const": "Utrecht"}) == []
    assert not [f for f in lint(clean_policy()) if f.code == "semantics-differ"]


# -- the profile's reading decides what loads (issue #22: the linter reads as the profile does) ----
def _with_org_fields(fields: list[dict[str, Any]]) -> dict[str, Any]:
    policy = clean_policy()
    policy["eoverdracht"]["organization"]["input_descriptors"][0]["constraints"]["fields"] = fields
    return policy


def test_a_numeric_const_is_refused_by_the_reference_reading_only():
    # vcr/pe/types.go Filter.Const is a *string: json.Unmarshal of 3 fails, so the node refuses the
    # policy at start-up; to the DIF text a numeric const is an ordinary JSON Schema.
    policy = _with_org_fields([ISSUER, {"path": ["$.credentialSubject.level"], "filter": {"const": 3}}])
    (finding,) = [f for f in lint(policy) if f.code == "invalid-definition"]
    assert finding.message.startswith("the reference reads filter member 'const' as a string")
    assert finding.where.pointer == "/organization/input_descriptors/0/constraints/fields/1/filter/const"
    assert not [f for f in lint(policy, profile="strict") if f.code == "invalid-definition"]


def test_duplicate_descriptor_ids_are_refused_by_the_spec_reading_only():
    # DIF PE v2 §Input Descriptor Object: an id "MUST NOT conflict"; the reference checks the schema only.
    policy = clean_policy()
    descriptors = policy["eoverdracht"]["organization"]["input_descriptors"]
    descriptors[1]["id"] = descriptors[0]["id"]
    assert not [f for f in lint(policy) if f.code == "invalid-definition"]
    assert [f.code for f in lint(policy, profile="strict") if f.code == "invalid-definition"] == [
        "invalid-definition"
    ]


def test_type_elements_mean_the_same_to_both_readings():
    # The shipped policies select $.type[*]: a string per element to the spec, one array the
    # reference's matchFilter reads element by element; the linter sees the type constraint.
    assert _differences({"type": "string", "const": "X"}, "$.type[*]") == []
    policy = _with_org_fields([
        {"path": ["$.type[*]"], "filter": {"type": "string", "const": "NutsOrganizationCredential"}},
        ISSUER,
    ])  # fmt: skip
    assert "no-type-constraint" not in codes(lint(policy))


def test_cli_lint_profile_picks_the_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = clean_policy()
    descriptors = policy["eoverdracht"]["organization"]["input_descriptors"]
    descriptors[1]["id"] = descriptors[0]["id"]
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(policy))
    assert main(["lint", str(path)]) == 0
    capsys.readouterr()
    assert main(["lint", str(path), "--profile", "strict", "--json"]) == 1
    assert [r["code"] for r in json.loads(capsys.readouterr().out)] == ["invalid-definition"]
