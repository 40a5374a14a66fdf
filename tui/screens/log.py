"""The global event log, newest last; pick an event to see the catalogue as of then."""

from __future__ import annotations

from collections import OrderedDict

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from catalog.present.events import event_summary
from catalog.text import local_time
from tui.modals import TextModal
from tui.screens.base import BACK, DjpScreen
from tui.widgets import KeyFooter, LineList


class LogScreen(DjpScreen):
    """Every event of the log, newest last. Lines are made a page at a time as they come
    into view, so the log opens at once whatever its length."""

    AUTO_FOCUS = "#events"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        BACK,
        Binding("t", "travel", "travel here", id="log.travel"),
        Binding("colon", "goto", "go to event", id="log.goto"),
    ]
    PAGE = 200  # events read and summarised together
    PAGES_KEPT = 64

    def __init__(self) -> None:
        super().__init__()
        self.first = 1  # the sequence of the first line
        self._pages: OrderedDict[int, list[Text]] = OrderedDict()
        self._last = 0
        self._position: tuple[int, int, bool] | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield LineList(id="events")
        yield Static(id="event-detail")
        yield KeyFooter()

    def refresh_state(self) -> None:
        super().refresh_state()
        controller = self.controller
        last = controller.last_seq
        if last != self._last:
            self._pages.clear()  # names of targets may have changed with the new events
            self._last = last
        events = self.query_one("#events", LineList)
        # the cursor follows the log's end, or the event travelled to; when neither moved
        # (back from help, a dialog, another screen), it stays where the user put it
        position = (last, controller.seq, controller.present)
        if position != self._position or not events.lines:
            cursor = (controller.seq if not controller.present else last) - self.first
        else:
            cursor = events.cursor
        self._position = position
        events.set_source(last, self.line, cursor)
        self.show_detail()

    @on(LineList.Highlighted, "#events")
    def show_detail(self) -> None:
        """The highlighted event whole, below the list: a narrow terminal cuts its line."""
        events = self.query_one("#events", LineList)
        detail = self.query_one("#event-detail", Static)
        detail.update(self.line(events.cursor) if 0 <= events.cursor < events.count() else "")

    def line(self, index: int) -> Text:
        page, offset = divmod(index, self.PAGE)
        lines = self._pages.get(page)
        if lines is None:
            lines = self._read_page(page)
            self._pages[page] = lines
            if len(self._pages) > self.PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return lines[offset] if offset < len(lines) else Text("")

    def _read_page(self, page: int) -> list[Text]:
        first = self.first + page * self.PAGE
        last = min(self._last, first + self.PAGE - 1)
        name = self.controller.target_name
        lines = []
        for envelope in self.controller.events(first, last):
            line = Text(f"{envelope.seq:>8}  {local_time(envelope.recorded_at)}  ")
            line.append(f"{envelope.type:<14}", style="bold")
            line.append(" " + event_summary(envelope.event, name))
            lines.append(line)
        return lines

    @on(LineList.Selected, "#events")
    def selected(self, event: LineList.Selected) -> None:
        self.controller.travel(self.first + event.index)

    def action_travel(self) -> None:
        events = self.query_one("#events", LineList)
        if events.lines:
            self.controller.travel(self.first + events.cursor)

    def action_goto(self) -> None:
        """``:`` asks for an event's sequence and moves the cursor to it (as ``:N`` in vi)."""
        last = self._last
        self.app.push_screen(
            TextModal(f"go to event (1 to {last:,})", "", verb="goes"), self._go_to
        )

    def _go_to(self, typed: str | None) -> None:
        if typed is None or not typed.strip():
            return
        text = typed.strip().lstrip("#").replace(",", "").replace("_", "")
        if not text.isdecimal() or not self.first <= int(text) <= self._last:
            self.controller.notify(
                f"no event {typed.strip()!r}: the log holds {self.first:,} to {self._last:,}",
                severity="warning",
            )
            return
        self.query_one("#events", LineList).cursor = int(text) - self.first
