"""Your stacks: a project's dependencies kept as a watchlist in the log, judged with PyPI's
facts (the same ones, and the same rules, as the catalogue's).

A stack is the target ``stack:NAME``. Reading its files appends one ``Edited`` event with what
changed since the last reading, field by field: ``files``, ``django`` (the target Django
version, when given) and one ``dep:NAME`` field per dependency (its requirement, pinned
version, kind and source line; ``None`` when it is gone). History then shows "django-x pinned
1.2 -> 1.3" and "added django-y", and ``--forget`` is an edit like any other (undo brings the
stack back).

For each dependency from PyPI djp asks for the project's facts (``/pypi/NAME/json``, recorded
as ``PypiObserved`` on the matching catalogue package, or on ``pypi:NAME`` when the catalogue
has none) and, for a pinned version, that release's facts (``/pypi/NAME/VERSION/json``:
yanked, advisories; ``ReleaseObserved``), each only when older than a day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from packaging.version import InvalidVersion, Version

from catalog.pypi.facts import RELEASES_KEPT
from catalog.pypi.readiness import FAILED, Digest, digest_of, health
from catalog.pypi.verdicts import default_django, django_verdict
from catalog.text import counted
from eventstore import ReleaseObserved
from projections.fold import Tables, release_key
from projections.stacks import StackView, stack_view, stacks
from projections.targets import Target

__all__ = ["StackView", "stack_view", "stacks"]  # the read side lives in projections.stacks


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
    yanked: bool | None = None  # the pinned version's (None: not pinned, or not known yet)
    yanked_reason: str = ""
    vulnerabilities: list[str] = field(default_factory=list)  # of the pinned version
    django: str | None = None  # yes/no/unknown for the target (None for Django itself)
    django_evidence: str = ""
    #: what the verdict judged: "pinned" (that release's own metadata), "latest" (the latest
    #: release's: no pin, or its page not read yet), None (no verdict)
    django_judged: str | None = None
    ready_latest: bool = False  # the pin is not ready but the latest release is
    license: str | None = None
    health: list[str] = field(default_factory=list)  # failed rules
    state: str = "not fetched"  # ok, missing (not on PyPI), not fetched, not from PyPI
    problems: list[str] = field(default_factory=list)  # whole lines (djp stack --check)
    notes: list[str] = field(default_factory=list)  # the same and more, in a few words

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "requirement": self.requirement,
            "pinned": self.pinned,
            "latest": self.latest,
            "package": self.package,
            "yanked": self.yanked,
            "vulnerabilities": self.vulnerabilities,
            "django": self.django,
            "django_judged": self.django_judged,
            "license": self.license,
            "state": self.state,
            "source": self.source,
            "problems": self.problems,
        }


STATE_WORDS = {"missing": "not on PyPI", "not fetched": "PyPI not asked yet"}
#: What a dependency that does not come from PyPI is, in the notes.
KIND_WORDS = {
    "vcs": "not from PyPI: a VCS checkout",
    "url": "not from PyPI: a URL",
    "path": "not from PyPI: a local path",
    "editable": "not from PyPI: editable",
}


def target_django(view: StackView, override: str | None = None) -> tuple[str, str]:
    """(version, why): ``--django``, else the stack's own, else its Django pin's feature
    release, else the newest supported LTS."""
    if override:
        return override, "--django"
    if view.django:
        return view.django, "chosen for this stack"
    pinned = (view.deps.get("django") or {}).get("pinned")
    if pinned:
        try:
            release = Version(pinned).release
            return f"{release[0]}.{release[1] if len(release) > 1 else 0}", f"Django=={pinned}"
        except InvalidVersion:
            pass
    return default_django(datetime.now().date()), "the newest supported LTS"


def judge_the_pin(row: StackRow, observed: ReleaseObserved, django: str) -> None:
    """The verdict of the pinned release (from its own metadata) replaces the latest's; the
    row remembers when the latest is ready and the pin is not (an upgrade would do)."""
    latest_ready = row.django == "yes"
    verdict = django_verdict(observed.classifiers, observed.requires_dist, django)
    row.django, row.django_evidence = verdict.verdict, verdict.evidence
    row.django_judged = "pinned"
    row.ready_latest = latest_ready and verdict.verdict != "yes" and row.latest != row.pinned


def stack_rows(
    tables: Tables, view: StackView, targets: dict[str, Target], django: str, now: datetime
) -> list[StackRow]:
    """One row per dependency, problems first, then by name."""
    rows = []
    for name in sorted(view.deps):
        dep = view.deps[name]
        row = StackRow(
            name, dep.get("requirement", ""), dep.get("pinned"), dep.get("kind", "pypi"),
            dep.get("source", ""),
        )  # fmt: skip
        rows.append(row)
        if row.kind != "pypi":
            row.state = "not from PyPI"
            row.notes.append(KIND_WORDS.get(row.kind, row.state))
            continue
        target = targets.get(name)
        if target is not None and target.kind == "package":
            upstream = tables.upstream.get(target.raw)
            if upstream is not None:
                row.package = upstream.record.slug
                row.package_target = target
        entry = tables.pypi.get(target.raw) if target is not None else None
        digest: Digest | None = digest_of(entry.observed if entry else None, now)
        if digest is not None:
            row.state = digest.state
            row.latest = digest.latest or None
            row.license = digest.license or None
            if name != "django" and digest.facts is not None:
                verdict = digest.django(django)
                row.django, row.django_evidence = verdict.verdict, verdict.evidence
                row.django_judged = "latest"
            last_commit = None
            if row.package_target is not None:
                last_commit = tables.upstream[row.package_target.raw].record.last_updated
            if digest.facts is not None:
                rules = health(last_commit, digest, now)
                row.health = [FAILED[r.name] for r in rules if r.ok is False]
        pin_unknown = False
        if row.pinned:
            release = tables.releases.get(release_key(name, row.pinned))
            known = digest.facts if digest is not None else None
            if known is not None and row.pinned in known.yanked_versions:
                row.yanked, row.yanked_reason = True, known.yanked_versions[row.pinned]
            if release is not None and release.observed.state == "ok":
                observed = release.observed
                row.yanked = observed.yanked or bool(row.yanked)
                row.yanked_reason = observed.yanked_reason or row.yanked_reason
                row.vulnerabilities = [a.id for a in observed.vulnerabilities]
                if observed.metadata and name != "django":
                    judge_the_pin(row, observed, django)
            elif release is not None and known is not None:
                if row.pinned in known.releases or row.pinned in known.yanked_versions:
                    # PyPI lists the release but its own page did not answer: say so
                    row.yanked = bool(row.yanked)
                    pin_unknown = True
                elif row.state == "ok" and len(known.releases) < RELEASES_KEPT:
                    row.state = "pinned version not on PyPI"
        if row.pinned and row.django_judged == "latest" and row.latest != row.pinned:
            row.django_evidence = f"{row.django_evidence} (latest {row.latest})"
        if row.yanked:
            reason = f" ({row.yanked_reason})" if row.yanked_reason else ""
            row.problems.append(f"{name}=={row.pinned} is yanked{reason}")
        if row.vulnerabilities:
            row.problems.append(
                f"{name}=={row.pinned} has "
                f"{counted(len(row.vulnerabilities), 'advisory', 'advisories')}: "
                + ", ".join(row.vulnerabilities)
            )
        if row.django == "no":
            who = f"{name}=={row.pinned}" if row.django_judged == "pinned" else name
            upgrade = f"; {row.latest} is ready" if row.ready_latest else ""
            row.problems.append(
                f"{who} is not ready for Django {django}: {row.django_evidence}{upgrade}"
            )
            row.notes.append(f"not ready: {row.django_evidence}{upgrade}")
        if row.yanked:
            row.notes.append("pin yanked")
        if row.vulnerabilities:
            row.notes.append(f"pin has {', '.join(row.vulnerabilities)}")
        row.notes += row.health
        if row.state != "ok":
            row.notes.append(STATE_WORDS.get(row.state, row.state))
        if pin_unknown:
            row.notes.append("advisories of the pin unknown (no release page)")
    rows.sort(key=lambda r: (not r.problems, r.name))
    return rows
