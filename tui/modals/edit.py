"""The edit form of a package: every editable field, validation shown beside the field."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from catalog.text import safe_text
from projections.view import STATUSES, PackageView
from tui.modals.form import FormModal
from tui.widgets import DjpInput, DjpTextArea

#: ``save(fields, note)``: True when saved; raises ``EditError`` when refused.
Save = Callable[[dict, str | None], bool]


class EditModal(FormModal):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="edit.cancel"),
        Binding("ctrl+s", "save", "save", id="edit.save"),
    ]
    TEXT_FIELDS = ("title", "repo_description", "documentation_url", "repo_url", "pypi_url", "tags")

    def __init__(self, view: PackageView, category_names: dict[int, str], save: Save) -> None:
        super().__init__()
        self.view = view
        self.category_names = category_names
        self.save = save

    def compose(self) -> ComposeResult:
        v, p = self.view, self.view.record
        categories = sorted(self.category_names.items())
        with Vertical():
            yield Label(Text(f"edit {safe_text(p.slug)}", style="bold"))
            with VerticalScroll():
                for name in self.TEXT_FIELDS:
                    value = ", ".join(v.tags) if name == "tags" else getattr(p, name) or ""
                    yield Label(name)
                    yield DjpInput(value=safe_text(value), id=f"f-{name}")
                    yield Static("", classes="error", id=f"e-{name}")
                yield Label("category")
                yield Select(
                    [(Text(safe_text(t)), i) for i, t in categories],
                    value=p.category if p.category in dict(categories) else Select.NULL,
                    id="f-category",
                    allow_blank=True,
                )
                yield Static("", classes="error", id="e-category")
                yield Label("status")
                yield Select(
                    [(s, s) for s in STATUSES], value=v.status, id="f-status", allow_blank=False
                )
                yield Label("notes")
                yield DjpTextArea(v.notes, id="f-notes")
                yield Static("", classes="error", id="e-notes")
                yield Label("note for this edit (optional)")
                yield DjpInput(id="f-note")
                yield Static("", classes="error", id="e-form")
            with Horizontal(id="buttons"):
                yield Button("save (ctrl+s)", variant="primary", id="save")
                yield Button("cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#f-title", DjpInput).focus()

    def changed_fields(self) -> dict:
        v, p = self.view, self.view.record
        fields = {}
        for name in self.TEXT_FIELDS:
            value = self.query_one(f"#f-{name}", Input).value
            current = ", ".join(v.tags) if name == "tags" else getattr(p, name) or ""
            if value != safe_text(current):
                fields[name] = value
        category = self.query_one("#f-category", Select).value
        if category is not Select.NULL and category != p.category:
            fields["category"] = category
        status = self.query_one("#f-status", Select).value
        if status != v.status:
            fields["status"] = status
        notes = self.query_one("#f-notes", TextArea).text
        if notes != v.notes:
            fields["notes"] = notes
        return fields

    def submit(self, fields: dict) -> None:
        self.save(fields, self.query_one("#f-note", Input).value or None)
