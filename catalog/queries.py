"""Read-side questions the command line and the app ask of the catalogue.

Every question takes ``Tables`` (``Catalog.tables()`` for the present,
``Catalog.tables(as_of=N)`` for the past), so each can be asked of any point in the log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from catalog.api import SITE_ZONE
from catalog.errors import UserError
from catalog.filters import select
from catalog.rows import Row, RowIndex, parse_sort, unfetched_grids
from eventstore import Category, Record
from projections.fold import Tables
from projections.targets import PREFIX
from projections.view import (
    GridView,
    PackageView,
    find_target,
    grid_views,
    packages_naming_grids,
    view_of,
)


class QueryError(UserError):
    """A question that cannot be answered as asked; one line for the user."""


# --- single records ---------------------------------------------------------------------


def find_package(tables: Tables, key: str | int) -> PackageView | None:
    """A package by id (all digits) or slug, through the slug index."""
    target = find_target(tables, "package", key)
    return view_of(tables, target) if target is not None else None


def find_grid(tables: Tables, key: str | int) -> GridView | None:
    """A grid by id, slug, or ``localgrid:SLUG``; your grids are found by slug too."""
    target = find_target(tables, "grid", key)
    return view_of(tables, target) if target is not None else None


def get_grid(tables: Tables, key: str | int) -> GridView:
    """A grid by id or slug; by id also one not fetched yet that packages name."""
    view = find_grid(tables, key)
    if view is None and str(key).strip().isdigit():
        gid = int(str(key).strip())
        named = packages_naming_grids(tables)
        view = next(iter(unfetched_grids([], {gid: named[gid]} if gid in named else {})), None)
    if view is None:
        raise QueryError(f"no grid {str(key)!r} in the catalogue (try djp grids)")
    return view


# --- lists ------------------------------------------------------------------------------


def categories(tables: Tables) -> list[Category]:
    rows = [e.record for k, e in tables.upstream.items() if k.startswith(PREFIX["category"])]
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
    now: datetime | None = None,
) -> list[Row]:
    """Packages as the app's catalogue lists them: ``query`` in the app's filter language
    (``catalog.filters``), ``grid`` and ``category`` as its ``grid:`` and ``cat:``."""
    name, descending = parse_sort(sort)
    terms = [query or ""]
    if grid is not None:
        view = find_grid(tables, grid)
        if view is not None:
            terms.append(f"grid:{view.record.slug if view.local else view.record.id}")
        elif grid.strip().isdigit():  # a grid not fetched yet that packages name
            terms.append(f"grid:{grid.strip()}")
        else:
            raise QueryError(f"no grid {grid!r} in the catalogue (try djp grids)")
    if category is not None:
        cat = find_category(tables, category)
        if cat is None and not category.isdigit():
            raise QueryError(f"no category {category!r}; djp categories lists them")
        terms.append(f"cat:{cat if cat is not None else category}")
    index = RowIndex(tables, now or datetime.now(UTC))
    return select(index, " ".join(terms), name, descending)


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


def site_times(value: Any) -> Any:
    """``value`` with every datetime inside written as ``record_json`` writes them (ISO 8601
    with the site's offset), so all of djp's JSON has one form of date."""
    if isinstance(value, datetime):
        return value.astimezone(SITE_ZONE).isoformat()
    if isinstance(value, dict):
        return {k: site_times(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [site_times(v) for v in value]
    return value


def package_json(view: PackageView) -> dict[str, Any]:
    """The API's fields (with local edits applied), plus what is local about it."""
    data = record_json(view.record)
    data["local"] = {"notes": view.notes, "tags": view.tags, "status": view.status}
    data["overridden"] = sorted(view.overridden)
    data["conflicts"] = view.conflicts
    data["theirs"] = site_times(msgspec.to_builtins(view.theirs, builtin_types=(datetime,)))
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
