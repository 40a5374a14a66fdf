"""A command line that starts fast: each command's module loads only when it runs, and read
commands load neither the network (httpx) nor the app (Textual, Rich). ``python -m
bench.cli`` measures the time; these check what is loaded, which does not depend on the
machine's speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cli.main import COMMANDS, djp
from tests.support.cli import run_djp

ROOT = Path(__file__).resolve().parents[2]


def test_the_listed_short_help_is_each_commands_own():
    ctx = click.Context(djp)
    listed = {name: COMMANDS[name][2] for name in COMMANDS}
    own = {name: djp.get_command(ctx, name).get_short_help_str() for name in COMMANDS}
    assert listed == own


def test_help_lists_every_command():
    code, out, _ = run_djp("--help")
    assert code == 0
    commands = out[out.index("Commands:") :]
    assert [line.split()[0] for line in commands.splitlines()[1:] if line.strip()] == sorted(
        COMMANDS
    )


def _loaded(store: Path, *argv: str) -> set[str]:
    code = (
        "import json, sys\nfrom cli.main import main\n"
        f"status = main({list(argv)!r})\n"
        "sys.stdout.flush()\n"
        "print('\\n' + json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJP_STORE": str(store), "DJP_CONFIG": str(store / "none.toml"), "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_help_loads_no_store_no_network_no_app(snapshot_store):
    loaded = _tops(_loaded(snapshot_store, "--help"))
    assert loaded & {"httpx", "textual", "rich", "eventstore", "projections", "lmdb"} == set()
    assert "click" in loaded


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "django-messages"],
        ["packages"],
        ["grids"],
        ["readiness"],
        ["compare", "django-messages", "arecibo"],
        ["history", "django-messages"],
        ["log", "--limit", "5"],
    ],
)
@pytest.mark.slow
def test_read_commands_load_no_network_and_no_app(snapshot_store, argv):
    loaded = _loaded(snapshot_store, *argv)
    assert _tops(loaded) & {"httpx", "textual", "rich", "tui"} == set()
    assert not any(m.startswith("catalog.upstream.") for m in loaded - {"catalog.upstream"})
    assert "eventstore" in _tops(loaded)  # it did read the store
