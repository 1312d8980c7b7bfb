"""Verify cost of a JSON-LD VP with two credentials vs the JWT equivalent, before/after context caching.

Run: ``.venv/bin/python benchmarks/bench_jsonld.py [--alg ES256|EdDSA] [--seconds 1.0]``.

Both sides check the same two signatures (the holder's over the VP, the issuer's over the
NutsOrganizationCredential; the self-attested NutsEmployeeCredential has none) and no
times, so the difference is JSON-LD processing: four URDNA2015 canonicalizations.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from nutssim import jose
from nutssim.jose import KeyPair
from nutssim.rng import SimRandom
from nutssim.specs import jsonld, jws2020

T = 1_718_000_000
ISSUER = "did:web:register.example"
HOLDER = "did:web:gp.example:iam:1"
AS_URL = "https://hospital.example/oauth2/oost"
NONCE = "n-0S6_WzA2Mj"


def build(alg: str) -> dict[str, Any]:
    """Return keys, the signed JSON-LD VP and the JWT VP carrying the same data."""
    issuer = KeyPair.generate(SimRandom(1), alg)
    holder = KeyPair.generate(SimRandom(2), alg)
    org = jws2020.nuts_organization_credential_ld(
        credential_id=f"{ISSUER}#1",
        issuer=ISSUER,
        subject=HOLDER,
        name="Huisartsenpraktijk West",
        city="Utrecht",
        issuance_date=T,
    )
    employee = jws2020.nuts_employee_credential_ld(
        credential_id=f"{HOLDER}#2",
        holder=HOLDER,
        identifier="jdoe@gp.example",
        name="Jane Doe",
        role="Verpleegkundige",
        issuance_date=T,
    )
    signed_org = jws2020.sign_credential(org, issuer, verification_method=f"{ISSUER}#k", created=T)
    vp = jws2020.presentation_ld(
        presentation_id=f"{HOLDER}#vp", holder=HOLDER, credentials=[signed_org, employee]
    )
    ld_vp = jws2020.sign_presentation(
        vp,
        holder,
        verification_method=f"{HOLDER}#k",
        created=T,
        expires=T + 5,
        domain=AS_URL,
        challenge=NONCE,
        nonce=NONCE,
    )
    # VC-DM 1.1 §6.3.1 JWT encoding of the same credential and presentation (PROTOCOL.md §1.3, §3.2).
    org_jwt = jose.sign(
        {"kid": f"{ISSUER}#k", "typ": "JWT"},
        {
            "iss": ISSUER,
            "sub": HOLDER,
            "jti": org["id"],
            "nbf": T,
            "vc": {k: org[k] for k in ("@context", "type", "credentialSubject")},
        },
        issuer,
    )
    jwt_vp = jose.sign(
        {"kid": f"{HOLDER}#k", "typ": "JWT"},
        {
            "iss": HOLDER,
            "sub": HOLDER,
            "jti": f"{HOLDER}#vp",
            "aud": AS_URL,
            "nonce": NONCE,
            "nbf": T,
            "iat": T,
            "exp": T + 5,
            "vp": {
                "@context": [jsonld.VC_V1_CONTEXT],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [org_jwt, employee],
            },
        },
        holder,
    )
    return {"issuer": issuer, "holder": holder, "ld_vp": ld_vp, "jwt_vp": jwt_vp}


def verify_ld(setup: dict[str, Any], loader: jsonld.OfflineLoader) -> None:
    """Verify the VP proof and the organization credential's proof."""
    vp = setup["ld_vp"]
    jws2020.verify_proof(vp, setup["holder"].public, loader=loader)
    jws2020.verify_proof(vp["verifiableCredential"][0], setup["issuer"].public, loader=loader)


def verify_jwt(setup: dict[str, Any]) -> None:
    """Verify the VP JWT and the organization credential JWT inside it."""
    vp = jose.decode(setup["jwt_vp"])
    vp.verify(setup["holder"].public)
    jose.decode(vp.payload["vp"]["verifiableCredential"][0]).verify(setup["issuer"].public)


def measure(run: Callable[[], None], seconds: float) -> tuple[float, float, int]:
    """Run for about ``seconds``; return median and p90 per-call time in ms, and the count."""
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 20:
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9)], len(samples)


def main() -> None:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alg", default="ES256", choices=["ES256", "EdDSA"])
    parser.add_argument("--seconds", type=float, default=1.0, help="time spent per row")
    args = parser.parse_args()
    setup = build(args.alg)

    cold_loader = jsonld.OfflineLoader()
    start = time.perf_counter()
    verify_ld(setup, cold_loader)
    first_call = (time.perf_counter() - start) * 1000

    uncached = jsonld.OfflineLoader(cache=False)
    cached = jsonld.OfflineLoader()
    verify_ld(setup, cached)  # warm the cache, as every run after the first finds it
    rows: list[tuple[str, tuple[float, float, int], float]] = []
    for label, loader in (("JSON-LD, no context cache", uncached), ("JSON-LD, context cache", cached)):
        loader.calls = 0
        result = measure(functools.partial(verify_ld, setup, loader), args.seconds)
        rows.append((label, result, loader.calls / result[2]))
    rows.append(("JWT (compact JWS)", measure(functools.partial(verify_jwt, setup), args.seconds), 0.0))

    jwt_median = rows[-1][1][0]
    sizes = {"ld": len(json.dumps(setup["ld_vp"], separators=(",", ":"))), "jwt": len(setup["jwt_vp"])}
    print(
        f"verify a VP with two credentials (two signatures, {args.alg}); "
        f"VP size: JSON-LD {sizes['ld']} B, JWT {sizes['jwt']} B"
    )
    print(f"{'format':28} {'median ms':>10} {'p90 ms':>8} {'runs':>7} {'loader calls':>13} {'x JWT':>7}")
    for label, (median, p90, runs), calls in rows:
        print(f"{label:28} {median:10.3f} {p90:8.3f} {runs:7d} {calls:13.1f} {median / jwt_median:7.1f}")
    print(
        f"{'JSON-LD, first call (cold)':28} {first_call:10.3f} {'':>8} {1:7d} "
        f"{cold_loader.calls:13.1f} {first_call / jwt_median:7.1f}"
    )


if __name__ == "__main__":
    main()
