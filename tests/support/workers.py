"""Child processes for the concurrency and crash tests: ``python -m tests.support.workers ...``."""

from __future__ import annotations

import sys
import uuid

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from eventstore import Append, Store, SyncStarted


def append_many(path: str, name: str, batches: int, batch_size: int) -> None:
    """Append ``batches`` batches to a shared stream and an own stream, retrying ids too."""
    with Store.open(path) as store:
        for b in range(batches):
            ids = [uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{b}/{i}") for i in range(batch_size)]
            events = [SyncStarted(sync_id=f"{name}:{b}", source=name) for _ in ids]
            store.append_batch(
                [
                    Append("shared", events[: batch_size // 2], ids=ids[: batch_size // 2]),
                    Append(f"own:{name}", events[batch_size // 2 :], ids=ids[batch_size // 2 :]),
                ]
            )
            if b % 7 == 0:  # an idempotent retry of the same batch appends nothing
                store.append("shared", events[: batch_size // 2], ids=ids[: batch_size // 2])


def append_forever(path: str, batch_size: int) -> None:
    """Append numbered batches until killed; prints each committed batch number."""
    with Store.open(path, map_size=1 << 20) as store:
        start = store.last_seq
        b = start // batch_size
        while True:
            events = [
                SyncStarted(sync_id=f"batch:{b}", source="x" * 200) for _ in range(batch_size)
            ]
            store.append_batch([Append(f"s:{b % 5}", events)])
            print(b, flush=True)
            b += 1


def edit_forever(path: str) -> None:
    """Edit a package of a filled store until killed (each edit projected in its append);
    prints a line once the first edit is in."""
    with Catalog.open(path) as catalog:
        i = 0
        while True:
            edits.edit_package(catalog, "django-messages", {"notes": f"note {i}"})
            if i == 0:
                print("editing", flush=True)
            i += 1


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "append_many":
        append_many(rest[0], rest[1], int(rest[2]), int(rest[3]))
    elif command == "append_forever":
        append_forever(rest[0], int(rest[1]))
    elif command == "edit_forever":
        edit_forever(rest[0])
    else:
        raise SystemExit(f"unknown worker {command}")
