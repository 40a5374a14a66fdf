"""The bulk fold (``projections.bulk``: ranges reduced to ops, in worker processes for a long
log) equals ``fold`` applied to every event, whatever the events and wherever the ranges are
cut; and the store's verify finds the same problems in parallel as event by event."""

from __future__ import annotations

import importlib
import os
import pickle
import shutil
import tempfile
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eventstore import (
    Edited,
    FieldChange,
    Package,
    PypiFacts,
    PypiObserved,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    ReleaseObserved,
    Store,
    SyncStarted,
    Undone,
    reads,
    scan,
)
from eventstore.codec import stream_key
from projections.fold import TABLE_TYPES, Tables, fold
from projections.persisted import CatalogProjection

IDS = (1, 2, 3)
checking = importlib.import_module("eventstore.verify")  # the module, not Store.verify


def seen(ident: int, watchers: int, slug: str) -> RecordSeen:
    record = Package(id=ident, title=f"p{ident}", slug=slug, repo_watchers=watchers)
    return RecordSeen(resource="package", record=record, sync_id="s")


def changed(ident: int, **values) -> RecordChanged:
    changes = {name: FieldChange(before=None, after=value) for name, value in values.items()}
    return RecordChanged(resource="package", id=ident, changes=changes, sync_id="s")


event = st.one_of(
    st.builds(seen, st.sampled_from(IDS), st.integers(0, 9), st.sampled_from(["a", "b", "c"])),
    st.builds(lambda i, w: changed(i, repo_watchers=w), st.sampled_from(IDS), st.integers(0, 99)),
    st.builds(
        lambda i, w, f: changed(i, repo_watchers=w, repo_forks=f),
        st.sampled_from(IDS),
        st.integers(0, 99),
        st.integers(0, 9),
    ),
    st.builds(
        lambda i, c: changed(i, commits_over_52=[c] * 52), st.sampled_from(IDS), st.integers(0, 3)
    ),
    st.builds(lambda i, s: changed(i, slug=s), st.sampled_from(IDS), st.sampled_from(["a", "z"])),
    st.builds(
        lambda i: RecordVanished(resource="package", id=i, sync_id="s"), st.sampled_from(IDS)
    ),
    st.builds(
        lambda i, v: Edited(
            target=f"package:{i}", changes={"notes": FieldChange(before=None, after=v)}
        ),
        st.sampled_from(IDS),
        st.sampled_from(["x", "y"]),
    ),
    st.builds(
        lambda i, n: Undone(target=f"package:{i}", edit_seq=n),
        st.sampled_from(IDS),
        st.integers(1, 30),
    ),
    st.just(SyncStarted(sync_id="s", source="test:")),
    st.builds(
        lambda i, v: PypiObserved(
            target=f"package:{i}",
            name=f"p{i}",
            state="ok",
            facts=PypiFacts(name=f"p{i}", latest=v),
        ),
        st.sampled_from(IDS),
        st.sampled_from(["1.0", "2.0"]),
    ),
    st.builds(
        lambda i: PypiObserved(target=f"package:{i}", name=f"p{i}", state="missing"),
        st.sampled_from(IDS),
    ),
    st.builds(
        lambda i, v, y: ReleaseObserved(
            target=f"package:{i}", name=f"p{i}", version=v, state="ok", yanked=y
        ),
        st.sampled_from(IDS),
        st.sampled_from(["1.0", "2.0"]),
        st.booleans(),
    ),
)


def stream_of(e) -> str:
    if isinstance(e, RecordSeen):
        return f"package:{e.record.id}"
    if isinstance(e, (RecordChanged, RecordVanished)):
        return f"package:{e.id}"
    return getattr(e, "target", "sync")


def reference(store: Store) -> Tables:
    tables = Tables()
    for envelope in store.read_all():
        fold(tables, envelope)
    return tables


def same(a: Tables, b: Tables) -> bool:
    return all(dict(getattr(a, n)) == dict(getattr(b, n)) for n in TABLE_TYPES)


def as_schema_1(path: str, seqs) -> None:
    """Rewrite events ``seqs`` as an older djp wrote them (schema 1: the same fields for
    these events); the light reading leaves them to the full fold."""
    import lmdb
    import msgspec

    env = lmdb.open(path, max_dbs=32)
    log = env.open_db(b"log")
    with env.begin(write=True) as txn:
        for seq in seqs:
            key = seq.to_bytes(8, "big")
            stored = msgspec.msgpack.decode(txn.get(key, db=log))
            stored["schema"] = 1
            txn.put(key, msgspec.msgpack.encode(stored), db=log)
    env.close()


def through_pickle(real_scan):
    """``scan`` whose results go through pickle, as a worker process's do (a test that runs
    hundreds of examples cannot fork for each)."""

    def scan_(*args, **kwargs):
        for size, result in real_scan(*args, **kwargs):
            yield size, pickle.loads(pickle.dumps(result))

    return scan_


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(event, min_size=1, max_size=40),
    size=st.integers(1, 12),
    old=st.sets(st.integers(1, 20), max_size=10),
)
@example(  # the newest change of a field is an old event: changes pending before it go first
    events=[seen(1, 0, "a"), changed(1, repo_watchers=5), changed(1, repo_watchers=7)],
    size=1,
    old={3},
)
@pytest.mark.slow
def test_bulk_fold_equals_folding_every_event(events, size, old):
    path = tempfile.mkdtemp(prefix="djp-bulk-")
    try:
        with Store.open(path) as store:
            for e in events:
                store.append(stream_of(e), [e])
        as_schema_1(path, [seq for seq in old if seq <= len(events)])
        with Store.open(path) as store:
            projection = CatalogProjection(store)
            with (
                mock.patch.object(scan, "RANGE_AT_MOST", size),
                mock.patch.object(reads, "scan", through_pickle(scan.scan)),
                mock.patch.object(checking, "scan", through_pickle(scan.scan)),
            ):
                tables, last = projection.fresh_fold()
                assert last == len(events)
                assert same(tables, reference(store))
                projection.rebuild()
                # verify folds from events decoded in full: the same tables, or it says so
                assert projection.verify().problems == []
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def long_store(tmp_path):
    """A few hundred events over three records, read in parallel below."""
    with Store.open(tmp_path / "store") as store:
        for i in IDS:
            store.append(f"package:{i}", [seen(i, 0, f"s{i}")])
        for n in range(300):
            i = IDS[n % 3]
            e = changed(i, slug=f"s{i}-{n}") if n % 97 == 0 else changed(i, repo_watchers=n)
            store.append(f"package:{i}", [e])
        store.append("package:2", [RecordVanished(resource="package", id=2, sync_id="s")])
    return tmp_path / "store"


def parallel(monkeypatch) -> None:
    if not scan.can_fork():
        pytest.skip("threads run in this test process: forking workers would be unsafe")
    monkeypatch.setenv("DJP_WORKERS", "2")
    monkeypatch.setattr(scan, "PARALLEL_AT_LEAST", 1)
    monkeypatch.setattr(scan, "RANGE_AT_LEAST", 1)


def test_ranges_are_read_by_worker_processes(long_store, monkeypatch):
    parallel(monkeypatch)
    with Store.open(long_store) as store:
        pids = store.read(lambda txn: list(store.scan(txn, _pid, 1, store.last_seq)))
        assert len(pids) == 4 * 2  # RANGES_PER_WORKER ranges for each of 2 workers
        assert {pid for _, pid in pids} - {os.getpid()}, "no range was read by a worker"
        assert sum(size for size, _ in pids) == store.last_seq
        tables, _ = CatalogProjection(store).fresh_fold()
        assert same(tables, reference(store))


def _pid(txn, dbs, lo, hi) -> int:
    return os.getpid()


def test_a_worker_that_dies_leaves_its_ranges_to_this_process(long_store, monkeypatch):
    parallel(monkeypatch)
    with Store.open(long_store) as store:
        first = scan.ranges(1, store.last_seq, -(-store.last_seq // 8))[0]
        monkeypatch.setitem(scan._crash_in_workers, "range", first)
        tables, _ = CatalogProjection(store).fresh_fold()
        assert same(tables, reference(store))


def test_parallel_verify_finds_a_broken_index_and_names_it(long_store, monkeypatch):
    parallel(monkeypatch)
    with Store.open(long_store) as store:
        projection = CatalogProjection(store)
        projection.rebuild()
        report = projection.verify()
        assert report.ok, report.problems
        assert report.events == store.last_seq
    import lmdb

    env = lmdb.open(str(long_store), max_dbs=32)
    streams = env.open_db(b"streams")
    with env.begin(write=True) as txn:  # the index says v5 of package:2 is another event
        txn.put(stream_key("package:2", 5), (7).to_bytes(8, "big"), db=streams)
    env.close()
    with Store.open(long_store) as store:
        report = CatalogProjection(store).verify()
    assert report.problems == ["event 14: stream index for 'package:2' v5 is wrong"]


def test_a_catch_up_in_parallel_equals_a_fresh_fold(long_store, monkeypatch):
    with Store.open(long_store) as store:  # the projection folds the first half as it comes
        projection = CatalogProjection(store)
        projection.rebuild()
    with Store.open(long_store) as store:  # appended without the projection
        for n in range(200):
            store.append("package:1", [changed(1, repo_forks=n)])
    parallel(monkeypatch)
    with Store.open(long_store) as store:
        projection = CatalogProjection(store)
        assert projection.catch_up() == 200
        assert projection.differences() == []
        stored = projection.dump()
        fresh = reference(store)
        assert all(stored[n] == dict(getattr(fresh, n)) for n in TABLE_TYPES)


def test_verify_still_checks_every_change_it_does_not_build(long_store):
    """verify skips over the values of upstream changes: a change without its "after" is
    still an event that does not decode."""
    import lmdb
    import msgspec

    env = lmdb.open(str(long_store), max_dbs=32)
    log = env.open_db(b"log")
    with env.begin(write=True) as txn:
        key = (10).to_bytes(8, "big")
        stored = msgspec.msgpack.decode(txn.get(key, db=log))
        assert stored["event"]["type"] == "RecordChanged"
        del stored["event"]["changes"]["repo_watchers"]["after"]
        txn.put(key, msgspec.msgpack.encode(stored), db=log)
    env.close()
    with Store.open(long_store) as store:
        report = CatalogProjection(store).verify()
    assert report.problems[0].startswith("event 10 does not decode: Object missing required field")


def test_verify_names_a_projection_row_that_differs_from_the_log(long_store):
    """Rows are compared as stored bytes, then as values: a row written with its fields in
    another order is the same row; a changed, extra, missing or undecodable one is named."""
    import lmdb
    import msgspec

    from projections.fold import UpstreamEntry

    with Store.open(long_store) as store:
        CatalogProjection(store).rebuild()
    decode = msgspec.msgpack.Decoder(UpstreamEntry).decode

    def tamper(change) -> list[str]:
        """``change(txn, upstream)`` on the stored projection; what verify then says."""
        env = lmdb.open(str(long_store), max_dbs=32)
        with env.begin(write=True) as txn:
            change(txn, env.open_db(b"proj.upstream", txn=txn))
        env.close()
        with Store.open(long_store) as store:
            projection = CatalogProjection(store)
            problems = projection.verify().problems
            assert projection.differences() == problems
            return problems

    def rewrite(edit):
        def change(txn, upstream) -> None:
            entry = decode(txn.get(b"package:1", db=upstream))
            edit(entry)
            encoded = msgspec.msgpack.encode(entry)
            assert encoded != txn.get(b"package:1", db=upstream)
            txn.put(b"package:1", encoded, db=upstream)

        return change

    def reverse(entry) -> None:
        entry.changed_at = dict(reversed(entry.changed_at.items()))

    assert tamper(rewrite(reverse)) == []  # other bytes, the same row
    differs = ["projection upstream row package:1 differs from the log"]
    assert tamper(rewrite(lambda entry: setattr(entry.record, "repo_watchers", 5))) == differs
    assert tamper(lambda txn, db: txn.delete(b"package:1", db=db)) == differs
    assert tamper(lambda txn, db: txn.put(b"package:1", b"\xc1", db=db)) == differs  # garbage
    extra = ["projection upstream row package:0 differs from the log"]
    assert (
        tamper(lambda txn, db: txn.put(b"package:0", txn.get(b"package:2", db=db), db=db)) == extra
    )


def test_parallel_verify_reports_what_the_stored_views_break(long_store, monkeypatch):
    """The stored views are checked in a worker beside the log: an edit of a field no
    package has is reported as when the fold's own views are checked."""
    bogus = Edited(target="package:1", changes={"bogus": FieldChange(before=None, after=1)})
    with Store.open(long_store) as store:
        store.append("package:1", [bogus])  # below the catalogue, which would refuse it
        CatalogProjection(store).rebuild()
    parallel(monkeypatch)
    with Store.open(long_store) as store:
        problems = CatalogProjection(store).verify().problems
    assert problems == ["edits of package:1 set fields it does not have: ['bogus']"]


def test_events_of_an_older_schema_among_plain_changes_fold_in_order(long_store, monkeypatch):
    """An event the light reading cannot take (here: written by schema 1) makes a range flush
    what it holds and fold that event in full, in its place: the result is still ``fold``."""
    as_schema_1(str(long_store), (20, 21, 150, 151, 152, 290, 301, 303))  # 301: last of package:1
    parallel(monkeypatch)
    with Store.open(long_store) as store:
        projection = CatalogProjection(store)
        with mock.patch.object(scan, "RANGE_AT_MOST", 7):
            tables, _ = projection.fresh_fold()
            assert same(tables, reference(store))
            projection.rebuild()
            assert projection.verify().problems == []
