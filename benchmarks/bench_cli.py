"""Benchmark: how long the ``nutssim`` command takes to start (issue #19 item 5).

Run: ``.venv/bin/python benchmarks/bench_cli.py``. Each command runs as a fresh
``python -m nutssim …`` process, as a user types it; the figure is the best of several wall-clock
times (the least disturbed by other work on the machine), with the median beside it. Goal:
``nutssim --help`` and ``nutssim scenarios`` under 0.5 s, which the package meets by importing
nothing heavy (matplotlib, pandas, pyld, jsonschema's format checkers) until a command needs it.
The modules that ``--help`` must not import are checked too, and listed if they are.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

GOAL_S = 0.5
COMMANDS = (("--help",), ("scenarios",), ("scenarios", "s2s"), ("sweep", "--example"))
#: Modules a help text has no use for: their presence means an eager import crept back in.
HEAVY = ("matplotlib", "pandas", "pyld", "jsonschema", "ipywidgets", "nutssim.simulation")


def time_command(args: tuple[str, ...], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` runs of ``python -m nutssim ARGS``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nutssim", *args], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def heavy_imports(args: tuple[str, ...]) -> list[str]:
    """The ``HEAVY`` modules loaded after running the CLI's ``main(ARGS)`` in a fresh interpreter."""
    probe = (
        "import sys, contextlib, io\n"
        "from nutssim.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({list(args)!r})\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def main() -> int:
    """Print one line per command; exit 1 when ``--help`` or ``scenarios`` misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (default 7)")
    repeat = parser.parse_args().repeat
    baseline = min(
        time_command_raw([sys.executable, "-c", "pass"]) for _ in range(repeat)
    )  # the interpreter alone, for scale
    print(f"python itself: {baseline:.3f} s")
    missed = []
    for args in COMMANDS:
        times = time_command(args, repeat)
        best, median = min(times), statistics.median(times)
        command = " ".join(("nutssim", *args))
        ok = best < GOAL_S
        print(f"{command:<26} best {best:.3f} s  median {median:.3f} s  {'✓' if ok else '✗'} < {GOAL_S} s")
        if args in (("--help",), ("scenarios",)) and not ok:
            missed.append(command)
    loaded = heavy_imports(("--help",))
    print(f"heavy modules loaded by --help: {', '.join(loaded) or 'none'}")
    return 1 if missed or loaded else 0


def time_command_raw(command: list[str]) -> float:
    """Wall-clock seconds of one run of ``command``."""
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
