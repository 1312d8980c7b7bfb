"""The profile picks the PEX reading (issue #22): nuts-node → pex.NUTS_NODE, strict → pex.STRICT."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nutssim.parties.wallet import pex_semantics
from nutssim.profiles import Profile
from nutssim.specs import pex
from nutssim.specs.pex.filters import compile_filter


@pytest.mark.parametrize(("profile", "reading"), [("nuts-node", pex.NUTS_NODE), ("strict", pex.STRICT)])
def test_each_profile_reads_presentation_exchange_its_way(profile, reading):
    ctx = SimpleNamespace(profile=Profile(profile).without("pkce"))  # controls do not change the reading
    assert pex_semantics(ctx) is reading  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("flt", "value", "says"),
    [
        ({"type": "string", "pattern": "^did:web:a"}, "did:web:b", "'did:web:b' does not match '^did:web:a'"),
        ({"type": "string", "const": "X"}, "Y", "'X' was expected"),
        ({"type": "number"}, "3", "'3' is not of type 'number' as the reference reads it (a string)"),
        ({"type": "string", "const": "X"}, ["A", "B"], "no element passes the reference's matchFilter"),
        ({"pattern": "^a"}, "abc", 'the filter has no "type": "string"'),
    ],
)
def test_reference_refusals_say_which_member_refused(flt, value, says):
    # matchFilter (vcr/pe/presentation_definition.go @d2ad162): type first, then const, then pattern.
    compiled = compile_filter(flt, pointer="/f", semantics=pex.NUTS_NODE)
    assert compiled.apply(value) == (False, None)
    assert compiled.reason(value).startswith(says)


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_a_required_is_holder_is_met_by_the_wallet_and_the_verifier(profile):
    # Strict: the wallet checks it against its own DID, the AS against the VP's signer (DIF PE v2
    # §Relational Constraint Feature); nuts-node ignores it (matchConstraint: "not supported for now").
    from nutssim import scenarios
    from nutssim.catalogue.s2s_cases.common import with_policy

    def holder_required(pd):
        pd["input_descriptors"][0]["constraints"]["is_holder"] = [
            {"field_id": ["organization_name"], "directive": "required"}
        ]

    world = scenarios.run("s2s", seed=4, profile=profile, policy=with_policy(holder_required))
    assert world.sim.trace.outcome["status"] == "granted", world.sim.trace.failed_checks()
