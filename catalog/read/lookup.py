"""Single records by id or slug, and the categories: the lookups an edit, a history and a
listing all need. No filter language here: edits validate through these alone.
"""

from __future__ import annotations

from catalog.errors import UserError
from catalog.read.rows import unfetched_grids
from eventstore import Category
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
