"""The controller's writing part: edits, conflicts, grids, undo and redo.

Each runs one command of ``catalog.edits.commands`` at the present, in a store this user can
write, then folds the new event into the browser, redraws every screen and says what it did
(a refusal is a toast, or raised for a form to show beside its field). It is given the
``Workspace`` it works in; ``Controller`` offers its commands to the screens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from catalog.edits import commands as edits
from catalog.errors import UserError
from catalog.present.events import act_summary
from eventstore import Envelope, StoreError
from projections.targets import Target
from tui.workspace import Workspace


class EditCommands:
    def __init__(self, workspace: Workspace) -> None:
        self.space = workspace
        self.catalog = workspace.catalog

    def require_present(self) -> bool:
        """True when an edit can be made: at the present, in a store this user can write."""
        if self.space.read_only:
            self.space.notify(
                "the store is read-only for this user: browsing only", severity="warning"
            )
            return False
        if self.space.browser.present:
            return True
        self.space.notify(
            "editing is disabled while viewing the past (esc returns to the present)",
            severity="warning",
        )
        return False

    def _apply(
        self,
        command: Callable[[], Envelope],
        done: str,
        *,
        refused: str | None = None,
        raise_refusal: bool = False,
    ) -> Envelope | None:
        """Run one edit command, then redraw and say what it did (``done`` is formatted with
        the new ``envelope`` and its ``event``). A refusal (``UserError``) is a toast titled
        ``refused``, or raised for a form to show; a store failure is a toast."""
        try:
            envelope = command()
        except UserError as exc:
            if raise_refusal:
                raise
            self.space.notify(str(exc), severity="error", title=refused)
            return None
        except (StoreError, OSError) as exc:
            self.space.notify(f"not saved: {exc}", severity="error")
            return None
        self.space.browser.refresh()
        self.space.announce()
        what = act_summary(self.catalog, envelope)
        self.space.notify(done.format(envelope=envelope, event=envelope.event, what=what))
        return envelope

    def edit(
        self,
        target: Target,
        fields: Mapping[str, Any],
        note: str | None = None,
        *,
        raise_refusal: bool = False,
    ) -> Envelope | None:
        """Edit a package. A refusal is a toast, or with ``raise_refusal`` an ``EditError``
        whose ``field`` says where (the edit form shows it there)."""
        if not self.require_present():
            return None
        return self._apply(
            lambda: edits.edit_package(self.catalog, target.ident, fields, note),
            "{what}: event {envelope.seq:,} (u undoes)",
            raise_refusal=raise_refusal,
        )

    def resolve(self, target: Target, field: str, keep_mine: bool) -> Envelope | None:
        """Keep mine or take theirs for one conflicting field (undoable)."""
        if not self.require_present():
            return None
        return self._apply(
            lambda: edits.resolve_conflict(self.catalog, target.ident, field, keep_mine=keep_mine),
            "{what}: event {envelope.seq:,} (u undoes)",
        )

    def change_grid(self, target: Target, add=(), remove=()) -> Envelope | None:
        """Add packages to a grid or remove them; the toast names them and how to undo."""
        if not self.require_present():
            return None
        key = target.key if target.kind == "localgrid" else target.ident
        return self._apply(
            lambda: edits.change_grid_members(
                self.catalog, key, add=list(add), remove=list(remove)
            ),
            "{what}: event {envelope.seq:,} (u undoes)",
        )

    def create_grid(self, fields: Mapping[str, str]) -> Envelope | None:
        """A grid of your own; a refusal is raised for the form (``EditError.field``)."""
        if not self.require_present():
            return None
        return self._apply(
            lambda: edits.create_local_grid(
                self.catalog,
                fields.get("slug", "").strip(),
                fields.get("title", ""),
                fields.get("description", ""),
            ),
            "{what}: event {envelope.seq:,} (u undoes)",
            raise_refusal=True,
        )

    def edit_grid(self, target: Target, fields: Mapping[str, str]) -> Envelope | None:
        """Rename, describe or annotate a grid; a refusal is raised for the form."""
        if not self.require_present():
            return None
        key = target.key if target.kind == "localgrid" else target.ident
        return self._apply(
            lambda: edits.edit_grid(self.catalog, key, fields),
            "{what}: event {envelope.seq:,} (u undoes)",
            raise_refusal=True,
        )

    def delete_grid(self, target: Target) -> Envelope | None:
        """Delete a grid of your own (undoable); an upstream grid is refused in a toast."""
        if not self.require_present():
            return None
        key = target.key if target.kind == "localgrid" else target.ident
        return self._apply(
            lambda: edits.delete_local_grid(self.catalog, key),
            "{what}: event {envelope.seq:,} (u brings it back)",
            refused="not deleted",
        )

    def undo(self, seq: int | None = None) -> Envelope | None:
        if not self.require_present():
            return None
        return self._apply(
            lambda: edits.undo(self.catalog, seq),
            "{what} (ctrl+r redoes)",
            refused="undo refused",
        )

    def redo(self) -> Envelope | None:
        if not self.require_present():
            return None
        return self._apply(lambda: edits.redo(self.catalog), "{what}")
