"""What a sync changed: the last one, or (with < and >) any earlier one."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from catalog.errors import UserError
from catalog.present.report import changes_report
from catalog.read.changes import SyncRun
from catalog.text import local_time, safe_text
from projections.changes import Changes
from projections.targets import Target
from tui.screens.base import BACK, DjpScreen
from tui.widgets import KeyFooter, LineList


class ChangesScreen(DjpScreen):
    AUTO_FOCUS = "#changes"  # focused before the first frame: the footer shows its keys
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
        yield Static(id="changes-title")
        yield LineList(id="changes")
        yield KeyFooter()

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

        out = self.query_one("#changes", LineList)
        self.read(size, load, lambda changes: self.show(changes, runs), out)

    def show(self, changes: Changes | UserError, runs: list[SyncRun]) -> None:
        title = self.query_one("#changes-title", Static)
        out = self.query_one("#changes", LineList)
        if isinstance(changes, UserError):
            title.update(Text(str(changes)))
            out.set_lines([])
            self.packages = []
            return

        controller = self.controller

        def name(ident: int) -> str:  # from the rows in hand: no view is built per line
            key = f"package:{ident}"
            row = controller.row(key)
            return safe_text(row.view.record.slug) if row else str(ident)

        kept = {v.name: set(v.deps) for v in self.controller.stacks()}
        # every line (the list draws only what is in view); enter opens a line's package
        summary, sections = changes_report(changes, name, None, stacks=kept)
        run = runs[-1 - self.back]
        which = "the last sync" if self.back == 0 else f"the sync {self.back} before the last"
        head = Text()
        head.append(
            f"What {which} changed ({safe_text(run.source)}, "
            f"{local_time(run.recorded_at)}, {run.outcome})  < older · > newer · "
            "enter opens a package\n",
            style="bold",
        )
        head.append(summary)
        title.update(head)
        texts: list[tuple[str, str]] = []  # made into Text as they come into view
        self.packages: list[int | None] = []
        for section, rows in sections:
            texts.append((f"{section} ({len(rows):,})", "bold"))
            self.packages.append(None)
            for row in rows:
                texts.append((f"  {row}", "" if row.package else "dim"))
                self.packages.append(row.package)
        if not texts:
            texts.append(("Nothing changed.", "dim"))
            self.packages.append(None)
        out.set_source(len(texts), lambda i: Text(*texts[i]), 1 if len(texts) > 1 else 0)

    @on(LineList.Selected, "#changes")
    def open_line(self, message: LineList.Selected) -> None:
        packages = getattr(self, "packages", [])
        ident = packages[message.index] if message.index < len(packages) else None
        if ident is not None:
            self.controller.open_package(Target.package(ident))

    def action_sync(self, delta: int) -> None:
        self.back = max(0, (self.back or 0) + delta)
        self.refresh_state()
