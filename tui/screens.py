"""The app's screens: catalogue, package, edit, history, grids, grid, changes, log, help, sync."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Footer,
    Input,
    Label,
    OptionList,
    ProgressBar,
    Select,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from catalog.api import pypi_name
from catalog.browse import FilterError
from catalog.display import changes_report, local_time, relative, safe_text, sparkline, thousands
from catalog.edits import EditError
from projections.view import STATUSES
from tui.common import DjpInput, DjpScreen, DjpTextArea, literal, tone
from tui.lines import LineList
from tui.table import PackageTable

BACK = Binding("escape", "back", "back", id="screen.back")


# --- catalogue --------------------------------------------------------------------------


class CatalogueScreen(DjpScreen):
    BINDINGS = [
        Binding("slash", "focus_filter", "filter", id="catalogue.filter"),
        Binding("escape", "escape", "present", show=False, id="catalogue.escape"),
    ]
    DEFAULT_CSS = """
    CatalogueScreen #filter { height: 1; border: none; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield DjpInput(
            placeholder="/ filter: words, grid:SLUG cat:NAME tag:X is:edited is:stale "
            "is:shortlisted",
            id="filter",
        )
        yield PackageTable(id="packages", now=lambda: self.app.now)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PackageTable).focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        self.apply_filter()

    def apply_filter(self, text: str | None = None) -> None:
        browser = self.app.browser
        if browser is None:
            return
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
        self.app.push_screen(PackageScreen(message.row.key))

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_escape(self) -> None:
        if not self.app.browser.present:
            self.app.action_present()
        elif self.query_one("#filter", Input).has_focus:
            self.query_one(PackageTable).focus()


# --- package ----------------------------------------------------------------------------


class PackageScreen(DjpScreen):
    BINDINGS = [
        BACK,
        Binding("e", "edit", "edit", id="package.edit"),
        Binding("x", "status", "status", id="package.status"),
        Binding("t", "tags", "tags", id="package.tags"),
        Binding("n", "notes", "notes", id="package.notes"),
        Binding("h", "history", "history", id="package.history"),
        Binding("o", "link('repo')", "repo", id="package.open_repo"),
        Binding("d", "link('docs')", "docs", id="package.open_docs"),
        Binding("p", "link('pypi')", "PyPI", id="package.open_pypi"),
    ]
    DEFAULT_CSS = """
    PackageScreen #details { height: auto; padding: 0 1; }
    PackageScreen #grids { height: auto; max-height: 10; margin: 0 1; }
    """

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with VerticalScroll():
            yield Static(id="details")
            yield Label("grids (enter opens)", id="grids-label")
            yield OptionList(id="grids")
        yield Footer()

    def refresh_state(self) -> None:
        super().refresh_state()
        view = self.app.browser.package(self.key)
        details = self.query_one("#details", Static)
        if view is None:
            details.update(Text("This package was not in the catalogue at this point."))
            return
        details.update(package_details(view, self.app))
        grids = self.query_one("#grids", OptionList)
        grids.clear_options()
        for grid in self.app.browser.grids:
            if view.record.id in self.app.browser.grid_member_ids(grid):
                grids.add_option(Option(literal(grid.record.title), id=grid.key))
        grids.display = grids.option_count > 0
        label = "grids (enter opens)" if grids.option_count else "grids: none fetched yet"
        self.query_one("#grids-label", Label).update(label)

    @on(OptionList.OptionSelected, "#grids")
    def open_grid(self, event: OptionList.OptionSelected) -> None:
        self.app.push_screen(GridScreen(event.option.id))

    def _view(self):
        return self.app.browser.package(self.key)

    def action_back(self) -> None:
        self.app.go_back()

    def action_edit(self) -> None:
        if self.app.require_present() and self._view():
            self.app.push_screen(EditScreen(self._view()))

    def action_status(self) -> None:
        view = self._view()
        if not (self.app.require_present() and view):
            return

        def chosen(status: str | None) -> None:
            if status is not None and status != view.status:
                self.app.edit(self.key, {"status": status})

        self.app.push_screen(ChoiceModal("status", STATUSES, view.status), chosen)

    def action_tags(self) -> None:
        view = self._view()
        if self.app.require_present() and view:
            self.app.push_screen(
                TextModal("tags (comma-separated)", ", ".join(view.tags)),
                lambda value: value is not None and self.app.edit(self.key, {"tags": value}),
            )

    def action_notes(self) -> None:
        view = self._view()
        if self.app.require_present() and view:
            self.app.push_screen(
                TextModal("notes", view.notes, multiline=True),
                lambda value: value is not None and self.app.edit(self.key, {"notes": value}),
            )

    def action_history(self) -> None:
        self.app.push_screen(HistoryScreen(self.key))

    def action_link(self, which: str) -> None:
        view = self._view()
        if view is None:
            return
        p = view.record
        url = {
            "repo": p.repo_url,
            "docs": p.documentation_url,
            "pypi": f"https://pypi.org/project/{name}/" if (name := pypi_name(p.pypi_url)) else "",
        }[which]
        if url and url.startswith(("http://", "https://")):
            self.app.open_url(url)
            self.notify(f"opening {url}", markup=False)
        else:
            self.notify(f"this package has no {which} link", severity="warning", markup=False)


def package_details(view, app) -> Group:
    p = view.record
    names = app.browser.category_names
    title = Text()
    title.append(safe_text(p.title), style="bold")
    for name in sorted(view.overridden):
        mark = "!" if name in view.conflicts else "✎"
        title.append(f"  {mark} {name}", style=tone(app, "warning" if mark == "✎" else "error"))
    if view.vanished:
        title.append("  vanished upstream", style=tone(app, "error"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", justify="right")
    grid.add_column()
    rows = [
        ("description", literal(p.repo_description)),
        ("slug", literal(p.slug)),
        ("category", literal(names.get(p.category, p.category or ""))),
        ("repo", literal(p.repo_url or "—")),
        ("docs", literal(p.documentation_url or "—")),
        ("pypi", literal(f"{pypi_name(p.pypi_url)} {p.pypi_version or ''}".strip() or "—")),
        ("watchers", Text(f"★ {thousands(p.repo_watchers)}   forks {thousands(p.repo_forks)}")),
        (
            "last commit",
            Text(
                f"{local_time(p.last_updated)} ({relative(p.last_updated, app.now)})"
                if p.last_updated
                else "—"
            ),
        ),
        ("activity", Text(sparkline(p.commits_over_52) or "—")),
        ("participants", literal(", ".join(p.participants) or "—")),
        ("status", Text(view.status)),
        ("tags", literal(", ".join(view.tags) or "—")),
        ("notes", literal(view.notes or "—")),
    ]
    if view.conflicts:
        rows.append(
            (
                "conflicts",
                Text(
                    ", ".join(view.conflicts) + " — upstream changed this since you edited it",
                    style=tone(app, "error"),
                ),
            )
        )
    for label, value in rows:
        grid.add_row(label, value)
    return Group(title, Text(""), grid)


# --- edit -------------------------------------------------------------------------------


class EditScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="edit.cancel"),
        Binding("ctrl+s", "save", "save", id="edit.save"),
    ]
    DEFAULT_CSS = """
    EditScreen { align: center middle; }
    EditScreen > Vertical { width: 90; height: auto; max-height: 95%; border: thick $accent;
        background: $surface; padding: 0 1; }
    EditScreen Label { margin-top: 1; }
    EditScreen .error { color: $error; height: auto; }
    EditScreen TextArea { height: 5; }
    EditScreen #buttons { height: auto; margin-top: 1; }
    """
    TEXT_FIELDS = ("title", "repo_description", "documentation_url", "repo_url", "pypi_url", "tags")

    def __init__(self, view) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        v, p = self.view, self.view.record
        categories = sorted(self.app.browser.category_names.items())
        with Vertical():
            yield Label(Text(f"edit {safe_text(p.slug)}", style="bold"))
            with VerticalScroll():
                for name in self.TEXT_FIELDS:
                    value = ", ".join(v.tags) if name == "tags" else getattr(p, name) or ""
                    yield Label(name)
                    yield DjpInput(value=safe_text(value), id=f"f-{name}")
                    yield Static("", classes="error", id=f"e-{name}")
                yield Label("category")
                yield Select(
                    [(t, i) for i, t in categories],
                    value=p.category if p.category in dict(categories) else Select.NULL,
                    id="f-category",
                    allow_blank=True,
                )
                yield Static("", classes="error", id="e-category")
                yield Label("status")
                yield Select(
                    [(s, s) for s in STATUSES], value=v.status, id="f-status", allow_blank=False
                )
                yield Label("notes")
                yield DjpTextArea(v.notes, id="f-notes")
                yield Static("", classes="error", id="e-notes")
                yield Label("note for this edit (optional)")
                yield DjpInput(id="f-note")
                yield Static("", classes="error", id="e-form")
            with Horizontal(id="buttons"):
                yield Button("save (ctrl+s)", variant="primary", id="save")
                yield Button("cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#f-title", DjpInput).focus()

    def changed_fields(self) -> dict:
        v, p = self.view, self.view.record
        fields = {}
        for name in self.TEXT_FIELDS:
            value = self.query_one(f"#f-{name}", Input).value
            current = ", ".join(v.tags) if name == "tags" else getattr(p, name) or ""
            if value != safe_text(current):
                fields[name] = value
        category = self.query_one("#f-category", Select).value
        if category is not Select.NULL and category != p.category:
            fields["category"] = category
        status = self.query_one("#f-status", Select).value
        if status != v.status:
            fields["status"] = status
        notes = self.query_one("#f-notes", TextArea).text
        if notes != v.notes:
            fields["notes"] = notes
        return fields

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        for error in self.query(".error"):
            error.update("")
        fields = self.changed_fields()
        if not fields:
            self.query_one("#e-form", Static).update("Nothing changed; esc closes.")
            return
        note = self.query_one("#f-note", Input).value or None
        try:
            self.app.edit(self.view.key, fields, note, raise_errors=True)
        except EditError as exc:
            message = str(exc)
            target = next(
                (n for n in fields if message.startswith(n) or f" {n} " in message), "form"
            )
            self.query_one(f"#e-{target}" if target != "form" else "#e-form", Static).update(
                Text(message)
            )
            return
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "cancel", id="choice.cancel")]
    DEFAULT_CSS = """
    ChoiceModal { align: center middle; }
    ChoiceModal > Vertical { width: 40; height: auto; border: thick $accent; background: $surface; }
    ChoiceModal OptionList { height: auto; }
    """

    def __init__(self, title: str, choices, current: str) -> None:
        super().__init__()
        self.title_text, self.choices, self.current = title, list(choices), current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield OptionList(*[Option(c, id=c) for c in self.choices], id="choices")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        known = self.current in self.choices
        options.highlighted = self.choices.index(self.current) if known else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextModal(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="text.cancel"),
        Binding("ctrl+s", "save", "save", id="text.save"),
    ]
    DEFAULT_CSS = """
    TextModal { align: center middle; }
    TextModal > Vertical { width: 80; height: auto; border: thick $accent; background: $surface;
        padding: 0 1; }
    TextModal TextArea { height: 10; }
    """

    def __init__(self, title: str, value: str, multiline: bool = False) -> None:
        super().__init__()
        self.title_text, self.value, self.multiline = title, value, multiline

    def compose(self) -> ComposeResult:
        with Vertical():
            hint = "ctrl+s saves, esc cancels" if self.multiline else "enter saves, esc cancels"
            yield Label(f"{self.title_text} ({hint})")
            if self.multiline:
                yield DjpTextArea(self.value, id="value")
            else:
                yield DjpInput(value=self.value, id="value")

    @on(Input.Submitted)
    def action_save(self) -> None:
        widget = self.query_one("#value")
        self.dismiss(widget.text if isinstance(widget, TextArea) else widget.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- history ----------------------------------------------------------------------------


class HistoryScreen(DjpScreen):
    BINDINGS = [
        BACK,
        Binding("u", "undo_selected", "undo selected", id="history.undo"),
        Binding("ctrl+r", "app.redo", "redo", id="history.redo"),
        Binding("t", "travel", "travel here", id="history.travel"),
    ]
    DEFAULT_CSS = """
    HistoryScreen #panes { height: 1fr; }
    HistoryScreen #timeline { width: 1fr; }
    HistoryScreen #diff { width: 1fr; padding: 0 1; border-left: solid $panel; }
    HistoryScreen #plot { height: auto; padding: 0 1; border-top: solid $panel; }
    """

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.items = []

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with Horizontal(id="panes"):
            yield LineList(id="timeline")
            with VerticalScroll(id="diff"):
                yield Static(id="diff-text")
        yield Static(id="plot")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timeline").focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        browser = self.app.browser
        as_of = None if browser.present else browser.seq
        try:
            _, items = self.app.history(self.key, as_of)
        except LookupError as exc:
            self.query_one("#diff-text", Static).update(Text(str(exc)))
            return
        self.items = items
        timeline = self.query_one("#timeline", LineList)
        previous = timeline.cursor if timeline.lines else None
        lines = []
        for item in items:
            line = Text(f"{local_time(item.recorded_at)}  ")
            kind = item.kind + (f" of {item.edit_seq}" if item.edit_seq else "")
            line.append(kind, style="bold" if item.type in ("Edited", "Redone") else "")
            if item.undone:
                line.append(" (undone)", style="dim")
            fields = ", ".join(sorted(item.changes)) if item.kind != "first seen" else ""
            if fields:
                line.append("  " + fields, style="dim")
            lines.append(line)
        keep = previous is not None and previous < len(items)
        timeline.set_lines(lines, previous if keep else None)
        self.show_plot()

    @on(LineList.Highlighted, "#timeline")
    def show_diff(self) -> None:
        item = self.selected()
        if item is None:
            return
        body = Text()
        body.append(f"event {item.seq:,}: {item.kind}\n", style="bold")
        if item.sync_source:
            body.append(f"from sync of {safe_text(item.sync_source)}\n", style="dim")
        if item.note:
            body.append("note ", style="dim")
            body.append(safe_text(item.note, single_line=False) + "\n")
        for name, change in sorted(item.changes.items()):
            body.append(f"{name}\n", style="bold")
            if item.kind != "first seen":
                body.append(f"  - {_short(change.before)}\n", style=tone(self.app, "error"))
            body.append(f"  + {_short(change.after)}\n", style=tone(self.app, "success"))
        self.query_one("#diff-text", Static).update(body)

    def show_plot(self) -> None:
        from projections.history import series

        text = Text()
        for name, label in (("repo_watchers", "watchers"), ("repo_forks", "forks")):
            points = [value for _, _, value in series(self.items, name)]
            if points:
                low = min(points)
                text.append(f"{label:>9} over syncs  ", style="dim")
                text.append(sparkline([v - low + 1 for v in points[-60:]]))
                text.append(f"  {points[0]:,} → {points[-1]:,}\n")
        self.query_one("#plot", Static).update(text or Text("no numeric changes yet", style="dim"))

    def selected(self):
        timeline = self.query_one("#timeline", LineList)
        index = timeline.cursor
        return self.items[index] if timeline.lines and index < len(self.items) else None

    def action_back(self) -> None:
        self.app.go_back()

    def action_undo_selected(self) -> None:
        item = self.selected()
        if item is None or item.type not in ("Edited", "Redone"):
            self.notify("select an edit to undo", severity="warning")
            return
        self.app.undo(item.seq)

    def action_travel(self) -> None:
        item = self.selected()
        if item is not None:
            self.app.travel(item.seq)


def _short(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(safe_text(v) for v in value[:60]) + "]"
    if value is None:
        return "—"
    return safe_text(value)[:400]


# --- grids ------------------------------------------------------------------------------


class GridsScreen(DjpScreen):
    BINDINGS = [BACK, Binding("slash", "focus_filter", "filter", id="grids.filter")]
    DEFAULT_CSS = """
    GridsScreen #grid-filter { height: 1; border: none; padding: 0 1; }
    GridsScreen OptionList { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield DjpInput(placeholder="/ filter grids", id="grid-filter")
        yield OptionList(id="grid-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#grid-list").focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        needle = self.query_one("#grid-filter", Input).value.casefold()
        options = self.query_one("#grid-list", OptionList)
        options.clear_options()
        browser = self.app.browser
        for grid in browser.grids:
            g = grid.record
            if needle and needle not in f"{g.title} {g.slug} {g.description}".casefold():
                continue
            line = Text()
            line.append(f"{safe_text(g.title)}", style="bold")
            line.append(f"  {len(browser.grid_member_ids(grid)):,} packages", style="dim")
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
            self.app.push_screen(GridScreen(event.option.id))

    def action_focus_filter(self) -> None:
        self.query_one("#grid-filter", Input).focus()

    def action_back(self) -> None:
        self.app.go_back()


class GridScreen(DjpScreen):
    BINDINGS = [
        BACK,
        Binding("a", "add", "add package", id="grid.add"),
        Binding("r", "remove", "remove package", id="grid.remove"),
        Binding("h", "history", "history", id="grid.history"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static(id="grid-title")
        yield PackageTable(id="grid-table", now=lambda: self.app.now)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PackageTable).focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        browser = self.app.browser
        grid = browser.grid(self.key)
        title = self.query_one("#grid-title", Static)
        table = self.query_one(PackageTable)
        if grid is None:
            title.update(Text("This grid does not exist at this point."))
            table.set_rows([])
            return
        from catalog.browse import sort_rows

        rows = sort_rows(browser.grid_rows(grid), table.sort_key, table.descending)
        missing = len(set(grid.record.packages) - {r.view.record.id for r in rows})
        head = Text()
        head.append(safe_text(grid.record.title), style="bold")
        extra = f" ({missing} not fetched yet)" if missing else ""
        head.append(f"  {len(rows):,} packages{extra}", style="dim")
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
        self.app.push_screen(PackageScreen(message.row.key))

    def action_add(self) -> None:
        if self.app.require_present():
            self.app.push_screen(
                TextModal("add package (slug or id)", ""),
                lambda value: value and self.app.grid_members(self.key, add=[value.strip()]),
            )

    def action_remove(self) -> None:
        row = self.query_one(PackageTable).current
        if self.app.require_present() and row is not None:
            self.app.grid_members(self.key, remove=[str(row.view.record.id)])

    def action_history(self) -> None:
        self.app.push_screen(HistoryScreen(self.key))

    def action_back(self) -> None:
        self.app.go_back()


# --- changes and the event log -------------------------------------------------------------


class ChangesScreen(DjpScreen):
    """What a sync changed: the last one, or (with < and >) any earlier one."""

    BINDINGS = [
        BACK,
        Binding("less_than_sign", "sync(1)", "older sync", id="changes.older"),
        Binding("greater_than_sign", "sync(-1)", "newer sync", id="changes.newer"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.back = 0  # 0: the last finished sync; 1: the one before it; ...

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with VerticalScroll():
            yield Static(id="changes")
        yield Footer()

    def refresh_state(self) -> None:
        super().refresh_state()
        from catalog.queries import QueryError
        from catalog.timeline import sync_runs, what_changed

        out = self.query_one("#changes", Static)
        runs = [r for r in sync_runs(self.app.catalog) if r.finished_seq is not None]
        self.back = max(0, min(self.back, len(runs) - 1))
        newer = runs[-1 - self.back].sync_id if runs else None
        try:
            changes = what_changed(self.app.catalog, newer=newer)
        except QueryError as exc:
            out.update(Text(str(exc)))
            return
        browser = self.app.browser

        def name(ident: int) -> str:
            view = browser.package(f"package:{ident}")
            return safe_text(view.record.slug) if view else str(ident)

        summary, sections = changes_report(changes, name)
        text = Text()
        run = runs[-1 - self.back]
        which = "the last sync" if self.back == 0 else f"the sync {self.back} before the last"
        text.append(
            f"What {which} changed ({safe_text(run.source)}, "
            f"{local_time(run.recorded_at)}, {run.outcome})  < older · > newer\n",
            style="bold",
        )
        text.append(summary + "\n")
        for section, lines in sections:
            text.append(f"\n{section}\n", style="bold")
            for line in lines:
                text.append(f"  {line}\n")
        out.update(text)

    def action_sync(self, delta: int) -> None:
        self.back = max(0, self.back + delta)
        self.refresh_state()

    def action_back(self) -> None:
        self.app.go_back()


class LogScreen(DjpScreen):
    """The global event log, newest last; pick an event to see the catalogue as of then."""

    BINDINGS = [BACK, Binding("t", "travel", "travel here", id="log.travel")]
    LIMIT = 2000

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield LineList(id="events")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#events").focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        from catalog.display import event_summary

        store = self.app.catalog.store
        last = store.last_seq
        self.first = max(1, last - self.LIMIT + 1)
        lines = []
        for envelope in store.read_all(self.first, last):
            line = Text(f"{envelope.seq:>8}  {local_time(envelope.recorded_at)}  ")
            line.append(f"{envelope.type:<14}", style="bold")
            line.append(" " + event_summary(envelope.event))
            lines.append(line)
        browser = self.app.browser
        target = browser.seq if not browser.present else last
        self.query_one("#events", LineList).set_lines(lines, target - self.first)

    @on(LineList.Selected, "#events")
    def selected(self, event: LineList.Selected) -> None:
        self.app.travel(self.first + event.index)

    def action_travel(self) -> None:
        events = self.query_one("#events", LineList)
        if events.lines:
            self.app.travel(self.first + events.cursor)

    def action_back(self) -> None:
        self.app.go_back()


# --- help and sync ----------------------------------------------------------------------


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; height: 80%; border: thick $accent;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table(title="keys on this screen", expand=True, box=None)
        table.add_column("key", style="bold")
        table.add_column("does")
        table.add_column("id (remap in config.toml)", style="dim")
        for key, description, ident in self.bindings:
            table.add_row(key, description, ident)
        with VerticalScroll():
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)


class SyncScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,ctrl+c", "cancel", "cancel", id="sync.cancel", priority=True)]
    DEFAULT_CSS = """
    SyncScreen { align: center middle; }
    SyncScreen > Vertical { width: 70; height: auto; border: thick $accent; background: $surface;
        padding: 1 2; }
    """

    def __init__(self, first: bool = False) -> None:
        super().__init__()
        self.first = first

    def compose(self) -> ComposeResult:
        with Vertical():
            title = "First start: fetching the catalogue" if self.first else "Syncing"
            yield Label(Text(f"{title} (esc cancels)", style="bold"))
            yield ProgressBar(total=None, id="progress", show_eta=False)
            yield Label("connecting…", id="progress-text")

    def on_mount(self) -> None:
        self.run_sync()

    @work(exclusive=True, group="sync")
    async def run_sync(self) -> None:
        await self.app.run_sync(self, first=self.first)
        self.dismiss(None)

    def progress(self, p) -> None:
        self.query_one(ProgressBar).update(total=max(p.pages_total, 1), progress=p.pages_done)
        self.query_one("#progress-text", Label).update(p.describe())

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "sync")
        self.notify("sync cancelled; whole pages already fetched are kept", severity="warning")
        self.dismiss(None)
