"""Packages side by side as a lazily drawn grid: an attribute a row, a package a column; a
cell cursor; columns scroll sideways. Only the lines in view are drawn, from the texts the
comparison already holds (Textual's DataTable builds and measures every cell first: measured,
~150 ms for 20 packages here)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from catalog.present.compare import Comparison
from catalog.text import fit, safe_text
from tui.widgets.cursor import CursorView

LABEL = 22  # the attribute column
CELL = 30  # a package column


class CompareGrid(CursorView):
    HEADER_LINES = 1
    BINDINGS = [
        Binding("left,h", "column(-1)", "column", show=False, id="compare_grid.left"),
        Binding("right,l", "column(1)", "column", show=False, id="compare_grid.right"),
        Binding("enter", "open", "open", id="compare_grid.open"),
    ]
    COMPONENT_CLASSES = {
        "compare-grid--header",
        "compare-grid--label",
        "compare-grid--best",
        "compare-grid--cursor",
        "compare-grid--column",
    }
    DEFAULT_CSS = """
    CompareGrid { height: 1fr; overflow-x: hidden; }
    CompareGrid > .compare-grid--header { text-style: bold; background: $panel; }
    CompareGrid > .compare-grid--label { color: $text-muted; }
    CompareGrid > .compare-grid--best { color: $text-success; text-style: bold; }
    CompareGrid > .compare-grid--cursor { background: $accent 40%; }
    CompareGrid:focus > .compare-grid--cursor { background: $accent; color: $text; }
    CompareGrid > .compare-grid--column { background: $accent 15%; }
    """

    class Opened(Message):
        """Enter on a column: the package at ``index`` of the comparison."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.comparison: Comparison | None = None
        self.column = 0  # the package under the cursor
        self.first = 0  # the leftmost package in view

    def count(self) -> int:
        return len(self.comparison.attributes) if self.comparison else 0

    def show(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.column = min(self.column, max(0, len(comparison.packages) - 1))
        self.sync_size()
        self.cursor = min(self.cursor, max(0, self.count() - 1))
        self.refresh()

    # --- columns ---------------------------------------------------------------------------

    def visible(self) -> int:
        width = self.scrollable_content_region.width
        return max(1, (width - LABEL - 1) // (CELL + 1))

    def action_column(self, delta: int) -> None:
        if not self.comparison:
            return
        self.column = max(0, min(len(self.comparison.packages) - 1, self.column + delta))
        if self.column < self.first:
            self.first = self.column
        elif self.column >= self.first + self.visible():
            self.first = self.column - self.visible() + 1
        self.refresh()

    def action_open(self) -> None:
        if self.comparison and self.comparison.packages:
            self.post_message(self.Opened(self.column))

    # --- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self.comparison is None:
            return Strip.blank(width, base)
        shown = range(self.first, min(len(self.comparison.packages), self.first + self.visible()))
        if y == 0:
            header = base + self.get_component_rich_style("compare-grid--header")
            more = len(self.comparison.packages) - shown.stop
            scrolled = f"← {self.first} more · {max(more, 0)} more →"
            corner = scrolled if self.first or more > 0 else ""
            segments = [Segment(fit(corner, LABEL) + " ", header)]
            for i in shown:
                style = header + (self._column_style() if i == self.column else Style())
                slug = safe_text(self.comparison.packages[i])
                segments.append(Segment(fit(slug, CELL), style))
                segments.append(Segment(" ", header))
            return Strip(segments).crop(0, width).extend_cell_length(width, header)
        index = self.first_row + y - 1
        if index >= self.count():
            return Strip.blank(width, base)
        attribute = self.comparison.attributes[index]
        label = base + self.get_component_rich_style("compare-grid--label")
        best = self.get_component_rich_style("compare-grid--best")
        segments = [Segment(fit(attribute.label, LABEL) + " ", label)]
        for i in shown:
            style = base + best if i in attribute.best else base
            if i == self.column:
                style = style + (
                    self._cursor_style() if index == self.cursor else self._column_style()
                )
            segments.append(Segment(fit(attribute.texts[i] or "—", CELL), style))
            segments.append(Segment(" ", base))
        return Strip(segments).crop(0, width).extend_cell_length(width, base)

    def _cursor_style(self) -> Style:
        return self.get_component_rich_style("compare-grid--cursor")

    def _column_style(self) -> Style:
        return self.get_component_rich_style("compare-grid--column")

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
