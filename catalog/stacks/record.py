"""Stacks kept in the log: recording a project's dependency files as a stack, forgetting one
(an edit, undoable).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from catalog.catalog import Catalog
from catalog.edits.validation import EditError, check_note
from catalog.pypi.verdicts import DJANGO_RELEASES
from catalog.stacks.files import project_directory
from catalog.stacks.model import Stack
from eventstore import Edited, Envelope, FieldChange, WriteTransaction
from projections.stacks import DEP, stack_view
from projections.targets import Target

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def stack_name(paths: list[Path], name: str | None) -> str:
    """The name given, else the directory of the first file (the project's)."""
    if name is None:
        name = project_directory(paths).name or "stack"
    if not NAME.match(name):
        raise EditError(
            f"stack name {name!r} must be letters, digits, '.', '_' or '-' (max 100)",
            field="name",
        )
    return name


def record_stack(
    catalog: Catalog, name: str, stack: Stack, django: str | None = None
) -> Envelope | None:
    """Append what changed since the stack was last read, as one edit (None: nothing did)."""
    if django is not None and django not in {r.version for r in DJANGO_RELEASES}:
        known = ", ".join(r.version for r in DJANGO_RELEASES)
        raise EditError(f"Django {django} is not a feature release; choose {known}")
    target = Target.stack(name)

    def body(tx: WriteTransaction) -> Envelope | None:
        current = stack_view(catalog.projection.tables(tx.txn), name)
        before: dict[str, Any] = {}
        if current is not None:
            before = {"files": current.files, "django": current.django, "python": current.python}
            before |= {DEP + n: d for n, d in current.deps.items()}
            before["forgotten"] = current.forgotten
        after: dict[str, Any] = {"files": stack.files, "forgotten": False}
        if stack.python or (current is not None and current.python):
            after["python"] = stack.python
        if django is not None or current is None:
            after["django"] = django
        else:
            after["django"] = current.django
        after |= {DEP + n: d.as_dict() for n, d in stack.dependencies.items()}
        changes = {}
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            if key == "forgotten":
                old, new = bool(old), bool(new)
            if old != new:
                changes[key] = FieldChange(before=old, after=new)
        if not changes:
            return None
        note = "read from " + ", ".join(stack.files)
        return tx.append_event(
            target.key, Edited(target=target.key, changes=changes, note=check_note(note[:1000]))
        )

    return catalog.store.transaction(body)


def forget_stack(catalog: Catalog, name: str) -> Envelope:
    """Forget a stack (an edit: ``djp undo`` brings it back)."""
    target = Target.stack(name)

    def body(tx: WriteTransaction) -> Envelope:
        view = stack_view(catalog.projection.tables(tx.txn), name)
        if view is None or view.forgotten:
            raise EditError(f"no stack {name!r} (djp stack --list shows them)")
        change = {"forgotten": FieldChange(before=False, after=True)}
        return tx.append_event(target.key, Edited(target=target.key, changes=change))

    return catalog.store.transaction(body)
