"""Policy mutations and policy variants: readable names, exact effects, composition, JSON forms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nutssim import sweep
from nutssim.errors import InputError
from nutssim.scenarios.s2s import shipped_policy
from nutssim.specs import nuts_policy

ORG = "id_nuts_care_organization_cred"


def organization_fields(policy: dict[str, Any], descriptor: int = 0) -> list[dict[str, Any]]:
    pd = policy["eoverdracht"]["organization"]
    return pd["input_descriptors"][descriptor]["constraints"]["fields"]  # type: ignore[no-any-return]


def paths(policy: dict[str, Any], descriptor: int = 0) -> list[str]:
    return [f["path"][0] for f in organization_fields(policy, descriptor)]


@pytest.fixture
def base() -> dict[str, Any]:
    return shipped_policy("eoverdracht")


def test_drop_field(base: dict[str, Any]) -> None:
    mutation = sweep.DropField("$.issuer")
    out = mutation.apply(base)
    assert mutation.name == "drop $.issuer"
    assert "$.issuer" in paths(base) and "$.issuer" not in paths(out)  # the base is not changed
    assert len(organization_fields(out)) == len(organization_fields(base)) - 1
    nuts_policy.load(out)


def test_add_field_by_descriptor_id_or_credential_type(base: dict[str, Any]) -> None:
    by_type = sweep.AddField(
        "$.credentialSubject.organization.ura",
        "NutsOrganizationCredential",
        filter={"type": "string"},
        id="organization_ura",
        optional=True,
    )
    by_id = sweep.AddField(
        ["$.credentialSubject.organization.ura"],
        ORG,
        filter={"type": "string"},
        id="organization_ura",
        optional=True,
    )
    assert by_type.apply(base) == by_id.apply(base)
    added = organization_fields(by_type.apply(base))[-1]
    assert added == {
        "path": ["$.credentialSubject.organization.ura"],
        "id": "organization_ura",
        "filter": {"type": "string"},
        "optional": True,
    }
    assert by_type.name == "add $.credentialSubject.organization.ura as organization_ura"
    assert hash(by_type)  # frozen and hashable, filter and all


def test_add_issuer_pattern_replaces_the_issuer_field(base: dict[str, Any]) -> None:
    mutation = sweep.AddIssuerPattern("^did:web:rogue-register\\.example:.*$")
    out = mutation.apply(base)
    issuers = [f for f in organization_fields(out) if f["path"] == ["$.issuer"]]
    assert issuers == [
        {
            "path": ["$.issuer"],
            "filter": {"type": "string", "pattern": "^did:web:rogue-register\\.example:.*$"},
        }
    ]
    assert mutation.name == "issuer ~ ^did:web:rogue-register\\.example:.*$"
    both = sweep.AddIssuerPattern("^x$", replace=False).apply(base)
    assert len([f for f in organization_fields(both) if f["path"] == ["$.issuer"]]) == 2


def test_set_format(base: dict[str, Any]) -> None:
    out = sweep.SetFormat(["ldp_vc", "ldp_vp"]).apply(base)
    assert out["eoverdracht"]["organization"]["format"] == {
        "ldp_vc": {"proof_type": ["JsonWebSignature2020"]},
        "ldp_vp": {"proof_type": ["JsonWebSignature2020"]},
    }
    assert "format" not in sweep.SetFormat(None).apply(base)["eoverdracht"]["organization"]
    assert sweep.SetFormat(None).name == "format any"
    with pytest.raises(InputError, match="unknown format"):
        sweep.SetFormat(["mso_mdoc"])


def test_chain_and_scope_policy(base: dict[str, Any]) -> None:
    chain = sweep.DropField("$.issuer") + sweep.SetScopePolicy("passthrough") + sweep.SetFormat(["jwt_vc"])
    assert isinstance(chain, sweep.Chain) and len(chain.steps) == 3
    assert chain.name == "drop $.issuer + scope_policy passthrough + format jwt_vc"
    out = chain.apply(base)
    assert out["eoverdracht"]["scope_policy"] == "passthrough" and "$.issuer" not in paths(out)
    with pytest.raises(InputError, match="scope_policy"):
        sweep.SetScopePolicy("open")


def test_a_mutation_that_matches_nothing_is_refused(base: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="matches nothing"):
        sweep.DropField("$.nope").apply(base)
    with pytest.raises(InputError, match="NoSuchCredential"):
        sweep.AddField("$.x", "NoSuchCredential").apply(base)


def test_legacy_profiles_are_wrapped_before_mutation() -> None:
    legacy = {"old": shipped_policy("eoverdracht")["eoverdracht"]["organization"]}
    out = sweep.DropField("$.issuer").apply(legacy)
    assert set(out["old"]) == {"organization"}
    nuts_policy.load(out)


@pytest.mark.parametrize(
    "mutation",
    [
        sweep.DropField("$.issuer", descriptor=ORG),
        sweep.AddField(("$.a", "$.b"), ORG, filter={"type": "string"}, id="a"),
        sweep.AddIssuerPattern("^x$"),
        sweep.SetFormat(["jwt_vc", "jwt_vp"]),
        sweep.SetFormat({"jwt_vc": {"alg": ["ES256"]}}),
        sweep.SetScopePolicy("dynamic", scope="eoverdracht"),
        sweep.DropField("$.issuer") + sweep.SetFormat(None),
    ],
)
def test_mutations_round_trip_through_their_json_form(mutation: sweep.Mutation) -> None:
    data = json.loads(json.dumps(mutation.to_dict()))
    assert sweep.mutation_from_dict(data) == mutation


def test_mutation_short_form_and_errors() -> None:
    assert sweep.mutation_from_dict({"drop_field": {"path": "$.issuer"}}) == sweep.DropField("$.issuer")
    with pytest.raises(InputError, match="unknown argument"):
        sweep.mutation_from_dict({"op": "drop_field", "path": "$.issuer", "colour": "red"})
    with pytest.raises(InputError, match="drop_field takes"):
        sweep.mutation_from_dict({"op": "drop_field"})


def test_policy_variant_forms(tmp_path: Path, base: dict[str, Any]) -> None:
    assert sweep.policy_variant("base").is_base
    assert sweep.policy_variant({"name": "base"}).is_base
    shipped = sweep.policy_variant("reference/rfc021-e2e")
    assert shipped.name == "reference/rfc021-e2e" and "test" in shipped.resolve(base)
    file = tmp_path / "mine.json"
    file.write_text(json.dumps(base))
    from_file = sweep.policy_variant(str(file))
    assert from_file.name == "mine" and from_file.resolve({}) == base
    raw = sweep.policy_variant(base)
    assert raw.name == "eoverdracht" and raw.resolve({}) == base
    spec_form = sweep.policy_variant(
        {"file": str(file), "mutate": {"op": "drop_field", "path": "$.issuer"}, "scope": "eoverdracht"}
    )
    assert spec_form.name == "mine" and spec_form.scope == "eoverdracht"
    assert "$.issuer" not in paths(spec_form.resolve({}))
    assert sweep.policy_variant(spec_form.to_dict()) == spec_form
