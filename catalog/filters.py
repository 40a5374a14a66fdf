"""The filter language the app's ``/`` box and ``djp packages --query`` both speak.

Plain words must all appear in a package's title, slug, description, participants or tags.
Qualifiers narrow further: ``grid:SLUG`` (or id), ``cat:NAME`` (or id), ``tag:X``,
``is:FLAG``, and what PyPI says: ``django:5.2`` (ready: yes), ``django:5.2:no`` (or
``:unknown``), ``py:3.13`` (likewise) and ``license:MIT``. A word that looks like a qualifier
but names none is refused, with one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from packaging.utils import canonicalize_name

from catalog.api import pypi_name
from catalog.errors import UserError
from catalog.rows import Row, RowIndex
from projections.stacks import stack_view

IS_WORDS = (
    "edited",
    "stale",
    "shortlisted",
    "using",
    "evaluating",
    "rejected",
    "conflict",
    "vanished",
    "starred",
    "vulnerable",
    "yanked",
    "inactive",
    "unreleased",
    "not-on-pypi",
)
#: Every qualifier, with what it does (the help screen and the README list these).
QUALIFIERS = {
    "grid": "grid:SLUG or grid:ID — in that grid",
    "cat": "cat:NAME or cat:ID — in that category (category: works too)",
    "tag": "tag:X — tagged X by you",
    "is": "is:" + "|".join(IS_WORDS),
    "django": "django:5.2 — ready for Django 5.2 (django:5.2:no, django:5.2:unknown)",
    "py": "py:3.13 — ready for Python 3.13 (py:3.13:no, py:3.13:unknown)",
    "license": "license:MIT — PyPI licence (license:BSD matches BSD-3-Clause)",
    "stack": "stack:NAME — a dependency of your stack NAME (djp stack)",
}
VERDICTS = ("yes", "no", "unknown")
_FEATURE = re.compile(r"^\d+\.\d+$")
_QUALIFIER = re.compile(r"^[a-z_]+$")


class FilterError(UserError):
    """A filter the user typed that cannot be understood; one line."""


@dataclass
class Filter:
    words: list[str] = field(default_factory=list)
    grid: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    django: list[tuple[str, str]] = field(default_factory=list)  # (feature version, verdict)
    python: list[tuple[str, str]] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)
    stacks: list[str] = field(default_factory=list)


def _readiness(name: str, value: str) -> tuple[str, str]:
    version, _, verdict = value.partition(":")
    verdict = verdict or "yes"
    if not _FEATURE.match(version) or verdict not in VERDICTS:
        raise FilterError(
            f"{name}:{value} is not a filter; try {name}:{'5.2' if name == 'django' else '3.13'}"
            f" or add :no or :unknown"
        )
    return version, verdict


def parse_filter(text: str) -> Filter:
    result = Filter()
    for token in text.split():
        name, sep, value = token.partition(":")
        if not sep or not value:
            result.words.append(token.casefold())
        elif name == "grid":
            result.grid = value.casefold()
        elif name in ("cat", "category"):
            result.category = value.casefold()
        elif name == "tag":
            result.tags.append(value.casefold())
        elif name == "is":
            if value not in IS_WORDS:
                raise FilterError(f"is:{value} is not a filter; try is:{', is:'.join(IS_WORDS)}")
            result.flags.append(value)
        elif name in ("django", "py"):
            target = result.django if name == "django" else result.python
            target.append(_readiness(name, value))
        elif name in ("license", "licence"):
            result.licenses.append(value.casefold())
        elif name == "stack":
            result.stacks.append(value)
        elif _QUALIFIER.match(name) and not value.startswith("/"):
            known = ", ".join(f"{q}:" for q in QUALIFIERS)
            raise FilterError(f"{name}: is not a filter qualifier; use {known}")
        else:
            result.words.append(token.casefold())
    return result


def plain_words(text: str) -> list[str]:
    """The plain words of a filter (what the app highlights in titles); [] if it is not
    understood."""
    try:
        return parse_filter(text).words
    except FilterError:
        return []


def has_flag(row: Row, flag: str, now: datetime) -> bool:
    v = row.view
    d = row.pypi
    match flag:
        case "edited":
            return bool(v.overridden)
        case "stale":
            return row.stale
        case "conflict":
            return bool(v.conflicts)
        case "starred":
            return v.status in ("shortlisted", "using")
        case "vanished":
            return v.vanished
        case "vulnerable":
            return d is not None and bool(d.advisories)
        case "yanked":
            return d is not None and d.yanked
        case "inactive":
            return d is not None and d.inactive
        case "unreleased":  # on PyPI, and its latest release is older than a year
            return (
                d is not None
                and d.facts is not None
                and (d.released is None or now - d.released > timedelta(days=365))
            )
        case "not-on-pypi":
            return not pypi_name(v.record.pypi_url) or (d is not None and d.state == "missing")
    return v.status == flag


def django_word(row: Row, version: str) -> str:
    """yes, no or unknown: the row's readiness for Django ``version`` (unknown before PyPI
    was asked)."""
    return row.pypi.django(version).verdict if row.pypi else "unknown"


def stack_names(index: RowIndex, name: str) -> set[str]:
    """The PyPI names of a stack's dependencies (``catalog.stack``)."""
    view = stack_view(index.tables, name)
    if view is None or view.forgotten:
        raise FilterError(f"stack:{name}: no such stack (djp stack --list shows them)")
    return set(view.deps)


_LICENSE_WORDS = re.compile(r"[\s()]+")


def has_license(row: Row, wanted: str) -> bool:
    """``license:BSD`` matches BSD, BSD-3-Clause and "MIT OR BSD-3-Clause"."""
    if row.pypi is None or not row.pypi.license:
        return False
    for word in _LICENSE_WORDS.split(row.pypi.license.casefold()):
        if word == wanted or word.startswith(wanted + "-"):
            return True
    return False


def filter_rows(index: RowIndex, text: str) -> list[Row]:
    """The rows of ``index`` that ``text`` selects, in no particular order."""
    f = parse_filter(text)
    rows = list(index.vanished_rows.values() if "vanished" in f.flags else index.rows.values())
    if f.grid is not None:
        rows = [r for r in rows if f.grid in r.grids]
    if f.category is not None:
        rows = [
            r
            for r in rows
            if r.category.casefold() == f.category or str(r.view.record.category) == f.category
        ]
    for tag in f.tags:
        rows = [r for r in rows if tag in (t.casefold() for t in r.view.tags)]
    for flag in f.flags:
        rows = [r for r in rows if has_flag(r, flag, index.now)]
    for version, verdict in f.django:
        rows = [r for r in rows if django_word(r, version) == verdict]
    for version, verdict in f.python:
        rows = [
            r for r in rows if (r.pypi.python(version).verdict if r.pypi else "unknown") == verdict
        ]
    for wanted in f.licenses:
        rows = [r for r in rows if has_license(r, wanted)]
    for name in f.stacks:
        names = stack_names(index, name)
        rows = [r for r in rows if canonicalize_name(pypi_name(r.view.record.pypi_url)) in names]
    for word in f.words:
        rows = [r for r in rows if word in r.haystack]
    return rows
