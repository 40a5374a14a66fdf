"""The lines every screen has: the time-travel banner at the top and the status line."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget
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


class KeyFooter(Widget):
    """The keys of the screen in front, on one line at the bottom, as Textual's footer shows
    them. One widget drawing one line: Textual's ``Footer`` builds a widget per key and
    rebuilds them on every bindings signal (a screen push sends several): measured, ~100 ms
    of every screen switch at 6,000 packages. Keys are not clickable here; djp is driven by
    the keyboard, and ``?`` lists every key."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom; height: 1; background: $footer-background; color: $footer-foreground;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground; background: $footer-key-background; text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground; background: $footer-description-background;
    }
    KeyFooter > .key-footer--disabled { color: $text-disabled; }
    """
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--disabled",
    }

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen) -> None:
        if screen is self.screen:
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description = self.get_component_rich_style("key-footer--description")
        disabled = self.get_component_rich_style("key-footer--disabled")
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        seen: set[str] = set()
        palette = None
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.key == self.app.COMMAND_PALETTE_BINDING:
                palette = binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            line.append(f" {self.app.get_key_display(binding)} ", style=key_style)
            line.append(
                f"{binding.description} ", style=description if active.enabled else disabled
            )
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            tail = Text(" ", end="")
            tail.append(f"{self.app.get_key_display(palette)} ", style=key_style)
            tail.append("palette ", style=description)
            room = self.size.width - tail.cell_len
            line.truncate(max(0, room), overflow="ellipsis", pad=True)
            line.append_text(tail)
        return line
