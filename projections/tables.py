"""Projection tables: a fold writes to a mapping, in memory or inside an LMDB transaction.

The same fold function maintains a table incrementally (``TxnTable``, inside the write
transaction that appends the events) and rebuilds it from the whole log (a plain ``dict``,
written out at the end), so "rebuild == incremental" is true by construction and checked by
tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

import lmdb
import msgspec

T = TypeVar("T")


class _Lookups(Generic[T]):
    """``[key]`` and ``in`` from ``get``."""

    def get(self, key: bytes, default: T | None = None) -> T | None:
        raise NotImplementedError

    def __getitem__(self, key: bytes) -> T:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None


class TxnTable(_Lookups[T]):
    """A dict-like view of one LMDB database inside a transaction; values are msgspec Structs."""

    def __init__(self, txn: lmdb.Transaction, db: Any, type_: type[T]) -> None:
        self.txn, self.db = txn, db
        self.decode = msgspec.msgpack.Decoder(type_).decode
        self.encode = msgspec.msgpack.Encoder().encode

    def get(self, key: bytes, default: T | None = None) -> T | None:
        raw = self.txn.get(key, db=self.db)
        return self.decode(raw) if raw is not None else default

    def __setitem__(self, key: bytes, value: T) -> None:
        self.txn.put(key, self.encode(value), db=self.db)

    def __contains__(self, key: bytes) -> bool:
        return self.txn.get(key, db=self.db) is not None

    def __iter__(self) -> Iterator[bytes]:
        return self.keys()

    def keys(self, prefix: bytes = b"") -> Iterator[bytes]:
        cursor = self.txn.cursor(db=self.db)
        if not cursor.set_range(prefix):
            return
        for key in cursor.iternext(keys=True, values=False):
            if not key.startswith(prefix):
                return
            yield key

    def raw_items(self) -> Iterator[tuple[bytes, bytes]]:
        """Every (key, stored bytes), undecoded."""
        return iter(self.txn.cursor(db=self.db))

    def items(self, prefix: bytes = b"") -> Iterator[tuple[bytes, T]]:
        cursor = self.txn.cursor(db=self.db)
        if not cursor.set_range(prefix):
            return
        for key, raw in cursor:
            if not key.startswith(prefix):
                return
            yield key, self.decode(raw)


class WriteBack(_Lookups[T]):
    """A ``TxnTable`` read through and written back once: folding many events into the same
    entries (a catch-up of a year of syncs) costs one LMDB read and one write per entry, not
    a read, a decode, an encode and a write per event."""

    def __init__(self, table: TxnTable[T]) -> None:
        self.table = table
        self.cache: dict[bytes, T | None] = {}
        self.dirty: set[bytes] = set()

    def get(self, key: bytes, default: T | None = None) -> T | None:
        if key in self.cache:
            value = self.cache[key]
        else:
            value = self.cache[key] = self.table.get(key)
        return default if value is None else value

    def __setitem__(self, key: bytes, value: T) -> None:
        self.cache[key] = value
        self.dirty.add(key)

    def flush(self) -> None:
        for key in sorted(self.dirty):
            self.table[key] = self.cache[key]
        self.dirty.clear()
