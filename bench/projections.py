"""Projection benchmark: ``python -m bench.projections [--events 1000000] [--packages 6000]``.

Builds a GENERATED log (synthetic packages, not real data): the packages and 400 grids first
seen, then upstream changes (watchers, forks, versions, weekly commits) spread over the
packages, PyPI facts (2 % of the events: a package's new release seen), a sync's start and
finish every 6,000 events, and local edits, undos and redos; one package gets 1,000 events
of its own. Then, in the same run:

- rebuild: drop the projections and refold the whole log (events/s), with the default worker
  processes and in one process, next to a bare scan + decode of the same log in one process;
- catch-up: events appended without the projection, folded when the store is next opened;
- verify: the log, its indexes and the projections against a fresh fold, in one reading;
- rebuild, catch-up and verify run twice each and report the faster run;
- as-of: one package's view at a random point of the log (median over 50 picks);
- history: the full history (field diffs included) of the package with 1,000 events.

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lmdb
import msgspec

from catalog.catalog import Catalog
from catalog.read.history import target_history
from eventstore import (
    Append,
    Edited,
    Envelope,
    FieldChange,
    Grid,
    Package,
    RecordChanged,
    RecordSeen,
    Store,
    SyncFinished,
    SyncStarted,
)
from eventstore.events import PypiFacts, PypiObserved, SyncCounts
from eventstore.scan import default_workers
from projections.persisted import CatalogProjection

BATCH = 5000


#: The share of the generated year's events that are PyPI facts (a new release seen).
PYPI_SHARE = 0.02


class GeneratedPypi:
    """GENERATED PyPI facts (not real projects): each package starts with 1-25 releases and
    gains one each time it is observed; classifiers and requirements as Django packages
    write them."""

    START = datetime(2020, 1, 1, tzinfo=UTC)

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.releases: dict[int, dict[str, datetime]] = {}

    def observe(self, ident: int) -> PypiObserved:
        releases = self.releases.get(ident)
        if releases is None:
            count = self.rng.randint(1, 25)
            releases = self.releases[ident] = {
                f"0.{k}.0": self.START + timedelta(days=30 * k) for k in range(count)
            }
        version = f"1.{len(releases)}.0"
        releases[version] = self.START + timedelta(days=30 * len(releases))
        name = f"generated-package-{ident}"
        facts = PypiFacts(
            name=name,
            latest=version,
            released=releases[version],
            releases=dict(releases),
            license="MIT",
            classifiers=[
                "Framework :: Django",
                "Framework :: Django :: 4.2",
                "Framework :: Django :: 5.2",
                "Programming Language :: Python :: 3",
            ],
            requires_dist=["Django>=4.2", "asgiref>=3.8"],
            requires_python=">=3.10",
        )
        return PypiObserved(target=f"package:{ident}", name=name, state="ok", facts=facts)


def generate(store: Store, events: int, packages: int, rng: random.Random) -> int:
    """Append a GENERATED log of about ``events`` events; returns how many."""
    state = {i: [0, 0] for i in range(1, packages + 1)}  # watchers, forks
    pypi_facts = GeneratedPypi(rng)
    batch: list[Append] = []
    written = 0

    def flush() -> None:
        nonlocal batch, written
        if batch:
            store.append_batch(batch)
            written += sum(len(a.events) for a in batch)
            batch = []

    def add(stream: str, event) -> None:
        batch.append(Append(stream, [event]))
        if len(batch) >= BATCH:
            flush()

    sync = uuid.uuid4().hex
    add("sync", SyncStarted(sync_id=sync, source="generated:", kind="full"))
    for g in range(1, 401):
        grid = Grid(
            id=g,
            title=f"Generated grid {g}",
            slug=f"generated-grid-{g}",
            packages=[rng.randint(1, packages) for _ in range(15)],
        )
        add(f"grid:{g}", RecordSeen(resource="grid", record=grid, sync_id=sync))
    for i in range(1, packages + 1):
        record = Package(
            id=i,
            title=f"generated-package-{i}",
            slug=f"generated-package-{i}",
            category=1 + i % 5,
            grids=[1 + i % 400],
            repo_url=f"https://github.com/generated/p{i}",
            repo_description="GENERATED for benchmarking",
            pypi_url=f"generated-package-{i}",
            pypi_version="1.0.0",
            commits_over_52=[0] * 52,
            participants=["gen"],
        )
        add(f"package:{i}", RecordSeen(resource="package", record=record, sync_id=sync))
    edits: list[int] = []
    n = packages + 401
    step = 0
    while n < events:
        step += 1
        if step % 6000 == 0:
            flush()
            store.append(
                "sync",
                [
                    SyncFinished(
                        sync_id=sync,
                        source="generated:",
                        outcome="complete",
                        counts=SyncCounts(),
                        duration_s=1.0,
                    )
                ],
            )
            sync = uuid.uuid4().hex
            store.append("sync", [SyncStarted(sync_id=sync, source="generated:")])
            n += 2
            continue
        # package 1 gets about 1,000 events; the rest spread over all packages
        ident = 1 if step % max(1, events // 1000) == 0 else rng.randint(1, packages)
        roll = rng.random()
        if roll < 0.01:
            value = f"note {step}"
            add(
                f"package:{ident}",
                Edited(
                    target=f"package:{ident}",
                    changes={"notes": FieldChange(before=None, after=value)},
                ),
            )
            edits.append(ident)
        elif roll < 0.01 + PYPI_SHARE:  # a new release seen on PyPI
            add(f"package:{ident}", pypi_facts.observe(ident))
        else:
            w, f = state[ident]
            changes = {"repo_watchers": FieldChange(before=w, after=w + 1)}
            state[ident][0] = w + 1
            if roll < 0.3:
                changes["repo_forks"] = FieldChange(before=f, after=f + 1)
                state[ident][1] = f + 1
            if roll > 0.95:
                changes["commits_over_52"] = FieldChange(
                    before=None, after=[rng.randint(0, 3)] * 52
                )
            add(
                f"package:{ident}",
                RecordChanged(resource="package", id=ident, changes=changes, sync_id=sync),
            )
        n += 1
    flush()
    return store.last_seq


def generate_changes(store: Store, count: int, packages: int, rng: random.Random) -> int:
    """``count`` GENERATED upstream changes (watchers), in batches; returns how many."""
    batch: list[Append] = []
    for i in range(count):
        ident = rng.randint(1, packages)
        change = {"repo_watchers": FieldChange(before=i, after=i + 1)}
        batch.append(Append(f"package:{ident}", [
            RecordChanged(resource="package", id=ident, changes=change, sync_id="later")
        ]))  # fmt: skip
        if len(batch) >= BATCH:
            store.append_batch(batch)
            batch = []
    if batch:
        store.append_batch(batch)
    return count


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def bare_scan(path: Path) -> float:
    env = lmdb.open(str(path), max_dbs=32, readonly=True, lock=False)
    log = env.open_db(b"log", create=False)
    decode = msgspec.msgpack.Decoder(Envelope).decode
    count = 0
    started = time.perf_counter()
    with env.begin(buffers=True) as txn:
        for value in txn.cursor(db=log).iternext(keys=False, values=True):
            decode(value)
            count += 1
    rate = count / (time.perf_counter() - started)
    env.close()
    return rate


@contextlib.contextmanager
def one_process():
    """Bulk folds read the log in this process only (``DJP_WORKERS=1``)."""
    before = os.environ.get("DJP_WORKERS")
    os.environ["DJP_WORKERS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["DJP_WORKERS"]
        else:
            os.environ["DJP_WORKERS"] = before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--packages", type=int, default=6000)
    args = parser.parse_args()
    rng = random.Random(1_000_000)
    workers = default_workers()
    with tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp:
        path = Path(tmp) / "store"
        started = time.perf_counter()
        with Store.open(path) as store:
            events = generate(store, args.events, args.packages, rng)
        print(
            f"projections benchmark: GENERATED log of {events:,} events over "
            f"{args.packages:,} packages (written in {time.perf_counter() - started:.0f}s)"
        )
        rebuild_rates, single_rates = [], []
        with Catalog.open(path) as catalog:  # opening catches the projection up once
            for _ in range(2):
                t = time.perf_counter()
                catalog.projection.rebuild()
                rebuild_rates.append(events / (time.perf_counter() - t))
                with one_process():
                    t = time.perf_counter()
                    catalog.projection.rebuild()
                    single_rates.append(events / (time.perf_counter() - t))
            picks = []
            for _ in range(50):
                seq = rng.randint(args.packages + 401, events)
                ident = str(rng.randint(1, args.packages))
                t = time.perf_counter()
                catalog.package_view(ident, seq)
                picks.append((time.perf_counter() - t) * 1e3)
            t = time.perf_counter()
            _, items = target_history(catalog, "1")
            history_ms = (time.perf_counter() - t) * 1e3
        # a catch-up: events appended by a process without the projection, folded on open
        # (twice, from two copies of the store, like the two rebuilds: the box is noisy)
        behind = max(1, events // 5)
        with Store.open(path) as store:
            appended = generate_changes(store, behind, args.packages, rng)
        copy = Path(tmp) / "copy"
        shutil.copytree(path, copy)
        os.sync()  # the copy on disk: else the catch-up's durable commit writes it all out
        catch_up_rates = []
        for store_path in (path, copy):
            t = time.perf_counter()
            with Catalog.open(store_path) as catalog:
                catch_up_rates.append(appended / (time.perf_counter() - t))
        shutil.rmtree(copy)
        events = appended + events
        # verify: the log and its indexes, then the projections against a fresh fold
        verify_rates, verify_grew = [], []  # the resident set's growth: the first run's
        for _ in range(2):
            rss_before = rss_mb()
            t = time.perf_counter()
            with Store.open(path) as store:
                report = CatalogProjection(store).verify()
            verify_rates.append(events / (time.perf_counter() - t))
            verify_grew.append(rss_mb() - rss_before)
            assert report.ok, report.problems
        verify_rss = verify_grew[0]
        bare_rates = [bare_scan(path) for _ in range(2)]
    rebuild_eps, bare_eps = max(rebuild_rates), max(bare_rates)
    single_eps = max(single_rates)
    catch_up_eps, verify_eps = max(catch_up_rates), max(verify_rates)
    as_of_ms = statistics.median(picks)
    print(
        f"rebuild   {rebuild_eps:>12,.0f} events/s   bare scan + decode {bare_eps:>12,.0f} "
        f"events/s   ratio {rebuild_eps / bare_eps:.2f}   (target >= 500,000 events/s; "
        f"{workers} worker processes)"
    )
    print(
        f"          {single_eps:>12,.0f} events/s in one process (ratio to the bare scan "
        f"{single_eps / bare_eps:.2f})"
    )
    print(
        f"catch-up  {catch_up_eps:>12,.0f} events/s   ({appended:,} events appended without the "
        "projection, folded when the store is next opened)"
    )
    print(
        f"verify    {verify_eps:>12,.0f} events/s   (log, indexes and projections, {events:,} "
        f"events); resident set grew {verify_rss:.0f} MB (the log's mapped pages included)"
    )
    print(f"as-of     one package at a random point: median {as_of_ms:.2f} ms over 50")
    print(
        f"history   {len(items):,} events of one package in {history_ms:.1f} ms (target < 100 ms)"
    )
    print(
        json.dumps(
            {
                "bench": "projections",
                "events": events,
                "rebuild_eps": round(rebuild_eps),
                "rebuild_one_process_eps": round(single_eps),
                "workers": workers,
                "bare_scan_eps": round(bare_eps),
                "catch_up_eps": round(catch_up_eps),
                "verify_eps": round(verify_eps),
                "verify_rss_mb": round(verify_rss, 1),
                "as_of_ms": round(as_of_ms, 3),
                "history_ms": round(history_ms, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
