"""Read envelopes written by older schema versions.

Each step is a small function that takes an event as a plain dict of schema N and returns it
as schema N+1; ``upcast`` runs the chain from the envelope's schema up to the current one.
The stored bytes are never rewritten: old events are translated every time they are read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from eventstore.events import SCHEMA_VERSION, Envelope, Event


class _LooseEnvelope(msgspec.Struct, kw_only=True):
    seq: int
    id: uuid.UUID
    stream: str
    version: int
    recorded_at: datetime
    schema: int
    event: dict[str, Any]


def _v1_to_v2(event: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 named a sync's source ``base_url`` and had no ``kind``."""
    if event.get("type") == "SyncStarted" and "base_url" in event:
        event = dict(event)
        source = event.pop("base_url")
        event["source"] = source
        event.setdefault("kind", "snapshot" if source.startswith("snapshot:") else "full")
    return event


#: UPCASTERS[n] turns a schema-n event dict into a schema n+1 one.
UPCASTERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}

_loose_decoder = msgspec.msgpack.Decoder(_LooseEnvelope)


def upcast(raw: bytes | memoryview) -> Envelope:
    """Decode an envelope of any schema up to the current one."""
    loose = _loose_decoder.decode(raw)
    if loose.schema > SCHEMA_VERSION:
        raise msgspec.ValidationError(
            f"event {loose.seq} has schema {loose.schema}, newer than this djp ({SCHEMA_VERSION})"
        )
    event = loose.event
    for version in range(loose.schema, SCHEMA_VERSION):
        event = UPCASTERS[version](event)
    return Envelope(
        seq=loose.seq,
        id=loose.id,
        stream=loose.stream,
        version=loose.version,
        recorded_at=loose.recorded_at,
        schema=SCHEMA_VERSION,
        event=msgspec.convert(event, Event),
    )
