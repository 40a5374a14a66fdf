"""Checking a store's log against its indexes: what ``djp verify`` reports.

The log is read in ranges (``eventstore.scan``, in worker processes for a long log). Each
range checks its own events: sequences gap-free, every envelope decodes and says its own
sequence, stream versions consecutive. The indexes are not probed once per event (a random
B-tree read each, 3.4 µs an event for the two of them): each side sums a hash of every
(stream key, sequence) and (event id, sequence) pair, the log while it is read, the index by
one sequential scan, and the sums must agree. Only when they do not is the log read again,
probing the indexes event by event, to name what is wrong (``verify_log``). The hash is
Python's, whose key is shared by the forked workers; the sums are exact integers, so a wrong
entry goes unnoticed only if the hashes of the difference cancel (about 1 in 2**64).
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union

import lmdb
import msgspec

from eventstore.codec import decode_envelope, pack_u64, stream_key, unpack_u64
from eventstore.events import SCHEMA_VERSION, Event, RecordChanged, Resource
from eventstore.scan import scan


@dataclass
class VerifyReport:
    events: int = 0
    streams: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class RangeCheck(msgspec.Struct):
    """What one range of the log says about itself and owes the indexes."""

    lo: int
    hi: int
    events: int = 0
    #: stream -> (first version, last version, sequence of the first) in the range
    versions: dict[str, tuple[int, int, int]] = {}
    stream_sum: int = 0  # of hash((stream key, packed sequence))
    id_sum: int = 0  # of hash((event id, packed sequence))
    problems: list[str] = []


class _RawChange(msgspec.Struct, gc=False):
    before: msgspec.Raw  # any value: checked to be well-formed, not built
    after: msgspec.Raw


class CheckedChange(msgspec.Struct, kw_only=True, tag="RecordChanged", gc=False):
    """``RecordChanged`` as ``checked_events`` decodes it: every field checked, the values (any
    value is valid) skipped over instead of built; a fold decodes the ones it keeps."""

    resource: Resource
    id: int
    changes: dict[str, _RawChange]
    sync_id: str


_CheckedEvent = Union[  # noqa: UP007 (a union built from a tuple)
    tuple(CheckedChange if t is RecordChanged else t for t in Event.__args__)
]


class _Checked(msgspec.Struct, gc=False):
    """An envelope as ``checked_events`` decodes it: in full (but for the values of upstream
    changes), the id as its 16 bytes. These structs are not tracked by the cyclic collector
    (``gc=False``: decoded data holds no cycles), which makes decoding them 10 % faster."""

    seq: int
    id: bytes
    stream: str
    version: int
    recorded_at: datetime
    schema: int
    event: _CheckedEvent

    @property
    def type(self) -> str:
        return type(self.event).__struct_config__.tag


#: An envelope as ``checked_events`` decodes it (``_Checked``).
decode_checked = msgspec.msgpack.Decoder(_Checked).decode


def check_range(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> RangeCheck:
    """Check the events ``lo..hi`` (read through a ``buffers=False`` transaction)."""
    check = RangeCheck(lo, hi, versions={}, problems=[])
    collections.deque(checked_events(txn, dbs, check), maxlen=0)
    return check


def checked_events(
    txn: lmdb.Transaction, dbs: dict[bytes, Any], check: RangeCheck
) -> Iterator[Any]:
    """Check the events ``check.lo..check.hi`` into ``check`` and yield each one that
    decodes (a layer above can fold the same events as they are checked)."""
    lo, hi = check.lo, check.hi
    problems = check.problems
    seen: dict[str, list] = {}  # stream -> [first version, last version, its seq, key prefix]
    get = seen.get
    stream_sum = id_sum = events = 0
    expected, stop = lo, hi + 1
    from_bytes, current, checked = int.from_bytes, SCHEMA_VERSION, decode_checked
    cursor = txn.cursor(db=dbs[b"log"])
    if not cursor.set_range(pack_u64(lo)):
        problems.append(f"sequence gap: expected {lo}, the log ends before it")
        return
    for key, raw in cursor:
        seq = from_bytes(key, "big")
        if seq != expected or seq == stop:
            if seq >= stop:
                break
            problems.append(f"sequence gap: expected {expected}, found {seq}")
        expected = seq + 1
        try:
            env = checked(raw)
        except msgspec.DecodeError:
            env = None
        if env is not None and env.schema == current:
            ident = env.id
        else:
            try:
                env = decode_envelope(raw)  # an older schema: upcast
            except msgspec.DecodeError as exc:
                problems.append(f"event {seq} does not decode: {exc}")
                continue
            ident = env.id.bytes
        events += 1
        if env.seq != seq:
            problems.append(f"event at key {seq} says it is event {env.seq}")
        stream, version = env.stream, env.version
        state = get(stream)
        if state is None:
            state = seen[stream] = [version, version, seq, stream.encode() + b"\x00"]
        else:
            if version != state[1] + 1:
                problems.append(
                    f"event {seq}: stream {stream!r} has version {version}, expected {state[1] + 1}"
                )
            state[1] = version
        # the same pairs as the indexes' own (key, value) entries
        stream_sum += hash((state[3] + version.to_bytes(8, "big"), key))
        id_sum += hash((ident, key))
        yield env
    check.events = events
    if expected <= hi:
        problems.append(f"sequence gap: expected {expected}, the log ends before it")
    check.versions = {stream: (a, b, c) for stream, (a, b, c, _) in seen.items()}
    check.stream_sum, check.id_sum = stream_sum, id_sum


def check_task(txn: lmdb.Transaction, dbs: dict[bytes, Any], lo: int, hi: int) -> tuple:
    """The task ``Store.verify`` scans with: the range's checks, nothing else."""
    return check_range(txn, dbs, lo, hi), None


def index_sum(txn: lmdb.Transaction, dbs: dict[bytes, Any], name: bytes) -> tuple[int, int]:
    """(entries, sum of hash((key, value))) of one index (one sequential read, in C)."""
    db = dbs[name]
    return txn.stat(db)["entries"], sum(map(hash, txn.cursor(db=db)))


def heads_of(txn: lmdb.Transaction, dbs: dict[bytes, Any]) -> dict[str, int]:
    return {bytes(key).decode(): unpack_u64(value) for key, value in txn.cursor(db=dbs[b"heads"])}


def merge_checks(
    checks: list[RangeCheck],
    heads: dict[str, int],
    index_sums: dict[bytes, tuple[int, int]],
) -> tuple[VerifyReport, bool]:
    """The report of a whole log from its ranges in order; and whether the indexes disagree
    with it (then ``verify_log`` says where)."""
    report = VerifyReport()
    problems = report.problems
    last: dict[str, int] = {}
    stream_sum = id_sum = 0
    for check in checks:
        problems.extend(check.problems)
        report.events += check.events
        stream_sum += check.stream_sum
        id_sum += check.id_sum
        for stream, (first, newest, seq) in check.versions.items():
            before = last.get(stream, 0)
            if first != before + 1:
                problems.append(
                    f"event {seq}: stream {stream!r} has version {first}, expected {before + 1}"
                )
            last[stream] = newest
    if heads != last:
        extra = sorted(set(heads.items()) ^ set(last.items()))
        problems.append(f"stream heads disagree with the log: {extra[:3]}")
    indexes_wrong = any(
        index_sums[name] != (report.events, total)
        for name, total in ((b"streams", stream_sum), (b"ids", id_sum))
    )
    report.streams = len(last)
    return report, indexes_wrong


def verify_scan(
    txn: lmdb.Transaction,
    dbs: dict[bytes, Any],
    task: Callable[..., tuple],
    on_range: Callable[[Any], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    beside: tuple[tuple[Callable[..., Any], tuple], ...] = (),
) -> tuple[VerifyReport, list[Any]]:
    """The whole log checked in ranges (``eventstore.scan``) by ``task``, which returns
    ``(RangeCheck, payload)``; ``on_range(payload)`` gets each range's payload in log order.
    The indexes are summed beside the ranges; if their sums disagree with the log's, it is
    read again event by event (``verify_log``) to name what is wrong. ``beside`` are more
    jobs ``fn(txn, dbs, *args)`` run beside the ranges; their results are returned."""
    cursor = txn.cursor(db=dbs[b"log"])
    last = unpack_u64(cursor.key()) if cursor.last() else 0
    checks: list[RangeCheck] = []
    results: list[Any] = []
    extra = ((index_sum, (b"streams",)), (index_sum, (b"ids",)), *beside)
    done = 0
    for size, result in scan(txn, dbs, task, 1, last, extra=extra):
        if not size:  # the extra jobs come first, in order
            results.append(result)
            continue
        check, payload = result
        checks.append(check)
        if on_range is not None:
            on_range(payload)
        done += size
        if progress is not None:
            progress(done, last)
    indexed = dict(zip((b"streams", b"ids"), results[:2], strict=True))
    report, indexes_wrong = merge_checks(checks, heads_of(txn, dbs), indexed)
    if indexes_wrong:
        report = verify_log(txn, *(dbs[name] for name in (b"log", b"streams", b"heads", b"ids")))
        report.problems = report.problems or ["the indexes disagree with the log"]
    return report, results[2:]


def verify_log(txn: lmdb.Transaction, log: Any, streams: Any, heads: Any, ids: Any) -> VerifyReport:
    """Check event by event that sequences are gap-free, every envelope decodes, and the
    indexes agree (a random index read per event: slow, exact; names each wrong entry)."""
    report = VerifyReport()
    problems = report.problems
    versions: dict[str, int] = {}
    expected_seq = 1
    for key, raw in txn.cursor(db=log):
        seq = unpack_u64(key)
        if seq != expected_seq:
            problems.append(f"sequence gap: expected {expected_seq}, found {seq}")
            expected_seq = seq
        expected_seq += 1
        try:
            env = decode_envelope(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            problems.append(f"event {seq} does not decode: {exc}")
            continue
        report.events += 1
        if env.seq != seq:
            problems.append(f"event at key {seq} says it is event {env.seq}")
        version = versions.get(env.stream, 0) + 1
        if env.version != version:
            problems.append(
                f"event {seq}: stream {env.stream!r} has version {env.version}, expected {version}"
            )
        versions[env.stream] = env.version
        indexed = txn.get(stream_key(env.stream, env.version), db=streams)
        if indexed is None or unpack_u64(indexed) != seq:
            problems.append(f"event {seq}: stream index for {env.stream!r} v{env.version} is wrong")
        by_id = txn.get(env.id.bytes, db=ids)
        if by_id is None or unpack_u64(by_id) != seq:
            problems.append(f"event {seq}: id index for {env.id} is wrong")
    heads = {key.decode(): unpack_u64(value) for key, value in txn.cursor(db=heads)}
    if heads != versions:
        extra = sorted(set(heads.items()) ^ set(versions.items()))
        problems.append(f"stream heads disagree with the log: {extra[:3]}")
    for db, what in ((streams, "stream index"), (ids, "id index")):
        entries = txn.stat(db)["entries"]
        if entries != report.events:
            problems.append(f"{what} has {entries} entries for {report.events} events")
    report.streams = len(versions)
    return report
