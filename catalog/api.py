"""The Django Packages API v4 as it really answers, and its normalization into records.

The ``Api*`` Structs accept exactly what the API sends (nulls, ``""``, offset or naive
datetimes, ``?format=api`` links, ``commits_over_52`` of any length, empty lists) and refuse
wrong types. ``normalize_*`` turns references into ids and naive datetimes into aware ones
(the site runs on New York time); text is kept exactly as sent.

Upstream is not trusted: a record must also fit what the log can store. Integers fit in 64
bits, datetimes convert to UTC, slugs are short enough to be index keys, text and lists have
generous bounds (far above any real record). A record that does not is skipped and reported
like any invalid record, and the rest of its page lands.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import msgspec

from eventstore import Category, Grid, Package, Record

SITE_ZONE = ZoneInfo("America/New_York")
RESOURCES: tuple[Literal["category", "grid", "package"], ...] = ("category", "grid", "package")
PATHS = {"category": "categories", "grid": "grids", "package": "packages"}

_ID_IN_URL = re.compile(r"/(\d+)/?$")

# Bounds of what a record may hold (the API's own limits are far lower: slugs 50, titles 100).
MAX_ID = 2**63 - 1
SLUG_MAX = 100  # characters: at most 400 bytes, well inside LMDB's 511-byte keys
TITLE_MAX = 1_000
TEXT_MAX = 50_000
URL_MAX = 2_000
LIST_MAX = 10_000

Id = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]
Count = Annotated[int, msgspec.Meta(ge=-MAX_ID, le=MAX_ID)]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=SLUG_MAX)]
Title = Annotated[str, msgspec.Meta(max_length=TITLE_MAX)]
Text = Annotated[str, msgspec.Meta(max_length=TEXT_MAX)]
Url = Annotated[str, msgspec.Meta(max_length=URL_MAX)]
Urls = Annotated[list[Url], msgspec.Meta(max_length=LIST_MAX)]


class ApiPackage(msgspec.Struct, kw_only=True):
    id: Id
    title: Title
    slug: Slug
    category: Url | None = None
    grids: Urls = []
    repo_url: Url = ""
    repo_description: Text = ""
    repo_watchers: Count = 0
    repo_forks: Count = 0
    pypi_url: Url = ""
    pypi_version: Title | None = None
    documentation_url: Url | None = None
    last_updated: datetime | None = None
    last_fetched: datetime | None = None
    created: datetime | None = None
    modified: datetime | None = None
    commits_over_52: Annotated[list[Count], msgspec.Meta(max_length=LIST_MAX)] = []
    participants: Annotated[list[Title], msgspec.Meta(max_length=LIST_MAX)] = []


class ApiGrid(msgspec.Struct, kw_only=True):
    id: Id
    title: Title
    slug: Slug
    description: Text = ""
    is_locked: bool = False
    header: bool = False
    packages: Urls = []
    created: datetime | None = None
    modified: datetime | None = None


class ApiCategory(msgspec.Struct, kw_only=True):
    id: Id
    title: Title
    slug: Slug
    description: Text = ""
    title_plural: Title = ""
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
        raise RecordError(f"reference {url[:200]!r} names no id")
    ident = int(match.group(1))
    if ident > MAX_ID:
        raise RecordError(f"reference {url[:200]!r} names an id beyond 64 bits")
    return ident


def aware(value: datetime | None) -> datetime | None:
    """An aware datetime (naive ones are the site's local time) that converts to UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SITE_ZONE)
    try:
        value.astimezone(UTC)
        value.astimezone(SITE_ZONE)
    except (OverflowError, ValueError):
        raise RecordError(f"datetime {value.isoformat()} is out of range") from None
    return value


@functools.lru_cache(maxsize=16384)
def canonical_name(name: str) -> str:
    """PEP 503's normalized project name: ``packaging.utils.canonicalize_name``, imported on
    first use (packaging.utils loads packaging.tags, logging and subprocess: ~11 ms that every
    command paid at start)."""
    from packaging.utils import canonicalize_name

    return canonicalize_name(name)


@functools.lru_cache(maxsize=16384)  # asked per row by filters and summaries: 2 µs a URL
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
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise RecordError(f"not JSON: {exc}") from None
    except RecursionError:
        raise RecordError("not JSON this client accepts: nested too deep") from None
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


class _JustId(msgspec.Struct):
    id: Id


_id_decoder = msgspec.json.Decoder(_JustId)

#: How deep JSON may nest while djp only splits it apart or looks for an id (a record nested
#: deeper than Python's default limit is then skipped alone, not its whole page).
NESTING_ALLOWED = 5_000


@contextlib.contextmanager
def deep_nesting() -> Iterator[None]:
    """Let msgspec skip over deeply nested values (it counts Python's recursion limit)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, NESTING_ALLOWED))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def raw_id(raw: bytes | msgspec.Raw) -> int | None:
    """The ``id`` of a record that failed validation, if it has a usable one."""
    try:
        with deep_nesting():
            return _id_decoder.decode(raw).id
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
        return None
