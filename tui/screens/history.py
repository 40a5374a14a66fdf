"""The history of a package or grid: a timeline, the field diff of the selected event, and
watchers/forks over syncs."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from catalog.errors import UserError
from catalog.present.events import MEMBER_FIELDS, field_words, member_words, value_words
from catalog.text import local_time, safe_text, sparkline
from projections.history import HistoryItem, series
from projections.targets import Target
from tui.screens.base import BACK, DjpScreen
from tui.text import tone
from tui.widgets import KeyFooter, LineList


class HistoryScreen(DjpScreen):
    AUTO_FOCUS = "#timeline"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        BACK,
        Binding("u", "undo_selected", "undo selected", id="history.undo"),
        Binding("ctrl+r", "app.redo", "redo", id="history.redo"),
        Binding("t", "travel", "travel here", id="history.travel"),
    ]

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.target = target
        self.items: list[HistoryItem] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static(id="history-title")
        with Horizontal(id="panes"):
            yield LineList(id="timeline")
            with VerticalScroll(id="diff"):
                yield Static(id="diff-text")
        yield Static(id="plot")
        yield KeyFooter()

    def refresh_state(self) -> None:
        super().refresh_state()
        controller = self.controller
        as_of = None if controller.present else controller.seq

        def load() -> list[HistoryItem] | UserError:
            try:
                return controller.history(self.target, as_of)
            except UserError as exc:
                return exc

        self.read(
            controller.stream_size(self.target), load, self.show_items, self.query_one("#timeline")
        )

    def heading(self) -> Text:
        """Whose history: the package's (or grid's) title, and its slug."""
        text = Text("history of ", style="dim")
        view = self.controller.package(self.target) if self.target.kind == "package" else None
        slug = safe_text(self.controller.target_name(self.target.key))
        if view is not None and view.record.title and view.record.title != view.record.slug:
            text.append(safe_text(view.record.title), style="bold")
            text.append(f" ({slug})", style="dim")
        else:
            text.append(slug, style="bold")
        return text

    def show_items(self, items: list[HistoryItem] | UserError) -> None:
        self.query_one("#history-title", Static).update(self.heading())
        if isinstance(items, UserError):
            self.query_one("#diff-text", Static).update(Text(str(items)))
            return
        self.items = items
        timeline = self.query_one("#timeline", LineList)
        previous = timeline.cursor if timeline.lines else None
        lines = []
        for item in items:
            line = Text(f"{item.seq:>8}  {local_time(item.recorded_at)}  ")
            kind = item.kind + (f" of {item.edit_seq}" if item.edit_seq else "")
            line.append(kind, style="bold" if item.undoable else "")
            if item.undone:
                line.append(" (undone)", style="dim")
            fields = ", ".join(field_words(f) for f in sorted(item.changes))
            fields = fields if item.kind != "first seen" else ""
            if fields:
                line.append("  " + fields, style="dim")
            lines.append(line)
        keep = previous is not None and previous < len(items)
        timeline.set_lines(lines, previous if keep else None)
        self.show_diff()  # now, not on the list's message: in the same frame as the list
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
        grid = self.target.kind in ("grid", "localgrid")
        for name, change in sorted(item.changes.items()):
            body.append(f"{field_words(name)}\n", style="bold")
            if grid and name in MEMBER_FIELDS:
                words = member_words(name, change, self.controller.target_name, limit=50)
                body.append(f"  {words}\n")
                continue
            if item.kind != "first seen":
                before = value_words(name, change.before)
                body.append(f"  was {before}\n", style=tone(self.app, "error"))
            now = "now " if item.kind != "first seen" else ""
            after = value_words(name, change.after)
            body.append(f"  {now}{after}\n", style=tone(self.app, "success"))
        self.query_one("#diff-text", Static).update(body)

    def show_plot(self) -> None:
        text = Text()
        for name, label in (("repo_watchers", "watchers"), ("repo_forks", "forks")):
            points = [value for _, _, value in series(self.items, name)]
            if points:
                low = min(points)
                text.append(f"{label:>9} over syncs  ", style="dim")
                text.append(sparkline([v - low + 1 for v in points[-60:]]))
                text.append(f"  {points[0]:,} → {points[-1]:,}\n")
        self.query_one("#plot", Static).update(text or Text("no numeric changes yet", style="dim"))

    def selected(self) -> HistoryItem | None:
        timeline = self.query_one("#timeline", LineList)
        index = timeline.cursor
        return self.items[index] if timeline.lines and index < len(self.items) else None

    def action_undo_selected(self) -> None:
        item = self.selected()
        if item is None or not item.undoable:
            self.notify("select an edit to undo", severity="warning", markup=False)
            return
        self.controller.undo(item.seq)

    def action_travel(self) -> None:
        item = self.selected()
        if item is not None:
            self.controller.travel(item.seq)
