"""The lines every screen has: the time-travel banner at the top and the status line."""

from __future__ import annotations

from textual.widgets import Footer, Static


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


class KeyFooter(Footer):
    """Textual's footer, redrawn once per change of the keys it shows. Textual's own
    recomposes on every bindings signal (a screen push sends several: activation, each focus
    change), each time building a widget per key: measured, ~100 ms of a screen switch at
    6,000 packages. Here the signals of one refresh are coalesced, and nothing is rebuilt
    when the keys shown are the same."""

    _pending = False
    _shown: tuple | None = None

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def _keys_shown(self) -> tuple:
        return tuple(
            (key, b.binding.action, b.binding.description, b.enabled, b.tooltip)
            for key, b in self.screen.active_bindings.items()
            if b.binding.show
        )

    def compose(self):
        if self._bindings_ready:
            self._shown = self._keys_shown()
        yield from super().compose()

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if self.is_attached and self._keys_shown() != self._shown:
            await self.recompose()
