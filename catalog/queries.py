"""Read-side questions the command line and the app ask of the catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from catalog.api import SITE_ZONE
from catalog.service import Catalog
from eventstore import Category, Grid, Package, Record
from projections.fold import UpstreamEntry

SORT_KEYS = {
    "title": lambda p: (p.title.casefold(), p.id),
    "slug": lambda p: (p.slug.casefold(), p.id),
    "id": lambda p: p.id,
    "watchers": lambda p: (p.repo_watchers, p.id),
    "forks": lambda p: (p.repo_forks, p.id),
    "version": lambda p: (p.pypi_version or "", p.id),
    "last_updated": lambda p: (p.last_updated.timestamp() if p.last_updated else 0.0, p.id),
    "created": lambda p: (p.created.timestamp() if p.created else 0.0, p.id),
    "modified": lambda p: (p.modified.timestamp() if p.modified else 0.0, p.id),
}
SORT_ALIASES = {"repo_watchers": "watchers", "repo_forks": "forks", "pypi_version": "version"}
DESCENDING_BY_DEFAULT = {"watchers", "forks", "last_updated", "created", "modified"}


class QueryError(ValueError):
    """A question that cannot be answered as asked; one line for the user."""


def find_entry(catalog: Catalog, resource: str, key: str | int) -> UpstreamEntry | None:
    """An entry by id (all digits) or slug; a present record wins over a vanished one."""
    text = str(key).strip()
    entries = catalog.projection.entries(resource, include_vanished=True)
    matches = []
    if text.isdigit():
        matches = [e for e in entries if e.record.id == int(text)]
    if not matches:
        matches = [e for e in entries if e.record.slug == text]
    matches.sort(key=lambda e: e.vanished)
    return matches[0] if matches else None


def get_record(catalog: Catalog, resource: str, key: str | int) -> Record:
    entry = find_entry(catalog, resource, key)
    if entry is None:
        raise QueryError(f"no {resource} {str(key)!r} in the catalogue (try djp sync)")
    return entry.record


def categories(catalog: Catalog) -> list[Category]:
    return sorted((e.record for e in catalog.projection.entries("category")), key=lambda c: c.id)


def grids(catalog: Catalog) -> list[Grid]:
    return sorted(
        (e.record for e in catalog.projection.entries("grid")), key=lambda g: g.title.casefold()
    )


def _category_id(catalog: Catalog, key: str) -> int:
    for category in categories(catalog):
        if key == str(category.id) or key.casefold() in (
            category.slug.casefold(),
            category.title.casefold(),
            category.title_plural.casefold(),
        ):
            return category.id
    if key.isdigit():
        return int(key)
    raise QueryError(f"no category {key!r}; djp categories lists them")


def grid_package_ids(catalog: Catalog, grid: Grid) -> set[int]:
    """Packages in a grid: the grid's own list, plus packages that name the grid."""
    ids = set(grid.packages)
    ids.update(
        e.record.id for e in catalog.projection.entries("package") if grid.id in e.record.grids
    )
    return ids


def packages(
    catalog: Catalog,
    *,
    query: str | None = None,
    grid: str | None = None,
    category: str | None = None,
    sort: str = "title",
) -> list[Package]:
    rows = [e.record for e in catalog.projection.entries("package")]
    if grid is not None:
        entry = find_entry(catalog, "grid", grid)
        if entry is not None:
            wanted = grid_package_ids(catalog, entry.record)
        elif grid.strip().isdigit():  # a grid not fetched yet that packages name
            wanted = {p.id for p in rows if int(grid) in p.grids}
        else:
            raise QueryError(f"no grid {grid!r} in the catalogue (try djp sync)")
        rows = [p for p in rows if p.id in wanted]
    if category is not None:
        cat = _category_id(catalog, category)
        rows = [p for p in rows if p.category == cat]
    if query:
        needle = query.casefold()
        rows = [p for p in rows if needle in _haystack(p)]
    return sort_packages(rows, sort)


def sort_packages(rows: list[Package], sort: str) -> list[Package]:
    reverse_flag = sort.startswith("-")
    name = SORT_ALIASES.get(sort.lstrip("-"), sort.lstrip("-"))
    if name not in SORT_KEYS:
        raise QueryError(f"cannot sort by {name!r}; choose one of {', '.join(SORT_KEYS)}")
    descending = (name in DESCENDING_BY_DEFAULT) != reverse_flag
    return sorted(rows, key=SORT_KEYS[name], reverse=descending)


def _haystack(p: Package) -> str:
    return " ".join([p.title, p.slug, p.repo_description, *p.participants]).casefold()


def record_json(record: Record) -> dict[str, Any]:
    """A record with the API's field names, references as ids, datetimes in ISO 8601 with the
    site's offset (the instant the API gave, written as it wrote it)."""
    data = msgspec.to_builtins(record, builtin_types=(datetime,))
    data.pop("type", None)
    for name, value in data.items():
        if isinstance(value, datetime):
            data[name] = value.astimezone(SITE_ZONE).isoformat()
    return data
