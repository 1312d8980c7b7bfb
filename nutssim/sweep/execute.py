"""Running a sweep over any ``concurrent.futures.Executor``.

Variants are cut into contiguous chunks (one task builds the worlds of a chunk, so the
per-task overhead is paid once per chunk); at most two chunks per worker are in flight,
and finished chunks are written in variant order as soon as the gap before them closes,
so the driver holds only what is in flight. The default executor is a local
``ProcessPoolExecutor`` with one worker per core; ``dask_executor`` gives a Dask
distributed one. Every variant is seeded from its coordinates, so results are identical
whatever the executor and the number of workers (``results.without_timings`` drops the
only columns that differ: the timings).

With ``format="dataset"`` (or ``partition_by``) the records go to a Parquet dataset
directory, one file per chunk and partition, journaled as each chunk finishes
(``dataset``); ``resume=True`` runs only the chunks its journal lacks, so an interrupted
sweep continues where it stopped and finished rows are never recomputed.

Ctrl-C stops cleanly: pending chunks are cancelled, finished ones are kept, written and
returned (``SweepResult.interrupted``); chunks already running finish in the background.
The driver holds at most ``2 × workers`` chunks of at most 256 records, whatever the size
of the sweep.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nutssim.errors import InputError
from nutssim.limits import MAX_CHUNK
from nutssim.sweep.dataset import MANIFEST, DatasetWriter
from nutssim.sweep.results import JsonlWriter, SweepResult, format_of, jsonl_to
from nutssim.sweep.runner import PackedSpec, run_chunk, validate
from nutssim.sweep.spec import SweepSpec, load_spec

CHUNKS_PER_SLOT = 8  # enough tasks to balance load and move the progress bar
IN_FLIGHT_PER_SLOT = 2  # one running, one queued: workers never wait for the driver
PROGRESS_THRESHOLD = 200  # variants; below this a sweep is quick enough to need no bar


def run_sweep(
    spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    out: str | os.PathLike[str] | None = None,
    format: str | None = None,
    progress: bool | None = None,
    keep: bool | None = None,
    timings: bool = True,
    partition_by: Sequence[str] | str | None = None,
    resume: bool = False,
) -> SweepResult:
    """Run every variant of ``spec`` and return the records (streamed to ``out`` if given).

    ``executor``: any Executor (default: a ProcessPoolExecutor of ``workers`` processes, one
    per core; ``workers=0`` runs in this process). ``out``: a ``.csv``, ``.parquet`` or
    ``.jsonl`` file (or ``format``), or a directory for ``format="dataset"`` (a Parquet
    dataset, Hive-partitioned by the dimensions in ``partition_by``; ``resume``: continue
    the dataset in ``out``, running only its unfinished chunks). ``keep``: hold records in
    memory too (default: only without ``out``). ``progress``: a tqdm bar (default: on a
    terminal or in a notebook, for long sweeps).
    """
    spec = load_spec(spec)
    validate(spec)
    total = spec.size
    slots = _slots(executor, workers)
    if chunk_size is not None and chunk_size < 1:
        raise InputError(f"chunk_size must be at least 1, got {chunk_size}", where="chunk_size")
    size = chunk_size or max(1, min(MAX_CHUNK, math.ceil(total / (slots * CHUNKS_PER_SLOT))))
    sink = _Sink(out, _format(out, format, partition_by, resume), keep)
    if sink.format == "dataset":
        sink.open_dataset(spec, partition_by, size, resume=resume, size_given=chunk_size is not None)
        size = sink.chunk_size
    done = sink.done
    chunks = [
        (index, start, min(start + size, total))
        for index, start in enumerate(range(0, total, size))
        if index not in done
    ]
    bar = _progress_bar(progress, total, spec.name)
    bar.update(sink.resumed)
    started = time.perf_counter()
    interrupted = False
    try:
        if not chunks:  # a resumed dataset that was already complete
            pass
        elif executor is None and workers == 0:
            interrupted = _inline(spec, chunks, timings, sink, bar)
        elif executor is None:
            with ProcessPoolExecutor(max_workers=slots, initializer=_worker_init) as pool:
                interrupted = _drive(pool, spec, chunks, timings, sink, bar, slots, own=True)
        else:
            interrupted = _drive(executor, spec, chunks, timings, sink, bar, slots, own=False)
    finally:
        bar.close()
        sink.close()
    return SweepResult(
        spec,
        total,
        sink.count,
        interrupted,
        time.perf_counter() - started,
        sink.path,
        sink.format,
        dict(sink.statuses),
        dict(sink.refusals.most_common()),
        sink.kept,
        sink.resumed,
    )


def _format(
    out: str | os.PathLike[str] | None, format: str | None, partition_by: Any, resume: bool
) -> str | None:
    """The results format; partitioning and resuming need a dataset (and a directory to write it to)."""
    fmt = format
    if fmt is None and out is not None:
        is_dataset = partition_by or resume or (Path(out) / MANIFEST).is_file()
        fmt = "dataset" if is_dataset else format_of(out)
    elif fmt is not None:
        fmt = format_of(out or "", fmt)  # an unknown format is refused here
    if fmt != "dataset" and (partition_by or resume):
        what = "partition_by" if partition_by else "resume"
        raise InputError(
            f"{what} needs the dataset format", where=what, hint="format='dataset' (--format dataset)"
        )
    if fmt == "dataset" and out is None:
        raise InputError("a dataset needs a directory to write to", where="out", hint="out=DIR (--out DIR)")
    return fmt


def _drive(
    executor: Executor,
    spec: SweepSpec,
    chunks: list[tuple[int, int, int]],
    timings: bool,
    sink: _Sink,
    bar: Any,
    slots: int,
    *,
    own: bool,
) -> bool:
    """Submit chunks with a bounded number in flight; emit them in order; True if interrupted."""
    pending: dict[Future[list[dict[str, Any]]], int] = {}
    ready: dict[int, list[dict[str, Any]]] = {}
    upcoming = iter(range(len(chunks)))
    packed = PackedSpec(spec)  # pickled once here, unpickled once per worker
    next_out = 0
    try:
        while True:
            while len(pending) < slots * IN_FLIGHT_PER_SLOT:
                index = next(upcoming, None)
                if index is None:
                    break
                _, start, stop = chunks[index]
                pending[executor.submit(run_chunk, packed, start, stop, timings)] = index
            if not pending:
                return False
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                ready[index] = future.result()
                bar.update(len(ready[index]))
            while next_out in ready:
                sink.write(ready.pop(next_out), *chunks[next_out][:2])
                next_out += 1
    except KeyboardInterrupt:
        _harvest(pending, ready)
        _stop(executor, pending, own)
        for index in sorted(ready):  # what finished, in order, gaps and all
            sink.write(ready.pop(index), *chunks[index][:2])
        return True
    except BaseException:
        _harvest(pending, ready)
        _stop(executor, pending, own)
        for index in sorted(ready):  # keep what finished before the failure, then report it
            sink.write(ready.pop(index), *chunks[index][:2])
        raise


Chunk = list[dict[str, Any]]


def _harvest(pending: dict[Future[Chunk], int], ready: dict[int, Chunk]) -> None:
    """Move chunks that finished (without error) from ``pending`` to ``ready``."""
    for future, index in list(pending.items()):
        if future.done() and not future.cancelled() and future.exception() is None:
            ready[index] = future.result()
            del pending[future]


def _stop(executor: Executor, pending: dict[Future[list[dict[str, Any]]], int], own: bool) -> None:
    for future in pending:
        future.cancel()
    if own:
        executor.shutdown(wait=False, cancel_futures=True)


def _inline(
    spec: SweepSpec, chunks: list[tuple[int, int, int]], timings: bool, sink: _Sink, bar: Any
) -> bool:
    """Run every chunk in this process (``workers=0``: debugging, profiling)."""
    try:
        for index, start, stop in chunks:
            records = run_chunk(spec, start, stop, timings)
            sink.write(records, index, start)
            bar.update(len(records))
    except KeyboardInterrupt:
        return True
    return False


def _worker_init() -> None:
    """Workers leave Ctrl-C to the driver (which cancels cleanly) and do not inherit its tracemalloc."""
    import tracemalloc

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if tracemalloc.is_tracing():  # a forked worker would trace every allocation, five times slower
        tracemalloc.stop()


def _slots(executor: Executor | None, workers: int | None) -> int:
    """How many chunks can run at once."""
    if workers is not None and workers < 0:
        raise InputError(f"workers must be 0 or more, got {workers}", where="workers")
    if workers:
        return workers
    if executor is not None:
        known = getattr(executor, "_max_workers", None)
        if isinstance(known, int) and known > 0:
            return known
        client = getattr(executor, "_client", None)  # a Dask ClientExecutor
        if client is not None:
            try:
                return max(1, sum(client.nthreads().values()))
            except Exception:  # a client that cannot answer is treated as a single slot
                return 1
    return os.cpu_count() or 1


class _Sink:
    """Where records go: a JSON-lines file (converted at the end), a dataset, and/or a list."""

    def __init__(self, out: str | os.PathLike[str] | None, format: str | None, keep: bool | None) -> None:
        self.path = Path(out) if out is not None else None
        self.format = format if self.path is not None else None
        self.kept: list[dict[str, Any]] | None = [] if (keep if keep is not None else out is None) else None
        self._stream: Path | None = None
        self._writer: JsonlWriter | None = None
        self._dataset: DatasetWriter | None = None
        self.chunk_size = 0
        self.resumed = 0
        if self.path is not None and self.format != "dataset":
            self._stream = (
                self.path if self.format == "jsonl" else self.path.with_name(self.path.name + ".jsonl.part")
            )
            self._writer = JsonlWriter(self._stream)
        self.count = 0
        self.statuses: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()

    def open_dataset(
        self, spec: SweepSpec, partition_by: Any, chunk_size: int, *, resume: bool, size_given: bool
    ) -> None:
        """Write to a dataset directory; when resuming, count what its journal already holds."""
        assert self.path is not None
        self._dataset = DatasetWriter(
            self.path, spec, partition_by, chunk_size, resume=resume, chunk_size_given=size_given
        )
        self.chunk_size = self._dataset.chunk_size
        self.resumed = self.count = self._dataset.journal.rows
        self.statuses, self.refusals = self._dataset.journal.counters()

    @property
    def done(self) -> set[int]:
        """Chunks a resumed dataset already holds."""
        return self._dataset.done if self._dataset is not None else set()

    def write(self, records: list[dict[str, Any]], index: int, start: int) -> None:
        if self._dataset is not None:
            self._dataset.write(index, start, records)
        if self._writer is not None:
            self._writer.write(records)
        if self.kept is not None:
            self.kept.extend(records)
        self.count += len(records)
        for r in records:  # a running summary, so the driver need not read the results back
            self.statuses[str(r.get("status"))] += 1
            if r.get("status") != "granted":
                self.refusals[str(r.get("failed_check") or r.get("error"))] += 1

    def close(self) -> None:
        if self._dataset is not None:
            self._dataset.close()
            self._dataset = None
        if self._writer is None or self._stream is None or self.path is None:
            return
        self._writer.close()
        self._writer = None
        if self._stream != self.path:
            try:
                jsonl_to(self._stream, self.path, str(self.format))
            finally:
                self._stream.unlink(missing_ok=True)


def _progress_bar(progress: bool | None, total: int, name: str) -> Any:
    from tqdm.auto import tqdm

    show = (
        progress
        if progress is not None
        else total >= PROGRESS_THRESHOLD and (sys.stderr.isatty() or "ipykernel" in sys.modules)
    )
    return tqdm(total=total, unit="variant", desc=name, disable=not show, mininterval=0.5, smoothing=0.05)


@contextmanager
def dask_executor(
    address: str | None = None, *, workers: int | None = None, processes: bool = True
) -> Iterator[Executor]:
    """A Dask distributed executor: at ``address``, or a ``LocalCluster`` of ``workers`` workers."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            "a Dask scheduler needs dask[distributed]",
            where="scheduler",
            hint="pip install 'nutssim[cluster]' (or 'dask[distributed]')",
        ) from None
    cluster = None
    if address in (None, "local"):
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
