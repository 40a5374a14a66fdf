"""``djp stack --plan --format requirements``: a stack's dependency files with each move of
the plan applied, for a reviewer to diff. A pin moves to the new pin; a range's lower bound
rises to the move and an upper bound that excludes it goes; comments, order, markers and
every other line are kept as written. A lock's pins are the locker's to move (said, not
edited).
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import Version

from catalog.stacks.judge import LOCK_FILES, StackRow, parsed
from catalog.stacks.model import read_text
from projections.stacks import StackView

LOWER = (">=", ">", "~=", "==", "===")


#: A requirement's name and extras as written (what comes after is its specifier).
_NAMED = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")


def moved_requirement(text: str, requirement: Requirement, move: str) -> str:
    """Requirement ``text`` moved to release ``move``: only its specifier is written anew;
    its name, extras, marker and spacing stay as they were."""
    target = Version(move)
    kept = [
        s for s in requirement.specifier
        if s.operator not in LOWER and s.contains(target, prereleases=True)
    ]  # fmt: skip
    pinned = any(s.operator in ("==", "===") for s in requirement.specifier)
    clause = Specifier(f"=={move}" if pinned else f">={move}")
    specifier = str(SpecifierSet(",".join(str(s) for s in [clause, *kept])))
    head, semicolon, marker = text.partition(";")
    named = _NAMED.match(head)
    start = named.end() if named else len(head)
    trailing = head[len(head.rstrip()) :]
    return head[:start].rstrip() + specifier + trailing + semicolon + marker


def rewritten(
    view: StackView, rows: list[StackRow], base: Path
) -> list[tuple[str, str, list[str]]]:
    """(file, its text with the moves applied, what was not applied) per dependency file of
    the stack that is not a lock (``base``: the project directory its files are relative
    to); raises ``StackFileError`` for a file that cannot be read."""
    moves: dict[str, dict[int, StackRow]] = {}
    skipped: dict[str, list[str]] = {}
    for row in rows:
        move = (row.plan or {}).get("move_to")
        if not move or move == row.judged or not row.source:
            continue
        path, _, line = row.source.rpartition(":")
        if Path(path).name in LOCK_FILES:
            skipped.setdefault(path, []).append(
                f"{row.name}: pinned {row.judged} in {path}; move it to {move} with its locker"
            )
            continue
        if line.isdigit():
            moves.setdefault(path, {})[int(line)] = row
    out = []
    for path in view.files:
        if Path(path).name in LOCK_FILES:
            continue
        text = read_text(base / path)
        lines = text.splitlines(keepends=True)
        notes = list(skipped.get(path, []))
        for number, row in sorted(moves.get(path, {}).items()):
            if not 0 < number <= len(lines):
                notes.append(f"{row.name}: line {number} of {path} is gone; not moved")
                continue
            requirement = parsed(row.requirement)
            old = lines[number - 1]
            if requirement is None or row.requirement not in old:
                notes.append(
                    f"{row.name}: {path}:{number} does not hold {row.requirement!r} as "
                    "written; not moved"
                )
                continue
            new = moved_requirement(row.requirement, requirement, row.plan["move_to"])
            lines[number - 1] = old.replace(row.requirement, new, 1)
        out.append((path, "".join(lines), notes))
    return out
