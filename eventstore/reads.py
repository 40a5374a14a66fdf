"""Reading the log: by sequence, by stream, in chunks, in ranges for worker processes.

``Store`` inherits these; they need only its environment and databases, and never write.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import lmdb

from eventstore.codec import check_stream_name, decode_envelope, pack_u64, unpack_u64
from eventstore.events import Envelope
from eventstore.scan import Task, scan

READ_CHUNK = 4096


class LogReads:
    _env: lmdb.Environment
    _dbs: dict[bytes, Any]
    _log: Any
    _streams: Any
    _heads: Any
    _ids: Any

    def iter_log(
        self, txn: lmdb.Transaction, from_seq: int, to_seq: int | None = None
    ) -> Iterator[Envelope]:
        """Envelopes from_seq..to_seq read inside a transaction the caller holds."""
        for raw in self.iter_raw(txn, from_seq, to_seq):
            yield decode_envelope(raw)

    def last_seq_in(self, txn: lmdb.Transaction) -> int:
        cursor = txn.cursor(db=self._log)
        return unpack_u64(cursor.key()) if cursor.last() else 0

    @property
    def last_seq(self) -> int:
        with self._env.begin() as txn:
            cursor = txn.cursor(db=self._log)
            return unpack_u64(cursor.key()) if cursor.last() else 0

    def stream_version(self, stream: str) -> int:
        """The stream's current version; 0 when it has no events."""
        with self._env.begin() as txn:
            raw = txn.get(check_stream_name(stream), db=self._heads)
        return unpack_u64(raw) if raw is not None else 0

    def get(self, seq: int) -> Envelope | None:
        with self._env.begin(buffers=True) as txn:
            raw = txn.get(pack_u64(seq), db=self._log)
            return decode_envelope(raw) if raw is not None else None

    def iter_raw(
        self, txn: lmdb.Transaction, from_seq: int = 1, to_seq: int | None = None
    ) -> Iterator[bytes]:
        """Stored envelopes from_seq..to_seq as raw bytes, inside a transaction the caller
        holds (one consistent snapshot, however long the read)."""
        cursor = txn.cursor(db=self._log)
        if not cursor.set_range(pack_u64(max(from_seq, 1))):
            return
        last_key = pack_u64(to_seq) if to_seq is not None else None
        for key, value in cursor:
            if last_key is not None and key > last_key:
                return
            yield value

    def read_raw(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[list[bytes]]:
        """Stored envelopes from_seq..to_seq as raw bytes, in chunks (see ``read_all``).

        Sequences are gap-free (``verify`` checks it), so a chunk is simply the next N
        values from the cursor.
        """
        next_seq = max(from_seq, 1)
        while True:
            want = READ_CHUNK if to_seq is None else min(READ_CHUNK, to_seq - next_seq + 1)
            if want <= 0:
                return
            with self._env.begin() as txn:
                cursor = txn.cursor(db=self._log)
                if not cursor.set_range(pack_u64(next_seq)):
                    return
                chunk = list(itertools.islice(cursor.iternext(keys=False, values=True), want))
            if not chunk:
                return
            yield chunk
            if len(chunk) < want:
                return
            next_seq += len(chunk)

    def read_all(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[Envelope]:
        """Envelopes with from_seq <= seq <= to_seq, oldest first.

        Reads in chunks, each in its own short read transaction, so a slow consumer never
        holds a snapshot open (and the map can grow meanwhile).
        """
        for chunk in self.read_raw(from_seq, to_seq):
            # decoded only as they are yielded: holding thousands of decoded envelopes at
            # once costs more in allocation and garbage collection than the decoding
            for raw in chunk:
                yield decode_envelope(raw)

    def seq_for_id(self, event_id: uuid.UUID) -> int | None:
        """The sequence of the event with this id, if it is stored."""
        with self._env.begin() as txn:
            raw = txn.get(event_id.bytes, db=self._ids)
        return unpack_u64(raw) if raw is not None else None

    def read_stream(
        self, stream: str, from_version: int = 1, to_version: int | None = None
    ) -> list[Envelope]:
        """The stream's envelopes from ``from_version`` (to ``to_version``), oldest first."""
        prefix = check_stream_name(stream) + b"\x00"
        out = []
        with self._env.begin(buffers=True) as txn:
            cursor = txn.cursor(db=self._streams)
            if cursor.set_range(prefix + pack_u64(max(from_version, 1))):
                last = None if to_version is None else prefix + pack_u64(to_version)
                for key, seq_key in cursor:
                    if bytes(key[: len(prefix)]) != prefix:
                        break
                    if last is not None and bytes(key) > last:
                        break
                    out.append(decode_envelope(txn.get(bytes(seq_key), db=self._log)))
        return out

    def streams(self) -> Iterator[tuple[str, int]]:
        """Every stream with its current version."""
        with self._env.begin() as txn:
            for key, value in txn.cursor(db=self._heads):
                yield key.decode(), unpack_u64(value)

    def raw_reader(self, txn: lmdb.Transaction) -> Callable[[int], Any]:
        """``read(seq)``: the stored bytes of event ``seq`` in ``txn`` (None past the end)."""
        log, get = self._log, txn.get
        return lambda seq: get(pack_u64(seq), db=log)

    def scan(self, txn: lmdb.Transaction, task: Task, first: int, last: int, **options: Any):
        """``eventstore.scan.scan`` over this store's log, inside ``txn``."""
        return scan(txn, self._dbs, task, first, last, **options)
