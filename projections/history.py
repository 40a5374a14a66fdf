"""The history of one package or grid: every event that touched it, with field diffs.

Built by folding the target's own stream in memory and comparing the view before and after
each event, so upstream changes, edits, undos and redos all show the same way: field ->
before/after as the user saw it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec

from eventstore import (
    Edited,
    Envelope,
    FieldChange,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    Redone,
    SyncStarted,
    Undone,
)
from projections.fold import Tables, fold
from projections.view import grid_view, package_view

KINDS = {
    RecordSeen: "first seen",
    RecordChanged: "changed upstream",
    RecordVanished: "vanished",
    Edited: "edit",
    Undone: "undo",
    Redone: "redo",
}


class HistoryItem(msgspec.Struct, kw_only=True):
    seq: int
    recorded_at: datetime
    type: str
    kind: str  # first seen, seen again, changed upstream, vanished, edit, undo, redo
    changes: dict[str, FieldChange]
    sync_id: str | None = None
    sync_source: str | None = None
    note: str | None = None
    edit_seq: int | None = None  # for undo and redo: the edit they act on
    undone: bool = False  # for edits and redos: no longer in force


def _view_values(tables: Tables, key: str) -> dict[str, Any]:
    raw = key.encode()
    if key.startswith("package:"):
        view = package_view(tables.upstream.get(raw), tables.local.get(raw))
    else:
        view = grid_view(key, tables.upstream.get(raw), tables.local.get(raw))
    return view.flat() if view is not None else {}


def history(
    key: str,
    envelopes: Iterable[Envelope],
    syncs: dict[str, SyncStarted] | None = None,
) -> list[HistoryItem]:
    """``envelopes``: the target's stream, oldest first (``Store.read_stream``)."""
    syncs = syncs or {}
    tables = Tables()
    before = {}
    items: list[HistoryItem] = []
    undone: set[int] = set()
    for envelope in envelopes:
        event = envelope.event
        fold(tables, envelope)
        after = _view_values(tables, key)
        changes = {
            name: FieldChange(before=before.get(name), after=value)
            for name, value in after.items()
            if before.get(name) != value
        }
        changes.update(
            (name, FieldChange(before=value, after=None))
            for name, value in before.items()
            if name not in after
        )
        before = after
        kind = KINDS.get(type(event), type(event).__name__)
        if isinstance(event, RecordSeen) and event.again:
            kind = "seen again"
        sync_id = getattr(event, "sync_id", None)
        started = syncs.get(sync_id) if sync_id else None
        item = HistoryItem(
            seq=envelope.seq,
            recorded_at=envelope.recorded_at,
            type=envelope.type,
            kind=kind,
            changes=changes,
            sync_id=sync_id,
            sync_source=started.source if started else None,
            note=getattr(event, "note", None),
            edit_seq=getattr(event, "edit_seq", None),
        )
        if isinstance(event, Undone):
            undone.add(event.edit_seq)
        elif isinstance(event, Redone):
            undone.discard(event.edit_seq)
        items.append(item)
    for item in items:
        item.undone = item.type in ("Edited", "Redone") and item.seq in undone
    return items


def series(items: list[HistoryItem], name: str) -> list[tuple[int, datetime, Any]]:
    """(seq, time, value) each time a field's value changed: e.g. watchers over syncs."""
    return [
        (item.seq, item.recorded_at, item.changes[name].after)
        for item in items
        if name in item.changes and item.changes[name].after is not None
    ]
