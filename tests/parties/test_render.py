"""One renderer per profile: RFC021 codes, VerifyVP failures and error-redirect state."""

from __future__ import annotations

import pytest

from nutssim import causes
from nutssim.causes import Cause
from nutssim.parties.render import NutsNodeRenderer, StrictRenderer, renderer_for
from nutssim.profiles import Profile
from nutssim.specs import nuts_rfc021

REVOKED = Cause(causes.REVOKED, "credential", "did:web:r#1", reason="credential is revoked")
VP_SIGNATURE = Cause(causes.SIGNATURE, "presentation", reason="unable to validate JWT signature: bad")


def test_each_profile_has_its_renderer():
    assert isinstance(renderer_for(Profile("nuts-node")), NutsNodeRenderer)
    assert isinstance(renderer_for(Profile("strict")), StrictRenderer)
    assert renderer_for(Profile("strict").without("pkce")).name == "strict"


@pytest.mark.parametrize(
    "kind",
    [nuts_rfc021.INVALID_PRESENTATION, nuts_rfc021.INVALID_SUBMISSION, nuts_rfc021.INVALID_CREDENTIALS],
)
def test_rfc021_codes(kind):
    """The reference answers every RFC021 §4.5 kind with invalid_request; strict with the kind."""
    assert NutsNodeRenderer().rfc021(kind, "x").body() == {
        "error": "invalid_request",
        "error_description": "x",
    }
    assert StrictRenderer().rfc021(kind, "x").error == kind


def test_a_refused_credential_reads_as_the_reference_writes_it():
    for renderer in (NutsNodeRenderer(), StrictRenderer()):
        error = renderer.verification_failed(REVOKED)
        assert error.description == (
            "presentation(s) or credential(s) verification failed: "
            "invalid VC (id=did:web:r#1): credential is revoked"
        )
        assert error.cause == REVOKED
    assert StrictRenderer().verification_failed(REVOKED).error == nuts_rfc021.INVALID_CREDENTIALS
    assert StrictRenderer().verification_failed(VP_SIGNATURE).error == nuts_rfc021.INVALID_PRESENTATION
    assert NutsNodeRenderer().verification_failed(VP_SIGNATURE).description.endswith(": bad")


def test_error_redirect_state():
    assert NutsNodeRenderer().error_state("cs") is None
    assert StrictRenderer().error_state("cs") == "cs"
    assert StrictRenderer().error_state("") is None
