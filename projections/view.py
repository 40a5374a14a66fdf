"""What a user sees of a package or grid: the upstream record with local edits laid over it.

A view knows which fields are overridden (and by which edit) and which of those conflict:
the upstream value changed after the edit that overrides it.
"""

from __future__ import annotations

from typing import Any

import msgspec

from eventstore import Grid, Package
from projections.fold import LocalEntry, Tables, UpstreamEntry
from projections.targets import PREFIX, STREAM_PREFIX, Target, key_of, raw_key

STATUSES = ("none", "evaluating", "shortlisted", "using", "rejected")
#: Fields that exist only locally, with their value when never edited.
LOCAL_PACKAGE_FIELDS: dict[str, Any] = {"notes": "", "tags": [], "status": "none"}


class TargetView(msgspec.Struct, kw_only=True):
    """What every view has: the key of its target (``package:3324``, ``localgrid:mine``)."""

    key: str

    @property
    def target(self) -> Target:
        return Target.parse(self.key)


class PackageView(TargetView, kw_only=True):
    record: Package
    vanished: bool = False
    theirs: dict[str, Any] = {}  # upstream's value of each conflicting field
    notes: str = ""
    tags: list[str] = []
    status: str = "none"
    overridden: dict[str, int] = {}  # field -> sequence of the edit in force
    conflicts: list[str] = []

    def flat(self) -> dict[str, Any]:
        """Every field the user sees, by name (for diffs and history)."""
        data = {name: getattr(self.record, name) for name in self.record.__struct_fields__}
        data.update(notes=self.notes, tags=self.tags, status=self.status, vanished=self.vanished)
        return data


class GridView(TargetView, kw_only=True):
    record: Grid
    local: bool = False  # a grid the user created, not one from upstream
    vanished: bool = False
    unfetched: bool = False  # only known because packages name it (no grid record yet)
    notes: str = ""
    overridden: dict[str, int] = {}
    conflicts: list[str] = []

    def flat(self) -> dict[str, Any]:
        data = {name: getattr(self.record, name) for name in self.record.__struct_fields__}
        data.update(notes=self.notes, vanished=self.vanished)
        return data


_PACKAGE_FIELDS = set(Package.__struct_fields__)
_VIEW_TYPES = {"package": PackageView, "grid": GridView, "localgrid": GridView}


def check_views(tables: Tables) -> list[str]:
    """Every local overlay that would not give a well-typed view (what ``verify`` reports):
    a field no record has, or a value of the wrong type."""
    problems = []
    for key, local in tables.local.items():
        target = Target.parse(key)
        names = {name for edit in local.edits for name in edit.values}
        if target.kind == "stack":
            problems.extend(_check_stack(target, local))
            continue
        if target.kind == "package":
            unknown = names - _PACKAGE_FIELDS - set(LOCAL_PACKAGE_FIELDS)
        else:
            known = set(Grid.__struct_fields__) | {"notes", "exists", "added", "removed"}
            unknown = names - known
        if unknown:
            problems.append(f"edits of {target} set fields it does not have: {sorted(unknown)}")
            continue
        view = view_of(tables, target)
        if view is None:
            continue
        try:
            msgspec.convert(msgspec.to_builtins(view), _VIEW_TYPES[target.kind])
        except msgspec.ValidationError as exc:
            problems.append(f"edits of {target} give a view that does not validate: {exc}")
        if isinstance(view, PackageView) and view.status not in STATUSES:
            problems.append(f"edits of {target} set an unknown status {view.status!r}")
    return problems


#: A stack's fields (``projections.stacks``): the files read, the target Django, whether it
#: was forgotten, and one ``dep:NAME`` per dependency (None once removed).
STACK_FIELDS: dict[str, Any] = {"files": list[str], "django": str | None, "forgotten": bool}
STACK_DEP = "dep:"


def _check_stack(target: Target, local: LocalEntry) -> list[str]:
    problems = []
    for edit in local.edits:
        for name, value in edit.values.items():
            kind = dict[str, Any] | None if name.startswith(STACK_DEP) else STACK_FIELDS.get(name)
            if kind is None:
                problems.append(f"edits of {target} set a field it does not have: {name!r}")
                continue
            try:
                msgspec.convert(value, kind)
            except msgspec.ValidationError as exc:
                problems.append(f"edits of {target} set {name} to a wrong value: {exc}")
    return problems


def _overrides(local: LocalEntry | None) -> dict[str, tuple[Any, int]]:
    out: dict[str, tuple[Any, int]] = {}
    if local is not None:
        for edit in local.edits:
            for name in edit.reverts:  # given back to upstream
                out.pop(name, None)
            for name, value in edit.values.items():
                out[name] = (value, edit.seq)
    return out


def _conflicts(up: UpstreamEntry, overrides: dict[str, tuple[Any, int]]) -> list[str]:
    return sorted(name for name, (_, seq) in overrides.items() if up.changed_at.get(name, 0) > seq)


def package_view(up: UpstreamEntry | None, local: LocalEntry | None) -> PackageView | None:
    if up is None:
        return None
    overrides = _overrides(local)
    # a field no package has (an event written by something that did not validate it) is
    # left out of the view, not a crash of every screen; ``check_views`` reports it
    record_fields = {n: v for n, (v, _) in overrides.items() if n in _PACKAGE_FIELDS}
    record = msgspec.structs.replace(up.record, **record_fields) if record_fields else up.record
    values = {n: overrides[n][0] if n in overrides else d for n, d in LOCAL_PACKAGE_FIELDS.items()}
    conflicts = _conflicts(up, overrides)
    return PackageView(
        key=key_of("package", up.record.id),
        record=record,
        vanished=up.vanished,
        overridden={n: seq for n, (_, seq) in overrides.items()},
        conflicts=conflicts,
        theirs={n: getattr(up.record, n) for n in conflicts if n in _PACKAGE_FIELDS},
        **values,
    )


def grid_view(key: str, up: UpstreamEntry | None, local: LocalEntry | None) -> GridView | None:
    overrides = _overrides(local)
    values = {n: v for n, (v, _) in overrides.items()}
    notes = values.get("notes", "")
    overridden = {n: seq for n, (_, seq) in overrides.items()}
    if key.startswith(STREAM_PREFIX["localgrid"]):
        if not values.get("exists"):
            return None
        record = Grid(
            id=0,
            title=values.get("title") or "",
            slug=key.split(":", 1)[1],
            description=values.get("description") or "",
            packages=sorted(values.get("added") or []),
        )
        return GridView(key=key, record=record, local=True, notes=notes, overridden=overridden)
    if up is None:
        return None
    added, removed = values.get("added") or [], set(values.get("removed") or [])
    members = [p for p in up.record.packages if p not in removed]
    members += [p for p in added if p not in members]
    changed = {n: values[n] for n in ("title", "description") if n in values}
    record = msgspec.structs.replace(up.record, packages=members, **changed)
    return GridView(
        key=key,
        record=record,
        vanished=up.vanished,
        notes=notes,
        overridden=overridden,
        conflicts=_conflicts(up, {n: overrides[n] for n in changed}),
    )


def package_views(tables: Tables, include_vanished: bool = False) -> list[PackageView]:
    local = tables.local
    out = []
    for key, up in tables.upstream.items():
        if key.startswith(PREFIX["package"]) and (include_vanished or not up.vanished):
            out.append(package_view(up, local.get(key)))
    return out


def grid_views(tables: Tables, include_vanished: bool = False) -> list[GridView]:
    out = []
    for key, up in tables.upstream.items():
        if key.startswith(PREFIX["grid"]) and (include_vanished or not up.vanished):
            out.append(grid_view(key.decode(), up, tables.local.get(key)))
    for key, local in tables.local.items():
        if key.startswith(PREFIX["localgrid"]):
            view = grid_view(key.decode(), None, local)
            if view is not None:
                out.append(view)
    return out


def packages_naming_grids(tables: Tables) -> dict[int, set[int]]:
    """Grid id -> ids of present packages whose upstream record names that grid."""
    named: dict[int, set[int]] = {}
    for key, up in tables.upstream.items():
        if key.startswith(PREFIX["package"]) and not up.vanished:
            for gid in up.record.grids:
                named.setdefault(gid, set()).add(up.record.id)
    return named


def grid_members(
    tables: Tables, grid: GridView, named: dict[int, set[int]] | None = None
) -> set[int]:
    """Packages in a grid: its own list, plus (for an upstream grid) packages that name it,
    less those removed locally. Pass ``named`` (``packages_naming_grids``) when asking for
    many grids."""
    ids = set(grid.record.packages)
    if not grid.local:
        if named is None:
            named = packages_naming_grids(tables)
        local = tables.local.get(grid.key.encode())
        found = local.value("removed") if local is not None else None
        ids |= named.get(grid.record.id, set())
        ids -= set(found[0] or []) if found else set()
    return ids


def view_of(tables: Tables, target: Target) -> PackageView | GridView | None:
    """The view of any package or grid target, from whichever tables are at hand."""
    raw = target.raw
    if target.kind == "package":
        return package_view(tables.upstream.get(raw), tables.local.get(raw))
    return grid_view(target.key, tables.upstream.get(raw), tables.local.get(raw))


def view_values(tables: Tables, target: Target, *, overlay: bool = False) -> dict[str, Any]:
    """Every field of a target as the user sees it (``{}`` when it does not exist).

    ``overlay`` adds, for a grid, what its local overlay holds as it stands (``exists``,
    ``added``, ``removed`` and every field an edit in force set, even on a grid you
    deleted): what a new edit of those fields changes from."""
    if target.kind == "stack":  # a stack is its edits, field by field (catalog.stacks.judge)
        local = tables.local.get(target.raw) or LocalEntry()
        values: dict[str, Any] = {}
        for edit in local.edits:
            values.update(edit.values)
        return values
    view = view_of(tables, target)
    values = view.flat() if view is not None else {}
    if overlay and target.is_grid:
        local = tables.local.get(target.raw) or LocalEntry()
        names = {"exists", "added", "removed"}.union(*(e.values for e in local.edits))
        for name in names:
            found = local.value(name)
            values[name] = found[0] if found else values.get(name)
    return values


def find_target(tables: Tables, resource: str, key: str | int) -> Target | None:
    """An id or a slug (old slugs of renamed records included) -> its target, through the
    slug index; grids are also found by the slug of one of your grids (``localgrid:SLUG``
    or just ``SLUG``). An upstream record wins over your grid of the same slug."""
    text = str(key).strip()
    if resource == "grid" and text.startswith(STREAM_PREFIX["localgrid"]):
        return _local_grid(tables, Target.parse(text).ident)
    if text.isdigit() and raw_key(resource, text) in tables.upstream:
        return Target(resource, text)
    found = tables.slugs.get(raw_key(resource, text))
    if found is not None:
        return Target.parse(found)
    return _local_grid(tables, text) if resource == "grid" else None


def _local_grid(tables: Tables, slug: str) -> Target | None:
    target = Target.local_grid(slug)
    local = tables.local.get(target.raw)
    exists = local.value("exists") if local is not None else None
    return target if exists and exists[0] else None
