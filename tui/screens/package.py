"""One package: every field, your status/tags/notes, its grids and links."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from catalog.api import pypi_name
from catalog.present.details import package_details
from catalog.present.events import short_value
from catalog.present.pypi import pypi_details
from catalog.text import safe_text
from projections.targets import Target
from projections.view import STATUSES, PackageView
from tui.modals import ChoiceModal, EditModal, PickModal, TextModal
from tui.screens.base import BACK, DjpScreen
from tui.text import literal, tone
from tui.widgets import DjpOptionList, KeyFooter

#: Rows of the shared details that this screen shows elsewhere (the title, the grid list).
SHOWN_ELSEWHERE = {"title", "id", "grids", "edited", "upstream"}


#: Advisories the PyPI section lists (a release may have a thousand: the screen took a
#: second to open); the rest are counted, and ``djp show`` lists them all.
ADVISORIES_SHOWN = 10


class PackageScreen(DjpScreen):
    BINDINGS = [
        BACK,
        Binding("e", "edit", "edit", id="package.edit"),
        Binding("x", "status", "status", id="package.status"),
        Binding("number_sign", "tags", "tags", id="package.tags"),  # t is time travel
        Binding("n", "notes", "notes", id="package.notes"),
        Binding("h", "history", "history", id="package.history"),
        Binding("a", "add_to_grid", "add to grid", id="package.add_to_grid"),
        Binding("C", "resolve", "resolve conflict", id="package.resolve"),
        Binding("o", "link('repo')", "repo", id="package.open_repo"),
        Binding("d", "link('docs')", "docs", id="package.open_docs"),
        Binding("p", "link('pypi')", "PyPI", id="package.open_pypi"),
        Binding("y", "copy_link", "copy a link", id="package.copy_link"),
    ]

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with VerticalScroll():
            yield Static(id="details")
            yield Label("grids (enter opens)", id="grids-label")
            yield DjpOptionList(id="grids")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_pypi()

    @work(exclusive=True, group="pypi")
    async def refresh_pypi(self) -> None:
        """PyPI facts older than a day are fetched again for the package on screen."""
        await self.controller.refresh_pypi(self.target)

    def refresh_state(self) -> None:
        super().refresh_state()
        controller = self.controller
        view = self._view()
        details = self.query_one("#details", Static)
        if view is None:
            details.update(Text("This package was not in the catalogue at this point."))
            return
        details.update(self.details(view))
        self.refresh_bindings()  # C comes and goes with the conflicts
        grids = self.query_one("#grids", OptionList)
        grids.clear_options()
        names = controller.grids_of(view.record.id)  # its grids, indexed once
        for grid in controller.grids:
            name = grid.record.slug.casefold() if grid.local else str(grid.record.id)
            if name in names:
                label = literal(grid.record.title)
                if grid.unfetched:
                    label.append(" (not fetched yet)", style="dim")
                grids.add_option(Option(label, id=grid.key))
        grids.display = grids.option_count > 0
        label = "grids (enter opens)" if grids.option_count else "grids: none fetched yet"
        self.query_one("#grids-label", Label).update(label)

    def details(self, view: PackageView) -> Group:
        title = Text()
        title.append(safe_text(view.record.title), style="bold")
        for name in sorted(view.overridden):
            mark = "!" if name in view.conflicts else "✎"
            title.append(
                f"  {mark} {name}", style=tone(self.app, "warning" if mark == "✎" else "error")
            )
        if view.vanished:
            title.append("  vanished upstream", style=tone(self.app, "error"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", justify="right")
        grid.add_column()
        controller = self.controller
        titles = {g.record.id: g.record.title for g in controller.grids if not g.local}
        for row in package_details(view, controller.category_names, titles, self.controller.now):
            if row.label not in SHOWN_ELSEWHERE:
                grid.add_row(row.label, Text(row.value or "—", style=tone(self.app, row.tone)))
        pypi = Table.grid(padding=(0, 2))
        pypi.add_column(style="dim", justify="right")
        pypi.add_column()
        status = self.controller.pypi_status(self.target)
        if status is not None:
            rows = pypi_details(
                status.name,
                status.digest,
                status.fetched,
                status.error,
                view.record.last_updated,
                self.controller.now,
                advisories_shown=ADVISORIES_SHOWN,
                ready_since=self._ready_since(),
            )
            for row in rows:
                pypi.add_row(row.label, Text(row.value or "—", style=tone(self.app, row.tone)))
        heading = Text("PyPI, readiness and health", style="bold")
        return Group(title, Text(""), grid, Text(""), heading, pypi)

    @on(OptionList.OptionSelected, "#grids")
    def open_grid(self, event: OptionList.OptionSelected) -> None:
        self.controller.open_grid(Target.parse(event.option.id))

    def _ready_since(self) -> tuple[str, tuple[str | None, str]] | None:
        answer = self.controller.ready_since(self.target)
        return None if answer is None else (self.controller.django_version, answer)

    def _view(self) -> PackageView | None:
        return self.controller.package(self.target)

    def action_edit(self) -> None:
        view = self._view()
        if self.controller.require_present() and view:
            names = self.controller.category_names
            self.app.push_screen(EditModal(view, names, self._save))

    def _save(self, fields: dict, note: str | None) -> bool:
        """The edit form's save: True when saved; an ``EditError`` goes back to the form."""
        return self.controller.edit(self.target, fields, note, raise_refusal=True) is not None

    def action_status(self) -> None:
        view = self._view()
        if not (self.controller.require_present() and view):
            return

        def chosen(status: str | None) -> None:
            if status is not None and status != view.status:
                self.controller.edit(self.target, {"status": status})

        self.app.push_screen(ChoiceModal("status", STATUSES, view.status), chosen)

    def action_tags(self) -> None:
        self._quick_edit("tags", "tags (comma-separated)", lambda v: ", ".join(v.tags), False)

    def action_notes(self) -> None:
        self._quick_edit("notes", "notes", lambda v: v.notes, True)

    def _quick_edit(self, field: str, title: str, current, multiline: bool) -> None:
        view = self._view()
        if not (self.controller.require_present() and view):
            return

        def save(value: str | None) -> None:
            if value is not None:
                self.controller.edit(self.target, {field: value})

        self.app.push_screen(TextModal(title, current(view), multiline=multiline), save)

    def action_history(self) -> None:
        self.controller.open_history(self.target)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``C`` is offered (and in the footer) only while the package has a conflict."""
        if action == "resolve":
            view = self._view()
            return bool(view and view.conflicts)
        return True

    def action_resolve(self) -> None:
        """For each field upstream changed since you edited it: keep mine or take theirs."""
        view = self._view()
        if not (self.controller.require_present() and view):
            return
        if not view.conflicts:
            self.notify("no conflict: upstream has not changed what you edited", markup=False)
            return
        choices = {}
        for name in view.conflicts:
            mine = short_value(view.flat()[name], 40)
            theirs = short_value(view.theirs.get(name), 40)
            choices[f"{name}: keep mine {mine}"] = (name, True)
            choices[f"{name}: take theirs {theirs}"] = (name, False)

        def chosen(label: str | None) -> None:
            if label is not None:
                name, keep = choices[label]
                self.controller.resolve(self.target, name, keep)

        first = next(iter(choices))
        modal = ChoiceModal("resolve the conflict", list(choices), first, wide=True)
        self.app.push_screen(modal, chosen)

    def action_add_to_grid(self) -> None:
        """Pick a grid by a few letters of its title; the package joins it (u undoes)."""
        view = self._view()
        if not (self.controller.require_present() and view):
            return
        controller = self.controller
        choices = [
            (
                f"{safe_text(g.record.title)}  ({'yours' if g.local else g.record.slug})",
                g.key,
            )
            for g in controller.grids
            if not g.unfetched and view.record.id not in controller.grid_member_ids(g)
        ]

        def add(key: str | None) -> None:
            if key:
                self.controller.change_grid(Target.parse(key), add=[str(view.record.id)])

        empty = "no grid left to add it to (n on the grids screen, 2, makes one)"
        title = f"add {safe_text(view.record.slug)} to a grid"
        self.app.push_screen(PickModal(title, choices, empty), add)

    def _links(self) -> dict[str, str]:
        view = self._view()
        if view is None:
            return {}
        p = view.record
        name = pypi_name(p.pypi_url)
        return {
            "repo": p.repo_url or "",
            "docs": p.documentation_url or "",
            "pypi": f"https://pypi.org/project/{name}/" if name else "",
        }

    def action_copy_link(self) -> None:
        """Copy the repo, docs or PyPI address to the clipboard (OSC 52, as Textual does)."""
        links = {k: v for k, v in self._links().items() if v.startswith(("http://", "https://"))}
        if not links:
            self.notify("this package has no link to copy", severity="warning", markup=False)
            return

        def chosen(which: str | None) -> None:
            if which:
                self.app.copy_to_clipboard(links[which])
                self.notify(f"copied {links[which]}", markup=False)

        self.app.push_screen(ChoiceModal("copy which link", list(links), "repo"), chosen)

    def action_link(self, which: str) -> None:
        url = self._links().get(which, "")
        if not self._links():
            return
        if url and url.startswith(("http://", "https://")):
            self.app.open_url(url)
            self.notify(f"opening {url}", markup=False)
        else:
            self.notify(f"this package has no {which} link", severity="warning", markup=False)
