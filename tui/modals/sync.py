"""The first start's sync with its progress; Escape cancels and keeps the whole pages
already written."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar

from catalog.upstream.sync import SyncProgress
from tui.controller import Controller


class SyncModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,ctrl+c", "cancel", "cancel", id="sync.cancel", priority=True)]

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("First start: fetching the catalogue (esc cancels)", style="bold"))
            yield ProgressBar(total=None, id="progress", show_eta=False)
            yield Label("connecting…", id="progress-text")

    def on_mount(self) -> None:
        self.run_sync()

    @work(exclusive=True, group="sync")
    async def run_sync(self) -> None:
        await self.controller.first_sync(self.progress)  # PyPI comes after the dialog
        self.dismiss(None)

    def progress(self, p: SyncProgress) -> None:
        self.query_one(ProgressBar).update(total=max(p.pages_total, 1), progress=p.pages_done)
        self.query_one("#progress-text", Label).update(Text(p.describe()))

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "sync")
        self.notify(
            "sync cancelled; whole pages already fetched are kept",
            severity="warning",
            markup=False,
        )
        self.dismiss(None)
