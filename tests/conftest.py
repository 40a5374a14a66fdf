"""Shared fixtures: a fresh store per test, and a fixed clock for deterministic envelopes."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from catalog.catalog import Catalog
from catalog.upstream.sync import load_snapshot
from eventstore import Store
from tests.support.clock import FakeClock

# Local times on screen (history, snapshots) must not depend on the machine's zone.
os.environ["TZ"] = "UTC"
time.tzset()
# The developer's own settings (DJP_*, their config file) never reach the suite.
for _name in [n for n in os.environ if n.startswith("DJP_")]:
    del os.environ[_name]
os.environ["DJP_CONFIG"] = "/nonexistent/djp-tests/config.toml"
# The suite never talks to pypi.org: a sync that refreshes PyPI facts and is not pointed at
# a fake PyPI finds nothing listening here (port 9, discard), gives up fast, and says so.
os.environ["DJP_PYPI_URL"] = "http://127.0.0.1:9/"


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def store(store_path):
    with Store.open(store_path, clock=FakeClock()) as opened:
        yield opened


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MiB filesystem that fills up (tmpfs; needs root, as CI and the dev box have)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2M", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.fixture
def snapshot_store(store_path):
    """The path of a store holding the shipped snapshot (closed)."""
    with Catalog.open(store_path) as catalog:
        load_snapshot(catalog)
    return store_path
