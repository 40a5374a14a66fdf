"""The store commands of the djp command line: log, verify, backup, and their errors."""

from __future__ import annotations

import json

import lmdb
import pytest

from eventstore import Package, RecordSeen, Store, SyncStarted, pack_u64, stream_key
from tests.support.cli import run_djp


@pytest.fixture
def filled(store_path):
    with Store.open(store_path) as store:
        store.append("sync", [SyncStarted(sync_id="s1", source="https://x.invalid/api/v4/")])
        for i in range(1, 6):
            record = Package(id=i, title=f"pkg {i}", slug=f"pkg-{i}")
            store.append(
                f"package:{i}", [RecordSeen(resource="package", record=record, sync_id="s1")]
            )
    return store_path


def test_no_command_prints_help():
    code, out, _ = run_djp()
    assert code == 0
    assert "Usage: djp" in out and "verify" in out


def test_log_text_newest_last(filled):
    code, out, _ = run_djp("--store", filled, "log")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 6
    assert lines[0].split()[0] == "1" and "full sync from https://x.invalid/api/v4/" in lines[0]
    assert lines[-1].split()[0] == "6" and "package pkg-5 first seen (id 5)" in lines[-1]


def test_log_json_since_and_limit(filled):
    code, out, _ = run_djp("--store", filled, "log", "--since", "2", "--limit", "2", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["seq"] for r in rows] == [3, 4]
    assert set(rows[0]) == {"seq", "id", "stream", "version", "type", "recorded_at", "data"}
    assert rows[0]["type"] == "RecordSeen"
    assert rows[0]["stream"] == "package:2"
    assert rows[0]["data"]["record"]["slug"] == "pkg-2"
    assert rows[0]["recorded_at"].endswith("+00:00")


def test_log_limit_alone_shows_the_newest(filled):
    _, out, _ = run_djp("--store", filled, "log", "--limit", "2", "--json")
    assert [json.loads(line)["seq"] for line in out.splitlines()] == [5, 6]


def test_store_from_environment_variable(filled, monkeypatch):
    monkeypatch.setenv("DJP_STORE", str(filled))
    code, out, _ = run_djp("verify")
    assert code == 0
    assert out == (
        "ok: 6 events in 6 streams; sequences gap-free, indexes consistent, "
        "projections equal a fresh fold\n"
    )


def test_verify_names_the_first_problem(filled):
    env = lmdb.open(str(filled), max_dbs=32)
    streams = env.open_db(b"streams")
    with env.begin(write=True) as txn:
        txn.delete(stream_key("package:3", 1), db=streams)
    env.close()
    code, out, err = run_djp("--store", filled, "verify")
    assert code == 1 and out == ""
    assert err.startswith("djp: store is damaged: event 4: stream index for 'package:3' v1")


def test_backup_command(filled, tmp_path):
    code, out, _ = run_djp("--store", filled, "backup", tmp_path / "copy")
    assert code == 0 and "backed up 6 events" in out
    code, out, _ = run_djp("--store", tmp_path / "copy", "verify")
    assert code == 0


def test_missing_store_is_one_line(tmp_path):
    code, out, err = run_djp("--store", tmp_path / "none", "log")
    assert code == 1 and out == ""
    assert err == f"djp: no store at {tmp_path / 'none'} yet (a sync creates it)\n"


def test_newer_store_is_one_line(filled):
    env = lmdb.open(str(filled), max_dbs=32)
    meta = env.open_db(b"meta")
    with env.begin(write=True) as txn:
        txn.put(b"schema", pack_u64(7), db=meta)
    env.close()
    code, _, err = run_djp("--store", filled, "log")
    assert code == 1
    assert err.count("\n") == 1 and "written by a newer djp" in err


def test_remote_text_cannot_reach_the_terminal(store_path):
    with Store.open(store_path) as store:
        record = Package(id=9, title="x", slug="evil\x1b[2J\x1b]0;pwned\x07")
        store.append("package:9", [RecordSeen(resource="package", record=record, sync_id="s")])
    _, out, _ = run_djp("--store", store_path, "log")
    assert "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b[2J\\x1b]0;pwned\\x07" in out


def test_the_log_says_what_each_edit_did_to_which_package(snapshot_store):
    from tests.support.cli import run_djp as djp

    edit = djp("--store", snapshot_store, "edit", "arecibo", "title=Arecibo X", "notes=hi")[1]
    seq = int(edit.split()[0])
    code, out, _ = djp("--store", snapshot_store, "undo")
    assert (
        code == 0 and out.split(None, 1)[1].strip() == f"undid edit {seq} of arecibo (notes, title)"
    )
    lines = djp("--store", snapshot_store, "log", "--limit", "2")[1].splitlines()
    assert lines[0].endswith("edited arecibo: notes — → hi; title arecibo → Arecibo X")
    assert lines[1].endswith(f"undid edit {seq} of arecibo")


def test_undoing_a_grids_deletion_says_so(snapshot_store):
    from tests.support.cli import run_djp as djp

    assert djp("--store", snapshot_store, "grid-edit", "create", "mine", "--title", "Mine")[0] == 0
    deleted = int(djp("--store", snapshot_store, "grid-edit", "delete", "mine")[1].split()[0])
    code, out, _ = djp("--store", snapshot_store, "undo")
    assert code == 0 and out.endswith(f"undid edit {deleted} of your grid mine (its deletion)\n")
    code, out, _ = djp("--store", snapshot_store, "history", "--grid", "mine")
    assert "  created\n" in out and f"{deleted}" in out and "  deleted (undone)\n" in out
