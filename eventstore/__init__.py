"""djp's event store: the append-only LMDB log and the event vocabulary.

Depends on the standard library, lmdb and msgspec only.
"""

from eventstore.append import ANY, NO_STREAM, Append
from eventstore.codec import decode_for_fold, pack_u64, stream_key, unpack_u64
from eventstore.environment import FORMAT_VERSION
from eventstore.errors import (
    NewerStoreError,
    NotAStoreError,
    StoreCorruptError,
    StoreError,
    StoreValueError,
    StoreWriteError,
    WrongExpectedVersionError,
)
from eventstore.events import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    Advisory,
    Category,
    Edited,
    Envelope,
    Event,
    FieldChange,
    Grid,
    Package,
    PypiFacts,
    PypiObserved,
    Record,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    Redone,
    SkippedRecord,
    SyncCounts,
    SyncFinished,
    SyncStarted,
    Undone,
    event_type,
)
from eventstore.store import Store, WriteTransaction
from eventstore.verify import VerifyReport

__all__ = [
    "ANY",
    "EVENT_TYPES",
    "FORMAT_VERSION",
    "NO_STREAM",
    "SCHEMA_VERSION",
    "Advisory",
    "Append",
    "Category",
    "Edited",
    "Envelope",
    "Event",
    "FieldChange",
    "Grid",
    "NewerStoreError",
    "NotAStoreError",
    "Package",
    "PypiFacts",
    "PypiObserved",
    "Record",
    "RecordChanged",
    "RecordSeen",
    "RecordVanished",
    "Redone",
    "SkippedRecord",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreValueError",
    "StoreWriteError",
    "SyncCounts",
    "SyncFinished",
    "SyncStarted",
    "Undone",
    "VerifyReport",
    "WriteTransaction",
    "WrongExpectedVersionError",
    "decode_for_fold",
    "event_type",
    "pack_u64",
    "stream_key",
    "unpack_u64",
]
