"""The store's errors: each a type, each ``str()`` one line for the user."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose; ``str()`` is a one-line message."""


class NotAStoreError(StoreError):
    pass


class NewerStoreError(StoreError):
    pass


class StoreCorruptError(StoreError):
    pass


class StoreWriteError(StoreError):
    """A write failed (a full disk, an I/O error); the transaction left no trace."""


class StoreReadOnlyError(StoreWriteError):
    """The store was opened read-only (this user cannot write it): nothing can be written."""


class StoreValueError(StoreError):
    """A key or value this store cannot hold (an LMDB size limit); nothing was written."""


class WrongExpectedVersionError(StoreError):
    def __init__(self, stream: str, expected: int, actual: int) -> None:
        self.stream, self.expected, self.actual = stream, expected, actual
        want = "no stream" if expected == 0 else f"version {expected}"  # 0: NO_STREAM
        have = "does not exist" if actual == 0 else f"is at version {actual}"
        super().__init__(f"stream {stream!r}: expected {want}, but it {have}")
