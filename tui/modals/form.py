"""What the app's forms share: save checks the fields, and a refusal (``EditError``) is shown
beside the field it names (else under the form), the form staying open to correct it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from catalog.edits.validation import EditError


class FormModal(ModalScreen[None]):
    """Subclasses give ``changed_fields()`` and ``submit(fields)`` (which raises
    ``EditError``), and widgets ``#e-FIELD`` / ``#e-form`` (class ``error``) for refusals."""

    def changed_fields(self) -> dict:
        raise NotImplementedError

    def submit(self, fields: dict) -> None:
        raise NotImplementedError

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        for error in self.query(".error"):
            error.update("")
        fields = self.changed_fields()
        if not fields:
            self.query_one("#e-form", Static).update("Nothing changed; esc closes.")
            return
        try:
            self.submit(fields)
        except EditError as exc:
            where = f"#e-{exc.field}" if exc.field and self.query(f"#e-{exc.field}") else "#e-form"
            self.query_one(where, Static).update(Text(str(exc)))
            return
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
