"""A package table that renders only the lines on screen.

Textual's DataTable builds every row up front (about a second for 10k rows); this table
keeps the rows as data and draws each visible line on demand (``render_line``), so filtering
6,000 packages redraws one screenful. Remote text is drawn as plain segments: never markup,
and control characters are made visible by ``safe_text``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.segment import Segment
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from catalog.browse import Row
from catalog.display import relative, safe_text, sparkline, thousands
from tui.cursor import CursorView


@dataclass
class Column:
    key: str  # the sort key in catalog.browse.SORTS
    label: str
    width: int  # 0: takes the remaining width
    right: bool = False


COLUMNS = [
    Column("status", "", 3),
    Column("title", "title", 0),
    Column("category", "category", 10),
    Column("version", "version", 10),
    Column("watchers", "★ watchers", 10, right=True),
    Column("forks", "forks", 6, right=True),
    Column("last_commit", "last commit", 12),
    Column("activity", "52 weeks", 26),
]


def markers(row: Row) -> str:
    v = row.view
    edit = "!" if v.conflicts else ("✎" if v.overridden else " ")
    star = "★" if v.status in ("shortlisted", "using") else ("✗" if v.status == "rejected" else " ")
    stale = "⚠" if row.stale else " "
    return edit + star + stale


def weekly(values: list[int], width: int) -> str:
    """52 weekly counts folded into ``width`` cells (two weeks a cell for 26)."""
    if not values:
        return ""
    size = max(1, -(-len(values) // width))
    buckets = [sum(values[i : i + size]) for i in range(0, len(values), size)]
    return sparkline(buckets)


def cell_text(column: Column, row: Row, now: datetime | None) -> str:
    p = row.view.record
    match column.key:
        case "status":
            return markers(row)
        case "title":
            return safe_text(p.title)
        case "category":
            return safe_text(row.category)
        case "version":
            return safe_text(p.pypi_version or "")
        case "watchers":
            return thousands(p.repo_watchers)
        case "forks":
            return thousands(p.repo_forks)
        case "last_commit":
            return relative(p.last_updated, now)
        case "activity":
            return weekly(p.commits_over_52, column.width)
    return ""


def fit(text: str, width: int, right: bool = False) -> str:
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…" if width > 1 else text[:width]
    return text.rjust(width) if right else text.ljust(width)


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
        fixed = sum(c.width + 1 for c in COLUMNS if c.width)
        flex = max(12, total - fixed - 1)
        return [c.width or flex for c in COLUMNS]

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
        for column, w in zip(COLUMNS, widths, strict=True):
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
        for i, (column, w) in enumerate(zip(COLUMNS, widths, strict=True)):
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
        self.column_index = max(0, min(len(COLUMNS) - 1, self.column_index + delta))
        self.refresh()

    def action_sort(self) -> None:
        key = COLUMNS[self.column_index].key
        if key == self.sort_key:
            self.descending = not self.descending
        else:
            self.sort_key = key
            self.descending = key in ("watchers", "forks", "last_commit", "activity")
        self.post_message(self.SortChanged(self.sort_key, self.descending))

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))
