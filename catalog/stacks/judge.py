"""Your stacks: a project's dependencies kept as a watchlist in the log, judged with PyPI's
facts (the same ones, and the same rules, as the catalogue's).

A stack is the target ``stack:NAME``. Reading its files appends one ``Edited`` event with what
changed since the last reading, field by field: ``files``, ``django`` (the target Django
version, when given), ``python`` (what the project requires) and one ``dep:NAME`` field per
dependency (its requirement, pinned version, kind and source line; ``None`` when it is gone).
History then shows "django-x pinned 1.2 -> 1.3" and "added django-y", and ``--forget`` is an
edit like any other (undo brings the stack back).

Each dependency is judged at one release, and says which and why (``judged_because``): an
exact pin (``pinned``) or a lock's version (``lock``); for a range, the newest final, unyanked
release it allows (``range``); with no specifier, the latest (``latest``). That release's own
facts decide: its page (``/pypi/NAME/VERSION/json``, ``ReleaseObserved``), or for the latest
release the project's page, which describes it. A judged release whose facts could not be read
is unchecked (``checked: false``): its advisories are unknown and its verdict is ``unknown``
with the reason, never borrowed from another release.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from catalog.pypi.readiness import FAILED, digest_of, health
from catalog.pypi.releases import final_releases, listed, release_facts, version_text
from catalog.pypi.verdicts import DJANGO_RELEASES, default_django, django_verdict, excludes
from catalog.text import counted
from eventstore import Advisory, PypiFacts
from projections.fold import Tables
from projections.stacks import StackView, stack_view, stacks
from projections.targets import Target

__all__ = ["StackView", "stack_view", "stacks"]  # the read side lives in projections.stacks

#: Files whose pins are a lock's (``judged_because: lock``).
LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "pylock.toml")


# --- which release is judged, for which Django ----------------------------------------------


@functools.lru_cache(maxsize=4096)  # a stack's screen judges every line at each redraw
def parsed(requirement: str) -> Requirement | None:
    try:
        return Requirement(requirement)
    except InvalidRequirement:
        return None


def judged_release(dep: dict[str, Any], facts: PypiFacts | None) -> tuple[str | None, str, str]:
    """(version, because, why none): the release a dependency is judged at."""
    pinned = dep.get("pinned")
    if pinned:
        source = PurePath(str(dep.get("source", "")).rpartition(":")[0] or "x").name
        if facts is not None:  # as the project writes it (a pin of 1.0 is its 1.0.0)
            pinned = listed(facts, pinned) or pinned
        return pinned, "lock" if source in LOCK_FILES else "pinned", ""
    if facts is None:
        return None, "", ""
    requirement = parsed(dep.get("requirement", ""))
    specifier = requirement.specifier if requirement is not None else SpecifierSet()
    if not str(specifier):
        return (facts.latest or None), "latest", "" if facts.latest else "PyPI names no latest"
    allowed = [v for v in final_releases(facts) if specifier.contains(v, prereleases=False)]
    if not allowed:
        return None, "range", f"no release on PyPI allows {specifier}"
    return version_text(facts, allowed[-1]), "range", ""


def target_django(view: StackView, override: str | None = None) -> tuple[str, str]:
    """(version, why): ``--django``; else the stack's own Django requirement (the newest
    feature release it allows; a pin or lock gives its feature release); else the stack's
    remembered target; else the newest supported LTS."""
    if override:
        return override, "--django"
    dep = view.deps.get("django") or {}
    where = str(dep.get("source", "")).rpartition(":")[0] or "the stack"
    pinned = dep.get("pinned")
    if pinned:
        try:
            release = Version(pinned).release
            feature = f"{release[0]}.{release[1] if len(release) > 1 else 0}"
            return feature, f"from Django=={pinned} in {where}"
        except InvalidVersion:
            pass
    requirement = parsed(dep.get("requirement", "")) if dep else None
    if requirement is not None and str(requirement.specifier):
        allowed = [
            r.version for r in DJANGO_RELEASES if not excludes(requirement.specifier, r.version)
        ]
        if allowed:
            return allowed[-1], f"from {requirement.name}{requirement.specifier} in {where}"
    if view.django:
        return view.django, "chosen for this stack"
    return default_django(datetime.now().date()), "the newest supported LTS"


def lowest_python(requires_python: str | None) -> str | None:
    """The oldest Python 3.Y a project's ``requires-python`` allows (None: it says none)."""
    if not requires_python:
        return None
    try:
        specifier = SpecifierSet(requires_python)
    except Exception:
        return None
    return next((f"3.{y}" for y in range(6, 20) if not excludes(specifier, f"3.{y}")), None)


# --- what the stack says, dependency by dependency ------------------------------------------


@dataclass
class StackRow:
    name: str
    requirement: str
    pinned: str | None
    kind: str
    source: str
    latest: str | None = None
    package: str | None = None  # the djp slug
    package_target: Target | None = None
    judged: str | None = None  # the release judged
    judged_because: str | None = None  # pinned, lock, range, latest
    checked: bool = False  # the judged release's own facts were read
    unchecked_why: str = ""
    extras: tuple[str, ...] = ()
    yanked: bool | None = None  # the judged release's (None: not known)
    yanked_reason: str = ""
    vulnerabilities: list[Advisory] = field(default_factory=list)  # of the judged release
    django: str | None = None  # the verdict for the target (None for Django itself)
    django_evidence: str = ""
    target_django: str = ""
    license: str | None = None
    health: list[str] = field(default_factory=list)  # failed rules
    state: str = "not fetched"  # ok, missing (not on PyPI), not fetched, not from PyPI
    problems: list[str] = field(default_factory=list)  # whole lines (djp stack --check)
    doubts: list[str] = field(default_factory=list)  # what --check --strict adds
    notes: list[str] = field(default_factory=list)  # the same and more, in a few words
    plan: dict[str, Any] | None = None  # djp stack --plan

    def as_json(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            "requirement": self.requirement,
            "pinned": self.pinned,
            "latest": self.latest,
            "package": self.package,
            "judged": self.judged,
            "judged_because": self.judged_because,
            "target_django": self.target_django,
            "django": self.django,
            "django_evidence": self.django_evidence,
            # kept from before the judged release was named: what the verdict judged
            "django_judged": self.judged_because if self.django and self.checked else None,
            "checked": self.checked,
            "yanked": self.yanked,
            "vulnerabilities": [advisory_json(a) for a in self.vulnerabilities],
            "license": self.license,
            "state": self.state,
            "source": self.source,
            "problems": self.problems,
        }
        if not self.checked and self.unchecked_why:
            out["unchecked"] = self.unchecked_why
        if self.plan is not None:
            out["plan"] = self.plan
        return out


def advisory_json(a: Advisory) -> dict[str, Any]:
    return {"id": a.id, "aliases": list(a.aliases), "fix_versions": list(a.fixed_in)}


def advisory_text(a: Advisory) -> str:
    """``PYSEC-2024-1 (CVE-2024-1, GHSA-x) fixed in 1.2.3``: what a user acts on."""
    aliases = f" ({', '.join(a.aliases)})" if a.aliases else ""
    fixes = f" fixed in {', '.join(a.fixed_in)}" if a.fixed_in else " no fix version"
    return f"{a.id}{aliases}{fixes}"


STATE_WORDS = {"missing": "not on PyPI", "not fetched": "PyPI not asked yet"}
#: What a dependency that does not come from PyPI is, in the notes.
KIND_WORDS = {
    "vcs": "not from PyPI: a VCS checkout",
    "url": "not from PyPI: a URL",
    "path": "not from PyPI: a local path",
    "editable": "not from PyPI: editable",
}


def stack_rows(
    tables: Tables,
    view: StackView,
    targets: dict[str, Target],
    django: str,
    now: datetime,
    *,
    failures: dict[str, str] | None = None,
) -> list[StackRow]:
    """One row per dependency, problems first, then by name. ``failures``: release labels
    (``NAME==VERSION``) -> why their page could not be read this run."""
    rows = [_row(tables, view, name, targets, django, now, failures or {}) for name in view.deps]
    rows.sort(key=lambda r: (not r.problems, r.name))
    return rows


def _row(tables, view, name, targets, django, now, failures) -> StackRow:
    dep = view.deps[name]
    row = StackRow(name, dep.get("requirement", ""), dep.get("pinned"), dep.get("kind", "pypi"),
                   dep.get("source", ""), target_django=django)  # fmt: skip
    if row.kind != "pypi":
        row.state = "not from PyPI"
        row.notes.append(KIND_WORDS.get(row.kind, row.state))
        return row
    requirement = parsed(row.requirement)
    row.extras = tuple(sorted(requirement.extras)) if requirement is not None else ()
    target = targets.get(name)
    if target is not None and target.kind == "package":
        upstream = tables.upstream.get(target.raw)
        if upstream is not None:
            row.package, row.package_target = upstream.record.slug, target
    entry = tables.pypi.get(target.raw) if target is not None else None
    digest = digest_of(entry.observed if entry else None, now)
    facts = digest.facts if digest is not None else None
    if digest is not None:
        row.state = digest.state
        row.latest = digest.latest or None
        row.license = digest.license or None
        if facts is not None:
            last_commit = None
            if row.package_target is not None:
                last_commit = tables.upstream[row.package_target.raw].record.last_updated
            row.health = [FAILED[r.name] for r in health(last_commit, digest, now) if r.ok is False]
    row.judged, row.judged_because, none_why = judged_release(dep, facts)
    _judge(row, tables, facts, django, failures, none_why)
    _problems(row, facts)
    return row


def _judge(row, tables, facts, django, failures, none_why) -> None:
    """The judged release's checks: yank, advisories, the verdict for Django ``django``."""
    if row.state == "missing":
        row.unchecked_why = "not on PyPI"
        return
    if facts is None:
        row.unchecked_why = "PyPI not asked yet" if row.state == "not fetched" else row.state
        return
    if row.name in failures:  # its facts were due and PyPI did not answer: not current
        row.unchecked_why = f"its project page could not be read: {failures[row.name]}"
        return
    if row.judged is None:
        row.unchecked_why = none_why or "no release to judge"
        return
    if (
        listed(facts, row.judged) is None
        and not facts.releases_left_out
        and (facts.releases_complete)
    ):
        row.unchecked_why = f"{row.judged} is not a release on PyPI"
        row.state = "pinned version not on PyPI"
        return
    if row.judged in facts.yanked_versions:
        row.yanked, row.yanked_reason = True, facts.yanked_versions[row.judged]
    release = release_facts(tables, row.name, row.judged, facts)
    if release is None:
        label = f"{row.name}=={row.judged}"
        why = failures.get(label, "")
        row.unchecked_why = (
            f"its release page could not be read ({why})"
            if why
            else ("its release page is not read yet")
        )
        if row.name != "django":
            row.django, row.django_evidence = "unknown", row.unchecked_why
        return
    row.checked = True
    row.yanked = release.yanked or bool(row.yanked)
    row.yanked_reason = release.yanked_reason or row.yanked_reason
    row.vulnerabilities = list(release.advisories)
    if row.name != "django":
        verdict = django_verdict(release.classifiers, release.requires_dist, django, row.extras)
        row.django, row.django_evidence = verdict.verdict, verdict.evidence


def _problems(row: StackRow, facts: PypiFacts | None) -> None:
    """What ``--check`` fails on (``problems``), what ``--check --strict`` adds (``doubts``),
    and the notes in a few words."""
    at = f"{row.name}=={row.judged}" if row.judged else row.name
    if row.kind == "pypi" and not row.checked:
        row.problems.append(f"{at} not checked: {row.unchecked_why}")
    if row.yanked:
        reason = f" ({row.yanked_reason})" if row.yanked_reason else ""
        row.problems.append(f"{at} is yanked{reason}")
        row.notes.append("yanked")
    if row.vulnerabilities:
        row.problems.append(
            f"{at} has {counted(len(row.vulnerabilities), 'advisory', 'advisories')}: "
            + "; ".join(advisory_text(a) for a in row.vulnerabilities)
        )
        row.notes.append(", ".join(a.id for a in row.vulnerabilities))
    if row.django == "no":
        row.problems.append(
            f"{at} is not ready for Django {row.target_django}: {row.django_evidence}"
        )
        row.notes.append(f"not ready: {row.django_evidence}")
    elif row.django in ("undeclared", "unknown") and row.checked:
        row.doubts.append(
            f"{at} is {row.django} for Django {row.target_django}: {row.django_evidence}"
        )
        row.notes.append(f"{row.django}: {row.django_evidence}")
    row.notes += row.health
    if row.kind == "pypi" and not row.checked:
        row.notes.append(f"not checked: {row.unchecked_why}")
    elif row.state != "ok" and row.kind == "pypi":
        row.notes.append(STATE_WORDS.get(row.state, row.state))
