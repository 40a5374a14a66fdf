"""Packages x Django releases: one readiness verdict per cell, drawn only for the lines on
screen (like ``PackageTable``), the chosen release's column marked."""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from catalog.pypi.verdicts import DJANGO_RELEASES
from catalog.read.filters import django_word
from catalog.read.rows import Row
from catalog.text import fit, safe_text
from tui.widgets.cursor import CursorView

CELL = 7
#: The five verdicts in a cell (the summary above the table spells them out).
CELLS = {"yes": "yes", "no": "no", "undeclared": "undecl", "unknown": "?", "n/a": "n/a"}


class ReadinessTable(CursorView):
    HEADER_LINES = 1
    BINDINGS = [Binding("enter", "open", "open", id="readiness.open")]
    COMPONENT_CLASSES = {
        "readiness-table--header",
        "readiness-table--cursor",
        "readiness-table--yes",
        "readiness-table--no",
        "readiness-table--unknown",
        "readiness-table--undeclared",
        "readiness-table--chosen",
    }
    DEFAULT_CSS = """
    ReadinessTable { height: 1fr; overflow-x: hidden; }
    ReadinessTable > .readiness-table--header { text-style: bold; background: $panel; }
    ReadinessTable > .readiness-table--cursor { background: $accent 40%; }
    ReadinessTable:focus > .readiness-table--cursor { background: $accent; color: $text; }
    ReadinessTable > .readiness-table--yes { color: $text-success; background: $success 15%; }
    ReadinessTable > .readiness-table--no { color: $text-error; background: $error 15%; }
    ReadinessTable > .readiness-table--undeclared { color: $text-warning; }
    ReadinessTable > .readiness-table--unknown { color: $text-muted; }
    ReadinessTable > .readiness-table--chosen { text-style: bold underline; }
    """

    class Opened(Message):
        def __init__(self, row: Row) -> None:
            super().__init__()
            self.row = row

    class Highlighted(Message):
        """The cursor moved to another row."""

    def cursor_moved(self, cursor: int) -> None:
        self.post_message(self.Highlighted())

    def __init__(self, *, django: Callable[[], str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[Row] = []
        self._django = django
        self.empty_text = "No packages."

    def count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: list[Row]) -> None:
        self.rows = rows
        self.sync_size()
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        self.refresh()

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def _versions(self, width: int) -> tuple[int, list[str]]:
        """The title's width and the releases that fit beside it (the newest kept)."""
        versions = [r.version for r in DJANGO_RELEASES]
        while versions and width - len(versions) * CELL < 20:
            versions = versions[1:]
        return max(12, width - len(versions) * CELL - 1), versions

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        title_width, versions = self._versions(width)
        chosen = self._django()
        if y == 0:
            style = self.get_component_rich_style("readiness-table--header")
            marked = style + self.get_component_rich_style("readiness-table--chosen")
            segments = [Segment(fit(" package", title_width + 1), style)]
            for v in versions:
                segments.append(Segment(fit(v, CELL - 1, True), marked if v == chosen else style))
                segments.append(Segment(" ", style))
            return Strip(segments, width).crop(0, width).extend_cell_length(width, style)
        index = self.first_row + y - 1
        if index >= len(self.rows):
            if index == 0 and not self.rows:
                return Strip([Segment(fit(" " + self.empty_text, width))], width)
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        base = self.rich_style
        if index == self.cursor:
            base = base + self.get_component_rich_style("readiness-table--cursor")
        segments = [Segment(fit(" " + safe_text(row.view.record.title), title_width + 1), base)]
        for v in versions:
            word = django_word(row, v)
            style = base + self.get_component_rich_style(
                f"readiness-table--{'unknown' if word == 'n/a' else word}"
            )
            if v == chosen:
                style += self.get_component_rich_style("readiness-table--chosen")
            segments.append(Segment(fit(CELLS[word], CELL - 1, True), style))
            segments.append(Segment(" ", base))
        return Strip(segments, width).crop(0, width).extend_cell_length(width, base)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))
