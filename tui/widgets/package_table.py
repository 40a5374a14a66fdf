"""A package table that renders only the lines on screen.

Textual's DataTable builds every row up front (about a second for 10k rows); this table
keeps the rows as data and draws each visible line on demand (``render_line``), so filtering
6,000 packages redraws one screenful. Remote text is drawn as plain segments: never markup,
and control characters are made visible by ``safe_text``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.segment import Segment
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from catalog.present import COLUMNS, cell_text
from catalog.rows import DESCENDING_BY_DEFAULT, Row
from catalog.text import fit
from tui.widgets.cursor import CursorView

#: The app's columns, in order (``djp packages`` prints the same ones, plus the id).
TABLE_COLUMNS = [
    COLUMNS[k]
    for k in (
        "status",
        "title",
        "category",
        "version",
        "watchers",
        "forks",
        "last_commit",
        "activity",
    )
]


class PackageTable(CursorView):
    """Rows of packages with a cursor, a sort column and lazily drawn lines."""

    HEADER_LINES = 1
    BINDINGS = [
        Binding("left", "column(-1)", "column", show=False, id="table.column_left"),
        Binding("right", "column(1)", "column", show=False, id="table.column_right"),
        Binding("s", "sort", "sort", id="table.sort"),
        Binding("enter", "open", "open", id="table.open"),
    ]
    COMPONENT_CLASSES = {
        "package-table--header",
        "package-table--cursor",
        "package-table--column",
        "package-table--edited",
        "package-table--dim",
    }
    DEFAULT_CSS = """
    PackageTable { height: 1fr; overflow-x: hidden; }
    PackageTable > .package-table--header { text-style: bold; background: $panel; }
    PackageTable > .package-table--column { text-style: bold reverse; }
    PackageTable > .package-table--cursor { background: $accent 40%; }
    PackageTable:focus > .package-table--cursor { background: $accent; color: $text; }
    PackageTable > .package-table--edited { color: $warning; }
    PackageTable > .package-table--dim { color: $text-muted; }
    """

    class Opened(Message):
        def __init__(self, row: Row) -> None:
            super().__init__()
            self.row = row

    class SortChanged(Message):
        def __init__(self, sort: str, descending: bool) -> None:
            super().__init__()
            self.sort, self.descending = sort, descending

    def __init__(self, *, now: Callable[[], datetime] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[Row] = []
        self.sort_key = "title"
        self.descending = False
        self.column_index = 1
        self._now = now
        self.empty_text = "No packages."

    # --- data ----------------------------------------------------------------------------

    def count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: list[Row], keep_key: str | None = None) -> None:
        self.rows = rows
        self.sync_size()
        index = 0
        if keep_key is not None:
            index = next((i for i, r in enumerate(rows) if r.key == keep_key), 0)
        self.cursor = min(index, max(0, len(rows) - 1))

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # --- drawing -------------------------------------------------------------------------

    def _widths(self, total: int) -> list[int]:
        fixed = sum(c.width + 1 for c in TABLE_COLUMNS if c.width)
        flex = max(12, total - fixed - 1)
        return [c.width or flex for c in TABLE_COLUMNS]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        widths = self._widths(width)
        if y == 0:
            return self._header(widths, width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            if index == 0 and not self.rows:
                style = self.get_component_rich_style("package-table--dim")
                return Strip([Segment(fit(" " + self.empty_text, width), style)], width)
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        now = self._now() if self._now else None
        base = self.rich_style
        if index == self.cursor:
            base = base + self.get_component_rich_style("package-table--cursor")
        segments = []
        for column, w in zip(TABLE_COLUMNS, widths, strict=True):
            style = base
            if column.key == "status" and (row.view.overridden or row.view.conflicts):
                style = base + self.get_component_rich_style("package-table--edited")
            segments.append(Segment(fit(cell_text(column, row, now), w, column.right), style))
            segments.append(Segment(" ", base))
        return Strip(segments, width).crop(0, width).extend_cell_length(width, base)

    def _header(self, widths: list[int], width: int) -> Strip:
        header = self.get_component_rich_style("package-table--header")
        active = header + self.get_component_rich_style("package-table--column")
        segments = []
        for i, (column, w) in enumerate(zip(TABLE_COLUMNS, widths, strict=True)):
            label = column.label
            if column.key == self.sort_key and column.key != "status":
                label += " ▼" if self.descending else " ▲"
            style = active if i == self.column_index and self.has_focus else header
            segments.append(Segment(fit(label, w, column.right), style))
            segments.append(Segment(" ", header))
        return Strip(segments, width).crop(0, width).extend_cell_length(width, header)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- columns -------------------------------------------------------------------------

    def action_column(self, delta: int) -> None:
        self.column_index = max(0, min(len(TABLE_COLUMNS) - 1, self.column_index + delta))
        self.refresh()

    def action_sort(self) -> None:
        key = TABLE_COLUMNS[self.column_index].key
        if key == self.sort_key:
            self.descending = not self.descending
        else:
            self.sort_key = key
            self.descending = key in DESCENDING_BY_DEFAULT
        self.post_message(self.SortChanged(self.sort_key, self.descending))

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))
