"""A stack's table as both front ends lay it out: the columns that fit a width, and a row's
cells as safe text.
"""

from __future__ import annotations

from catalog.stacks.judge import StackRow
from catalog.text import safe_text

#: The columns before the notes (label, cells), in the app and ``djp stack``.
COLUMNS = (("dependency", 28), ("judged", 16), ("latest", 11), ("djp package", 24),
           ("Django", 10), ("move to", 10), ("licence", 14))  # fmt: skip

#: On a narrow terminal these columns go, in this order, the dependency's shrinking to
#: ``NAME_SHRINKS_TO`` before the last one goes: the verdict and the notes (where the problems
#: are) always stay.
DROP_ORDER = ("djp package", "licence", "latest", "move to")

NOTES_AT_LEAST = 24

NAME_SHRINKS_TO = 20


def stack_columns(width: int | None, plan: bool = True) -> list[tuple[str, int]]:
    """The columns (label, cells) that leave the notes ``NOTES_AT_LEAST`` cells of ``width``
    (every column when ``width`` is None: output that is not a terminal); ``plan``: with the
    plan's move (the app; ``djp stack`` prints the plan as its own table)."""
    every = [c for c in COLUMNS if plan or c[0] != "move to"]
    (name, cells), columns = every[0], every[1:]
    if width is None:
        return every

    def room() -> int:  # for the dependency's name, beside the other columns and the notes
        return width - NOTES_AT_LEAST - sum(w + 1 for _, w in columns) - 1

    drops = [label for label in DROP_ORDER if any(c[0] == label for c in columns)]
    for label in drops:
        if room() >= (NAME_SHRINKS_TO if label == drops[-1] else cells):
            break
        columns = [c for c in columns if c[0] != label]
    return [(name, max(12, min(cells, room()))), *columns]


def stack_cells(r: StackRow) -> dict[str, str]:
    """A row's cells by column label, as safe text (the notes apart). ``judged``: the
    release judged and why ("4.4.6 range"); Django itself has no verdict ("—")."""
    judged = f"{r.judged} {r.judged_because}" if r.judged else ""
    return {
        "dependency": safe_text(r.name), "judged": safe_text(judged),
        "latest": safe_text(r.latest or ""), "djp package": safe_text(r.package or ""),
        "Django": "—" if r.name == "django" else r.django or "",
        "licence": safe_text(r.license or ""),
        "move to": safe_text(move_cell(r)),
    }  # fmt: skip


def move_cell(r: StackRow) -> str:
    """The plan's move in a cell: the release to move to, "stay" (the judged one is fine),
    "none" (no release qualifies), "" (no plan)."""
    if r.plan is None:
        return ""
    move = r.plan.get("move_to")
    if move is None:
        return "none"
    return "stay" if move == r.judged else move


#: The plan's columns before its reasons (label, cells).
PLAN_COLUMNS = (("dependency", 28), ("now", 12), ("ready", 10), ("clear", 10), ("move to", 10))


def plan_columns(width: int | None) -> list[tuple[str, int]]:
    """The plan's columns for ``width`` (the name shrinks first, never below 12)."""
    if width is None:
        return list(PLAN_COLUMNS)
    others = sum(w + 1 for _, w in PLAN_COLUMNS[1:])
    name = max(12, min(PLAN_COLUMNS[0][1], width - others - NOTES_AT_LEAST - 1))
    return [("dependency", name), *PLAN_COLUMNS[1:]]


def plan_cells(r: StackRow) -> dict[str, str]:
    """A row's plan by column label, as safe text."""
    plan = r.plan or {}
    return {
        "dependency": safe_text(r.name), "now": safe_text(r.judged or r.pinned or ""),
        "ready": safe_text(plan.get("ready") or "—"), "clear": safe_text(plan.get("clear") or "—"),
        "move to": safe_text(move_cell(r)), "why": safe_text(plan.get("reason") or ""),
    }  # fmt: skip
