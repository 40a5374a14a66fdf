"""The upgrade plan (``djp stack --plan``): for each dependency from PyPI, the smallest final
release at or after the judged one that is

- ``ready``: declares the target Django (verdict ``yes``: its classifiers say X and its
  requirement allows X) and, when the stack states its Python, allows the oldest one;
- ``clear``: has no known advisory;
- ``move_to``: both, and not yanked (the judged release itself when it is already fine);

or ``None`` with the reason. Every release it answers has been read and checked itself: a
search may assume that the newest Django a release declares only grows, but its answer is
always a release whose own page says yes (support that a later release drops never makes it
answer a release that does not declare X).

The searches live in ``catalog.pypi.releases``; this module runs them for a stack
(``plan_dependency``), and they ask for the release pages it needs by raising
``Needed``; the driver (``plan_stack``) reads them as ``ReleaseObserved`` events, a batch per
round across the stack, and runs it again. A page read within a day is not asked again, so a
plan read again the same day asks nothing.
"""

from __future__ import annotations

from typing import Any

from catalog.pypi.releases import (
    NOT_READ_YET,
    Needed,
    Planner,
    Unreadable,
    as_version,
    final_releases,
    release_facts,
    version_text,
)
from catalog.pypi.verdicts import django_verdict
from catalog.stacks.judge import StackRow, lowest_python
from projections.fold import Tables

MAX_ROUNDS = 40  # rounds of page reading (a binary search over 2,000 releases takes 11)


def plan_dependency(row: StackRow, planner: Planner | None) -> dict[str, Any]:
    """The plan of one row (raises ``Needed`` for a page it needs)."""
    nothing = {"ready": None, "clear": None, "move_to": None}
    if planner is None or row.judged is None:
        return nothing | {"reason": f"not judged: {row.unchecked_why or 'no release'}"}
    if not row.checked:
        reason = f"{row.judged} not checked: {row.unchecked_why}"
        return nothing | {"reason": reason + _about_the_latest(row, planner)}
    start_version = as_version(row.judged)
    indexes = [i for i, v in enumerate(planner.releases) if start_version and v >= start_version]
    if not indexes:
        return nothing | {"reason": f"no final, unyanked release from {row.judged} on"}
    start = indexes[0]
    try:
        if row.django == "n/a":  # names Django nowhere: nothing to wait for
            ready, ready_why = start, ""
        else:
            ready, ready_why = planner.ready(start)
        clear, clear_why = planner.clear(start)
        if ready is None or clear is None:
            move, move_why = None, ""
        elif row.django == "n/a":
            move, move_why = clear, ""
        else:
            move, move_why = planner.move_to(max(ready, clear))
    except Unreadable as exc:
        return nothing | {"reason": str(exc)}
    reasons = [w for w in (ready_why, clear_why, move_why) if w]
    out = {name: None if i is None else version_text(planner.facts, planner.releases[i])
           for name, i in (("ready", ready), ("clear", clear), ("move_to", move))}  # fmt: skip
    if out["move_to"] is not None and same_as_judged(out["move_to"], row.judged):
        reason = "already fine"
    elif out["move_to"] is not None:
        reason = _why_move(row, out)
    else:
        reason = "; ".join(dict.fromkeys(reasons)) or "no release qualifies"
    return out | {"reason": reason}


def _about_the_latest(row: StackRow, planner: Planner) -> str:
    """What the latest release (its facts are the project page's: always read) says, when
    the judged one could not be read: a hint, not an answer (the smallest is not known)."""
    if not planner.releases or row.latest is None or row.latest == row.judged:
        return ""
    latest = planner.read(row.latest)
    if latest is None:
        return ""
    word = django_verdict(latest.classifiers, latest.requires_dist, planner.django, row.extras)
    ready = row.name == "django" or planner.is_ready(latest) or word.verdict == "n/a"
    clear = not latest.advisories and not latest.advisories_left_out
    if ready and clear:
        needs = (
            "names Django nowhere"
            if word.verdict == "n/a" and row.name != "django"
            else (f"is ready for Django {row.target_django}")
        )
        return f"; the latest, {row.latest}, {needs} and is clear"
    return f"; the latest, {row.latest}, is {'not ready' if not ready else 'not clear'} either"


def same_as_judged(a: str, b: str) -> bool:
    return as_version(a) == as_version(b)


def _why_move(row: StackRow, plan: dict[str, Any]) -> str:
    parts = []
    if plan["ready"] and not same_as_judged(plan["ready"], row.judged):
        parts.append(f"{plan['ready']} first declares Django {row.target_django}")
    if plan["clear"] and not same_as_judged(plan["clear"], row.judged):
        parts.append(f"{plan['clear']} first clear of advisories")
    if row.yanked:
        parts.append(f"{row.judged} is yanked")
    return "; ".join(parts) or f"{plan['move_to']} is ready and clear"


def planners(
    tables: Tables,
    rows: list[StackRow],
    targets: dict,
    python: str | None,
    failed: dict[str, set],
    unread_why: str = "could not be read",
) -> dict[str, Planner]:
    """A planner per row from PyPI with facts."""
    out = {}
    oldest = lowest_python(python)
    for row in rows:
        target = targets.get(row.name)
        entry = tables.pypi.get(target.raw) if target is not None else None
        facts = entry.observed.facts if entry is not None else None
        if row.kind != "pypi" or facts is None:
            continue
        out[row.name] = Planner(
            row.name, facts, final_releases(facts), row.target_django, row.extras, oldest,
            lambda v, name=row.name, facts=facts: release_facts(tables, name, v, facts),
            failed.setdefault(row.name, set()), unread_why,
        )  # fmt: skip
    return out


def plan_rows(rows: list[StackRow], by_name: dict[str, Planner]) -> dict[str, str]:
    """Each row's plan, where the pages known suffice; -> name: the version it needs next."""
    needed = {}
    for row in rows:
        if row.kind != "pypi":
            continue
        try:
            row.plan = plan_dependency(row, by_name.get(row.name))
        except Needed as exc:
            needed[row.name] = exc.version
    return needed


def plan_known(tables: Tables, rows: list[StackRow], targets: dict, python: str | None) -> None:
    """Each row's plan from the pages in the log alone (the app: it asks PyPI nothing here);
    a page the search needs and the log lacks makes that answer unknown, and says so."""
    failed: dict[str, set[str]] = {}
    for _ in range(MAX_ROUNDS):
        needed = plan_rows(rows, planners(tables, rows, targets, python, failed, NOT_READ_YET))
        if not needed:
            return
        for name, version in needed.items():
            failed.setdefault(name, set()).add(version)
