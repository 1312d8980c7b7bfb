"""Benchmark: the cost of one *empty* simulated exchange (issue #23 item 1, goal <= 10 us).

Run: .venv/bin/python benchmarks/bench_exchange.py [--exchanges N] [--rounds R] [--profile]

An empty exchange is what the network adds to every message of a flow: route the request,
call a handler that records one check and answers a tiny JSON body, and record the exchange in
the trace. No crypto, no protocol logic. Times are CPU time of this process (fair on a shared
machine), the median of R rounds of N exchanges in one simulation. ``--profile`` prints the
cProfile top entries of one round instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections.abc import Generator

from nutssim.messages import HttpRequest, HttpResponse, json_response
from nutssim.parties.base import Context, Party
from nutssim.simulation import Simulation

GOAL_US = 10.0


class Echo(Party):
    """A party with one route that checks nothing of substance and answers ``{"ok":true}``."""

    role = "echo"

    def __init__(self) -> None:
        super().__init__("echo", "Echo", "https://echo.example")
        self.route("GET", "/other/{id}", self.ping, "other")  # a route to scan past, as parties have
        self.route("GET", "/ping/{id}", self.ping, "ping")

    def ping(self, request: HttpRequest, ctx: Context, id: str) -> HttpResponse:
        """One check, a tiny JSON reply."""
        ctx.check("echo.id", "none", bool(id))
        return json_response(200, {"ok": True})


def world() -> Simulation:
    """A simulation with the echo party and a client party that sends to it."""
    sim = Simulation(seed=1)
    sim.add(Echo())
    sim.add(Party("client", "Client", "https://client.example"))
    return sim


def pings(n: int) -> Generator[HttpRequest, HttpResponse, int]:
    """A root process that sends ``n`` pings, as a flow sends its exchanges, one run for all."""
    request = HttpRequest.get("https://echo.example/ping/1")
    ok = 0
    for _ in range(n):
        response = yield request
        ok += response.ok
    return ok


def one_round(sim: Simulation, n: int) -> float:
    """Microseconds of CPU per exchange over ``n`` exchanges."""
    start = time.process_time()
    assert sim.run(pings(n), "client") == n
    return (time.process_time() - start) / n * 1e6


def main() -> None:
    """Print the median cost per exchange (or a profile of one round)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print the cProfile top entries")
    args = parser.parse_args()
    sim = world()
    one_round(sim, 200)  # warm-up
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(one_round, sim, args.exchanges)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        return
    rounds = [one_round(world(), args.exchanges) for _ in range(args.rounds)]
    median = statistics.median(rounds)
    print(f"empty exchange (route, handler, one check, tiny JSON reply, trace record), {args.rounds} rounds")
    print(f"  median {median:6.1f} us/exchange   best {min(rounds):6.1f} us   goal <= {GOAL_US:.0f} us")


if __name__ == "__main__":
    main()
