"""Reading a long run of the log in ranges, in worker processes when it pays.

A rebuild, a verify or a large catch-up reads every event once; decoding and folding is
Python work that one core does at a few hundred thousand events a second. ``scan`` cuts the
run into ranges of sequences, hands them to ``workers`` forked processes and yields each
range's result in order, so the caller can merge range 1 while later ranges are still read.

Rules that keep this safe:
- a worker reads through the caller's transaction, inherited by ``fork``: reading a snapshot
  is plain reads of the mapped file, and the caller holds that transaction (and its reader
  slot) for the whole scan, so no writer can reuse the pages the workers read. A worker
  never begins, ends or writes a transaction (LMDB forbids using an environment across a
  fork for that: its locks and reader slots belong to the process that opened it), and it
  exits without LMDB's cleanup. py-lmdb also refuses to open the same files twice in one
  process, which a forked child is, as far as its bookkeeping goes;
- workers are forked only from a single-threaded process (``fork`` with threads running
  can deadlock the child), on Linux; otherwise, and for short runs, the ranges are read in
  this process, in the caller's transaction. ``DJP_WORKERS=1`` forces that.

A task is a module-level function ``task(txn, dbs, lo, hi)`` (``dbs``: the store's
databases by name) whose result pickles.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import lmdb

#: Below this many events a run is read in this process: starting workers costs ~50 ms.
PARALLEL_AT_LEAST = 100_000
#: Ranges per worker: more ranges balance a noisy machine and report progress more often.
RANGES_PER_WORKER = 4
#: The longest range: each ends with a progress report.
RANGE_AT_MOST = 100_000
#: The shortest range when in parallel (unless a worker would have none): every range's
#: result (for a fold, the newest change of each record it touched: most of the catalogue)
#: is merged in this process, so short ranges repeat that work. Measured on a 200,000-event
#: catch-up: ranges of 50,000 events 10-15 % faster than of 25,000.
RANGE_AT_LEAST = 50_000

Task = Callable[..., Any]

_shared: dict[str, Any] = {}  # the caller's transaction and databases, for the workers
_crash_in_workers: dict[str, Any] = {}


def default_workers() -> int:
    forced = os.environ.get("DJP_WORKERS", "")
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def can_fork() -> bool:
    import multiprocessing  # here: a command that never forks does not pay for it

    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def range_size(total: int, workers: int) -> int:
    """How many events a range of a run of ``total`` holds, read by ``workers`` processes:
    ``RANGES_PER_WORKER`` ranges each, within ``RANGE_AT_LEAST`` (unless a worker would
    then have none) and ``RANGE_AT_MOST``."""
    if workers <= 1:
        return RANGE_AT_MOST
    least = min(RANGE_AT_LEAST, -(-total // workers))
    return min(RANGE_AT_MOST, max(least, -(-total // (workers * RANGES_PER_WORKER))))


def ranges(first: int, last: int, size: int) -> list[tuple[int, int]]:
    """``first..last`` cut into contiguous ranges of ``size`` (the last may be shorter)."""
    size = max(1, size)
    return [(lo, min(lo + size - 1, last)) for lo in range(first, last + 1, size)]


def scan(
    txn: lmdb.Transaction,
    dbs: dict[bytes, Any],
    task: Task,
    first: int,
    last: int,
    *,
    workers: int | None = None,
    parallel_at_least: int | None = None,
    extra: tuple[tuple[Task, tuple], ...] = (),
) -> Iterator[tuple[int, Any]]:
    """``(0, fn(txn, dbs, *args))`` for each of ``extra``, then ``(events, task(txn, dbs,
    lo, hi))`` for each range of ``first..last``, in order. ``txn`` is the caller's transaction,
    held open across the scan."""
    workers = default_workers() if workers is None else workers
    if parallel_at_least is None:
        parallel_at_least = PARALLEL_AT_LEAST
    total = last - first + 1
    parallel = workers > 1 and total >= parallel_at_least and can_fork()
    parts = ranges(first, last, range_size(total, workers if parallel else 1))
    # the extra jobs first: they run beside the ranges instead of after them
    jobs: list[tuple[Task, tuple]] = list(extra) + [(task, part) for part in parts]
    sizes = [0] * len(extra) + [hi - lo + 1 for lo, hi in parts]
    if not parallel:
        for size, (fn, args) in zip(sizes, jobs, strict=True):
            yield size, fn(txn, dbs, *args)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork")
    _shared["txn"], _shared["dbs"] = txn, dbs
    pool = ProcessPoolExecutor(workers, mp_context=context)
    done = 0
    try:
        for result in pool.map(_run, jobs):
            yield sizes[done], result
            done += 1
    except BrokenProcessPool:  # a worker died (killed, out of memory): read the rest here
        for size, (fn, args) in zip(sizes[done:], jobs[done:], strict=True):
            yield size, fn(txn, dbs, *args)
    finally:
        # wait for the ranges being read: the caller's transaction (which keeps their pages)
        # must outlive them, and so must not end before they do
        pool.shutdown(wait=True, cancel_futures=True)
        _shared.clear()


def _run(job: tuple[Task, tuple]) -> Any:
    """In a worker: read through the caller's transaction, inherited by ``fork``. Reading
    a snapshot is plain reads of the mapped file; the caller's transaction keeps its reader
    slot (and so its pages) for the whole scan. The worker never begins, ends or writes a
    transaction, and exits without running LMDB's cleanup (``os._exit``)."""
    if _crash_in_workers.get("range") == job[1]:  # tests: a worker that dies mid-scan
        os._exit(9)
    fn, args = job
    return fn(_shared["txn"], _shared["dbs"], *args)
