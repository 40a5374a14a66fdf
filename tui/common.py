"""Pieces every screen shares: the time-travel banner, the status line, literal text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from catalog.display import local_time, safe_text

if TYPE_CHECKING:
    from tui.app import DjpApp


def tone(app, name: str) -> str:
    """A colour of the active theme (``error``, ``success``, ``warning``) as a Rich style."""
    theme = app.current_theme
    return str(getattr(theme, name, None) or "")


def literal(value: object, style: str = "") -> Text:
    """Remote text as a Rich ``Text``: shown as typed, never parsed as markup."""
    return Text(safe_text(value, single_line=False), style=style)


class Banner(Static):
    """Across the top, in a warning colour, while the app shows the past."""

    DEFAULT_CSS = """
    Banner { display: none; background: $warning; color: $text; text-style: bold; padding: 0 1; }
    Banner.past { display: block; }
    """


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { background: $panel; color: $text-muted; padding: 0 1; height: 1; }
    """


class DjpScreen(Screen):
    """A screen that shows the app's state and redraws itself when it changes."""

    app: DjpApp

    def compose_chrome(self):
        yield Banner(id="banner")
        yield StatusLine(id="status")

    def on_screen_resume(self) -> None:
        self.refresh_state()

    def refresh_state(self) -> None:
        """Redraw from ``self.app.browser``; screens extend this."""
        browser = self.app.browser
        if browser is None:
            return
        banner = self.query("#banner")
        if banner:
            widget = banner.first(Banner)
            if browser.present:
                widget.remove_class("past")
            else:
                envelope = self.app.catalog.store.get(browser.seq)
                when = local_time(envelope.recorded_at) if envelope else ""
                widget.update(
                    f"viewing the past — as of event {browser.seq:,} ({when}) · "
                    "[ ] step · esc back to present"
                )
                widget.add_class("past")
        status = self.query("#status")
        if status:
            packages, grids = browser.counts()
            where = "present" if browser.present else "past"
            text = (
                f"{self.app.store_label} · {browser.last_seq:,} events · {packages:,} packages · "
                f"{grids:,} grids · last sync {self.app.last_sync_text()} · ▸ {where} "
                f"(seq {browser.seq:,})"
            )
            status.first(StatusLine).update(Text(text))


class DjpInput(Input):
    """An Input whose cursor blinks only when the app wants it to (snapshots do not)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


class DjpTextArea(TextArea):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)
