"""Building deterministic apps for the TUI tests and snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import patch

from catalog.service import Catalog
from catalog.sync import load_snapshot
from tests.support.clock import FakeClock
from tui.app import DjpApp

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def filled_store(path: Path, prepare=None) -> Path:
    """A store holding the shipped snapshot, with deterministic event times and sync
    durations (the event log shows them; a loaded machine must not change a snapshot)."""
    with (
        Catalog.open(path, clock=FakeClock()) as catalog,
        patch("catalog.sync.time.monotonic", return_value=1000.0),
    ):
        load_snapshot(catalog)
        if prepare is not None:
            prepare(catalog)
    return path


def make_app(path: Path, **kwargs) -> DjpApp:
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("store_label", "test-store")
    kwargs.setdefault("poll_seconds", 0)
    kwargs.setdefault("cursor_blink", False)
    kwargs.setdefault("config_path", path.parent / "no-config.toml")
    return DjpApp(path, **kwargs)


def notifications(app: DjpApp) -> list[str]:
    return [n.message for n in app._notifications]
