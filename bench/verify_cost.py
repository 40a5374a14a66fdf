"""Where verify's time goes, in CPU instructions: ``python -m bench.verify_cost``.

Wall-clock rates on a shared machine move by a third within a day; instruction counts do
not. Each part below runs over the same window of a GENERATED log (synthetic packages, not
real data: ``bench.projections.generate``) in a process of its own under valgrind's
callgrind, and the instructions of a process that only opens the store are subtracted. The
baseline is the rebuild's work on the same window, counted in the same run: both are CPU-bound
and spread over the same worker processes, so verify's speed is about a rebuild's divided by
the ratio of their instructions, on any machine (a little better: a rebuild also writes its
tables out at the end).

Parts, per event of the window:
- read: stepping a cursor over the log (py-lmdb: two Python bytes, the GIL released and taken
  back around each step);
- rebuild: ``reduce_task`` and merging its ops (``Applier``), as a rebuild does per range;
- checks: verify's checks alone (``check_range``: every event decoded in full, sequences,
  stream versions, the log's side of the index sums);
- index sums: summing both indexes (one entry each per event);
- verify: ``verify_task``, merging its ops, and the index sums;
- unchecked: verify without its checks (each event read, decoded in full, folded and merged,
  and the index sums): what no faster checking code can go below.

Needs valgrind (``apt-get install valgrind``); takes about three minutes. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import lmdb

from bench.projections import generate
from eventstore import Store, pack_u64
from eventstore.scan import RANGE_AT_MOST
from eventstore.verify import check_range, decode_checked
from projections.bulk import Applier, Reducer, reduce_task, verify_task
from projections.fold import Tables

#: The window counted: events past the first sightings (most of a year is upstream changes),
#: as many as a range of a long verify or rebuild reads (``RANGE_AT_MOST``): what is done once
#: a range (merging its ops) is spread over as many events as there.
WINDOW_FROM, WINDOW = 40_001, RANGE_AT_MOST


def _read(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> None:
    cursor = txn.cursor(db=dbs[b"log"])
    cursor.set_range(pack_u64(lo))
    for _ in islice(cursor, hi - lo + 1):
        pass


def _merged(ops: Any, txn: lmdb.Transaction, dbs: dict[bytes, Any]) -> None:
    applier = Applier(Tables(), lambda seq: txn.get(pack_u64(seq), db=dbs[b"log"]))
    applier.apply(ops)
    applier.finish()


def _rebuild(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> None:
    _merged(reduce_task(txn, dbs, lo, hi), txn, dbs)


def _checks(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> None:
    check_range(txn, dbs, lo, hi)


def _index_sums(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> None:
    """``eventstore.verify.index_sum`` of both indexes, over as many entries as the window."""
    for name in (b"streams", b"ids"):
        cursor = txn.cursor(db=dbs[name])
        cursor.first()
        sum(map(hash, islice(cursor, hi - lo + 1)))


def _verify(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> None:
    _, ops = verify_task(txn, dbs, lo, hi)
    _merged(ops, txn, dbs)
    _index_sums(txn, dbs, lo, hi)


def _unchecked(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> None:
    """What verify cannot do without: every event read and decoded in full, folded and
    merged, and the index sums; none of the checks."""
    cursor = txn.cursor(db=dbs[b"log"])
    cursor.set_range(pack_u64(lo))
    reducer = Reducer()
    values = islice(cursor.iternext(keys=False, values=True), hi - lo + 1)
    reducer.consume(map(decode_checked, values))
    _merged(reducer.flush(), txn, dbs)
    _index_sums(txn, dbs, lo, hi)


PARTS: dict[str, Callable[..., None]] = {
    "read": _read,
    "rebuild": _rebuild,
    "checks": _checks,
    "index sums": _index_sums,
    "verify": _verify,
    "unchecked": _unchecked,
}


def run_part(store_path: Path, part: str) -> None:
    """In the counted process: open the store and run ``part`` ("none": only open it)."""
    gc.disable()  # as in the folds (``projections.persisted``)
    with Store.open(store_path) as store:
        lo, hi = WINDOW_FROM, WINDOW_FROM + WINDOW - 1
        if part != "none":  # the window is one range, read in this process
            store.read(lambda txn: list(store.scan(txn, PARTS[part], lo, hi, workers=1)))


def instructions(store_path: Path, part: str) -> int:
    """The instructions a process running ``part`` executes, counted by callgrind."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.verify_cost",
            "--store",
            str(store_path),
            "--part",
            part,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise SystemExit(f"verify_cost: part {part!r} failed under valgrind: {tail[0]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--part", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part is not None:
        run_part(args.store, args.part)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("verify_cost: needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp:
        path = Path(tmp) / "store"
        with Store.open(path) as store:
            events = generate(store, WINDOW_FROM + WINDOW + 10_000, 6000, random.Random(1_000_000))
        print(
            f"verify cost: GENERATED log of {events:,} events over 6,000 packages; events "
            f"{WINDOW_FROM:,}-{WINDOW_FROM + WINDOW - 1:,} counted under callgrind"
        )
        opened = instructions(path, "none")
        per_event = {part: (instructions(path, part) - opened) / WINDOW for part in PARTS}
    rebuild = per_event["rebuild"]
    for part, count in per_event.items():
        print(
            f"{part:<11} {count:>7,.0f} instructions an event   "
            f"ratio to rebuild {count / rebuild:.2f}"
        )
    print(
        f"verify executes {per_event['verify'] / rebuild:.2f}x a rebuild's instructions for the "
        "same events"
    )
    print(
        json.dumps(
            {"bench": "verify_cost"} | {k.replace(" ", "_"): round(v) for k, v in per_event.items()}
        )
    )


if __name__ == "__main__":
    main()
