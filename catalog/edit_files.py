"""Moving your local edits between stores: export to, and import from, JSON lines files.

Each exported line keeps the event's id, so importing the same file twice appends nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from catalog.catalog import Catalog
from catalog.queries import QueryError, find_grid, find_package
from eventstore import Edited, Redone, Undone
from projections.targets import Target

LOCAL_TYPES = {"Edited": Edited, "Undone": Undone, "Redone": Redone}


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
        for envelope in catalog.events():
            if not isinstance(envelope.event, Edited | Undone | Redone):
                continue
            target = Target.parse(envelope.event.target)
            slug = None
            if target.kind in ("package", "grid"):
                finder = find_package if target.kind == "package" else find_grid
                view = finder(tables, target.ident)
                slug = view.record.slug if view else None
            data = msgspec.to_builtins(envelope.event)
            data.pop("type", None)
            row = ExportedEdit(
                id=str(envelope.id),
                seq=envelope.seq,
                type=envelope.type,
                recorded_at=envelope.recorded_at,
                target=target.key,
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
            kind = LOCAL_TYPES[row.type]
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, KeyError) as exc:
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
        if kind is Undone or kind is Redone:
            edit_seq = catalog.store.seq_for_id(
                uuid.UUID(data.get("edit_id") or (0).to_bytes(16).hex())
            )
            if edit_seq is None:
                report.skipped.append(f"{row.type} {row.seq}: the edit it acts on was not imported")
                continue
            data["edit_seq"] = edit_seq
        event = msgspec.convert(data, kind)
        catalog.store.append(target, [event], ids=[event_id])
        report.imported += 1
    return report


def _match_target(tables, row: ExportedEdit) -> str | None:
    target = Target.parse(row.target)
    if target.kind == "localgrid":
        return target.key
    finder = find_package if target.kind == "package" else find_grid
    for key in (row.target_slug, target.ident):
        if key:
            view = finder(tables, key)
            if view is not None:
                return view.key
    return None
