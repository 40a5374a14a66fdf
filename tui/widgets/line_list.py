"""A list of one-line items that draws only what is on screen (history, event log)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from tui.widgets.cursor import CursorView


class LazyLines(Sequence[Text]):
    """A sequence of ``count`` lines, each made by ``line_at(index)`` when first asked for."""

    def __init__(self, count: int, line_at: Callable[[int], Text]) -> None:
        self.count_, self.line_at = count, line_at

    def __len__(self) -> int:
        return self.count_

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count_))]
        if index < 0:
            index += self.count_
        if not 0 <= index < self.count_:
            raise IndexError(index)
        return self.line_at(index)


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
        self.lines: Sequence[Text] = []

    def count(self) -> int:
        return len(self.lines)

    def set_source(
        self, count: int, line_at: Callable[[int], Text], cursor: int | None = None
    ) -> None:
        """``count`` lines made by ``line_at(index)`` when drawn (a log of a million events
        opens at once: only the lines in view are ever made)."""
        self.set_lines(LazyLines(count, line_at), cursor)

    def set_lines(self, lines: Sequence[Text], cursor: int | None = None) -> None:
        self.lines = lines
        self.sync_size()
        if cursor is None:
            cursor = len(lines) - 1
        self.cursor = max(0, min(cursor, len(lines) - 1))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.first_row + y
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
