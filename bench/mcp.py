"""MCP benchmark: ``python -m bench.mcp [--packages 6000] [--calls 200]``.

A GENERATED catalogue (not real packages) of 6,000 packages and 400 grids is synced into a
fresh store; ``djp mcp`` is started on it as a real stdio subprocess through the MCP SDK's
client, and ``search_packages`` (a few queries in turn) and ``get_package`` (random slugs)
are called ``--calls`` times each. Baseline in the same run: the same questions asked of the
Python API directly (the server's own functions, no protocol), so the ratio is what stdio and
JSON-RPC add. Target: p95 under 50 ms. The last line printed is one JSON object with
``search_p95_ms``, ``get_p95_ms`` and ``ratio``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters

from bench.generated import sync_generated
from catalog.catalog import Catalog
from catalog.read.browse import Browser
from cli.mcp_answers import Served
from cli.mcp_server import build_server

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("generated", "package 12", "django:5.2", "license:MIT", "grid:generated-grid-7")


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def over_stdio(store: Path, slugs: list[str], calls: int) -> tuple[list, list]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "cli.main", "--store", str(store), "mcp"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    search, get = [], []
    async with Client(params) as client:
        await client.call_tool("search_packages", {"query": "warm up"})
        for i in range(calls):
            started = time.perf_counter()
            result = await client.call_tool(
                "search_packages", {"query": QUERIES[i % len(QUERIES)], "limit": 20}
            )
            search.append(time.perf_counter() - started)
            assert not result.is_error, result.content
            started = time.perf_counter()
            result = await client.call_tool("get_package", {"package": random.choice(slugs)})
            get.append(time.perf_counter() - started)
            assert not result.is_error, result.content
    return search, get


async def in_process(store: Path, slugs: list[str], calls: int) -> tuple[list, list]:
    """The same calls through the server object in this process (the SDK's in-memory client:
    no subprocess, no stdio)."""
    search, get = [], []
    with Catalog.open(store) as catalog:
        served = Served(catalog, Browser(catalog), False)
        async with Client(build_server(served)) as client:
            for i in range(calls):
                started = time.perf_counter()
                await client.call_tool(
                    "search_packages", {"query": QUERIES[i % len(QUERIES)], "limit": 20}
                )
                search.append(time.perf_counter() - started)
                started = time.perf_counter()
                await client.call_tool("get_package", {"package": random.choice(slugs)})
                get.append(time.perf_counter() - started)
    return search, get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=6000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    random.seed(6000)
    with tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp:
        store = Path(tmp) / "store"
        with Catalog.open(store) as catalog:
            sync_generated(catalog, args.packages, 400)
            slugs = [e.record.slug for e in catalog.projection.entries("package")]
        print(f"MCP benchmark: a GENERATED catalogue of {len(slugs):,} packages, "
              f"{args.calls} calls of each tool")  # fmt: skip
        base_search, base_get = asyncio.run(in_process(store, slugs, args.calls))
        search, get = asyncio.run(over_stdio(store, slugs, args.calls))
    ms = lambda v: round(v * 1000, 1)  # noqa: E731
    for name, over, base in (("search_packages", search, base_search),
                             ("get_package", get, base_get)):  # fmt: skip
        print(f"{name:16} stdio p50 {ms(statistics.median(over))} ms, p95 {ms(p(over, 0.95))} "
              f"ms; in process p50 {ms(statistics.median(base))} ms, p95 "
              f"{ms(p(base, 0.95))} ms")  # fmt: skip
    ratio = (p(search, 0.95) + p(get, 0.95)) / (p(base_search, 0.95) + p(base_get, 0.95))
    print(json.dumps({
        "bench": "mcp", "packages": len(slugs), "calls": args.calls,
        "search_p50_ms": ms(statistics.median(search)), "search_p95_ms": ms(p(search, 0.95)),
        "get_p50_ms": ms(statistics.median(get)), "get_p95_ms": ms(p(get, 0.95)),
        "base_search_p95_ms": ms(p(base_search, 0.95)), "base_get_p95_ms": ms(p(base_get, 0.95)),
        "ratio": round(ratio, 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
