"""One grid: all its packages in a sortable table; add and remove them (undoable)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from catalog import export
from catalog.present import grid_count
from catalog.rows import sort_rows
from catalog.text import safe_text
from projections.targets import Target
from tui.modals import TextModal
from tui.screens.base import BACK, DjpScreen
from tui.widgets import PackageTable


class GridScreen(DjpScreen):
    BINDINGS = [
        BACK,
        Binding("a", "add", "add package", id="grid.add"),
        Binding("r", "remove", "remove package", id="grid.remove"),
        Binding("h", "history", "history", id="grid.history"),
        Binding("c", "compare", "compare", id="grid.compare"),
        Binding("E", "export", "export", id="grid.export"),
    ]

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static(id="grid-title")
        yield PackageTable(
            id="grid-table",
            now=lambda: self.controller.now,
            django=lambda: self.controller.django_version,
            marked=lambda: self.controller.marked,
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PackageTable).focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        browser = self.controller.browser
        grid = self.controller.grid(self.target)
        title = self.query_one("#grid-title", Static)
        table = self.query_one(PackageTable)
        if grid is None:
            title.update(Text("This grid does not exist at this point."))
            table.set_rows([])
            return
        rows = sort_rows(browser.grid_rows(grid), table.sort_key, table.descending)
        missing = len(set(grid.record.packages) - {r.view.record.id for r in rows})
        head = Text()
        head.append(safe_text(grid.record.title), style="bold")
        head.append(f"  {grid_count(len(rows), missing)}", style="dim")
        if grid.record.description:
            head.append("\n" + safe_text(grid.record.description, single_line=False))
        title.update(head)
        table.empty_text = "No packages in this grid — press a to add one."
        table.set_rows(rows, table.current.key if table.current else None)

    @on(PackageTable.SortChanged)
    def resort(self) -> None:
        self.refresh_state()

    @on(PackageTable.Opened)
    def open_package(self, message: PackageTable.Opened) -> None:
        self.controller.open_package(message.row.view.target)

    def action_add(self) -> None:
        if self.controller.require_present():
            self.app.push_screen(
                TextModal("add package (slug or id)", ""),
                lambda value: (
                    value and self.controller.change_grid(self.target, add=[value.strip()])
                ),
            )

    def action_remove(self) -> None:
        row = self.query_one(PackageTable).current
        if self.controller.require_present() and row is not None:
            self.controller.change_grid(self.target, remove=[str(row.view.record.id)])

    @on(PackageTable.Marked)
    def mark(self, message: PackageTable.Marked) -> None:
        self.controller.toggle_mark(message.row.key)

    def action_compare(self) -> None:
        """The marked packages of this grid, or all of it."""
        rows = self.query_one(PackageTable).rows
        keys = [r.key for r in rows if r.key in self.controller.marked]
        self.controller.open_compare(keys if len(keys) >= 2 else [r.key for r in rows])

    def action_history(self) -> None:
        self.controller.open_history(self.target)

    def action_export(self) -> None:
        """This grid's packages, in the table's order, to Markdown, CSV or JSON."""
        grid = self.controller.grid(self.target)
        rows = list(self.query_one(PackageTable).rows)
        django = self.controller.django_version
        name = f"grid-{grid.record.slug}" if grid else "grid"
        self.export(name, lambda fmt: export.render(rows, fmt, django))
