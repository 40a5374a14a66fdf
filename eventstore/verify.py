"""Checking a store's log against its indexes: what ``djp verify`` reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import lmdb
import msgspec

from eventstore.codec import decode_envelope, stream_key, unpack_u64


@dataclass
class VerifyReport:
    events: int = 0
    streams: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_log(txn: lmdb.Transaction, log: Any, streams: Any, heads: Any, ids: Any) -> VerifyReport:
    """Check that sequences are gap-free, every envelope decodes, and the indexes agree."""
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
