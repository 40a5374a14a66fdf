"""``DjpScreen``: a screen that shows the app's state and redraws when it changes.

The state reaches every screen one way: the controller's ``changed`` signal. A screen in
view redraws at once; one hidden under another screen redraws when it comes back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea
from textual.worker import get_current_worker

from catalog.present.events import event_summary
from catalog.present.export import FORMATS as EXPORT_FORMATS
from catalog.present.export import SUFFIX
from catalog.text import counted, local_time
from projections.targets import Target
from tui.controller import Change, Controller
from tui.modals import ChoiceModal, TextModal
from tui.screens.package_keys import PackageKeys
from tui.widgets import Banner, DetailsPane, PackageTable, StatusLine

#: Reads of up to this many events take under ~10 ms here and run at once; larger ones run in
#: a thread worker while the screen shows a loading indicator (bench/tui.py measures both).
QUICK_READ_EVENTS = 300


#: Escape on every screen but the home screen (``action_back`` below).
BACK = Binding("escape", "back", "back", id="screen.back")


class DjpScreen(Screen):
    @property
    def controller(self) -> Controller:
        return self.app.controller  # set by DjpApp before any screen is pushed

    def action_back(self) -> None:
        """Leave the past first, else go back to the screen before."""
        self.controller.back()

    def on_paste(self, event: events.Paste) -> None:
        """A paste is text: into the focused input (which takes it), else ignored and said in
        one line; never keys, so never a binding."""
        if not isinstance(self.focused, Input | TextArea):
            event.stop()
            self.notify(
                "pasted text ignored: no text field has focus (/ opens the filter)",
                severity="warning", markup=False,
            )  # fmt: skip

    def compose_chrome(self) -> ComposeResult:
        yield Banner(id="banner")
        yield StatusLine(id="status")

    def on_mount(self) -> None:
        self.controller.changed.subscribe(self, self._state_changed, immediate=True)

    def on_unmount(self) -> None:
        # Textual's signal forgets a removed subscriber only when it next publishes, and the
        # callback keeps the screen alive: until the state changed, every screen closed since
        # (with its widgets and drawn lines) stayed in memory for the collector to walk
        self.controller.changed.unsubscribe(self)

    def _state_changed(self, change: Change) -> None:
        if not self.is_current:  # not the front screen, nor one under a dialog
            return
        if change is Change.ACTIVITY:  # a sync's or a jump's progress: the status line alone
            self.refresh_status()
        else:
            self.refresh_state()

    def on_screen_resume(self) -> None:
        self.refresh_state()

    def refresh_state(self) -> None:
        """Redraw from the controller's state; screens extend this."""
        controller = self.controller
        banner = self.query("#banner")
        if banner:
            widget = banner.first(Banner)
            if controller.present:
                widget.remove_class("past")
            else:
                envelope = controller.event(controller.seq)
                when = local_time(envelope.recorded_at) if envelope else ""
                what = (
                    event_summary(envelope.event, self.controller.target_name) if envelope else ""
                )
                widget.update(
                    Text(
                        f"the past — event {controller.seq:,} ({when}): {what} · "
                        "[ ] step · esc back to present",
                        no_wrap=True,
                        overflow="ellipsis",
                    )
                )
                widget.add_class("past")
        self.refresh_status()

    def refresh_status(self) -> None:
        status = self.query("#status")
        if status:
            status.first(StatusLine).update(Text(self.status_text()))

    def status_text(self) -> str:
        """Present or past first (it must survive a narrow terminal), then what is marked,
        then the store."""
        controller = self.controller
        packages, grids = controller.counts()
        where = "present" if controller.present else "PAST"
        parts = [f"▸ {where} (seq {controller.seq:,})"]
        if controller.read_only:
            parts.append("read-only")
        activity = controller.activity.status()
        if activity is not None:
            parts.append(activity)
        if controller.marked:
            n = len(controller.marked)
            parts.append(f"{n} marked (c compares, ctrl+a clears)")
        if controller.snapshot_only():
            parts.append("offline sample of the catalogue: S syncs the live one")
        parts += [
            controller.store_label,
            counted(controller.last_seq, "event"),
            counted(packages, "package"),
            counted(grids, "grid"),
            f"last sync {controller.last_sync_text()}",
        ]
        return " · ".join(parts)

    # --- reads that can be slow -------------------------------------------------------------

    def read(
        self,
        events: int,
        compute: Callable[[], Any],
        show: Callable[[Any], None],
        widget: Widget | None = None,
    ) -> None:
        """Run ``compute`` (a read of about ``events`` events) and pass its result to
        ``show`` on the UI thread: at once when it is small, else in a thread worker while
        ``widget`` shows a loading indicator. A newer read replaces one still running."""
        if events <= QUICK_READ_EVENTS:
            show(compute())
            return
        if widget is not None:
            widget.loading = True
        self._read_in_thread(compute, show, widget)

    @work(thread=True, exclusive=True, group="read")
    def _read_in_thread(
        self, compute: Callable[[], Any], show: Callable[[Any], None], widget: Widget | None
    ) -> None:
        result = compute()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_read, result, show, widget)

    def _show_read(self, result: Any, show: Callable[[Any], None], widget: Widget | None) -> None:
        if widget is not None:
            widget.loading = False
        show(result)

    # --- export ----------------------------------------------------------------------------

    def export(self, what: str, render: Callable[[str], str], formats=EXPORT_FORMATS) -> None:
        """Ask for a format and a file name, then write ``render(format)`` there (an existing
        file is never overwritten)."""

        def to_file(fmt: str | None) -> None:
            if fmt is None:
                return
            name = re.sub(r"[^A-Za-z0-9_-]+", "-", what).strip("-") or "export"
            default = export_directory(self.controller.remembered("export_directory"))
            default = default / f"djp-{name}-{datetime.now():%Y%m%d-%H%M%S}{SUFFIX[fmt]}"
            self.app.push_screen(
                TextModal(f"write {fmt} to", str(default)), lambda path: write(fmt, path)
            )

        def write(fmt: str, value: str | None) -> None:
            if not value or not value.strip():
                return
            path = Path(value.strip()).expanduser()
            try:
                with path.open("x", encoding="utf-8") as out:
                    out.write(render(fmt) + "\n")
            except FileExistsError:
                self.notify(f"not written: {path} exists", severity="error", markup=False)
                return
            except OSError as exc:
                self.notify(f"not written: {exc}", severity="error", markup=False)
                return
            self.notify(f"wrote {path}", markup=False)
            self.controller.remember("export_directory", str(path.resolve().parent))

        self.app.push_screen(ChoiceModal("export as", formats, formats[0]), to_file)


def export_directory(remembered: object) -> Path:
    """Where an export goes unless the user edits the path: the directory of the last export
    (remembered in the store), else the user's downloads directory (platformdirs), else the
    home directory; never the current directory (under ``make run``, the checkout)."""
    if isinstance(remembered, str) and Path(remembered).is_dir():
        return Path(remembered)
    import platformdirs  # only when an export is asked for

    downloads = Path(platformdirs.user_downloads_dir())
    return downloads if downloads.is_dir() else Path.home()


class PackageListScreen(PackageKeys, DjpScreen):
    """A screen of a ``PackageTable`` and its ``DetailsPane`` (the catalogue, a grid): Enter
    opens a package, space marks it and moves down, ``D`` shows the pane (remembered across
    screens and runs); the package keys act on the highlighted row."""

    def package_target(self) -> Target | None:
        row = self.query_one(PackageTable).current
        return row.view.target if row is not None else None

    def no_package_why(self) -> str:
        return "no package is highlighted (the list is empty)"

    def package_table(self, id: str) -> ComposeResult:
        """The screen's table (reading the controller's clock, Django version, marks and the
        event in view) and its details pane."""
        yield PackageTable(
            id=id,
            now=lambda: self.controller.now,
            django=lambda: self.controller.django_version,
            marked=lambda: self.controller.marked,
            traveled=lambda: self.controller.traveled_keys(),
        )
        yield DetailsPane(id="details")

    @on(PackageTable.Opened)
    def open_package(self, message: PackageTable.Opened) -> None:
        self.controller.open_package(message.row.view.target)

    @on(PackageTable.Marked)
    def mark(self, message: PackageTable.Marked) -> None:
        self.controller.toggle_mark(message.row.key)

    @on(PackageTable.Highlighted)
    def show_details(self) -> None:
        pane = self.query_one(DetailsPane)
        if pane.display:
            table = self.query_one(PackageTable)
            pane.show(table.current, self.controller.now, self.controller.django_version)

    def action_toggle_details(self) -> None:
        pane = self.query_one(DetailsPane)
        pane.display = not pane.display
        self.controller.remember("details", pane.display)
        self.show_details()
