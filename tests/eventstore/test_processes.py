"""Several processes at once, and processes killed mid-append: the log stays whole."""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eventstore import Store

ROOT = Path(__file__).resolve().parents[2]


def _worker(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.workers", *args], cwd=ROOT, text=True, **kwargs
    )


@pytest.mark.slow
def test_two_processes_append_to_one_store(tmp_path):
    path = str(tmp_path / "store")
    Store.open(path).close()
    batches, size = 150, 6
    workers = [_worker("append_many", path, name, str(batches), str(size)) for name in "ab"]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    with Store.open(path) as store:
        report = store.verify()
        assert report.ok, report.problems
        envelopes = list(store.read_all())
        assert [e.seq for e in envelopes] == list(range(1, 2 * batches * size + 1))
        assert len({e.id for e in envelopes}) == len(envelopes)
        per_batch = collections.Counter(e.event.sync_id for e in envelopes)
        assert set(per_batch.values()) == {size}
        assert store.stream_version("shared") == 2 * batches * size // 2
        assert store.stream_version("own:a") == store.stream_version("own:b") == batches * 3
        # a batch's events are contiguous: the two streams were written in one transaction
        for sync_id in per_batch:
            seqs = [e.seq for e in envelopes if e.event.sync_id == sync_id]
            assert seqs == list(range(seqs[0], seqs[0] + size))


@pytest.mark.slow
def test_killed_appender_leaves_whole_batches(tmp_path):
    path = str(tmp_path / "store")
    size = 40
    rng = random.Random(20261126)
    committed_seen = 0
    for _ in range(12):
        worker = _worker("append_forever", path, str(size), stdout=subprocess.PIPE)
        # wait until it has committed at least one batch, then kill it at a random moment
        assert worker.stdout.readline(), "worker did not start"
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        with Store.open(path) as store:
            report = store.verify()
            assert report.ok, report.problems
            counts = collections.Counter(e.event.sync_id for e in store.read_all())
            assert set(counts.values()) == {size}, "a batch was stored in part"
            assert store.last_seq == len(counts) * size
            assert store.last_seq > committed_seen
            committed_seen = store.last_seq
