"""The keys that act on one package, wherever one is at hand: the package screen's package, or
the highlighted row of a list of packages (the catalogue, a grid, the readiness screen, a
stack). A screen that mixes ``PackageKeys`` in says which package (``package_target``) and,
when there is none, why (``no_package_why``); a key that cannot act says so in one line.

e edit · x status · # tags · n notes · h history · a add to grid · o/d/p open the repo, the
docs or PyPI · y copy a link. A screen whose own key is one of these (a grid's ``e`` edits
the grid) keeps its own: ``PACKAGE_KEYS`` minus those (``package_keys(except_=...)``).
"""

from __future__ import annotations

import webbrowser

from textual.binding import Binding

from catalog.api import pypi_name
from catalog.text import safe_text
from projections.targets import Target
from projections.view import STATUSES, PackageView
from tui.modals import ChoiceModal, EditModal, PickModal, TextModal

PACKAGE_KEYS = (
    Binding("e", "package_edit", "edit", id="package.edit"),
    Binding("x", "package_status", "status", id="package.status"),
    Binding("number_sign", "package_tags", "tags", id="package.tags"),  # t is time travel
    Binding("n", "package_notes", "notes", id="package.notes"),
    Binding("h", "package_history", "history", id="package.history"),
    Binding("a", "package_add_to_grid", "add to grid", id="package.add_to_grid"),
    Binding("o", "package_link('repo')", "repo", id="package.open_repo"),
    Binding("d", "package_link('docs')", "docs", id="package.open_docs"),
    Binding("p", "package_link('pypi')", "PyPI", id="package.open_pypi"),
    Binding("y", "package_copy_link", "copy a link", id="package.copy_link"),
)


def package_keys(except_: tuple[str, ...] = ()) -> list[Binding]:
    """``PACKAGE_KEYS`` but those whose key the screen uses for itself."""
    return [b for b in PACKAGE_KEYS if b.key not in except_]


class PackageKeys:
    """The package actions, on ``package_target()``; mixed into a ``DjpScreen``."""

    def package_target(self) -> Target | None:
        """The package the keys act on (None: none; ``no_package_why`` says why)."""
        raise NotImplementedError(f"{type(self).__name__} names no package")

    def no_package_why(self) -> str:
        return "no package is highlighted"

    def _package(self) -> tuple[Target, PackageView] | None:
        """The package to act on, or None after saying why not (one line)."""
        target = self.package_target()
        view = self.controller.package(target) if target is not None else None
        if target is None or view is None:
            self.notify(self.no_package_why(), severity="warning", markup=False)
            return None
        return target, view

    def _writable(self) -> tuple[Target, PackageView] | None:
        found = self._package()
        return found if found and self.controller.require_present() else None

    def action_package_edit(self) -> None:
        found = self._writable()
        if found:
            target, view = found

            def save(fields: dict, note: str | None) -> bool:
                """True when saved; an ``EditError`` goes back to the form."""
                return self.controller.edit(target, fields, note, raise_refusal=True) is not None

            self.app.push_screen(EditModal(view, self.controller.category_names, save))

    def action_package_status(self) -> None:
        found = self._writable()
        if found:
            target, view = found

            def chosen(status: str | None) -> None:
                if status is not None and status != view.status:
                    self.controller.edit(target, {"status": status})

            self.app.push_screen(ChoiceModal("status", STATUSES, view.status), chosen)

    def action_package_tags(self) -> None:
        self._quick_edit("tags", lambda v: ", ".join(v.tags), False, " (comma-separated)")

    def action_package_notes(self) -> None:
        self._quick_edit("notes", lambda v: v.notes, True)

    def _quick_edit(self, field: str, current, multiline: bool, hint: str = "") -> None:
        found = self._writable()
        if found:
            target, view = found

            def save(value: str | None) -> None:
                if value is not None:
                    self.controller.edit(target, {field: value})

            title = f"{field} of {safe_text(view.record.slug)}{hint}"
            modal = TextModal(title, current(view), multiline=multiline)
            self.app.push_screen(modal, save)

    def action_package_history(self) -> None:
        found = self._package()
        if found:
            self.controller.open_history(found[0])

    def action_package_add_to_grid(self) -> None:
        """Pick a grid by a few letters of its title; the package joins it (u undoes)."""
        found = self._writable()
        if not found:
            return
        _, view = found
        controller = self.controller
        choices = [
            (f"{safe_text(g.record.title)}  ({'yours' if g.local else g.record.slug})", g.key)
            for g in controller.grids
            if not g.unfetched and view.record.id not in controller.grid_member_ids(g)
        ]

        def add(key: str | None) -> None:
            if key:
                self.controller.change_grid(Target.parse(key), add=[str(view.record.id)])

        empty = "no grid left to add it to (n on the grids screen, 2, makes one)"
        title = f"add {safe_text(view.record.slug)} to a grid"
        self.app.push_screen(PickModal(title, choices, empty), add)

    @staticmethod
    def _links(view: PackageView) -> dict[str, str]:
        p = view.record
        name = pypi_name(p.pypi_url)
        links = {
            "repo": p.repo_url or "",
            "docs": p.documentation_url or "",
            "pypi": f"https://pypi.org/project/{name}/" if name else "",
        }
        return {k: v if v.startswith(("http://", "https://")) else "" for k, v in links.items()}

    def action_package_copy_link(self) -> None:
        """Copy the repo, docs or PyPI address to the clipboard (OSC 52, as Textual does)."""
        found = self._package()
        if not found:
            return
        links = {k: v for k, v in self._links(found[1]).items() if v}
        if not links:
            self.notify("this package has no link to copy", severity="warning", markup=False)
            return

        def chosen(which: str | None) -> None:
            if which:
                self.app.copy_to_clipboard(links[which])
                self.notify(f"copied {links[which]}", markup=False)

        self.app.push_screen(ChoiceModal("copy which link", list(links), next(iter(links))), chosen)

    def action_package_link(self, which: str) -> None:
        """Open a link in the browser; where none can be started, say so and put the address
        where the user can take it (the clipboard, and in full in the note)."""
        found = self._package()
        if not found:
            return
        url = self._links(found[1]).get(which, "")
        if not url:
            self.notify(f"this package has no {which} link", severity="warning", markup=False)
            return
        if browser_available():
            self.app.open_url(url)
            self.notify(f"opening {url}", markup=False)
            return
        self.app.copy_to_clipboard(url)  # OSC 52: the terminal's clipboard, where it has one
        self.notify(
            f"no browser can be started here; the address, copied to the clipboard: {url}",
            severity="warning", timeout=30, markup=False,
        )  # fmt: skip


def browser_available() -> bool:
    """Whether Python's ``webbrowser`` can start a browser here (no display, no ``BROWSER``
    and no known browser: it cannot, and ``open`` would fail silently)."""
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True
