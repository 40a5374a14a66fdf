"""Opening an LMDB environment as a djp store, safely: the directory, the format record.

A path that is not a store (a file, a directory of other files, a foreign LMDB environment,
an unreadable file) is refused with one line; a store from a newer djp is refused unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

import lmdb

from eventstore.codec import pack_u64, unpack_u64
from eventstore.errors import NewerStoreError, NotAStoreError
from eventstore.events import SCHEMA_VERSION

#: Version of the on-disk layout (databases and key encodings).
FORMAT_VERSION = 1


def lmdb_reason(exc: BaseException) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1] if ": " in text else text


def prepare_directory(path: Path) -> None:
    try:
        _prepare_directory_unchecked(path)
    except OSError as exc:
        raise NotAStoreError(f"{path} cannot be read: {exc.strerror or exc}") from exc


def _prepare_directory_unchecked(path: Path) -> None:
    if path.exists():
        if not path.is_dir():
            raise NotAStoreError(f"{path} is a file, not a djp store directory")
        entries = set(os.listdir(path))
        if entries and "data.mdb" not in entries:
            raise NotAStoreError(
                f"{path} holds other files and no store; choose an empty or new directory"
            )
        if "data.mdb" in entries and not os.access(path / "data.mdb", os.R_OK | os.W_OK):
            raise NotAStoreError(f"{path}/data.mdb cannot be read and written by this user")
        return
    try:
        path.mkdir(mode=0o700, parents=True)
    except OSError as exc:
        raise NotAStoreError(f"cannot create the store at {path}: {exc.strerror}") from exc
    os.chmod(path, 0o700)


def check_or_init_meta(env: lmdb.Environment, path: Path) -> None:
    try:
        meta = env.open_db(b"meta", create=False)
    except lmdb.NotFoundError:
        if env.stat()["entries"]:
            raise NotAStoreError(f"{path} is an LMDB environment but not a djp store") from None
        meta = env.open_db(b"meta")
        with env.begin(write=True) as txn:
            txn.put(b"format", pack_u64(FORMAT_VERSION), db=meta)
            txn.put(b"schema", pack_u64(SCHEMA_VERSION), db=meta)
        return
    with env.begin() as txn:
        fmt = txn.get(b"format", db=meta)
        schema = txn.get(b"schema", db=meta)
    if fmt is None or schema is None:
        raise NotAStoreError(f"{path} has no djp format record")
    fmt_v, schema_v = unpack_u64(fmt), unpack_u64(schema)
    if fmt_v > FORMAT_VERSION or schema_v > SCHEMA_VERSION:
        raise NewerStoreError(
            f"{path} was written by a newer djp (format {fmt_v}, schema {schema_v}; this djp "
            f"reads up to format {FORMAT_VERSION}, schema {SCHEMA_VERSION}); upgrade djp"
        )
    if schema_v < SCHEMA_VERSION:
        with env.begin(write=True) as txn:
            txn.put(b"schema", pack_u64(SCHEMA_VERSION), db=meta)
