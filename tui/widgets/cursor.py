"""A scroll view with a row cursor: the moving and scrolling the lazy lists share."""

from __future__ import annotations

from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView


class CursorView(ScrollView, can_focus=True):
    """Rows drawn on demand by ``render_line``; subclasses say how many rows there are."""

    HEADER_LINES = 0  # lines above the rows that do not scroll away (a table's header)
    BINDINGS = [
        Binding("down,j", "move(1)", "down", show=False, id="cursor.down"),
        Binding("up,k", "move(-1)", "up", show=False, id="cursor.up"),
        Binding("pagedown", "page(1)", "page down", show=False, id="cursor.page_down"),
        Binding("pageup", "page(-1)", "page up", show=False, id="cursor.page_up"),
        Binding("home,g", "jump(0)", "top", show=False, id="cursor.top"),
        Binding("end,G", "jump(-1)", "bottom", show=False, id="cursor.bottom"),
    ]

    cursor = reactive(0, always_update=True)

    def count(self) -> int:
        raise NotImplementedError

    def sync_size(self) -> None:
        # width 0: lines are cut to the view, so there is never a horizontal scrollbar
        self.virtual_size = Size(0, self.count() + self.HEADER_LINES)

    placed = False  # laid out and scrolled to the cursor at least once

    def on_resize(self) -> None:
        self.sync_size()
        self.scroll_cursor_into_view()
        if not self.placed:
            self.placed = True
            self.refresh()

    def scroll_cursor_into_view(self) -> None:
        top = self.top_for_cursor(self.scroll_offset.y)
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False)

    def top_for_cursor(self, top: int) -> int:
        """The first row in view once the cursor is in view, from ``top``."""
        visible = max(1, self.size.height - self.HEADER_LINES)
        if self.cursor < top:
            return self.cursor
        if self.cursor >= top + visible:
            return self.cursor - visible + 1
        return top

    @property
    def first_row(self) -> int:
        """The row at the top of the view. Before the first resize has scrolled to the
        cursor, where that scroll will put it: the first frame of a screen already shows the
        rows around the cursor (the end of a million-event log), not the top."""
        top = self.scroll_offset.y
        return top if self.placed else self.top_for_cursor(top)

    def watch_cursor(self, cursor: int) -> None:
        self.scroll_cursor_into_view()
        self.refresh()
        self.cursor_moved(cursor)

    def cursor_moved(self, cursor: int) -> None:
        """Hook for subclasses."""

    def action_move(self, delta: int) -> None:
        if self.count():
            self.cursor = max(0, min(self.count() - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - self.HEADER_LINES - 1))

    def action_jump(self, where: int) -> None:
        if self.count():
            self.cursor = 0 if where == 0 else self.count() - 1
