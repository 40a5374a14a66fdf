"""``DjpScreen``: a screen that shows the app's state and redraws when it changes.

The state reaches every screen one way: the controller's ``changed`` signal. A screen in
view redraws at once; one hidden under another screen redraws when it comes back.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen

from catalog.text import local_time
from tui.controller import Controller
from tui.widgets import Banner, StatusLine


class DjpScreen(Screen):
    @property
    def controller(self) -> Controller:
        return self.app.controller  # set by DjpApp before any screen is pushed

    def compose_chrome(self) -> ComposeResult:
        yield Banner(id="banner")
        yield StatusLine(id="status")

    def on_mount(self) -> None:
        self.controller.changed.subscribe(self, self._state_changed, immediate=True)

    def _state_changed(self, _controller: Controller) -> None:
        if self.is_current:  # the front screen, or one under a dialog
            self.refresh_state()

    def on_screen_resume(self) -> None:
        self.refresh_state()

    def refresh_state(self) -> None:
        """Redraw from the controller's browser; screens extend this."""
        browser = self.controller.browser
        banner = self.query("#banner")
        if banner:
            widget = banner.first(Banner)
            if browser.present:
                widget.remove_class("past")
            else:
                envelope = self.controller.event(browser.seq)
                when = local_time(envelope.recorded_at) if envelope else ""
                widget.update(
                    Text(
                        f"viewing the past — as of event {browser.seq:,} ({when}) · "
                        "[ ] step · esc back to present"
                    )
                )
                widget.add_class("past")
        status = self.query("#status")
        if status:
            packages, grids = browser.counts()
            where = "present" if browser.present else "past"
            text = (
                f"{self.controller.store_label} · {browser.last_seq:,} events · "
                f"{packages:,} packages · {grids:,} grids · last sync "
                f"{self.controller.last_sync_text()} · ▸ {where} (seq {browser.seq:,})"
            )
            status.first(StatusLine).update(Text(text))
