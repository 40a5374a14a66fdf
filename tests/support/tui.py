"""Building deterministic apps for the TUI tests and snapshots."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

from catalog.catalog import Catalog
from catalog.upstream.sync import load_snapshot
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


_SVG_TEXT = re.compile(
    r'<text[^>]*x="([\d.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"[^>]*>(.*?)</text>'
)
CELL_PX = 12.2  # the width of one terminal cell in Rich's SVG export


def screen_text(app: DjpApp) -> str:
    """What the terminal shows, line by line, read from the app's own screenshot (each
    piece of text put back at its column: blanks between pieces are not in the SVG)."""
    lines: dict[int, dict[int, str]] = {}
    for x, number, text in _SVG_TEXT.findall(app.export_screenshot()):
        column = round(float(x) / CELL_PX)
        lines.setdefault(int(number), {})[column] = html.unescape(text).replace("\xa0", " ")
    out = []
    for number in sorted(lines):
        line = ""
        for column in sorted(lines[number]):
            line = line.ljust(column) + lines[number][column]
        out.append(line)
    return "\n".join(out)
