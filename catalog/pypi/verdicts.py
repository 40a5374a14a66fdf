"""Will a package work with Django X (or Python 3.Y)? Verdicts from what PyPI says, with the
evidence in words, never a guess.

- ``no``: only when the ``requires_dist`` requirement on Django (markers and the extras asked
  for honoured, read with ``packaging``) excludes X;
- ``yes``: it declares ``Framework :: Django :: X`` (or the major-only ``Framework :: Django ::
  N`` for X = N.x) and its requirement does not exclude X;
- ``undeclared``: it declares Django versions with classifiers, none is X, and nothing
  excludes X ("declares 3.2-5.1; requires Django>=3.2"): not yet said, not refused;
- ``unknown``: nothing either way (a requirement on Django, or a bare ``Framework :: Django``,
  without version classifiers);
- ``n/a``: neither its classifiers nor its requirements (in any extra asked for) name Django.

Python 3.Y reads ``Programming Language :: Python :: 3.Y`` classifiers and ``requires_python``
the same way (without ``n/a``: every package runs on some Python). Django's releases and
their end of support are a table here, with where its dates come from.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from catalog.api import canonical_name

VerdictWord = Literal["yes", "no", "undeclared", "unknown", "n/a"]
#: The five words, in the order summaries count them.
VERDICT_WORDS: tuple[VerdictWord, ...] = ("yes", "no", "undeclared", "unknown", "n/a")


@dataclass(frozen=True)
class DjangoRelease:
    version: str  # the feature release, "4.2"
    released: date
    end_of_support: date  # end of extended (security) support
    lts: bool = False


#: Every Django feature release since 2.2: released, end of extended support. 2.2 to 6.0 are
#: djangoproject.com's "Supported versions" (checked against a stored copy of its figures, April
#: 2026). 6.1 came later: its release day is the upload of ``Django 6.1`` to PyPI (2026-08-05,
#: read from pypi.org on 2026-11-28) and its end of support is Django's policy applied, not a
#: published date: a feature release that is not LTS gets security fixes until 8 months after
#: the next one (6.2, expected in April 2027), so December 2027.
DJANGO_RELEASES: tuple[DjangoRelease, ...] = (
    DjangoRelease("2.2", date(2019, 4, 1), date(2022, 4, 11), lts=True),
    DjangoRelease("3.0", date(2019, 12, 2), date(2021, 4, 6)),
    DjangoRelease("3.1", date(2020, 8, 4), date(2021, 12, 7)),
    DjangoRelease("3.2", date(2021, 4, 6), date(2024, 4, 1), lts=True),
    DjangoRelease("4.0", date(2021, 12, 7), date(2023, 4, 1)),
    DjangoRelease("4.1", date(2022, 8, 3), date(2023, 12, 1)),
    DjangoRelease("4.2", date(2023, 4, 3), date(2026, 4, 7), lts=True),
    DjangoRelease("5.0", date(2023, 12, 4), date(2025, 4, 2)),
    DjangoRelease("5.1", date(2024, 8, 7), date(2025, 12, 3)),
    DjangoRelease("5.2", date(2025, 4, 2), date(2028, 4, 30), lts=True),
    DjangoRelease("6.0", date(2025, 12, 3), date(2027, 4, 30)),
    DjangoRelease("6.1", date(2026, 8, 5), date(2027, 12, 31)),
)
#: Where the table's dates come from, in a line under every package's PyPI section.
DJANGO_TABLE_SOURCE = (
    "Django dates: djangoproject.com as of April 2026; 6.1's release day (5 August 2026) "
    "read from PyPI in November 2026, its end of support estimated from Django's policy"
)

DJANGO_PREFIX = "Framework :: Django :: "
PYTHON_PREFIX = "Programming Language :: Python :: "


def verdict_counts(counts) -> str:
    """How many of each verdict, in one phrase ("3 yes, 1 no, 2 undeclared, 0 unknown,
    1 n/a"): the summary of ``djp readiness`` and the readiness screen."""
    return ", ".join(f"{counts.get(word, 0):,} {word}" for word in VERDICT_WORDS)


@dataclass(frozen=True)
class Verdict:
    verdict: VerdictWord
    evidence: str


def supported_django(today: date) -> list[DjangoRelease]:
    """The Django releases still supported on ``today``."""
    return [r for r in DJANGO_RELEASES if r.released <= today <= r.end_of_support]


def default_django(today: date) -> str:
    """The readiness column's Django until the user picks one: the newest supported LTS."""
    lts = [r for r in supported_django(today) if r.lts]
    return (lts or list(DJANGO_RELEASES))[-1].version


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def declared_versions(classifiers: Iterable[str], prefix: str) -> list[str]:
    """Versions a package declares with classifiers ``prefix + V`` (digits and dots only)."""
    out = []
    for classifier in classifiers:
        if classifier.startswith(prefix):
            value = classifier[len(prefix) :].strip()
            if value and all(part.isdigit() for part in value.split(".")):
                out.append(value)
    return sorted(set(out), key=_key)


#: A requirement's name as PEP 508 (and ``packaging``'s parser) reads it: the leading run of
#: letters, digits, ``.``, ``_`` and ``-``.
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requirement(
    requires_dist: Iterable[str], name: str, extras: tuple[str, ...] = ()
) -> tuple[SpecifierSet | None, bool]:
    """The combined specifier of the requirements on ``name`` that apply (markers evaluated
    for this environment; a requirement of an extra applies only when ``extras`` asks for
    it), and whether any requirement names ``name`` at all (in any extra asked for, or
    none). Only the requirements that name ``name`` are parsed (a package lists many)."""
    specifier, named_it = None, False
    for text in requires_dist:
        named = _NAME.match(text)
        if named is None or canonical_name(named.group(1)) != name:
            continue
        for extra in ("", *extras):
            applies = _applying(text, extra)
            if applies is not None:
                named_it = True
                specifier = applies if specifier is None else specifier & applies
                break
    return specifier, named_it


@functools.lru_cache(maxsize=4096)
def _applying(text: str, extra: str = "") -> SpecifierSet | None:
    """The specifier of requirement ``text`` when it applies with ``extra`` asked for ("":
    none; None: it is invalid, or its marker does not hold here). Packages share their
    requirement texts ("Django>=4.2"): each is parsed once."""
    # packaging's PEP 508 parser: imported on the first requirement, not by every command
    from packaging.markers import UndefinedEnvironmentName
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    if requirement.marker is not None:
        try:
            if not requirement.marker.evaluate({"extra": extra}):
                return None
        except UndefinedEnvironmentName:
            return None
    return requirement.specifier


@functools.lru_cache(maxsize=4096)
def excludes(specifier: SpecifierSet, feature: str) -> bool:
    """Whether no release of a feature series (X.0 ... X.n) satisfies the specifier.

    The series is probed at its first and a far release, and around each version the specifier
    names inside the series (``4``, ``4.0`` and ``4.0.0`` are the series' start): the patch
    before, the patch itself and the patch after. Between those points the answer of every
    clause is constant, so they decide it exactly (and cheaply)."""
    series = tuple(int(p) for p in feature.split("."))
    candidates = {f"{feature}.0", f"{feature}.9999"}
    for spec in specifier:
        try:
            release = Version(spec.version.rstrip(".*")).release
        except InvalidVersion:
            continue
        padded = release + (0,) * (3 - len(release))
        if padded[:2] != series:
            continue
        for patch in (padded[2] - 1, padded[2], padded[2] + 1):
            if patch >= 0:
                candidates.add(f"{feature}.{patch}")
        if len(release) > 3:
            candidates.add(".".join(map(str, release)))
    return not any(specifier.contains(v, prereleases=True) for v in candidates)


def _span(versions: list[str]) -> str:
    return versions[0] if len(versions) == 1 else f"{versions[0]}-{versions[-1]}"


#: The evidence of a package that names Django nowhere (not a Django package, in a stack).
NO_DJANGO_TIES = "no Django classifiers and no Django requirement"


@dataclass(frozen=True, slots=True)
class DjangoTies:
    """What a package says of its Django versions (its requirement, its classifiers), judged
    for each Django release by ``judge_django``. Both are cached by value: many packages
    declare the same (the readiness screen judges 6,000 at once, a package's details every
    release, and a jump through time builds every row's digest again)."""

    specifier: SpecifierSet | None
    declared: tuple[str, ...]
    names_django: bool = True  # a classifier or a requirement names Django


@functools.lru_cache(maxsize=8192)
def django_ties(
    classifiers: tuple[str, ...], requires_dist: tuple[str, ...], extras: tuple[str, ...] = ()
) -> DjangoTies:
    specifier, required = _requirement(requires_dist, "django", extras)
    framework = any(c == "Framework :: Django" or c.startswith(DJANGO_PREFIX) for c in classifiers)
    return DjangoTies(
        specifier, tuple(declared_versions(classifiers, DJANGO_PREFIX)), required or framework
    )


def django_verdict(
    classifiers: Iterable[str], requires_dist: Iterable[str], x: str, extras: Iterable[str] = ()
) -> Verdict:
    """Is the package ready for Django feature release ``x`` ("5.2")? ``extras``: those the
    requirement on the package asks for (their requirements apply too)."""
    ties = django_ties(tuple(classifiers), tuple(requires_dist), tuple(sorted(extras)))
    return judge_django(ties, x)


@functools.lru_cache(maxsize=32768)  # a package's ties for each release it is judged for
def judge_django(ties: DjangoTies, x: str) -> Verdict:
    """``django_verdict`` from the package's ties read once."""
    specifier, declared = ties.specifier, ties.declared
    if not ties.names_django:
        return Verdict("n/a", NO_DJANGO_TIES)
    required = f"requires Django{specifier}" if specifier is not None and str(specifier) else ""
    if required and excludes(specifier, x):
        return Verdict("no", required)
    features = [v for v in declared if "." in v]
    majors = [v for v in declared if "." not in v]
    major = x.split(".")[0]
    if x in features:
        return Verdict("yes", f"classifier {DJANGO_PREFIX}{x}")
    if major in majors:
        return Verdict("yes", f"classifier {DJANGO_PREFIX}{major}")
    if declared:
        says = (
            f"declares {_span(list(declared))}"
            if _contiguous(declared)
            else (f"declares {', '.join(declared)}")
        )
        return Verdict("undeclared", f"{says}; {required or 'no Django requirement'}")
    if specifier is not None:
        wanted = str(specifier) or " (any version)"
        return Verdict("unknown", f"requires Django{wanted}; no Django version classifiers")
    return Verdict("unknown", "a Framework :: Django classifier without versions")


def _contiguous(declared: Iterable[str]) -> bool:
    """Whether the declared versions are a run of the table's releases ("3.2-5.1")."""
    table = [f"1.{minor}" for minor in range(12)] + ["2.0", "2.1"]
    table += [r.version for r in DJANGO_RELEASES]  # every feature release since 1.0
    places = [table.index(v) for v in declared if v in table]
    return len(places) == len(list(declared)) and places == list(range(places[0], places[-1] + 1))


def python_verdict(classifiers: Iterable[str], requires_python: str | None, y: str) -> Verdict:
    """Is the package ready for Python ``y`` ("3.13")?"""
    if requires_python:
        specifier = python_specifier(requires_python)
        if specifier is not None and excludes(specifier, y):
            return Verdict("no", f"requires Python {requires_python}")
    declared = [v for v in declared_versions(classifiers, PYTHON_PREFIX) if v.count(".") == 1]
    if y in declared:
        return Verdict("yes", f"classifier {PYTHON_PREFIX}{y}")
    if declared:
        return Verdict("undeclared", f"declares Python {_span(declared)}, not {y}")
    return Verdict("unknown", "no Python version classifiers")


@functools.lru_cache(maxsize=1024)
def python_specifier(requires_python: str) -> SpecifierSet | None:
    """``requires_python`` parsed (None: invalid); packages share a few texts (">=3.8")."""
    try:
        return SpecifierSet(requires_python)
    except InvalidSpecifier:
        return None
