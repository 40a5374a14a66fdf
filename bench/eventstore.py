"""Event store benchmark: ``python -m bench.eventstore [--events N]``.

Data is GENERATED (synthetic package records, not real catalogue data). Each figure is paired
with a bare baseline measured in the same run on the same data, because the machines are shared
and noisy; the ratios are what to compare across runs. Nothing here asserts on time.

- append: ``Store.append`` in batches of 500 events vs a bare loop making the same LMDB puts
  (log, stream index, event-id index, stream head) with msgspec encoding, same transaction size.
- durable: single-event appends, each its own fsynced transaction: median and p99 latency.
- scan: ``Store.read_all`` + decode vs a bare cursor + decode loop over the same store.
"""

from __future__ import annotations

import argparse
import json
import statistics
import struct
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import lmdb
import msgspec

from eventstore import SCHEMA_VERSION, Envelope, Package, RecordSeen, Store

BATCH = 500
U64 = struct.Struct(">Q")


def generated_events(n: int) -> list[RecordSeen]:
    """Synthetic RecordSeen events shaped like real package records (GENERATED data)."""
    return [
        RecordSeen(
            resource="package",
            sync_id="bench",
            record=Package(
                id=i,
                title=f"generated-package-{i}",
                slug=f"generated-package-{i}",
                category=1 + i % 5,
                grids=[i % 380, (i * 7) % 380],
                repo_url=f"https://github.com/generated/pkg-{i}",
                repo_description="Generated description for benchmarking. " * 2,
                repo_watchers=i * 3 % 5000,
                repo_forks=i % 700,
                pypi_url=f"generated-package-{i}",
                pypi_version="1.2.3",
                documentation_url=None,
                last_updated=datetime(2025, 1, 1, tzinfo=UTC),
                commits_over_52=[i % 4] * 52,
                participants=["alice", "bob"],
            ),
        )
        for i in range(n)
    ]


def bench_store_append(path: Path, events: list, stream: str) -> float:
    with Store.open(path) as store:
        start = time.perf_counter()
        for i in range(0, len(events), BATCH):
            store.append(stream, events[i : i + BATCH])
        return len(events) / (time.perf_counter() - start)


def bench_bare_append(path: Path, events: list, stream: str) -> float:
    """The same puts as Store.append, written inline: the floor the Store is measured against."""
    path.mkdir(mode=0o700)
    env = lmdb.open(str(path), map_size=1 << 32, max_dbs=32, mode=0o600)
    log, streams, heads, ids = (env.open_db(n) for n in (b"log", b"streams", b"heads", b"ids"))
    encode = msgspec.msgpack.Encoder(uuid_format="bytes").encode
    prefix = stream.encode() + b"\x00"
    seq = version = 0
    start = time.perf_counter()
    for i in range(0, len(events), BATCH):
        now = datetime.now(UTC)
        with env.begin(write=True) as txn:
            for event in events[i : i + BATCH]:
                event_id = uuid.uuid4()
                seq += 1
                version += 1
                key = U64.pack(seq)
                txn.put(event_id.bytes, key, db=ids, overwrite=False)
                envelope = Envelope(
                    seq=seq,
                    id=event_id,
                    stream=stream,
                    version=version,
                    recorded_at=now,
                    schema=SCHEMA_VERSION,
                    event=event,
                )
                txn.put(key, encode(envelope), db=log, append=True)
                txn.put(prefix + U64.pack(version), key, db=streams)
            txn.put(stream.encode(), U64.pack(version), db=heads)
    rate = len(events) / (time.perf_counter() - start)
    env.close()
    return rate


def bench_durable(path: Path, events: list, n: int) -> tuple[float, float]:
    latencies = []
    with Store.open(path) as store:
        for i in range(n):
            start = time.perf_counter()
            store.append(f"package:{i % 100}", [events[i % len(events)]])
            latencies.append(time.perf_counter() - start)
    latencies.sort()
    return statistics.median(latencies) * 1e3, latencies[int(len(latencies) * 0.99)] * 1e3


def bench_scan(path: Path) -> tuple[float, float]:
    """Both loops read the same store; a first untimed pass pages it in for both alike."""
    with Store.open(path) as store:
        for _ in store.read_all():
            pass
        start = time.perf_counter()
        count = sum(1 for _ in store.read_all())
        store_rate = count / (time.perf_counter() - start)
    env = lmdb.open(str(path), max_dbs=32, readonly=True)
    log = env.open_db(b"log", create=False)
    decode = msgspec.msgpack.Decoder(Envelope).decode
    start = time.perf_counter()
    bare = 0
    with env.begin(buffers=True) as txn:
        for value in txn.cursor(db=log).iternext(keys=False, values=True):
            decode(value)
            bare += 1
    bare_rate = bare / (time.perf_counter() - start)
    env.close()
    return store_rate, bare_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--durable", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    events = generated_events(args.events)
    print(f"eventstore benchmark on {args.events:,} GENERATED events, batches of {BATCH}")
    store_rates, bare_rates, scan_rates, bare_scan_rates = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp:
        for r in range(args.rounds):  # interleaved rounds: noise hits both sides alike
            bare_rates.append(bench_bare_append(Path(tmp) / f"bare{r}", events, "package:1"))
            store_rates.append(bench_store_append(Path(tmp) / f"store{r}", events, "package:1"))
            s, b = bench_scan(Path(tmp) / f"store{r}")
            scan_rates.append(s)
            bare_scan_rates.append(b)
        p50, p99 = bench_durable(Path(tmp) / "durable", events, args.durable)
    append_eps, bare_eps = statistics.median(store_rates), statistics.median(bare_rates)
    scan_eps, bare_scan_eps = statistics.median(scan_rates), statistics.median(bare_scan_rates)
    print(
        f"append   Store {append_eps:>12,.0f} ev/s   bare {bare_eps:>12,.0f} ev/s   "
        f"ratio {append_eps / bare_eps:.2f} (target >= 0.7)"
    )
    print(f"durable  single-event append p50 {p50:.3f} ms   p99 {p99:.3f} ms (target p50 < 1 ms)")
    print(
        f"scan     Store {scan_eps:>12,.0f} ev/s   bare {bare_scan_eps:>12,.0f} ev/s   "
        f"ratio {scan_eps / bare_scan_eps:.2f} (target >= 0.6)"
    )
    print(
        json.dumps(
            {
                "bench": "eventstore",
                "append_eps": round(append_eps),
                "bare_append_eps": round(bare_eps),
                "append_ratio": round(append_eps / bare_eps, 3),
                "durable_p50_ms": round(p50, 3),
                "durable_p99_ms": round(p99, 3),
                "scan_eps": round(scan_eps),
                "bare_scan_eps": round(bare_scan_eps),
                "scan_ratio": round(scan_eps / bare_scan_eps, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
