"""The did:x509 / X509Credential scenarios (issue #21 item 2): outcomes and the reference's words."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("cryptography.x509.verification")

from nutssim import jose, scenarios
from nutssim.models.credential import Credential
from nutssim.parties.crl import SYNC_INTERVAL
from nutssim.profiles import Profile
from nutssim.specs import vc_jwt, x509_credential
from nutssim.specs.x509_credential import X509CredentialInvalid

PREFIX = "presentation(s) or credential(s) verification failed: invalid VC (id="


def x509_vc(world: scenarios.World) -> Credential:
    return next(c for c in world.requester.wallet.credentials if "X509Credential" in c.types)


def error(world: scenarios.World) -> str:
    return str(world.sim.trace.outcome["error"]["error_description"])


def test_s2s_x509_grants_through_the_chain():
    world = scenarios.run("s2s-x509", seed=3)
    trace = world.sim.trace
    assert trace.outcome["status"] == "granted"
    # The root's CRL (listing intermediates), then the server CA's (listing leaves).
    assert trace.labels().count("CRL (RFC 5280)") == 2
    assert not trace.failed_checks()
    assert trace.outcome["introspection"]["organization_ura"] == "90000001"
    header = jose.decode(x509_vc(world).raw).header
    assert header["kid"] == f"{world.did_x509}#0" and len(header["x5c"]) == 3
    assert header["x5t#S256"] == world.certificate.fingerprint()


def test_the_same_seed_gives_the_same_trace():
    first, again = scenarios.run("s2s-x509", seed=5), scenarios.run("s2s-x509", seed=5)
    assert first.sim.trace.to_json() == again.sim.trace.to_json()


def test_expired_certificate_is_denied_by_chain_validation():
    world = scenarios.run("s2s-x509-expired")
    assert world.sim.trace.outcome["status"] == "denied"
    assert error(world).startswith(PREFIX)
    assert error(world).endswith(
        "validation failed: invalid issuer: did:509 certificate chain validation failed: x509: certificate "
        "has expired or is not yet valid: current time 2025-01-01T00:00:00Z is after 2024-11-27T00:00:00Z"
    )


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_revoked_certificate_is_denied_by_the_crl(profile):
    world = scenarios.run("s2s-x509-revoked", profile=profile)
    serial = world.certificate.serial
    assert error(world).endswith(
        f"validation failed: certificate is revoked: subject=SERIALNUMBER=12345,CN=gp.example,L=Utrecht,"
        f"O=Huisartsenpraktijk West,C=NL, S/N={serial}, issuer=CN=Simulated UZI Server CA,"
        "O=Simulated UZI register,C=NL"
    )


def test_revoked_certificate_passes_without_the_revocation_control():
    world = scenarios.run("s2s-x509-revoked", profile=Profile().without("revocation_check"))
    assert world.sim.trace.outcome["status"] == "granted"
    assert "CRL (RFC 5280)" not in world.sim.trace.labels()


def test_crl_down_soft_fails_under_nuts_node():
    world = scenarios.run("s2s-x509-crl-down")
    assert world.sim.trace.outcome["status"] == "granted"
    details = [c.detail for _, c in world.sim.trace.checks() if c.id == "vc.x509.crl"]
    assert details[0].startswith(
        "soft-fail bypass, certificate accepted: crl is missing: subject=CN=Simulated UZI Server CA"
    )


def test_crl_down_fails_closed_under_strict():
    world = scenarios.run("s2s-x509-crl-down", profile="strict")
    assert world.sim.trace.outcome["status"] == "denied"
    assert "validation failed: crl is missing: subject=CN=Simulated UZI Server CA" in error(world)


def test_wrong_root_is_refused_only_by_the_pinned_issuer_pattern():
    pinned = scenarios.run("s2s-x509-wrong-root")
    assert pinned.sim.trace.outcome["status"] == "denied"
    assert "no credential for input descriptor 'id_x509credential'" in error(pinned)
    open_pd = scenarios.run("s2s-x509-wrong-root", pin_ca=False)
    assert open_pd.sim.trace.outcome["status"] == "granted"  # the look-alike root validates its own chain


def test_a_cached_crl_hides_a_revocation_until_the_hourly_sync():
    # pki/validator.go: a CRL is downloaded once, then refreshed by the hourly sync loop.
    world = scenarios.build("s2s-x509")
    assert world.run().trace.outcome["status"] == "granted"
    world.ca.revoke(world.certificate)
    world.sim.clock.advance(60)
    assert world.run(no_cache=True).trace.outcome["status"] == "granted"
    world.sim.clock.advance(SYNC_INTERVAL)
    assert world.run(no_cache=True).trace.outcome["status"] == "denied"


# -- the X509Credential validator's own rules ------------------------------------------------------
def _credential(world, **changes) -> Credential:
    leaf, ca = world.certificate, world.ca
    subject = changes.pop("subject", None) or x509_credential.credential_subject(world.requester.did, _org())
    now = world.sim.clock.now()
    times = {"issued_at": now, "expires_at": int(leaf.certificate.not_valid_after_utc.timestamp())} | changes
    raw = x509_credential.issue(
        world.requester.did,
        leaf,
        ca.chain(leaf),
        world.did_x509,
        subject,
        times["issued_at"],
        times["expires_at"],
        "urn:x",
    )
    return vc_jwt.credential_from_jwt(raw)


def _org():
    from nutssim.scenarios.x509 import AGB, URA, UZI_NUMBER
    from nutssim.specs.x509_ca import Organization

    return Organization("Huisartsenpraktijk West", "Utrecht", "gp.example", ura=URA, uzi=UZI_NUMBER, agb=AGB)


@pytest.fixture(scope="module")
def built():
    return scenarios.build("s2s-x509")


def _validate(world, credential: Credential) -> str:
    with pytest.raises(X509CredentialInvalid) as caught:
        process = x509_credential.validate(credential, world.sim.clock.now(), None)
        next(process, None)
    return str(caught.value)


def test_subject_claims_must_equal_the_did_policies(built):
    subject = {"id": built.requester.did, "subject": {"O": "Ander Ziekenhuis", "L": "Utrecht"}}
    assert _validate(built, _credential(built, subject=subject)) == (
        "validation failed: invalid assertion value 'Ander Ziekenhuis' for 'subject:O' did:x509 policy"
    )
    subject = {"id": built.requester.did, "subject": {"CN": "gp.example"}}
    assert _validate(built, _credential(built, subject=subject)) == (
        "validation failed: assertion 'credentialSubject.subject.CN' not found in did:x509 policy"
    )
    subject = {"id": built.requester.did, "eku": {"x": "y"}}
    assert _validate(built, _credential(built, subject=subject)) == (
        "validation failed: policy 'eku' not found in did:x509 policy"
    )
    subject = {"id": built.requester.did, "subject": "O"}
    assert _validate(built, _credential(built, subject=subject)) == (
        "validation failed: invalid assertion value type for 'credentialSubject.subject'"
    )


def test_credential_validity_must_lie_within_the_certificate(built):
    leaf = built.certificate.certificate
    after = int(leaf.not_valid_after_utc.timestamp()) + 1
    assert _validate(built, _credential(built, expires_at=after)) == (
        "validation failed: credential expiration date is after certificate's notAfter"
    )
    before = int(leaf.not_valid_before_utc.timestamp()) - 1
    assert _validate(built, _credential(built, issued_at=before)) == (
        "validation failed: credential issuance date is before certificate's notBefore"
    )


def test_the_issuer_must_be_did_x509(built):
    raw = x509_vc(built)
    forged = dataclasses.replace(raw, document={**raw.document, "issuer": built.requester.did})
    assert _validate(built, forged) == "validation failed: issuer of X509Credential MUST be did:x509 DID"
