"""What an append is made of: events for one stream, an expected version, ids; and the
check of a batch before any of it is written."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from eventstore.codec import check_stream_name
from eventstore.errors import StoreError
from eventstore.events import Event

#: Expected-version sentinels for ``append``. A stream's first event has version 1, so an exact
#: expected version of 0 means the same as NO_STREAM.
ANY = -1
NO_STREAM = 0


@dataclass
class Append:
    """Events for one stream, appended atomically with the others of the same batch."""

    stream: str
    events: Sequence[Event]
    expected_version: int = ANY
    ids: Sequence[uuid.UUID] | None = None


class AppendOne:
    """``append`` for one stream, on top of a class's ``append_batch``."""

    def append_batch(self, batch: Sequence[Append]) -> list[list[int]]:
        raise NotImplementedError

    def append(
        self,
        stream: str,
        events: Sequence[Event],
        expected_version: int = ANY,
        *,
        ids: Sequence[uuid.UUID] | None = None,
    ) -> list[int]:
        """Append events to one stream; returns their sequences (see ``append_batch``)."""
        return self.append_batch([Append(stream, events, expected_version, ids)])[0]


def prepare(batch: Sequence[Append]) -> list:
    prepared = []
    for item in batch:
        stream_raw = check_stream_name(item.stream)
        ids = list(item.ids) if item.ids is not None else [uuid.uuid4() for _ in item.events]
        if len(ids) != len(item.events):
            raise StoreError(
                f"stream {item.stream!r}: {len(ids)} ids for {len(item.events)} events"
            )
        prepared.append((item, stream_raw, ids))
    return prepared
