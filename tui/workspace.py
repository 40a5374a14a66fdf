"""What the controller's parts share: the catalogue, the browser (its rows at the present or
at a point in the past) and the two ways of telling (a toast, and the state signal).

``Controller`` owns one and hands it to its parts (``EditCommands``, ``FetchCommands``), so
each part gets exactly this, not the controller.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from textual.signal import Signal

from catalog.catalog import Catalog
from catalog.read.browse import Browser


class Change(enum.Enum):
    """What the state signal says changed: what the screens show, or only what the app is
    doing (a sync's or a jump's progress: the status line alone redraws)."""

    DATA = "data"
    ACTIVITY = "activity"


Notify = Callable[..., None]


class Workspace:
    def __init__(
        self,
        catalog: Catalog,
        *,
        changed: Signal,
        notify: Notify,
        now: datetime | None = None,
    ) -> None:
        self.catalog = catalog
        self.changed = changed
        self._notify = notify
        self.fixed_now = now
        self.browser = Browser(catalog, self.now)
        self.syncing = False  # this app's sync is writing: what it appends is not news

    @property
    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    @property
    def read_only(self) -> bool:
        """The store was opened by a user who can only read it: browse, never change."""
        return self.catalog.store.read_only

    def notify(self, message: str, **kwargs: Any) -> None:
        """A toast; ``message`` is plain text, never markup."""
        self._notify(message, markup=False, **kwargs)

    def announce(self, change: Change = Change.DATA) -> None:
        """Tell every screen that what it shows (or only the app's activity) changed."""
        self.changed.publish(change)

    def poll(self) -> int:
        """Fold events appended since the browser last looked; returns how many."""
        if not self.browser.present:
            return 0
        count = self.browser.refresh()
        if count:
            self.announce()
        return count

    def to_present(self) -> None:
        if not self.browser.present:
            self.browser.load_present()
            self.announce()
            self.notify("back to the present")
