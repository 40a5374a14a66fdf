"""The home screen: every package in a lazily drawn table, with the filter line above it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from catalog.present import export
from catalog.read.filters import FilterError, plain_words
from catalog.read.rows import SORTS
from catalog.text import counted
from tui.screens.base import PackageListScreen
from tui.screens.package_keys import PACKAGE_KEYS
from tui.widgets import DetailsPane, DjpInput, KeyFooter, PackageTable


class CatalogueScreen(PackageListScreen):
    AUTO_FOCUS = "PackageTable"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        Binding("slash", "focus_filter", "filter", id="catalogue.filter"),
        Binding("escape", "escape", "clear", show=False, id="catalogue.escape"),
        Binding("c", "compare", "compare", id="catalogue.compare"),
        Binding("ctrl+a", "clear_marks", "clear marks", show=False, id="catalogue.clear_marks"),
        Binding("D", "toggle_details", "details", id="catalogue.details"),
        Binding("E", "export", "export", id="catalogue.export"),
        *PACKAGE_KEYS,
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield DjpInput(
            placeholder="/ filter: words, -word, title:X, grid:SLUG cat:NAME is:edited django:5.2 "
            "license:MIT (? lists all)",
            id="filter",
        )
        yield Static(id="filter-error", markup=False)
        yield Static(id="matches", markup=False)
        yield from self.package_table("packages")
        yield KeyFooter()

    _judge_timer = None

    def on_mount(self) -> None:
        self.query_one("#filter-error", Static).display = False
        self.query_one(DetailsPane).display = bool(self.controller.remembered("details", False))
        table = self.query_one(PackageTable)
        # the last sort and filter come back; the first time, the most watched come first
        kept = self.controller.remembered("catalogue")
        kept = kept if isinstance(kept, dict) else {}
        sort = kept.get("sort")
        if sort in SORTS or sort == "django":
            table.sort_key, table.descending = sort, bool(kept.get("descending"))
        else:
            table.sort_key, table.descending = "watchers", True
        if isinstance(kept.get("filter"), str) and kept["filter"]:
            # a sort chosen over the words' relevance comes back with them
            self._sorted_in_query = bool(kept.get("sorted_in_query"))
            self.query_one("#filter", Input).value = kept["filter"]

    # a sort chosen while words are typed wins over relevance until the words are cleared
    _sorted_in_query = False

    def remember(self, text: str) -> None:
        table = self.query_one(PackageTable)
        kept = {"filter": text, "sort": table.sort_key, "descending": table.descending,
                "sorted_in_query": self._sorted_in_query}  # fmt: skip
        if self.controller.remembered("catalogue") != kept:
            self.controller.remember("catalogue", kept)

    def use_filter(self, text: str) -> None:
        """Show what ``text`` selects (a saved filter chosen in the palette)."""
        self.query_one("#filter", Input).value = text
        self.apply_filter(text)
        self.query_one(PackageTable).focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        self.apply_filter()

    ERROR_AFTER = 0.4  # seconds of no typing before a filter's error is shown

    def apply_filter(self, text: str | None = None, *, judge: bool = True) -> None:
        """Show the rows the filter selects. A filter that cannot be understood selects no
        rows; its error is shown in the line under the filter when ``judge`` (on Enter, when
        typing pauses, when the state changes), not at every keystroke."""
        controller = self.controller
        table = self.query_one(PackageTable)
        error = self.query_one("#filter-error", Static)
        if text is None:
            text = self.query_one("#filter", Input).value
        words = plain_words(text)
        if not words:
            self._sorted_in_query = False
        table.by_relevance = bool(words) and not self._sorted_in_query
        sort = "relevance" if table.by_relevance else table.sort_key
        try:
            rows = controller.filter(text, sort, table.descending)
        except FilterError as exc:
            table.empty_text = "The filter is not understood (see above)."
            table.set_rows([])
            error.update(str(exc))
            error.display = judge
            return
        error.display = False
        if judge:
            self.remember(text)
        keep = table.current.key if table.current else None
        if not controller.package_count:
            table.empty_text = "No packages yet — press S to sync."
        else:
            table.empty_text = "No package matches the filter."
        table.highlight = words
        table.set_rows(rows, keep)
        matches = self.query_one("#matches", Static)
        matches.display = bool(text.strip())
        total = controller.package_count
        line = f"{len(rows):,} of {counted(total, 'package')} match"
        if table.by_relevance:
            line += " · best match first (s sorts by the column)"
        matches.update(line)
        self.show_details()

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.apply_filter(judge=False)
        if self._judge_timer is not None:
            self._judge_timer.stop()
        self._judge_timer = self.set_timer(self.ERROR_AFTER, self.apply_filter)

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.apply_filter()
        if self.query_one("#filter-error", Static).display:
            return  # stay in the filter line to correct it
        table = self.query_one(PackageTable)
        table.focus()
        table.cursor = 0

    @on(PackageTable.SortChanged)
    def sort_changed(self) -> None:
        if plain_words(self.query_one("#filter", Input).value):
            self._sorted_in_query = True
        self.apply_filter()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_compare(self) -> None:
        self.controller.open_compare(list(self.controller.marked))

    def action_clear_marks(self) -> None:
        self.controller.clear_marks()

    def action_escape(self) -> None:
        """Escape undoes one thing at a time: the past, the filter line's focus, the filter,
        then the marks."""
        box = self.query_one("#filter", Input)
        if not self.controller.present:
            self.controller.to_present()
        elif box.has_focus:
            self.query_one(PackageTable).focus()
        elif box.value:
            box.value = ""
            self.apply_filter()
        else:
            self.controller.clear_marks()

    def action_export(self) -> None:
        """The packages in view (filtered, in their order) to Markdown, CSV or JSON."""
        rows = list(self.query_one(PackageTable).rows)
        django = self.controller.django_version
        self.export("packages", lambda fmt: export.render(rows, fmt, django))
