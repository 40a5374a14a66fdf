"""One sync as it runs: records in, events out, and the report at the end.

An upstream record is appended only when it is new, changed (``last_fetched`` is not part of
the record, so it never makes one look changed) or back after vanishing. One page is one
write transaction; a record that cannot be stored goes alone and is skipped. A listing is
trusted to say what vanished only when it is whole and plausible (``vanish_trusted``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import msgspec

from catalog.api import RecordError, decode_record, raw_id
from catalog.catalog import Catalog
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


@dataclass
class Listing:
    """What one crawl of a resource found."""

    count: int  # what the listing said it holds
    seen: set[int] = field(default_factory=set)  # distinct ids stored or unchanged
    duplicates: int = 0  # records it returned more than once
    complete: bool = False  # every record it said it holds was read (or skipped)


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
