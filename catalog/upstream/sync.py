"""Sync the catalogue from the API (or the shipped snapshot) into the log.

An upstream record is appended only when it is new, changed (``last_fetched`` is not part of
the record, so it never makes one look changed) or back after vanishing. One fetched page is
one write transaction, in which the events and the projections commit together: an
interrupted sync leaves whole pages and a store that verifies.

Upstream is not trusted. A record that cannot be stored is skipped and reported, and the rest
of its page lands; a sync always ends with ``SyncFinished``. A listing is trusted to say what
vanished only when it is whole and plausible: its ``count`` agrees with the records it held,
and it did not shrink to less than half of what the store knows. Otherwise the sync says so
(``SyncFinished.warnings``) and marks nothing vanished. Pages stop at the first short page
(``count`` alone never makes djp ask for more), and the whole sync has a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from catalog.api import RESOURCES
from catalog.catalog import Catalog
from catalog.upstream.client import ApiClient, ApiError, ClientConfig
from catalog.upstream.crawl import crawl
from catalog.upstream.session import (
    Clock,
    ProgressCallback,
    SyncProgress,
    SyncSession,
)
from catalog.upstream.snapshot import snapshot_pages
from eventstore import SyncFinished

__all__ = [
    "Clock",
    "ProgressCallback",
    "SyncProgress",
    "SyncSession",
    "first_sync",
    "load_snapshot",
    "sync_catalog",
    "sync_package",
]


async def sync_catalog(
    catalog: Catalog,
    config: ClientConfig | None = None,
    *,
    progress: ProgressCallback | None = None,
    transport=None,
    clock: Clock = time.monotonic,
) -> SyncFinished:
    """Sync categories, grids and packages; records vanished from complete listings."""
    config = config or ClientConfig()
    run = SyncSession(catalog, config.base_url, "full", clock)
    try:
        async with (
            asyncio.timeout(config.sync_deadline),
            ApiClient(config, transport=transport) as api,
        ):
            try:
                for resource in RESOURCES:
                    listing = await crawl(run, api, resource, progress)
                    if not listing.complete:
                        raise ApiError(f"the {resource} listing kept shifting; records are missing")
                    if run.vanish_trusted(resource, listing):
                        run.mark_vanished(resource, listing.seen | set(run.skipped_ids(resource)))
            finally:
                run.counts.requests, run.counts.bytes = api.requests, api.bytes
    except ApiError as exc:
        return run.finish(run.cut_short(), str(exc))
    except TimeoutError:
        return run.finish(
            run.cut_short(),
            f"the sync took longer than {config.sync_deadline:g} s and was stopped "
            "(whole pages are kept; DJP_SYNC_DEADLINE sets the limit)",
        )
    except (asyncio.CancelledError, KeyboardInterrupt):
        run.finish(run.cut_short(), "interrupted")
        raise
    except Exception as exc:  # a bug or a store failure: the log still says how it ended
        with contextlib.suppress(Exception):
            run.finish("failed", f"{type(exc).__name__}: {exc}")
        raise
    return run.finish("complete")


def load_snapshot(
    catalog: Catalog, progress: ProgressCallback | None = None, clock: Clock = time.monotonic
) -> SyncFinished:
    """Load the shipped snapshot through the same validation and event path as a live sync.

    The snapshot is not the whole catalogue, so it never marks anything vanished.
    """
    meta, pages = snapshot_pages()
    run = SyncSession(catalog, f"snapshot:{meta.name}", "snapshot", clock)
    for resource in RESOURCES:
        records = run.decode(resource, pages[resource].results, set())
        for start in range(0, len(records), 500):
            run.apply_page(resource, records[start : start + 500])
        if progress:
            progress(SyncProgress(resource, 1, 1, run.counts.records, 0, 0, 0.0))
    return run.finish("complete")


async def sync_package(
    catalog: Catalog,
    key: str,
    config: ClientConfig | None = None,
    *,
    transport=None,
    clock: Clock = time.monotonic,
) -> SyncFinished:
    """Refresh one package (by id or slug) from its detail endpoint."""
    config = config or ClientConfig()
    run = SyncSession(catalog, config.base_url, "package", clock)
    try:
        async with ApiClient(config, transport=transport) as api:
            try:
                raw = await api.detail("package", key)
            finally:
                run.counts.requests, run.counts.bytes = api.requests, api.bytes
    except ApiError as exc:
        return run.finish("failed", str(exc))
    if raw is None:
        known = catalog.lookup("package", key)
        entry = catalog.projection.entry("package", known.id) if known else None
        if entry is None or entry.vanished:
            return run.finish("failed", f"no package {key!r} upstream")
        run.mark_vanished_ids("package", [entry.record.id])
        return run.finish("complete")
    records = run.decode("package", [raw], set())
    if not records:
        return run.finish("failed", f"package {key!r} did not validate: {run.skipped[-1].reason}")
    run.apply_page("package", records)
    return run.finish("complete")


async def first_sync(
    catalog: Catalog,
    config: ClientConfig | None = None,
    *,
    probe_seconds: float = 3.0,
    progress: ProgressCallback | None = None,
    transport=None,
    clock: Clock = time.monotonic,
) -> SyncFinished:
    """Fill an empty store: the live API if it answers within ``probe_seconds``, else the
    shipped snapshot. Never hangs on an unreachable network."""
    config = config or ClientConfig()
    probe = ClientConfig(
        base_url=config.base_url,
        connect_timeout=probe_seconds,
        read_timeout=probe_seconds,
        max_attempts=1,
    )
    try:
        async with ApiClient(probe, transport=transport) as api:
            await asyncio.wait_for(api.page("category", 0), probe_seconds + 1)
    except (ApiError, TimeoutError):
        return load_snapshot(catalog, progress, clock)
    report = await sync_catalog(
        catalog, config, progress=progress, transport=transport, clock=clock
    )
    if report.counts.records == 0:
        return load_snapshot(catalog, progress, clock)
    return report
