"""The event vocabulary of the djp log: msgspec Structs in one tagged union.

Rules for changing this file (the log is forever):
- never reuse or rename a tag; new fields get defaults;
- a change that old envelopes cannot decode into bumps ``SCHEMA_VERSION`` and adds an
  upcaster in ``eventstore.upcast``;
- no ``array_like``: stored events are maps, so added fields stay readable.

The normalized upstream records (``Package``, ``Grid``, ``Category``) live here too because
events carry them; decoding the raw API shapes into them is ``catalog``'s job.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import msgspec

#: Version of the envelope + event layout written by this code.
#: 1: the first prototype (``SyncStarted.base_url``, no ``SyncStarted.kind``).
#: 2: ``SyncStarted.source`` (a URL or ``snapshot:...``) and ``SyncStarted.kind``.
SCHEMA_VERSION = 2

Resource = Literal["package", "grid", "category"]


class Package(msgspec.Struct, kw_only=True, tag="package"):
    """A package as the API described it, with references turned into ids."""

    id: int
    title: str
    slug: str
    category: int | None = None
    grids: list[int] = []
    repo_url: str = ""
    repo_description: str = ""
    repo_watchers: int = 0
    repo_forks: int = 0
    pypi_url: str = ""
    pypi_version: str | None = None
    documentation_url: str | None = None
    last_updated: datetime | None = None
    created: datetime | None = None
    modified: datetime | None = None
    commits_over_52: list[int] = []
    participants: list[str] = []


class Grid(msgspec.Struct, kw_only=True, tag="grid"):
    """A grid (comparison list) with its package ids, fetched or not."""

    id: int
    title: str
    slug: str
    description: str = ""
    is_locked: bool = False
    header: bool = False
    packages: list[int] = []
    created: datetime | None = None
    modified: datetime | None = None


class Category(msgspec.Struct, kw_only=True, tag="category"):
    id: int
    title: str
    slug: str
    description: str = ""
    title_plural: str = ""
    show_pypi: bool = False
    created: datetime | None = None
    modified: datetime | None = None


Record = Package | Grid | Category


class FieldChange(msgspec.Struct):
    """One field's value before and after a change."""

    before: Any
    after: Any


class SyncCounts(msgspec.Struct, kw_only=True):
    requests: int = 0
    bytes: int = 0
    records: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    vanished: int = 0
    skipped: int = 0
    returned: int = 0  # seen again after vanishing
    duplicates: int = 0  # records a listing returned more than once


class SkippedRecord(msgspec.Struct, kw_only=True):
    """An upstream record that failed validation: not stored, reported."""

    resource: Resource
    id: int | None
    reason: str


# --- sync -------------------------------------------------------------------------------


class SyncStarted(msgspec.Struct, kw_only=True, tag="SyncStarted"):
    """A sync began. ``source`` is the base URL, or ``snapshot:<name>`` for the shipped one."""

    sync_id: str
    source: str
    kind: Literal["full", "package", "snapshot"] = "full"


class SyncFinished(msgspec.Struct, kw_only=True, tag="SyncFinished"):
    sync_id: str
    source: str
    outcome: Literal["complete", "partial", "failed"]
    counts: SyncCounts
    duration_s: float
    error: str | None = None
    skipped: list[SkippedRecord] = []
    warnings: list[str] = []  # what upstream did that djp did not trust (see catalog.upstream.sync)


# --- upstream ---------------------------------------------------------------------------


class RecordSeen(msgspec.Struct, kw_only=True, tag="RecordSeen"):
    """An upstream record seen for the first time, or again after it had vanished."""

    resource: Resource
    record: Record
    sync_id: str
    again: bool = False


class RecordChanged(msgspec.Struct, kw_only=True, tag="RecordChanged"):
    """An upstream record whose fields changed since it was last seen."""

    resource: Resource
    id: int
    changes: dict[str, FieldChange]
    sync_id: str


class RecordVanished(msgspec.Struct, kw_only=True, tag="RecordVanished"):
    """A record absent from a complete listing, or answering 404 on a refresh."""

    resource: Resource
    id: int
    sync_id: str


# --- PyPI ----------------------------------------------------------------------------------


class Advisory(msgspec.Struct, kw_only=True):
    """One known vulnerability of a release (PYSEC and GHSA ids of one CVE are one advisory)."""

    id: str
    aliases: list[str] = []
    fixed_in: list[str] = []
    summary: str = ""


class PypiFacts(msgspec.Struct, kw_only=True):
    """What PyPI says of a project that djp records: the inputs of its readiness rules, not
    their verdicts (rules can change without rewriting the log). Never ``last_serial`` or
    download counters, which change without anything worth recording."""

    name: str
    latest: str = ""
    released: datetime | None = None  # the first upload of the latest release
    releases: dict[str, datetime] = {}  # version -> its first upload (every one, up to 50,000)
    releases_left_out: int = 0  # older releases past the 50,000 kept (a hostile document)
    releases_complete: bool = False  # every release kept (facts before December 2026: 500)
    license_expression: str = ""
    license: str = ""  # the first 200 characters of ``info.license``
    license_is_long: bool = False
    classifiers: list[str] = []
    requires_dist: list[str] = []
    requires_python: str = ""
    yanked: bool = False
    yanked_reason: str = ""
    vulnerabilities: list[Advisory] = []
    vulnerabilities_left_out: int = 0  # past the advisories kept a release (1,000)
    yanked_versions: dict[str, str] = {}  # version -> reason, for releases whose files are all


class PypiObserved(msgspec.Struct, kw_only=True, tag="PypiObserved"):
    """PyPI said something new of a package's project: its facts, or that it has none."""

    target: str  # package:3324
    name: str  # the normalized PyPI name asked for
    state: Literal["ok", "missing"]
    facts: PypiFacts | None = None


class ReleaseObserved(msgspec.Struct, kw_only=True, tag="ReleaseObserved"):
    """What PyPI said of one release a stack pins (``/pypi/NAME/VERSION/json``): whether it
    is yanked, the advisories that affect it (withdrawn ones dropped, one per alias group)
    and the metadata the readiness rules read (its Django and Python classifiers, its
    requirements), or that PyPI has no such release. Events written before the metadata was
    recorded decode with ``metadata=False``: the pin is then judged by the latest release."""

    target: str  # package:3324, or pypi:NAME for a project the catalogue does not list
    name: str  # the normalized PyPI name
    version: str
    state: Literal["ok", "missing"]
    yanked: bool = False
    yanked_reason: str = ""
    vulnerabilities: list[Advisory] = []
    vulnerabilities_left_out: int = 0  # past the advisories kept a release (1,000)
    metadata: bool = False  # the three fields below were recorded
    classifiers: list[str] = []  # only "Framework :: Django..." and "Programming Language..."
    requires_dist: list[str] = []
    requires_python: str = ""


# --- local -------------------------------------------------------------------------------


class Edited(msgspec.Struct, kw_only=True, tag="Edited"):
    """A user's edit of one target (``package:3324``, ``grid:222``, ``localgrid:mine``).

    ``changes`` holds, per field, the value shown before and the value set. A field named in
    ``revert`` is no longer yours: its override is dropped and upstream's value shows again,
    now and after later syncs (``after`` records upstream's value at the time). Events
    written before ``revert`` existed decode with none.
    """

    target: str
    changes: dict[str, FieldChange]
    note: str | None = None
    revert: list[str] = []


class Undone(msgspec.Struct, kw_only=True, tag="Undone"):
    """The edit (or redo) at ``edit_seq`` no longer applies; upstream data is untouched."""

    target: str
    edit_seq: int
    edit_id: str = ""  # the undone event's id, so an exported undo finds its edit elsewhere


class Redone(msgspec.Struct, kw_only=True, tag="Redone"):
    """The undone edit at ``edit_seq`` applies again, as this new event (itself undoable)."""

    target: str
    edit_seq: int
    changes: dict[str, FieldChange]
    edit_id: str = ""
    revert: list[str] = []  # as the redone edit's


Event = (
    SyncStarted
    | SyncFinished
    | RecordSeen
    | RecordChanged
    | RecordVanished
    | Edited
    | Undone
    | Redone
    | PypiObserved
    | ReleaseObserved
)

EVENT_TYPES: dict[str, type] = {cls.__struct_config__.tag: cls for cls in Event.__args__}


class Envelope(msgspec.Struct, kw_only=True):
    """What the log stores for one event."""

    seq: int
    id: uuid.UUID
    stream: str
    version: int
    recorded_at: datetime
    schema: int
    event: Event

    @property
    def type(self) -> str:
        return type(self.event).__struct_config__.tag


def event_type(event: Event) -> str:
    return type(event).__struct_config__.tag
