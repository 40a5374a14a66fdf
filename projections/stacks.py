"""Your stacks as the log leaves them: ``stack:NAME`` targets whose edits in force hold, field
by field, the files read, the target Django, ``forgotten`` and one ``dep:NAME`` per dependency
(``catalog.stacks.judge`` writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from projections.fold import Tables
from projections.targets import PREFIX, Target
from projections.view import STACK_DEP as DEP
from projections.view import view_values


@dataclass
class StackView:
    name: str
    files: list[str] = field(default_factory=list)
    django: str | None = None  # the target Django version, when one was given
    python: str | None = None  # the Python the project requires, when it says
    forgotten: bool = False
    deps: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> Dependency.as_dict

    @property
    def target(self) -> Target:
        return Target.stack(self.name)


def stack_view(tables: Tables, name: str) -> StackView | None:
    """A stack as its edits in force leave it (None if it was never read)."""
    values = view_values(tables, Target.stack(name))  # its edits in force, field by field
    if not values:
        return None
    view = StackView(
        name,
        files=list(values.get("files") or []),
        django=values.get("django"),
        python=values.get("python"),
        forgotten=bool(values.get("forgotten")),
    )
    for key, value in values.items():
        if key.startswith(DEP) and value is not None:
            view.deps[key[len(DEP) :]] = value
    return view


def stacks(tables: Tables, *, forgotten: bool = False) -> list[StackView]:
    """Every stack (the forgotten ones too, with ``forgotten``), by name."""
    out = []
    prefix = PREFIX["stack"]
    for key in tables.local:
        if key.startswith(prefix):
            view = stack_view(tables, key[len(prefix) :].decode())
            if view is not None and (forgotten or not view.forgotten):
                out.append(view)
    return sorted(out, key=lambda v: v.name.casefold())
