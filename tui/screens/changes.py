"""What a sync changed: the last one, or (with < and >) any earlier one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from catalog.changes import SyncRun
from catalog.errors import UserError
from catalog.report import changes_report
from catalog.text import local_time, safe_text
from projections.changes import Changes
from projections.targets import Target
from tui.screens.base import BACK, DjpScreen


class ChangesScreen(DjpScreen):
    BINDINGS = [
        BACK,
        Binding("less_than_sign", "sync(1)", "older sync", id="changes.older"),
        Binding("greater_than_sign", "sync(-1)", "newer sync", id="changes.newer"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.back: int | None = None  # 0: the last finished sync; 1: the one before...

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with VerticalScroll():
            yield Static(id="changes")
        yield Footer()

    def refresh_state(self) -> None:
        super().refresh_state()
        runs = self.controller.finished_syncs()
        if self.back is None:  # open on the last sync that completed, not a failed one
            complete = [i for i, r in enumerate(runs) if r.outcome == "complete"]
            self.back = len(runs) - 1 - complete[-1] if complete else 0
        self.back = max(0, min(self.back, len(runs) - 1))
        newer = runs[-1 - self.back].sync_id if runs else None
        before = runs[-2 - self.back].finished_seq if len(runs) > self.back + 1 else 0
        size = runs[-1 - self.back].finished_seq - before if runs else 0

        def load() -> Changes | UserError:
            try:
                return self.controller.what_changed(newer)
            except UserError as exc:
                return exc

        out = self.query_one("#changes", Static)
        self.read(size, load, lambda changes: self.show(changes, runs), out)

    def show(self, changes: Changes | UserError, runs: list[SyncRun]) -> None:
        out = self.query_one("#changes", Static)
        if isinstance(changes, UserError):
            out.update(Text(str(changes)))
            return

        def name(ident: int) -> str:
            view = self.controller.package(Target.package(ident))
            return safe_text(view.record.slug) if view else str(ident)

        kept = {v.name: set(v.deps) for v in self.controller.stacks()}
        summary, sections = changes_report(changes, name, stacks=kept)
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
        self.back = max(0, (self.back or 0) + delta)
        self.refresh_state()
