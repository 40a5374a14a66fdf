"""The catalogue as the app browses it: folded tables in memory, rows ready to filter.

``Browser`` holds the state at the present (kept current by folding new events as they are
appended, by this process or another) or at any past event (time travel, stepping one event
at a time). Filtering is ``catalog.read.filters``' language; rows and sorting are
``catalog.read.rows``'.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import msgspec

from catalog.catalog import Catalog
from catalog.read.filters import select
from catalog.read.rows import Row, RowIndex
from catalog.read.travel import apply, overlaid, touched, unapply
from eventstore import RecordSeen
from projections.fold import TABLE_TYPES, Tables, fold
from projections.targets import STREAM_PREFIX

CHECKPOINT_EVERY = 50_000


class Checkpoint:
    """Folded tables frozen as bytes (msgpack), to restore a point of the log quickly."""

    _decoders = {name: msgspec.msgpack.Decoder(dict[bytes, t]) for name, t in TABLE_TYPES.items()}

    def __init__(self, frozen: dict[str, bytes]) -> None:
        self.frozen = frozen

    @classmethod
    def of(cls, tables: Tables) -> Checkpoint:
        return cls(
            {name: msgspec.msgpack.encode(dict(getattr(tables, name))) for name in TABLE_TYPES}
        )

    def restore(self) -> Tables:
        return Tables(
            **{name: self._decoders[name].decode(raw) for name, raw in self.frozen.items()}
        )


def meaning(envelope) -> str:
    """What an event means to someone watching the catalogue, in the words the app uses when
    another process appends it."""
    event = envelope.event
    if isinstance(event, RecordSeen):
        return "new" if not event.again else "back"
    name = type(event).__name__
    return {
        "RecordChanged": "changed",
        "RecordVanished": "vanished",
        "Edited": "edits",
        "Undone": "edits",
        "Redone": "edits",
        "PypiObserved": "PyPI facts",
        "ReleaseObserved": "PyPI facts",
    }.get(name, "sync")


def describe_kinds(kinds: Counter) -> str:
    """``3 new, 12 changed, 2 edits`` (syncs' own start and end are not counted)."""
    order = ("new", "back", "changed", "vanished", "edits", "PyPI facts")
    singular = {"edits": "edit"}
    parts = [
        f"{kinds[k]:,} {singular.get(k, k) if kinds[k] == 1 else k}" for k in order if kinds.get(k)
    ]
    return ", ".join(parts)


class Browser(RowIndex):
    """Rows of the catalogue at the present or at any event of the log."""

    def __init__(self, catalog: Catalog, now: datetime | None = None) -> None:
        self.catalog = catalog
        self._checkpoints: dict[int, Checkpoint] = {}  # the log is append-only: they stay true
        self.travelled: int | None = None  # the event the state is at, when in the past
        self.seq = catalog.store.last_seq
        self.django_version = ""  # the readiness column's, for sorting by it
        self.last_kinds: Counter = Counter()  # what the last refresh folded, by meaning
        super().__init__(catalog.tables(), now or datetime.now(UTC))

    # --- moving through the log --------------------------------------------------------

    @property
    def present(self) -> bool:
        return self.travelled is None

    @property
    def checkpoints(self) -> list[int]:
        """The events at which frozen tables are kept (made on the way back in time)."""
        return sorted(self._checkpoints)

    @property
    def last_seq(self) -> int:
        return self.catalog.store.last_seq

    def load_present(self) -> None:
        """Back to the present: the state kept when the past was entered, with whatever was
        appended since folded in (else the projection, read again)."""
        saved = self._saved
        self._saved = None
        self.travelled = None
        if saved is not None:
            for name, value in saved.items():
                setattr(self, name, value)
            self.refresh()
            return
        self.seq = self.catalog.store.last_seq
        self.tables = self.catalog.tables()
        self.rebuild_rows()

    def refresh(self) -> int:
        """Fold events appended since we last looked (by anyone); returns how many."""
        if not self.present:
            return 0
        last = self.catalog.store.last_seq
        if last <= self.seq:
            return 0
        self.last_kinds = Counter()
        return self._fold_range(self.seq + 1, last)

    #: A jump of up to this many events is made step by step (each un-applies or folds one
    #: event); a longer one starts from the nearest checkpoint.
    STEPS_AT_MOST = 200

    def fold_cost(self, seq: int) -> int:
        """How many events going to ``seq`` folds (what decides whether to do it at once or
        in the background with progress)."""
        seq = max(1, min(seq, self.catalog.store.last_seq))
        if abs(seq - self.seq) <= self.STEPS_AT_MOST:
            return abs(seq - self.seq)
        if self.travelled is not None and seq > self.seq:
            return seq - self.seq
        return seq - max((c for c in self._checkpoints if c <= seq), default=0)

    def tables_at(self, seq: int, progress=None) -> Tables:
        """The tables right after event ``seq``, folded apart from what is shown (safe in a
        worker thread); ``progress(done, total)`` as it goes."""
        return self._tables_at(max(1, min(seq, self.catalog.store.last_seq)), progress)

    def adopt(self, tables: Tables, seq: int) -> None:
        """Show ``tables`` (from ``tables_at``) as the state after event ``seq``."""
        self._leave_present(overlay=False)
        self.tables, self.seq, self.travelled = tables, seq, seq
        self.rebuild_rows()

    def travel(self, seq: int) -> None:
        """Show the catalogue as it was right after event ``seq``."""
        last = self.catalog.store.last_seq
        seq = max(1, min(seq, last))
        if abs(seq - self.seq) <= self.STEPS_AT_MOST:
            self._leave_present(overlay=True)
            self._walk(seq - self.seq)
        elif self.travelled is not None and seq > self.seq:
            self._fold_range(self.seq + 1, seq)  # forward: fold just the next events
        else:
            self._leave_present(overlay=False)
            self.tables = self._tables_at(seq)
            self.seq = seq
            self.rebuild_rows()
        self.travelled = seq

    def _tables_at(self, seq: int, progress=None) -> Tables:
        """The tables right after event ``seq``: from the nearest checkpoint at or before it,
        folding only the rest. Checkpoints (encoded tables every ``CHECKPOINT_EVERY`` events)
        are made on the way, so a far jump through a long log stays bounded."""
        start = max((c for c in self._checkpoints if c <= seq), default=0)
        tables = self._checkpoints[start].restore() if start else Tables()
        position = start
        while position < seq:
            stop = min(seq, (position // CHECKPOINT_EVERY + 1) * CHECKPOINT_EVERY)
            base = position - start

            def step(done: int, _total: int, base: int = base) -> None:
                if progress is not None:  # the whole jump, not this segment
                    progress(base + done, seq - start)

            self.catalog.projection.fold_into(tables, position + 1, stop, step)
            position = stop
            if position % CHECKPOINT_EVERY == 0 and position not in self._checkpoints:
                self._checkpoints[position] = Checkpoint.of(tables)
        return tables

    def step(self, delta: int) -> None:
        """``delta`` events back (negative) or forward; forward onto the newest event is
        the present again."""
        last = self.catalog.store.last_seq
        if delta > 0 and (self.present or self.seq + delta >= last):
            self.load_present()
            return
        self._leave_present(overlay=True)
        self._walk(delta)
        self.travelled = self.seq

    def _walk(self, delta: int) -> None:
        """One event at a time: each step un-applies (back) or folds (forward) a single
        event and updates only the rows it touched."""
        while delta < 0 and self.seq > 1:
            envelope = self.catalog.event(self.seq)
            unapply(self.tables, self.catalog.store, envelope)
            self.seq -= 1
            self._rows_after(envelope)
            delta += 1
        while delta > 0 and self.seq < self.catalog.store.last_seq:
            envelope = self.catalog.event(self.seq + 1)
            apply(self.tables, envelope)
            self.seq += 1
            self._rows_after(envelope)
            delta -= 1

    # --- leaving the present and keeping it ------------------------------------------------

    _saved: dict | None = None

    def _leave_present(self, overlay: bool) -> None:
        """Keep the present's state (to come back to at once) and, with ``overlay``, start
        the past as the present under a copy-on-write overlay."""
        if not self.present:
            return
        self._saved = {
            "tables": self.tables,
            "seq": self.seq,
            "rows": self.rows,
            "vanished_rows": self.vanished_rows,
            "grids": self.grids,
            "named_in": self.named_in,
            "memberships": self.memberships,
            "category_names": self.category_names,
        }
        if overlay:
            self.tables = overlaid(self.tables)
            self.rows, self.vanished_rows = dict(self.rows), dict(self.vanished_rows)
            self.grids = list(self.grids)
            self.named_in = {g: set(ids) for g, ids in self.named_in.items()}
            self.memberships = {p: set(names) for p, names in self.memberships.items()}
            self.category_names = dict(self.category_names)

    def _rows_after(self, envelope) -> None:
        """The rows an event stepped over changes: its package's, or (a grid, a category)
        all of them."""
        stream = envelope.stream
        if not touched(envelope.event):
            return
        if stream.startswith(STREAM_PREFIX["package"]):
            self.refresh_package(stream)
        elif stream.startswith(("pypi:", "stack:")):
            return  # no row of the catalogue
        else:
            self.rebuild_rows()

    def _fold_range(self, first: int, last: int) -> int:
        touched: set[str] = set()
        structural = False
        count = 0
        kinds = self.last_kinds = Counter()
        for envelope in self.catalog.store.read_all(first, last):
            fold(self.tables, envelope)
            stream = envelope.stream
            event = envelope.event
            kinds[meaning(envelope)] += 1
            if stream.startswith(STREAM_PREFIX["package"]) and (
                isinstance(event, RecordSeen) or "grids" in getattr(event, "changes", {})
            ):
                structural = True  # a new package, or one whose grids changed
            elif stream.startswith(STREAM_PREFIX["package"]):
                touched.add(stream)
            elif stream != "sync":
                structural = True  # a grid or category: memberships and names may change
            count += 1
        self.seq = last
        if structural:
            self.rebuild_rows()
        else:
            for key in touched:
                self.update_row(key)
        return count

    def filter(self, text: str, sort: str = "title", descending: bool = False) -> list[Row]:
        """The rows ``text`` selects (``catalog.read.filters``), sorted."""
        return select(self, text, sort, descending, self.django_version)
