"""Properties: what the wallet builds is accepted; a broken matched value is refused, naming its field."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nutssim.models.credential import Credential
from nutssim.specs import pex

from .helpers import HOLDER, Parser, jwt_vc, ldp_vc, presentation

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = st.text("abcdefgh", min_size=1, max_size=6)


@dataclass
class FieldSpec:
    """A generated field: its filter, a value that passes and one that fails."""

    name: str
    filter: dict[str, Any]
    good: Any
    bad: Any


@st.composite
def field_specs(draw: st.DrawFn, name: str) -> FieldSpec:
    kind = draw(st.sampled_from(["const", "enum", "pattern", "minimum", "boolean", "capture", "date"]))
    if kind == "const":
        word = draw(WORDS)
        return FieldSpec(name, {"type": "string", "const": word}, word, word + "x")
    if kind == "enum":
        options = draw(st.lists(WORDS, min_size=1, max_size=3, unique=True))
        return FieldSpec(
            name, {"type": "string", "enum": options}, draw(st.sampled_from(options)), "zz-not-listed"
        )
    if kind == "pattern":
        prefix = draw(WORDS)
        return FieldSpec(
            name,
            {"type": "string", "pattern": f"^{prefix}[0-9]+$"},
            f"{prefix}{draw(st.integers(0, 999))}",
            f"{prefix}-none",
        )
    if kind == "capture":
        return FieldSpec(
            name,
            {"type": "string", "pattern": r"^urn:ura:(\d+)$"},
            f"urn:ura:{draw(st.integers(1, 10**8))}",
            "urn:ura:x",
        )
    if kind == "minimum":
        low = draw(st.integers(-100, 100))
        return FieldSpec(name, {"type": "number", "minimum": low}, low + draw(st.integers(0, 50)), low - 1)
    if kind == "date":
        return FieldSpec(
            name,
            {"type": "string", "format": "date", "formatMinimum": "2020-01-01"},
            f"202{draw(st.integers(0, 9))}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}",
            "2019-12-31",
        )
    flag = draw(st.booleans())
    return FieldSpec(name, {"type": "boolean", "const": flag}, flag, not flag)


@dataclass
class Scenario:
    """A generated definition, a wallet that fulfils it, and what was put where."""

    definition: dict[str, Any]
    wallet: list[Credential]
    fields: dict[str, list[FieldSpec]]  # descriptor id → its generated fields (after the type field)
    jwt: dict[str, bool]  # descriptor id → JWT-shaped credential?
    vp_format: str


def _paths(name: str) -> list[str]:
    # Both shapes, as the Nuts definitions list them (PROTOCOL.md §3.4).
    return [f"$.credentialSubject.{name}", f"$.credentialSubject[0].{name}"]


def _credential(
    descriptor: str, specs: list[FieldSpec], jwt: bool, values: dict[str, Any] | None = None
) -> Credential:
    subject = {"id": HOLDER, **{s.name: s.good for s in specs}, **(values or {})}
    type_ = f"Type{descriptor.upper()}"
    return jwt_vc(f"urn:{descriptor}", type_, subject) if jwt else ldp_vc(f"urn:{descriptor}", type_, subject)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    count = draw(st.integers(1, 3))
    ids = [f"d{i}" for i in range(count)]
    fields = {d: [draw(field_specs(f"f{d}{j}")) for j in range(draw(st.integers(1, 3)))] for d in ids}
    jwt = {d: draw(st.booleans()) for d in ids}
    descriptors = []
    for d in ids:
        type_field = {"path": ["$.type"], "filter": {"type": "string", "const": f"Type{d.upper()}"}}
        generated = [{"id": s.name, "path": _paths(s.name), "filter": s.filter} for s in fields[d]]
        descriptors.append({"id": d, "constraints": {"fields": [type_field, *generated]}})
    definition: dict[str, Any] = {"id": draw(WORDS), "input_descriptors": descriptors}
    if draw(st.booleans()):
        definition["format"] = {
            "ldp_vc": {"proof_type": ["JsonWebSignature2020"]},
            "jwt_vc": {"alg": ["ES256"]},
        }
    decoys = [ldp_vc(f"urn:decoy:{i}", "Decoy", {"id": HOLDER}) for i in range(draw(st.integers(0, 3)))]
    wallet = draw(st.permutations([_credential(d, fields[d], jwt[d]) for d in ids] + decoys))
    return Scenario(definition, list(wallet), fields, jwt, draw(st.sampled_from(["ldp_vp", "jwt_vp"])))


def _send(scenario: Scenario) -> tuple[pex.MatchResult, pex.PresentationSubmission, list[Credential]]:
    result = pex.match_definition(scenario.definition, scenario.wallet)
    submission = result.submission(submission_id="sub", vp_format=scenario.vp_format)
    return result, submission, list(result.credentials)


@SETTINGS
@given(scenarios())
def test_what_the_wallet_builds_is_accepted(scenario):
    result, submission, presented = _send(scenario)
    pex.validate_schema(pex.dump(submission), "presentation_submission")
    checked = pex.check_submission(
        scenario.definition,
        submission,
        presentation(presented, scenario.vp_format),
        parse_credential=Parser(*scenario.wallet),
    )
    assert checked.credentials == result.mapping()
    claims = pex.extract_claims([(scenario.definition, checked)]).claims
    for specs in scenario.fields.values():
        for spec in specs:
            capture = spec.filter.get("pattern") == r"^urn:ura:(\d+)$"
            assert claims[spec.name] == (spec.good.removeprefix("urn:ura:") if capture else spec.good)


@SETTINGS
@given(scenarios(), st.data())
def test_a_broken_field_is_refused_and_named(scenario, data):
    result, submission, presented = _send(scenario)
    descriptor = data.draw(st.sampled_from(sorted(scenario.fields)))
    spec = data.draw(st.sampled_from(scenario.fields[descriptor]))
    original = result.mapping()[descriptor]
    broken = _credential(
        descriptor, scenario.fields[descriptor], scenario.jwt[descriptor], {spec.name: spec.bad}
    )
    tampered = [broken if c is original else c for c in presented]
    parser = Parser(*scenario.wallet, broken)
    try:
        pex.check_submission(
            scenario.definition,
            submission,
            presentation(tampered, scenario.vp_format),
            parse_credential=parser,
        )
    except pex.SubmissionMismatch as exc:
        named = [p.field for p in exc.problems if p.field is not None]
        assert any(f.field_id == spec.name for f in named), exc.explanation
        assert f"field '{spec.name}'" in exc.explanation
        assert exc.reference_text.endswith(f"(id={scenario.definition['id']})")
    else:
        raise AssertionError("a credential whose field fails its filter was accepted")


@SETTINGS
@given(scenarios())
def test_matching_is_deterministic_and_does_not_touch_the_wallet(scenario):
    before = copy.deepcopy([c.document for c in scenario.wallet])
    first = pex.match_definition(scenario.definition, scenario.wallet)
    again = pex.match_definition(scenario.definition, list(scenario.wallet))
    assert [m.wallet_index for m in first.matches] == [m.wallet_index for m in again.matches]
    assert [c.document for c in scenario.wallet] == before
