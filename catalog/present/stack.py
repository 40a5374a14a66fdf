"""A stack's table as both front ends lay it out: the columns that fit a width, and a row's
cells as safe text.
"""

from __future__ import annotations

from catalog.pypi.verdicts import NO_DJANGO_TIES
from catalog.stacks.judge import StackRow
from catalog.text import safe_text

#: The columns before the notes (label, cells), in the app and ``djp stack``.
COLUMNS = (("dependency", 28), ("pinned", 11), ("latest", 11), ("djp package", 24),
           ("Django", 8), ("licence", 14))  # fmt: skip

#: On a narrow terminal these columns go, in this order, the dependency's shrinking to
#: ``NAME_SHRINKS_TO`` before the last one goes: the verdict and the notes (where the problems
#: are) always stay.
DROP_ORDER = ("djp package", "licence", "latest")

NOTES_AT_LEAST = 24

NAME_SHRINKS_TO = 20


def stack_columns(width: int | None) -> list[tuple[str, int]]:
    """The columns (label, cells) that leave the notes ``NOTES_AT_LEAST`` cells of ``width``
    (every column when ``width`` is None: output that is not a terminal)."""
    (name, cells), columns = COLUMNS[0], list(COLUMNS[1:])
    if width is None:
        return list(COLUMNS)

    def room() -> int:  # for the dependency's name, beside the other columns and the notes
        return width - NOTES_AT_LEAST - sum(w + 1 for _, w in columns) - 1

    for label in DROP_ORDER:
        if room() >= (NAME_SHRINKS_TO if label == DROP_ORDER[-1] else cells):
            break
        columns = [c for c in columns if c[0] != label]
    return [(name, max(12, min(cells, room()))), *columns]


def stack_cells(r: StackRow) -> dict[str, str]:
    """A row's cells by column label, as safe text (the notes apart)."""
    unrelated = r.name == "django" or r.django_evidence == NO_DJANGO_TIES  # "—": no verdict
    return {
        "dependency": safe_text(r.name), "pinned": safe_text(r.pinned or ""),
        "latest": safe_text(r.latest or ""), "djp package": safe_text(r.package or ""),
        "Django": "—" if unrelated else r.django or "",
        "licence": safe_text(r.license or ""),
    }  # fmt: skip
