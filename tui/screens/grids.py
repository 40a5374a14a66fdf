"""Every grid (the site's comparison lists, and yours), filterable by name."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, OptionList
from textual.widgets.option_list import Option

from catalog.present import grid_count
from catalog.text import safe_text
from projections.targets import Target
from tui.screens.base import BACK, DjpScreen
from tui.text import tone
from tui.widgets import DjpInput, DjpOptionList


class GridsScreen(DjpScreen):
    BINDINGS = [
        BACK,
        Binding("slash", "focus_filter", "filter", id="grids.filter"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield DjpInput(placeholder="/ filter grids", id="grid-filter")
        yield DjpOptionList(id="grid-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#grid-list").focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        needle = self.query_one("#grid-filter", Input).value.casefold()
        options = self.query_one("#grid-list", OptionList)
        options.clear_options()
        browser = self.controller.browser
        for grid in browser.grids:
            g = grid.record
            if needle and needle not in f"{g.title} {g.slug} {g.description}".casefold():
                continue
            line = Text()
            line.append(f"{safe_text(g.title)}", style="bold")
            line.append(f"  {grid_count(len(browser.grid_member_ids(grid)), 0)}", style="dim")
            if grid.local:
                line.append("  (yours)", style=tone(self.app, "success"))
            if g.description:
                line.append("\n  " + safe_text(g.description)[:200], style="dim")
            options.add_option(Option(line, id=grid.key))
        if not options.option_count:
            options.add_option(
                Option(Text("No grids — press S to sync.", style="dim"), disabled=True)
            )
        else:
            options.highlighted = 0

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
