"""Benchmark: whole user flows (EHR → browser → OpenID4VP ×2 → code → token → resource) vs crypto floor.

Run: .venv/bin/python benchmarks/bench_user_flow.py [--flows N]

Times are CPU time of this process. Every flow is a new user: the browser's cookies are
cleared, so node B provisions a fresh session wallet (a did:jwk key and a
NutsEmployeeCredential) as PROTOCOL.md §2.4 says. The crypto floor is the time the raw
``cryptography`` ECDSA signs and verifies take for the same number of operations and
message sizes as one flow performs (``KeyPair.sign`` and ``PublicKey.verify`` counted by
wrapping them), measured in the same run with ``bench_s2s``'s floor function.
"""

from __future__ import annotations

import argparse
from collections import Counter

import bench_s2s

from nutssim import scenarios


def flows_per_second(n: int) -> tuple[float, float, int, int, Counter[str], float]:
    """Run n user flows in one world: (s/flow, floor, signs, verifies, exchanges by label, best s/flow)."""
    world = scenarios.build("user", seed=1)
    world.run()  # warm-up: compiles PDs, fills caches
    bench_s2s._count_crypto()
    bench_s2s.SIGNED.clear()
    bench_s2s.VERIFIED.clear()
    world.sim.clock.advance(20)
    world.browser.clear_cookies()
    before = len(world.sim.trace.exchanges)
    world.run()
    labels = Counter(x.label for x in world.sim.trace.exchanges[before:])
    signs, verifies = list(bench_s2s.SIGNED), list(bench_s2s.VERIFIED)

    def one() -> None:
        world.sim.clock.advance(2)
        world.browser.clear_cookies()
        assert world.start().finish().granted

    elapsed, best = bench_s2s.per_flow(one, n)
    floor = bench_s2s.crypto_floor(signs, verifies)
    return elapsed, floor, len(signs), len(verifies), labels, best


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flows", type=int, default=200)
    args = parser.parse_args()
    flow, floor, signs, verifies, labels, best = flows_per_second(args.flows)
    print(f"user flow with DPoP, EHR trigger to resource, {args.flows} flows on one core, a new user each")
    exchanges = sum(labels.values())
    print(f"  {1 / flow:8.1f} flows/s   {flow * 1e3:7.2f} ms/flow   {exchanges} exchanges/flow")
    print(f"  crypto floor: {signs} signs + {verifies} verifies = {floor * 1e3:.2f} ms/flow")
    print(f"  ratio to floor: {flow / floor:.2f}x, best chunk {best / floor:.2f}x (goal <= 4x, aim 2x)")
    print("  exchanges: " + ", ".join(f"{label} ×{count}" for label, count in labels.most_common()))


if __name__ == "__main__":
    main()
