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
    PypiObserved,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    Redone,
    ReleaseObserved,
    SyncStarted,
    Undone,
)
from projections.fold import Tables, fold, release_key
from projections.targets import Target
from projections.view import LOCAL_PACKAGE_FIELDS, view_values

KINDS = {
    RecordSeen: "first seen",
    RecordChanged: "changed upstream",
    RecordVanished: "vanished",
    Edited: "edit",
    Undone: "undo",
    Redone: "redo",
    PypiObserved: "PyPI",
    ReleaseObserved: "PyPI release",
}


def pypi_values(observed: PypiObserved | None) -> dict[str, Any]:
    """What a history shows of PyPI's facts, by name (``pypi.latest``, ``pypi.license``...)."""
    if observed is None:
        return {}
    facts = observed.facts
    values: dict[str, Any] = {"pypi.state": observed.state}
    if facts is not None:
        values.update(
            {
                "pypi.latest": facts.latest or None,
                "pypi.license": facts.license_expression or facts.license or None,
                "pypi.requires_python": facts.requires_python or None,
                "pypi.yanked": facts.yanked,
                "pypi.advisories": sorted(a.id for a in facts.vulnerabilities),
                "pypi.django": [
                    c for c in facts.classifiers if c.startswith("Framework :: Django")
                ],
            }
        )
    return values


def release_values(observed: ReleaseObserved | None) -> dict[str, Any]:
    """What a history shows of what PyPI says of one pinned release (``release.yanked``...)."""
    if observed is None:
        return {}
    values: dict[str, Any] = {"release.state": observed.state}
    if observed.state == "ok":
        values["release.yanked"] = observed.yanked
        values["release.advisories"] = sorted(a.id for a in observed.vulnerabilities)
        if observed.metadata:
            values["release.django"] = [
                c for c in observed.classifiers if c.startswith("Framework :: Django")
            ]
    return values


def _pypi_changes(
    tables: Tables, raw: bytes, event: PypiObserved | ReleaseObserved
) -> dict[str, FieldChange]:
    """PyPI's facts (of the project, or of one release) before and after an observation
    (read before it is folded)."""
    if isinstance(event, ReleaseObserved):
        entry = tables.releases.get(release_key(event.name, event.version))
        before = release_values(entry.observed if entry is not None else None)
        after = release_values(event)
    else:
        entry = tables.pypi.get(raw)
        before = pypi_values(entry.observed if entry is not None else None)
        after = pypi_values(event)
    return {
        name: FieldChange(before=before.get(name), after=after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
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
    undoable: bool = False  # an edit or a redo: an event that undo can take back
    undone: bool = False  # for edits and redos: no longer in force


def _package_value(tables: Tables, raw: bytes, name: str) -> Any:
    """One field of a package's view, without building the whole view."""
    local = tables.local.get(raw)
    if local is not None:
        found = local.value(name)
        if found is not None:
            return found[0]
    if name in LOCAL_PACKAGE_FIELDS:
        return LOCAL_PACKAGE_FIELDS[name]
    up = tables.upstream.get(raw)
    if up is None:
        return None
    return up.vanished if name == "vanished" else getattr(up.record, name, None)


def _touched(tables: Tables, raw: bytes, event) -> list[str] | None:
    """The fields an event can change, or None when it may change any (first seen)."""
    if isinstance(event, RecordChanged | Edited | Redone):
        return list(event.changes)
    if isinstance(event, RecordVanished):
        return ["vanished"]
    if isinstance(event, PypiObserved | ReleaseObserved):
        return []  # no field of the view: its own changes are worked out apart
    if isinstance(event, Undone):
        local = tables.local.get(raw)
        edit = next((e for e in local.edits if e.seq == event.edit_seq), None) if local else None
        return [*edit.values, *edit.reverts] if edit is not None else []
    return None


def history(
    target: Target,
    envelopes: Iterable[Envelope],
    syncs: dict[str, SyncStarted] | None = None,
) -> list[HistoryItem]:
    """``envelopes``: the target's stream, oldest first (``Store.read_stream``).

    For a package, only the fields an event touches are compared (a history of thousands of
    events stays fast); other targets compare their whole view.
    """
    syncs = syncs or {}
    tables = Tables()
    raw = target.raw
    fast = target.kind == "package"
    before: dict[str, Any] = {}
    items: list[HistoryItem] = []
    undone: set[int] = set()
    for envelope in envelopes:
        event = envelope.event
        observed = isinstance(event, PypiObserved | ReleaseObserved)
        pypi = _pypi_changes(tables, raw, event) if observed else None
        touched = _touched(tables, raw, event) if fast else None
        if touched is None:
            before = view_values(tables, target)
            fold(tables, envelope)
            after = view_values(tables, target)
            names = set(before) | set(after)
        else:
            before = {name: _package_value(tables, raw, name) for name in touched}
            fold(tables, envelope)
            after = {name: _package_value(tables, raw, name) for name in touched}
            names = set(touched)
        changes = {
            name: FieldChange(before=before.get(name), after=after.get(name))
            for name in sorted(names)
            if before.get(name) != after.get(name)
        }
        came_or_went = touched is None and not fast and bool(before) != bool(after)
        if came_or_went:  # a grid or stack created or deleted: the fields it has, not its
            # empty defaults ("id: — → 0", "is_locked: — → False")
            changes = {n: c for n, c in changes.items() if c.before or c.after}
        if isinstance(event, RecordChanged):
            # upstream's own before/after, even where a local edit hides it in the view:
            # that is how a user sees "upstream changed this since you edited it"
            changes = dict(sorted(event.changes.items()))
        if pypi is not None:
            changes = pypi
        kind = KINDS.get(type(event), type(event).__name__)
        if came_or_went and isinstance(event, Edited):
            kind = "created" if after else "deleted"
        if isinstance(event, ReleaseObserved):
            kind += f" {event.version}"
        if isinstance(event, RecordSeen) and event.again:
            kind = "seen again"
        sync_id = getattr(event, "sync_id", None)
        started = syncs.get(sync_id) if sync_id else None
        items.append(
            HistoryItem(
                seq=envelope.seq,
                recorded_at=envelope.recorded_at,
                type=envelope.type,
                kind=kind,
                changes=changes,
                sync_id=sync_id,
                sync_source=started.source if started else None,
                note=getattr(event, "note", None),
                edit_seq=getattr(event, "edit_seq", None),
                undoable=isinstance(event, Edited | Redone),
            )
        )
        if isinstance(event, Undone):
            undone.add(event.edit_seq)
        elif isinstance(event, Redone):
            undone.discard(event.edit_seq)
    for item in items:
        item.undone = item.undoable and item.seq in undone
    return items


def history_by_full_diff(
    target: Target, envelopes: Iterable[Envelope]
) -> list[dict[str, FieldChange]]:
    """The field changes of each event by comparing whole views (the slow, obvious way;
    upstream changes as upstream gave them); tests check ``history`` against it."""
    tables = Tables()
    out = []
    for envelope in envelopes:
        if isinstance(envelope.event, PypiObserved | ReleaseObserved):
            out.append(_pypi_changes(tables, target.raw, envelope.event))
            fold(tables, envelope)
            continue
        before = view_values(tables, target)
        fold(tables, envelope)
        after = view_values(tables, target)
        if isinstance(envelope.event, RecordChanged):
            out.append(dict(sorted(envelope.event.changes.items())))
            continue
        out.append(
            {
                name: FieldChange(before=before.get(name), after=after.get(name))
                for name in sorted(set(before) | set(after))
                if before.get(name) != after.get(name)
            }
        )
    return out


def series(items: list[HistoryItem], name: str) -> list[tuple[int, datetime, Any]]:
    """(seq, time, value) each time a field's value changed: e.g. watchers over syncs."""
    return [
        (item.seq, item.recorded_at, item.changes[name].after)
        for item in items
        if name in item.changes and item.changes[name].after is not None
    ]
