"""The home screen: every package in a lazily drawn table, with the filter line above it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input

from catalog.filters import FilterError
from tui.screens.base import DjpScreen
from tui.widgets import DjpInput, PackageTable


class CatalogueScreen(DjpScreen):
    BINDINGS = [
        Binding("slash", "focus_filter", "filter", id="catalogue.filter"),
        Binding("escape", "escape", "present", show=False, id="catalogue.escape"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield DjpInput(
            placeholder="/ filter: words, grid:SLUG cat:NAME tag:X is:edited is:stale "
            "is:shortlisted",
            id="filter",
        )
        yield PackageTable(id="packages", now=lambda: self.controller.now)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PackageTable).focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        self.apply_filter()

    def apply_filter(self, text: str | None = None) -> None:
        browser = self.controller.browser
        table = self.query_one(PackageTable)
        if text is None:
            text = self.query_one("#filter", Input).value
        try:
            rows = browser.filter(text, table.sort_key, table.descending)
        except FilterError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        keep = table.current.key if table.current else None
        if not browser.rows:
            table.empty_text = "No packages yet — press S to sync."
        else:
            table.empty_text = "No package matches the filter."
        table.set_rows(rows, keep)

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        table = self.query_one(PackageTable)
        table.focus()
        table.cursor = 0

    @on(PackageTable.SortChanged)
    def sort_changed(self) -> None:
        self.apply_filter()

    @on(PackageTable.Opened)
    def open_package(self, message: PackageTable.Opened) -> None:
        self.controller.open_package(message.row.view.target)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_escape(self) -> None:
        if not self.controller.browser.present:
            self.controller.to_present()
        elif self.query_one("#filter", Input).has_focus:
            self.query_one(PackageTable).focus()
