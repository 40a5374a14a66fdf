"""The global event log, newest last; pick an event to see the catalogue as of then."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

from catalog.present import event_summary
from catalog.text import local_time
from tui.screens.base import BACK, DjpScreen
from tui.widgets import LineList


class LogScreen(DjpScreen):
    BINDINGS = [
        BACK,
        Binding("t", "travel", "travel here", id="log.travel"),
    ]
    LIMIT = 2000

    def __init__(self) -> None:
        super().__init__()
        self.first = 1  # the sequence of the first line shown

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield LineList(id="events")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#events").focus()

    def refresh_state(self) -> None:
        super().refresh_state()
        browser = self.controller.browser
        last = browser.last_seq
        first = max(1, last - self.LIMIT + 1)
        cursor = (browser.seq if not browser.present else last) - first

        name = self.controller.target_name

        def load() -> list[Text]:
            lines = []
            for envelope in self.controller.events(first, last):
                line = Text(f"{envelope.seq:>8}  {local_time(envelope.recorded_at)}  ")
                line.append(f"{envelope.type:<14}", style="bold")
                line.append(" " + event_summary(envelope.event, name))
                lines.append(line)
            return lines

        def show(lines: list[Text]) -> None:
            self.first = first
            self.query_one("#events", LineList).set_lines(lines, cursor)

        self.read(last - first + 1, load, show, self.query_one("#events"))

    @on(LineList.Selected, "#events")
    def selected(self, event: LineList.Selected) -> None:
        self.controller.travel(self.first + event.index)

    def action_travel(self) -> None:
        events = self.query_one("#events", LineList)
        if events.lines:
            self.controller.travel(self.first + events.cursor)
