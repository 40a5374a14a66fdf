"""The global event log, newest last; pick an event to see the catalogue as of then."""

from __future__ import annotations

from collections import OrderedDict

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from catalog.present import event_summary
from catalog.text import local_time
from tui.screens.base import BACK, DjpScreen
from tui.widgets import KeyFooter, LineList


class LogScreen(DjpScreen):
    """Every event of the log, newest last. Lines are made a page at a time as they come
    into view, so the log opens at once whatever its length."""

    AUTO_FOCUS = "#events"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        BACK,
        Binding("t", "travel", "travel here", id="log.travel"),
    ]
    PAGE = 200  # events read and summarised together
    PAGES_KEPT = 64

    def __init__(self) -> None:
        super().__init__()
        self.first = 1  # the sequence of the first line
        self._pages: OrderedDict[int, list[Text]] = OrderedDict()
        self._last = 0

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield LineList(id="events")
        yield Static(id="event-detail")
        yield KeyFooter()

    def refresh_state(self) -> None:
        super().refresh_state()
        browser = self.controller.browser
        last = browser.last_seq
        if last != self._last:
            self._pages.clear()  # names of targets may have changed with the new events
            self._last = last
        cursor = (browser.seq if not browser.present else last) - self.first
        self.query_one("#events", LineList).set_source(last, self.line, cursor)
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
