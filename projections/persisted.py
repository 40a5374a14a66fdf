"""The catalogue projection persisted in the store, kept current inside each append.

The tables of ``projections.fold`` live in named LMDB databases with one checkpoint (the
sequence of the newest event folded). A store listener folds new events inside the same write
transaction that appends them, so events and views commit together; a process that finds the
checkpoint behind the log (events appended by code that did not project) catches up first.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any

import lmdb
import msgspec

from eventstore import (
    Envelope,
    Store,
    StoreReadOnlyError,
    VerifyReport,
    pack_u64,
    unpack_u64,
)
from eventstore.scan import Task
from projections.bulk import Applier, reduce_task, verify_task
from projections.fold import TABLE_TYPES, Tables, UpstreamEntry, fold
from projections.tables import TxnTable, WriteBack
from projections.targets import Target, raw_key
from projections.view import check_views, find_target, grid_view

CHECKPOINTS = "proj.checkpoints"
NAME = b"catalog"
#: Bumped when the fold's tables change meaning; a store folded by another version is
#: refolded from the log when opened. 2: renamed slugs are indexed. 3: PyPI facts.
PROJECTION_VERSION = 5
#: ``progress(done, total)`` of a long fold (a terminal shows it).
Progress = Callable[[int, int], None]
VERSION_KEY = b"catalog.version"
TABLES = TABLE_TYPES


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A bulk fold allocates many small objects that all stay alive: the cyclic garbage
    collector would rescan them again and again for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class CatalogProjection:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.dbs = {name: store.database(f"proj.{name}") for name in TABLES}
        self.checkpoints = store.database(CHECKPOINTS)
        store.add_listener(self._on_append)

    def stored_version(self) -> int:
        raw = self.store.read(lambda txn: txn.get(VERSION_KEY, db=self.checkpoints))
        return unpack_u64(raw) if raw is not None else 1

    def tables(self, txn: lmdb.Transaction) -> Tables:
        return _txn_tables(txn, self.dbs)

    def checkpoint(self, txn: lmdb.Transaction) -> int:
        raw = txn.get(NAME, db=self.checkpoints)
        return unpack_u64(raw) if raw is not None else 0

    def _on_append(self, txn: lmdb.Transaction, envelopes: list[Envelope]) -> None:
        # read through and written back once: a transaction of many events into the same
        # entries (an import of 10,000 edits, each growing the edit log) decodes and encodes
        # each entry once, not once an event (quadratic: 165 s for 10,000 edits)
        cached = {name: WriteBack(TxnTable(txn, self.dbs[name], TABLES[name])) for name in TABLES}
        tables = Tables(**cached)
        done = self.checkpoint(txn)
        if done < envelopes[0].seq - 1:
            for envelope in self.store.iter_log(txn, done + 1, envelopes[0].seq - 1):
                fold(tables, envelope)
        for envelope in envelopes:
            if envelope.seq > done:
                fold(tables, envelope)
        for table in cached.values():
            table.flush()
        txn.put(NAME, pack_u64(envelopes[-1].seq), db=self.checkpoints)

    def catch_up(self, progress: Progress | None = None) -> int:
        """Fold the events the tables have not seen yet; returns how many. Tables folded by
        another version of the fold are refolded from the whole log. ``progress(done,
        total)`` is called as it goes."""
        if self.store.read_only:
            current = self.stored_version() == PROJECTION_VERSION
            if not current or self.store.read(
                lambda txn: self.store.last_seq_in(txn) > self.checkpoint(txn)
            ):
                raise StoreReadOnlyError(
                    f"the store at {self.store.path} is read-only for this user and its views "
                    "were made by another djp or are behind its log; open it once as a user "
                    "who can write it"
                )
            return 0
        if self.stored_version() != PROJECTION_VERSION:
            return self.rebuild(progress) if self.store.last_seq else self._mark_version()

        def run(txn: lmdb.Transaction) -> int:
            done = self.checkpoint(txn)
            last = self.store.last_seq_in(txn)
            if done >= last:
                return 0
            cached = {
                name: WriteBack(TxnTable(txn, self.dbs[name], TABLES[name])) for name in TABLES
            }
            self._bulk(txn, Tables(**cached), done + 1, last, progress)
            for table in cached.values():
                table.flush()
            txn.put(NAME, pack_u64(last), db=self.checkpoints)
            return last - done

        behind = self.store.read(lambda txn: self.store.last_seq_in(txn) - self.checkpoint(txn))
        if behind <= 0:
            return 0
        with _collector_paused():  # until the tables are written back and dropped
            return self.store.write(run)

    def fresh_fold(
        self, to_seq: int | None = None, progress: Progress | None = None
    ) -> tuple[Tables, int]:
        """The tables folded in memory from the log, up to ``to_seq``."""
        tables = Tables()

        def run(txn: lmdb.Transaction) -> int:
            last = self.store.last_seq_in(txn)
            last = last if to_seq is None else min(to_seq, last)
            self._bulk(txn, tables, 1, last, progress)
            return last

        return tables, self.store.read(run)

    def fold_into(
        self, tables: Tables, first: int, last: int, progress: Progress | None = None
    ) -> None:
        """Fold events ``first..last`` into ``tables`` (in memory), in one read transaction."""
        self.store.read(lambda txn: self._bulk(txn, tables, first, last, progress))

    def _bulk(
        self,
        txn: lmdb.Transaction,
        tables: Tables,
        first: int,
        last: int,
        progress: Progress | None,
        task: Task = reduce_task,
    ) -> None:
        """Fold events ``first..last`` into ``tables`` (``projections.bulk``: in ranges,
        in worker processes for a long run); ``progress(done, total)`` after each range."""
        applier = Applier(tables, self.store.raw_reader(txn))
        done = 0
        with _collector_paused():
            for size, ops in self.store.scan(txn, task, first, last):
                applier.apply(ops)
                done += size
                if progress is not None:
                    progress(done, last - first + 1)
            applier.finish()

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop the tables and refold the whole log; returns the number of events folded."""
        with _collector_paused():  # until the fresh tables are written and dropped
            return self._rebuild(progress)

    def _rebuild(self, progress: Progress | None) -> int:
        tables, last = self.fresh_fold(progress=progress)

        def run(txn: lmdb.Transaction) -> None:
            stored = self.tables(txn)
            for name in TABLES:
                txn.drop(self.dbs[name], delete=False)
                target, source = getattr(stored, name), getattr(tables, name)
                for key in sorted(source):
                    target[key] = source[key]
            txn.put(NAME, pack_u64(last), db=self.checkpoints)
            txn.put(VERSION_KEY, pack_u64(PROJECTION_VERSION), db=self.checkpoints)

        self.store.write(run)
        return last

    def _mark_version(self) -> int:
        self.store.write(
            lambda txn: txn.put(VERSION_KEY, pack_u64(PROJECTION_VERSION), db=self.checkpoints)
        )
        return 0

    def differences(self, progress: Progress | None = None) -> list[str]:
        """Where the persisted tables differ from a fresh fold of the log.

        Everything is read in one read transaction: one consistent snapshot, so another
        process appending meanwhile cannot make the store look damaged."""

        def run(txn: lmdb.Transaction) -> list[str]:
            fresh = Tables()
            last = self.store.last_seq_in(txn)
            self._bulk(txn, fresh, 1, last, progress)
            return self._compare(txn, fresh, last)

        return self.store.read(run)

    def verify(self, progress: Progress | None = None) -> VerifyReport:
        """``Store.verify`` and ``differences`` in one reading of the log: each event is
        decoded once, checked, and reduced for the fresh fold (``projections.bulk``)."""

        def run(txn: lmdb.Transaction) -> VerifyReport:
            fresh = Tables()
            applier = Applier(fresh, self.store.raw_reader(txn))
            # the stored views are checked beside the log (in a worker): when the stored
            # tables equal the fresh fold, so do their problems
            beside = ((_stored_view_problems, ()),)
            report, (stored_problems,) = self.store.verify_in(
                txn, verify_task, applier.apply, progress, beside
            )
            applier.finish()
            if report.ok:
                last = self.store.last_seq_in(txn)
                report.problems.extend(self._compare(txn, fresh, last, stored_problems))
            return report

        with _collector_paused():  # until the fresh fold is compared and dropped
            return self.store.read(run)

    def _compare(
        self,
        txn: lmdb.Transaction,
        fresh: Tables,
        last: int,
        stored_view_problems: list[str] | None = None,
    ) -> list[str]:
        """Where the stored tables differ from ``fresh`` (the fold of events 1..``last``),
        and what ``check_views`` finds in the fold (``stored_view_problems``: what it found
        in the stored tables, the same when they are equal)."""
        checkpoint = self.checkpoint(txn)
        problems = []
        if checkpoint > last:
            problems.append(f"projection checkpoint {checkpoint} is past the log's end {last}")
        persisted = self.tables(txn)
        if checkpoint == last:
            for name in TABLES:
                key = self._first_difference(persisted, fresh, name)
                if key is not None:
                    problems.append(f"projection {name} row {key.decode()} differs from the log")
            if problems or stored_view_problems is None:
                stored_view_problems = check_views(fresh)
            return problems + stored_view_problems
        # a checkpoint behind the log is allowed (another process appended without
        # projecting): the tables must equal the fold once the missing events are applied
        stored = Tables(**{name: dict(getattr(persisted, name).items()) for name in TABLES})
        for envelope in self.store.iter_log(txn, checkpoint + 1, last):
            fold(stored, envelope)
        for name in TABLES:
            want, have = dict(getattr(fresh, name)), getattr(stored, name)
            for key in sorted(set(want) | set(have)):
                if want.get(key) != have.get(key):
                    problems.append(f"projection {name} row {key.decode()} differs from the log")
                    break
        problems.extend(check_views(fresh))
        return problems

    @staticmethod
    def _first_difference(persisted: Tables, fresh: Tables, name: str) -> bytes | None:
        """The first key where table ``name`` differs between the two. Rows are compared as
        stored bytes against the fresh row encoded (no decoding); a row whose bytes differ
        (a dict encoded in another order) is decoded and compared as values."""
        table: TxnTable = getattr(persisted, name)
        want = getattr(fresh, name)
        unseen = set(want)
        for key, raw in table.raw_items():
            value = want.get(key)
            if value is None or (table.encode(value) != raw and _decoded(table, raw) != value):
                return key
            unseen.discard(key)
        return min(unseen) if unseen else None

    # --- reads ----------------------------------------------------------------------------

    def dump(self) -> dict[str, dict[bytes, Any]]:
        def run(txn):
            tables = self.tables(txn)
            return {name: dict(getattr(tables, name).items()) for name in TABLES}

        return self.store.read(run)

    def entries(self, resource: str, include_vanished: bool = False) -> list[UpstreamEntry]:
        prefix = f"{resource}:".encode()

        def run(txn: lmdb.Transaction) -> list[UpstreamEntry]:
            return [
                entry
                for _, entry in self.tables(txn).upstream.items(prefix)
                if include_vanished or not entry.vanished
            ]

        return self.store.read(run)

    def upstream_records(self) -> int:
        """How many upstream records (packages, grids, categories) the store has seen."""
        return self.store.read(lambda txn: txn.stat(self.dbs["upstream"])["entries"])

    def entry(self, resource: str, ident: int) -> UpstreamEntry | None:
        return self.store.read(lambda txn: self.tables(txn).upstream.get(raw_key(resource, ident)))

    def lookup(self, resource: str, key: str | int) -> Target | None:
        """The target of an id or slug (``projections.view.find_target``), without loading
        the tables."""
        return self.store.read(lambda txn: find_target(self.tables(txn), resource, key))

    def names(self, resource: str, start: str = "") -> list[str]:
        """The slugs of ``resource`` (``package`` or ``grid``: old slugs of renamed records
        too, and your own grids) that begin with ``start``: what a shell completes."""
        cut = len(resource) + 1

        def run(txn: lmdb.Transaction) -> list[str]:
            tables = self.tables(txn)
            out = {bytes(k)[cut:].decode() for k in tables.slugs.keys(raw_key(resource, start))}
            if resource == "grid":
                for key, local in tables.local.items(raw_key("localgrid", start)):
                    if grid_view(key.decode(), None, local) is not None:  # not deleted
                        out.add(key.decode().partition(":")[2])
            return sorted(out)

        return self.store.read(run)

    def target_tables(self, target: Target) -> Tables:
        """The rows of one target (its upstream entry and local overlay), present state."""
        raw = target.raw

        def run(txn: lmdb.Transaction) -> Tables:
            tables = self.tables(txn)
            out = Tables()
            for name in ("upstream", "local"):
                row = getattr(tables, name).get(raw)
                if row is not None:
                    getattr(out, name)[raw] = row
            return out

        return self.store.read(run)


def _decoded(table: TxnTable, raw: bytes) -> Any:
    """A stored row, or None if it does not decode (a damaged row differs from any)."""
    try:
        return table.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def _stored_view_problems(txn: lmdb.Transaction, dbs: dict[bytes, Any]) -> list[str] | None:
    """``check_views`` of the stored tables (a job for ``eventstore.scan``); None if a row
    does not decode (the comparison with the fold names it)."""
    tables = _txn_tables(txn, {name: dbs[f"proj.{name}".encode()] for name in TABLES})
    try:
        return check_views(tables)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def _txn_tables(txn: lmdb.Transaction, dbs: dict[str, Any]) -> Tables:
    """The stored tables read inside ``txn`` (``dbs``: each table's database by name)."""
    return Tables(**{name: TxnTable(txn, dbs[name], TABLES[name]) for name in TABLES})
