"""Helpers shared by tests: syncing records through the real sync path without HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from catalog.catalog import Catalog
from catalog.upstream.sync import SyncSession
from eventstore import Record, SyncFinished


def still_clock() -> float:
    """A monotonic clock that never moves: syncs in tests take 0.0s whatever the load."""
    return 1000.0


def sync_records(
    catalog: Catalog, resource: str, records: list[Record], *, complete: bool = True
) -> SyncFinished:
    """One sync of ``resource`` that saw exactly ``records`` (the page path of a live sync);
    its clock stands still, so its duration is always 0.0s."""
    run = SyncSession(catalog, "test:", "full", clock=still_clock)
    run.apply_page(resource, run.decode_records(records))
    if complete:
        run.mark_vanished(resource, {r.id for r in records})
    return run.finish("complete")


def point_at_pypi(catalog: Catalog, pointed: dict[int, str]) -> None:
    """Point packages of the catalogue (id -> name) at PyPI projects: their ``pypi_url``
    changed by one sync, so tests can serve recorded PyPI responses for them."""
    import msgspec

    records = [
        msgspec.structs.replace(catalog.projection.entry("package", ident).record, pypi_url=name)
        for ident, name in pointed.items()
    ]
    sync_records(catalog, "package", records, complete=False)


@contextlib.contextmanager
def pointed_catalog(path, pointed: dict[int, str]) -> Iterator[Catalog]:
    """The shipped snapshot at ``path`` with packages pointed at PyPI projects (id -> name),
    open for the block."""
    from catalog.upstream.sync import load_snapshot

    with Catalog.open(path) as opened:
        load_snapshot(opened)
        point_at_pypi(opened, pointed)
        yield opened
