"""did:x509 resolution against a simulated UZI-like chain, in the reference's words (vdr/didx509)."""

from __future__ import annotations

import base64
import contextlib

import pytest

pytest.importorskip("cryptography.x509.verification")

from nutssim.rng import SimRandom
from nutssim.specs import did_x509, x509_ca, x509_credential
from nutssim.specs.did_x509 import X509ResolutionError

T = 1735689600  # 2025-01-01
DAY = 86400
ORG = x509_ca.Organization("Huisartsenpraktijk West", "Utrecht", "gp.example", ura="90000001", uzi="12345")


def chain(seed: int = 7, *, server_auth: bool = False):
    rng = SimRandom(seed)
    root = x509_ca.root_ca(rng, "Sim Root CA", T - 365 * DAY, crl_url="https://ca.example/crl/root.crl")
    inter = x509_ca.intermediate_ca(
        rng, root, "Sim Server CA", T - 300 * DAY, crl_url="https://ca.example/crl/s.crl"
    )
    leaf = x509_ca.leaf_certificate(rng, inter, ORG, T - DAY, server_auth=server_auth)
    return root, inter, leaf


@pytest.fixture(scope="module")
def world():
    root, inter, leaf = chain()
    return root, inter, leaf, x509_credential.did_for(root, ORG), x509_ca.x5c(leaf, inter, root)


def reason(did: str, x5c, now: int = T, **kw) -> str:
    with pytest.raises(X509ResolutionError) as caught:
        did_x509.resolve(did, x5c, now, **kw)
    return str(caught.value)


def test_the_same_seed_gives_the_same_der():
    assert [c.der for c in chain(3)] == [c.der for c in chain(3)]
    assert chain(3)[0].der != chain(4)[0].der


def test_resolves_to_one_assertion_key_from_the_leaf(world):
    _, _, leaf, did, x5c = world
    doc = did_x509.resolve(did, x5c, T)
    assert doc.id == did and doc.first_key_id() == f"{did}#0"
    assert doc.public_key(f"{did}#0").jwk == leaf.key.public.jwk
    # Key usage digitalSignature + keyEncipherment: assertionMethod only, no keyAgreement, no authentication.
    assert doc.to_json().get("keyAgreement") is None and not doc.authentication


def test_uzi_other_name_and_subject_as_the_reference_reads_them(world):
    leaf = world[2].certificate
    assert did_x509.other_names(leaf) == ["2.16.528.1.1007.99.2110-1-12345-S-90000001-00.000-0"]
    assert did_x509.subject_values(leaf, "serialNumber") == ["12345"]
    assert (
        did_x509.name_string(leaf.subject)
        == "SERIALNUMBER=12345,CN=gp.example,L=Utrecht,O=Huisartsenpraktijk West,C=NL"
    )


def test_a_leaf_without_server_auth_validates_as_after_4279(world):
    # UZI signing certificates carry clientAuth + document signing, no serverAuth (nuts-node #3956/#4279).
    leaf = world[2].certificate
    assert "1.3.6.1.5.5.7.3.1" not in did_x509._eku(leaf)
    did_x509.resolve(world[3], world[4], T)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda x: None, "no x5c header found"),
        (lambda x: x[:1], "did:x509 x5c certificate chain must contain at least two certificates"),
        (lambda x: [x[0], x[2], x[1]], "did:x509 x5c header must be sorted from leaf- to root certificate"),
        (
            lambda x: [*x, x[2]],
            "did:x509 x5c header contains more certificates than the validated certificate chain",
        ),
        (lambda x: ["not base64!", *x[1:]], "did:x509 x5c certificate parsing:"),
        (lambda x: [x[0], x[1]], "x509: certificate signed by unknown authority"),
    ],
)
def test_chain_errors(world, mutate, expected):
    assert expected in reason(world[3], mutate(list(world[4])))


def test_an_expired_leaf_fails_with_gos_words(world):
    did, x5c = world[3], world[4]
    text = reason(did, x5c, T + 400 * DAY)
    assert text == (
        "did:509 certificate chain validation failed: x509: certificate has expired or is not yet valid: "
        "current time 2026-02-05T00:00:00Z is after 2025-12-31T00:00:00Z"
    )
    assert "is before" in reason(did, x5c, T - 2 * DAY)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.replace("L:Utrecht", "L:Zwolle"), "query does not match the subject : L"),
        (
            lambda d: d.replace("S-90000001", "S-90000002"),
            "the SAN attribute otherName does not match the query",
        ),
        (lambda d: d + "::eku:1.3.6.1.5.5.7.3.2", "unknown policy type"),
        (lambda d: d + "::subject:X:1", "unknown policy key: X for policy: subject"),
        (lambda d: d.replace("L:Utrecht", "L:%EC"), "query does not match the subject : L"),
        (lambda d: d + "::subject:O", "did:x509 policy is malformed"),
        (lambda d: d + "::subject", "did:x509 policy is malformed"),
        (lambda d: d.replace("did:x509:0:", "did:x509:1:"), "did:x509 does not have version 0"),
        (lambda d: d.replace("did:x509:0:sha256:", "did:x509:0:"), "did:x509 is malformed"),
        (lambda d: d.replace("sha256", "md5"), "unsupported hash algorithm"),
        (
            lambda d: d.replace("Huisartsenpraktijk%20West", "Huisartsenpraktijk%zzWest"),
            'invalid URL escape "%zz"',
        ),
    ],
)
def test_policy_errors(world, edit, expected):
    assert reason(edit(world[3]), world[4]) == expected


def test_query_unescape_reads_plus_as_space_like_go(world):
    # Resolution uses url.QueryUnescape: "+" is a space, so this DID still resolves.
    did_x509.resolve(world[3].replace("%20", "+"), world[4], T)


def test_the_fingerprint_must_name_a_ca_in_the_chain(world):
    root, inter, leaf, did, x5c = world
    assert did_x509.resolve(did.replace(root.fingerprint(), inter.fingerprint()), x5c, T)
    assert reason(did.replace(root.fingerprint(), leaf.fingerprint()), x5c).startswith(
        "did:x509 ca-fingerprint refers to leaf certificate"
    )
    other = chain(99)[0].fingerprint()
    assert (
        reason(did.replace(root.fingerprint(), other), x5c) == "cannot find a certificate with the given hash"
    )
    assert reason(did.replace(root.fingerprint(), "a+b="), x5c) == "invalid hash"


def test_a_look_alike_root_resolves_under_its_own_fingerprint():
    # The trust store is the chain itself (core.BuildTrustStore(chain[1:])): only the DID pins a CA.
    root, inter, leaf = chain(99)
    did_x509.resolve(x509_credential.did_for(root, ORG), x509_ca.x5c(leaf, inter, root), T)


def test_strict_knows_the_eku_policy(world):
    did, x5c = world[3], world[4]
    did_x509.resolve(did + "::eku:1.3.6.1.5.5.7.3.2", x5c, T, eku_policy=True)
    assert (
        reason(did + "::eku:1.3.6.1.5.5.7.3.1", x5c, eku_policy=True)
        == "the EKU 1.3.6.1.5.5.7.3.1 is not present in the certificate"
    )


def test_hostile_x5c_is_refused_before_parsing(world):
    assert "invalid x5c header" in reason(world[3], ["a"] * 9)
    assert "invalid x5c header" in reason(world[3], "not a list")
    huge = base64.b64encode(b"\x30" * 20000).decode()
    assert "certificate too large" in reason(world[3], [huge, huge])


def test_mutated_certificates_fail_as_resolution_errors(world):
    """Hostile DER (eagerly parsed as Go does): always an X509ResolutionError, never another exception."""
    import random

    rnd = random.Random(1)
    for _ in range(300):
        chain = list(world[4])
        index = rnd.randrange(len(chain))
        der = bytearray(base64.b64decode(chain[index]))
        for _ in range(rnd.randint(1, 4)):
            der[rnd.randrange(len(der))] = rnd.randrange(256)
        chain[index] = base64.b64encode(bytes(der)).decode()
        with contextlib.suppress(X509ResolutionError):
            did_x509.resolve(world[3], chain, T)
