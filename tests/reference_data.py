"""Where tests find reference inputs: ``tests/data/`` (see its SOURCES.md), never outside the repository."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "tests" / "data"
PACKAGE_DATA = ROOT / "nutssim" / "data"
NUTS_REFERENCE = TEST_DATA / "nuts-reference"
REFERENCE_POLICIES = NUTS_REFERENCE / "policies"
DIF_EXAMPLES = TEST_DATA / "dif-pex" / "examples"
PACKAGE_CONTEXTS = PACKAGE_DATA / "contexts"
PEX_SCHEMAS = PACKAGE_DATA / "pex-schemas"


def scenario_options(name: str, profile: object) -> dict[str, object]:
    """Options that keep a scenario's good run granted under ``profile``.

    ``s2s-ldp`` runs the reference's rfc021-e2e.json, whose ``$.type`` fields test the type
    array with a string filter: a spec-exact wallet (``strict``, DIF PE v2 §Input Evaluation)
    finds no credential (catalogue case ``s2s-pd-type-string-filter-on-array``). Tests that need
    a live JSON-LD flow under ``strict`` run it with the elements selected (``$.type[*]``),
    which both readings accept.
    """
    import json

    from nutssim.profiles import as_profile
    from nutssim.scenarios.s2s import shipped_policy

    if name != "s2s-ldp" or not as_profile(profile).strict:  # type: ignore[arg-type]
        return {}
    text = json.dumps(shipped_policy("reference/rfc021-e2e")).replace('"$.type"', '"$.type[*]"')
    return {"policy": json.loads(text)}
