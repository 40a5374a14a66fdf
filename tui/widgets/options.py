"""``OptionList`` with the keys every other list of the app has: j/k, g/G."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class DjpOptionList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "down", show=False, id="options.down"),
        Binding("k", "cursor_up", "up", show=False, id="options.up"),
        Binding("g", "first", "top", show=False, id="options.top"),
        Binding("G", "last", "bottom", show=False, id="options.bottom"),
    ]
