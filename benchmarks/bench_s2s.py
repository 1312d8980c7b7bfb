"""Benchmark: whole s2s flows (EHR trigger → resource) against their crypto floor, and memory per flow.

Run: .venv/bin/python benchmarks/bench_s2s.py [--flows N] [--memory-flows M]

Times are CPU time of this process (fair on a shared machine). The crypto floor is the
time the raw ``cryptography`` ECDSA signs and verifies take for the same number of
operations and the same message sizes as the flow performs, measured in the same run.
The memory part runs M flows in ONE simulation, the clock advancing 2 s per flow so
nonce and token stores expire, and reports the growth per flow with and without the
trace (which is append-only by design).
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from nutssim import scenarios
from nutssim.jose import keys

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
    start = time.process_time()
    for _ in range(n):
        world.sim.clock.advance(2)
        flow = world.start(no_cache=True)
        assert flow.finish().granted
    elapsed = (time.process_time() - start) / n
    return (
        elapsed,
        crypto_floor(per_flow_signs, per_flow_verifies),
        len(per_flow_signs),
        len(per_flow_verifies),
    )


def memory_per_flow(n: int) -> tuple[float, float, dict[str, int]]:
    """Bytes retained per flow over n flows in one simulation, with the trace and without it."""
    world = scenarios.build("s2s", seed=2)
    world.run(no_cache=True)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(n):
        world.sim.clock.advance(2)
        world.start(no_cache=True).finish()
    gc.collect()
    with_trace = tracemalloc.get_traced_memory()[0] - base
    world.sim.trace._events.clear()  # what remains is the parties' state: stores must have expired
    gc.collect()
    without_trace = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    hospital, gp = world.authorization_server_node, world.requester_node
    stores = {
        "s2s nonces": len(hospital.s2s_nonces),
        "access tokens": len(hospital.access_tokens),
        "DPoP jti": len(hospital.dpop_jtis),
        "client token cache": len(gp.token_cache),
    }
    return with_trace / n, without_trace / n, stores


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--memory-flows", type=int, default=10_000)
    args = parser.parse_args()
    per_flow, floor, signs, verifies = flows_per_second(args.flows)
    print(f"s2s flow with DPoP, EHR trigger to resource, {args.flows} flows on one core")
    print(f"  {1 / per_flow:8.1f} flows/s   {per_flow * 1e3:7.2f} ms/flow")
    print(f"  crypto floor: {signs} signs + {verifies} verifies = {floor * 1e3:.2f} ms/flow")
    print(f"  ratio to floor: {per_flow / floor:.2f}x (goal <= 2x)")
    with_trace, without, stores = memory_per_flow(args.memory_flows)
    print(f"memory over {args.memory_flows} flows in one simulation")
    print(f"  retained per flow with the trace: {with_trace / 1024:.1f} KiB")
    print(f"  retained per flow without the trace (party state): {without:.0f} B")
    print(f"  store sizes at the end: {stores}")


if __name__ == "__main__":
    main()
