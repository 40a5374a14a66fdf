"""A store opened with its projections attached: what the UIs work with."""

from __future__ import annotations

import os
from pathlib import Path

from eventstore import Store
from projections.persisted import CatalogProjection


class Catalog:
    """An event store plus the projections maintained on every append."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.projection = CatalogProjection(store)
        self.projection.catch_up()

    @classmethod
    def open(cls, path: str | os.PathLike[str], **kwargs) -> Catalog:
        store = Store.open(Path(path), **kwargs)
        try:
            return cls(store)
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
        return self.store.last_seq == 0
