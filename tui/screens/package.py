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

from catalog.present.details import package_details
from catalog.present.events import short_value
from catalog.present.pypi import pypi_details
from catalog.pypi.cache import PypiStatus
from catalog.text import safe_text
from projections.targets import Target
from projections.view import PackageView
from tui.modals import ChoiceModal
from tui.screens.base import BACK, DjpScreen
from tui.screens.package_keys import PACKAGE_KEYS, PackageKeys
from tui.text import literal, tone
from tui.widgets import DjpOptionList, KeyFooter

#: Rows of the shared details that this screen shows elsewhere (the title, the grid list).
SHOWN_ELSEWHERE = {"title", "id", "grids", "edited", "upstream"}


#: Advisories the PyPI section lists (a release may have a thousand: the screen took a
#: second to open); the rest are counted, and ``djp show`` lists them all.
ADVISORIES_SHOWN = 10


class PackageScreen(PackageKeys, DjpScreen):
    BINDINGS = [
        BACK,
        Binding("C", "resolve", "resolve conflict", id="package.resolve"),  # first: seen
        *PACKAGE_KEYS,
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
        status = self.controller.pypi_status(self.target)
        latest = status.digest.latest if status and status.digest and status.digest.facts else ""
        now = self.controller.now
        for row in package_details(view, controller.category_names, titles, now, latest):
            if row.label not in SHOWN_ELSEWHERE:
                grid.add_row(row.label, Text(row.value or "—", style=tone(self.app, row.tone)))
        pypi = Table.grid(padding=(0, 2))
        pypi.add_column(style="dim", justify="right")
        pypi.add_column()
        if status is not None:
            rows = pypi_details(
                status.name,
                status.digest,
                status.fetched,
                status.error,
                view.record.last_updated,
                self.controller.now,
                advisories_shown=ADVISORIES_SHOWN,
                ready_since=self._ready_since(status),
            )
            for row in rows:
                pypi.add_row(row.label, Text(row.value or "—", style=tone(self.app, row.tone)))
        heading = Text("PyPI, readiness and health", style="bold")
        return Group(title, Text(""), grid, Text(""), heading, pypi)

    @on(OptionList.OptionSelected, "#grids")
    def open_grid(self, event: OptionList.OptionSelected) -> None:
        self.controller.open_grid(Target.parse(event.option.id))

    def _ready_since(self, status: PypiStatus) -> tuple[str, tuple[str | None, str]] | None:
        answer = self.controller.ready_since(status)
        return None if answer is None else (self.controller.django_version, answer)

    def package_target(self) -> Target | None:
        return self.target

    def no_package_why(self) -> str:
        return "this package is not in the catalogue at this point of the log"

    def _view(self) -> PackageView | None:
        return self.controller.package(self.target)

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
