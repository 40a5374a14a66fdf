"""Packages side by side as a lazily drawn grid: an attribute a row, a package a column; a
cell cursor; columns scroll sideways. Only the lines in view are drawn, from the texts the
comparison already holds (Textual's DataTable builds and measures every cell first: measured,
~150 ms for 20 packages here).

The columns share the width: a label column, then equal shares for every package down to
``MIN_CELL`` cells, then as many as fit and the rest scroll sideways. A cell longer than its
column wraps to a second line (its row is two lines high) before it is cut."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from catalog.present.compare import Comparison
from catalog.text import fit, safe_text
from tui.widgets.cursor import CursorView

LABEL = 22  # the attribute column (18 on a terminal narrower than 100)
MIN_CELL = 16  # a package column shares the width down to this, then columns scroll


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
        self._lines: list[tuple[int, int]] = []  # line -> (attribute, its first or second)
        self._starts: list[int] = []  # attribute -> its first line
        self._wrapped: dict[tuple[int, int, int], tuple[str, str]] = {}

    def count(self) -> int:
        return len(self.comparison.attributes) if self.comparison else 0

    def show(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self._wrapped.clear()
        self.column = min(self.column, max(0, len(comparison.packages) - 1))
        self.cursor = min(self.cursor, max(0, self.count() - 1))
        self.sync_size()
        self.refresh()

    # --- columns and lines ---------------------------------------------------------------

    def widths(self) -> tuple[int, int, int]:
        """(label cells, cells a package, packages in view) for the width."""
        width = self.scrollable_content_region.width or self.app.size.width
        label = LABEL if width >= 100 else 18
        room = max(1, width - label - 1)
        packages = len(self.comparison.packages) if self.comparison else 1
        shown = max(1, min(packages, room // (MIN_CELL + 1)))
        return label, max(1, room // shown - 1), shown

    def visible(self) -> int:
        return self.widths()[2]

    def _shown(self) -> range:
        first = min(self.first, max(0, len(self.comparison.packages) - self.visible()))
        self.first = first
        return range(first, min(len(self.comparison.packages), first + self.visible()))

    def _cell_lines(self, index: int, package: int, cell: int) -> tuple[str, str]:
        """A cell's text on one line, or on two when it is longer than the column."""
        key = (index, package, cell)
        got = self._wrapped.get(key)
        if got is None:
            text = safe_text(self.comparison.attributes[index].texts[package] or "—")
            if len(text) <= cell:
                got = (text, "")
            else:
                cut = text.rfind(" ", 0, cell + 1)
                cut = cut if cut > cell // 2 else cell
                got = (text[:cut].rstrip(), fit(text[cut:].lstrip(), cell))
            self._wrapped[key] = got
        return got

    def sync_size(self) -> None:
        """Lay the attributes out in lines (one, or two for a row with a long cell) for the
        columns in view, then size the view to them."""
        self._lines, self._starts = [], []
        if self.comparison is not None:
            _, cell, _ = self.widths()
            shown = self._shown()
            for index in range(self.count()):
                self._starts.append(len(self._lines))
                two = any(self._cell_lines(index, i, cell)[1] for i in shown)
                self._lines += [(index, 0), (index, 1)] if two else [(index, 0)]
        self.virtual_size = Size(0, len(self._lines) + self.HEADER_LINES)

    def top_for_cursor(self, top: int) -> int:
        if not self._starts or self.cursor >= len(self._starts):
            return super().top_for_cursor(top)
        first = self._starts[self.cursor]
        last = (self._starts[self.cursor + 1] if self.cursor + 1 < len(self._starts)
                else len(self._lines)) - 1  # fmt: skip
        visible = max(1, self.size.height - self.HEADER_LINES)
        if first < top:
            return first
        if last >= top + visible:
            return last - visible + 1
        return top

    def on_resize(self) -> None:
        self._wrapped.clear()
        super().on_resize()

    def action_column(self, delta: int) -> None:
        if not self.comparison:
            return
        self.column = max(0, min(len(self.comparison.packages) - 1, self.column + delta))
        if self.column < self.first:
            self.first = self.column
        elif self.column >= self.first + self.visible():
            self.first = self.column - self.visible() + 1
        self.sync_size()  # the rows that wrap are those of the columns in view
        self.scroll_cursor_into_view()
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
        label_cells, cell, _ = self.widths()
        shown = self._shown()
        if y == 0:
            header = base + self.get_component_rich_style("compare-grid--header")
            more = len(self.comparison.packages) - shown.stop
            hidden = [f"← {self.first} more"] if self.first else []
            hidden += [f"{more} more →"] if more > 0 else []
            segments = [Segment(fit(" · ".join(hidden), label_cells) + " ", header)]
            for i in shown:
                style = header + (self._column_style() if i == self.column else Style())
                slug = safe_text(self.comparison.packages[i])
                segments.append(Segment(fit(slug, cell), style))
                segments.append(Segment(" ", header))
            return Strip(segments).crop(0, width).extend_cell_length(width, header)
        line = self.first_row + y - 1
        if line >= len(self._lines):
            return Strip.blank(width, base)
        index, part = self._lines[line]
        attribute = self.comparison.attributes[index]
        label = base + self.get_component_rich_style("compare-grid--label")
        best = self.get_component_rich_style("compare-grid--best")
        segments = [Segment(fit(attribute.label if part == 0 else "", label_cells) + " ", label)]
        for i in shown:
            style = base + best if i in attribute.best else base
            if i == self.column:
                style = style + (
                    self._cursor_style() if index == self.cursor else self._column_style()
                )
            text = self._cell_lines(index, i, cell)[part]
            segments.append(Segment(fit(text, cell), style))
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
