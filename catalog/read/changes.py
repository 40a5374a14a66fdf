"""The syncs in the log and what each one changed upstream."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from catalog.catalog import Catalog
from catalog.read.lookup import QueryError
from eventstore import SyncFinished, SyncStarted
from projections.changes import Changes, changes_between


@dataclass
class SyncRun:
    sync_id: str
    started_seq: int
    finished_seq: int | None
    source: str
    outcome: str | None
    recorded_at: datetime


def sync_runs(catalog: Catalog) -> list[SyncRun]:
    """Every sync the log holds, oldest first (``finished_seq`` is None for one cut short)."""
    runs: dict[str, SyncRun] = {}
    for e in catalog.stream("sync"):
        if isinstance(e.event, SyncStarted):
            runs[e.event.sync_id] = SyncRun(
                e.event.sync_id, e.seq, None, e.event.source, None, e.recorded_at
            )
        elif isinstance(e.event, SyncFinished) and e.event.sync_id in runs:
            run = runs[e.event.sync_id]
            run.finished_seq, run.outcome = e.seq, e.event.outcome
    return list(runs.values())


def what_changed(catalog: Catalog, older: str | None = None, newer: str | None = None) -> Changes:
    """Upstream changes between the ends of two syncs (default: the last two)."""
    runs = [r for r in sync_runs(catalog) if r.finished_seq is not None]
    if not runs:
        raise QueryError("no sync has finished yet (try djp sync)")

    def pick(key: str) -> SyncRun:
        found = [r for r in runs if r.sync_id.startswith(key) or str(r.finished_seq) == key]
        if not found:
            raise QueryError(f"no finished sync {key!r}; djp log --json lists them")
        return found[-1]

    end = pick(newer) if newer else runs[-1]
    # what came after the sync before it (its PyPI fetch included) is that one's
    start_seq = pick(older).finished_seq if older else end.started_seq - 1
    # a sync's PyPI facts are fetched after its catalogue: its report runs up to the next sync
    later = [r.started_seq for r in sync_runs(catalog) if r.started_seq > end.finished_seq]
    end_seq = later[0] - 1 if later else catalog.store.last_seq

    def pypi_before(stream: str, seq: int, test) -> object | None:
        found = None
        for envelope in catalog.stream(stream):
            if envelope.seq > seq:
                break
            if test(envelope.event):
                found = envelope.event
        return found

    return changes_between(
        catalog.events(start_seq + 1, end_seq), start_seq, end_seq, pypi_before=pypi_before
    )
