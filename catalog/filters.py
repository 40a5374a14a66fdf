"""The filter language the app's ``/`` box and ``djp packages --query`` both speak.

Plain words must all appear in a package's title, slug, description, participants or tags.
Qualifiers narrow further: ``grid:SLUG`` (or id), ``cat:NAME`` (or id), ``tag:X`` and
``is:FLAG``. A word that looks like a qualifier but names none is refused, with one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.errors import UserError
from catalog.rows import Row, RowIndex

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
)
#: Every qualifier, with what it does (the help screen and the README list these).
QUALIFIERS = {
    "grid": "grid:SLUG or grid:ID — in that grid",
    "cat": "cat:NAME or cat:ID — in that category (category: works too)",
    "tag": "tag:X — tagged X by you",
    "is": "is:" + "|".join(IS_WORDS),
}
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
        elif _QUALIFIER.match(name) and not value.startswith("/"):
            known = ", ".join(f"{q}:" for q in QUALIFIERS)
            raise FilterError(f"{name}: is not a filter qualifier; use {known}")
        else:
            result.words.append(token.casefold())
    return result


def has_flag(row: Row, flag: str) -> bool:
    v = row.view
    if flag == "edited":
        return bool(v.overridden)
    if flag == "stale":
        return row.stale
    if flag == "conflict":
        return bool(v.conflicts)
    if flag == "starred":
        return v.status in ("shortlisted", "using")
    if flag == "vanished":
        return v.vanished
    return v.status == flag


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
        rows = [r for r in rows if has_flag(r, flag)]
    for word in f.words:
        rows = [r for r in rows if word in r.haystack]
    return rows
