"""The filter language the app's ``/`` box and ``djp packages --query`` both speak.

Plain words must all appear in a package's title, slug, description, participants or tags
(``"private messages"`` in double quotes is one word, spaces included);
``title:X``, ``description:X`` and ``participant:X`` look in one field only; a leading ``-``
leaves out what a word or qualifier matches (``-admin``, ``-is:rejected``).
Qualifiers narrow further: ``grid:SLUG`` (or id), ``cat:NAME`` (or id), ``tag:X``,
``is:FLAG``, and what PyPI says: ``django:5.2`` (ready: yes), ``django:5.2:no`` (or
``:undeclared``, ``:unknown``, ``:n/a``), ``py:3.13`` (likewise) and ``license:MIT``. A word
that looks like a qualifier but names none is refused, with one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from catalog.api import canonical_name, pypi_name
from catalog.errors import UserError
from catalog.pypi.verdicts import VERDICT_WORDS
from catalog.read.rows import Row, RowIndex, sort_rows
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
    "django": "django:5.2 — ready for Django 5.2 (:no, :undeclared, :unknown, :n/a)",
    "py": "py:3.13 — ready for Python 3.13 (py:3.13:no, py:3.13:undeclared)",
    "license": "license:MIT — PyPI licence (license:BSD matches BSD-3-Clause)",
    "stack": "stack:NAME — a dependency of your stack NAME (djp stack)",
    "title": "title:X — X in the title (description:X, participant:X likewise)",
    '"': '"two words" — the phrase as written (title:"django messages" too)',
    "-": "-word or -QUALIFIER:X — leave out what matches (-is:rejected)",
}
#: Entries of ``QUALIFIERS`` that are written alone, not as ``NAME:``.
MARKS = ("-", '"')
VERDICTS = VERDICT_WORDS
_FEATURE = re.compile(r"^\d+\.\d+$")
_QUALIFIER = re.compile(r"^[a-z_]+$")


class FilterError(UserError):
    """A filter the user typed that cannot be understood; one line."""


#: Qualifiers that look for text in one field of a package (``title:admin``).
FIELDS = {
    "title": lambda r: r.view.record.title.casefold(),
    "description": lambda r: r.view.record.repo_description.casefold(),
    "participant": lambda r: " ".join(r.view.record.participants).casefold(),
}
FIELD_ALIASES = {"desc": "description", "by": "participant", "participants": "participant"}


@dataclass(frozen=True)
class Clause:
    """One term of a filter: a plain word, or a qualifier and its value; ``negated`` when
    written with a leading ``-`` (``-word``, ``-is:rejected``)."""

    name: str  # "word", or a qualifier: grid cat tag is django py license stack title ...
    value: object
    negated: bool = False


@dataclass
class Filter:
    clauses: list[Clause] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """The text the user looks for (plain words and field values, not negated): what
        the app highlights and what relevance is judged by."""
        return [
            str(c.value)
            for c in self.clauses
            if not c.negated and (c.name == "word" or c.name in FIELDS)
        ]


def _readiness(name: str, value: str) -> tuple[str, str]:
    version, _, verdict = value.partition(":")
    verdict = verdict or "yes"
    if not _FEATURE.match(version) or verdict not in VERDICTS:
        raise FilterError(
            f"{name}:{value} is not a filter; try {name}:{'5.2' if name == 'django' else '3.13'}"
            f" or add :no, :undeclared, :unknown or :n/a"
        )
    return version, verdict


def _clause(token: str, negated: bool) -> Clause:
    name, sep, value = token.partition(":")
    name = FIELD_ALIASES.get(name, name)
    if not sep or not value:
        return Clause("word", token.casefold(), negated)
    if name == "grid":
        return Clause("grid", value.casefold(), negated)
    if name in ("cat", "category"):
        return Clause("cat", value.casefold(), negated)
    if name == "tag":
        return Clause("tag", value.casefold(), negated)
    if name == "is":
        if value not in IS_WORDS:
            raise FilterError(f"is:{value} is not a filter; try is:{', is:'.join(IS_WORDS)}")
        return Clause("is", value, negated)
    if name in ("django", "py"):
        return Clause(name, _readiness(name, value), negated)
    if name in ("license", "licence"):
        return Clause("license", value.casefold(), negated)
    if name == "stack":
        return Clause("stack", value, negated)
    if name in FIELDS:
        return Clause(name, value.casefold(), negated)
    if _QUALIFIER.match(name) and not value.startswith("/"):
        known = ", ".join(f"{q}:" for q in QUALIFIERS if q not in MARKS)
        raise FilterError(f"{name}: is not a filter qualifier; use {known}")
    return Clause("word", token.casefold(), negated)


#: A term: a phrase in double quotes (``"private messages"``, also after ``-`` or a
#: qualifier: ``title:"django messages"``; the closing quote may be left off while typing), or
#: a run of non-spaces.
_TERM = re.compile(r'(-?(?:[A-Za-z_]+:)?)"([^"]*)"?|(\S+)')


def _terms(text: str) -> list[str]:
    terms = (
        m[3] if m[3] is not None else m[1] + " ".join(m[2].split()) for m in _TERM.finditer(text)
    )
    return [t for t in terms if t.strip()]  # an empty phrase looks for nothing


def parse_filter(text: str) -> Filter:
    """``text`` as clauses, all of which a row must satisfy. A leading ``-`` negates a
    word or a qualifier; a lone ``-`` is a word; a phrase in double quotes is one word."""
    result = Filter()
    for token in _terms(text):
        negated = token.startswith("-") and len(token) > 1
        result.clauses.append(_clause(token[1:] if negated else token, negated))
    return result


def plain_words(text: str) -> list[str]:
    """The words a filter looks for (what the app highlights in titles); [] if it is not
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
    """yes, no, undeclared, unknown or n/a: the row's readiness for Django ``version``
    (unknown before PyPI was asked)."""
    return row.pypi.django(version).verdict if row.pypi else "unknown"


def stack_names(index: RowIndex, name: str) -> set[str]:
    """The PyPI names of a stack's dependencies (``catalog.stacks.judge``)."""
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


def _test(index: RowIndex, clause: Clause) -> Callable[[Row], bool]:
    """What a row must satisfy for ``clause`` (before its negation)."""
    value = clause.value
    match clause.name:
        case "word":
            found = _finder(value)
            return lambda r: found(r.haystack)
        case "grid":
            return lambda r: value in r.grids
        case "cat":
            return lambda r: r.category.casefold() == value or str(r.view.record.category) == value
        case "tag":
            return lambda r: value in (t.casefold() for t in r.view.tags)
        case "is":
            return lambda r: has_flag(r, value, index.now)
        case "django":
            version, verdict = value
            return lambda r: django_word(r, version) == verdict
        case "py":
            version, verdict = value
            return lambda r: (r.pypi.python(version).verdict if r.pypi else "unknown") == verdict
        case "license":
            return lambda r: has_license(r, value)
        case "stack":
            names = stack_names(index, value)
            return lambda r: canonical_name(pypi_name(r.view.record.pypi_url)) in names
    text_of, found = FIELDS[clause.name], _finder(value)
    return lambda r: found(text_of(r))


def _finder(value: str) -> Callable[[str], bool]:
    """Whether a text holds ``value``; the spaces of a phrase match any run of white space
    (a description may break a line between its two words)."""
    if " " not in value:
        return lambda text: value in text
    pattern = re.compile(r"\s+".join(map(re.escape, value.split(" "))))
    return lambda text: pattern.search(text) is not None


def filter_rows(index: RowIndex, text: str) -> list[Row]:
    """The rows of ``index`` that ``text`` selects, in no particular order."""
    f = parse_filter(text)
    vanished = any(c.name == "is" and c.value == "vanished" and not c.negated for c in f.clauses)
    rows = list(index.vanished_rows.values() if vanished else index.rows.values())
    for clause in f.clauses:
        test = _test(index, clause)
        rows = [r for r in rows if test(r) != clause.negated]
    return rows


def relevance(row: Row, words: list[str]) -> int:
    """How well ``row`` answers the words typed: a title or slug that is the word counts
    most, then one of their words that is it (``rest`` in django-rest-framework), one that
    starts with it (``restrictor``), any other place in them, then the description; the rest
    (participants, tags) least."""
    title, slug, names, description = row.names()
    score = 0
    for word in words:
        if word in (title, slug):
            score += 100
        elif f" {word} " in names:
            score += 60
        elif f" {word}" in names:
            score += 30
        elif word in title or word in slug:
            score += 20
        elif word in description:
            score += 5
        else:
            score += 1
    return score


def select(
    index: RowIndex, text: str, sort: str = "title", descending: bool = False, django: str = ""
) -> list[Row]:
    """The rows ``text`` selects, sorted by ``sort`` (``"relevance"``: to the words typed;
    by title when there are none)."""
    rows = filter_rows(index, text)
    words = parse_filter(text).words
    if sort == "relevance" and not words:
        sort, descending = "title", False
    return sort_rows(rows, sort, descending, django, relevance=lambda r: relevance(r, words))
