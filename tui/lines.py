"""A list of one-line items that draws only what is on screen (history, event log)."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineList(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("down,j", "move(1)", "down", show=False, id="list.down"),
        Binding("up,k", "move(-1)", "up", show=False, id="list.up"),
        Binding("pagedown", "page(1)", "page down", show=False, id="list.page_down"),
        Binding("pageup", "page(-1)", "page up", show=False, id="list.page_up"),
        Binding("home,g", "jump(0)", "top", show=False, id="list.top"),
        Binding("end,G", "jump(-1)", "bottom", show=False, id="list.bottom"),
        Binding("enter", "select", "select", show=False, id="list.select"),
    ]
    COMPONENT_CLASSES = {"line-list--cursor"}
    DEFAULT_CSS = """
    LineList { overflow-x: hidden; }
    LineList > .line-list--cursor { background: $accent 40%; }
    LineList:focus > .line-list--cursor { background: $accent; }
    """

    cursor = reactive(0, always_update=True)

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

    def set_lines(self, lines: list[Text], cursor: int | None = None) -> None:
        self.lines = lines
        self.virtual_size = Size(0, len(lines))
        if cursor is None:
            cursor = len(lines) - 1
        self.cursor = max(0, min(cursor, len(lines) - 1))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
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

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self.lines))
        self._into_view()

    def _into_view(self) -> None:
        height = max(1, self.size.height)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def watch_cursor(self, cursor: int) -> None:
        self._into_view()
        self.refresh()
        if self.lines:
            self.post_message(self.Highlighted(self, cursor))

    def action_move(self, delta: int) -> None:
        if self.lines:
            self.cursor = max(0, min(len(self.lines) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        if self.lines:
            self.cursor = 0 if where == 0 else len(self.lines) - 1

    def action_select(self) -> None:
        if self.lines:
            self.post_message(self.Selected(self, self.cursor))
