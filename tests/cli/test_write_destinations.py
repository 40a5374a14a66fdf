"""What djp writes lands where the user said and replaces nothing else: a symlink is followed
to its target (written there, atomically), and a destination that is not a regular file (a
device, a FIFO, a directory) is refused in one line and left as it was."""

from __future__ import annotations

import os
import stat

import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from tests.support.cli import run_djp


@pytest.fixture
def store(snapshot_store):
    with Catalog.open(snapshot_store) as catalog:
        edits.edit_package(catalog, "django-messages", {"notes": "mine"})
    return snapshot_store


def test_a_fifo_is_refused_and_left_a_fifo(store, tmp_path):
    fifo = tmp_path / "edits.jsonl"
    os.mkfifo(fifo)
    code, out, err = run_djp("--store", store, "export-edits", fifo)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "is not a regular file (a device, a FIFO or a socket)" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_device_node_is_refused_and_left_a_device(store, tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
    except PermissionError:
        pytest.skip("making a device node needs root (as CI and the dev box have)")
    linked = tmp_path / "edits.jsonl"
    linked.symlink_to(device)
    for dest in (device, linked):
        code, _, err = run_djp("--store", store, "export-edits", dest)
        assert code == 1 and "is not a regular file" in err
    assert stat.S_ISCHR(os.lstat(device).st_mode) and linked.is_symlink()


def test_a_symlink_is_followed_and_stays_a_symlink(store, tmp_path):
    target = tmp_path / "real" / "edits.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "edits.jsonl"
    link.symlink_to(target)
    code, _, err = run_djp("--store", store, "export-edits", link)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert '"notes"' in target.read_text() and "old" not in target.read_text()
    dangling = tmp_path / "later.jsonl"
    dangling.symlink_to(tmp_path / "real" / "later-target.jsonl")
    code, _, err = run_djp("--store", store, "export-edits", dangling)
    assert code == 0, err
    assert dangling.is_symlink() and (tmp_path / "real" / "later-target.jsonl").is_file()


def test_a_directory_is_refused(store, tmp_path):
    code, _, err = run_djp("--store", store, "export-edits", tmp_path)
    assert code != 0 and err.count("\n") == 1
