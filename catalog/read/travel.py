"""Stepping through the log one event at a time, without refolding it.

A step forward folds the one event. A step back un-applies it: every table entry an event
touches belongs to its own stream (``package:N``'s upstream and local entries, a project's
PyPI facts), so the entry as it was before the event is the fold of that stream's earlier
events alone: a few hundred events at most in a year of daily syncs, not the million before
it. The slug index is put back the same way. The edit log (what undo and redo would take) is
not replayed into the past: nothing is edited there.

Leaving the present does not copy the catalogue: the past is the present's tables under an
``Overlay`` that holds only the entries the steps changed (copy on write), so returning to the
present is dropping the overlay.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import msgspec

from eventstore import (
    Edited,
    Envelope,
    PypiObserved,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    Redone,
    ReleaseObserved,
    Store,
    Undone,
)
from projections.fold import EDIT_LOG, Tables, fold, release_key
from projections.targets import raw_key

_DELETED = object()


class Overlay(MutableMapping):
    """A table seen through the changes made on top of it; ``base`` is never written."""

    __slots__ = ("base", "changes")

    def __init__(self, base: MutableMapping) -> None:
        self.base = base
        self.changes: dict = {}

    def __getitem__(self, key):
        if key in self.changes:
            value = self.changes[key]
            if value is _DELETED:
                raise KeyError(key)
            return value
        return self.base[key]

    def get(self, key, default=None):
        value = self.changes.get(key, self)
        if value is self:
            return self.base.get(key, default)
        return default if value is _DELETED else value

    def __contains__(self, key) -> bool:
        value = self.changes.get(key, self)
        return key in self.base if value is self else value is not _DELETED

    def __setitem__(self, key, value) -> None:
        self.changes[key] = value

    def __delitem__(self, key) -> None:
        if key not in self:
            raise KeyError(key)
        self.changes[key] = _DELETED

    def __iter__(self) -> Iterator:
        changes = self.changes
        for key in self.base:
            if changes.get(key, self) is not _DELETED:
                yield key
        for key, value in changes.items():
            if value is not _DELETED and key not in self.base:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def own(self, key) -> None:
        """Make the entry at ``key`` a private copy, so folding into it leaves ``base``
        alone (entries are mutable Structs)."""
        if key in self.changes or key not in self.base:
            return
        value = self.base[key]
        if isinstance(value, msgspec.Struct):
            value = msgspec.msgpack.decode(msgspec.msgpack.encode(value), type=type(value))
        self.changes[key] = value


def overlaid(tables: Tables) -> Tables:
    """``tables`` under an overlay each: what the past starts from when leaving the present."""
    return Tables(**{name: Overlay(getattr(tables, name)) for name in vars(tables)})


def touched(event: Any) -> list[tuple[str, bytes]]:
    """(table, key) of every entry an event's fold changes, the slug index and edit log
    aside."""
    kind = type(event)
    if kind is RecordChanged or kind is RecordVanished:
        return [("upstream", raw_key(event.resource, event.id))]
    if kind is RecordSeen:
        return [("upstream", raw_key(event.resource, event.record.id))]
    if kind is Edited or kind is Undone or kind is Redone:
        return [("local", event.target.encode())]
    if kind is PypiObserved:
        return [("pypi", event.target.encode())]
    if kind is ReleaseObserved:
        return [("releases", release_key(event.name, event.version))]
    return []


def _slugs_set(event: Any) -> list[str]:
    """The slugs an upstream event points at its record."""
    if type(event) is RecordSeen:
        return [event.record.slug]
    if type(event) is RecordChanged and "slug" in event.changes:
        return [event.changes["slug"].after]
    return []


def apply(tables: Tables, envelope: Envelope) -> None:
    """One step forward: fold the event, copying first what it would change in place."""
    for name, key in touched(envelope.event):
        table = getattr(tables, name)
        if isinstance(table, Overlay):
            table.own(key)
    if isinstance(tables.editlog, Overlay):
        tables.editlog.own(EDIT_LOG)
    fold(tables, envelope)


def unapply(tables: Tables, store: Store, envelope: Envelope) -> None:
    """One step back: put every entry the event changed back as it was before it."""
    event = envelope.event
    entries = touched(event)
    if not entries:
        return  # a sync's start or end: it changed no table
    before = Tables()
    earlier_slugs: set[str] = set()
    if envelope.version > 1:
        for older in store.read_stream(envelope.stream, 1, envelope.version - 1):
            fold(before, older)
            earlier_slugs.update(_slugs_set(older.event))
    for name, key in entries:
        table = getattr(tables, name)
        value = getattr(before, name).get(key)
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    for slug in _slugs_set(event):
        if slug not in earlier_slugs:  # this event gave the record that slug
            slug_key = raw_key(event.resource, slug)
            if tables.slugs.get(slug_key) == entries[0][1].decode():
                tables.slugs.pop(slug_key, None)
