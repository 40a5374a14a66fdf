"""The append-only event log on LMDB.

Layout (one LMDB environment directory per store, named databases):

- ``log``     big-endian u64 global sequence -> msgpack ``Envelope`` (written with append=True)
- ``streams`` stream name + NUL + big-endian u64 version -> u64 sequence
- ``heads``   stream name -> u64 current version of that stream
- ``ids``     16-byte event id -> u64 sequence (idempotent appends)
- ``meta``    format and schema versions
- other named databases belong to the layers above (projections and their checkpoint).

A sequence is taken as last + 1 inside the write transaction, so sequences are gap-free and in
commit order, across processes too (LMDB serialises writers).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lmdb

from eventstore.append import ANY, Append, AppendOne, prepare
from eventstore.codec import (
    check_stream_name,
    decode_envelope,
    encoder,
    pack_u64,
    unpack_u64,
)
from eventstore.environment import (
    check_data_file,
    check_or_init_meta,
    lmdb_reason,
    prepare_directory,
    reserve_lock_file,
    writable,
)
from eventstore.errors import (
    NotAStoreError,
    StoreCorruptError,
    StoreError,
    StoreReadOnlyError,
    StoreValueError,
    StoreWriteError,
    WrongExpectedVersionError,
)
from eventstore.events import SCHEMA_VERSION, Envelope, Event
from eventstore.reads import LogReads
from eventstore.scan import Task
from eventstore.verify import VerifyReport, check_task, verify_scan

DEFAULT_MAP_SIZE = 1 << 32  # 4 GiB reserved; LMDB maps lazily, the file grows as used


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Store(LogReads, AppendOne):
    """An open event store. Use ``Store.open(path)``, as a context manager or with ``close()``.

    One ``Store`` per path per process (an LMDB rule); never use one across ``fork()``
    (``eventstore.scan``'s workers only read through a transaction the parent holds).
    """

    def __init__(
        self,
        path: Path,
        env: lmdb.Environment,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.path = path
        self._env = env
        self._clock = clock
        self._dbs: dict[bytes, Any] = {}
        self._listeners: list[Callable[[lmdb.Transaction, list[Envelope]], None]] = []
        read_only = env.flags().get("readonly", False)
        for name in (b"log", b"streams", b"heads", b"ids", b"meta"):
            self._dbs[name] = env.open_db(name, create=not read_only)
        self._log = self._dbs[b"log"]
        self._streams = self._dbs[b"streams"]
        self._heads = self._dbs[b"heads"]
        self._ids = self._dbs[b"ids"]

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        map_size: int = DEFAULT_MAP_SIZE,
        clock: Callable[[], datetime] = _utcnow,
    ) -> Store:
        path = Path(path)
        prepare_directory(path)
        check_data_file(path)
        read_only = not writable(path)
        if not read_only:
            reserve_lock_file(path)
        try:
            # read-only: no lock either (LMDB's lock file must be writable); fine for a store
            # nobody writes, which is what a store this user cannot write is to it
            env = lmdb.open(
                str(path),
                map_size=map_size,
                max_dbs=32,
                mode=0o600,
                subdir=True,
                lock=not read_only,
                readonly=read_only,
            )
        except lmdb.Error as exc:
            raise NotAStoreError(f"{path} is not a readable djp store: {lmdb_reason(exc)}") from exc
        try:
            if not read_only:
                env.reader_check()
            check_or_init_meta(env, path, read_only)
            store = cls(path, env, clock)
            store.read_only = read_only
            return store
        except BaseException:
            env.close()
            raise

    def close(self) -> None:
        self._env.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------

    def append_batch(self, batch: Sequence[Append]) -> list[list[int]]:
        """Append to several streams in one durable transaction; all or nothing.

        For each stream, ``expected_version`` is ``ANY``, ``NO_STREAM`` or the exact current
        version. An event whose id is already stored is not stored again: its original
        sequence is returned, and a retry made only of such events skips the version check.
        """
        prepared = prepare(batch)
        if not self._listeners:
            return self._write(lambda txn: self._append_txn(txn, prepared))
        return self.transaction(lambda tx: tx.append_prepared(prepared))

    def transaction(self, body: Callable[[WriteTransaction], Any]) -> Any:
        """Run ``body`` in one durable write transaction and return what it returns.

        ``body`` may read (``tx.txn``, the layers' own databases) and append (``tx.append``)
        any number of times; listeners see every appended envelope before the commit, so
        what they maintain commits atomically with the events. ``body`` may be run again
        if the map had to grow, so it must not change state outside the transaction.
        """

        def run(txn: lmdb.Transaction) -> Any:
            tx = WriteTransaction(self, txn)
            result = body(tx)
            if tx.written:
                for listener in self._listeners:
                    listener(txn, tx.written)
            return result

        return self._write(run)

    def add_listener(self, listener: Callable[[lmdb.Transaction, list[Envelope]], None]) -> None:
        """Call ``listener(txn, envelopes)`` inside every write transaction that appends."""
        self._listeners.append(listener)

    def _append_txn(
        self, txn: lmdb.Transaction, prepared: list, written: list[Envelope] | None = None
    ) -> list[list[int]]:
        log, streams, heads, ids_db = self._log, self._streams, self._heads, self._ids
        put, get = txn.put, txn.get
        encode = encoder.encode
        now = self._clock()
        cursor = txn.cursor(db=log)
        last = unpack_u64(cursor.key()) if cursor.last() else 0
        results: list[list[int]] = []
        for item, stream_raw, ids in prepared:
            stream = item.stream
            head_raw = get(stream_raw, db=heads)
            head = unpack_u64(head_raw) if head_raw is not None else 0
            start = head
            checked = item.expected_version == ANY
            seqs = []
            prefix = stream_raw + b"\x00"
            for event, event_id in zip(item.events, ids, strict=True):
                key_id = event_id.bytes
                seq_key = pack_u64(last + 1)
                if not put(key_id, seq_key, db=ids_db, overwrite=False):
                    seqs.append(unpack_u64(get(key_id, db=ids_db)))
                    continue
                if not checked:
                    if head != item.expected_version:
                        raise WrongExpectedVersionError(stream, item.expected_version, head)
                    checked = True
                last += 1
                head += 1
                envelope = Envelope(
                    seq=last,
                    id=event_id,
                    stream=stream,
                    version=head,
                    recorded_at=now,
                    schema=SCHEMA_VERSION,
                    event=event,
                )
                if not put(seq_key, encode(envelope), db=log, append=True):
                    raise StoreCorruptError(f"sequence {last} is already taken in the log")
                put(prefix + pack_u64(head), seq_key, db=streams)
                seqs.append(last)
                if written is not None:
                    written.append(envelope)
            if head != start:
                put(stream_raw, pack_u64(head), db=heads)
            results.append(seqs)
        return results

    read_only = False  # opened by a user who can only read it: every write is refused

    def _write(self, body: Callable[[lmdb.Transaction], Any]) -> Any:
        """Run ``body`` in a write transaction, growing the map and retrying when it is full."""
        if self.read_only:
            raise StoreReadOnlyError(
                f"the store at {self.path} is read-only for this user: nothing was changed"
            )
        while True:
            try:
                with self._env.begin(write=True) as txn:
                    return body(txn)
            except lmdb.MapFullError:
                self._grow()
            except lmdb.MapResizedError:
                self._env.set_mapsize(0)  # another process grew it: adopt its size
            except lmdb.BadValsizeError as exc:
                raise StoreValueError(
                    f"a key or value is too large for the store ({lmdb_reason(exc)}); "
                    "nothing of this change was saved"
                ) from exc
            except lmdb.Error as exc:
                # the transaction was aborted: nothing of it is in the store
                raise StoreWriteError(
                    f"could not write to the store at {self.path}: {lmdb_reason(exc)} "
                    "(is the disk full?); nothing of this change was saved"
                ) from exc

    def _grow(self) -> None:
        size = self._env.info()["map_size"]
        try:
            self._env.set_mapsize(size * 2)
        except lmdb.Error as exc:
            raise StoreWriteError(
                f"could not grow the store at {self.path}: {lmdb_reason(exc)}; "
                "nothing of this change was saved"
            ) from exc

    def write(self, body: Callable[[lmdb.Transaction], Any]) -> Any:
        """Run ``body(txn)`` in one write transaction (for the projection tables above)."""
        return self._write(body)

    def read(self, body: Callable[[lmdb.Transaction], Any]) -> Any:
        with self._env.begin(buffers=False) as txn:
            return body(txn)

    def database(self, name: str) -> Any:
        """A named database for the layers above, created on first use."""
        key = name.encode()
        if key not in self._dbs:
            if key in (b"log", b"streams", b"heads", b"ids", b"meta"):
                raise StoreError(f"database {name!r} belongs to the event log")
            try:
                self._dbs[key] = self._env.open_db(key, create=not self.read_only)
            except lmdb.NotFoundError:  # read-only, and never written
                raise StoreReadOnlyError(
                    f"the store at {self.path} is read-only and has no {name} yet"
                ) from None
        return self._dbs[key]

    # --- maintenance -----------------------------------------------------------------------

    def verify(self, progress: Callable[[int, int], None] | None = None) -> VerifyReport:
        """Check that sequences are gap-free, every envelope decodes, and the indexes agree;
        all in one read transaction, so a writer in another process cannot make it lie."""
        with self._env.begin() as txn:
            return self.verify_in(txn, check_task, progress=progress)[0]

    def verify_in(
        self,
        txn: lmdb.Transaction,
        task: Task,
        on_range: Callable[[Any], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
        beside: tuple[tuple[Task, tuple], ...] = (),
    ) -> tuple[VerifyReport, list[Any]]:
        """``verify`` inside ``txn``, reading the log with ``task(txn, dbs, lo, hi)``, which
        returns ``(RangeCheck, payload)`` (``checked_events`` does the checking; a layer above
        can fold the same events as they are checked); ``on_range(payload)`` gets each
        range's payload in log order. ``beside``: jobs ``fn(txn, dbs, *args)`` run beside
        the ranges (in the workers, when there are), whose results come with the report."""
        return verify_scan(txn, self._dbs, task, on_range, progress, beside)

    def backup(self, dest: str | os.PathLike[str], compact: bool = True) -> Path:
        """Write a consistent copy of the store to ``dest`` (a new or empty directory).

        The copy is written under a temporary name and renamed when whole: a backup killed
        midway, or on a full disk, never leaves a ``dest`` that looks like a store. The copy
        is as private as the store (0700 directory, 0600 file)."""
        dest = Path(dest)
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise StoreError(f"backup destination {dest} exists and is not an empty directory")
        partial = dest.parent / f".{dest.name}.partial-{os.getpid()}"
        try:
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(mode=0o700, parents=True)
            self._env.copy(str(partial), compact=compact)
            os.chmod(partial / "data.mdb", 0o600)
            os.replace(partial, dest)
        except (lmdb.Error, OSError) as exc:
            shutil.rmtree(partial, ignore_errors=True)
            reason = lmdb_reason(exc) if isinstance(exc, lmdb.Error) else exc.strerror or exc
            raise StoreError(f"backup to {dest} failed: {reason}; nothing was written") from exc
        return dest

    def info(self) -> dict[str, Any]:
        info = self._env.info()
        return {"map_size": info["map_size"], "last_seq": self.last_seq, "path": str(self.path)}


class WriteTransaction(AppendOne):
    """The handle ``Store.transaction`` gives its body: append, and read through ``txn``."""

    def __init__(self, store: Store, txn: lmdb.Transaction) -> None:
        self.store = store
        self.txn = txn
        self.written: list[Envelope] = []

    def append_batch(self, batch: Sequence[Append]) -> list[list[int]]:
        return self.append_prepared(prepare(batch))

    def append_prepared(self, prepared: list) -> list[list[int]]:
        return self.store._append_txn(self.txn, prepared, self.written)

    def append_event(
        self, stream: str, event: Event, event_id: uuid.UUID | None = None
    ) -> Envelope:
        """Append one new event (a fresh id unless given) and return its envelope as stored;
        an id already stored appends nothing and returns the stored envelope."""
        before = len(self.written)
        [seq] = self.append(stream, [event], ids=[event_id] if event_id else None)
        return self.written[before] if len(self.written) > before else self.get(seq)

    def seq_for_id(self, event_id: uuid.UUID) -> int | None:
        """The sequence of the event with this id, appended before or in this transaction."""
        raw = self.txn.get(event_id.bytes, db=self.store._ids)
        return unpack_u64(raw) if raw is not None else None

    def get(self, seq: int) -> Envelope | None:
        """An event already in the log (or appended earlier in this transaction)."""
        raw = self.txn.get(pack_u64(seq), db=self.store._log)
        return decode_envelope(raw) if raw is not None else None

    def stream_version(self, stream: str) -> int:
        raw = self.txn.get(check_stream_name(stream), db=self.store._heads)
        return unpack_u64(raw) if raw is not None else 0
