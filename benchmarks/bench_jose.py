"""Benchmark the JOSE layer against the raw crypto library under it, on a typical VP JWT, per backend.

A typical VP here is what a Nuts client sends in the s2s flow (PROTOCOL.md §1.3): an ES256
JWT VP embedding two ES256 JWT VCs (a NutsOrganizationCredential and a
NutsEmployeeCredential). For each operation the script times our layer and raw
``cryptography`` on the same bytes, in the same run:

- sign:   ``jose.sign(header, claims, key)`` (JSON + base64url + deterministic ECDSA + DER→JOSE)
          vs ``private.sign(signing_input, ECDSA(SHA256, deterministic_signing=True))``
- verify: ``jose.decode(token).verify(public)`` (split + base64url + JSON + alg check + JOSE→DER
          + ECDSA) vs ``public.verify(der_signature, signing_input, ECDSA(SHA256))``

Under the pure backend (``nutssim.jose.backend``; the pure-Python ``ecdsa`` package) "raw" is
``ecdsa``'s own ``sign_deterministic`` / ``verify`` on the same bytes, with fewer iterations
(each operation takes milliseconds, not microseconds).

Goal: our overhead ≤ 1.3× raw per operation. The last column, jwcrypto's own JWS on the same
key and bytes, is a reference point only (cryptography rows). Run:
``.venv/bin/python benchmarks/bench_jose.py`` (``--backend pure`` for one backend; ``--profile``
adds a cProfile of both of our operations).

Where the overhead goes (CPython 3.11, stdlib json/binascii): for a ~3.8 kB VP, JSON-encoding
the claims (~6 µs) and base64url-encoding them (~3 µs) cost about half of one deterministic
P-256 signature (~19 µs), so sign cannot reach 1.3× without a faster JSON/base64 codec;
verify spends ~10 µs on base64url-decoding and JSON-parsing the payload against ~45 µs of
ECDSA verification.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import time
from collections.abc import Callable
from typing import Any

import ecdsa
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from ecdsa.util import sigdecode_string, sigencode_string
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws

from nutssim import jose
from nutssim.jose import BACKENDS, KeyPair, using_backend
from nutssim.models.credential import credential_document, employee_subject, organization_subject
from nutssim.rng import SimRandom
from nutssim.specs.vc_jwt import credential_from_jwt, issue_credential, to_rfc3339

NOW = 1_735_689_600
TARGET = 1.3


def typical_vp() -> tuple[dict[str, Any], dict[str, Any], KeyPair]:
    """Header, claims and key of a VP JWT with two embedded JWT VCs, as ``vc_jwt.present`` builds it."""
    rng = SimRandom(42)
    issuer_did = "did:web:register.example:iam:" + rng.uuid()
    holder_did = "did:web:gp.example:iam:" + rng.uuid()
    issuer = KeyPair.generate(rng, kid=f"{issuer_did}#{rng.uuid()}")
    holder = KeyPair.generate(rng, kid=f"{holder_did}#{rng.uuid()}")
    org = credential_document(
        id=f"{issuer_did}#{rng.uuid()}",
        type="NutsOrganizationCredential",
        issuer=issuer_did,
        issuance_date=to_rfc3339(NOW),
        expiration_date=to_rfc3339(NOW + 365 * 86400),
        subject=organization_subject(holder_did, "Huisartsenpraktijk West", "Utrecht"),
    )
    employee = credential_document(
        id=f"{holder_did}#{rng.uuid()}",
        type="NutsEmployeeCredential",
        issuer=holder_did,
        issuance_date=to_rfc3339(NOW),
        expiration_date=to_rfc3339(NOW + 900),
        subject=employee_subject(holder_did, "jdoe@gp.example", "Jane Doe", "Huisarts"),
    )
    vcs = [
        credential_from_jwt(issue_credential(org, issuer)),
        credential_from_jwt(issue_credential(employee, holder)),
    ]
    claims = {
        "iss": holder_did,
        "sub": holder_did,
        "jti": f"{holder_did}#{rng.uuid()}",
        "aud": "https://hospital.example/oauth2/hospital",
        "nonce": rng.token(),
        "nbf": NOW,
        "iat": NOW,
        "exp": NOW + 5,
        "vp": {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [vc.raw for vc in vcs],
        },
    }
    return {"typ": "JWT", "kid": holder.kid}, claims, holder


def per_op(*fns: Callable[[], object], iterations: int, repeats: int) -> list[float]:
    """Best-of-``repeats`` mean µs per call of each of ``fns``, interleaved so load drifts hit all alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(iterations):
                fn()
            best[i] = min(best[i], (time.perf_counter() - start) / iterations)
    return [b * 1e6 for b in best]


def dpop_proof() -> tuple[dict[str, Any], dict[str, Any], KeyPair]:
    """Header, claims and key of a small token for contrast: a DPoP proof (RFC 9449 §4.2)."""
    rng = SimRandom(7)
    key = KeyPair.generate(rng)
    header = {"typ": "dpop+jwt", "jwk": key.public_jwk()}
    claims = {
        "jti": rng.token(),
        "htm": "POST",
        "htu": "https://hospital.example/oauth2/hospital/token",
        "iat": NOW,
    }
    return header, claims, key


def bench_token(
    label: str, header: dict[str, Any], claims: dict[str, Any], key: KeyPair, iterations: int, repeats: int
) -> str:
    """Time sign and verify of one token with our layer, the raw library and jwcrypto; print two rows."""
    token = jose.sign(header, claims, key)
    signing_input = token.rsplit(".", 1)[0].encode("ascii")
    public = key.public
    jose.decode(token).verify(public)  # sanity: what we time is a valid token
    signature = jose.decode(token).signature
    raw_sign, raw_verify = (_raw_cryptography if key.backend == "cryptography" else _raw_ecdsa)(
        key, signing_input, signature
    )
    raw_verify()
    reference_sign, reference_verify = _jwcrypto(header, claims, key, token)

    operations = {
        "sign": (lambda: jose.sign(header, claims, key), raw_sign, reference_sign),
        "verify": (lambda: jose.decode(token).verify(public), raw_verify, reference_verify),
    }
    for name, (ours, raw, reference) in operations.items():
        per_op(ours, raw, iterations=max(iterations // 10, 1), repeats=1)  # warm up
        ours_us, raw_us = per_op(ours, raw, iterations=iterations, repeats=repeats)
        ratio = ours_us / raw_us
        verdict = f"≤{TARGET} {'ok' if ratio <= TARGET else 'OVER'}"
        reference_text = "-"
        if key.backend == "cryptography":
            (reference_us,) = per_op(reference, iterations=max(iterations // 4, 1), repeats=repeats)
            reference_text = f"{reference_us:.1f}"
        print(
            f"{key.backend:<13}{label:<16}{len(token):>6}  {name:<8}{ours_us:>12.1f}{raw_us:>11.1f}"
            f"{ratio:>7.2f}×  {verdict:<10}{reference_text:>12}"
        )
    return token


def _raw_cryptography(
    key: KeyPair, signing_input: bytes, signature: bytes
) -> tuple[Callable[[], bytes], Callable[[], object]]:
    """Raw ``cryptography`` sign and verify on the same key and bytes (DER signatures, its native form)."""
    private = serialization.load_pem_private_key(key.private_pem(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    raw_public = private.public_key()
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    deterministic = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    plain = ec.ECDSA(hashes.SHA256())

    assert private.sign(signing_input, deterministic) == der  # same key, same RFC 6979 signature
    return lambda: private.sign(signing_input, deterministic), lambda: raw_public.verify(
        der, signing_input, plain
    )


def _raw_ecdsa(
    key: KeyPair, signing_input: bytes, signature: bytes
) -> tuple[Callable[[], bytes], Callable[[], object]]:
    """Raw ``ecdsa`` (pure Python) deterministic sign and verify on the same key, r || s encoded."""
    private = ecdsa.SigningKey.from_pem(key.private_pem(), hashfunc=hashlib.sha256)
    verifying = private.get_verifying_key()

    def sign() -> bytes:
        return bytes(
            private.sign_deterministic(signing_input, hashfunc=hashlib.sha256, sigencode=sigencode_string)
        )

    def verify() -> object:
        return verifying.verify(signature, signing_input, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)

    assert sign() == signature  # same key, same RFC 6979 signature
    return sign, verify


def _jwcrypto(
    header: dict[str, Any], claims: dict[str, Any], key: KeyPair, token: str
) -> tuple[Callable[[], str], Callable[[], None]]:
    """For reference only (not part of the goal): jwcrypto's own JWS on the same key and bytes."""
    jwk_private = jwcrypto_jwk.JWK.from_pem(key.private_pem())
    jwk_public = jwcrypto_jwk.JWK(**key.public_jwk())
    payload_json = json.dumps(claims, separators=(",", ":"), ensure_ascii=False)

    def jwcrypto_sign() -> str:
        signer = jwcrypto_jws.JWS(payload_json)
        signer.add_signature(jwk_private, None, {"alg": "ES256", **header})
        return str(signer.serialize(compact=True))

    def jwcrypto_verify() -> None:
        verifier = jwcrypto_jws.JWS()
        verifier.deserialize(token)
        verifier.verify(jwk_public)

    return jwcrypto_sign, jwcrypto_verify


def main() -> None:
    """Time both layers on each backend and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", "--iterations", type=int, default=2000, help="per operation (pure: a twentieth)"
    )
    parser.add_argument("-r", "--repeats", type=int, default=7)
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="one backend (default: both)")
    parser.add_argument("--profile", action="store_true", help="cProfile our VP sign and verify")
    args = parser.parse_args()

    print(f"ES256 (P-256), best of {args.repeats}; µs per operation")
    print(
        f"{'backend':<13}{'token':<16}{'bytes':>6}  {'op':<8}{'nutssim':>12}{'raw':>11}{'ratio':>8}  "
        f"{'goal':<10}{'jwcrypto':>12}"
    )
    for backend in args.backend or BACKENDS:
        iterations = args.iterations if backend == "cryptography" else max(args.iterations // 20, 1)
        with using_backend(backend):
            header, claims, key = typical_vp()
            token = bench_token("VP (2 JWT VCs)", header, claims, key, iterations, args.repeats)
            bench_token("DPoP proof", *dpop_proof(), iterations, args.repeats)

            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(iterations):
                    jose.sign(header, claims, key)
                    jose.decode(token).verify(key.public)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
