"""The store's files as hostile input: a truncated ``data.mdb``, a full disk when a store is
created or backed up, a backup cut short. Each is one line and exit status 1, never SIGBUS.

The commands run in child processes: a SIGBUS would kill the test runner itself.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.upstream.sync import load_snapshot
from eventstore import Store, StoreCorruptError
from tests.support.cli import run_djp

ROOT = Path(__file__).resolve().parents[2]


def djp(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def fill(directory: Path) -> None:
    """Fill the filesystem of ``directory`` to the last byte."""
    with open(directory / "filler", "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
        try:  # the last few bytes too
            while True:
                out.write(b"\0")
        except OSError:
            pass


@pytest.fixture
def filled(tmp_path):
    path = tmp_path / "store"
    with Catalog.open(path) as catalog:
        load_snapshot(catalog)
        edits.edit_package(catalog, "django-messages", {"notes": "kept"})
    return path


def test_a_truncated_data_file_is_refused_in_one_line(filled, tmp_path):
    cut = tmp_path / "cut"
    shutil.copytree(filled, cut)
    size = (cut / "data.mdb").stat().st_size
    os.truncate(cut / "data.mdb", size // 2)
    for command in ("verify", "packages", "log"):
        done = djp("--store", cut, command)
        assert done.returncode == 1, (command, done.returncode, done.stderr[-300:])
        assert done.stderr.startswith(f"djp: {cut}/data.mdb is cut short")
        assert done.stderr.count("\n") == 1
    with pytest.raises(StoreCorruptError, match="restore the store from a backup"):
        Store.open(cut)


def test_a_data_file_cut_inside_its_header_is_refused(filled, tmp_path):
    cut = tmp_path / "cut"
    shutil.copytree(filled, cut)
    os.truncate(cut / "data.mdb", 100)
    done = djp("--store", cut, "verify")
    assert done.returncode == 1 and "is cut short" in done.stderr


def test_creating_a_store_on_a_full_disk_is_one_line(tiny_disk):
    fill(tiny_disk)
    done = djp("--store", tiny_disk / "new", "sync", "--snapshot")
    assert done.returncode == 1, done.stderr[-300:]
    assert "the disk is full" in done.stderr and done.stderr.count("\n") == 1
    os.unlink(tiny_disk / "filler")  # with room again, the same path works
    done = djp("--store", tiny_disk / "new", "sync", "--snapshot")
    assert done.returncode == 0, done.stderr


def test_a_backup_on_a_full_disk_leaves_nothing_that_looks_like_a_store(filled, tiny_disk):
    dest = tiny_disk / "backup"
    big = tiny_disk / "big"
    with open(big, "wb", buffering=0) as out:  # leave less room than the copy needs
        out.write(b"\0" * max(0, shutil.disk_usage(tiny_disk).free - 64 * 1024))
    done = djp("--store", filled, "backup", dest)
    assert done.returncode == 1 and "nothing was written" in done.stderr, done.stderr
    assert not dest.exists()
    assert [p.name for p in tiny_disk.iterdir() if p.name.startswith(".")] == []


def test_a_backup_is_as_private_as_the_store_and_opens(filled, tmp_path):
    dest = tmp_path / "copy"
    done = djp("--store", filled, "backup", dest)
    assert done.returncode == 0, done.stderr
    assert (dest.stat().st_mode & 0o777) == 0o700
    assert ((dest / "data.mdb").stat().st_mode & 0o777) == 0o600
    with Catalog.open(dest) as catalog:
        assert catalog.package_view("django-messages").notes == "kept"


def test_export_on_a_full_disk_leaves_no_file(filled, tiny_disk):
    with Catalog.open(filled) as catalog:
        for i in range(300):
            edits.edit_package(catalog, "django-messages", {"notes": f"{i} " + "n" * 3000})
    with open(tiny_disk / "big", "wb", buffering=0) as out:
        out.write(b"\0" * max(0, shutil.disk_usage(tiny_disk).free - 32 * 1024))
    done = djp("--store", filled, "export-edits", tiny_disk / "edits.jsonl")
    assert done.returncode == 1 and "the disk is full" in done.stderr, done.stderr
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["big"]


def test_a_whole_store_whose_last_pages_were_freed_unwritten_opens(tmp_path):
    """LMDB counts in its meta the pages a transaction allocated and freed again; they are
    never written, so a whole store can end before them (an import of 5,000 edits into a
    store of 6,000 packages did): it must open."""
    import lmdb

    path = tmp_path / "store"
    Store.open(path).close()
    env = lmdb.open(str(path), max_dbs=32, subdir=True)
    with env.begin(write=True) as txn:
        db = env.open_db(b"scratch", txn=txn)
        for i in range(300):
            txn.put(b"k%05d" % i, b"x" * 3000, db=db)
        for i in range(300):
            txn.delete(b"k%05d" % i, db=db)
    env.close()
    data = (path / "data.mdb").read_bytes()
    metas = [data[:160], data[4096 : 4096 + 160]]
    last_page = max(struct.unpack_from("=QQ", m, 136) for m in metas)[0]
    assert len(data) < (last_page + 1) * 4096  # the case is real: the file ends before
    with Store.open(path) as store:
        assert store.verify().ok


@pytest.mark.parametrize(
    "left",
    [[], [b"meta"], [b"meta", b"log", b"streams"], [b"log"]],
    ids=["no-database", "meta-empty", "meta-and-others-empty", "others-empty"],
)
def test_a_creation_killed_at_any_step_is_a_new_store(tmp_path, left):
    """What a kill between the transactions of a store's creation can leave: LMDB files with
    no database, or empty databases and no format record (1 in 53 random kills of a first
    sync did, and every command then refused the store). Each opens as a new store."""
    import lmdb

    path = tmp_path / "store"
    path.mkdir(mode=0o700)
    env = lmdb.open(str(path), max_dbs=32, subdir=True)
    for name in left:
        env.open_db(name)
    env.close()
    code, _, err = run_djp("--store", path, "sync", "--snapshot")
    assert code == 0, err
    with Store.open(path) as store:
        assert store.last_seq > 0 and store.verify().ok


def test_a_store_with_data_and_no_format_record_is_refused_saying_what_to_do(tmp_path):
    import lmdb

    path = tmp_path / "store"
    path.mkdir(mode=0o700)
    env = lmdb.open(str(path), max_dbs=32, subdir=True)
    with env.begin(write=True) as txn:
        txn.put(b"1", b"something", db=env.open_db(b"log", txn=txn))
    env.close()
    code, out, err = run_djp("--store", path, "packages")
    assert code == 1 and out == ""
    assert err == (
        f"djp: {path} holds data but no djp format record (not a djp store, or a damaged "
        "one): move it aside, or restore the store from a backup\n"
    )


@pytest.mark.slow
def test_a_page_overwritten_is_one_line_saying_the_store_is_damaged(snapshot_store, tmp_path):
    """One 4 KiB page of a copy overwritten, page after page: every command that reads it
    says in one line that the store is damaged and how to recover (verify printed a 49-line
    MDB_CORRUPTED traceback). Pages nothing reads change nothing. LMDB itself aborts on a few
    patterns (an assertion in its C code, exit 134): that is beyond what djp can catch."""
    data = (snapshot_store / "data.mdb").read_bytes()
    damaged = []
    for page in range(2, len(data) // 4096, 4):
        copy = tmp_path / f"copy-{page}"
        shutil.copytree(snapshot_store, copy)
        with open(copy / "data.mdb", "r+b") as file:
            file.seek(page * 4096)
            file.write(bytes((i * 7 + page) % 256 for i in range(4096)))
        for argv in (["verify"], ["packages"], ["show", "django-messages"]):
            done = subprocess.run(
                [sys.executable, "-m", "cli.main", "--store", str(copy), *argv],
                cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode == 134 and "Assertion" in done.stderr:
                continue  # LMDB's own abort
            assert done.returncode in (0, 1), (page, argv, done.stderr[-300:])
            assert "Traceback" not in done.stderr and done.stderr.count("\n") <= 1, (page, argv)
            if "is damaged" in done.stderr:
                assert "restore it from a backup" in done.stderr
                damaged.append((page, argv[0]))
    assert any(command == "verify" for _, command in damaged)
