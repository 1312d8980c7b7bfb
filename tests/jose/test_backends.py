"""Crypto backends: RFC 6979 and RFC 8032 vectors, identical bytes, cross-verification, selection."""

from __future__ import annotations

import hashlib
import json

import ecdsa
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from nutssim import jose
from nutssim.jose import (
    BACKENDS,
    AlgorithmNotAllowed,
    BackendUnavailable,
    InvalidSignature,
    KeyPair,
    MalformedToken,
    PublicKey,
    _rsa,
    using_backend,
)
from nutssim.jose.backend import load_backend
from nutssim.jose.curves import CURVES
from nutssim.rng import SimRandom, b64url

GENERATABLE = ("ES256", "ES384", "ES512", "EdDSA")

# RFC 6979 §A.2.5: the P-256 key and its deterministic signatures with SHA-256.
RFC6979_X = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
RFC6979_UX = 0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6
RFC6979_UY = 0x7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299
RFC6979_SIGNATURES = {
    b"sample": (
        0xEFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716,
        0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8,
    ),
    b"test": (
        0xF1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367,
        0x019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083,
    ),
}

# RFC 8032 §7.1 TEST 1, 2 and 3: secret key, public key, message, signature.
RFC8032_VECTORS = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
        "d25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c"
        "387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc659"
        "4a7c15e9716ed28dc027beceea1ec40a",
    ),
]


def _other(name: str) -> str:
    return next(other for other in BACKENDS if other != name)


# -- spec vectors, on the backend the conftest selected -----------------------------------------------------
@pytest.mark.parametrize("message", sorted(RFC6979_SIGNATURES))
def test_rfc6979_a25_p256_sha256(crypto_backend, message):
    """RFC 6979 §A.2.5: the P-256 key's public point and its deterministic ES256 signature, byte for byte."""
    private, point = load_backend(crypto_backend).ec_private("P-256", RFC6979_X)
    assert (point.x, point.y) == (RFC6979_UX, RFC6979_UY)
    r, s = RFC6979_SIGNATURES[message]
    expected = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert private.sign("ES256", message) == expected
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(RFC6979_UX.to_bytes(32, "big")),
        "y": b64url(RFC6979_UY.to_bytes(32, "big")),
    }
    PublicKey.from_jwk(jwk).verify("ES256", message, expected)


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032_VECTORS)
def test_rfc8032_ed25519_vectors(crypto_backend, secret, public, message, signature):
    """RFC 8032 §7.1 TEST 1–3: public key and signature from the secret, and the signature verifies."""
    private, raw = load_backend(crypto_backend).ed25519_private(bytes.fromhex(secret))
    assert raw.x.hex() == public
    assert private.sign("EdDSA", bytes.fromhex(message)).hex() == signature
    key = PublicKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64url(bytes.fromhex(public))})
    key.verify("EdDSA", bytes.fromhex(message), bytes.fromhex(signature))
    with pytest.raises(InvalidSignature):
        key.verify("EdDSA", bytes.fromhex(message) + b"!", bytes.fromhex(signature))


# -- both backends at once ----------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", GENERATABLE)
def test_same_seed_same_key_and_signature_on_both_backends(crypto_backend, alg):
    """For many seeds and inputs, both backends derive the same JWK and sign the same bytes (RFC 6979)."""
    for seed in range(6 if alg != "ES512" else 3):
        keys = {}
        for name in BACKENDS:
            with using_backend(name):
                keys[name] = KeyPair.generate(SimRandom(seed), alg, kid="k")
        ours, theirs = keys[crypto_backend], keys[_other(crypto_backend)]
        assert (ours.backend, theirs.backend) == (crypto_backend, _other(crypto_backend))
        assert ours.public_jwk() == theirs.public_jwk()
        for message in (b"", b"a", bytes(range(256)) * seed):
            assert ours.sign(message) == theirs.sign(message)
        assert jose.sign({"kid": "k"}, {"n": seed}, ours) == jose.sign({"kid": "k"}, {"n": seed}, theirs)


@pytest.mark.parametrize("alg", GENERATABLE)
def test_cross_verification(crypto_backend, alg):
    """What one backend signs the other verifies, and a changed input fails on both."""
    signer = KeyPair.generate(SimRandom(11), alg)
    token = jose.sign({"typ": "JWT"}, {"sub": alg}, signer)
    with using_backend(_other(crypto_backend)):
        verifier = PublicKey.from_jwk(signer.public_jwk())
    assert verifier.backend == _other(crypto_backend)
    jose.decode(token).verify(verifier)
    jose.decode(token).verify(signer.public)
    header, _, signature = token.split(".")
    forged = f"{header}.{b64url(json.dumps({'sub': 'x'}).encode())}.{signature}"
    for key in (verifier, signer.public):
        with pytest.raises(InvalidSignature):
            jose.decode(forged).verify(key)


def test_pure_ecdsa_signatures_verify_with_raw_cryptography(crypto_backend):
    """A pure-backend ES256/ES384/ES512 JWS verifies with cryptography's own ECDSA over the DER form."""
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    with using_backend("pure"):
        keys = [KeyPair.generate(SimRandom(2), alg) for alg in ("ES256", "ES384", "ES512")]
    for key, hash_alg in zip(keys, (hashes.SHA256(), hashes.SHA384(), hashes.SHA512()), strict=True):
        curve = CURVES[key.public.jwk["crv"]]
        jws = jose.decode(jose.sign({}, {"a": 1}, key))
        x, y = (int.from_bytes(jose.b64url_decode(key.public.jwk[c]), "big") for c in "xy")
        curve_obj = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}[curve.crv]
        public = ec.EllipticCurvePublicNumbers(x, y, curve_obj).public_key()
        r, s = (
            int.from_bytes(part, "big") for part in (jws.signature[: curve.size], jws.signature[curve.size :])
        )
        public.verify(encode_dss_signature(r, s), jws.signing_input, ec.ECDSA(hash_alg))


def test_high_s_and_out_of_range_signatures_alike(crypto_backend):
    """(r, n - s) verifies on both backends (no low-s rule); r or s of 0 or n fails on both."""
    key = KeyPair.generate(SimRandom(1))
    jws = jose.decode(jose.sign({}, {"a": 1}, key))
    n = CURVES["P-256"].n
    r, s = int.from_bytes(jws.signature[:32], "big"), int.from_bytes(jws.signature[32:], "big")
    for name in BACKENDS:
        with using_backend(name):
            public = PublicKey.from_jwk(key.public_jwk())
        public.verify("ES256", jws.signing_input, r.to_bytes(32, "big") + (n - s).to_bytes(32, "big"))
        for bad_r, bad_s in ((0, s), (r, 0), (n, s), (r, n), (r + n, s)):
            if bad_r >= 2**256:
                continue
            with pytest.raises(InvalidSignature):
                public.verify(
                    "ES256", jws.signing_input, bad_r.to_bytes(32, "big") + bad_s.to_bytes(32, "big")
                )


def test_ed25519_key_that_is_no_point_parses_but_never_verifies(crypto_backend):
    """32 bytes that decode to no Ed25519 point load (as OpenSSL loads them) and fail every signature."""
    raw = next(candidate for y in range(2, 1000) if not _decodes(candidate := y.to_bytes(32, "little")))
    key = PublicKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)})
    with pytest.raises(InvalidSignature):
        key.verify("EdDSA", b"m", bytes(64))


def _decodes(raw: bytes) -> bool:
    try:
        ecdsa.VerifyingKey.from_string(raw, curve=ecdsa.Ed25519)
    except (ecdsa.MalformedPointError, ValueError):
        return False
    return True


def test_invalid_jwks_fail_alike(crypto_backend):
    """JWK checks are shared code: both backends refuse the same keys with the same message."""
    good = KeyPair.generate(SimRandom(0)).public_jwk()
    bad_point = {**good, "y": good["x"]}
    cases = [
        bad_point,
        {**good, "crv": "P-257"},
        {**good, "use": "enc"},
        {**good, "key_ops": ["encrypt"]},
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        {"kty": "RSA", "n": "AAAA", "e": "AQAB"},
        {"kty": "EC", "crv": "P-256", "x": good["x"]},
    ]
    for jwk in cases:
        messages = set()
        for name in BACKENDS:
            with using_backend(name), pytest.raises(MalformedToken) as info:
                PublicKey.from_jwk(jwk)
            messages.add(str(info.value))
        assert len(messages) == 1, messages


def test_foreign_curves_parse_but_fit_no_alg(crypto_backend):
    """An Ed448 or secp256k1 JWK parses (as jwcrypto parsed it) but no supported algorithm fits it."""
    for jwk in (
        {"kty": "OKP", "crv": "Ed448", "x": b64url(bytes(57))},
        {"kty": "EC", "crv": "secp256k1", "x": "AAAA", "y": "AAAA"},
    ):
        key = PublicKey.from_jwk(jwk)
        assert key.backend is None
        with pytest.raises(AlgorithmNotAllowed, match="does not fit"):
            key.verify("EdDSA" if jwk["kty"] == "OKP" else "ES256", b"m", bytes(64))


# -- RSA verification (pure: RFC 8017 in nutssim/jose/_rsa.py) -----------------------------------------------
@pytest.fixture(scope="module", params=[2048, 2047, 3072])
def rsa_key(request):
    """RSA keys whose modulus length is a multiple of 8 and is not (the PSS emLen edge, RFC 8017 §9.1)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=request.param)


@pytest.mark.parametrize("alg", ["RS256", "PS256", "PS384", "PS512"])
def test_rsa_signatures_from_cryptography_verify_on_both_backends(crypto_backend, rsa_key, alg):
    """An RSA JWS made by cryptography verifies on this backend; a flipped bit or byte fails."""
    signer = KeyPair.from_private(rsa_key, alg=alg)
    assert signer.backend == "cryptography"
    token = jose.sign({}, {"alg": alg}, signer)
    key = PublicKey.from_jwk(signer.public_jwk())
    assert key.backend == crypto_backend
    jws = jose.decode(token)
    jws.verify(key)
    for bad in (bytes([jws.signature[0] ^ 1]) + jws.signature[1:], jws.signature[:-1], jws.signature + b"\0"):
        with pytest.raises(InvalidSignature):
            key.verify(alg, jws.signing_input, bad)
    with pytest.raises(InvalidSignature):
        key.verify(alg, jws.signing_input + b"x", jws.signature)


@pytest.mark.parametrize(("n", "e"), [(3233, 17), (2**127 - 1, 65537), (2**521 - 1, 3)])
def test_tiny_rsa_keys_fail_as_invalid_signatures(crypto_backend, n, e):
    """A modulus too small for the hash is an invalid signature on both backends, not a ValueError."""
    size = (n.bit_length() + 7) // 8
    jwk = {
        "kty": "RSA",
        "n": b64url(n.to_bytes(size, "big")),
        "e": b64url(e.to_bytes(1 + (e > 255) * 2, "big")),
    }
    key = PublicKey.from_jwk(jwk)
    for alg in ("RS256", "PS256", "PS384", "PS512"):
        with pytest.raises(InvalidSignature):
            key.verify(alg, b"m", bytes(size))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["kty", "crv", "x", "y", "n", "e", "k", "use", "key_ops", "alg"]),
        st.one_of(
            st.sampled_from(["EC", "OKP", "RSA", "oct", "P-256", "P-521", "Ed25519", "Ed448", "sig", "AQAB"]),
            st.text(max_size=12),
            st.integers(),
            st.lists(st.text(max_size=6), max_size=3),
            st.none(),
        ),
    )
)
def test_any_jwk_is_a_key_or_a_malformed_token(jwk):
    """Whatever a JWK holds, parsing gives a key or ``MalformedToken``, never another exception."""
    for name in BACKENDS:
        with using_backend(name):
            try:
                key = PublicKey.from_jwk(jwk)
            except MalformedToken:
                continue
            with pytest.raises((InvalidSignature, AlgorithmNotAllowed)):
                key.verify(key.default_alg() if key.kty != "oct" else "ES256", b"m", bytes(64))


def test_pure_pss_refuses_another_salt_length(rsa_key):
    """PS256 fixes the salt length to the hash length (RFC 7518 §3.5): a 0-byte salt fails."""
    numbers = rsa_key.public_key().public_numbers()
    message = b"payload"
    short_salt = rsa_key.sign(
        message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=0), hashes.SHA256()
    )
    assert not _rsa.verify_pss(numbers.n, numbers.e, "sha256", message, short_salt)
    right = rsa_key.sign(
        message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )
    assert _rsa.verify_pss(numbers.n, numbers.e, "sha256", message, right)
    pkcs1 = rsa_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    assert _rsa.verify_pkcs1v15(numbers.n, numbers.e, "sha256", message, pkcs1)
    assert not _rsa.verify_pss(numbers.n, numbers.e, "sha256", message, pkcs1)
    assert not _rsa.verify_pkcs1v15(numbers.n, numbers.e, "sha256", message, right)


# -- wrapping and choosing ----------------------------------------------------------------------------------
def test_from_private_adopts_either_library(crypto_backend):
    """``from_private`` takes a cryptography key or an ``ecdsa.SigningKey``; the two sign the same bytes."""
    scalar = 123456789
    a = KeyPair.from_private(ec.derive_private_key(scalar, ec.SECP256R1()))
    b = KeyPair.from_private(ecdsa.SigningKey.from_secret_exponent(scalar, curve=ecdsa.NIST256p))
    assert (a.backend, b.backend) == ("cryptography", "pure")
    assert a.public_jwk() == b.public_jwk() and a.sign(b"x") == b.sign(b"x")
    seed = bytes(range(32))
    c = KeyPair.from_private(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
    d = KeyPair.from_private(ecdsa.SigningKey.from_string(seed, curve=ecdsa.Ed25519))
    assert (c.alg, d.alg) == ("EdDSA", "EdDSA") and c.sign(b"x") == d.sign(b"x")
    with pytest.raises(AlgorithmNotAllowed, match="does not fit"):
        KeyPair.from_private(ec.derive_private_key(scalar, ec.SECP256R1()), alg="ES384")
    with pytest.raises(jose.backend.SimulationError, match="cannot wrap a str"):
        KeyPair.from_private("not a key")


def test_private_pem_loads_in_cryptography(crypto_backend):
    """Both backends export the same PKCS#8 bytes, which cryptography loads as the same key."""
    from cryptography.hazmat.primitives import serialization

    for alg in GENERATABLE:
        key = KeyPair.generate(SimRandom(8), alg)
        loaded = serialization.load_pem_private_key(key.private_pem(), password=None)
        assert KeyPair.from_private(loaded, alg=alg).public_jwk() == key.public_jwk()
        with using_backend(_other(crypto_backend)):
            assert KeyPair.generate(SimRandom(8), alg).private_pem() == key.private_pem()


def test_use_backend_refuses_unknown_names():
    """An unknown backend name is a ``BackendUnavailable`` with a hint; the active backend is unchanged."""
    before = jose.backend_name()
    with pytest.raises(BackendUnavailable, match="did you mean 'pure'"):
        jose.use_backend("puer")
    assert jose.backend_name() == before
    assert jose.available_backends() == BACKENDS


def test_thumbprint_is_backend_independent_json(crypto_backend):
    """RFC 7638 thumbprints hash the JWK members alone, so they match across backends."""
    key = KeyPair.generate(SimRandom(5), "ES384")
    members = json.dumps({k: key.public_jwk()[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    assert key.thumbprint() == b64url(hashlib.sha256(members.encode()).digest())
    with using_backend(_other(crypto_backend)):
        assert KeyPair.generate(SimRandom(5), "ES384").thumbprint() == key.thumbprint()
