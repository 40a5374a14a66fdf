"""The Django Packages API v4 as it really answers, and its normalization into records.

The ``Api*`` Structs accept exactly what the API sends (nulls, ``""``, offset or naive
datetimes, ``?format=api`` links, ``commits_over_52`` of any length, empty lists) and refuse
wrong types. ``normalize_*`` turns references into ids and naive datetimes into aware ones
(the site runs on New York time); text is kept exactly as sent.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import msgspec

from eventstore import Category, Grid, Package, Record

SITE_ZONE = ZoneInfo("America/New_York")
RESOURCES: tuple[Literal["category", "grid", "package"], ...] = ("category", "grid", "package")
PATHS = {"category": "categories", "grid": "grids", "package": "packages"}

_ID_IN_URL = re.compile(r"/(\d+)/?$")


class ApiPackage(msgspec.Struct, kw_only=True):
    id: int
    title: str
    slug: str
    category: str | None = None
    grids: list[str] = []
    repo_url: str = ""
    repo_description: str = ""
    repo_watchers: int = 0
    repo_forks: int = 0
    pypi_url: str = ""
    pypi_version: str | None = None
    documentation_url: str | None = None
    last_updated: datetime | None = None
    last_fetched: datetime | None = None
    created: datetime | None = None
    modified: datetime | None = None
    commits_over_52: list[int] = []
    participants: list[str] = []


class ApiGrid(msgspec.Struct, kw_only=True):
    id: int
    title: str
    slug: str
    description: str = ""
    is_locked: bool = False
    header: bool = False
    packages: list[str] = []
    created: datetime | None = None
    modified: datetime | None = None


class ApiCategory(msgspec.Struct, kw_only=True):
    id: int
    title: str
    slug: str
    description: str = ""
    title_plural: str = ""
    show_pypi: bool = False
    created: datetime | None = None
    modified: datetime | None = None


class ApiPage(msgspec.Struct):
    """One DRF limit/offset page; results stay raw so one bad record skips alone."""

    count: int
    results: list[msgspec.Raw]
    next: str | None = None
    previous: str | None = None


API_TYPES = {"package": ApiPackage, "grid": ApiGrid, "category": ApiCategory}
_decoders = {name: msgspec.json.Decoder(type_) for name, type_ in API_TYPES.items()}
page_decoder = msgspec.json.Decoder(ApiPage)


class RecordError(ValueError):
    """A record that does not validate: skipped and reported, the sync goes on."""


def id_from_url(url: str) -> int:
    """``https://.../api/v4/grids/71/?format=api`` -> 71."""
    path = urlsplit(url.strip()).path
    match = _ID_IN_URL.search(path)
    if not match:
        raise RecordError(f"reference {url!r} names no id")
    return int(match.group(1))


def aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=SITE_ZONE)


def pypi_name(pypi_url: str | None) -> str:
    """The PyPI project name from whatever ``pypi_url`` holds ("" when it names none)."""
    text = (pypi_url or "").strip()
    if not text:
        return ""
    if "://" not in text:
        return text.strip("/")
    parts = [unquote(p) for p in urlsplit(text).path.split("/") if p]
    for marker in ("project", "pypi"):
        if marker in parts:
            index = parts.index(marker)
            if index + 1 < len(parts):
                return parts[index + 1]
    return ""


def decode_record(resource: str, raw: bytes | msgspec.Raw) -> Record:
    """Validate one raw JSON record and normalize it; raises ``RecordError``."""
    try:
        api = _decoders[resource].decode(raw)
    except msgspec.ValidationError as exc:
        raise RecordError(str(exc)) from None
    except msgspec.DecodeError as exc:
        raise RecordError(f"not JSON: {exc}") from None
    return normalize(api)


def normalize(api: ApiPackage | ApiGrid | ApiCategory) -> Record:
    if isinstance(api, ApiPackage):
        return Package(
            id=api.id,
            title=api.title,
            slug=api.slug,
            category=id_from_url(api.category) if api.category else None,
            grids=[id_from_url(u) for u in api.grids],
            repo_url=api.repo_url,
            repo_description=api.repo_description,
            repo_watchers=api.repo_watchers,
            repo_forks=api.repo_forks,
            pypi_url=api.pypi_url,
            pypi_version=api.pypi_version,
            documentation_url=api.documentation_url,
            last_updated=aware(api.last_updated),
            created=aware(api.created),
            modified=aware(api.modified),
            commits_over_52=api.commits_over_52,
            participants=api.participants,
        )
    if isinstance(api, ApiGrid):
        return Grid(
            id=api.id,
            title=api.title,
            slug=api.slug,
            description=api.description,
            is_locked=api.is_locked,
            header=api.header,
            packages=[id_from_url(u) for u in api.packages],
            created=aware(api.created),
            modified=aware(api.modified),
        )
    return Category(
        id=api.id,
        title=api.title,
        slug=api.slug,
        description=api.description,
        title_plural=api.title_plural,
        show_pypi=api.show_pypi,
        created=aware(api.created),
        modified=aware(api.modified),
    )


def raw_id(raw: bytes | msgspec.Raw) -> int | None:
    """The ``id`` of a record that failed validation, if it has a usable one."""
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return None
    ident = value.get("id") if isinstance(value, dict) else None
    return ident if isinstance(ident, int) and not isinstance(ident, bool) else None
