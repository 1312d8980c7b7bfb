"""did:key resolution (FIDELITY.md row 'DID methods'), as nuts-node vdr/didkey/resolver.go Resolve.

The vectors are the W3C CCG did:key spec's examples (https://w3c-ccg.github.io/did-method-key/,
§ test vectors), which the reference's resolver_test.go also uses; the error texts are the
reference's. did:key has no profile difference: the spec and the reference agree on these.
"""

from __future__ import annotations

from typing import Any

import pytest

from nutssim import jose, scenarios
from nutssim.errors import ProtocolError
from nutssim.rng import SimRandom
from nutssim.specs import did, did_key

VECTORS = [
    (
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        {"kty": "OKP", "crv": "Ed25519", "x": "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"},
    ),
    (
        "did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F",
        {"kty": "OKP", "crv": "X25519", "x": "L-V9o0fNYkMVKNqsX7spBzD_9oSvxM_C7ZCZX1jLO3Q"},
    ),
    (
        "did:key:zDnaeucDGfhXHoJVqot3p21RuupNJ2fZrs8Lb1GV83VnSo2jR",
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "sYLQHOy9TNAWwFcAlpxkqRA5OutpWCrVPEWsgeli_KA",
            "y": "l5Jr9_48oPJWHwuVmH_VZVquGe-U8RtnR-McN4tdYhs",
        },
    ),
    (
        "did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAhnwkjjCBeWHXyu3U4oT2MVJJKXkcVBgjGhnLBn2Kaau9",
        {
            "kty": "EC",
            "crv": "P-384",
            "x": "lInTxl8fjLKp_UCrxI0WDklahi-7-_6JbtiHjiRvMvhedhKVdHBfi2HCY8t_QJyc",
            "y": "y6N1IC-2mXxHreETBW7K3mBcw0qGr3CWHCs-yl09yCQRLcyfGv7XhqAngHOu51Zv",
        },
    ),
    (
        "did:key:z2J9gaYxrKVpdoG9A4gRnmpnRCcxU6agDtFVVBVdn1JedouoZN7SzcyREXXzWgt3gGiwpoHq7K68X4m32D8HgzG8wv3sY5j7",
        {
            "kty": "EC",
            "crv": "P-521",
            "x": "ASUHPMyichQ0QbHZ9ofNx_l4y7luncn5feKLo3OpJ2nSbZoC7mffolj5uy7s6KSKXFmnNWxGJ42IOrjZ47qqwqyS",
            "y": "AW9ziIC4ZQQVSNmLlp59yYKrjRY0_VqO-GOIYQ9tYpPraBKUloEId6cI_vynCzlZWZtWpgOM3HPhYEgawQ703RjC",
        },
    ),
]

ERRORS = [
    ("did:key:foo", "did:key does not start with 'z'"),
    ("did:key:z291830129", "did:key: invalid base58btc: invalid base58 digit ('0')"),
    ("did:key:z", "did:key: invalid base58btc: zero length string"),
    (
        "did:key:zQ3shbgnTGcgBpXPdBjDur3ATMDWhS7aPs6FRFkWR19Lb9Zwz",
        "did:key: secp256k1 public keys are not supported",
    ),
    (did_key.key_did(did_key.ED25519, b"\x01\x02\x03"), "invalid did:key: invalid public key length"),
    (did_key.key_did(did_key.X25519, b"\x01\x02\x03"), "invalid did:key: invalid public key length"),
    (did_key.key_did(did_key.P256_PUB, b"\x01\x02\x03"), "invalid did:key: invalid public key length"),
    (did_key.key_did(did_key.P384_PUB, b"\x01\x02\x03"), "invalid did:key: invalid public key length"),
    (did_key.key_did(0xA2, b"\x01\x02\x03"), "did:key: unsupported public key type: 0xa2"),
    (did_key.key_did(did_key.BLS12_381_G2, b"\x00" * 96), "did:key: bls12381 public keys are not supported"),
]


def _rsa_der(n: int, e: int = 65537) -> bytes:
    """A PKCS#1 RSAPublicKey (RFC 8017 A.1.1) in DER."""

    def integer(v: int) -> bytes:
        body = v.to_bytes(v.bit_length() // 8 + 1, "big")
        return b"\x02" + _length(len(body)) + body

    content = integer(n) + integer(e)
    return b"\x30" + _length(len(content)) + content


def _length(n: int) -> bytes:
    return bytes([n]) if n < 128 else bytes([0x82]) + n.to_bytes(2, "big")


def _resolve(value: str) -> Any:
    """Run the resolution process (did:key never yields a request)."""
    process = did.resolve(value)
    try:
        next(process)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("did:key resolution went on the network")


@pytest.mark.parametrize(("value", "jwk"), VECTORS)
def test_did_methods_did_key_vectors(value: str, jwk: dict[str, str]) -> None:
    """Each spec vector resolves to its key, one method ``did#z…`` in the reference's relationships."""
    document = _resolve(value)
    kid = f"{value}#{value.removeprefix('did:key:')}"
    assert [vm.public_key_jwk for vm in document.verification_method] == [jwk]
    data = document.to_json()
    for relationship in ("assertionMethod", "authentication", "keyAgreement", "capabilityInvocation"):
        assert data[relationship] == [kid], relationship


@pytest.mark.parametrize(("value", "error"), ERRORS)
def test_did_methods_did_key_errors(value: str, error: str) -> None:
    """The reference's resolver texts, behind nutssim's "unable to resolve <did>: " prefix."""
    with pytest.raises(ProtocolError) as caught:
        _resolve(value)
    assert str(caught.value) == f"unable to resolve {value}: {error}"


def test_did_methods_did_key_rsa() -> None:
    """RSA keys: PKCS#1, at least 2048 bits (the reference's floor)."""
    n = (1 << 2047) | 0x10001
    document = _resolve(did_key.key_did(did_key.RSA_PUB, _rsa_der(n)))
    assert document.verification_method[0].public_key_jwk["e"] == "AQAB"
    small = did_key.key_did(did_key.RSA_PUB, _rsa_der((1 << 1023) | 1))
    with pytest.raises(ProtocolError, match="RSA public key is too small"):
        _resolve(small)


def test_did_methods_did_key_signature_verifies() -> None:
    """A JWS by a P-256 key verifies with the key its did:key resolves to."""
    key = jose.KeyPair.generate(SimRandom(3))
    jwk = key.public_jwk()
    x, y = (int.from_bytes(jose.b64url_decode(jwk[c]), "big") for c in ("x", "y"))
    value = did_key.key_did(did_key.P256_PUB, bytes([2 + y % 2]) + x.to_bytes(32, "big"))
    resolved = _resolve(value).verification_method[0].public_key_jwk
    assert (resolved["x"], resolved["y"]) == (jwk["x"], jwk["y"])


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_did_methods_advertised_are_resolvable(profile: str) -> None:
    """The AS metadata lists only the methods ``did.resolve`` handles (the reference's, less unmodelled)."""
    trace = scenarios.run("s2s", profile=profile).sim.trace
    advertised = trace.find("AS metadata")[0].response.json["did_methods_supported"]
    assert set(advertised) == set(did.METHODS) and {"jwk", "key", "web"} <= set(advertised)
