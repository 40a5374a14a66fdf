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
import math
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import msgspec

from catalog.api import RESOURCES, RecordError, decode_record, raw_id
from catalog.catalog import Catalog
from catalog.client import ApiClient, ApiError, ClientConfig
from catalog.snapshot import snapshot_pages
from eventstore import (
    Append,
    FieldChange,
    Record,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    SkippedRecord,
    StoreValueError,
    SyncCounts,
    SyncFinished,
    SyncStarted,
    WriteTransaction,
)
from projections.targets import key_of, raw_key

MAX_EXTRA_ROUNDS = 2  # re-crawls when records went missing because pages shifted
SKIPPED_KEPT = 1_000  # skipped records reported one by one; the count holds them all
#: Errors that say a record cannot be stored as it is (not that the store failed).
UNSTORABLE = (OverflowError, msgspec.EncodeError, StoreValueError)


@dataclass
class SyncProgress:
    resource: str
    pages_done: int
    pages_total: int
    records: int
    requests: int
    bytes: int
    elapsed: float

    def describe(self) -> str:
        rate = self.records / self.elapsed if self.elapsed > 0 else 0.0
        return (
            f"{self.resource}: page {self.pages_done}/{self.pages_total} · {self.records:,} "
            f"records · {self.requests} requests · {rate:,.0f}/s"
        )


ProgressCallback = Callable[[SyncProgress], None]
#: Seconds from an arbitrary start (``time.monotonic``); tests pass a fixed one.
Clock = Callable[[], float]


def diff_records(before: Record, after: Record) -> dict[str, FieldChange]:
    changes = {}
    for name in before.__struct_fields__:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = FieldChange(before=old, after=new)
    return changes


class SyncSession:
    """One sync as it runs: it appends ``SyncStarted``, applies pages (one transaction
    each), marks what vanished, and ends with ``SyncFinished`` (``finish``)."""

    def __init__(
        self, catalog: Catalog, source: str, kind: str, clock: Clock = time.monotonic
    ) -> None:
        self.catalog = catalog
        self.clock = clock
        self.sync_id = uuid.uuid4().hex
        self.source = source
        self.kind = kind
        self.counts = SyncCounts()
        self.skipped: list[SkippedRecord] = []
        self.skipped_keys: set[tuple[str, int | None]] = set()
        self.warnings: list[str] = []
        self.started = clock()
        catalog.store.append("sync", [SyncStarted(sync_id=self.sync_id, source=source, kind=kind)])

    def decode(self, resource: str, raws: Iterable[msgspec.Raw | bytes], seen: set[int]):
        records = []
        for raw in raws:
            try:
                record = decode_record(resource, raw)
            except RecordError as exc:
                ident = raw_id(raw)
                self.skip(resource, ident, str(exc))
                continue
            if record.id in seen:
                self.counts.duplicates += 1  # the same record again (a shifted page)
                continue
            seen.add(record.id)
            records.append(record)
        return records

    def skip(self, resource: str, ident: int | None, reason: str) -> None:
        """Report a record that is not stored (once per record)."""
        if ident is not None and (resource, ident) in self.skipped_keys:
            return
        self.skipped_keys.add((resource, ident))
        self.counts.skipped += 1
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append(SkippedRecord(resource=resource, id=ident, reason=reason[:300]))

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def decode_records(self, records: list[Record]) -> list[Record]:
        """Records already normalized (tests, generated data): de-duplicated by id."""
        seen: set[int] = set()
        return [r for r in records if not (r.id in seen or seen.add(r.id))]

    def apply_page(self, resource: str, records: list[Record]) -> None:
        """Append what is new or changed on one page, in one transaction. When a record of
        it cannot be stored, the page goes in record by record and that one is skipped."""
        try:
            self._apply(resource, records)
        except UNSTORABLE as exc:
            if len(records) == 1:
                self.skip(resource, records[0].id, f"cannot be stored: {exc}")
                return
            for record in records:
                self.apply_page(resource, [record])

    def _apply(self, resource: str, records: list[Record]) -> None:
        sync_id = self.sync_id
        projection = self.catalog.projection

        def body(tx: WriteTransaction) -> tuple[int, int, int, int]:
            table = projection.tables(tx.txn).upstream
            batch, new, changed, back = [], 0, 0, 0
            for record in records:
                old = table.get(raw_key(resource, record.id))
                if old is None:
                    event = RecordSeen(resource=resource, record=record, sync_id=sync_id)
                    new += 1
                elif old.vanished:
                    event = RecordSeen(
                        resource=resource, record=record, sync_id=sync_id, again=True
                    )
                    back += 1
                elif old.record == record:
                    continue
                else:
                    changes = diff_records(old.record, record)
                    event = RecordChanged(
                        resource=resource, id=record.id, changes=changes, sync_id=sync_id
                    )
                    changed += 1
                batch.append(Append(key_of(resource, record.id), [event]))
            if batch:
                tx.append_batch(batch)
            return new, changed, back, len(records) - new - changed - back

        new, changed, back, unchanged = self.catalog.store.transaction(body)
        c = self.counts
        c.records += len(records)
        c.new += new
        c.changed += changed
        c.returned += back
        c.unchanged += unchanged

    def cut_short(self) -> str:
        """The outcome of a sync that stopped early."""
        return "partial" if self.counts.records else "failed"

    def skipped_ids(self, resource: str) -> list[int | None]:
        return [ident for kind, ident in self.skipped_keys if kind == resource]

    def mark_vanished(self, resource: str, present: set[int]) -> None:
        """Records not in ``present`` (a complete listing) have vanished upstream."""
        gone = [
            entry.record.id
            for entry in self.catalog.projection.entries(resource)
            if entry.record.id not in present
        ]
        self.mark_vanished_ids(resource, gone)

    def mark_vanished_ids(self, resource: str, gone: list[int]) -> None:
        if gone:
            events = [
                Append(
                    key_of(resource, i),
                    [RecordVanished(resource=resource, id=i, sync_id=self.sync_id)],
                )
                for i in gone
            ]
            self.catalog.store.append_batch(events)
            self.counts.vanished += len(gone)

    def vanish_trusted(self, resource: str, listing: Listing) -> bool:
        """Whether a complete listing may say what vanished; when not, a warning says why."""
        skipped = self.skipped_ids(resource)
        if None in skipped:  # a skipped record without an id could be any
            return False
        held = len(listing.seen | set(skipped))
        known = len(self.catalog.projection.entries(resource))
        plural = {"category": "categories"}.get(resource, resource + "s")
        if held != listing.count:
            repeated = f", {listing.duplicates:,} repeated" if listing.duplicates else ""
            self.warn(
                f"the {plural} listing said {listing.count:,} but held {held:,} distinct "
                f"records{repeated}; nothing was marked vanished"
            )
            return False
        if held * 2 < known:
            self.warn(
                f"the {plural} listing shrank from {known:,} to {held:,}, which is not "
                "plausible; nothing was marked vanished"
            )
            return False
        return True

    def finish(self, outcome: str, error: str | None = None) -> SyncFinished:
        """Append and return the ``SyncFinished`` event: the report of this sync."""
        report = SyncFinished(
            sync_id=self.sync_id,
            source=self.source,
            outcome=outcome,
            counts=self.counts,
            duration_s=round(self.clock() - self.started, 3),
            error=error,
            skipped=self.skipped,
            warnings=self.warnings,
        )
        self.catalog.store.append("sync", [report])
        return report


@dataclass
class Listing:
    """What one crawl of a resource found."""

    count: int  # what the listing said it holds
    seen: set[int] = field(default_factory=set)  # distinct ids stored or unchanged
    duplicates: int = 0  # records it returned more than once
    complete: bool = False  # every record it said it holds was read (or skipped)


async def _crawl(
    run: SyncSession, api: ApiClient, resource: str, progress: ProgressCallback | None
) -> Listing:
    """Fetch every page of one resource. Pages are asked for a few at a time; a short (or
    empty) page is the end, whatever ``count`` says, and pages past it are not fetched."""
    size = api.config.page_size
    started = run.clock()
    done = 0
    duplicates_before = run.counts.duplicates

    def report(total: int) -> None:
        if progress:
            progress(
                SyncProgress(
                    resource,
                    done,
                    total,
                    run.counts.records,
                    api.requests,
                    api.bytes,
                    run.clock() - started,
                )
            )

    first = await api.page(resource, 0)
    listing = Listing(count=first.count)
    run.apply_page(resource, run.decode(resource, first.results, listing.seen))
    done = 1
    total = max(1, math.ceil(first.count / size)) if len(first.results) >= size else 1
    report(total)
    offsets = list(range(size, total * size, size))
    for round_ in range(MAX_EXTRA_ROUNDS + 1):
        before = len(listing.seen)
        done += await _fetch_pages(run, api, resource, offsets, listing)
        report(max(total, done))
        listing.duplicates = run.counts.duplicates - duplicates_before
        held = len(listing.seen) + len(run.skipped_ids(resource))
        if held >= listing.count:
            listing.complete = True
            return listing
        if round_ and len(listing.seen) == before:
            # a whole re-crawl found nothing new: the listing repeats records instead of
            # holding what its count says (reported, not crawled forever)
            listing.complete = True
            return listing
        # Records were created (or deleted) during the crawl and pages shifted under us:
        # crawl again, from the top, with one more page; what we saw is de-duplicated.
        pages = math.ceil(listing.count / size) + 1
        offsets = list(range(0, pages * size, size))
        total = done + len(offsets)
    return listing


async def _fetch_pages(
    run: SyncSession,
    api: ApiClient,
    resource: str,
    offsets: list[int],
    listing: Listing,
) -> int:
    """Fetch the pages at ``offsets`` (a few at a time) and apply each as it comes; stop
    asking past the first short page. Returns how many pages were applied."""
    size = api.config.page_size
    semaphore = asyncio.Semaphore(api.config.concurrency)
    end = math.inf  # the offset past the last record, once a short page showed it

    async def fetch(offset: int):
        async with semaphore:
            if offset >= end:
                return offset, None
            return offset, await api.page(resource, offset)

    done = 0
    tasks = [asyncio.ensure_future(fetch(o)) for o in offsets]
    try:
        for next_page in asyncio.as_completed(tasks):
            offset, page = await next_page
            if page is None:
                continue
            # records created during the crawl raise the count: take the largest seen
            listing.count = max(listing.count, page.count)
            if len(page.results) < size:
                end = min(end, offset + len(page.results))
            run.apply_page(resource, run.decode(resource, page.results, listing.seen))
            done += 1
    finally:
        for task in tasks:
            task.cancel()
    return done


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
                    listing = await _crawl(run, api, resource, progress)
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
