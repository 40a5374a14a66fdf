"""History, "what changed", and moving local edits between stores."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from catalog.queries import QueryError, find_grid, find_package
from catalog.service import Catalog
from eventstore import Edited, Redone, SyncFinished, SyncStarted, Undone
from projections.changes import Changes, changes_between
from projections.history import HistoryItem, history

LOCAL_TYPES = {"Edited": Edited, "Undone": Undone, "Redone": Redone}


def syncs(catalog: Catalog) -> dict[str, SyncStarted]:
    return {
        e.event.sync_id: e.event
        for e in catalog.store.read_stream("sync")
        if isinstance(e.event, SyncStarted)
    }


def target_history(
    catalog: Catalog, key: str, *, grid: bool = False, as_of: int | None = None
) -> tuple[str, list[HistoryItem]]:
    """(target key, history items) of a package (or grid), optionally as of event N."""
    resource = "grid" if grid else "package"
    target = catalog.projection.lookup(resource, key)
    if target is None and grid:
        local = key if key.startswith("localgrid:") else f"localgrid:{key}"
        target = local if catalog.store.stream_version(local) else None
    if target is None:
        raise QueryError(f"no {resource} {key!r} in the catalogue")
    envelopes = [e for e in catalog.store.read_stream(target) if as_of is None or e.seq <= as_of]
    return target, history(target, envelopes, syncs(catalog))


@dataclass
class SyncRun:
    sync_id: str
    started_seq: int
    finished_seq: int | None
    source: str
    outcome: str | None
    recorded_at: datetime


def sync_runs(catalog: Catalog) -> list[SyncRun]:
    runs: dict[str, SyncRun] = {}
    for e in catalog.store.read_stream("sync"):
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
    if older:
        start_seq = pick(older).finished_seq
    else:
        earlier = [r for r in runs if r.finished_seq < end.started_seq]
        start_seq = earlier[-1].finished_seq if earlier else 0
    return changes_between(
        catalog.store.read_all(start_seq + 1, end.finished_seq), start_seq, end.finished_seq
    )


# --- export and import of local edits ---------------------------------------------------


class ExportedEdit(msgspec.Struct, kw_only=True):
    id: str
    seq: int
    type: str
    recorded_at: datetime
    target: str
    target_slug: str | None
    data: dict[str, Any]


def export_edits(catalog: Catalog, path: Path) -> int:
    """Write every local edit event (edits, undos, redos) as JSON lines; returns how many."""
    tables = catalog.tables()
    count = 0
    encoder = msgspec.json.Encoder()
    with open(path, "wb") as out:
        for envelope in catalog.store.read_all():
            if envelope.type not in LOCAL_TYPES:
                continue
            target = envelope.event.target
            slug = None
            if target.startswith("package:"):
                view = find_package(tables, target.split(":", 1)[1])
                slug = view.record.slug if view else None
            elif target.startswith("grid:"):
                view = find_grid(tables, target.split(":", 1)[1])
                slug = view.record.slug if view else None
            data = msgspec.to_builtins(envelope.event)
            data.pop("type", None)
            row = ExportedEdit(
                id=str(envelope.id),
                seq=envelope.seq,
                type=envelope.type,
                recorded_at=envelope.recorded_at,
                target=target,
                target_slug=slug,
                data=data,
            )
            out.write(encoder.encode(row) + b"\n")
            count += 1
    return count


@dataclass
class ImportReport:
    imported: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)


def import_edits(catalog: Catalog, path: Path) -> ImportReport:
    """Replay exported edits onto this store, matching targets by slug (id as fallback).

    Idempotent: each event keeps its id, so a second import appends nothing.
    """
    report = ImportReport()
    decoder = msgspec.json.Decoder(ExportedEdit)
    lines = path.read_bytes().splitlines()
    tables = catalog.tables()  # targets are matched by what upstream holds: read it once
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = decoder.decode(line)
            event_id = uuid.UUID(row.id)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            raise QueryError(f"{path}:{number} is not an exported edit: {exc}") from None
        if catalog.store.seq_for_id(event_id) is not None:
            report.already += 1
            continue
        target = _match_target(tables, row)
        if target is None:
            report.skipped.append(
                f"{row.type} {row.seq}: {row.target} ({row.target_slug}) is not here"
            )
            continue
        data = dict(row.data, target=target)
        if row.type in ("Undone", "Redone"):
            edit_seq = catalog.store.seq_for_id(
                uuid.UUID(data.get("edit_id") or (0).to_bytes(16).hex())
            )
            if edit_seq is None:
                report.skipped.append(f"{row.type} {row.seq}: the edit it acts on was not imported")
                continue
            data["edit_seq"] = edit_seq
        event = msgspec.convert(data, LOCAL_TYPES[row.type])
        catalog.store.append(target, [event], ids=[event_id])
        report.imported += 1
    return report


def _match_target(tables, row: ExportedEdit) -> str | None:
    kind, _, ident = row.target.partition(":")
    if kind == "localgrid":
        return row.target
    finder = find_package if kind == "package" else find_grid
    for key in (row.target_slug, ident):
        if key:
            view = finder(tables, key)
            if view is not None:
                return view.key
    return None
