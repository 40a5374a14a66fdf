"""``Catalog``: the event store opened with its projections attached, what the UIs work with.

Reads of the log (one event, a range of events) go through it too, so neither UI touches
the store's own API.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from pathlib import Path

from eventstore import Envelope, Store
from projections.fold import Tables, fold
from projections.persisted import CatalogProjection, Progress
from projections.targets import Target
from projections.view import PackageView, package_view


class Catalog:
    """An event store plus the projections maintained on every append."""

    def __init__(self, store: Store, progress: Progress | None = None) -> None:
        self.store = store
        self.projection = CatalogProjection(store)
        self.projection.catch_up(progress)

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], progress: Progress | None = None, **kwargs
    ) -> Catalog:
        """The store at ``path``, its projection caught up (``progress(done, total)`` while
        a long catch-up folds)."""
        store = Store.open(Path(path), **kwargs)
        try:
            return cls(store, progress)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_empty(self) -> bool:
        """No upstream record yet: the catalogue still needs its first fill. A store that only
        failed syncs, stacks or PyPI facts wrote to is empty too."""
        return self.projection.upstream_records() == 0

    def tables(self, as_of: int | None = None) -> Tables:
        """The folded catalogue in memory: the present (read from the persisted projection) or
        the state right after event ``as_of`` (folded from the log)."""
        if as_of is not None:
            self._check_seq(as_of)
            return self.projection.fresh_fold(as_of)[0]
        return Tables(**self.projection.dump())

    def _check_seq(self, seq: int) -> None:
        last = self.store.last_seq
        if seq < 1 or seq > last:
            raise LookupError(f"there is no event {seq}; the log holds 1 to {last}")

    @property
    def last_seq(self) -> int:
        return self.store.last_seq

    def event(self, seq: int) -> Envelope | None:
        return self.store.get(seq)

    def events(self, first: int = 1, last: int | None = None) -> Iterator[Envelope]:
        """Envelopes ``first``..``last`` of the log, oldest first."""
        return self.store.read_all(first, last)

    def stream(self, target: Target | str) -> list[Envelope]:
        """Every event of one stream (a target, or ``sync``), oldest first."""
        return self.store.read_stream(str(target))

    def lookup(self, resource: str, key: str | int) -> Target | None:
        """The target of an id or slug (old slugs too), through the slug index."""
        return self.projection.lookup(resource, key)

    def target_tables(self, target: Target, as_of: int | None = None) -> Tables:
        """Just the rows of one package or grid: the present, or folded from its own stream
        up to event ``as_of`` (a package's view depends only on its stream)."""
        if as_of is None:
            return self.projection.target_tables(target)
        self._check_seq(as_of)
        tables = Tables()
        for envelope in self.store.read_stream(target.key):
            if envelope.seq > as_of:
                break
            fold(tables, envelope)
        return tables

    def suggestion(self, resource: str, key: str) -> str:
        """ "; did you mean X?" with the closest slugs the catalogue knows, for an error."""
        prefix = f"{resource}:".encode()

        def read(txn) -> list[str]:
            slugs = self.projection.tables(txn).slugs
            return [k[len(prefix) :].decode() for k in slugs.keys(prefix)]

        slugs = self.store.read(read)
        close = difflib.get_close_matches(str(key), slugs, n=3, cutoff=0.6)
        if close:
            return f"; did you mean {' or '.join(close)}?"
        if not slugs:
            return " (the store is empty: djp sync fetches the catalogue)"
        return f" (djp packages --query {str(key)[:40]} searches titles and descriptions)"

    def package_view(self, key: str, as_of: int | None = None) -> PackageView:
        """One package by id or slug, now or right after event ``as_of``."""
        target = self.projection.lookup("package", key)
        if target is None:
            raise LookupError(
                f"no package {key!r} in the catalogue{self.suggestion('package', key)}"
            )
        tables = self.target_tables(target, as_of)
        view = package_view(tables.upstream.get(target.raw), tables.local.get(target.raw))
        if view is None:
            raise LookupError(f"package {key!r} was not in the catalogue as of event {as_of}")
        return view
