"""The keys of the current screen, with their binding ids (to remap in config.toml)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table(title="keys on this screen", expand=True, box=None)
        table.add_column("key", style="bold")
        table.add_column("does")
        table.add_column("id (remap in config.toml)", style="dim")
        for key, description, ident in self.bindings:
            table.add_row(Text(key), Text(description), Text(ident))
        with VerticalScroll():
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
