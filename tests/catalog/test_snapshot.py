"""The snapshot that ships inside the package, and the first start without a network."""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.upstream.client import ClientConfig
from catalog.upstream.snapshot import snapshot_pages
from catalog.upstream.sync import first_sync, load_snapshot
from eventstore import SyncStarted
from tests.support.fakeapi import FakeApi, FakeApiServer


def test_snapshot_says_what_it_is_and_where_it_came_from():
    meta, pages = snapshot_pages()
    assert "public copies of the API" in meta.description
    assert "February and May 2026" in meta.collected
    assert meta.counts == {"categories": 1, "grids": 1, "packages": 75}
    assert len(pages["package"].results) == 75
    assert all(meta.sources[f"package:{i}"] for i in (4404, 4321))


def test_snapshot_loads_through_the_sync_path(store_path):
    with Catalog.open(store_path) as catalog:
        report = load_snapshot(catalog)
        assert report.outcome == "complete" and report.counts.new == 77
        first = next(catalog.store.read_all())
        assert isinstance(first.event, SyncStarted)
        assert first.event.kind == "snapshot" and first.event.source.startswith("snapshot:")
        assert len(catalog.projection.entries("package")) == 75
        # loading it again changes nothing
        before = catalog.store.last_seq
        load_snapshot(catalog)
        assert catalog.store.last_seq == before + 2


def _silent_server():
    """A socket that accepts connections and never answers; and how to close it (the
    accepting thread stops before the socket closes under it)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.1)
    held = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(sock.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()

    def close() -> None:
        stop.set()
        thread.join()
        for conn in (*held, sock):
            conn.close()

    return sock, close


@pytest.mark.slow
async def test_first_start_without_an_answer_loads_the_snapshot_quickly(store_path):
    sock, close = _silent_server()
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api/v4/"
        with Catalog.open(store_path) as catalog:
            # the probe gives up after 0.5 s: a hang would never get here
            report = await first_sync(catalog, ClientConfig(base_url=url), probe_seconds=0.5)
        assert report.source.startswith("snapshot:")
    finally:
        close()


async def test_first_start_with_a_live_api_syncs_from_it(store_path):
    with FakeApiServer(FakeApi.recorded()) as server, Catalog.open(store_path) as catalog:
        report = await first_sync(catalog, ClientConfig(base_url=server.base_url))
    assert report.source == server.base_url and report.outcome == "complete"


def test_the_builder_takes_a_directory_a_user_has(tmp_path, capsys):
    from catalog.upstream.snapshot import main

    out = tmp_path / "snapshot.json.gz"
    fixtures = Path(__file__).resolve().parents[1] / "support" / "fixtures"
    assert main([str(fixtures), str(out)]) == 0 and out.exists()
    assert "'packages': 75" in capsys.readouterr().out
    assert main([str(tmp_path / "nothing")]) == 1
    assert "lacks categories.jsonl, grids.jsonl, packages.jsonl" in capsys.readouterr().err
