"""How the log's keys and envelopes are encoded: big-endian u64 keys (byte order is numeric
order), msgpack envelopes, and decoding with upcasting of older schemas."""

from __future__ import annotations

import struct

import msgspec

from eventstore.errors import StoreError
from eventstore.events import SCHEMA_VERSION, Envelope, Event
from eventstore.upcast import upcast

_U64 = struct.Struct(">Q")
pack_u64 = _U64.pack


def unpack_u64(data: bytes | memoryview) -> int:
    return _U64.unpack(data)[0]


encoder = msgspec.msgpack.Encoder(uuid_format="bytes")
_decoder = msgspec.msgpack.Decoder(Envelope)


def decode_envelope(raw: bytes | memoryview) -> Envelope:
    """Decode one stored envelope, upcasting it if an older schema wrote it."""
    try:
        envelope = _decoder.decode(raw)
    except msgspec.ValidationError:
        return upcast(raw)
    if envelope.schema != SCHEMA_VERSION:
        return upcast(raw)
    return envelope


class FoldEnvelope(msgspec.Struct):
    """The parts of an envelope a fold needs; decoding it skips the id and the time."""

    seq: int
    stream: str
    schema: int
    event: Event


fold_decoder = msgspec.msgpack.Decoder(FoldEnvelope)


def decode_for_fold(raw: bytes | memoryview) -> FoldEnvelope | Envelope:
    try:
        envelope = fold_decoder.decode(raw)
    except msgspec.ValidationError:
        return upcast(raw)
    return envelope if envelope.schema == SCHEMA_VERSION else upcast(raw)


def stream_key(stream: str, version: int) -> bytes:
    return stream.encode() + b"\x00" + pack_u64(version)


def check_stream_name(stream: str) -> bytes:
    raw = stream.encode()
    if not raw or b"\x00" in raw or len(raw) > 400:
        raise StoreError(f"invalid stream name {stream!r}: 1-400 bytes, no NUL")
    return raw
