"""Run every benchmark script in this folder, one after the other, and print their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Quick settings so `make bench` finishes in minutes; run a script alone for the full figures.
ARGS = {
    "bench_s2s.py": ["--flows", "200"],
    "bench_memory.py": ["--flows", "2000", "--store-flows", "10000"],
}
SKIP_BY_DEFAULT = {"bench_sweep.py"}  # minutes long; run it alone


def main() -> int:
    """Run the scripts; return non-zero if any failed."""
    failed = 0
    for script in sorted(Path(__file__).parent.glob("bench_*.py")):
        if script.name in SKIP_BY_DEFAULT and "--all" not in sys.argv:
            print(f"== {script.name}: skipped (run it alone, or `python benchmarks/run.py --all`)\n")
            continue
        print(f"== {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script), *ARGS.get(script.name, [])], check=False)
        failed += result.returncode != 0
        print(flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
