"""What an edit may change and how each value is checked: the one validator for every way
an edit arrives (``djp edit``, the app's forms, ``import-edits``).

Each field's parser takes the value as typed (text from the command line, typed values from
the app) and returns the value to store, or raises ``EditError`` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from catalog.errors import UserError
from catalog.read.lookup import find_category
from eventstore import FieldChange
from projections.fold import Tables
from projections.view import STATUSES

TITLE_MAX = 100
DESCRIPTION_MAX = {"package": 5000, "grid": 1000}
NOTES_MAX = 10_000
TAGS_MAX, TAG_MAX = 30, 40
URL_MAX = 500
TAG = re.compile(r"^[^\s,\x00-\x1f]+$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")

READ_ONLY = {
    "package": {
        "id",
        "slug",
        "repo_watchers",
        "repo_forks",
        "commits_over_52",
        "participants",
        "last_updated",
        "created",
        "modified",
        "pypi_version",
        "grids",
    },
    "grid": {"id", "slug", "is_locked", "header", "packages", "created", "modified"},
}


class EditError(UserError):
    """An edit that was refused; nothing was appended. ``field`` names the field at fault."""


def _checked(name: str, value: Any, limit: int) -> str:
    """``value`` if it is text within ``limit`` characters; else the refusal, naming ``name``."""
    if not isinstance(value, str):
        raise EditError(f"{name} must be text", field=name)
    if len(value) > limit:
        raise EditError(f"{name} is {len(value):,} characters; the limit is {limit:,}", field=name)
    return value


def _text(name: str, limit: int, *, required: bool = False, single_line: bool = True):
    def parse(value: Any, tables: Tables) -> str:
        value = _checked(name, value, limit)
        if required and not value.strip():
            raise EditError(f"{name} cannot be empty", field=name)
        if single_line and ("\n" in value or "\r" in value):
            raise EditError(f"{name} must be one line", field=name)
        return value

    return parse


def _url(name: str, *, nullable: bool = False):
    def parse(value: Any, tables: Tables) -> str | None:
        if value is None and nullable:
            return None
        value = _checked(name, value, URL_MAX).strip()
        if value == "":
            return ""  # clears it
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            raise EditError(f"{name} must be an http(s) URL, not {value!r}", field=name)
        return value

    return parse


def _pypi(value: Any, tables: Tables) -> str:
    value = _checked("pypi_url", value, URL_MAX).strip()
    if value and "://" in value:
        return _url("pypi_url")(value, tables)
    if value and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
        raise EditError(
            f"pypi_url must be a PyPI project name or an http(s) URL, not {value!r}",
            field="pypi_url",
        )
    return value


def _category(value: Any, tables: Tables) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        key = str(value)
    elif isinstance(value, str):
        key = value.strip()
    else:
        raise EditError("category must be a category id or name", field="category")
    found = find_category(tables, key)
    if found is None:
        raise EditError(
            f"category must be a known category id or name, not {key!r}", field="category"
        )
    return found


def _tags(value: Any, tables: Tables) -> list[str]:
    if isinstance(value, str):
        items = [t.strip() for t in value.split(",")]
    elif isinstance(value, list | tuple | set):
        items = [str(t).strip() for t in value]
    else:
        raise EditError("tags must be a comma-separated list", field="tags")
    tags = sorted({t for t in items if t})
    for tag in tags:
        if len(tag) > TAG_MAX or not TAG.match(tag):
            raise EditError(
                f"tag {tag!r} must be one word of at most {TAG_MAX} characters", field="tags"
            )
    if len(tags) > TAGS_MAX:
        raise EditError(f"{len(tags)} tags; the limit is {TAGS_MAX}", field="tags")
    return tags


def _status(value: Any, tables: Tables) -> str:
    if value not in STATUSES:
        raise EditError(
            f"status must be one of {', '.join(STATUSES)}, not {value!r}", field="status"
        )
    return value


Parser = Callable[[Any, Tables], Any]

PACKAGE_FIELDS: dict[str, Parser] = {
    "title": _text("title", TITLE_MAX, required=True),
    "repo_description": _text("repo_description", DESCRIPTION_MAX["package"], single_line=False),
    "category": _category,
    "documentation_url": _url("documentation_url", nullable=True),
    "repo_url": _url("repo_url"),
    "pypi_url": _pypi,
    "notes": _text("notes", NOTES_MAX, single_line=False),
    "tags": _tags,
    "status": _status,
}
GRID_FIELDS: dict[str, Parser] = {
    "title": _text("title", TITLE_MAX, required=True),
    "description": _text("description", DESCRIPTION_MAX["grid"], single_line=False),
    "notes": _text("notes", NOTES_MAX, single_line=False),
}
MEMBERS_MAX = 10_000


def _members(name: str) -> Parser:
    def parse(value: Any, tables: Tables) -> list[int]:
        ok = isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**63 for v in value
        )
        if not ok:
            raise EditError(f"{name} must be a list of package ids", field=name)
        if len(value) > MEMBERS_MAX:
            raise EditError(f"{name} lists {len(value):,} packages; the limit is {MEMBERS_MAX:,}")
        return sorted(set(value))

    return parse


def _exists(value: Any, tables: Tables) -> bool:
    if not isinstance(value, bool):
        raise EditError("exists must be true or false", field="exists")
    return value


#: What a grid's own edits change besides its fields: its members, and (for your own grids)
#: whether it exists. Commands build these; an imported edit is checked against them.
GRID_OVERLAY_FIELDS: dict[str, Parser] = {
    "added": _members("added"),
    "removed": _members("removed"),
}


def fields_for(kind: str) -> dict[str, Parser]:
    """Every field an edit of this kind of target may change (``Target.kind``)."""
    if kind == "package":
        return PACKAGE_FIELDS
    if kind == "grid":
        return GRID_FIELDS | GRID_OVERLAY_FIELDS
    if kind == "localgrid":
        return GRID_FIELDS | GRID_OVERLAY_FIELDS | {"exists": _exists}
    raise EditError(f"a {kind} cannot be edited")


def field_changes(
    current: Mapping[str, Any],
    fields: Mapping[str, Any],
    allowed: dict[str, Parser],
    resource: str,
    tables: Tables,
) -> dict[str, FieldChange]:
    if not fields:
        raise EditError("name at least one FIELD=VALUE to change")
    changes = {}
    for name, raw in fields.items():
        if name in READ_ONLY.get(resource, ()):
            raise EditError(f"{name} is read-only: it is fetched from upstream", field=name)
        if name not in allowed:
            raise EditError(
                f"{resource} has no editable field {name!r}; editable: {', '.join(allowed)}",
                field=name,
            )
        value = allowed[name](raw, tables)
        if current.get(name) != value:
            changes[name] = FieldChange(before=current.get(name), after=value)
    if not changes:
        shown = ", ".join(f"{n} is already {current.get(n)!r}" for n in fields)
        raise EditError(f"that edit changes nothing: {shown}")
    return changes


def check_note(note: str | None) -> str | None:
    if note is not None and len(note) > 1000:
        raise EditError(f"the note is {len(note):,} characters; the limit is 1,000", field="note")
    return note or None
