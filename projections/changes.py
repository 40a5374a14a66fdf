"""What changed upstream between two points of the log (by default, the last two syncs)."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from eventstore import Envelope, RecordChanged, RecordSeen, RecordVanished


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


class Changes(msgspec.Struct, kw_only=True):
    from_seq: int
    to_seq: int
    new: list[int] = []
    returned: list[int] = []
    vanished: list[int] = []
    versions: list[VersionChange] = []
    watchers: list[WatcherGain] = []  # largest gains first
    changed: int = 0  # packages with any upstream change


def changes_between(
    envelopes: Iterable[Envelope], from_seq: int, to_seq: int, top: int = 20
) -> Changes:
    """Upstream package changes in the events after ``from_seq`` up to ``to_seq``."""
    new, returned, vanished = [], [], []
    versions: dict[int, list] = {}
    watchers: dict[int, list] = {}
    changed: set[int] = set()
    for envelope in envelopes:
        event = envelope.event
        if isinstance(event, RecordSeen) and event.resource == "package":
            (returned if event.again else new).append(event.record.id)
        elif isinstance(event, RecordVanished) and event.resource == "package":
            vanished.append(event.id)
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
    return Changes(
        from_seq=from_seq,
        to_seq=to_seq,
        new=sorted(new),
        returned=sorted(returned),
        vanished=sorted(vanished),
        versions=[VersionChange(i, b, a) for i, (b, a) in sorted(versions.items()) if a != b],
        watchers=gains[:top],
        changed=len(changed),
    )
