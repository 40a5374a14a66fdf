"""PyPI benchmark: ``python -m bench.pypi [--packages 6000] [--delay 0.02]``.

A GENERATED catalogue (not real packages) is stored, and a loopback fake PyPI in a separate
process serves a GENERATED JSON document for each package (PyPI's shape and sizes; a few with
hundreds of releases), adding ``--delay`` seconds to every answer as a far server would.
djp fetches PyPI facts for every package (first fetch), then again with nothing changed
(re-fetch: every answer is a 304 and nothing is appended). The baseline in the same run is the
same requests made bare (httpx, the same concurrency, JSON decoded), so djp's own cost shows
as a ratio. The last line is one JSON object.
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

from bench.generated import generated_pypi_documents, generated_release_pages, sync_generated
from catalog.catalog import Catalog
from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets
from tests.support.fakepypi import FakePypi, FakePypiServer

ROOT = Path(__file__).resolve().parent.parent


def serve(packages: int, delay: float) -> None:
    documents = generated_pypi_documents(packages)
    pypi = FakePypi(documents=documents, delay=delay, frozen=True)
    pypi.releases.update(generated_release_pages(documents))
    for name in documents:
        pypi.encoded(name)  # encoded once, before timing starts
    with FakePypiServer(pypi) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin


async def bare_fetch(base_url: str, paths: list[str], concurrency: int) -> float:
    """The same GETs a minimal client would make (``pypi/NAME/json``...), as concurrent,
    JSON decoded."""
    started = time.perf_counter()
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base_url) as client:

        async def one(path: str) -> None:
            async with semaphore:
                (await client.get(path)).json()

        await asyncio.gather(*(one(p) for p in paths))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=6000)
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.packages, args.delay)
        return
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.pypi", "--serve", "--packages", str(args.packages),
         "--delay", str(args.delay)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        base_url = server.stdout.readline().strip()
        print(
            f"PyPI benchmark: GENERATED catalogue and PyPI documents for {args.packages:,} "
            f"packages on {base_url}, {args.delay * 1000:.0f} ms added to every answer"
        )
        with (
            tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp,
            Catalog.open(Path(tmp) / "store") as catalog,
        ):
            sync_generated(catalog, args.packages, 400)
            targets = pypi_targets(catalog)
            config = PypiConfig(base_url=base_url)
            paths = [f"pypi/{name}/json" for name in targets.values()]
            bare_s = asyncio.run(bare_fetch(base_url, paths, config.concurrency))
            started = time.perf_counter()
            first = asyncio.run(fetch_pypi(catalog, targets, config))
            first_s = time.perf_counter() - started
            before = catalog.store.last_seq
            started = time.perf_counter()
            again = asyncio.run(fetch_pypi(catalog, targets, config))
            refetch_s = time.perf_counter() - started
            refetch_events = catalog.store.last_seq - before
            assert not first.errors and not again.errors, (first.errors[:3], again.errors[:3])
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    print(
        f"first fetch  {first.requests:,} requests  {first_s:.2f} s  "
        f"{first.changed:,} events appended"
    )
    print(
        f"re-fetch     {again.requests:,} requests  {refetch_s:.2f} s  "
        f"{again.not_modified:,} not modified (304)  {refetch_events} events appended"
    )
    print(
        f"bare requests + JSON decode of the same documents: {bare_s:.2f} s "
        f"(first fetch / bare = {first_s / bare_s:.2f}; target <= 1.5)"
    )
    print(
        json.dumps(
            {
                "bench": "pypi",
                "packages": args.packages,
                "first_s": round(first_s, 3),
                "refetch_s": round(refetch_s, 3),
                "requests": first.requests,
                "not_modified": again.not_modified,
                "refetch_events": refetch_events,
                "bare_s": round(bare_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
