"""What the app remembers between runs (the Django version of the readiness column...): small
values kept in the store's ``settings`` database, beside the log but not in it (a preference
is not a fact about the catalogue, and changing it is not an edit to undo)."""

from __future__ import annotations

from typing import Any

import msgspec

from catalog.catalog import Catalog
from eventstore import StoreError

SETTINGS_DB = "settings"


class Settings:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def get(self, name: str, default: Any = None) -> Any:
        db = self.catalog.store.database(SETTINGS_DB)
        raw = self.catalog.store.read(lambda txn: txn.get(name.encode(), db=db))
        if raw is None:
            return default
        try:
            return msgspec.json.decode(raw)
        except msgspec.DecodeError:
            return default

    def set(self, name: str, value: Any) -> bool:
        """Remember ``value``; False when the store cannot be written (read-only)."""
        db = self.catalog.store.database(SETTINGS_DB)
        encoded = msgspec.json.encode(value)
        try:
            self.catalog.store.write(lambda txn: txn.put(name.encode(), encoded, db=db))
        except StoreError:
            return False
        return True
