"""What the app remembers between runs (the Django version of the readiness column...): small
values kept in the store's ``settings`` database, beside the log but not in it (a preference
is not a fact about the catalogue, and changing it is not an edit to undo)."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from catalog.catalog import Catalog
from catalog.errors import UserError
from catalog.pypi.verdicts import DJANGO_RELEASES, default_django
from eventstore import StoreError

SETTINGS_DB = "settings"


class Settings:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def get(self, name: str, default: Any = None) -> Any:
        try:
            db = self.catalog.store.database(SETTINGS_DB)
        except StoreError:  # a read-only store that never had settings
            return default
        raw = self.catalog.store.read(lambda txn: txn.get(name.encode(), db=db))
        if raw is None:
            return default
        try:
            return msgspec.json.decode(raw)
        except msgspec.DecodeError:
            return default

    def set(self, name: str, value: Any) -> bool:
        """Remember ``value``; False when the store cannot be written (read-only)."""
        encoded = msgspec.json.encode(value)
        try:
            db = self.catalog.store.database(SETTINGS_DB)
            self.catalog.store.write(lambda txn: txn.put(name.encode(), encoded, db=db))
        except StoreError:
            return False
        return True

    # --- what is kept ----------------------------------------------------------------------

    def django(self, today: date) -> str:
        """The Django release readiness is judged for: the one chosen in the app, else the
        newest supported LTS."""
        return self.django_choice(today)[0]

    def django_choice(self, today: date) -> tuple[str, str]:
        """(that release, why it is the one: "chosen in the app" or "the newest supported
        LTS")."""
        remembered = self.get("django")
        if remembered in {r.version for r in DJANGO_RELEASES}:
            return remembered, "chosen in the app"
        return default_django(today), "the newest supported LTS"

    def saved_filters(self) -> dict[str, str]:
        """Filters saved under a name (the palette's "Filter: NAME", ``--saved NAME``)."""
        saved = self.get("saved_filters", {})
        return {str(k): str(v) for k, v in saved.items()} if isinstance(saved, dict) else {}

    def save_filter(self, name: str, text: str) -> bool:
        name = " ".join(name.split())
        if not name:
            raise UserError("a saved filter needs a name")
        return self.set("saved_filters", self.saved_filters() | {name: text})

    def forget_filter(self, name: str) -> bool:
        saved = self.saved_filters()
        if name not in saved:
            raise UserError(f"no saved filter {name!r}")
        del saved[name]
        return self.set("saved_filters", saved)

    def saved_filter(self, name: str) -> str:
        saved = self.saved_filters()
        if name not in saved:
            known = ", ".join(sorted(saved)) or "none yet (--save NAME keeps one)"
            raise UserError(f"no saved filter {name!r}; saved: {known}")
        return saved[name]
