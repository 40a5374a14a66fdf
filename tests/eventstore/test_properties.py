"""A hypothesis state machine: the LMDB store behaves like a plain in-memory log."""

from __future__ import annotations

import shutil
import tempfile
import uuid

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from eventstore import ANY, NO_STREAM, Append, Store, SyncStarted, WrongExpectedVersionError

STREAMS = st.sampled_from(["package:1", "package:2", "grid:7", "sync"])


class StoreMachine(RuleBasedStateMachine):
    ids = Bundle("ids")

    @initialize()
    def open_store(self):
        self.dir = tempfile.mkdtemp(prefix="djp-prop-")
        self.store = Store.open(self.dir + "/s", map_size=64 * 1024)
        self.log: list[tuple[uuid.UUID, str, int, SyncStarted]] = []  # (id, stream, version, ev)
        self.by_id: dict[uuid.UUID, int] = {}

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def version(self, stream: str) -> int:
        return sum(1 for _, s, _, _ in self.log if s == stream)

    def _model_append(self, stream, events, expected, ids):
        """What the model says; returns (seqs, error or None)."""
        fresh = [i for i in ids if i not in self.by_id]
        if fresh:
            actual = self.version(stream)
            if expected != ANY and expected != actual:
                return None, WrongExpectedVersionError(stream, expected, actual)
        seqs, pending = [], {}
        version = self.version(stream)
        next_seq = len(self.log) + 1
        new_entries = []
        for event, event_id in zip(events, ids, strict=True):
            if event_id in self.by_id:
                seqs.append(self.by_id[event_id])
            elif event_id in pending:
                seqs.append(pending[event_id])
            else:
                version += 1
                pending[event_id] = next_seq
                new_entries.append((event_id, stream, version, event))
                seqs.append(next_seq)
                next_seq += 1
        return (seqs, new_entries), None

    @rule(
        target=ids,
        stream=STREAMS,
        n=st.integers(1, 4),
        expected=st.sampled_from(["any", "none", "right", "wrong"]),
        reuse=st.lists(st.integers(0, 50), max_size=2),
        data=st.data(),
    )
    def append(self, stream, n, expected, reuse, data):
        current = self.version(stream)
        expected_version = {
            "any": ANY,
            "none": NO_STREAM,
            "right": current,
            "wrong": current + 1 + data.draw(st.integers(0, 3)),
        }[expected]
        known = list(self.by_id)
        ids = [uuid.uuid4() for _ in range(n)]
        for pos, pick in enumerate(reuse):
            if known and pos < n:
                ids[pos] = known[pick % len(known)]
        events = [
            SyncStarted(sync_id=f"{stream}-{len(self.log)}-{i}", source="m") for i in range(n)
        ]
        model, error = self._model_append(stream, events, expected_version, ids)
        try:
            seqs = self.store.append(stream, events, expected_version, ids=ids)
        except WrongExpectedVersionError as exc:
            assert error is not None, f"store refused: {exc}"
            assert (exc.expected, exc.actual) == (error.expected, error.actual)
            return ids[0]
        assert error is None, f"store accepted what the model refused: {error}"
        model_seqs, new_entries = model
        assert seqs == model_seqs
        for entry in new_entries:
            self.log.append(entry)
            self.by_id[entry[0]] = len(self.log)
        return ids[0]

    @rule(streams=st.lists(STREAMS, min_size=2, max_size=3, unique=True))
    def append_batch_any(self, streams):
        batch = [Append(s, [SyncStarted(sync_id=s, source="b")]) for s in streams]
        ids = [[uuid.uuid4()] for _ in streams]
        for item, item_ids in zip(batch, ids, strict=True):
            item.ids = item_ids
        result = self.store.append_batch(batch)
        for item, item_ids, seqs in zip(batch, ids, result, strict=True):
            self.log.append(
                (item_ids[0], item.stream, self.version(item.stream) + 1, item.events[0])
            )
            self.by_id[item_ids[0]] = len(self.log)
            assert seqs == [len(self.log)]

    @precondition(lambda self: self.log)
    @rule(data=st.data())
    def read_range(self, data):
        a = data.draw(st.integers(0, len(self.log) + 1))
        b = data.draw(st.integers(a, len(self.log) + 2))
        got = [(e.seq, e.id) for e in self.store.read_all(a, b)]
        want = [(i + 1, entry[0]) for i, entry in enumerate(self.log) if a <= i + 1 <= b]
        assert got == want

    @rule(stream=STREAMS, from_version=st.integers(0, 6))
    def read_stream(self, stream, from_version):
        got = [(e.version, e.id, e.event) for e in self.store.read_stream(stream, from_version)]
        want = [(v, i, ev) for i, s, v, ev in self.log if s == stream and v >= from_version]
        assert got == want

    @invariant()
    def heads_and_last_seq_match(self):
        if not hasattr(self, "store"):
            return
        assert self.store.last_seq == len(self.log)
        for stream in ("package:1", "package:2", "grid:7", "sync"):
            assert self.store.stream_version(stream) == self.version(stream)

    @rule()
    def verify(self):
        report = self.store.verify()
        assert report.ok, report.problems
        assert report.events == len(self.log)


StoreMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestStoreMachine = StoreMachine.TestCase
