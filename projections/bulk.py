"""Folding a long run of the log (a rebuild, a verify, a large catch-up) fast, in parallel.

Most of a year of history is upstream changes of known records, and what the tables keep of
those is, per record and field, the newest value and its sequence. So a range of the log is
reduced to **ops**, independent of the state before the range:

- ``(key, {field: seq})``: the newest change of each field of record ``key`` in a run of
  plain changes (values are not decoded: each change is read as raw bytes);
- ``(seq, key)``: fold event ``seq`` as ``fold`` does (a record seen, renamed or vanished, an
  edit, a PyPI fact, an event of an older schema), after the pending changes of ``key``
  (``None``: it touches no upstream record; ``ALL``: it may touch any). Of the PyPI facts of
  one package (or one release) in a range, only the newest is folded: each replaces the one
  before, and no other event reads them.

Ranges are reduced in worker processes (``eventstore.scan``) and merged in order by an
``Applier`` that keeps merging changes until an event needs them, then reads only the
newest value of each field. The result equals ``fold`` over every event (a property test
checks it on random logs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any, Union

import lmdb
import msgspec

from eventstore import SCHEMA_VERSION, decode_for_fold, pack_u64
from eventstore.events import (
    EVENT_TYPES,
    PypiObserved,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    ReleaseObserved,
)
from eventstore.verify import CheckedChange, RangeCheck, checked_events
from projections.fold import Tables, fold
from projections.targets import raw_key

ALL = b"*"  # an op's key when the event could not be read lightly: flush everything first
#: (compared by value: ops from a worker process arrive unpickled, as new objects)

Op = tuple[Any, Any]


class _Id(msgspec.Struct, gc=False):
    id: int


class _Seen(msgspec.Struct, tag="RecordSeen", gc=False):
    resource: str
    record: _Id


class _Changed(msgspec.Struct, tag="RecordChanged", gc=False):
    resource: str
    id: int
    changes: dict[str, msgspec.Raw]  # values skipped over, not built


class _Vanished(msgspec.Struct, tag="RecordVanished", gc=False):
    resource: str
    id: int


class _Pypi(msgspec.Struct, tag="PypiObserved", gc=False):
    target: str


class _Release(msgspec.Struct, tag="ReleaseObserved", gc=False):
    name: str
    version: str


#: Events that touch no upstream record: only their tag is read.
_ELSEWHERE = {"SyncStarted", "SyncFinished", "Edited", "Undone", "Redone"}
_IGNORED = {"SyncStarted", "SyncFinished"}  # ``fold`` does nothing with these
_TAGS = [msgspec.defstruct(f"_{tag}", [], tag=tag, gc=False) for tag in sorted(_ELSEWHERE)]
_OVERWRITING = {"PypiObserved", "ReleaseObserved"}
assert set(EVENT_TYPES) == _ELSEWHERE | _OVERWRITING | {
    "RecordSeen",
    "RecordChanged",
    "RecordVanished",
}


_Event = Union[(_Seen, _Changed, _Vanished, _Pypi, _Release, *_TAGS)]  # the tags built above


class _Envelope(msgspec.Struct, gc=False):  # decoded data holds no cycles
    seq: int
    schema: int
    event: _Event


_light = msgspec.msgpack.Decoder(_Envelope).decode
_CHANGED = frozenset((_Changed, CheckedChange, RecordChanged))
_SEEN = frozenset((_Seen, RecordSeen))
_VANISHED = frozenset((_Vanished, RecordVanished))
_PYPI = frozenset((_Pypi, PypiObserved))
_RELEASE = frozenset((_Release, ReleaseObserved))
_IGNORED_TYPES = frozenset(
    t for t in (*_TAGS, *EVENT_TYPES.values()) if t.__struct_config__.tag in _IGNORED
)


class Reducer:
    """Reduces events, in log order, to ops."""

    def __init__(self) -> None:
        self.ops: list[Op] = []
        #: resource -> record id -> {field: seq of its newest change}, not yet in ``ops``
        self.pending: dict[str, dict[int, dict[str, int]]] = {}
        #: the newest PyPI fact of each package and of each release, not yet in ``ops``: a
        #: fact replaces the one before it, and nothing else reads them, so only the newest
        #: of a range is folded (a year of daily PyPI refreshes holds many of each)
        self.newest_facts: dict[Any, int] = {}

    def consume(self, envelopes: Iterable[Any]) -> None:
        """Events in log order, read lightly (``_Envelope``) or in full (``verify`` decodes
        every event: an ``Envelope`` whose changes are ``CheckedChange`` or ``RecordChanged``).
        A plain change (most of a year of history) is merged here, inline: a call per event
        costs as much as the merge."""
        pending, other, changed = self.pending, self.add, _CHANGED
        for envelope in envelopes:
            event = envelope.event
            if type(event) in changed:
                changes = event.changes
                if "slug" not in changes:
                    by_id = pending.get(event.resource)
                    if by_id is None:
                        by_id = pending[event.resource] = {}
                    fields = by_id.get(event.id)
                    seq = envelope.seq
                    if fields is None:
                        by_id[event.id] = dict.fromkeys(changes, seq)
                    else:  # a loop beats dict.update(dict.fromkeys()) for one or two fields
                        for name in changes:
                            fields[name] = seq
                    continue
            other(envelope)

    def add(self, envelope: Any) -> None:
        """One event that is not a plain change (``consume`` merges those): a rename, a
        record seen or vanished, or one that touches no upstream record."""
        event = envelope.event
        kind = type(event)
        if kind in _CHANGED:  # a change of the slug: the slugs index follows it
            self.upstream(envelope.seq, event.resource, event.id)
        elif kind in _SEEN:
            self.upstream(envelope.seq, event.resource, event.record.id)
        elif kind in _VANISHED:
            self.upstream(envelope.seq, event.resource, event.id)
        elif kind in _PYPI:
            self.newest_facts[event.target] = envelope.seq
        elif kind in _RELEASE:
            self.newest_facts[(event.name, event.version)] = envelope.seq
        elif kind not in _IGNORED_TYPES:
            self.ops.append((envelope.seq, None))

    def upstream(self, seq: int, resource: str, ident: int) -> None:
        """Event ``seq`` touches record (resource, ident): its pending changes go first."""
        key = raw_key(resource, ident)
        fields = self.pending.get(resource, {}).pop(ident, None)
        if fields:
            self.ops.append((key, fields))
        self.ops.append((seq, key))

    def unknown(self, seq: int) -> None:
        """Event ``seq`` could not be read lightly: everything pending goes first."""
        self.flush()
        self.ops.append((seq, ALL))

    def flush(self) -> list[Op]:
        for resource, by_id in self.pending.items():
            self.ops.extend((raw_key(resource, ident), fields) for ident, fields in by_id.items())
        self.pending.clear()
        self.ops.extend((seq, None) for seq in sorted(self.newest_facts.values()))
        self.newest_facts.clear()
        return self.ops


def _light_events(
    txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int, reducer: Reducer
) -> Iterator[Any]:
    """Events ``lo..hi`` read lightly; one that cannot be goes to ``reducer.unknown``."""
    cursor = txn.cursor(db=dbs[b"log"])
    if not cursor.set_range(pack_u64(lo)):
        return
    decode, unknown, current = _light, reducer.unknown, SCHEMA_VERSION
    seq = lo  # sequences are gap-free (verify checks it)
    for raw in cursor.iternext(keys=False, values=True):
        if seq > hi:
            break
        try:
            envelope = decode(raw)
        except msgspec.DecodeError:  # read in full (or refused) when applied
            unknown(seq)
        else:
            if envelope.schema == current and envelope.seq == seq:
                yield envelope
            else:  # an older schema (upcast when applied), or a damaged log
                unknown(seq)
        seq += 1


def reduce_task(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> list[Op]:
    """The ops of events ``lo..hi`` (a task for ``eventstore.scan``)."""
    reducer = Reducer()
    reducer.consume(_light_events(txn, dbs, lo, hi, reducer))
    return reducer.flush()


def verify_task(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> tuple:
    """The checks of events ``lo..hi`` (``checked_events``) and their ops, from one decoding
    of each."""
    reducer = Reducer()
    check = RangeCheck(lo, hi, versions={}, problems=[])
    reducer.consume(checked_events(txn, dbs, check))
    return check, reducer.flush()


class Applier:
    """Applies ops, range after range, to ``tables``; ``read(seq)`` gives a stored event's
    raw bytes. Changes are merged until an event on their record needs them (or ``finish``),
    so each field's value is decoded once."""

    def __init__(self, tables: Tables, read: Callable[[int], bytes | memoryview | None]) -> None:
        self.tables = tables
        self.read = read
        self.pending: dict[bytes, dict[str, int]] = {}

    def apply(self, ops: Iterable[Op]) -> None:
        pending, tables = self.pending, self.tables
        for first, second in ops:
            if type(first) is bytes:  # (key, {field: seq})
                fields = pending.get(first)
                if fields is None:
                    pending[first] = second
                else:
                    fields.update(second)
                continue
            if second == ALL:
                self.finish()
            elif second is not None:
                self._flush(second)
            fold(tables, self._envelope(first))

    def finish(self) -> None:
        for key in list(self.pending):
            self._flush(key)

    def _envelope(self, seq: int) -> Any:
        raw = self.read(seq)
        if raw is None:
            raise msgspec.DecodeError(f"event {seq} is missing from the log")
        return decode_for_fold(raw)

    def _flush(self, key: bytes) -> None:
        fields = self.pending.pop(key, None)
        if not fields:
            return
        upstream: MutableMapping = self.tables.upstream
        entry = upstream.get(key)
        if entry is None:
            return  # not seen (yet): ``fold`` ignores changes of unknown records
        record, changed_at = entry.record, entry.changed_at
        decoded: dict[int, Any] = {}
        for name, seq in fields.items():
            changes = decoded.get(seq)
            if changes is None:
                changes = decoded[seq] = self._envelope(seq).event.changes
            setattr(record, name, changes[name].after)
            changed_at[name] = seq
        upstream[key] = entry
