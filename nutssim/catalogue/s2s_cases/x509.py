"""s2s cases of the X509Credential (Nuts RFC023, issue #21 item 2): its certificate, CRL, CA and claims.

Each case runs one of the ``s2s-x509*`` scenarios: the GP proves its organization with an
X509Credential issued by its did:x509 under a simulated UZI-like chain. The hospital's checks
are the reference's (``vcr/credential/validator.go`` x509CredentialValidator, ``vdr/didx509``,
``pki/validator.go``); error texts name the credential id, masked as ``invalid VC (id=*)``.
"""

from __future__ import annotations

from nutssim.catalogue.attacker import build_vp, post_token, submission_for, token_form
from nutssim.catalogue.base import GRANTED, Expect, Family, Observation
from nutssim.catalogue.s2s_cases.common import (
    CREDENTIALS,
    INVALID_VC,
    SUBMISSION,
    TOKEN,
    gp_key,
    observe_vc_flow,
    vp_error,
)
from nutssim.models.credential import Credential
from nutssim.scenarios.x509 import X509World

X509 = Family(X509World, flow="s2s", scenario="s2s-x509", step=TOKEN)
CHAIN_FAILED = f"{INVALID_VC}validation failed: invalid issuer: did:509 certificate chain validation failed: "
NOT_CONFORM_X509 = (
    "presentation submission does not conform to presentation definition (id=pd_x509_care_organization"
)
RFC023 = "Nuts RFC023 §3"


def _x509_credential(world: X509World) -> Credential:
    return next(c for c in world.requester.wallet.credentials if "X509Credential" in c.types)


@X509.case(
    id="s2s-x509-certificate-expired",
    title="X509Credential whose certificate has expired",
    attack="the GP presents an X509Credential from a certificate whose notAfter passed 35 days ago",
    scenario="s2s-x509-expired",
    expected=vp_error(
        CREDENTIALS, f"{CHAIN_FAILED}x509: certificate has expired or is not yet valid: ", "token.verify_vp"
    ),
    refs=(RFC023, "RFC 5280 §6.1.3 (a)(2)", "PROTOCOL.md §3.5 step 3", "ATTACKS.md 3.1 #11"),
)
def certificate_expired(world: X509World) -> Observation:
    """vdr/didx509/resolver.go Resolve: Go's Certificate.Verify checks every validity window."""
    return observe_vc_flow(world)


@X509.case(
    id="s2s-x509-certificate-revoked",
    title="X509Credential whose certificate is on the CA's CRL",
    attack="the CA revoked the GP's certificate; the GP presents its X509Credential anyway",
    scenario="s2s-x509-revoked",
    control="revocation_check",
    expected=vp_error(
        CREDENTIALS, f"{INVALID_VC}validation failed: certificate is revoked: subject=", "vc.x509.crl"
    ),
    vulnerable=GRANTED,
    refs=(RFC023, "RFC 5280 §6.3", "PROTOCOL.md §3.6", "ATTACKS.md 3.1 #11"),
)
def certificate_revoked(world: X509World) -> Observation:
    """pki/validator.go checkCRL: a listed serial is refused even under soft-fail."""
    return observe_vc_flow(world)


@X509.case(
    id="s2s-x509-crl-unreachable",
    title="Revoked certificate while the CA's CRL server is down",
    attack="the GP presents its revoked certificate while the CRL distribution point answers 503",
    scenario="s2s-x509-crl-down",
    control="revocation_check",
    expected={
        "nuts-node": Expect("granted"),  # pki/config.go: softfail = true, "crl is missing" is accepted
        "strict": Expect(
            "denied", CREDENTIALS, f"{INVALID_VC}validation failed: crl is missing: ", "vc.x509.crl"
        ),
    },
    vulnerable=GRANTED,
    refs=(RFC023, "RFC 5280 §6.3.3", "PROTOCOL.md §3.6", "ATTACKS.md 3.1 #12"),
)
def crl_unreachable(world: X509World) -> Observation:
    """The revocation the verifier cannot see: soft-fail is the reference's default."""
    world.ca.revoke(world.certificate)
    return observe_vc_flow(world)


@X509.case(
    id="s2s-x509-look-alike-root",
    title="X509Credential under a look-alike root CA",
    attack="an attacker's CA with the UZI CA's names issues a certificate; its VP bypasses the GP's wallet",
    scenario="s2s-x509-wrong-root",
    # The chain validates against its own root (core.BuildTrustStore(chain[1:])): only the PD's
    # issuer pattern, pinning the real CA's fingerprint, refuses it, when the AS re-runs the PD.
    control="pd_reevaluation",
    expected=vp_error(SUBMISSION, NOT_CONFORM_X509, "token.pd_fulfil"),
    vulnerable=GRANTED,
    refs=(RFC023, "did:x509 method spec §Read step 6", "PROTOCOL.md §3.7", "ATTACKS.md 3.8 #62"),
)
def look_alike_root(world: X509World) -> Observation:
    """A hand-built VP: the attacker's own wallet would not pick a credential the PD refuses."""
    credential = _x509_credential(world)
    vp = build_vp(world, key=gp_key(world), holder=world.requester.did, credentials=[credential])
    return post_token(
        world, token_form(world, vp, submission_for(world, [credential])), dpop_key=gp_key(world)
    )


@X509.case(
    id="s2s-x509-claims-not-in-did",
    title="X509Credential claiming an organization name its did:x509 does not state",
    attack="the GP self-issues an X509Credential whose subject.O names another hospital",
    control="vp_signature",
    expected=vp_error(
        CREDENTIALS,
        f"{INVALID_VC}validation failed: invalid assertion value 'Academisch Ziekenhuis' for 'subject:O' "
        "did:x509 policy",
        "token.verify_vp",
    ),
    vulnerable=GRANTED,
    refs=(RFC023, "RFC023 §3.2 (credentialSubject values from the DID)", "ATTACKS.md 3.1 #11"),
)
def claims_not_in_did(world: X509World) -> Observation:
    """validator.go validatePolicyAssertions: every subject claim must equal the DID's policy value."""
    from nutssim.specs import vc_jwt, x509_credential

    held = _x509_credential(world)
    subject = {**held.subjects[0], "subject": {"O": "Academisch Ziekenhuis", "L": "Utrecht"}}
    leaf = world.certificate
    raw = x509_credential.issue(
        world.requester.did, leaf, world.ca.chain(leaf), world.did_x509, subject,
        vc_jwt.from_rfc3339(held.document["issuanceDate"]),
        vc_jwt.from_rfc3339(held.document["expirationDate"]), held.id,
    )  # fmt: skip
    world.requester.wallet.remove(held)
    world.requester.wallet.add(raw)
    return observe_vc_flow(world)
