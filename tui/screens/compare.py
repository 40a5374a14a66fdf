"""Packages side by side (``c``): one column a package, one row an attribute, the best value
of each row highlighted; ``s`` orders the packages best first by the row under the cursor,
Enter opens the package of the column, ``y`` copies the table as Markdown, ``E`` writes it to
a file. Columns scroll sideways when there are many."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from catalog.present.compare import RENDERERS, Comparison, to_markdown
from tui.screens.base import BACK, DjpScreen
from tui.widgets import CompareGrid, KeyFooter

CELL = 30


class CompareScreen(DjpScreen):
    AUTO_FOCUS = "CompareGrid"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        BACK,
        Binding("s", "sort", "best first by this row", id="compare.sort"),
        Binding("y", "copy", "copy Markdown", id="compare.copy"),
        Binding("E", "export", "export", id="compare.export"),
    ]

    def __init__(self, keys: list[str]) -> None:
        super().__init__()
        self.keys = keys
        self.sort_label: str | None = None
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static(id="compare-title")
        yield CompareGrid(id="compare")
        yield KeyFooter()

    def refresh_state(self) -> None:
        super().refresh_state()
        comparison = self.controller.comparison(self.keys)
        if self.sort_label:
            comparison = comparison.sorted_by(self.sort_label)
        self.comparison = comparison
        self.query_one(CompareGrid).show(comparison)
        sorted_by = f" · best first by {self.sort_label}" if self.sort_label else ""
        title = Text()
        title.append(f"comparing {len(comparison.packages)} packages", style="bold")
        title.append(
            f"{sorted_by} · the best of each row in green · s sorts by the row · "
            "enter opens · y copies Markdown · E exports",
            style="dim",
        )
        self.query_one("#compare-title", Static).update(title)

    @on(CompareGrid.Opened)
    def open_package(self, event: CompareGrid.Opened) -> None:
        if self.comparison and 0 <= event.index < len(self.comparison.rows):
            self.controller.open_package(self.comparison.rows[event.index].view.target)

    def action_sort(self) -> None:
        if self.comparison is None:
            return
        row = self.query_one(CompareGrid).cursor
        self.sort_label = self.comparison.attributes[row].label
        self.refresh_state()

    def action_copy(self) -> None:
        if self.comparison is not None:
            self.app.copy_to_clipboard(to_markdown(self.comparison))
            self.notify(
                f"copied the comparison of {len(self.comparison.packages)} packages as Markdown",
                markup=False,
            )

    def action_export(self) -> None:
        comparison = self.comparison
        if comparison is not None:
            self.export(
                "compare",
                lambda fmt: RENDERERS[fmt](comparison),
                ("markdown", "csv", "json", "text"),
            )
