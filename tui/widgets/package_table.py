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

from catalog.present.details import COLUMNS, Column, cell_text, column_label
from catalog.read.rows import DESCENDING_BY_DEFAULT, Row
from catalog.text import fit
from tui.widgets.cursor import CursorView

#: The app's columns, in order (``djp packages`` prints the same ones, plus the id).
TABLE_COLUMNS = [
    COLUMNS[k]
    for k in (
        "status",
        "title",
        "django",
        "category",
        "version",
        "watchers",
        "forks",
        "last_commit",
        "released",
        "license",
        "activity",
    )
]
#: Which columns go first when the terminal is narrow, so the title keeps ``MIN_TITLE`` cells.
DROP_ORDER = ("activity", "category", "forks", "license", "released", "version", "last_commit")
MIN_TITLE = 24
VERDICT_STYLES = {"✓ yes": "package-table--yes", "✗ no": "package-table--no",
                  "undeclared": "package-table--undeclared"}  # fmt: skip


def visible_columns(width: int) -> list[Column]:
    """The columns that fit ``width``, dropping by ``DROP_ORDER`` before the title shrinks."""
    columns = list(TABLE_COLUMNS)
    for key in DROP_ORDER:
        fixed = sum(c.width + 1 for c in columns if c.width)
        if width - fixed - 1 >= MIN_TITLE:
            break
        columns = [c for c in columns if c.key != key]
    return columns


class PackageTable(CursorView):
    """Rows of packages with a cursor, a sort column and lazily drawn lines."""

    HEADER_LINES = 1
    BINDINGS = [
        Binding("left", "column(-1)", "column", show=False, id="table.column_left"),
        Binding("right", "column(1)", "column", show=False, id="table.column_right"),
        Binding("s", "sort", "sort", id="table.sort"),
        Binding("enter", "open", "open", id="table.open"),
        Binding("space", "mark", "mark ↓", id="table.mark"),  # marks, then moves down
    ]
    COMPONENT_CLASSES = {
        "package-table--header",
        "package-table--cursor",
        "package-table--column",
        "package-table--edited",
        "package-table--dim",
        "package-table--yes",
        "package-table--no",
        "package-table--undeclared",
        "package-table--marked",
        "package-table--match",
        "package-table--traveled",
    }
    DEFAULT_CSS = """
    PackageTable { height: 1fr; overflow-x: hidden; }
    PackageTable > .package-table--header { text-style: bold; background: $panel; }
    PackageTable > .package-table--column { text-style: bold reverse; }
    PackageTable > .package-table--cursor { background: $accent 40%; }
    PackageTable:focus > .package-table--cursor { background: $accent; color: $text; }
    PackageTable > .package-table--edited { color: $warning; }
    PackageTable > .package-table--dim { color: $text-muted; }
    PackageTable > .package-table--yes { color: $text-success; }
    PackageTable > .package-table--no { color: $text-error; }
    PackageTable > .package-table--undeclared { color: $text-warning; }
    PackageTable > .package-table--marked { text-style: bold; color: $text-accent; }
    PackageTable > .package-table--match { text-style: bold underline; }
    PackageTable > .package-table--traveled { background: $warning 35%; }
    """

    class Opened(Message):
        def __init__(self, row: Row) -> None:
            super().__init__()
            self.row = row

    class Highlighted(Message):
        """The cursor moved to another row."""

    class Marked(Message):
        def __init__(self, row: Row) -> None:
            super().__init__()
            self.row = row

    class SortChanged(Message):
        def __init__(self, sort: str, descending: bool) -> None:
            super().__init__()
            self.sort, self.descending = sort, descending

    def __init__(
        self,
        *,
        now: Callable[[], datetime] | None = None,
        django: Callable[[], str] | None = None,
        marked: Callable[[], dict] | None = None,
        traveled: Callable[[], set[str]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._traveled = traveled  # keys of the rows the event in view (time travel) changed
        self._django = django
        self._marked = marked
        self.highlight: list[str] = []  # the filter's plain words, shown in titles
        self.rows: list[Row] = []
        self.sort_key = "title"
        self.descending = False
        self.by_relevance = False  # rows are in order of relevance to the filter's words
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

    @property
    def columns(self) -> list[Column]:
        return visible_columns(self.scrollable_content_region.width)

    def _widths(self, columns: list[Column], total: int) -> list[int]:
        fixed = sum(c.width + 1 for c in columns if c.width)
        flex = max(12, total - fixed - 1)
        return [c.width or flex for c in columns]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = self.columns
        widths = self._widths(columns, width)
        django = self._django() if self._django else ""
        if y == 0:
            return self._header(columns, widths, width, django)
        index = self.first_row + y - 1
        if index >= len(self.rows):
            if index == 0 and not self.rows:
                style = self.get_component_rich_style("package-table--dim")
                return Strip([Segment(fit(" " + self.empty_text, width), style)], width)
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        now = self._now() if self._now else None
        base = self.rich_style
        if self._traveled is not None and row.key in self._traveled():
            base = base + self.get_component_rich_style("package-table--traveled")
        if index == self.cursor:
            base = base + self.get_component_rich_style("package-table--cursor")
        segments = []
        marked = self._marked is not None and row.key in self._marked()
        for column, w in zip(columns, widths, strict=True):
            style = base
            text = cell_text(column, row, now, django)
            if column.key == "status":
                text = ("●" if marked else " ") + text
            if marked and column.key in ("status", "title"):
                style = base + self.get_component_rich_style("package-table--marked")
            elif column.key == "status" and (row.view.overridden or row.view.conflicts):
                style = base + self.get_component_rich_style("package-table--edited")
            elif column.key == "django" and text in VERDICT_STYLES:
                style = base + self.get_component_rich_style(VERDICT_STYLES[text])
            fitted = fit(text, w, column.right)
            if column.key == "title" and self.highlight:
                segments += self._highlighted(fitted, style)
            else:
                segments.append(Segment(fitted, style))
            segments.append(Segment(" ", base))
        return Strip(segments, width).crop(0, width).extend_cell_length(width, base)

    def _highlighted(self, text: str, style) -> list[Segment]:
        """``text`` with the filter's words in the match style (casefolded, not markup)."""
        folded = text.casefold()
        marks = [False] * len(text)
        if len(folded) == len(text):  # casefolding kept the length: positions line up
            for word in self.highlight:
                start = folded.find(word)
                while word and start >= 0:
                    for i in range(start, start + len(word)):
                        marks[i] = True
                    start = folded.find(word, start + len(word))
        match = style + self.get_component_rich_style("package-table--match")
        out: list[Segment] = []
        i = 0
        while i < len(text):
            j = i
            while j < len(text) and marks[j] == marks[i]:
                j += 1
            out.append(Segment(text[i:j], match if marks[i] else style))
            i = j
        return out

    def _header(self, columns: list[Column], widths: list[int], width: int, django: str) -> Strip:
        header = self.get_component_rich_style("package-table--header")
        active = header + self.get_component_rich_style("package-table--column")
        current = TABLE_COLUMNS[self.column_index].key
        segments = []
        for column, w in zip(columns, widths, strict=True):
            label = column_label(column, django)
            if column.key == self.sort_key and column.key != "status" and not self.by_relevance:
                arrow = " ▼" if self.descending else " ▲"
                label = fit(label, w - 2).rstrip() + arrow  # the arrow is never cut off
            style = active if column.key == current and self.has_focus else header
            segments.append(Segment(fit(label, w, column.right), style))
            segments.append(Segment(" ", header))
        return Strip(segments, width).crop(0, width).extend_cell_length(width, header)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- columns -------------------------------------------------------------------------

    def action_column(self, delta: int) -> None:
        """Move the sort column among the visible ones."""
        keys = [c.key for c in self.columns]
        current = TABLE_COLUMNS[self.column_index].key
        position = keys.index(current) if current in keys else 0
        key = keys[max(0, min(len(keys) - 1, position + delta))]
        self.column_index = next(i for i, c in enumerate(TABLE_COLUMNS) if c.key == key)
        self.refresh()

    def action_sort(self) -> None:
        key = TABLE_COLUMNS[self.column_index].key
        if key == self.sort_key and not self.by_relevance:
            self.descending = not self.descending
        else:
            self.sort_key = key
            self.descending = key in DESCENDING_BY_DEFAULT
        self.post_message(self.SortChanged(self.sort_key, self.descending))

    def cursor_moved(self, cursor: int) -> None:
        self.post_message(self.Highlighted())

    def action_mark(self) -> None:
        if self.current is not None:
            self.post_message(self.Marked(self.current))
            self.action_move(1)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))
