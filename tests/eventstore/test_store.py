"""Unit tests of the LMDB event store: appends, reads, failure modes, verify and backup."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import lmdb
import msgspec
import pytest

import eventstore
from eventstore import (
    ANY,
    NO_STREAM,
    Append,
    NewerStoreError,
    NotAStoreError,
    Package,
    RecordSeen,
    Store,
    StoreError,
    StoreWriteError,
    SyncStarted,
    WrongExpectedVersionError,
    pack_u64,
    stream_key,
)


def started(n: int = 0) -> SyncStarted:
    return SyncStarted(sync_id=f"sync-{n}", source="https://example.invalid/api/v4/")


def test_sequences_are_global_and_versions_per_stream(store):
    assert store.append("a", [started(1), started(2)]) == [1, 2]
    assert store.append("b", [started(3)]) == [3]
    assert store.append("a", [started(4)]) == [4]
    assert store.last_seq == 4
    assert store.stream_version("a") == 3
    assert store.stream_version("b") == 1
    assert store.stream_version("never") == 0
    assert [(e.seq, e.stream, e.version) for e in store.read_all()] == [
        (1, "a", 1),
        (2, "a", 2),
        (3, "b", 1),
        (4, "a", 3),
    ]


def test_envelope_carries_id_time_schema_and_the_event(store):
    event_id = uuid.uuid4()
    [seq] = store.append("package:1", [started(7)], ids=[event_id])
    envelope = store.get(seq)
    assert envelope.id == event_id
    assert envelope.event == started(7)
    assert envelope.recorded_at.tzinfo is not None
    assert envelope.recorded_at.utcoffset().total_seconds() == 0
    assert envelope.schema == 2
    assert envelope.type == "SyncStarted"


def test_records_round_trip_through_the_log(store):
    record = Package(
        id=3324,
        title="django-redis",
        slug="django-redis",
        category=1,
        grids=[3, 9],
        pypi_version=None,
        last_updated=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        commits_over_52=[],
    )
    store.append("package:3324", [RecordSeen(resource="package", record=record, sync_id="s")])
    [envelope] = store.read_stream("package:3324")
    assert envelope.event.record == record


def test_expected_version_no_stream_exact_and_any(store):
    store.append("s", [started()], NO_STREAM)
    store.append("s", [started()], 1)
    store.append("s", [started()], ANY)
    with pytest.raises(WrongExpectedVersionError) as info:
        store.append("s", [started()], 1)
    assert str(info.value) == "stream 's': expected version 1, but it is at version 3"
    with pytest.raises(
        WrongExpectedVersionError, match="expected no stream, but it is at version 3"
    ):
        store.append("s", [started()], NO_STREAM)
    with pytest.raises(
        WrongExpectedVersionError, match="expected version 2, but it does not exist"
    ):
        store.append("fresh", [started()], 2)
    assert store.last_seq == 3


def test_repeated_event_id_is_stored_once_and_returns_the_original_sequence(store):
    event_id = uuid.uuid4()
    assert store.append("s", [started()], NO_STREAM, ids=[event_id]) == [1]
    # a retry with the same id and the same (now stale) expected version is a no-op
    assert store.append("s", [started()], NO_STREAM, ids=[event_id]) == [1]
    assert store.last_seq == 1
    # the same id twice in one call
    other = uuid.uuid4()
    assert store.append("s", [started(), started()], ids=[other, other]) == [2, 2]
    assert store.stream_version("s") == 2


def test_batch_over_many_streams_is_atomic(store):
    store.append("b", [started()])
    with pytest.raises(WrongExpectedVersionError):
        store.append_batch(
            [Append("a", [started()] * 3), Append("b", [started()], expected_version=NO_STREAM)]
        )
    assert store.last_seq == 1
    assert store.stream_version("a") == 0
    seqs = store.append_batch([Append("a", [started()] * 2), Append("b", [started()], 1)])
    assert seqs == [[2, 3], [4]]


def test_read_all_ranges_and_chunks(store, monkeypatch):
    monkeypatch.setattr("eventstore.reads.READ_CHUNK", 3)
    store.append_batch([Append(f"s{i % 3}", [started(i)]) for i in range(10)])
    assert [e.seq for e in store.read_all()] == list(range(1, 11))
    assert [e.seq for e in store.read_all(4)] == list(range(4, 11))
    assert [e.seq for e in store.read_all(4, 6)] == [4, 5, 6]
    assert [e.seq for e in store.read_all(11)] == []
    assert [e.seq for e in store.read_all(0, 2)] == [1, 2]


def test_read_stream_from_version(store):
    for i in range(5):
        store.append("x", [started(i)])
        store.append("xy", [started(i)])  # a stream whose name extends another's
    assert [e.version for e in store.read_stream("x")] == [1, 2, 3, 4, 5]
    assert [e.event.sync_id for e in store.read_stream("x", 4)] == ["sync-3", "sync-4"]
    assert all(e.stream == "x" for e in store.read_stream("x"))
    assert store.read_stream("nothing") == []
    assert dict(store.streams()) == {"x": 5, "xy": 5}


def test_invalid_stream_name_is_refused(store):
    with pytest.raises(StoreError, match="invalid stream name"):
        store.append("", [started()])
    with pytest.raises(StoreError, match="invalid stream name"):
        store.append("a\x00b", [started()])


def test_store_directory_is_private(store_path):
    with Store.open(store_path):
        pass
    assert stat.S_IMODE(os.stat(store_path).st_mode) == 0o700


def test_map_grows_when_full(tmp_path):
    with Store.open(tmp_path / "tiny", map_size=64 * 1024) as store:
        before = store.info()["map_size"]
        for i in range(40):
            store.append_batch([Append(f"p:{j}", [started(i)] * 5) for j in range(10)])
        assert store.last_seq == 2000
        assert store.info()["map_size"] > before
        assert store.verify().ok


def _digest(path):
    return hashlib.sha256((path / "data.mdb").read_bytes()).hexdigest()


def test_store_from_a_newer_format_is_refused_and_untouched(store_path):
    with Store.open(store_path) as store:
        store.append("s", [started()])
    env = lmdb.open(str(store_path), max_dbs=32)
    meta = env.open_db(b"meta")
    with env.begin(write=True) as txn:
        txn.put(b"format", pack_u64(99), db=meta)
    env.close()
    digest = _digest(store_path)
    with pytest.raises(NewerStoreError, match=r"newer djp.*format 99"):
        Store.open(store_path)
    assert _digest(store_path) == digest


def test_a_file_is_not_a_store(tmp_path):
    target = tmp_path / "file"
    target.write_text("hello")
    with pytest.raises(NotAStoreError, match="is a file"):
        Store.open(target)


def test_a_directory_of_other_files_is_not_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NotAStoreError, match="holds other files"):
        Store.open(tmp_path)
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_garbage_data_file_is_not_a_store(tmp_path):
    (tmp_path / "data.mdb").write_bytes(b"not lmdb at all" * 1000)
    with pytest.raises(NotAStoreError, match="not a readable djp store"):
        Store.open(tmp_path)


def test_foreign_lmdb_environment_is_not_a_store(tmp_path):
    env = lmdb.open(str(tmp_path / "other"))
    with env.begin(write=True) as txn:
        txn.put(b"key", b"value")
    env.close()
    with pytest.raises(NotAStoreError, match="not a djp store"):
        Store.open(tmp_path / "other")


def test_unreadable_store_is_refused(store_path):
    cleanups: list = []
    try:
        _unreadable_store_is_refused(store_path, cleanups)
    finally:
        for cleanup in cleanups:
            cleanup()


def _unreadable_store_is_refused(store_path, cleanups):
    with Store.open(store_path) as store:
        store.append("s", [started()])
    code = (
        "import sys\nfrom eventstore import Store, StoreError\n"
        f"try:\n    Store.open({str(store_path)!r})\n"
        "except StoreError as e:\n    print(e); sys.exit(3)\n"
    )
    env = dict(os.environ)
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("needs setpriv to drop root privileges")
        # the child runs as another user, who may not read the checkout or its .venv (a clone
        # in a private directory): it runs the interpreter the .venv points at, on a copy of
        # eventstore and the libraries it imports, in a directory anyone can read
        python = os.path.realpath(sys.executable)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-s"]
        readable = Path(tempfile.mkdtemp(prefix="djp-readable-"))
        cleanups.append(lambda: shutil.rmtree(readable, ignore_errors=True))
        for package in (eventstore, lmdb, msgspec):
            source = Path(package.__file__).parent
            shutil.copytree(source, readable / source.name, ignore=shutil.ignore_patterns("*.pyc"))
        for path in (readable, *readable.rglob("*")):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        env["PYTHONPATH"] = str(readable)
        cwd = readable
        probe = subprocess.run(
            [*cmd, "-c", "import lmdb, msgspec, eventstore"], capture_output=True, cwd=cwd, env=env
        )
        if probe.returncode != 0:
            pytest.skip(
                f"the interpreter {python} cannot be run by an unprivileged user: cannot drop "
                "root to try an unreadable store here"
            )
    else:
        os.chmod(store_path, 0)
        cmd, cwd = [sys.executable], os.getcwd()
    try:
        result = subprocess.run(
            [*cmd, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
        )
    finally:
        os.chmod(store_path, 0o700)
    assert result.returncode == 3, result.stderr
    assert "cannot be read" in result.stdout


def test_old_schema_envelope_is_upcast_on_read(store_path):
    with Store.open(store_path) as store:
        store.append("sync", [started(1)])
    # An envelope as schema 1 wrote it: the source was called base_url, there was no kind.
    v1 = {
        "seq": 2,
        "id": uuid.uuid4().bytes,
        "stream": "sync",
        "version": 2,
        "recorded_at": datetime(2026, 1, 1, tzinfo=UTC),
        "schema": 1,
        "event": {"type": "SyncStarted", "sync_id": "old", "base_url": "https://x.invalid/"},
    }
    env = lmdb.open(str(store_path), max_dbs=32)
    log, streams, heads, ids = (env.open_db(n) for n in (b"log", b"streams", b"heads", b"ids"))
    with env.begin(write=True) as txn:
        txn.put(pack_u64(2), msgspec.msgpack.encode(v1), db=log)
        txn.put(stream_key("sync", 2), pack_u64(2), db=streams)
        txn.put(b"sync", pack_u64(2), db=heads)
        txn.put(v1["id"], pack_u64(2), db=ids)
    env.close()
    with Store.open(store_path) as store:
        old = store.get(2)
        assert old.event == SyncStarted(sync_id="old", source="https://x.invalid/", kind="full")
        assert old.schema == 2
        assert [e.seq for e in store.read_stream("sync")] == [1, 2]
        assert store.verify().ok
        assert store.append("sync", [started(3)], 2) == [3]


def test_verify_reports_a_broken_index(store_path):
    with Store.open(store_path) as store:
        store.append("a", [started()] * 3)
        assert store.verify().ok
    env = lmdb.open(str(store_path), max_dbs=32)
    streams = env.open_db(b"streams")
    with env.begin(write=True) as txn:
        txn.delete(stream_key("a", 2), db=streams)
    env.close()
    with Store.open(store_path) as store:
        report = store.verify()
    assert not report.ok
    assert report.problems[0] == "event 2: stream index for 'a' v2 is wrong"


def test_verify_reports_a_gap_and_an_undecodable_event(store_path):
    with Store.open(store_path) as store:
        store.append("a", [started()] * 3)
    env = lmdb.open(str(store_path), max_dbs=32)
    log = env.open_db(b"log")
    with env.begin(write=True) as txn:
        txn.delete(pack_u64(2), db=log)
        txn.put(pack_u64(3), b"\xc1garbage", db=log)
    env.close()
    with Store.open(store_path) as store:
        problems = store.verify().problems
    assert problems[0] == "sequence gap: expected 2, found 3"
    assert problems[1].startswith("event 3 does not decode")


def test_backup_is_a_verified_compact_copy(store, tmp_path):
    store.append_batch([Append(f"p:{i}", [started(i)] * 4) for i in range(50)])
    dest = store.backup(tmp_path / "backup")
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o700
    with Store.open(dest) as copy:
        assert copy.verify().ok
        assert [e.id for e in copy.read_all()] == [e.id for e in store.read_all()]


def test_backup_refuses_a_non_empty_destination(store, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(StoreError, match="not an empty directory"):
        store.backup(tmp_path / "full")


def test_a_full_disk_is_one_clear_error_and_loses_nothing(tiny_disk):

    path = tiny_disk / "store"
    stored = 0
    with Store.open(path, map_size=1 << 20) as store:
        with pytest.raises(StoreWriteError) as info:
            for _ in range(10_000):
                store.append("s", [SyncStarted(sync_id="x" * 100, source="y" * 400)] * 20)
                stored += 20
        assert "nothing of this change was saved" in str(info.value)
        assert str(info.value).count("\n") == 0
        assert store.last_seq == stored
    with Store.open(path) as store:
        assert store.verify().ok
        assert store.last_seq == stored


def test_range_sizes_keep_ranges_long_and_every_worker_busy():
    from eventstore.scan import range_size

    assert range_size(1_000_000, 2) == 100_000  # at most 100,000 (a progress report each)
    assert range_size(200_000, 2) == 50_000  # not 25,000: short ranges repeat the merging
    assert range_size(100_000, 4) == 25_000  # shorter, so that each of 4 workers has one
    assert range_size(600_000, 2) == 75_000  # four ranges a worker
    assert range_size(300, 1) == 100_000  # in this process: progress at most every 100,000
