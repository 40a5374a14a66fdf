"""The catalogue as it is upstream: current packages, grids and categories.

Folded from ``RecordSeen`` / ``RecordChanged`` / ``RecordVanished`` events. The table maps
``b"package:3324"`` (likewise grid, category) to an ``UpstreamEntry``. It is persisted in the
store with a checkpoint and maintained inside the same write transaction that appends the
events, so another process reads it without refolding the log.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import lmdb
import msgspec

from eventstore import (
    Envelope,
    Record,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    Store,
)
from eventstore.store import pack_u64, unpack_u64
from projections.tables import TxnTable

TABLE = "proj.upstream"
CHECKPOINTS = "proj.checkpoints"
NAME = b"upstream"


class UpstreamEntry(msgspec.Struct, kw_only=True):
    record: Record
    vanished: bool = False
    first_seen: int = 0  # sequence of the event that first showed it
    last_changed: int = 0  # sequence of the newest event that changed it


def key_for(resource: str, ident: int) -> bytes:
    return f"{resource}:{ident}".encode()


def fold(table: MutableMapping[bytes, UpstreamEntry], envelope: Envelope) -> None:
    """Apply one event to the upstream table (events it does not know are ignored)."""
    event = envelope.event
    if isinstance(event, RecordSeen):
        key = key_for(event.resource, event.record.id)
        old = table.get(key)
        table[key] = UpstreamEntry(
            record=event.record,
            first_seen=old.first_seen if old is not None else envelope.seq,
            last_changed=envelope.seq,
        )
    elif isinstance(event, RecordChanged):
        key = key_for(event.resource, event.id)
        old = table.get(key)
        if old is None:
            return
        record = msgspec.structs.replace(
            old.record, **{name: change.after for name, change in event.changes.items()}
        )
        table[key] = UpstreamEntry(
            record=record,
            vanished=old.vanished,
            first_seen=old.first_seen,
            last_changed=envelope.seq,
        )
    elif isinstance(event, RecordVanished):
        key = key_for(event.resource, event.id)
        old = table.get(key)
        if old is not None:
            table[key] = UpstreamEntry(
                record=old.record,
                vanished=True,
                first_seen=old.first_seen,
                last_changed=envelope.seq,
            )


class UpstreamProjection:
    """The persisted upstream table of one store, kept current as events are appended."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.database(TABLE)
        self.checkpoints = store.database(CHECKPOINTS)
        store.add_listener(self._on_append)

    def table(self, txn: lmdb.Transaction) -> TxnTable[UpstreamEntry]:
        return TxnTable(txn, self.db, UpstreamEntry)

    def checkpoint(self, txn: lmdb.Transaction) -> int:
        raw = txn.get(NAME, db=self.checkpoints)
        return unpack_u64(raw) if raw is not None else 0

    def _on_append(self, txn: lmdb.Transaction, envelopes: list[Envelope]) -> None:
        table = self.table(txn)
        done = self.checkpoint(txn)
        if done < envelopes[0].seq - 1:  # events appended by a process that did not project
            for envelope in self.store.iter_log(txn, done + 1, envelopes[0].seq - 1):
                fold(table, envelope)
        for envelope in envelopes:
            if envelope.seq > done:
                fold(table, envelope)
        txn.put(NAME, pack_u64(envelopes[-1].seq), db=self.checkpoints)

    def catch_up(self) -> int:
        """Fold events the table has not seen yet; returns how many."""

        def run(txn: lmdb.Transaction) -> int:
            done = self.checkpoint(txn)
            last = self.store.last_seq_in(txn)
            if done >= last:
                return 0
            table = self.table(txn)
            for envelope in self.store.iter_log(txn, done + 1, last):
                fold(table, envelope)
            txn.put(NAME, pack_u64(last), db=self.checkpoints)
            return last - done

        behind = self.store.read(lambda txn: self.store.last_seq_in(txn) - self.checkpoint(txn))
        return self.store.write(run) if behind > 0 else 0

    def rebuild(self) -> int:
        """Drop the table and refold the whole log; returns the number of events folded."""
        state: dict[bytes, UpstreamEntry] = {}
        last = 0
        for envelope in self.store.read_all():
            fold(state, envelope)
            last = envelope.seq

        def run(txn: lmdb.Transaction) -> None:
            txn.drop(self.db, delete=False)
            table = self.table(txn)
            for key in sorted(state):
                table[key] = state[key]
            txn.put(NAME, pack_u64(last), db=self.checkpoints)

        self.store.write(run)
        return last

    # --- reads ----------------------------------------------------------------------------

    def entries(self, resource: str, include_vanished: bool = False) -> list[UpstreamEntry]:
        prefix = f"{resource}:".encode()

        def run(txn: lmdb.Transaction) -> list[UpstreamEntry]:
            return [
                entry
                for _, entry in self.table(txn).items(prefix)
                if include_vanished or not entry.vanished
            ]

        return self.store.read(run)

    def entry(self, resource: str, ident: int) -> UpstreamEntry | None:
        return self.store.read(lambda txn: self.table(txn).get(key_for(resource, ident)))

    def dump(self) -> dict[bytes, Any]:
        """Every row as stored (for tests and ``verify``)."""
        return self.store.read(lambda txn: dict(self.table(txn).items()))
