"""The form of a grid of your own: create one (title, slug, description), or change a grid's
title, description and notes. Refusals are shown beside the field at fault."""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static, TextArea

from catalog.text import safe_text
from tui.modals.form import FormModal
from tui.widgets import DjpInput, DjpTextArea

#: ``save(changed fields)``: raises ``EditError`` when refused.
SaveGrid = Callable[[dict[str, str]], object]


def slug_of(title: str) -> str:
    """A grid slug from its title: ``"My API picks!"`` -> ``my-api-picks``."""
    return re.sub(r"[^a-z0-9_]+", "-", title.casefold()).strip("-")[:50]


class GridFormModal(FormModal):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="grid_form.cancel"),
        Binding("ctrl+s", "save", "save", id="grid_form.save"),
    ]

    def __init__(
        self, heading: str, values: dict[str, str], save: SaveGrid, *, creating: bool = False
    ) -> None:
        super().__init__()
        self.heading, self.values, self.save, self.creating = heading, values, save, creating

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.heading, style="bold"))
            with VerticalScroll():
                yield Label("title")
                yield DjpInput(value=safe_text(self.values.get("title", "")), id="f-title")
                yield Static("", classes="error", id="e-title")
                if self.creating:
                    yield Label("slug (made from the title until you change it)")
                    yield DjpInput(value=self.values.get("slug", ""), id="f-slug")
                    yield Static("", classes="error", id="e-slug")
                yield Label("description")
                yield DjpTextArea(
                    safe_text(self.values.get("description", ""), single_line=False),
                    id="f-description",
                )
                yield Static("", classes="error", id="e-description")
                if not self.creating:
                    yield Label("notes (yours, shown on the grid's screen)")
                    yield DjpTextArea(
                        safe_text(self.values.get("notes", ""), single_line=False), id="f-notes"
                    )
                    yield Static("", classes="error", id="e-notes")
                yield Static("", classes="error", id="e-form")
            with Horizontal(id="buttons"):
                yield Button("save (ctrl+s)", variant="primary", id="save")
                yield Button("cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#f-title", Input).focus()

    _slug_typed = False

    @on(Input.Changed, "#f-title")
    def title_changed(self, event: Input.Changed) -> None:
        if self.creating and not self._slug_typed:
            slug = self.query_one("#f-slug", Input)
            with slug.prevent(Input.Changed):
                slug.value = slug_of(event.value)

    @on(Input.Changed, "#f-slug")
    def slug_changed(self) -> None:
        self._slug_typed = True

    def changed_fields(self) -> dict[str, str]:
        fields = {"title": self.query_one("#f-title", Input).value}
        if self.creating:
            fields["slug"] = self.query_one("#f-slug", Input).value
        fields["description"] = self.query_one("#f-description", TextArea).text
        if not self.creating:
            fields["notes"] = self.query_one("#f-notes", TextArea).text
        shown = {k: safe_text(v, single_line=k == "title") for k, v in self.values.items()}
        return {k: v for k, v in fields.items() if self.creating or v != shown.get(k, "")}

    def submit(self, fields: dict) -> None:
        self.save(fields)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_save()


def grid_form(controller, grid) -> GridFormModal:
    """The form that renames, describes and annotates ``grid``."""
    values = {
        "title": grid.record.title,
        "description": grid.record.description,
        "notes": grid.notes,
    }
    return GridFormModal(
        f"edit {safe_text(grid.record.slug)}",
        values,
        lambda fields: controller.edit_grid(grid.target, fields),
    )
