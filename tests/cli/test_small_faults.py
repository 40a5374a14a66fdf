"""Small faults, each one line and a non-zero exit: odd arguments, paths in errors, a crash of
the app."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.edits.validation import EditError
from tests.support.cli import run_djp

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(snapshot_store):
    return snapshot_store


def on_a_pty(argv: list[str], **popen) -> tuple[subprocess.Popen, int]:
    """``argv`` run with a pseudo-terminal for its terminal (offline): the process and the
    terminal's other end, to read what it draws and to hang up by closing it."""
    leader, follower = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", DJP_API_URL="http://127.0.0.1:9/api/v4/")
    child = subprocess.Popen(
        argv, cwd=ROOT, stdin=follower, stdout=follower, stderr=follower, env=env, **popen
    )
    os.close(follower)
    return child, leader


@pytest.mark.parametrize("seq", ["-1", "0", "99999999999999999999", "two"])
def test_undo_of_an_impossible_sequence_is_one_line(store, seq):
    code, out, err = run_djp("--store", store, "undo", seq)
    assert code == 2 and out == ""
    assert err.startswith("djp: ") and err.count("\n") == 1
    assert "(see djp undo --help)" in err


def test_undo_of_a_sequence_past_64_bits_is_refused_by_the_command_too(store):
    with Catalog.open(store) as catalog, pytest.raises(EditError, match="there is no event"):
        edits.undo(catalog, 2**70)


def test_an_unknown_command_is_one_line():
    code, _, err = run_djp("frobnicate")
    assert code == 2 and err == "djp: No such command 'frobnicate'. (see djp --help)\n"


def test_a_file_error_names_the_file(store, tmp_path):
    target = tmp_path / "missing" / "edits.jsonl"
    code, _, err = run_djp("--store", store, "export-edits", target)
    assert code == 1 and err == f"djp: {target}: No such file or directory\n"


@pytest.mark.slow
def test_the_app_exits_non_zero_when_it_crashes(store):
    crash = (
        "import sys, tui.app\n"
        "def boom(self): raise RuntimeError('boom')\n"
        "tui.app.DjpApp.on_mount = boom\n"
        "from cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    child, leader = on_a_pty([sys.executable, "-c", crash, "--store", str(store)])
    output = b""
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        code = child.wait(timeout=60)
        os.close(leader)
    assert code == 1, output[-500:]
    assert b"boom" in output


def test_import_edits_on_an_empty_store_fetches_nothing_and_fails(snapshot_store, tmp_path):
    exported = tmp_path / "edits.jsonl"
    run_djp("--store", snapshot_store, "edit", "arecibo", "notes=mine")
    assert run_djp("--store", snapshot_store, "export-edits", str(exported))[0] == 0
    code, out, err = run_djp("--store", tmp_path / "empty", "import-edits", str(exported))
    assert code == 1 and out == ""
    assert err == (
        "djp: the store has no catalogue yet: the edited packages are not here; djp sync first, "
        "then import-edits\n"
    )  # one line, and no "fetching the catalogue"


def test_every_edit_skipped_is_a_failure(snapshot_store, tmp_path):
    import json

    exported = tmp_path / "edits.jsonl"
    run_djp("--store", snapshot_store, "edit", "arecibo", "notes=mine")
    run_djp("--store", snapshot_store, "export-edits", str(exported))
    row = json.loads(exported.read_text().splitlines()[-1])
    row["target"], row["target_slug"] = "package:999999", "not-here"
    row["id"] = "00000000-0000-4000-8000-000000000001"  # an edit this store never saw
    exported.write_text(json.dumps(row) + "\n")
    code, out, err = run_djp("--store", snapshot_store, "import-edits", str(exported))
    assert code == 1 and "skipped 1" in out and "nothing imported" in err


def test_empty_lists_say_so(snapshot_store):
    # as of event 1 (the snapshot's sync had only started) there are no grids or categories
    code, out, err = run_djp("--store", snapshot_store, "grids", "--as-of", "1")
    assert code == 0 and out == "" and err.startswith("no grids at this point")
    code, out, err = run_djp("--store", snapshot_store, "categories", "--as-of", "1")
    assert code == 0 and out == "" and err.startswith("no categories at this point")


def test_history_of_a_grid_named_as_a_package_points_at_grid(snapshot_store):
    code, _, err = run_djp("--store", snapshot_store, "history", "healt-checkers")
    assert code == 1 and err == (
        "djp: no package 'healt-checkers' in the catalogue;"
        " a grid is: djp history --grid healt-checkers\n"
    )
    code, out, _ = run_djp("--store", snapshot_store, "history", "--grid", "healt-checkers")
    assert code == 0 and out.startswith("history of healt-checkers (grid:438): 1 event\n")
    code, out, _ = run_djp("--store", snapshot_store, "history", "django-messages", "--as-of", "5")
    # the name, and the point in the log: the package was not seen yet at event 5
    assert out == "history of django-messages (package:359) up to event 5: 0 events\n"
    _, _, err = run_djp("--store", snapshot_store, "history", "nope")
    assert err == "djp: no package 'nope' in the catalogue\n"


@pytest.mark.slow
def test_the_app_exits_when_its_terminal_hangs_up_without_a_sighup(store):
    """Run under a wrapper that stays the terminal's session leader (``make run`` is one), the
    app gets no SIGHUP when the terminal goes (an SSH connection drops, tmux is killed): its
    terminal only starts answering EOF. It exits then, instead of spinning on the EOF."""
    wrapper = (
        "import signal, subprocess, sys\n"
        "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"  # like make: wait for the child
        "sys.exit(subprocess.call([sys.executable, '-m', 'cli.main', *sys.argv[1:]]))\n"
    )
    # the wrapper leads a session of its own, whose terminal is the pty
    child, leader = on_a_pty(
        [sys.executable, "-c", wrapper, "--store", str(store)], start_new_session=True
    )
    output = b""
    try:
        while b"present" not in output:  # the app is up: its status line is drawn
            chunk = os.read(leader, 65536)
            assert chunk, output[-500:]
            output += chunk
    finally:
        os.close(leader)  # the terminal goes away
    try:
        code = child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, 9)
        raise AssertionError("the app kept running after its terminal hung up") from None
    assert code == 129  # as a shell reports a hangup (128 + SIGHUP)
