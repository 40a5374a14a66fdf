"""Building deterministic apps for the TUI tests and snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from catalog.catalog import Catalog
from catalog.sync import load_snapshot
from tests.support.builders import still_clock
from tests.support.clock import FakeClock
from tui.app import DjpApp

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def filled_store(path: Path, prepare=None) -> Path:
    """A store holding the shipped snapshot, with deterministic event times and sync
    durations (the event log shows them; a loaded machine must not change a snapshot)."""
    with Catalog.open(path, clock=FakeClock()) as catalog:
        load_snapshot(catalog, clock=still_clock)
        if prepare is not None:
            prepare(catalog)
    return path


class RecordingApp(DjpApp):
    """The app, keeping every toast it showed (``toasts``) for tests to read."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.toasts: list[str] = []

    def notify(self, message, *args, **kwargs) -> None:
        self.toasts.append(str(message))
        super().notify(message, *args, **kwargs)


def make_app(path: Path, **kwargs) -> RecordingApp:
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("store_label", "test-store")
    kwargs.setdefault("poll_seconds", 0)
    kwargs.setdefault("cursor_blink", False)
    kwargs.setdefault("config_path", path.parent / "no-config.toml")
    kwargs.setdefault("clock", still_clock)
    return RecordingApp(path, **kwargs)


def notifications(app: RecordingApp) -> list[str]:
    return app.toasts
