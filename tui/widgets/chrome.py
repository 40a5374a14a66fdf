"""The lines every screen has: the time-travel banner at the top and the status line."""

from __future__ import annotations

from textual.widgets import Static


class Banner(Static):
    """Across the top, in a warning colour, while the app shows the past."""

    DEFAULT_CSS = """
    Banner { display: none; background: $warning; color: $text; text-style: bold; padding: 0 1; }
    Banner.past { display: block; }
    """


class StatusLine(Static):
    """Store, events, counts, last sync and present/past, in one line."""

    DEFAULT_CSS = """
    StatusLine { background: $panel; color: $text-muted; padding: 0 1; height: 1; }
    """
