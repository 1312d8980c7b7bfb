"""Benchmark: memory a long single simulation retains per s2s flow, per trace level, and its stores.

Run: .venv/bin/python benchmarks/bench_memory.py [--flows N] [--store-flows K] [--warm W]

Part one (issue #23 items 3 and 5): for each trace level (``full``, ``wire``, ``summary``) one
simulation runs W warm-up flows (the clock advancing 2 s per flow, so the nonce, jti and token
stores reach their steady size) and drops its trace, then N more flows under ``tracemalloc``; what
they leave is split into the trace's part and the rest: the parties' live store entries, one
timer's worth (the rest *per flow* halves when N doubles: bounded, not growing).
Part two: K flows in ONE simulation (``summary`` trace) on the simulated clock, printing each
node store's size at 1k, 10k, 100k … flows: bounded by their timers, flat, not by the count.
Figures are printed, never asserted (the bounded-store test is tests/test_trace_memory.py).
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc

from nutssim import scenarios

#: Simulated seconds between two flows: shorter than every store's timer, so stores fill up.
STEP = 2


def run_flows(world: scenarios.World, n: int) -> None:
    """Run ``n`` s2s flows (token cache bypassed), the clock advancing ``STEP`` seconds before each."""
    for _ in range(n):
        world.sim.clock.advance(STEP)
        world.start(no_cache=True).finish()


def store_sizes(world: scenarios.World) -> dict[str, int]:
    """The sizes of the stores the nodes keep per flow (each bounded by its timer)."""
    hospital, gp = world.authorization_server_node, world.requester_node  # type: ignore[attr-defined]
    return {
        "s2s nonces": len(hospital.s2s_nonces),
        "access tokens": len(hospital.access_tokens),
        "DPoP jti": len(hospital.dpop_jtis),
        "client token cache": len(gp.token_cache),
    }


def retained_per_flow(level: str, n: int, warm: int) -> tuple[float, float]:
    """Bytes per flow the trace at ``level`` retains over ``n`` flows, and the party state alive at the end.

    The warm-up fills the stores to their timers; its trace is then dropped, so what the trace
    holds at the end is the ``n`` measured flows' alone. Tracing starts after the warm-up: a
    store entry made before and expired during the run is not counted at all (neither way).
    """
    world = scenarios.build("s2s", seed=2)
    world.sim.trace.level = level
    run_flows(world, warm)
    _drop_trace(world)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    run_flows(world, n)
    gc.collect()
    total = tracemalloc.get_traced_memory()[0] - base
    _drop_trace(world)
    gc.collect()
    rest = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return (total - rest) / n, rest / n


def _drop_trace(world: scenarios.World) -> None:
    """Empty the trace's containers (what remains is the simulation without its record)."""
    trace = world.sim.trace
    for kept in (trace._events, trace._rows, trace._shared, trace._latest):
        kept.clear()


def rss_mib() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stores_over(k: int) -> None:
    """Run ``k`` flows in one simulation (summary trace); print store sizes at each power of ten."""
    world = scenarios.build("s2s", seed=3)
    world.sim.trace.level = "summary"
    largest: dict[str, int] = {}
    start, done, mark = time.process_time(), 0, 1000
    print(f"stores over {k} flows in one simulation (summary trace, {STEP} s per flow)")
    while done < k:
        step = min(1000, k - done)
        run_flows(world, step)
        done += step
        sizes = store_sizes(world)
        largest = {name: max(largest.get(name, 0), size) for name, size in sizes.items()}
        if done in (mark, k):
            cpu = time.process_time() - start
            print(f"  {done:>7} flows: {sizes}; trace rows {len(world.sim.trace)}; ", end="")
            print(f"peak RSS {rss_mib():.0f} MiB; {cpu:.0f} s CPU", flush=True)
            mark *= 10
    print(f"  largest sizes (sampled every 1000 flows): {largest}")


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--warm", type=int, default=1_000)
    parser.add_argument("--store-flows", type=int, default=100_000)
    args = parser.parse_args()
    if args.flows:
        print(f"memory retained per s2s flow over {args.flows} flows after {args.warm} warm-up flows")
        for level, goal in (("full", None), ("wire", 10), ("summary", 2)):
            trace, rest = retained_per_flow(level, args.flows, args.warm)
            aim = f" (goal <= {goal} KiB)" if goal else ""
            line = f"  {level:<8} trace {trace / 1024:5.2f} KiB/flow{aim}; rest {rest:4.0f} B/flow"
            print(line + " (live store entries / N)")
    if args.store_flows:
        stores_over(args.store_flows)


if __name__ == "__main__":
    main()
