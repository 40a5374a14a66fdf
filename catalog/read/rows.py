"""Packages as rows: a view with what filtering and sorting need, indexed once.

Both the app (``catalog.read.browse.Browser``) and the command line (``catalog.read.queries``) list
packages through ``RowIndex``, filter them with ``catalog.read.filters`` and sort them with the
one sort table below, so ``djp packages`` and the app's catalogue agree row for row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from catalog.errors import UserError
from catalog.pypi.readiness import Digest, digest_of
from catalog.text import category_label
from eventstore import Grid
from projections.fold import Tables
from projections.targets import PREFIX
from projections.view import (
    GridView,
    PackageView,
    grid_members,
    grid_views,
    package_view,
    packages_naming_grids,
)

STALE_AFTER = timedelta(days=365)


def haystack(view: PackageView) -> str:
    """The text a filter's plain words are looked for in (casefolded)."""
    p = view.record
    return " ".join([p.title, p.slug, p.repo_description, *p.participants, *view.tags]).casefold()


@dataclass
class Row:
    view: PackageView
    haystack: str
    category: str
    grids: frozenset[str]  # slugs (and ids) of the grids it is in
    stale: bool
    pypi: Digest | None = None  # None until PyPI was asked

    @property
    def key(self) -> str:
        return self.view.key

    _names: tuple[str, str, str, str] | None = field(default=None, repr=False, compare=False)

    def names(self) -> tuple[str, str, str, str]:
        """Its title, slug, their words and description as relevance reads them (casefolded),
        made once per row, not once per keystroke: a one-letter filter scores every one of
        6,000 rows. The words of title and slug sit between spaces (django-rest-framework:
        " django rest framework "): f" {w} " in them is a word that is ``w``; f" {w}" one that
        starts with it."""
        names = self._names
        if names is None:
            p = self.view.record
            title, slug = p.title.casefold(), p.slug.casefold()
            words = f" {_NOT_WORD.sub(' ', title)} {_NOT_WORD.sub(' ', slug)} "
            names = self._names = (title, slug, words, p.repo_description.casefold())
        return names


_NOT_WORD = re.compile(r"[^\w]+|_")


def shown_version(row: Row) -> str:
    """The version a row shows: PyPI's latest where PyPI's facts exist (the catalogue's
    ``pypi_version`` lags: django-admin-ip-restrictor said 2.2.0 beside 3.0.0's release
    date), else the catalogue's."""
    d = row.pypi
    if d is not None and d.facts is not None and d.latest:
        return d.latest
    return row.view.record.pypi_version or ""


class RowIndex:
    """Every package of ``tables`` as a ``Row``, grid memberships computed once."""

    def __init__(self, tables: Tables, now: datetime) -> None:
        self.tables = tables
        self.now = now
        self.rows: dict[str, Row] = {}
        self.vanished_rows: dict[str, Row] = {}  # for is:vanished
        self.grids: list[GridView] = []
        self.category_names: dict[int, str] = {}
        self.rebuild_rows()

    def rebuild_rows(self) -> None:
        self.category_names = {
            e.record.id: e.record.title
            for k, e in self.tables.upstream.items()
            if k.startswith(PREFIX["category"])
        }
        self.grids = sorted(grid_views(self.tables), key=lambda g: g.record.title.casefold())
        # packages that name a grid, indexed once (not once per grid)
        self.named_in = packages_naming_grids(self.tables)
        self.grids += unfetched_grids(self.grids, self.named_in)
        self.memberships: dict[int, set[str]] = {}
        for grid in self.grids:
            names = {grid.record.slug.casefold()}
            if not grid.local:
                names.add(str(grid.record.id))
            for pid in self.grid_member_ids(grid):
                self.memberships.setdefault(pid, set()).update(names)
        self.rows, self.vanished_rows = {}, {}
        for key in self.tables.upstream:
            if key.startswith(PREFIX["package"]):
                self.update_row(key.decode())

    def refresh_package(self, key: str) -> None:
        """One package changed (a step through the log): the grids it names, its grid
        memberships and its row, without rebuilding every row."""
        pid = int(key.split(":", 1)[1])
        entry = self.tables.upstream.get(key.encode())
        named = set(entry.record.grids) if entry is not None and not entry.vanished else set()
        known = {g.record.id for g in self.grids if not g.local}
        if named - known:  # it names a grid nobody named before: the list of grids changes
            self.rebuild_rows()
            return
        for gid, ids in self.named_in.items():
            if gid in named:
                ids.add(pid)
            else:
                ids.discard(pid)
        for gid in named - self.named_in.keys():
            self.named_in[gid] = {pid}
        names: set[str] = set()
        for grid in self.grids:
            if pid in self.grid_member_ids(grid):
                names.add(grid.record.slug.casefold())
                if not grid.local:
                    names.add(str(grid.record.id))
        if names:
            self.memberships[pid] = names
        else:
            self.memberships.pop(pid, None)
        self.update_row(key)

    def grid_member_ids(self, grid: GridView) -> set[int]:
        return grid_members(self.tables, grid, self.named_in)

    def update_row(self, key: str) -> None:
        raw = key.encode()
        view = package_view(self.tables.upstream.get(raw), self.tables.local.get(raw))
        self.rows.pop(key, None)
        self.vanished_rows.pop(key, None)
        if view is None:
            return
        p = view.record
        row = Row(
            view=view,
            haystack=haystack(view),
            category=category_label(self.category_names, p.category, short=True),
            grids=frozenset(self.memberships.get(p.id, ())) | {str(g) for g in p.grids},
            stale=p.last_updated is not None and self.now - p.last_updated > STALE_AFTER,
            pypi=digest_of(
                entry.observed if (entry := self.tables.pypi.get(raw)) else None, self.now
            ),
        )
        if view.vanished:
            self.vanished_rows[key] = row
        else:
            self.rows[key] = row

    # --- questions -------------------------------------------------------------------------

    def package(self, key: str) -> PackageView | None:
        row = self.rows.get(key) or self.vanished_rows.get(key)
        return row.view if row else None

    def grid(self, key: str) -> GridView | None:
        return next((g for g in self.grids if g.key == key), None)

    def grid_rows(self, grid: GridView) -> list[Row]:
        ids = self.grid_member_ids(grid)
        return [r for r in self.rows.values() if r.view.record.id in ids]

    def grid_counts(self, grid: GridView) -> tuple[int, int]:
        """(packages a grid's screen shows, members of its list not in the catalogue)."""
        shown = {i for i in self.grid_member_ids(grid) if f"package:{i}" in self.rows}
        return len(shown), len(set(grid.record.packages) - shown)

    def counts(self) -> tuple[int, int]:
        """Packages, and grids fetched (or yours)."""
        return len(self.rows), sum(1 for g in self.grids if not g.unfetched)


def unfetched_grids(grids: list[GridView], named_in: dict[int, set[int]]) -> list[GridView]:
    """Grids that packages of the catalogue name but whose record was never fetched (the
    shipped sample has 75 packages and one grid record; the packages name 50 other grids):
    listed by id after the others, so what packages say about them can be browsed."""
    known = {g.record.id for g in grids if not g.local}
    return [
        GridView(
            key=f"grid:{gid}",
            record=Grid(
                id=gid,
                title=f"Grid {gid}",
                slug=str(gid),
                description="Not fetched yet: only its packages in this catalogue, which name it, "
                "are known (djp sync fetches the grid).",
            ),
            unfetched=True,
        )
        for gid in sorted(named_in)
        if gid not in known
    ]


# --- sorting: the one table ---------------------------------------------------------------


def _ts(value: datetime | None) -> float:
    return value.timestamp() if value else 0.0


SORTS: dict[str, Callable[[Row], Any]] = {
    "title": lambda r: (r.view.record.title.casefold(), r.view.record.id),
    "slug": lambda r: (r.view.record.slug.casefold(), r.view.record.id),
    "id": lambda r: r.view.record.id,
    "category": lambda r: (r.category.casefold(), r.view.record.title.casefold()),
    "version": lambda r: (shown_version(r), r.view.record.id),
    "watchers": lambda r: (r.view.record.repo_watchers, r.view.record.id),
    "forks": lambda r: (r.view.record.repo_forks, r.view.record.id),
    "last_commit": lambda r: (_ts(r.view.record.last_updated), r.view.record.id),
    "activity": lambda r: (sum(r.view.record.commits_over_52), r.view.record.id),
    "created": lambda r: (_ts(r.view.record.created), r.view.record.id),
    "modified": lambda r: (_ts(r.view.record.modified), r.view.record.id),
    "status": lambda r: (r.view.status, r.view.record.title.casefold()),
    "license": lambda r: ((r.pypi.license if r.pypi else "").casefold(), r.view.record.id),
    "released": lambda r: (_ts(r.pypi.released if r.pypi else None), r.view.record.id),
}
#: The API's field names, accepted for the sort names above.
SORT_ALIASES = {
    "repo_watchers": "watchers",
    "repo_forks": "forks",
    "pypi_version": "version",
    "last_updated": "last_commit",
}
#: Columns whose first sort is largest (or newest) first.
DESCENDING_BY_DEFAULT = frozenset(
    {"watchers", "forks", "last_commit", "activity", "created", "modified", "released", "django"}
)


class SortError(UserError):
    """A sort the user asked for that does not exist; one line."""


def parse_sort(text: str) -> tuple[str, bool]:
    """As Django's ``order_by``: ``"watchers"`` -> ``("watchers", False)`` (ascending),
    ``"-watchers"`` -> ``("watchers", True)`` (descending). Refuses unknown columns."""
    descending = text.startswith("-")
    name = text.removeprefix("-")
    name = SORT_ALIASES.get(name, name)
    if name not in SORTS and name != "relevance":
        raise SortError(f"cannot sort by {name!r}; choose one of {', '.join(SORTS)}, relevance")
    return name, descending


#: Readiness, best first when descending: ready, allowed but not declared, nothing either
#: way, naming Django nowhere, not ready, and (last) packages whose PyPI facts were never
#: fetched.
VERDICT_ORDER = {"no": 1, "n/a": 2, "unknown": 3, "undeclared": 4, "yes": 5}


def sort_rows(
    rows: list[Row],
    sort: str = "title",
    descending: bool = False,
    django: str = "",
    relevance: Callable[[Row], int] | None = None,
) -> list[Row]:
    """Sorted by a column of ``SORTS``, by readiness for Django ``django`` (sort
    ``"django"``: yes, unknown, no when descending), or by ``relevance`` to the words typed
    (sort ``"relevance"``: best first, then most watched, whatever ``descending`` says)."""
    if sort == "relevance" and relevance is not None:
        return sorted(
            rows, key=lambda r: (-relevance(r), -r.view.record.repo_watchers, r.view.record.id)
        )
    if sort == "django" and django:

        def key(r: Row):
            rank = VERDICT_ORDER[r.pypi.django(django).verdict] if r.pypi else 0
            return (rank, r.view.record.repo_watchers, r.view.record.id)

        return sorted(rows, key=key, reverse=descending)
    return sorted(rows, key=SORTS.get(sort, SORTS["title"]), reverse=descending)
