"""Helpers shared by tests: syncing records through the real sync path without HTTP."""

from __future__ import annotations

from catalog.service import Catalog
from catalog.sync import SyncReport, _Run
from eventstore import Record


def sync_records(
    catalog: Catalog, resource: str, records: list[Record], *, complete: bool = True
) -> SyncReport:
    """One sync of ``resource`` that saw exactly ``records`` (the page path of a live sync)."""
    run = _Run(catalog, "test:", "full")
    run.apply_page(resource, run.decode_records(records))
    if complete:
        run.mark_vanished(resource, {r.id for r in records})
    return run.finish("complete")
