"""Every grid (the site's comparison lists, and yours), filterable by name."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from catalog.present import grid_count
from catalog.text import safe_text
from projections.targets import Target
from tui.modals import GridFormModal, grid_form
from tui.screens.base import BACK, DjpScreen
from tui.text import tone
from tui.widgets import DjpInput, DjpOptionList, KeyFooter


class GridsScreen(DjpScreen):
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
        yield DjpOptionList(id="grid-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#grid-list").focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        needle = self.query_one("#grid-filter", Input).value.casefold()
        options = self.query_one("#grid-list", OptionList)
        keep = options.highlighted
        options.clear_options()
        browser = self.controller.browser
        for grid in browser.grids:
            g = grid.record
            if needle and needle not in f"{g.title} {g.slug} {g.description}".casefold():
                continue
            line = Text()
            line.append(f"{safe_text(g.title)}", style="bold")
            line.append(f"  {grid_count(*browser.grid_counts(grid))}", style="dim")
            if grid.local:
                line.append("  (yours)", style=tone(self.app, "success"))
            if grid.unfetched:
                line.append("  (not fetched yet)", style=tone(self.app, "warning"))
            if g.description and not grid.unfetched:
                line.append("\n  " + safe_text(g.description)[:200], style="dim")
            options.add_option(Option(line, id=grid.key))
        if not options.option_count:
            options.add_option(
                Option(Text("No grids — press S to sync.", style="dim"), disabled=True)
            )
        else:
            options.highlighted = min(keep or 0, options.option_count - 1)

    @on(Input.Changed, "#grid-filter")
    def filter_changed(self) -> None:
        self.refresh_state()

    @on(Input.Submitted, "#grid-filter")
    def filter_done(self) -> None:
        self.query_one("#grid-list").focus()

    @on(OptionList.OptionSelected, "#grid-list")
    def open_grid(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.controller.open_grid(Target.parse(event.option.id))

    def action_focus_filter(self) -> None:
        self.query_one("#grid-filter", Input).focus()

    def _highlighted(self):
        options = self.query_one("#grid-list", OptionList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return self.controller.grid(Target.parse(option.id)) if option.id else None

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
        options = self.query_one("#grid-list", OptionList)
        index = next(
            (i for i in range(options.option_count) if options.get_option_at_index(i).id == key),
            None,
        )
        if index is not None:
            options.highlighted = index

    def action_edit(self) -> None:
        grid = self._highlighted()
        if grid is not None and self.controller.require_present():
            self.app.push_screen(grid_form(self.controller, grid))

    def action_delete(self) -> None:
        grid = self._highlighted()
        if grid is not None and self.controller.require_present():
            self.controller.delete_grid(grid.target)
