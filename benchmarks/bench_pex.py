"""Benchmark: matching a three-descriptor presentation definition against growing wallets.

Run: ``.venv/bin/python benchmarks/bench_pex.py``. The fulfilling credentials sit at the end
of the wallet, behind decoys that fail at the type, at a later field, or at the format, so
every credential is evaluated for every descriptor (the worst case for first-match). Time
is the best of a few runs without tracing; peak memory is measured in a separate run under
tracemalloc and counts only what matching allocates (the wallet is built beforehand).
Goal (issue #3): linear growth, 100,000 credentials in under 2 s.
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

from nutssim.models.credential import Credential
from nutssim.specs import pex

HOLDER = "did:web:holder.example:iam:1"
CA = "did:x509:0:sha256:szqMaTpnD6GN0aRrT98eV4bhAoOgyItEZVyskYyL_Qc"
URA = "2.16.528.1.1007.99.2110-1-900030787-S-90000380-00.000-11223344"


def _field(path: list[str], filter: dict[str, Any], id: str | None = None) -> dict[str, Any]:
    return {"path": path, "filter": filter, **({"id": id} if id else {})}


def _type(name: str) -> dict[str, Any]:
    return _field(["$.type"], {"type": "string", "const": name})


def _both(name: str) -> list[str]:
    return [f"$.credentialSubject.{name}", f"$.credentialSubject[0].{name}"]


DEFINITION = {
    "id": "bench_three_descriptors",
    "format": {"ldp_vc": {"proof_type": ["JsonWebSignature2020"]}, "jwt_vc": {"alg": ["ES256", "PS256"]}},
    "input_descriptors": [
        {
            "id": "organization",
            "constraints": {
                "fields": [
                    _type("NutsOrganizationCredential"),
                    _field(_both("organization.name"), {"type": "string"}, "organization_name"),
                    _field(_both("organization.city"), {"type": "string"}, "organization_city"),
                ]
            },
        },
        {
            "id": "employee",
            "constraints": {
                "fields": [
                    _type("NutsEmployeeCredential"),
                    _field(_both("identifier"), {"type": "string"}, "employee_identifier"),
                    _field(_both("name"), {"type": "string"}, "employee_name"),
                    _field(
                        _both("roleName"),
                        {"type": "string", "enum": ["Verpleegkundige", "Arts"]},
                        "employee_role",
                    ),
                ]
            },
        },
        {
            "id": "x509",
            "constraints": {
                "fields": [
                    _type("X509Credential"),
                    _field(["$.issuer"], {"type": "string", "pattern": f"^{CA}::.*$"}),
                    _field(
                        ["$.credentialSubject[0].san.otherName"],
                        {"type": "string", "pattern": r"^[0-9.]+-\d+-\d+-S-(\d+)-00\.000-\d+$"},
                        "organization_ura",
                    ),
                ]
            },
        },
    ],
}


def _ldp(i: int, type_: str, subject: dict[str, Any], proof: str = "JsonWebSignature2020") -> Credential:
    doc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": f"urn:uuid:{i}",
        "type": ["VerifiableCredential", type_],
        "issuer": "did:web:issuer.example",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": subject,
    }
    return Credential(raw=doc, document=doc, format="ldp_vc", proof_type=proof)


def _jwt(i: int, type_: str, subject: dict[str, Any], issuer: str, alg: str = "PS256") -> Credential:
    doc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": f"urn:uuid:{i}",
        "type": ["VerifiableCredential", type_],
        "issuer": issuer,
        "credentialSubject": [subject],
    }
    return Credential(raw=f"eyJ.{i}.sig", document=doc, format="jwt_vc", alg=alg)


def _decoy(i: int) -> Credential:
    """Four kinds of near misses, chosen by index (deterministic)."""
    kind = i % 4
    if kind == 0:
        return _ldp(i, "DiscoveryRegistrationCredential", {"id": HOLDER, "authServerURL": "https://x"})
    if kind == 1:  # right type, fails a later field (no city)
        return _ldp(i, "NutsOrganizationCredential", {"id": HOLDER, "organization": {"name": f"Org {i}"}})
    if kind == 2:  # right type and fields, wrong role
        return _ldp(
            i,
            "NutsEmployeeCredential",
            {"id": HOLDER, "identifier": f"e{i}", "name": "N", "roleName": "Schoonmaker"},
        )
    return _jwt(
        i, "X509Credential", {"id": HOLDER, "san": {"otherName": URA}}, f"did:x509:0:sha256:other::{i}"
    )


def wallet(size: int) -> list[Credential]:
    """``size`` credentials: decoys first, the three that fulfil the definition last."""
    good = [
        _ldp(
            size,
            "NutsOrganizationCredential",
            {"id": HOLDER, "organization": {"name": "De Linde", "city": "Utrecht"}},
        ),
        _ldp(
            size + 1,
            "NutsEmployeeCredential",
            {"id": HOLDER, "identifier": "jdoe", "name": "J. Doe", "roleName": "Verpleegkundige"},
        ),
        _jwt(
            size + 2,
            "X509Credential",
            {"id": HOLDER, "san": {"otherName": URA}},
            f"{CA}::san:otherName:{URA}",
        ),
    ]
    return [_decoy(i) for i in range(max(0, size - 3))] + good[: min(3, size)]


def timed(credentials: list[Credential], repeat: int) -> float:
    """Best wall time of ``repeat`` matches, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = pex.match_definition(DEFINITION, credentials)
        best = min(best, time.perf_counter() - start)
    assert len(result.matches) == 3
    return best


def peak_memory(credentials: list[Credential]) -> int:
    """Peak bytes allocated while matching."""
    tracemalloc.start()
    pex.match_definition(DEFINITION, credentials)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    """Print the table."""
    start = time.perf_counter()
    pex.compile_definition(DEFINITION)
    print(f"compile (once per definition, cached): {(time.perf_counter() - start) * 1e3:.1f} ms\n")
    print(f"{'credentials':>12} {'time':>10} {'per credential':>15} {'peak memory':>12} {'time growth':>12}")
    previous: tuple[int, float] | None = None
    for size in (10, 1_000, 100_000):
        credentials = wallet(size)
        seconds = timed(credentials, 3 if size == 100_000 else 20)
        peak = peak_memory(credentials)
        growth = ""
        if previous:
            growth = f"x{seconds / previous[1]:.0f} for x{size // previous[0]}"
        print(
            f"{size:>12,} {seconds * 1e3:>8.2f} ms {seconds / size * 1e6:>12.2f} µs {peak / 1024:>9.1f} KiB "
            f"{growth:>12}"
        )
        previous = (size, seconds)
    verdict = "met" if previous and previous[1] < 2 else "NOT met"
    print(f"\ngoal (100,000 credentials under 2 s): {verdict}")


if __name__ == "__main__":
    main()
