"""Benchmark: whole s2s flows (EHR trigger → resource) against their crypto floor.

Run: .venv/bin/python benchmarks/bench_s2s.py [--flows N]

Times are CPU time of this process (fair on a shared machine). The crypto floor is the
time the raw ``cryptography`` ECDSA signs and verifies take for the same number of
operations and the same message sizes as the flow performs, measured in the same run.
The user flow's ratio is printed beside the s2s one, both measured in this run (issue #23
item 5). Memory per flow at each trace level and the node stores over 100,000 flows are
``bench_memory.py``'s.
"""

from __future__ import annotations

import argparse
import statistics
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from nutssim import scenarios
from nutssim.jose import keys

#: Chunks of flows timed separately; a flow's figure is their median.
CHUNKS = 5
SIGNED: list[int] = []
VERIFIED: list[int] = []


def _count_crypto() -> None:
    sign, verify = keys.KeyPair.sign, keys.PublicKey.verify

    def counting_sign(self, data):
        SIGNED.append(len(data))
        return sign(self, data)

    def counting_verify(self, alg, data, signature):
        VERIFIED.append(len(data))
        return verify(self, alg, data, signature)

    keys.KeyPair.sign = counting_sign  # type: ignore[method-assign]
    keys.PublicKey.verify = counting_verify  # type: ignore[method-assign]


def crypto_floor(signed: list[int], verified: list[int]) -> float:
    """Seconds the raw ECDSA operations of one flow take (deterministic signing, P-256)."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key()
    algorithm = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    payloads = [b"x" * n for n in signed] + [b"y" * n for n in verified]
    signatures = [private.sign(p, algorithm) for p in payloads[len(signed) :]]
    rounds = 50
    start = time.process_time()
    for _ in range(rounds):
        for p in payloads[: len(signed)]:
            private.sign(p, algorithm)
        for p, s in zip(payloads[len(signed) :], signatures, strict=True):
            public.verify(s, p, algorithm)
    return (time.process_time() - start) / rounds


def flows_per_second(n: int) -> tuple[float, float, int, int]:
    """Run n flows in one world (token cache bypassed); return (s/flow, floor s/flow, signs, verifies)."""
    world = scenarios.build("s2s", seed=1)
    world.run(no_cache=True)  # warm-up: compiles PDs, caches contexts
    _count_crypto()
    SIGNED.clear()
    VERIFIED.clear()
    world.sim.clock.advance(20)
    world.run(no_cache=True)
    per_flow_signs, per_flow_verifies = list(SIGNED), list(VERIFIED)
    chunks = []  # the median of 5 chunks: a shared machine disturbs some of them
    for _ in range(CHUNKS):
        start = time.process_time()
        for _ in range(max(n // CHUNKS, 1)):
            world.sim.clock.advance(2)
            flow = world.start(no_cache=True)
            assert flow.finish().granted
        chunks.append((time.process_time() - start) / max(n // CHUNKS, 1))
    elapsed = statistics.median(chunks)
    return (
        elapsed,
        crypto_floor(per_flow_signs, per_flow_verifies),
        len(per_flow_signs),
        len(per_flow_verifies),
    )


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flows", type=int, default=200)
    args = parser.parse_args()
    per_flow, floor, signs, verifies = flows_per_second(args.flows)
    print(f"s2s flow with DPoP, EHR trigger to resource, {args.flows} flows on one core")
    print(f"  {1 / per_flow:8.1f} flows/s   {per_flow * 1e3:7.2f} ms/flow")
    print(f"  crypto floor: {signs} signs + {verifies} verifies = {floor * 1e3:.2f} ms/flow")
    print(f"  ratio to floor: {per_flow / floor:.2f}x (goal <= 4x, aim 2x)")
    import bench_user_flow  # here: it imports this module

    user_flow, user_floor, _, _, _ = bench_user_flow.flows_per_second(max(args.flows // 4, CHUNKS))
    print("both flows in this run, ratio to their crypto floor (issue #23 item 5; goal <= 4x, aim 2x)")
    print(f"  s2s  {per_flow * 1e3:6.2f} ms / floor {floor * 1e3:.2f} ms = {per_flow / floor:5.2f}x")
    print(
        f"  user {user_flow * 1e3:6.2f} ms / floor {user_floor * 1e3:.2f} ms = {user_flow / user_floor:5.2f}x"
    )


if __name__ == "__main__":
    main()
