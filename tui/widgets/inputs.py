"""Text inputs whose cursor blinks only when the app wants it to (snapshots do not)."""

from __future__ import annotations

from textual.widgets import Input, TextArea


class DjpInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


class DjpTextArea(TextArea):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)
