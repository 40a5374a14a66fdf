"""What changed upstream between two points of the log (by default, the last two syncs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import msgspec

from eventstore import (
    Envelope,
    FieldChange,
    PypiObserved,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    ReleaseObserved,
)
from projections.history import pypi_values
from projections.targets import Target


class VersionChange(msgspec.Struct):
    id: int
    before: str | None
    after: str | None


class WatcherGain(msgspec.Struct):
    id: int
    before: int
    after: int

    @property
    def gain(self) -> int:
        return self.after - self.before


class PypiChange(msgspec.Struct):
    id: int | None  # the catalogue package's, None for a stack's PyPI-only dependency
    changes: dict[str, FieldChange]  # pypi.latest, pypi.license... (projections.history)
    name: str = ""  # the PyPI name


class ReleaseChange(msgspec.Struct):
    """What changed for a release a stack pins: yanked, advisories added."""

    name: str
    version: str
    yanked: bool | None = None  # True: yanked now; False: no longer yanked; None: unchanged
    new_advisories: list[str] = []


class Changes(msgspec.Struct, kw_only=True):
    from_seq: int
    to_seq: int
    new: list[int] = []
    returned: list[int] = []
    vanished: list[int] = []
    versions: list[VersionChange] = []
    watchers: list[WatcherGain] = []  # largest gains first
    changed: int = 0  # packages with any upstream change
    pypi: list[PypiChange] = []  # what PyPI said changed, by package
    pypi_first: int = 0  # packages whose PyPI facts were recorded for the first time
    releases: list[ReleaseChange] = []  # pinned releases of stacks


#: The newest event of a stream matching a test, at or before an event, if any:
#: ``before(stream, seq, test)``.
PypiBefore = Callable[[str, int, Callable[[object], bool]], object | None]


def changes_between(
    envelopes: Iterable[Envelope],
    from_seq: int,
    to_seq: int,
    top: int = 20,
    pypi_before: PypiBefore | None = None,
) -> Changes:
    """Upstream package changes in the events after ``from_seq`` up to ``to_seq``; PyPI's
    are measured against ``pypi_before(target, from_seq)``."""
    new, returned, vanished = [], [], []
    pypi_first: dict[str, PypiObserved | None] = {}  # target -> what PyPI said before
    pypi_last: dict[str, PypiObserved] = {}
    release_first: dict[tuple[str, str], object | None] = {}
    release_last: dict[tuple[str, str], ReleaseObserved] = {}
    versions: dict[int, list] = {}
    watchers: dict[int, list] = {}
    changed: set[int] = set()
    for envelope in envelopes:
        event = envelope.event
        if isinstance(event, RecordSeen) and event.resource == "package":
            (returned if event.again else new).append(event.record.id)
        elif isinstance(event, RecordVanished) and event.resource == "package":
            vanished.append(event.id)
        elif isinstance(event, PypiObserved):
            if event.target not in pypi_first:
                before = (
                    pypi_before(event.target, from_seq, lambda e: isinstance(e, PypiObserved))
                    if pypi_before
                    else None
                )
                pypi_first[event.target] = before
            pypi_last[event.target] = event
        elif isinstance(event, ReleaseObserved):
            key = (event.name, event.version)
            if key not in release_first:

                def same(e, key=key) -> bool:
                    return isinstance(e, ReleaseObserved) and (e.name, e.version) == key

                release_first[key] = (
                    pypi_before(event.target, from_seq, same) if pypi_before else None
                )
            release_last[key] = event
        elif isinstance(event, RecordChanged) and event.resource == "package":
            changed.add(event.id)
            for name, bucket in (("pypi_version", versions), ("repo_watchers", watchers)):
                if name in event.changes:
                    change = event.changes[name]
                    if event.id in bucket:
                        bucket[event.id][1] = change.after
                    else:
                        bucket[event.id] = [change.before, change.after]
    gains = [
        WatcherGain(i, b or 0, a or 0) for i, (b, a) in watchers.items() if (a or 0) != (b or 0)
    ]
    gains.sort(key=lambda g: (-g.gain, g.id))
    pypi = []
    for target, after in pypi_last.items():
        before_values = pypi_values(pypi_first[target])
        after_values = pypi_values(after)
        if pypi_first[target] is None:
            continue
        diff = {
            name: FieldChange(before=before_values.get(name), after=after_values.get(name))
            for name in sorted(set(before_values) | set(after_values))
            if before_values.get(name) != after_values.get(name)
        }
        if diff:
            pypi.append(PypiChange(Target.parse(target).id, diff, after.name))
    pypi.sort(key=lambda c: (c.id is None, c.id or 0, c.name))
    releases = []
    for key, after in sorted(release_last.items()):
        before = release_first[key]
        if before is None:
            continue  # first facts of a release: nothing changed yet
        old_ids = {a.id for a in before.vulnerabilities}
        change = ReleaseChange(
            *key,
            yanked=after.yanked if after.yanked != before.yanked else None,
            new_advisories=[a.id for a in after.vulnerabilities if a.id not in old_ids],
        )
        if change.yanked is not None or change.new_advisories:
            releases.append(change)
    return Changes(
        pypi=pypi,
        releases=releases,
        pypi_first=sum(1 for before in pypi_first.values() if before is None),
        from_seq=from_seq,
        to_seq=to_seq,
        new=sorted(new),
        returned=sorted(returned),
        vanished=sorted(vanished),
        versions=[VersionChange(i, b, a) for i, (b, a) in sorted(versions.items()) if a != b],
        watchers=gains[:top],
        changed=len(changed),
    )
