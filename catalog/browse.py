"""The catalogue as the app browses it: folded tables in memory, rows ready to filter.

``Browser`` holds the state at the present (kept current by folding new events as they are
appended, by this process or another) or at any past event (time travel, stepping one event
at a time). Filtering understands qualifiers: ``grid:SLUG``, ``cat:NAME``, ``tag:X`` and
``is:edited|stale|shortlisted|using|evaluating|rejected|conflict|vanished``; the other words
must all appear in the title, slug, description, participants or tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import msgspec

from catalog.service import Catalog
from eventstore import RecordSeen
from eventstore.store import decode_for_fold
from projections.fold import EditLog, LocalEntry, Tables, UpstreamEntry, fold
from projections.view import (
    GridView,
    PackageView,
    grid_members,
    grid_views,
    package_view,
    packages_naming_grids,
)

STALE_AFTER = timedelta(days=365)
IS_WORDS = (
    "edited",
    "stale",
    "shortlisted",
    "using",
    "evaluating",
    "rejected",
    "conflict",
    "vanished",
    "starred",
)


class FilterError(ValueError):
    """A filter the user typed that cannot be understood; one line."""


@dataclass
class Row:
    view: PackageView
    haystack: str
    category: str
    grids: frozenset[str]  # slugs (and ids) of the grids it is in
    stale: bool

    @property
    def key(self) -> str:
        return self.view.key


@dataclass
class Filter:
    words: list[str] = field(default_factory=list)
    grid: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def parse_filter(text: str) -> Filter:
    result = Filter()
    for token in text.split():
        name, sep, value = token.partition(":")
        if not sep or not value:
            result.words.append(token.casefold())
        elif name == "grid":
            result.grid = value.casefold()
        elif name in ("cat", "category"):
            result.category = value.casefold()
        elif name == "tag":
            result.tags.append(value.casefold())
        elif name == "is":
            if value not in IS_WORDS:
                raise FilterError(f"is:{value} is not a filter; try is:{', is:'.join(IS_WORDS)}")
            result.flags.append(value)
        else:
            result.words.append(token.casefold())
    return result


CHECKPOINT_EVERY = 50_000


class Checkpoint:
    """Folded tables frozen as bytes (msgpack), to restore a point of the log quickly."""

    _types = {"upstream": UpstreamEntry, "local": LocalEntry, "editlog": EditLog, "slugs": str}
    _decoders = {name: msgspec.msgpack.Decoder(dict[bytes, t]) for name, t in _types.items()}

    def __init__(self, frozen: dict[str, bytes]) -> None:
        self.frozen = frozen

    @classmethod
    def of(cls, tables: Tables) -> Checkpoint:
        return cls(
            {name: msgspec.msgpack.encode(dict(getattr(tables, name))) for name in cls._types}
        )

    def restore(self) -> Tables:
        return Tables(
            **{name: self._decoders[name].decode(raw) for name, raw in self.frozen.items()}
        )


class Browser:
    def __init__(self, catalog: Catalog, now: datetime | None = None) -> None:
        self.catalog = catalog
        self._checkpoints: dict[int, Checkpoint] = {}  # the log is append-only: they stay true
        self.now = now or datetime.now(UTC)
        self.travelled: int | None = None  # the event the state is at, when in the past
        self.tables = Tables()
        self.seq = 0
        self.rows: dict[str, Row] = {}
        self.vanished_rows: dict[str, Row] = {}  # for is:vanished
        self.grids: list[GridView] = []
        self.load_present()

    # --- moving through the log --------------------------------------------------------

    @property
    def present(self) -> bool:
        return self.travelled is None

    @property
    def last_seq(self) -> int:
        return self.catalog.store.last_seq

    def load_present(self) -> None:
        self.travelled = None
        self.seq = self.catalog.store.last_seq
        self.tables = self.catalog.tables()
        self.rebuild_rows()

    def refresh(self) -> int:
        """Fold events appended since we last looked (by anyone); returns how many."""
        if not self.present:
            return 0
        last = self.catalog.store.last_seq
        if last <= self.seq:
            return 0
        count = self._fold_range(self.seq + 1, last)
        return count

    def travel(self, seq: int) -> None:
        """Show the catalogue as it was right after event ``seq``."""
        last = self.catalog.store.last_seq
        seq = max(1, min(seq, last))
        if self.travelled is not None and seq > self.seq:
            self._fold_range(self.seq + 1, seq)  # forward: fold just the next events
        else:
            self.tables = self._tables_at(seq)
            self.seq = seq
            self.rebuild_rows()
        self.travelled = seq

    def _tables_at(self, seq: int) -> Tables:
        """The tables right after event ``seq``: from the nearest checkpoint at or before it,
        folding only the rest. Checkpoints (encoded tables every ``CHECKPOINT_EVERY`` events)
        are made on the way, so stepping back through a long log stays quick."""
        start = max((c for c in self._checkpoints if c <= seq), default=0)
        tables = self._checkpoints[start].restore() if start else Tables()
        position = start
        while position < seq:
            stop = min(seq, (position // CHECKPOINT_EVERY + 1) * CHECKPOINT_EVERY)
            for chunk in self.catalog.store.read_raw(position + 1, stop):
                for raw in chunk:
                    fold(tables, decode_for_fold(raw))
            position = stop
            if position % CHECKPOINT_EVERY == 0 and position not in self._checkpoints:
                self._checkpoints[position] = Checkpoint.of(tables)
        return tables

    def step(self, delta: int) -> None:
        start = self.seq if self.travelled is not None else self.catalog.store.last_seq
        target = start + delta
        if target >= self.catalog.store.last_seq:
            self.load_present()
        else:
            self.travel(target)

    def _fold_range(self, first: int, last: int) -> int:
        touched: set[str] = set()
        structural = False
        count = 0
        for envelope in self.catalog.store.read_all(first, last):
            fold(self.tables, envelope)
            stream = envelope.stream
            event = envelope.event
            if stream.startswith("package:") and (
                isinstance(event, RecordSeen) or "grids" in getattr(event, "changes", {})
            ):
                structural = True  # a new package, or one whose grids changed
            elif stream.startswith("package:"):
                touched.add(stream)
            elif stream != "sync":
                structural = True  # a grid or category: memberships and names may change
            count += 1
        self.seq = last
        if structural:
            self.rebuild_rows()
        else:
            for key in touched:
                self._update_row(key)
        return count

    # --- rows --------------------------------------------------------------------------

    def rebuild_rows(self) -> None:
        self.category_names = {
            e.record.id: e.record.title
            for k, e in self.tables.upstream.items()
            if k.startswith(b"category:")
        }
        self.grids = sorted(grid_views(self.tables), key=lambda g: g.record.title.casefold())
        # packages that name a grid, indexed once (not once per grid)
        self.named_in = packages_naming_grids(self.tables)
        self.memberships: dict[int, set[str]] = {}
        for grid in self.grids:
            names = {grid.record.slug.casefold()}
            if not grid.local:
                names.add(str(grid.record.id))
            for pid in self.grid_member_ids(grid):
                self.memberships.setdefault(pid, set()).update(names)
        self.rows, self.vanished_rows = {}, {}
        for key in self.tables.upstream:
            if key.startswith(b"package:"):
                self._update_row(key.decode())

    def grid_member_ids(self, grid: GridView) -> set[int]:
        return grid_members(self.tables, grid, self.named_in)

    def _update_row(self, key: str) -> None:
        raw = key.encode()
        view = package_view(self.tables.upstream.get(raw), self.tables.local.get(raw))
        self.rows.pop(key, None)
        self.vanished_rows.pop(key, None)
        if view is None:
            return
        p = view.record
        hay = " ".join([p.title, p.slug, p.repo_description, *p.participants, *view.tags])
        row = Row(
            view=view,
            haystack=hay.casefold(),
            category=self.category_names.get(p.category, ""),
            grids=frozenset(self.memberships.get(p.id, ())) | {str(g) for g in p.grids},
            stale=p.last_updated is not None and self.now - p.last_updated > STALE_AFTER,
        )
        if view.vanished:
            self.vanished_rows[key] = row
        else:
            self.rows[key] = row

    # --- questions ---------------------------------------------------------------------

    def filter(self, text: str, sort: str = "title", descending: bool = False) -> list[Row]:
        f = parse_filter(text)
        rows = list(self.rows.values())
        if "vanished" in f.flags:
            rows = list(self.vanished_rows.values())
        if f.grid is not None:
            rows = [r for r in rows if f.grid in r.grids]
        if f.category is not None:
            rows = [
                r
                for r in rows
                if r.category.casefold() == f.category or str(r.view.record.category) == f.category
            ]
        for tag in f.tags:
            rows = [r for r in rows if tag in (t.casefold() for t in r.view.tags)]
        for flag in f.flags:
            rows = [r for r in rows if _has_flag(r, flag)]
        for word in f.words:
            rows = [r for r in rows if word in r.haystack]
        return sort_rows(rows, sort, descending)

    def package(self, key: str) -> PackageView | None:
        row = self.rows.get(key) or self.vanished_rows.get(key)
        return row.view if row else None

    def grid(self, key: str) -> GridView | None:
        return next((g for g in self.grids if g.key == key), None)

    def grid_rows(self, grid: GridView) -> list[Row]:
        ids = self.grid_member_ids(grid)
        return [r for r in self.rows.values() if r.view.record.id in ids]

    def counts(self) -> tuple[int, int]:
        return len(self.rows), len(self.grids)


def _has_flag(row: Row, flag: str) -> bool:
    v = row.view
    if flag == "edited":
        return bool(v.overridden)
    if flag == "stale":
        return row.stale
    if flag == "conflict":
        return bool(v.conflicts)
    if flag == "starred":
        return v.status in ("shortlisted", "using")
    if flag == "vanished":
        return v.vanished
    return v.status == flag


SORTS = {
    "title": lambda r: (r.view.record.title.casefold(), r.view.record.id),
    "category": lambda r: (r.category.casefold(), r.view.record.title.casefold()),
    "version": lambda r: (r.view.record.pypi_version or "", r.view.record.id),
    "watchers": lambda r: (r.view.record.repo_watchers, r.view.record.id),
    "forks": lambda r: (r.view.record.repo_forks, r.view.record.id),
    "last_commit": lambda r: (
        r.view.record.last_updated.timestamp() if r.view.record.last_updated else 0.0,
        r.view.record.id,
    ),
    "activity": lambda r: (sum(r.view.record.commits_over_52), r.view.record.id),
    "status": lambda r: (r.view.status, r.view.record.title.casefold()),
}


def sort_rows(rows: list[Row], sort: str, descending: bool = False) -> list[Row]:
    return sorted(rows, key=SORTS.get(sort, SORTS["title"]), reverse=descending)
