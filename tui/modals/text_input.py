"""Type one value: a line (Enter saves) or a text (ctrl+s saves)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea

from tui.widgets import DjpInput, DjpTextArea


class TextModal(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="text.cancel"),
        Binding("ctrl+s", "save", "save", id="text.save"),
    ]

    def __init__(
        self, title: str, value: str, multiline: bool = False, verb: str = "saves"
    ) -> None:
        super().__init__()
        self.title_text, self.value, self.multiline, self.verb = title, value, multiline, verb

    def compose(self) -> ComposeResult:
        with Vertical():
            hint = f"{'ctrl+s' if self.multiline else 'enter'} {self.verb}, esc cancels"
            yield Label(f"{self.title_text} ({hint})", markup=False)
            if self.multiline:
                yield DjpTextArea(self.value, id="value")
            else:
                yield DjpInput(value=self.value, id="value")

    @on(Input.Submitted)
    def action_save(self) -> None:
        widget = self.query_one("#value")
        self.dismiss(widget.text if isinstance(widget, TextArea) else widget.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
