"""Shared fixtures: a fresh store per test, and a fixed clock for deterministic envelopes."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from eventstore import Store

# Local times on screen (history, snapshots) must not depend on the machine's zone.
os.environ["TZ"] = "UTC"
time.tzset()


class FakeClock:
    """A clock that moves one second per reading, starting at a fixed instant."""

    def __init__(self, start: datetime = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def store(store_path):
    with Store.open(store_path, clock=FakeClock()) as opened:
        yield opened
