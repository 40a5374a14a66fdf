"""Opening an LMDB environment as a djp store, safely: the directory, the format record.

A path that is not a store (a file, a directory of other files, a foreign LMDB environment,
an unreadable file) is refused with one line; a store from a newer djp is refused unchanged.
"""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path

import lmdb

from eventstore.codec import pack_u64, unpack_u64
from eventstore.errors import NewerStoreError, NotAStoreError, StoreCorruptError, StoreWriteError
from eventstore.events import SCHEMA_VERSION

#: Version of the on-disk layout (databases and key encodings).
FORMAT_VERSION = 1


LMDB_MAGIC = 0xBEEFC0DE
LOCK_BYTES = 16 * 1024  # LMDB's lock file for its default 126 readers needs 8 KiB
_META = struct.Struct("=II8xQ")  # after the 16-byte page header: magic, version, -, mapsize
_META_TAIL = struct.Struct("=QQ")  # at 136: the last page used, the transaction id
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def check_data_file(path: Path) -> None:
    """Refuse, in one line, a ``data.mdb`` too short for the pages its newest meta page
    names (a copy cut short, a file truncated): LMDB would map it and the process would die
    of SIGBUS. The pages checked are the roots of the free and main databases and of each
    named database: every committed root was written. (The meta's last page number is no
    measure: pages allocated and freed again in one transaction count there and are never
    written, so a whole store can end before it.)"""
    data = path / "data.mdb"
    try:
        size = data.stat().st_size
        with open(data, "rb") as file:
            first = file.read(160)
            if size == 0 or len(first) < 160:
                return _cut_short(data, size, 160) if size else None
            magic = _META.unpack_from(first, 16)[0]
            if magic != LMDB_MAGIC:
                return None  # not LMDB's: lmdb.open refuses it with its own message
            page_size = struct.unpack_from("=I", first, 40)[0]
            if not 512 <= page_size <= 65536:
                raise StoreCorruptError(f"{data} has a damaged header (page size {page_size})")
            file.seek(page_size)
            second = file.read(160)
            metas = [first] + ([second] if len(second) == 160 else [])
            valid = [m for m in metas if _META.unpack_from(m, 16)[0] == LMDB_MAGIC]
            meta = max(valid, key=lambda m: _META_TAIL.unpack_from(m, 136)[1])
            roots = [r for r in _ROOTS.unpack_from(meta, 80) if r != _NO_PAGE]
            main = _ROOTS.unpack_from(meta, 80)[1]
            if main != _NO_PAGE and (main + 1) * page_size <= size:
                file.seek(main * page_size)
                roots += _named_roots(file.read(page_size))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise NotAStoreError(f"{data} cannot be read: {exc.strerror or exc}") from exc
    need = (max(roots, default=1) + 1) * page_size
    if size < need:
        _cut_short(data, size, need)
    return None


#: md_root of the free and the main database in a meta page (after its 16-byte header:
#: magic, version, address, mapsize, then two 48-byte MDB_db whose root is their last field).
_ROOTS = struct.Struct("=Q40xQ")
_NO_PAGE = 2**64 - 1  # P_INVALID: an empty database has no root
_P_LEAF, _F_SUBDATA = 0x02, 0x02


def _named_roots(page: bytes) -> list[int]:
    """The roots of the named databases a leaf page of the main database lists (djp's dozen
    fit in one page; a branch page is left alone)."""
    if len(page) < 16 or not struct.unpack_from("=H", page, 10)[0] & _P_LEAF:
        return []
    lower = struct.unpack_from("=H", page, 12)[0]
    roots = []
    for i in range(max(0, (min(lower, len(page)) - 16) // 2)):
        offset = struct.unpack_from("=H", page, 16 + 2 * i)[0]
        if offset + 8 > len(page):
            continue
        flags, key_size = struct.unpack_from("=HH", page, offset + 4)
        at = offset + 8 + key_size + 40  # the MDB_db after the key; its root is at 40
        if flags & _F_SUBDATA and at + 8 <= len(page):
            root = struct.unpack_from("=Q", page, at)[0]
            if root != _NO_PAGE:
                roots.append(root)
    return roots


def _cut_short(data: Path, size: int, need: int) -> None:
    raise StoreCorruptError(
        f"{data} is cut short: {size:,} bytes where its pages reach {need:,} (a copy killed "
        "midway, or a full disk); restore the store from a backup"
    )


def reserve_lock_file(path: Path) -> None:
    """Allocate LMDB's lock file for real before LMDB maps it: on a full disk a sparse lock
    file kills the process with SIGBUS; this makes it a one-line error instead."""
    lock = path / "lock.mdb"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # a read-only store: LMDB says what it can do
    try:
        if os.fstat(fd).st_blocks * 512 < LOCK_BYTES:
            os.posix_fallocate(fd, 0, LOCK_BYTES)
    except OSError as exc:
        if exc.errno in _DISK_FULL:
            raise StoreWriteError(
                f"cannot open the store at {path}: the disk is full ({exc.strerror}); "
                "free some space and retry"
            ) from exc
    finally:
        os.close(fd)


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
        entries = set(os.listdir(path)) - {"lock.mdb"}  # a lock alone: a creation cut short
        if entries and "data.mdb" not in entries:
            raise NotAStoreError(
                f"{path} holds other files and no store; choose an empty or new directory"
            )
        if "data.mdb" in entries and not os.access(path / "data.mdb", os.R_OK):
            raise NotAStoreError(f"{path}/data.mdb cannot be read by this user")
        return
    try:
        path.mkdir(mode=0o700, parents=True)
    except OSError as exc:
        raise NotAStoreError(f"cannot create the store at {path}: {exc.strerror}") from exc
    os.chmod(path, 0o700)


def writable(path: Path) -> bool:
    """Whether this user can write the store at ``path`` (a store it can only read is opened
    read-only: browsed, never changed)."""
    data = path / "data.mdb"
    if not data.exists():
        return True
    lock = path / "lock.mdb"
    can_lock = os.access(lock, os.W_OK) if lock.exists() else os.access(path, os.W_OK)
    return os.access(data, os.W_OK) and can_lock


def _write_format(env: lmdb.Environment) -> None:
    """Create the meta database and its format record in one transaction: a kill at any
    point leaves either a whole record or no store at all."""
    with env.begin(write=True) as txn:
        meta = env.open_db(b"meta", txn=txn)
        txn.put(b"format", pack_u64(FORMAT_VERSION), db=meta)
        txn.put(b"schema", pack_u64(SCHEMA_VERSION), db=meta)


def _holds_data(env: lmdb.Environment) -> bool:
    """Whether any database of ``env`` holds an entry (the names of empty databases a cut
    short creation left do not count)."""
    with env.begin() as txn:
        names = [key for key, _ in txn.cursor()]
        for name in names:
            try:
                db = env.open_db(name, txn=txn, create=False)
            except lmdb.Error:  # a key of the main database that names no database: data
                return True
            if txn.stat(db)["entries"]:
                return True
    return False


def check_or_init_meta(env: lmdb.Environment, path: Path, read_only: bool = False) -> None:
    try:
        meta = env.open_db(b"meta", create=False)
    except lmdb.NotFoundError:
        meta = None
    fmt = schema = None
    if meta is not None:
        with env.begin() as txn:
            fmt = txn.get(b"format", db=meta)
            schema = txn.get(b"schema", db=meta)
    if fmt is None or schema is None:
        # no format record: a store whose creation was cut short holds nothing (new, then),
        # else this is not a djp store, or a damaged one
        if _holds_data(env):
            raise NotAStoreError(
                f"{path} holds data but no djp format record (not a djp store, or a damaged "
                "one): move it aside, or restore the store from a backup"
            )
        if read_only:
            raise NotAStoreError(f"{path} is not a djp store (and cannot be written)")
        _write_format(env)
        return
    fmt_v, schema_v = unpack_u64(fmt), unpack_u64(schema)
    if fmt_v > FORMAT_VERSION or schema_v > SCHEMA_VERSION:
        raise NewerStoreError(
            f"{path} was written by a newer djp (format {fmt_v}, schema {schema_v}; this djp "
            f"reads up to format {FORMAT_VERSION}, schema {SCHEMA_VERSION}); upgrade djp"
        )
    if schema_v < SCHEMA_VERSION and not read_only:
        with env.begin(write=True) as txn:
            txn.put(b"schema", pack_u64(SCHEMA_VERSION), db=meta)
