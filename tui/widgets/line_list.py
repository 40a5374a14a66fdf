"""A list of one-line items that draws only what is on screen (history, event log)."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from tui.widgets.cursor import CursorView


class LineList(CursorView):
    BINDINGS = [Binding("enter", "select", "select", show=False, id="list.select")]
    COMPONENT_CLASSES = {"line-list--cursor"}
    DEFAULT_CSS = """
    LineList { overflow-x: hidden; }
    LineList > .line-list--cursor { background: $accent 40%; }
    LineList:focus > .line-list--cursor { background: $accent; }
    """

    class Highlighted(Message):
        def __init__(self, list_: LineList, index: int) -> None:
            super().__init__()
            self.list, self.index = list_, index

        @property
        def control(self) -> LineList:
            return self.list

    class Selected(Highlighted):
        pass

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []

    def count(self) -> int:
        return len(self.lines)

    def set_lines(self, lines: list[Text], cursor: int | None = None) -> None:
        self.lines = lines
        self.sync_size()
        if cursor is None:
            cursor = len(lines) - 1
        self.cursor = max(0, min(cursor, len(lines) - 1))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        style = self.rich_style
        if index == self.cursor:
            style = style + self.get_component_rich_style("line-list--cursor")
        text = self.lines[index].copy()
        text.truncate(width, overflow="ellipsis")
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in text.render(self.app.console)
            if seg.text != "\n"
        ]
        return Strip(segments).crop(0, width).extend_cell_length(width, style)

    def cursor_moved(self, cursor: int) -> None:
        if self.lines:
            self.post_message(self.Highlighted(self, cursor))

    def action_select(self) -> None:
        if self.lines:
            self.post_message(self.Selected(self, self.cursor))
