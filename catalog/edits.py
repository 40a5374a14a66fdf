"""Local edits as commands: validate, then append one durable event (or nothing at all).

Every command runs inside one write transaction: it reads the current view from the
persisted projection, validates, appends one ``Edited`` / ``Undone`` / ``Redone`` event to
the target's stream, and the projection folds it before the commit. Failures raise
``EditError`` with one line for the user, and append nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from catalog.catalog import Catalog
from catalog.errors import UserError
from catalog.queries import find_category, find_grid, find_package, grids
from eventstore import Edited, Envelope, FieldChange, Redone, Undone, WriteTransaction
from projections.fold import EDIT_LOG, EditLog, LocalEntry, Tables
from projections.targets import Target
from projections.view import STATUSES, GridView, PackageView, view_values

TITLE_MAX = 100
DESCRIPTION_MAX = {"package": 5000, "grid": 1000}
NOTES_MAX = 10_000
TAGS_MAX, TAG_MAX = 30, 40
URL_MAX = 500
_TAG = re.compile(r"^[^\s,\x00-\x1f]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")

READ_ONLY = {
    "package": {
        "id",
        "slug",
        "repo_watchers",
        "repo_forks",
        "commits_over_52",
        "participants",
        "last_updated",
        "created",
        "modified",
        "pypi_version",
        "grids",
    },
    "grid": {"id", "slug", "is_locked", "header", "packages", "created", "modified"},
}


class EditError(UserError):
    """An edit that was refused; nothing was appended. ``field`` names the field at fault."""


# --- field parsers: text from the command line or typed values from the app ------------


def _text(name: str, limit: int, *, required: bool = False, single_line: bool = True):
    def parse(value: Any, tables: Tables) -> str:
        if not isinstance(value, str):
            raise EditError(f"{name} must be text", field=name)
        if required and not value.strip():
            raise EditError(f"{name} cannot be empty", field=name)
        if single_line and ("\n" in value or "\r" in value):
            raise EditError(f"{name} must be one line", field=name)
        if len(value) > limit:
            raise EditError(
                f"{name} is {len(value):,} characters; the limit is {limit:,}", field=name
            )
        return value

    return parse


def _url(name: str, *, nullable: bool = False):
    def parse(value: Any, tables: Tables) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise EditError(f"{name} must be text", field=name)
        value = value.strip()
        if value == "":
            return ""  # clears it
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            raise EditError(f"{name} must be an http(s) URL, not {value!r}", field=name)
        if len(value) > URL_MAX:
            raise EditError(
                f"{name} is {len(value):,} characters; the limit is {URL_MAX}", field=name
            )
        return value

    return parse


def _pypi(value: Any, tables: Tables) -> str:
    if not isinstance(value, str):
        raise EditError("pypi_url must be text", field="pypi_url")
    value = value.strip()
    if value and "://" in value:
        return _url("pypi_url")(value, tables)
    if value and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
        raise EditError(
            f"pypi_url must be a PyPI project name or an http(s) URL, not {value!r}",
            field="pypi_url",
        )
    return value


def _category(value: Any, tables: Tables) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        key = str(value)
    elif isinstance(value, str):
        key = value.strip()
    else:
        raise EditError("category must be a category id or name", field="category")
    found = find_category(tables, key)
    if found is None:
        raise EditError(
            f"category must be a known category id or name, not {key!r}", field="category"
        )
    return found


def _tags(value: Any, tables: Tables) -> list[str]:
    if isinstance(value, str):
        items = [t.strip() for t in value.split(",")]
    elif isinstance(value, list | tuple | set):
        items = [str(t).strip() for t in value]
    else:
        raise EditError("tags must be a comma-separated list", field="tags")
    tags = sorted({t for t in items if t})
    for tag in tags:
        if len(tag) > TAG_MAX or not _TAG.match(tag):
            raise EditError(
                f"tag {tag!r} must be one word of at most {TAG_MAX} characters", field="tags"
            )
    if len(tags) > TAGS_MAX:
        raise EditError(f"{len(tags)} tags; the limit is {TAGS_MAX}", field="tags")
    return tags


def _status(value: Any, tables: Tables) -> str:
    if value not in STATUSES:
        raise EditError(
            f"status must be one of {', '.join(STATUSES)}, not {value!r}", field="status"
        )
    return value


Parser = Callable[[Any, Tables], Any]

PACKAGE_FIELDS: dict[str, Parser] = {
    "title": _text("title", TITLE_MAX, required=True),
    "repo_description": _text("repo_description", DESCRIPTION_MAX["package"], single_line=False),
    "category": _category,
    "documentation_url": _url("documentation_url", nullable=True),
    "repo_url": _url("repo_url"),
    "pypi_url": _pypi,
    "notes": _text("notes", NOTES_MAX, single_line=False),
    "tags": _tags,
    "status": _status,
}
GRID_FIELDS: dict[str, Parser] = {
    "title": _text("title", TITLE_MAX, required=True),
    "description": _text("description", DESCRIPTION_MAX["grid"], single_line=False),
    "notes": _text("notes", NOTES_MAX, single_line=False),
}


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


def _changes(
    current: Mapping[str, Any],
    fields: Mapping[str, Any],
    allowed: dict[str, Parser],
    resource: str,
    tables: Tables,
) -> dict[str, FieldChange]:
    if not fields:
        raise EditError("name at least one FIELD=VALUE to change")
    changes = {}
    for name, raw in fields.items():
        if name in READ_ONLY.get(resource, ()):
            raise EditError(f"{name} is read-only: it is fetched from upstream", field=name)
        if name not in allowed:
            raise EditError(
                f"{resource} has no editable field {name!r}; editable: {', '.join(allowed)}",
                field=name,
            )
        value = allowed[name](raw, tables)
        if current.get(name) != value:
            changes[name] = FieldChange(before=current.get(name), after=value)
    if not changes:
        shown = ", ".join(f"{n} is already {current.get(n)!r}" for n in fields)
        raise EditError(f"that edit changes nothing: {shown}")
    return changes


def _note(note: str | None) -> str | None:
    if note is not None and len(note) > 1000:
        raise EditError(f"the note is {len(note):,} characters; the limit is 1,000", field="note")
    return note or None


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
    note = _note(note)
    find, allowed = {
        "package": (_package_target, PACKAGE_FIELDS),
        "grid": (_grid_target, GRID_FIELDS),
    }[resource]

    def body(tx: WriteTransaction) -> Envelope:
        tables = _tables(catalog, tx)
        view = find(tables, key)
        changes = _changes(view.flat(), fields, allowed, resource, tables)
        return tx.append_event(view.key, Edited(target=view.key, changes=changes, note=note))

    return catalog.store.transaction(body)


def change_grid_members(
    catalog: Catalog, key: str, add: list[str] = (), remove: list[str] = (), note: str | None = None
) -> Envelope:
    """Add packages to a grid and remove others, as one edit."""
    note = _note(note)
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
    note = _note(note)
    if not _SLUG.match(slug):
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
    note = _note(note)

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
            shared = sorted(set(later.values) & set(mine.values))
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
        event = Redone(target=target, edit_seq=edit_seq, changes=changes, edit_id=str(original.id))
        return tx.append_event(target, event)

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
