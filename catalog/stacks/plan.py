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

The search is pure (``plan_dependency``): it asks for the release pages it needs by raising
``Needed``; the driver (``plan_stack``) reads them as ``ReleaseObserved`` events, a batch per
round across the stack, and runs it again. A page read within a day is not asked again, so a
plan read again the same day asks nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from catalog.pypi.verdicts import (
    DJANGO_PREFIX,
    declared_versions,
    django_verdict,
    excludes,
    python_specifier,
)
from catalog.stacks.judge import (
    ReleaseFacts,
    StackRow,
    final_releases,
    lowest_python,
    release_facts,
    version_text,
)
from eventstore import PypiFacts
from projections.fold import Tables

MAX_ROUNDS = 40  # rounds of page reading (a binary search over 2,000 releases takes 11)
MAX_STEPS = 12  # releases a search walks forward from where it landed


class Needed(Exception):
    """The search needs the page of this release (``NAME==VERSION``) to go on."""

    def __init__(self, version: str) -> None:
        super().__init__(version)
        self.version = version


class Unreadable(Exception):
    """A release page the search needs could not be read: the answer is unknown."""


@dataclass
class Planner:
    """One dependency's search over its releases (oldest first, final and unyanked)."""

    name: str
    facts: PypiFacts
    releases: list[Version]
    django: str
    extras: tuple[str, ...]
    python: str | None  # the oldest Python the stack allows
    read: Callable[[str], ReleaseFacts | None]  # None: not read yet
    failed: set[str]  # versions whose page could not be read this run

    def release(self, version: Version) -> ReleaseFacts:
        text = version_text(self.facts, version)
        got = self.read(text)
        if got is not None:
            return got
        if text in self.failed:
            raise Unreadable(f"the page of {self.name}=={text} could not be read")
        raise Needed(text)

    def is_ready(self, r: ReleaseFacts) -> bool:
        verdict = django_verdict(r.classifiers, r.requires_dist, self.django, self.extras)
        return verdict.verdict == "yes" and self.runs(r)

    def runs(self, r: ReleaseFacts) -> bool:
        """Its ``requires_python`` allows the stack's oldest Python (when the stack says)."""
        if not self.python or not r.requires_python:
            return True
        specifier = python_specifier(r.requires_python)
        return specifier is None or not excludes(specifier, self.python)

    def newestdeclared_versions(self, r: ReleaseFacts) -> tuple[int, ...]:
        versions = declared_versions(r.classifiers, DJANGO_PREFIX)
        keys = [tuple(int(p) for p in v.split(".")) + (() if "." in v else (99,)) for v in versions]
        return max(keys, default=())

    def ready(self, start: int) -> tuple[int | None, str]:
        """The index of the smallest ready release from ``start``, or None and why."""
        x = tuple(int(p) for p in self.django.split("."))
        releases = self.releases
        if self.is_ready(self.release(releases[start])):
            return start, ""
        newest = self.release(releases[-1])
        if self.newestdeclared_versions(newest) < x:
            return None, self._none_declares(newest)
        lo, hi = start + 1, len(releases) - 1  # the first whose newest declared is >= X
        while lo < hi:
            mid = (lo + hi) // 2
            if self.newestdeclared_versions(self.release(releases[mid])) >= x:
                hi = mid
            else:
                lo = mid + 1
        for i in range(lo, min(lo + MAX_STEPS, len(releases))):
            r = self.release(releases[i])
            if self.is_ready(r):
                return i, ""
            verdict = django_verdict(r.classifiers, r.requires_dist, self.django, self.extras)
            if verdict.verdict == "yes":
                return None, (
                    f"{r.version}, the first to declare Django {self.django}, requires Python "
                    f"{r.requires_python}; the stack's oldest is {self.python}"
                )
        first = self.release(releases[lo])
        return None, (
            f"no release declares Django {self.django}: {first.version} declares {_span(first)}"
        )

    def _none_declares(self, newest: ReleaseFacts) -> str:
        said = _span(newest)
        return f"no release declares Django {self.django}; newest {newest.version} " + (
            f"declares up to {said.split('-')[-1]}" if said else "declares no Django version"
        )

    def clear(self, start: int) -> tuple[int | None, str]:
        """The index of the smallest release from ``start`` with no known advisory."""
        i = start
        for _ in range(MAX_STEPS):
            r = self.release(self.releases[i])
            if not r.advisories and not r.advisories_left_out:
                return i, ""
            fixes = []
            for a in r.advisories:
                at = self.releases[i]
                fixed = sorted(v for v in map(_version, a.fixed_in) if v and v > at)
                if not fixed:
                    return None, f"{a.id} affects {r.version} and names no later fix"
                fixes.append(fixed[0])
            wanted = max(fixes)
            later = [j for j in range(i + 1, len(self.releases)) if self.releases[j] >= wanted]
            if not later:
                return None, f"the fix ({wanted}) is not a final, unyanked release on PyPI"
            i = later[0]
        return None, f"no release clear of advisories within {MAX_STEPS} fixes"

    def move_to(self, start: int) -> tuple[int | None, str]:
        i = start
        for _ in range(MAX_STEPS):
            ready, why = self.ready(i)
            if ready is None:
                return None, why
            clear, why = self.clear(ready)
            if clear is None:
                return None, why
            if clear == ready:
                return ready, ""
            i = clear  # clear, but is it ready? the next round says
        return None, f"no release both ready and clear within {MAX_STEPS} steps"


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _span(r: ReleaseFacts) -> str:
    declared = declared_versions(r.classifiers, DJANGO_PREFIX)
    return f"{declared[0]}-{declared[-1]}" if len(declared) > 1 else "".join(declared)


def plan_dependency(row: StackRow, planner: Planner | None) -> dict[str, Any]:
    """The plan of one row (raises ``Needed`` for a page it needs)."""
    nothing = {"ready": None, "clear": None, "move_to": None}
    if planner is None or row.judged is None:
        return nothing | {"reason": f"not judged: {row.unchecked_why or 'no release'}"}
    if not row.checked:
        return nothing | {"reason": f"{row.judged} not checked: {row.unchecked_why}"}
    start_version = _version(row.judged)
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


def same_as_judged(a: str, b: str) -> bool:
    return _version(a) == _version(b)


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
    tables: Tables, rows: list[StackRow], targets: dict, python: str | None, failed: dict[str, set]
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
            failed.setdefault(row.name, set()),
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
