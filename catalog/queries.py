"""Read-side questions the command line and the app ask of the catalogue.

Every question takes ``Tables`` (``Catalog.tables()`` for the present,
``Catalog.tables(as_of=N)`` for the past), so each can be asked of any point in the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from catalog.api import SITE_ZONE
from eventstore import Category, Record
from projections.fold import Tables
from projections.view import (
    GridView,
    PackageView,
    grid_members,
    grid_view,
    grid_views,
    package_view,
    package_views,
)

SORT_KEYS = {
    "title": lambda v: (v.record.title.casefold(), v.record.id),
    "slug": lambda v: (v.record.slug.casefold(), v.record.id),
    "id": lambda v: v.record.id,
    "watchers": lambda v: (v.record.repo_watchers, v.record.id),
    "forks": lambda v: (v.record.repo_forks, v.record.id),
    "version": lambda v: (v.record.pypi_version or "", v.record.id),
    "last_updated": lambda v: (_ts(v.record.last_updated), v.record.id),
    "created": lambda v: (_ts(v.record.created), v.record.id),
    "modified": lambda v: (_ts(v.record.modified), v.record.id),
    "status": lambda v: (v.status, v.record.title.casefold()),
}
SORT_ALIASES = {"repo_watchers": "watchers", "repo_forks": "forks", "pypi_version": "version"}
DESCENDING_BY_DEFAULT = {"watchers", "forks", "last_updated", "created", "modified"}


class QueryError(ValueError):
    """A question that cannot be answered as asked; one line for the user."""


def _ts(value: datetime | None) -> float:
    return value.timestamp() if value else 0.0


# --- single records ---------------------------------------------------------------------


def find_package(
    tables: Tables, key: str | int, include_vanished: bool = True
) -> PackageView | None:
    """A package by id (all digits) or slug; a present record wins over a vanished one."""
    text = str(key).strip()
    if text.isdigit():
        up = tables.upstream.get(f"package:{text}".encode())
        if up is not None and (include_vanished or not up.vanished):
            return package_view(up, tables.local.get(f"package:{text}".encode()))
    views = [v for v in package_views(tables, include_vanished) if v.record.slug == text]
    views.sort(key=lambda v: v.vanished)
    return views[0] if views else None


def find_grid(tables: Tables, key: str | int) -> GridView | None:
    """A grid by id, slug, or ``localgrid:SLUG``; local grids are found by slug too."""
    text = str(key).strip()
    if text.startswith("localgrid:"):
        return grid_view(text, None, tables.local.get(text.encode()))
    if text.isdigit():
        raw = f"grid:{text}".encode()
        view = grid_view(raw.decode(), tables.upstream.get(raw), tables.local.get(raw))
        if view is not None:
            return view
    matches = [v for v in grid_views(tables, include_vanished=True) if v.record.slug == text]
    matches.sort(key=lambda v: (v.vanished, v.local))
    return matches[0] if matches else None


def get_grid(tables: Tables, key: str | int) -> GridView:
    view = find_grid(tables, key)
    if view is None:
        raise QueryError(f"no grid {str(key)!r} in the catalogue (try djp grids)")
    return view


# --- lists ------------------------------------------------------------------------------


def categories(tables: Tables) -> list[Category]:
    rows = [e.record for k, e in tables.upstream.items() if k.startswith(b"category:")]
    return sorted((r for r in rows if isinstance(r, Category)), key=lambda c: c.id)


def category_names(tables: Tables) -> dict[int, str]:
    return {c.id: c.title for c in categories(tables)}


def find_category(tables: Tables, key: str) -> int | None:
    for category in categories(tables):
        if key == str(category.id) or key.casefold() in (
            category.slug.casefold(),
            category.title.casefold(),
            category.title_plural.casefold(),
        ):
            return category.id
    return None


def grids(tables: Tables) -> list[GridView]:
    return sorted(grid_views(tables), key=lambda g: g.record.title.casefold())


def packages(
    tables: Tables,
    *,
    query: str | None = None,
    grid: str | None = None,
    category: str | None = None,
    sort: str = "title",
) -> list[PackageView]:
    rows = package_views(tables)
    if grid is not None:
        view = find_grid(tables, grid)
        if view is not None:
            wanted = grid_members(tables, view)
        elif grid.strip().isdigit():  # a grid not fetched yet that packages name
            wanted = {v.record.id for v in rows if int(grid) in v.record.grids}
        else:
            raise QueryError(f"no grid {grid!r} in the catalogue (try djp grids)")
        rows = [v for v in rows if v.record.id in wanted]
    if category is not None:
        cat = find_category(tables, category)
        if cat is None:
            if not category.isdigit():
                raise QueryError(f"no category {category!r}; djp categories lists them")
            cat = int(category)
        rows = [v for v in rows if v.record.category == cat]
    if query:
        needle = query.casefold()
        rows = [v for v in rows if needle in haystack(v)]
    return sort_packages(rows, sort)


def sort_packages(rows: list[PackageView], sort: str) -> list[PackageView]:
    reverse_flag = sort.startswith("-")
    name = SORT_ALIASES.get(sort.lstrip("-"), sort.lstrip("-"))
    if name not in SORT_KEYS:
        raise QueryError(f"cannot sort by {name!r}; choose one of {', '.join(SORT_KEYS)}")
    descending = (name in DESCENDING_BY_DEFAULT) != reverse_flag
    return sorted(rows, key=SORT_KEYS[name], reverse=descending)


def haystack(v: PackageView) -> str:
    p = v.record
    return " ".join([p.title, p.slug, p.repo_description, *p.participants, *v.tags]).casefold()


# --- JSON -------------------------------------------------------------------------------


def record_json(record: Record) -> dict[str, Any]:
    """A record with the API's field names, references as ids, datetimes in ISO 8601 with the
    site's offset (the instant the API gave, written as it wrote it)."""
    data = msgspec.to_builtins(record, builtin_types=(datetime,))
    data.pop("type", None)
    for name, value in data.items():
        if isinstance(value, datetime):
            data[name] = value.astimezone(SITE_ZONE).isoformat()
    return data


def package_json(view: PackageView) -> dict[str, Any]:
    """The API's fields (with local edits applied), plus what is local about it."""
    data = record_json(view.record)
    data["local"] = {"notes": view.notes, "tags": view.tags, "status": view.status}
    data["overridden"] = sorted(view.overridden)
    data["conflicts"] = view.conflicts
    data["vanished"] = view.vanished
    return data


def grid_json(view: GridView) -> dict[str, Any]:
    data = record_json(view.record)
    if view.local:
        data["id"] = None
    data["key"] = view.key
    data["local"] = view.local
    data["overridden"] = sorted(view.overridden)
    data["conflicts"] = view.conflicts
    return data
