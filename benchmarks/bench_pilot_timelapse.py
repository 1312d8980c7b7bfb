"""Benchmark: the 90-day time-lapse of the pilot credential set (issue #21 Done-when: "under a minute").

Run: .venv/bin/python benchmarks/bench_pilot_timelapse.py [--days N]

One two-VP jwt-bearer flow a day (``pilot-eoverdracht``) under each profile while the
stelselhouder issues, rotates its key, revokes and re-issues the vendor's ServiceProviderCredential.
Times are wall-clock and CPU time of this process (CPU is fair on a shared machine).
"""

from __future__ import annotations

import argparse
import time

from nutssim.timelapse import TimeLapse

RUNS = (("strict", {}), ("nuts-node-gf", {"client_id": True}), ("nuts-node", {}))


def main() -> int:
    """Time each profile's time-lapse; print days, periods and seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    for profile, options in RUNS:
        wall, cpu = time.perf_counter(), time.process_time()
        lapse = TimeLapse(scenario="pilot-eoverdracht", days=args.days, profile=profile, options=options)
        result = lapse.run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        denied = len(result.failures)
        label = f"{profile} {options or ''}".strip()
        print(f"{label:<40} {args.days} days, {denied:>3} denied: {wall:5.1f} s wall, {cpu:5.1f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
