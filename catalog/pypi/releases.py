"""A project's releases, each judged on its own facts, and the searches over them: the
smallest release at or after a given one that is ready for a Django release (declares it,
its requirement allows it, its ``requires_python`` allows a Python), that has no known
advisory, or both (``Planner``). Pure: a search that needs a release page it has not got
raises ``Needed``; the fetchers read it (``ReleaseObserved``) and run the search again.

A search may assume that the newest Django a release declares only grows (a binary search
over 2,000 releases reads 11 pages), but its answer is always a release whose own facts were
read and say yes: support that a later release drops never makes it answer a release that
does not declare X.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from catalog.pypi.verdicts import (
    DJANGO_PREFIX,
    declared_versions,
    django_verdict,
    excludes,
    python_specifier,
)
from eventstore import Advisory, PypiFacts, ReleaseObserved
from projections.fold import Tables, release_key

MAX_STEPS = 12  # releases a search walks forward from where it landed
#: What the app says of a page a search would need: it reads none while drawing.
NOT_READ_YET = "is not read yet"


@dataclass(frozen=True)
class ReleaseFacts:
    """What a judgement reads of one release: its metadata, yank and advisories."""

    version: str
    classifiers: tuple[str, ...]
    requires_dist: tuple[str, ...]
    requires_python: str
    yanked: bool
    yanked_reason: str
    advisories: tuple[Advisory, ...]
    advisories_left_out: int = 0


def release_facts(tables: Tables, name: str, version: str, facts: PypiFacts | None):
    """The facts of release ``version``: from its own page when read, from the project's page
    when it is the latest release (that page describes it); else None (not read)."""
    entry = tables.releases.get(release_key(name, version))
    o: ReleaseObserved | PypiFacts | None = None
    if entry is not None and entry.observed.state == "ok" and entry.observed.metadata:
        o = entry.observed
    elif facts is not None and facts.latest and same(facts.latest, version):
        o = facts
    if o is None:
        return None
    kept = _FACTS.get(id(o))
    if kept is not None and kept[0] is o and kept[1].version == version:
        return kept[1]
    if len(_FACTS) > 8192:
        _FACTS.clear()
    made = ReleaseFacts(version, tuple(o.classifiers), tuple(o.requires_dist),
                        o.requires_python, o.yanked, o.yanked_reason,
                        tuple(o.vulnerabilities), o.vulnerabilities_left_out)  # fmt: skip
    _FACTS[id(o)] = (o, made)
    return made


#: ``ReleaseFacts`` made from a recorded event, per event object (the screens ask again at
#: every redraw; the objects live as long as the tables that hold them).
_FACTS: dict[int, tuple[object, ReleaseFacts]] = {}


@functools.lru_cache(maxsize=8192)
def same(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


@functools.lru_cache(maxsize=8192)
def newest_feature(classifiers: tuple[str, ...]) -> tuple[int, ...]:
    """The newest Django feature release the classifiers declare (a major alone counts as
    its every feature release: ``(5, 99)``); ``()`` for none."""
    versions = declared_versions(classifiers, DJANGO_PREFIX)
    keys = [tuple(int(p) for p in v.split(".")) + (() if "." in v else (99,)) for v in versions]
    return max(keys, default=())


class ReleaseIndex:
    """A project's releases parsed once: its final unyanked ones in order, and each parsed
    version's text as the project writes it. Kept per facts object (the screens judge a stack
    at every redraw: parsing boto3's 2,160 versions each time cost milliseconds a row)."""

    __slots__ = ("finals", "known", "texts")

    def __init__(self, facts: PypiFacts) -> None:
        self.texts: dict[Version, str] = {}
        finals = []
        for text in [*facts.releases, *facts.yanked_versions]:
            try:
                version = Version(text)
            except InvalidVersion:
                continue
            self.texts.setdefault(version, text)
            final = text in facts.releases and text not in facts.yanked_versions
            if final and not version.is_prerelease:
                finals.append(version)
        self.finals: list[Version] = sorted(finals)
        self.known = set(self.texts)


_INDEXES: dict[int, tuple[PypiFacts, ReleaseIndex]] = {}


def release_index(facts: PypiFacts) -> ReleaseIndex:
    """``facts``' ``ReleaseIndex``, made once per facts object (a few hundred kept)."""
    kept = _INDEXES.get(id(facts))
    if kept is not None and kept[0] is facts:
        return kept[1]
    if len(_INDEXES) > 2048:
        _INDEXES.clear()
    index = ReleaseIndex(facts)
    _INDEXES[id(facts)] = (facts, index)
    return index


def final_releases(facts: PypiFacts) -> list[Version]:
    """The project's final (not pre-, not dev-) releases that are not yanked, oldest first."""
    return release_index(facts).finals


def version_text(facts: PypiFacts, version: Version) -> str:
    """A version as the project writes it (``7.4`` stays ``7.4``, not ``7.4.0``)."""
    return release_index(facts).texts.get(version, str(version))


def listed(facts: PypiFacts, version: str) -> str | None:
    """The text of ``version`` as the project writes it, when PyPI lists it (``1.0`` is its
    ``1.0.0``); None when it does not."""
    parsed = as_version(version)
    if parsed is None:
        return version if version in facts.releases or version in facts.yanked_versions else None
    return release_index(facts).texts.get(parsed)


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
    unread_why: str = "could not be read"

    def release(self, version: Version) -> ReleaseFacts:
        text = version_text(self.facts, version)
        got = self.read(text)
        if got is not None:
            return got
        if text in self.failed:
            raise Unreadable(f"the page of {self.name}=={text} {self.unread_why}")
        raise Needed(text)

    def is_ready(self, r: ReleaseFacts) -> bool:
        return self.declares(r) and self.runs(r)

    def declares(self, r: ReleaseFacts) -> bool:
        """Its verdict for the target is yes (Django itself: it is of X's series, or later)."""
        if self.name == "django":
            return self.newest_declared(r) >= self._target()
        verdict = django_verdict(r.classifiers, r.requires_dist, self.django, self.extras)
        return verdict.verdict == "yes"

    def _target(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.django.split("."))

    def runs(self, r: ReleaseFacts) -> bool:
        """Its ``requires_python`` allows the stack's oldest Python (when the stack says)."""
        if not self.python or not r.requires_python:
            return True
        specifier = python_specifier(r.requires_python)
        return specifier is None or not excludes(specifier, self.python)

    def newest_declared(self, r: ReleaseFacts) -> tuple[int, ...]:
        """The newest Django feature release ``r`` declares (Django itself: its own)."""
        if self.name == "django":
            version = as_version(r.version)
            return version.release[:2] if version is not None else ()
        return newest_feature(r.classifiers)

    def ready(self, start: int) -> tuple[int | None, str]:
        """The index of the smallest ready release from ``start``, or None and why."""
        x = self._target()
        releases = self.releases
        # the start when its page is at hand (a stack's judged release always is): support
        # dropped later must not hide that it is ready already
        first = self.read(version_text(self.facts, releases[start]))
        if first is not None and self.declares(first):
            if self.runs(first):
                return start, ""
            return None, self._python_says(first)  # nor will later ones, which need more
        newest = self.release(releases[-1])  # the latest: the project's page describes it
        if self.newest_declared(newest) < x:
            return None, self._none_declares(newest)
        # the first whose newest declared Django is X or later
        lo, hi = (start + 1 if first is not None else start), len(releases) - 1
        if lo > hi:  # the start is the newest, and not ready
            return None, f"no release declares Django {self.django}: {first.version} is the newest"
        while lo < hi:
            mid = (lo + hi) // 2
            if self.newest_declared(self.release(releases[mid])) >= x:
                hi = mid
            else:
                lo = mid + 1
        for i in range(lo, min(lo + MAX_STEPS, len(releases))):
            r = self.release(releases[i])
            if self.is_ready(r):
                return i, ""
            if self.declares(r):  # but not on the stack's Python: nor will later ones
                return None, self._python_says(r)
        landed = self.release(releases[lo])
        return None, (
            f"no release declares Django {self.django}: {landed.version} declares "
            f"{_span(landed) or 'no Django version'}"
        )

    def _python_says(self, r: ReleaseFacts) -> str:
        which = "" if self.name == "django" else f", the first to declare Django {self.django},"
        return (f"{r.version}{which} requires Python {r.requires_python}; the stack's oldest "
                f"is {self.python}")  # fmt: skip

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
                fixed = sorted(v for v in map(as_version, a.fixed_in) if v and v > at)
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


def as_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _span(r: ReleaseFacts) -> str:
    declared = declared_versions(r.classifiers, DJANGO_PREFIX)
    return f"{declared[0]}-{declared[-1]}" if len(declared) > 1 else "".join(declared)


def smallest_ready(
    tables: Tables,
    name: str,
    facts: PypiFacts,
    django: str,
    failed: set[str],
    unread_why: str = "could not be read",
) -> tuple[str | None, str]:
    """The smallest final, unyanked release of the project ready for Django ``django`` (and
    why none): the package screen's answer (raises ``Needed``)."""
    releases = final_releases(facts)
    if not releases:
        return None, "no final release on PyPI"
    read = lambda v: release_facts(tables, name, v, facts)  # noqa: E731
    planner = Planner(name, facts, releases, django, (), None, read, failed, unread_why)
    try:
        index, why = planner.ready(0)
    except Unreadable as exc:
        return None, str(exc)
    return (None, why) if index is None else (version_text(facts, releases[index]), "")


def smallest_ready_known(
    tables: Tables, name: str, facts: PypiFacts, django: str
) -> tuple[str | None, str]:
    """``smallest_ready`` from the release pages in the log alone (the screens draw with
    what they have); a page it would need and lacks makes the answer unknown, said so."""
    failed: set[str] = set()
    for _ in range(64):
        try:
            return smallest_ready(tables, name, facts, django, failed, NOT_READ_YET)
        except Needed as exc:
            failed.add(exc.version)
    return None, "not known"
