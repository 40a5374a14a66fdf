"""Every grid (the site's comparison lists, and yours), filterable by name."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from catalog.present.details import grid_count
from catalog.text import safe_text
from projections.targets import Target
from projections.view import GridView
from tui.modals import GridFormModal, grid_form
from tui.screens.base import BACK, DjpScreen
from tui.text import tone
from tui.widgets import DjpInput, KeyFooter, LineList


class GridsScreen(DjpScreen):
    AUTO_FOCUS = "#grid-list"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        BACK,
        Binding("slash", "focus_filter", "filter", id="grids.filter"),
        Binding("n", "new", "new grid", id="grids.new"),
        Binding("e", "edit", "edit grid", id="grids.edit"),
        Binding("delete", "delete", "delete grid", id="grids.delete"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield DjpInput(placeholder="/ filter grids", id="grid-filter")
        yield LineList(id="grid-list")
        yield KeyFooter()

    keys: list[str | None] = []  # the grid of each line

    def refresh_state(self) -> None:
        """One line a grid, each made when it comes into view (an ``OptionList`` of 400
        grids, measured, took ~300 ms to open; making every line, ~15 ms)."""
        super().refresh_state()
        needle = self.query_one("#grid-filter", Input).value.casefold()
        listing = self.query_one("#grid-list", LineList)
        keep = self.highlighted_key
        grids = [
            grid
            for grid in self.controller.grids
            if not needle
            or needle
            in f"{grid.record.title} {grid.record.slug} {grid.record.description}".casefold()
        ]
        self.keys = [grid.key for grid in grids] or [None]
        cursor = self.keys.index(keep) if keep in self.keys else 0
        if not grids:
            empty = "No grids — press S to sync." if not needle else "No grid matches the filter."
            listing.set_lines([Text(empty, style="dim")], cursor)
            return
        listing.set_source(len(grids), lambda index: self._line(grids[index]), cursor)

    def _line(self, grid: GridView) -> Text:
        controller, g = self.controller, grid.record
        line = Text()
        line.append(f"{safe_text(g.title)}", style="bold")
        line.append(f"  {grid_count(*controller.grid_counts(grid))}", style="dim")
        if grid.local:
            line.append("  (yours)", style=tone(self.app, "success"))
        if grid.unfetched:
            line.append("  (not fetched yet)", style=tone(self.app, "warning"))
        elif g.description:
            line.append("  " + safe_text(g.description)[:200], style="dim")
        return line

    @property
    def highlighted_key(self) -> str | None:
        listing = self.query_one("#grid-list", LineList)
        return self.keys[listing.cursor] if 0 <= listing.cursor < len(self.keys) else None

    @on(Input.Changed, "#grid-filter")
    def filter_changed(self) -> None:
        self.refresh_state()

    @on(Input.Submitted, "#grid-filter")
    def filter_done(self) -> None:
        self.query_one("#grid-list").focus()

    @on(LineList.Selected, "#grid-list")
    def open_grid(self, event: LineList.Selected) -> None:
        key = self.keys[event.index] if event.index < len(self.keys) else None
        if key:
            self.controller.open_grid(Target.parse(key))

    def action_focus_filter(self) -> None:
        self.query_one("#grid-filter", Input).focus()

    def _highlighted(self):
        key = self.highlighted_key
        return self.controller.grid(Target.parse(key)) if key else None

    def action_new(self) -> None:
        """A grid of your own: title, slug (made from the title) and description."""
        if not self.controller.require_present():
            return
        created = []

        def save(fields: dict[str, str]) -> None:
            envelope = self.controller.create_grid(fields)
            if envelope is not None:
                created.append(envelope.stream)

        def done(_result: None) -> None:
            if created:
                self.select(created[0])

        self.app.push_screen(GridFormModal("new grid", {}, save, creating=True), done)

    def select(self, key: str) -> None:
        if key in self.keys:
            self.query_one("#grid-list", LineList).cursor = self.keys.index(key)

    def action_edit(self) -> None:
        grid = self._highlighted()
        if grid is not None and self.controller.require_present():
            self.app.push_screen(grid_form(self.controller, grid))

    def action_delete(self) -> None:
        grid = self._highlighted()
        if grid is not None and self.controller.require_present():
            self.controller.delete_grid(grid.target)
