"""Benchmark: a 10,000-variant s2s sweep on 1 and 2 worker processes, against s2s runs in a plain loop.

Run: .venv/bin/python benchmarks/bench_sweep.py [--variants N] [--baseline-runs M] [--json FILE]
     .venv/bin/python benchmarks/bench_sweep.py --cluster N [--cluster-workers 4]

Every measurement runs in a fresh interpreter (this script calls itself with ``--one``),
so ``ru_maxrss`` of the driver (RUSAGE_SELF) and of its workers (RUSAGE_CHILDREN, the
largest reaped child) belong to that measurement alone. Reported:

* variants/s with 1 and 2 workers (wall clock) and the parallel efficiency rate₂ / (2 · rate₁);
* per-variant cost against one ``scenarios.run("s2s")`` in a loop, both in wall-clock time
  and in CPU time (driver + workers: fair when other jobs share the machine);
* driver memory: the tracemalloc peak (beyond the spec itself) while streaming to a file
  for N/2 and N variants (flat means the same), against keeping the records in memory;
  and the peak RSS of the driver and of a worker.

The machine is shared, so 1- and 2-worker sweeps run in interleaved rounds and the best
round counts; a calibration (two processes that only spin) shows how much of a second
core this machine gives at that moment.

``--cluster N`` measures instead an N-variant sweep streamed to a Parquet dataset
(``format="dataset"``) on 1 and 2 worker processes and on a Dask ``LocalCluster`` of
``--cluster-workers`` single-threaded worker processes: variants/s, parallel efficiency
rate_k / (k · rate₁), and the driver's peak RSS at N/2 and N variants on the cluster (flat
means the driver does not grow with the sweep). The cluster is started before the clock
starts; its start-up time is reported on its own.

``--driver-only N`` measures the driver alone at scale: an N-variant spec (seeds × clock
skews) streamed to a dataset through an executor that answers every chunk at once with a real
record renumbered (no simulation), so the time and peak RSS are the driver's own cost of
planning, collecting and writing N rows — what a cluster of any size leaves to the driver.

The uniform grid is ``flow=s2s`` over N seeds (every variant the same flow as the loop);
the mixed grid crosses policies, wallets, controls and clock skew (many variants denied
early, so it is cheaper per variant).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any


def uniform(n: int) -> Any:
    from nutssim import sweep

    return sweep.SweepSpec(name=f"s2s-uniform-{n}", flow="s2s", seed=list(range(n)))


def mixed(n: int) -> Any:
    from nutssim import sweep

    wallets = list(sweep.WALLETS)
    per_seed = 2 * len(wallets) * 2 * 2
    return sweep.SweepSpec(
        name=f"s2s-mixed-{n}",
        flow="s2s",
        policy=["base", sweep.DropField("$.issuer")],
        wallet=wallets,
        controls_off=[[], ["revocation_check"]],
        clock_skew=[0, 30],
        seed=list(range(max(1, round(n / per_seed)))),
    )


def one_baseline(runs: int) -> dict[str, Any]:
    """``runs`` s2s flows in a loop, each in a fresh world (what a sweep variant does)."""
    from nutssim import scenarios

    for i in range(5):  # warm caches and imports, as a worker is warm after its first chunk
        scenarios.run("s2s", seed=10_000 + i)
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(runs):
        scenarios.run("s2s", seed=i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"runs": runs, "wall_per_run": wall / runs, "cpu_per_run": cpu / runs}


def one_sweep(grid: str, n: int, workers: int, out: str | None, trace: bool) -> dict[str, Any]:
    """One sweep in this interpreter; memory and CPU figures of the driver and its workers."""
    from nutssim import sweep

    if trace:
        tracemalloc.start()
    spec = uniform(n) if grid == "uniform" else mixed(n)
    spec_bytes = tracemalloc.get_traced_memory()[0] if trace else None  # the spec's own levels
    if trace:
        tracemalloc.reset_peak()
    before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    result = sweep.run_sweep(spec, workers=workers, out=out, progress=False, keep=out is None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    driver_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # before anything reads the results
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out:
        with open(out, newline="", encoding="utf-8") as f:  # streamed: the benchmark must not load it all
            t_total = [float(row["t_total"]) for row in csv.DictReader(f)]
    else:
        t_total = [r["t_total"] for r in result.records]
    return {
        "grid": grid,
        "variants": result.completed,
        "workers": workers,
        "streamed": out is not None,
        "wall": wall,
        "rate": result.completed / wall,
        "driver_cpu": cpu,
        "worker_cpu": children.ru_utime + children.ru_stime,
        "driver_maxrss_mb": driver_rss / 1024,
        "worker_maxrss_mb": children.ru_maxrss / 1024,
        "spec_mb": None if spec_bytes is None else spec_bytes / 2**20,
        "driver_traced_peak_mb": None if peak is None else peak / 2**20,
        "in_worker_mean_t_total": sum(t_total) / len(t_total),
        "statuses": result.statuses,
        "load_before": before,
        "load_after": os.getloadavg()[0],
    }


def one_dataset(kind: str, n: int, workers: int, out: str) -> dict[str, Any]:
    """One sweep streamed to a dataset, on a process pool or a LocalCluster, in this interpreter."""
    from nutssim import sweep

    spec = uniform(n)
    started = time.perf_counter()
    if kind == "cluster":
        with sweep.dask_executor(workers=workers, processes=True) as executor:
            executor.submit(sum, [1]).result()  # every worker up before the clock starts
            startup = time.perf_counter() - started
            wall, cpu = time.perf_counter(), time.process_time()
            result = sweep.run_sweep(spec, executor=executor, out=out, format="dataset", progress=False)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    else:
        startup = 0.0
        wall, cpu = time.perf_counter(), time.process_time()
        result = sweep.run_sweep(spec, workers=workers, out=out, format="dataset", progress=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    driver_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = sweep.open_dataset(out).count_rows()
    return {
        "kind": kind,
        "variants": result.completed,
        "rows": rows,
        "workers": workers,
        "wall": wall,
        "rate": result.completed / wall,
        "startup": startup,
        "driver_cpu": cpu,
        "driver_maxrss_mb": driver_rss / 1024,
        "statuses": result.statuses,
        "load_before": os.getloadavg()[0],
    }


class ReplayExecutor(Executor):
    """Answers every chunk at once with a real s2s record, renumbered: the driver's cost, no simulation."""

    def __init__(self, template: dict[str, Any], slots: int = 4) -> None:
        self.template = template
        self._max_workers = slots  # chunking as for this many workers

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        _, start, stop, _ = args
        future: Future[Any] = Future()
        future.set_result([{**self.template, "variant": i} for i in range(start, stop)])
        return future


def driver_only(n: int, out: str) -> dict[str, Any]:
    """An n-variant sweep through the replaying executor, streamed to a dataset."""
    from nutssim import sweep

    template = sweep.run_sweep(sweep.SweepSpec(flow="s2s"), workers=0).records[0]
    skews = max(1, n // 100_000)
    spec = sweep.SweepSpec(
        name=f"driver-{n}",
        flow="s2s",
        clock_skew={"from": 0, "to": skews - 1},
        seed={"from": 0, "to": n // skews - 1},
    )
    wall = time.perf_counter()
    result = sweep.run_sweep(
        spec, executor=ReplayExecutor(template), out=out, format="dataset", partition_by=["clock_skew"]
    )
    wall = time.perf_counter() - wall
    rss = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )  # before reading back: that is not the sweep
    files = sum(1 for _ in Path(out).rglob("*.parquet"))
    return {
        "variants": result.completed,
        "rows": sweep.open_dataset(out).count_rows(),
        "files": files,
        "wall": wall,
        "rate": result.completed / wall,
        "driver_maxrss_mb": rss,
    }


def cluster_main(n: int, k: int, json_out: Path | None) -> None:
    """``--cluster N``: dataset throughput at 1 and 2 processes and on a k-worker LocalCluster."""
    print(f"load average before: {os.getloadavg()}; cores: {os.cpu_count()}", flush=True)
    runs: dict[str, Any] = {"calibration": measure("calibrate", "5")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, kind, workers, size in (
            ("pool_1", "pool", 1, n),
            ("pool_2", "pool", 2, n),
            (f"cluster_{k}", "cluster", k, n),
            (f"cluster_{k}_half", "cluster", k, max(1, n // 2)),
        ):
            runs[name] = measure("dataset", kind, str(size), str(workers), str(Path(tmp) / name))
            r = runs[name]
            print(
                f"{name:<14} {r['variants']:>7} variants ({r['rows']} rows read back), {workers} worker(s): "
                f"{r['wall']:7.1f} s, {r['rate']:6.1f} variants/s; driver peak RSS "
                f"{r['driver_maxrss_mb']:.0f} MB; start-up {r['startup']:.1f} s; {r['statuses']}",
                flush=True,
            )
    one = runs["pool_1"]["rate"]
    print(
        "this machine's ceiling for 2 processes now (two spinning processes): "
        f"{runs['calibration']['ceiling']:.1%}"
    )
    for name, workers in (("pool_2", 2), (f"cluster_{k}", k)):
        print(
            f"parallel efficiency {name}: {runs[name]['rate'] / (workers * one):.1%} "
            f"(rate / ({workers} × rate₁))"
        )
    half, full = runs[f"cluster_{k}_half"], runs[f"cluster_{k}"]
    print(
        f"driver peak RSS on the cluster: {half['driver_maxrss_mb']:.0f} MB at {half['variants']} variants, "
        f"{full['driver_maxrss_mb']:.0f} MB at {full['variants']} "
        "(flat: the driver holds only the chunks in flight)"
    )
    if json_out:
        json_out.write_text(json.dumps(runs, indent=2))


def _spin(seconds: float) -> int:
    """A CPU-bound loop that shares nothing: what perfect parallelism looks like."""
    end, count = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        sum(range(2000))
        count += 1
    return count


def one_calibration(seconds: float) -> dict[str, Any]:
    """How much a second process adds on this machine right now (other jobs share it): the ceiling."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        pool.submit(_spin, 0.1).result()
        alone = pool.submit(_spin, seconds).result()
        pair = sum(f.result() for f in [pool.submit(_spin, seconds), pool.submit(_spin, seconds)])
    return {"ceiling": pair / (2 * alone), "load": os.getloadavg()[0]}


def measure(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON."""
    command = [sys.executable, __file__, "--one", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--baseline-runs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved 1- and 2-worker rounds (best of)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--cluster", type=int, metavar="N", help="dataset throughput of N variants (see above)"
    )
    parser.add_argument("--cluster-workers", type=int, default=4, metavar="K", help="LocalCluster workers")
    parser.add_argument("--driver-only", type=int, metavar="N", help="the driver's own cost for N variants")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, *rest = args.one
        if kind == "driver":
            figures = driver_only(int(rest[0]), rest[1])
        elif kind == "dataset":
            figures = one_dataset(rest[0], int(rest[1]), int(rest[2]), rest[3])
        elif kind == "baseline":
            figures = one_baseline(int(rest[0]))
        elif kind == "calibrate":
            figures = one_calibration(float(rest[0]))
        else:
            grid, n, workers, out, trace = rest
            figures = one_sweep(grid, int(n), int(workers), None if out == "-" else out, trace == "trace")
        print(json.dumps(figures))
        return
    if args.cluster:
        cluster_main(args.cluster, args.cluster_workers, args.json)
        return
    if args.driver_only:
        with tempfile.TemporaryDirectory() as tmp:
            for size in (max(1, args.driver_only // 10), args.driver_only):
                r = measure("driver", str(size), str(Path(tmp) / f"d{size}"))
                print(
                    f"driver only, {r['variants']:>8} variants → {r['rows']} rows in {r['files']} files: "
                    f"{r['wall']:6.1f} s ({r['rate']:,.0f} rows/s), "
                    f"driver peak RSS {r['driver_maxrss_mb']:.0f} MB",
                    flush=True,
                )
        return

    # N/2, not less: below slots·8·256 variants the chunks (and so what is in flight) are smaller.
    n, small = args.variants, max(1, args.variants // 2)
    print(f"load average before: {os.getloadavg()}; cores: {os.cpu_count()}", flush=True)
    runs: dict[str, Any] = {"rounds": []}
    with tempfile.TemporaryDirectory() as tmp:

        def out(name: str) -> str:
            return str(Path(tmp) / f"{name}.csv")

        # Interleaved rounds, best of each: other jobs on a shared machine come and go.
        for i in range(args.rounds):
            round_ = {
                "baseline": measure("baseline", str(args.baseline_runs)),
                "calibration": measure("calibrate", "5"),
                "uniform_1": measure("sweep", "uniform", str(n), "1", out(f"u1-{i}"), "-"),
                "uniform_2": measure("sweep", "uniform", str(n), "2", out(f"u2-{i}"), "-"),
            }
            runs["rounds"].append(round_)
            print(
                f"round {i + 1}: "
                + ", ".join(f"{k} {v['rate']:.1f}/s" for k, v in round_.items() if "rate" in v),
                flush=True,
            )
        runs["mixed_2"] = measure("sweep", "mixed", str(n), "2", out("m2"), "-")
        runs["stream_small"] = measure("sweep", "uniform", str(small), "2", out("s"), "trace")
        runs["stream_full"] = measure("sweep", "uniform", str(n), "2", out("f"), "trace")
        runs["memory_small"] = measure("sweep", "uniform", str(small), "2", "-", "trace")
        runs["memory_full"] = measure("sweep", "uniform", str(n), "2", "-", "trace")
    report(runs, n, small)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


def report(runs: dict[str, Any], n: int, small: int) -> None:
    rounds = runs["rounds"]

    def best(key: str) -> dict[str, Any]:
        return max((r[key] for r in rounds), key=lambda x: x.get("rate", -x.get("wall_per_run", 0)))

    base = min((r["baseline"] for r in rounds), key=lambda b: b["wall_per_run"])
    one, two = best("uniform_1"), best("uniform_2")
    ceiling = max(r["calibration"]["ceiling"] for r in rounds)
    efficiency = two["rate"] / (2 * one["rate"])
    cpu_1 = (one["driver_cpu"] + one["worker_cpu"]) / one["variants"]
    cpu_2 = (two["driver_cpu"] + two["worker_cpu"]) / two["variants"]
    wall_ratio = (one["wall"] / one["variants"]) / base["wall_per_run"]
    cpu_ratio = cpu_1 / base["cpu_per_run"]
    print(
        f"single s2s run in a loop ({base['runs']} runs, best round): "
        f"{base['wall_per_run'] * 1e3:.2f} ms wall, "
        f"{base['cpu_per_run'] * 1e3:.2f} ms CPU"
    )
    for key, r in (("uniform_1", one), ("uniform_2", two), ("mixed_2", runs["mixed_2"])):
        print(
            f"{key:<10} {r['variants']:>6} variants, {r['workers']} worker(s): {r['wall']:7.1f} s, "
            f"{r['rate']:6.1f} variants/s; in-worker {r['in_worker_mean_t_total'] * 1e3:.2f} ms/variant; "
            f"load {r['load_before']:.1f}→{r['load_after']:.1f}; {r['statuses']}"
        )
    print(
        f"parallel efficiency at 2 workers: {efficiency:.1%} (goal ≥ 85 %); this machine's ceiling "
        "meanwhile "
        f"(two spinning processes, best round): {ceiling:.1%}"
    )
    print(
        f"CPU per variant (driver + workers): {cpu_1 * 1e3:.2f} ms at 1 worker, {cpu_2 * 1e3:.2f} ms at 2 "
        f"({cpu_1 / cpu_2:.1%} CPU efficiency)"
    )
    print(
        f"per-variant cost at 1 worker vs the loop: {wall_ratio:.2f}× wall, {cpu_ratio:.2f}× CPU "
        "(goal ≤ 1.2×)"
    )
    s, f = runs["stream_small"], runs["stream_full"]
    ms, mf = runs["memory_small"], runs["memory_full"]
    print(
        f"driver tracemalloc peak (beyond the spec's own {s['spec_mb']:.2f} / {f['spec_mb']:.2f} MB), "
        f"streaming to CSV: {s['driver_traced_peak_mb']:.2f} MB at {small} variants, "
        f"{f['driver_traced_peak_mb']:.2f} MB at {n}; records kept in memory: "
        f"{ms['driver_traced_peak_mb']:.2f} MB at {small}, {mf['driver_traced_peak_mb']:.2f} MB at {n}"
    )
    print(
        f"peak RSS: driver {f['driver_maxrss_mb']:.0f} MB streaming / {mf['driver_maxrss_mb']:.0f} MB "
        "keeping "
        f"{n} records; largest worker {f['worker_maxrss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
