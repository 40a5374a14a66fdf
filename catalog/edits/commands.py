"""Local edits as commands: validate, then append one durable event (or nothing at all).

Every command runs inside one write transaction: it reads the current view from the
persisted projection, validates, appends one ``Edited`` / ``Undone`` / ``Redone`` event to
the target's stream, and the projection folds it before the commit. Failures raise
``EditError`` with one line for the user, and append nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.catalog import Catalog
from catalog.edits.validation import (
    GRID_FIELDS,
    PACKAGE_FIELDS,
    SLUG,
    EditError,
    check_note,
    field_changes,
)
from catalog.read.lookup import find_grid, find_package, grids
from eventstore import Edited, Envelope, FieldChange, Redone, Undone, WriteTransaction
from projections.fold import EDIT_LOG, EditLog, LocalEntry, Tables
from projections.targets import Target
from projections.view import GridView, PackageView, view_values

# --- resolving targets inside a transaction ---------------------------------------------


def _tables(catalog: Catalog, tx: WriteTransaction) -> Tables:
    return catalog.projection.tables(tx.txn)


def _package_target(tables: Tables, key: str) -> PackageView:
    view = find_package(tables, key)
    if view is None:
        raise EditError(f"no package {key!r} in the catalogue")
    return view


def _grid_target(tables: Tables, key: str) -> GridView:
    view = find_grid(tables, key)
    if view is None:
        raise EditError(f"no grid {key!r} in the catalogue")
    return view


# --- commands ---------------------------------------------------------------------------


def edit_package(
    catalog: Catalog, key: str, fields: Mapping[str, Any], note: str | None = None
) -> Envelope:
    """Edit fields of a package (catalogue fields and notes/tags/status); returns the
    appended event."""
    return _edit(catalog, "package", key, fields, note)


def edit_grid(
    catalog: Catalog, key: str, fields: Mapping[str, Any], note: str | None = None
) -> Envelope:
    """Edit a grid's title, description or notes; returns the appended event."""
    return _edit(catalog, "grid", key, fields, note)


def _edit(catalog: Catalog, resource: str, key: str, fields: Mapping[str, Any], note) -> Envelope:
    note = check_note(note)
    find, allowed = {
        "package": (_package_target, PACKAGE_FIELDS),
        "grid": (_grid_target, GRID_FIELDS),
    }[resource]

    def body(tx: WriteTransaction) -> Envelope:
        tables = _tables(catalog, tx)
        view = find(tables, key)
        changes = field_changes(view.flat(), fields, allowed, resource, tables)
        return tx.append_event(view.key, Edited(target=view.key, changes=changes, note=note))

    return catalog.store.transaction(body)


def change_grid_members(
    catalog: Catalog, key: str, add: list[str] = (), remove: list[str] = (), note: str | None = None
) -> Envelope:
    """Add packages to a grid and remove others, as one edit."""
    note = check_note(note)
    if not add and not remove:
        raise EditError("name at least one package to add or remove")

    def body(tx: WriteTransaction) -> Envelope:
        tables = _tables(catalog, tx)
        view = _grid_target(tables, key)
        local = tables.local.get(view.key.encode()) or LocalEntry()
        current = {n: list((local.value(n) or ([], 0))[0] or []) for n in ("added", "removed")}
        members = set(view.record.packages)
        added, removed = set(current["added"]), set(current["removed"])
        upstream = set()
        if not view.local:
            up = tables.upstream.get(view.key.encode())
            upstream = set(up.record.packages) if up else set()
        for pkg_key in add:
            pid = _package_target(tables, pkg_key).record.id
            if pid in members:
                raise EditError(f"package {pkg_key!r} is already in grid {view.record.slug!r}")
            removed.discard(pid)
            if pid not in upstream:
                added.add(pid)
            members.add(pid)
        for pkg_key in remove:
            text = str(pkg_key).strip()
            if text.isdigit() and int(text) in members:
                pid = int(text)  # a member the catalogue has not fetched yet
            else:
                pid = _package_target(tables, pkg_key).record.id
            if pid not in members:
                raise EditError(f"package {pkg_key!r} is not in grid {view.record.slug!r}")
            added.discard(pid)
            if pid in upstream or not view.local:
                removed.add(pid)
            members.discard(pid)
        new = {"added": sorted(added), "removed": sorted(removed)}
        changes = {
            n: FieldChange(before=sorted(current[n]), after=new[n])
            for n in ("added", "removed")
            if sorted(current[n]) != new[n]
        }
        return tx.append_event(view.key, Edited(target=view.key, changes=changes, note=note))

    return catalog.store.transaction(body)


def create_local_grid(
    catalog: Catalog, slug: str, title: str, description: str = "", note: str | None = None
) -> Envelope:
    """Create a grid of your own (a comparison list); returns the appended event."""
    note = check_note(note)
    if not SLUG.match(slug):
        raise EditError(
            f"grid slug {slug!r} must be lowercase letters, digits, - or _ (max 50)", field="slug"
        )

    def body(tx: WriteTransaction) -> Envelope:
        tables = _tables(catalog, tx)
        if any(g.record.slug == slug for g in grids(tables)):
            raise EditError(f"a grid {slug!r} exists already", field="slug")
        target = Target.local_grid(slug)
        current = view_values(tables, target, overlay=True)  # a grid deleted before, or none
        before = {name: current.get(name) or None for name in ("title", "description")}
        parsed = {
            "title": GRID_FIELDS["title"](title, tables),
            "description": GRID_FIELDS["description"](description, tables),
        }
        changes = {"exists": FieldChange(before=False, after=True)}
        for name, value in parsed.items():
            if before[name] != value:
                changes[name] = FieldChange(before=before[name], after=value)
        return tx.append_event(target.key, Edited(target=target.key, changes=changes, note=note))

    return catalog.store.transaction(body)


def delete_local_grid(catalog: Catalog, key: str, note: str | None = None) -> Envelope:
    note = check_note(note)

    def body(tx: WriteTransaction) -> Envelope:
        view = _grid_target(_tables(catalog, tx), key)
        if not view.local:
            raise EditError(
                f"grid {view.record.slug!r} comes from upstream; only your own grids can be deleted"
            )
        change = {"exists": FieldChange(before=True, after=False)}
        return tx.append_event(view.key, Edited(target=view.key, changes=change, note=note))

    return catalog.store.transaction(body)


def undo(catalog: Catalog, seq: int | None = None) -> Envelope:
    """Undo the newest edit in force, or the one at ``seq``; returns the ``Undone`` event."""

    def body(tx: WriteTransaction) -> Envelope:
        tables = _tables(catalog, tx)
        log = tables.editlog.get(EDIT_LOG) or EditLog()
        if seq is None:
            if not log.active:
                raise EditError("nothing to undo")
            edit_seq, target = log.active[-1]
        else:
            if not 0 < seq < 2**63:
                raise EditError(f"there is no event {seq}")
            found = [a for a in log.active if a[0] == seq]
            if not found:
                envelope = tx.get(seq)
                if envelope is None:
                    raise EditError(f"there is no event {seq}")
                if not isinstance(envelope.event, Edited | Redone):
                    raise EditError(f"event {seq} is {envelope.type}, not an edit")
                raise EditError(f"edit {seq} is already undone")
            edit_seq, target = found[0]
        entry = tables.local.get(target.encode()) or LocalEntry()
        [mine] = [e for e in entry.edits if e.seq == edit_seq]
        for later in entry.edits:
            shared = sorted({*later.values, *later.reverts} & {*mine.values, *mine.reverts})
            if later.seq > edit_seq and shared:
                raise EditError(
                    f"edit {edit_seq} cannot be undone: edit {later.seq} changed "
                    f"{', '.join(shared)} after it; undo {later.seq} first"
                )
        edit_id = str(tx.get(edit_seq).id)
        return tx.append_event(target, Undone(target=target, edit_seq=edit_seq, edit_id=edit_id))

    return catalog.store.transaction(body)


def redo(catalog: Catalog) -> Envelope:
    """Apply the most recently undone edit again, as a new event; returns it."""

    def body(tx: WriteTransaction) -> Envelope:
        tables = _tables(catalog, tx)
        log = tables.editlog.get(EDIT_LOG) or EditLog()
        if not log.redo:
            raise EditError("nothing to redo")
        edit_seq, target = log.redo[-1]
        original = tx.get(edit_seq)
        current = view_values(tables, Target.parse(target), overlay=True)
        changes = {
            name: FieldChange(before=current.get(name), after=change.after)
            for name, change in original.event.changes.items()
        }
        event = Redone(
            target=target,
            edit_seq=edit_seq,
            changes=changes,
            edit_id=str(original.id),
            revert=list(getattr(original.event, "revert", [])),
        )
        return tx.append_event(target, event)

    return catalog.store.transaction(body)


def resolve_conflict(
    catalog: Catalog, key: str, field: str, *, keep_mine: bool, note: str | None = None
) -> Envelope:
    """Settle a conflict (upstream changed a field since you edited it): keep your value (a
    new edit of it, newer than upstream's change) or take upstream's (your override of the
    field is dropped; later syncs show upstream's values). Either is one undoable event."""
    note = check_note(note)

    def body(tx: WriteTransaction) -> Envelope:
        tables = _tables(catalog, tx)
        view = _package_target(tables, key)
        if field not in view.conflicts:
            known = ", ".join(view.conflicts) or "none"
            raise EditError(
                f"{field!r} of {view.record.slug!r} is not in conflict (conflicts: {known})",
                field=field,
            )
        mine = view.flat()[field]
        up = tables.upstream[view.key.encode()].record
        theirs = getattr(up, field)
        if keep_mine:
            event = Edited(
                target=view.key,
                changes={field: FieldChange(before=theirs, after=mine)},
                note=note or "kept mine over upstream's change",
            )
        else:
            event = Edited(
                target=view.key,
                changes={field: FieldChange(before=mine, after=theirs)},
                note=note or "took upstream's value",
                revert=[field],
            )
        return tx.append_event(view.key, event)

    return catalog.store.transaction(body)


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["title=New", "tags=a,b"]`` -> a dict; refuses items without ``=``."""
    fields: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise EditError(f"{item!r} is not FIELD=VALUE")
        fields[name.strip()] = value
    return fields
