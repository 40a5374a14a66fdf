"""Read-side questions the command line and the app ask of the catalogue.

Every question takes ``Tables`` (``Catalog.tables()`` for the present,
``Catalog.tables(as_of=N)`` for the past), so each can be asked of any point in the log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from catalog.api import SITE_ZONE
from catalog.read.filters import select
from catalog.read.lookup import QueryError, find_category, find_grid
from catalog.read.rows import Row, RowIndex, parse_sort
from eventstore import Record
from projections.fold import Tables
from projections.view import (
    GridView,
    PackageView,
)

# --- lists ------------------------------------------------------------------------------


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
    (``catalog.read.filters``), ``grid`` and ``category`` as its ``grid:`` and ``cat:``."""
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
