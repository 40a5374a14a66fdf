"""The keys of the current screen, with their binding ids (to remap in config.toml)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from catalog.read.filters import MARKS, QUALIFIERS

MARKERS = (
    ("●", "marked for comparison (space; c compares)"),
    ("✎", "you edited it"),
    ("!", "upstream changed a field you edited (a conflict)"),
    ("★", "shortlisted or using"),
    ("✗", "rejected (in the status column) / not ready (in the Django column)"),
    ("⚠", "stale: no commit for a year"),
    ("✓ yes / ✗ no / ?", "ready for the Django version of the column, not, unknown"),
)


class HelpModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        """djp's own keys first (those with a binding id), then Textual's; then what the row
        markers mean and every filter qualifier."""
        table = Table(title="keys on this screen", expand=True, box=None)
        table.add_column("key", style="bold")
        table.add_column("does")
        table.add_column("id (remap in config.toml)", style="dim")
        seen = set()
        ours = [b for b in self.bindings if b[2] and not b[2].startswith("textual")]
        theirs = [b for b in self.bindings if b not in ours]
        for key, description, ident in ours:
            if (key, description) not in seen:
                seen.add((key, description))
                table.add_row(Text(key), Text(description), Text(ident))
        if theirs:
            table.add_row(Text(""), Text("Textual's own keys", style="dim italic"), Text(""))
            for key, description, ident in theirs:
                table.add_row(Text(key, style="dim"), Text(description, style="dim"), Text(ident))
        markers = Table(title="row markers", expand=True, box=None)
        markers.add_column("mark", style="bold")
        markers.add_column("means")
        for mark, meaning in MARKERS:
            markers.add_row(Text(mark), Text(meaning))
        qualifiers = Table(title="filter (/): words must all appear; and", expand=True, box=None)
        qualifiers.add_column("qualifier", style="bold")
        qualifiers.add_column("selects")
        for name, text in QUALIFIERS.items():
            qualifiers.add_row(Text(name if name in MARKS else f"{name}:"), Text(text))
        with VerticalScroll():
            yield Static(table)
            yield Static(markers)
            yield Static(qualifiers)

    def action_close(self) -> None:
        self.dismiss(None)
