"""One grid: all its packages in a sortable table; add and remove them (undoable)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from catalog.present import export
from catalog.present.details import grid_count
from catalog.read.rows import sort_rows
from catalog.text import counted, safe_text
from projections.targets import Target
from tui.modals import PickModal, grid_form
from tui.screens.base import BACK, PackageListScreen
from tui.screens.package_keys import package_keys
from tui.text import tone
from tui.widgets import DetailsPane, KeyFooter, PackageTable


class GridScreen(PackageListScreen):
    AUTO_FOCUS = "PackageTable"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        BACK,
        Binding("a", "add", "add package", id="grid.add"),
        Binding("r", "remove", "remove package", id="grid.remove"),
        Binding("e", "edit", "edit grid", id="grid.edit"),
        Binding("delete", "delete", "delete grid", show=False, id="grid.delete"),
        Binding("h", "history", "history", id="grid.history"),
        Binding("c", "compare", "compare", id="grid.compare"),
        Binding("D", "toggle_details", "details", id="grid.details"),
        Binding("E", "export", "export", id="grid.export"),
        *package_keys(except_=("e", "h", "a")),  # the grid's own: edit, history, add
    ]

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static(id="grid-title")
        yield from self.package_table("grid-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DetailsPane).display = bool(self.controller.remembered("details", False))

    def refresh_state(self) -> None:
        super().refresh_state()
        controller = self.controller
        grid = self.controller.grid(self.target)
        title = self.query_one("#grid-title", Static)
        table = self.query_one(PackageTable)
        if grid is None:
            title.update(Text("This grid does not exist at this point."))
            table.set_rows([])
            return
        rows = sort_rows(controller.grid_rows(grid), table.sort_key, table.descending)
        _, missing = controller.grid_counts(grid)
        head = Text()
        head.append(safe_text(grid.record.title), style="bold")
        head.append(f"  {grid_count(len(rows), missing)}", style="dim")
        if grid.local:
            head.append("  your grid", style=tone(self.app, "success"))
        if grid.record.description:
            head.append("\n" + safe_text(grid.record.description, single_line=False))
        if grid.notes:
            head.append("\nnotes  ", style="dim")
            head.append(safe_text(grid.notes, single_line=False))
        title.update(head)
        if missing and not rows:
            table.empty_text = (
                f"None of this grid's {counted(missing, 'package')} is in the catalogue yet"
                " (S syncs them); a adds one that is."
            )
        else:
            table.empty_text = "No packages in this grid — press a to add one."
        table.set_rows(rows, table.current.key if table.current else None)
        self.show_details()

    @on(PackageTable.SortChanged)
    def resort(self) -> None:
        self.refresh_state()

    def action_add(self) -> None:
        """Pick a package by a few letters of its name."""
        grid = self.controller.grid(self.target)
        if not self.controller.require_present() or grid is None:
            return
        members = self.controller.grid_member_ids(grid)
        choices = [
            (f"{safe_text(r.view.record.title)}  ({safe_text(r.view.record.slug)})", r.key)
            for r in sort_rows(list(self.controller.rows()), "watchers", True)
            if r.view.record.id not in members
        ]

        def add(key: str | None) -> None:
            if key:
                self.controller.change_grid(self.target, add=[Target.parse(key).ident])

        title = f"add to {safe_text(grid.record.title)}"
        self.app.push_screen(PickModal(title, choices, "no package matches"), add)

    def action_remove(self) -> None:
        row = self.query_one(PackageTable).current
        if self.controller.require_present() and row is not None:
            self.controller.change_grid(self.target, remove=[str(row.view.record.id)])

    def action_edit(self) -> None:
        grid = self.controller.grid(self.target)
        if self.controller.require_present() and grid is not None:
            self.app.push_screen(grid_form(self.controller, grid))

    def action_delete(self) -> None:
        grid = self.controller.grid(self.target)
        present = self.controller.require_present()
        if present and grid is not None and self.controller.delete_grid(self.target):
            self.controller.back()

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
