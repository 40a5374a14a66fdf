"""Fixtures of the catalog tests: the loopback fake API and an open catalogue."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from tests.support.fakeapi import FakeApi, FakeApiServer


@pytest.fixture
def server():
    with FakeApiServer(FakeApi.recorded()) as running:
        yield running


@pytest.fixture
def catalog(store_path):
    with Catalog.open(store_path) as opened:
        yield opened
