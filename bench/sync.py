"""Sync benchmark: ``python -m bench.sync [--packages 6000] [--grids 400]``.

A GENERATED catalogue (not real packages) is served by the loopback fake API in a separate
process; djp syncs it into a fresh store (first sync), then syncs again with nothing changed
(re-sync). Prints requests, seconds and records/s; the last line is one JSON object.
The baseline in the same run is the bare cost of fetching and JSON-decoding the same pages
with httpx, so the sync's own overhead shows as a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.generated import generated_api_data
from catalog.catalog import Catalog
from catalog.upstream.client import ClientConfig
from catalog.upstream.sync import sync_catalog
from tests.support.fakeapi import FakeApi, FakeApiServer

ROOT = Path(__file__).resolve().parent.parent


def serve(packages: int, grids: int) -> None:

    data = generated_api_data(packages, grids)
    api = FakeApi(data=data)
    api.raw_records = {  # pre-encoded, so the server costs little of the measured time
        name: {i: json.dumps(body).encode() for i, body in bodies.items()}
        for name, bodies in data.items()
    }
    with FakeApiServer(api) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin


async def bare_fetch(base_url: str) -> float:
    """Fetch and decode every page the way a minimal client would, concurrently."""
    started = time.perf_counter()
    sem = asyncio.Semaphore(4)
    async with httpx.AsyncClient(base_url=base_url) as client:
        for resource in ("categories", "grids", "packages"):
            first = (await client.get(f"{resource}/", params={"limit": 500})).json()
            offsets = range(500, first["count"], 500)

            async def one(offset, resource=resource):
                async with sem:
                    r = await client.get(f"{resource}/", params={"limit": 500, "offset": offset})
                    return r.json()

            await asyncio.gather(*(one(o) for o in offsets))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=6000)
    parser.add_argument("--grids", type=int, default=400)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.packages, args.grids)
        return
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.sync",
            "--serve",
            "--packages",
            str(args.packages),
            "--grids",
            str(args.grids),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = server.stdout.readline().strip()
        print(
            f"sync benchmark: GENERATED catalogue of {args.packages:,} packages and "
            f"{args.grids:,} grids on {base_url}"
        )
        bare_s = asyncio.run(bare_fetch(base_url))
        with (
            tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp,
            Catalog.open(Path(tmp) / "store") as catalog,
        ):
            config = ClientConfig(base_url=base_url)
            first = asyncio.run(sync_catalog(catalog, config))
            before = catalog.store.last_seq
            again = asyncio.run(sync_catalog(catalog, config))
            resync_events = catalog.store.last_seq - before
            assert first.outcome == again.outcome == "complete", (first.error, again.error)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    records = first.counts.records
    print(
        f"first sync  {first.counts.requests} requests  {first.duration_s:.2f} s  "
        f"{records / first.duration_s:,.0f} records/s  ({first.counts.bytes / 1e6:.1f} MB)"
    )
    print(
        f"re-sync     {again.counts.requests} requests  {again.duration_s:.2f} s  "
        f"{resync_events} events appended"
    )
    print(
        f"bare fetch + JSON decode of the same pages: {bare_s:.2f} s "
        f"(sync / bare = {first.duration_s / bare_s:.2f})"
    )
    print(
        json.dumps(
            {
                "bench": "sync",
                "packages": args.packages,
                "grids": args.grids,
                "requests": first.counts.requests,
                "first_sync_s": round(first.duration_s, 3),
                "resync_s": round(again.duration_s, 3),
                "resync_events": resync_events,
                "records_per_s": round(records / first.duration_s),
                "bare_fetch_s": round(bare_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
