"""The pilot credential set in the two-VP jwt-bearer flow (issue #21 item 3): shapes, PDs, outcomes."""

from __future__ import annotations

import pytest

from nutssim import jose
from nutssim.scenarios import build
from nutssim.scenarios import pilot_credentials as creds
from nutssim.scenarios.pilot import BSN, GP_UZI, URA, pilot_policy
from nutssim.specs import rfc7523

pytest.importorskip("cryptography")

NOT_ADVERTISED = (
    'authorization server does not advertise "urn:ietf:params:oauth:grant-type:jwt-bearer" in '
    "grant_types_supported"
)
SCENARIOS = ("pilot-eoverdracht", "pilot-enrollment")


def held(subject, type_):
    return [c for c in subject.wallet.credentials if type_ in c.types]


def failed(world):
    return [c.id for e in world.sim.trace.exchanges for c in e.checks if not c.passed]


def passed(world, check_id):
    return [c.detail for e in world.sim.trace.exchanges for c in e.checks if c.id == check_id and c.passed]


@pytest.mark.parametrize("name", SCENARIOS)
def test_strict_grants_with_both_vps_bound(name: str) -> None:
    world = build(name, profile="strict")
    result = world.run().result
    assert result.status == "granted"
    assert passed(world, "token.cross_vp_binding") == [
        "shared field ids equal: delegating_organization, organization_ura"
    ]
    assert passed(world, "token.claims") == [
        "delegating_organization, organization_ura, service_provider_name"
    ]
    assert len(passed(world, "token.verify_vp")) == 2


@pytest.mark.parametrize("name", SCENARIOS)
def test_nuts_node_master_never_sends_the_request(name: str) -> None:
    world = build(name)
    result = world.run().result
    assert (result.status, result.error["error"]) == ("denied", "unsupported_grant_type")
    assert result.error["error_description"] == NOT_ADVERTISED
    assert "token request" not in world.sim.trace.labels()


@pytest.mark.parametrize("name", SCENARIOS)
def test_project_gf_wants_client_id_then_grants_on_vp1_alone(name: str) -> None:
    refused = build(name, profile="nuts-node-gf").run().result
    assert (refused.error["error"], refused.error["error_description"]) == (
        "invalid_request",
        "missing required parameters",
    )
    world = build(name, profile="nuts-node-gf", client_id=True)
    assert world.run().result.status == "granted"
    assert passed(world, "token.cross_vp_binding") == []  # project-gf never reads client_assertion


def test_the_enrollment_pd_takes_all_three_organization_credentials() -> None:
    world = build("pilot-enrollment", profile="strict")
    world.run()
    (detail,) = passed(world, "token.pd_fulfil.organization")
    for descriptor in ("id_healthcare_provider", "id_patient_enrollment", "id_professional_delegation"):
        assert descriptor in detail


def test_a_bsn_field_id_breaks_vp2_selection_in_the_reference_client() -> None:
    for profile in ("strict", "nuts-node-gf"):
        result = build("pilot-enrollment", profile=profile, patient_claim=True).run().result
        assert (result.error["error"], result.error["error_description"]) == (
            "invalid_request",
            "credential_selection key 'patient_bsn' does not match any field id in the presentation "
            "definition",
        )


def test_healthcare_provider_credential_comes_from_the_uzi_server_certificate() -> None:
    world = build("pilot-eoverdracht", profile="strict")
    (hpc,) = held(world.requester, creds.HEALTHCARE_PROVIDER)
    assert hpc.issuer == world.organization_pass.did
    assert hpc.issuer.startswith(f"did:x509:0:sha256:{world.server_ca.root.fingerprint()}::san:otherName:")
    assert f"-S-{URA}-00.000-" in hpc.issuer  # pastype S, the URA in san:otherName (GF validation 2-3)
    header = jose.decode(hpc.raw).header
    assert header["kid"] == f"{hpc.issuer}#0" and len(header["x5c"]) == 3
    subject = hpc.document["credentialSubject"][0]
    assert subject["identifier"] == {"@type": "Identifier", "system": creds.URA_SYSTEM, "value": URA}
    assert subject["id"] == world.requester.did and subject["name"] == world.requester.name


def test_the_delegation_chain() -> None:
    world = build("pilot-enrollment", profile="strict")
    gp, vendor = world.requester, world.service_provider
    (delegation,) = held(vendor, rfc7523.DELEGATION_TYPE)
    assert delegation.issuer == gp.did and delegation.subject_ids == [vendor.did]
    issued_by = delegation.document["credentialSubject"][0]["hasDelegation"]["issuedBy"]
    assert issued_by["identifier"]["value"] == URA
    (certification,) = held(vendor, rfc7523.SERVICE_PROVIDER_TYPE)
    assert certification.issuer == world.operator.did
    (enrollment,) = held(gp, creds.PATIENT_ENROLLMENT)
    (mandate,) = held(gp, creds.PROFESSIONAL_DELEGATION)
    for credential in (enrollment, mandate):
        assert (
            credential.issuer == world.professional_pass.did
            and f"-{GP_UZI}-Z-{URA}-01.015-" in credential.issuer
        )
        assert credential.subject_ids == [gp.did]
    patient = enrollment.document["credentialSubject"][0]["hasEnrollment"]["patient"]
    assert patient["identifier"] == {"@type": "Identifier", "system": creds.BSN_SYSTEM, "value": BSN}


def test_the_pd_pins_both_ca_roots_unless_told_not_to() -> None:
    pinned = pilot_policy("SERVER", "PASS")["pilot-enrollment"]["organization"]["input_descriptors"]
    issuers = [
        f["filter"]["pattern"]
        for d in pinned
        for f in d["constraints"]["fields"]
        if f["path"] == ["$.issuer"]
    ]
    assert [p.split("::")[0] for p in issuers] == ["^did:x509:0:sha256:SERVER"] + [
        "^did:x509:0:sha256:PASS"
    ] * 2
    assert build("pilot-eoverdracht", profile="strict", pin_ca=False).run().result.status == "granted"


def test_without_a_delegation_the_client_cannot_build_vp2() -> None:
    result = build("pilot-eoverdracht", profile="strict", delegated=False).run().result
    assert result.error["error_description"].startswith("wallet could not fulfill requirements")


def test_same_seed_same_token_request() -> None:
    def form(seed: int) -> dict:
        world = build("pilot-enrollment", seed=seed, profile="strict")
        world.run()
        return next(e for e in world.sim.trace.exchanges if e.label == "token request").request.form

    assert form(3) == form(3) != form(4)


def test_a_revoked_uzi_certificate_is_refused_only_where_the_issuer_crl_is_read() -> None:
    """strict reads the did:x509 issuer's CRL (GF); project-gf's resolver reads none (didx509 Resolve)."""
    world = build("pilot-uzi-revoked", profile="strict")
    result = world.run().result
    assert (result.status, result.error["error"]) == ("denied", "invalid_verifiable_credentials")
    assert (
        "validation failed: certificate is revoked: subject=SERIALNUMBER=12345,CN=gp.example"
        in (result.error["error_description"])
    )
    assert "vc.x509.crl" in failed(world)
    assert build("pilot-uzi-revoked", profile="nuts-node-gf", client_id=True).run().result.status == "granted"
