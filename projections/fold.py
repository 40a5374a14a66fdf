"""The pure fold of the log into the catalogue: upstream records and the local overlay.

One function, ``fold``, applied to tables that are plain dicts (rebuild, time travel,
history) or dict-like views of LMDB databases inside a write transaction (incremental
maintenance). Rows are mutated in place and always written back, so both kinds of table see
the same result.

Tables:
- ``upstream``: ``b"package:3324"`` (grid, category likewise) -> ``UpstreamEntry``
- ``local``: a target (``b"package:3324"``, ``b"grid:438"``, ``b"localgrid:mine"``) ->
  ``LocalEntry`` (the edits in force);
- ``editlog``: ``EDIT_LOG`` -> ``EditLog`` (what undo and redo take when no sequence is given);
- ``slugs``: ``b"package:django-redis"`` -> ``"package:3324"`` (upstream slugs, for lookups);
- ``pypi``: a target -> the newest ``PypiObserved`` of its project;
- ``releases``: ``b"NAME==VERSION"`` -> the newest ``ReleaseObserved`` of that release.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from eventstore import (
    Edited,
    Envelope,
    PypiObserved,
    Record,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    Redone,
    ReleaseObserved,
    Undone,
)
from projections.targets import key_of, raw_key

EDIT_LOG = b"~editlog"


class UpstreamEntry(msgspec.Struct, kw_only=True):
    record: Record
    vanished: bool = False
    changed_at: dict[str, int] = {}  # field -> sequence of its newest upstream change


class ActiveEdit(msgspec.Struct, kw_only=True):
    """An edit (or redo) in force: the values it set, and the fields it gave back to
    upstream (``Edited.revert``)."""

    seq: int
    values: dict[str, Any]
    reverts: list[str] = []


class LocalEntry(msgspec.Struct, kw_only=True):
    edits: list[ActiveEdit] = []  # in force, oldest first

    def value(self, name: str) -> tuple[Any, int] | None:
        """(value, sequence of the edit that set it) for an overridden field."""
        for edit in reversed(self.edits):
            if name in edit.reverts:
                return None
            if name in edit.values:
                return edit.values[name], edit.seq
        return None


class PypiEntry(msgspec.Struct, kw_only=True):
    """The newest thing PyPI said of a package's project, and the event that said it."""

    observed: PypiObserved
    seq: int


class ReleaseEntry(msgspec.Struct, kw_only=True):
    """The newest thing PyPI said of one release (``b"NAME==VERSION"``)."""

    observed: ReleaseObserved
    seq: int


def release_key(name: str, version: str) -> bytes:
    return f"{name}=={version}".encode()


class EditLog(msgspec.Struct, kw_only=True):
    active: list[tuple[int, str]] = []  # edits in force, oldest first: (seq, target)
    redo: list[tuple[int, str]] = []  # undone edits that redo can bring back, newest last


@dataclass
class Tables:
    upstream: MutableMapping[bytes, UpstreamEntry] = field(default_factory=dict)
    local: MutableMapping[bytes, LocalEntry] = field(default_factory=dict)
    editlog: MutableMapping[bytes, EditLog] = field(default_factory=dict)
    slugs: MutableMapping[bytes, str] = field(default_factory=dict)  # b"package:SLUG" -> key
    pypi: MutableMapping[bytes, PypiEntry] = field(default_factory=dict)  # b"package:N" -> ...
    releases: MutableMapping[bytes, ReleaseEntry] = field(default_factory=dict)  # b"N==V"


#: The value type of each table, for whoever stores or freezes them.
TABLE_TYPES: dict[str, type] = {
    "upstream": UpstreamEntry,
    "local": LocalEntry,
    "editlog": EditLog,
    "slugs": str,
    "pypi": PypiEntry,
    "releases": ReleaseEntry,
}


def fold(tables: Tables, envelope: Envelope) -> None:
    """Apply one event (events that change no view, such as sync events, are ignored)."""
    event = envelope.event
    kind = type(event)
    if kind is RecordChanged:  # the common case, inlined: rebuilds fold millions of these
        key = raw_key(event.resource, event.id)
        upstream = tables.upstream
        entry = upstream.get(key)
        if entry is not None:
            seq = envelope.seq
            record, changed_at = entry.record, entry.changed_at
            for name, change in event.changes.items():
                setattr(record, name, change.after)
                changed_at[name] = seq
            upstream[key] = entry
            if "slug" in event.changes:  # renamed upstream: the new slug finds it too
                tables.slugs[raw_key(event.resource, record.slug)] = key.decode()
    elif kind is RecordSeen:
        _seen(tables.upstream, event, envelope.seq)
        record = event.record
        tables.slugs[raw_key(event.resource, record.slug)] = key_of(event.resource, record.id)
    elif kind is RecordVanished:
        key = raw_key(event.resource, event.id)
        entry = tables.upstream.get(key)
        if entry is not None:
            entry.vanished = True
            tables.upstream[key] = entry
    elif kind is Edited or kind is Redone or kind is Undone:
        fold_local(tables.local, tables.editlog, envelope)
    elif kind is PypiObserved:
        tables.pypi[event.target.encode()] = PypiEntry(observed=event, seq=envelope.seq)
    elif kind is ReleaseObserved:
        key = release_key(event.name, event.version)
        tables.releases[key] = ReleaseEntry(observed=event, seq=envelope.seq)


def _seen(table, event: RecordSeen, seq: int) -> None:
    key = raw_key(event.resource, event.record.id)
    record = msgspec.structs.replace(event.record)  # never share the event's own object
    old = table.get(key)
    if old is None:
        table[key] = UpstreamEntry(record=record)
        return
    changed_at = dict(old.changed_at)
    for name in record.__struct_fields__:
        if getattr(old.record, name) != getattr(record, name):
            changed_at[name] = seq
    old.record, old.vanished, old.changed_at = record, False, changed_at
    table[key] = old


def _drop_newest(items: list, seq: int, seq_of: Callable[[Any], int]) -> None:
    """Remove the item of ``seq`` (sequences are unique), looking from the newest."""
    for i in range(len(items) - 1, -1, -1):
        if seq_of(items[i]) == seq:
            del items[i]
            return


def fold_local(
    table: MutableMapping[bytes, LocalEntry],
    editlog: MutableMapping[bytes, EditLog],
    envelope: Envelope,
) -> None:
    event = envelope.event
    key = event.target.encode()
    entry = table.get(key) or LocalEntry()
    log = editlog.get(EDIT_LOG) or EditLog()
    seq = envelope.seq
    if isinstance(event, Undone):
        # the undone edit is most often a recent one: looked for from the end (rebuilding the
        # lists made an import of 20,000 edits with their undos quadratic)
        _drop_newest(entry.edits, event.edit_seq, lambda e: e.seq)
        _drop_newest(log.active, event.edit_seq, lambda a: a[0])
        log.redo.append((event.edit_seq, event.target))
    else:
        reverts = list(event.revert)
        values = {n: change.after for n, change in event.changes.items() if n not in reverts}
        entry.edits.append(ActiveEdit(seq=seq, values=values, reverts=reverts))
        log.active.append((seq, event.target))
        if isinstance(event, Redone):
            log.redo = [r for r in log.redo if r[0] != event.edit_seq]
        else:
            log.redo = []  # a new edit ends what redo could bring back
    table[key] = entry
    editlog[EDIT_LOG] = log
