"""Stack benchmark: ``python -m bench.stack [--packages 300] [--delay 0.02]``.

A GENERATED ``uv.lock`` of ``--packages`` packages (not real projects) is read as a stack
against a loopback fake PyPI in a separate process (``bench.pypi``'s generated documents)
that adds ``--delay`` seconds to every answer. The first reading fetches each project and
each pinned release; reading it again within the day must make no request. The baseline in
the same run is the same requests made bare (httpx, the same concurrency). The last line is
one JSON object.

``--plan`` then makes the upgrade plan for Django 5.2 (``djp stack --plan``) over GENERATED
release pages (``bench.generated.generated_release_pages``): the pages its searches read, the
time, beside the same pages fetched bare in the same run; planning again must make no
request.

``--scaling`` instead reads GENERATED files at three sizes, ten times apart each, without
PyPI: a requirements file of many lines, one long requirements line, a uv.lock of many
packages; it prints the time per line (or per KB) at each size and its ratio to the
smallest's (linear: about 1).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.generated import generated_pypi_documents
from bench.pypi import bare_fetch
from catalog.catalog import Catalog
from catalog.pypi.fetch import PypiConfig
from catalog.stacks.fetch import dependency_targets, judged_rows, plan_stack, refresh_stack
from catalog.stacks.files import read_stack
from catalog.stacks.judge import stack_rows, stack_view
from catalog.stacks.record import record_stack
from catalog.upstream.sync import load_snapshot

ROOT = Path(__file__).resolve().parent.parent


def generated_lock(packages: int) -> tuple[str, list[str]]:
    """A GENERATED uv.lock pinning each generated package at one of its releases (the
    documents ``bench.pypi`` serves)."""
    documents = generated_pypi_documents(packages)
    rng = random.Random(300)
    lines = ["# GENERATED for benchmarking: not real packages", "version = 1", ""]
    paths = []
    for name, document in documents.items():
        version = rng.choice(list(document["releases"]))
        lines += [
            "[[package]]", f'name = "{name}"', f'version = "{version}"',
            'source = { registry = "https://pypi.org/simple" }', "",
        ]  # fmt: skip
        paths += [f"pypi/{name}/json"]
        if version != document["info"]["version"]:  # the latest's facts are the project's
            paths.append(f"pypi/{name}/{version}/json")
    return "\n".join(lines), paths


def read_once(catalog: Catalog, lock: Path, config: PypiConfig) -> tuple[float, int, int]:
    """(seconds, requests, rows): read the lock, record it, refresh its facts, judge it."""
    started = time.perf_counter()
    record_stack(catalog, "bench", read_stack([lock]))
    view = stack_view(catalog.tables(), "bench")
    report = asyncio.run(refresh_stack(catalog, view, config, datetime.now(UTC)))
    assert not report.errors, report.errors[:3]
    tables = catalog.tables()
    rows = stack_rows(tables, view, dependency_targets(catalog, view), "5.2", datetime.now(UTC))
    return time.perf_counter() - started, report.requests, len(rows)


def plan_once(catalog: Catalog, config: PypiConfig) -> tuple[float, int, list[str], int]:
    """(seconds, requests, release pages read, dependencies with a move): the plan for 5.2."""
    view = stack_view(catalog.tables(), "bench")
    targets = dependency_targets(catalog, view)
    now = datetime.now(UTC)
    before = set(catalog.tables().releases)

    started = time.perf_counter()
    rows, report = asyncio.run(plan_stack(catalog, view, "5.2", config, now, targets=targets))
    took = time.perf_counter() - started
    assert not report.errors, report.errors[:3]
    read = [key.decode().replace("==", "/") for key in set(catalog.tables().releases) - before]
    moves = sum(1 for r in rows if r.plan and r.plan["move_to"] and r.plan["move_to"] != r.judged)
    return took, report.requests, [f"pypi/{k}/json" for k in read], moves


def redraw(catalog: Catalog) -> float:
    """What the app's stack screen does at each redraw (every row judged, every plan worked
    out from the pages in the log, no request), median of 10, in ms."""
    import statistics

    from catalog.stacks.plan import plan_known

    tables = catalog.tables()
    view = stack_view(tables, "bench")
    targets = dependency_targets(catalog, view)
    times = []
    for _ in range(10):
        started = time.perf_counter()
        rows = judged_rows(catalog, tables, view, targets, "5.2", datetime.now(UTC))
        plan_known(tables, rows, targets, view.python)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def scaling() -> None:
    def lines(n: int) -> tuple[str, str]:
        return "requirements.txt", "".join(f"generated-package-{i}==1.{i}\n" for i in range(n))

    def long_line(n: int) -> tuple[str, str]:  # n KB of blanks inside one line
        return "requirements.txt", "django" + " " * (n * 1024) + "--hash=sha256:00\n"

    def lock(n: int) -> tuple[str, str]:
        body = "".join(
            f'\n[[package]]\nname = "generated-{i}"\nversion = "1.{i}"\n'
            'source = { registry = "https://pypi.org/simple" }\n'
            for i in range(n)
        )
        return "uv.lock", "version = 1\n" + body

    cases = (
        ("requirement lines", lines, (1_000, 10_000, 100_000)),
        ("KB of one line", long_line, (40, 400, 4_000)),
        ("uv.lock packages", lock, (400, 4_000, 40_000)),
    )
    result: dict = {"bench": "stack-scaling"}
    with tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp:
        for label, make, sizes in cases:
            per_unit = []
            for n in sizes:
                name, text = make(n)
                path = Path(tmp) / name
                path.write_text(text)
                started = time.perf_counter()
                read_stack([path])
                took = time.perf_counter() - started
                per_unit.append(took / n)
                print(
                    f"{n:>8,} {label}: {took:6.3f} s, {took / n * 1e6:7.2f} µs each "
                    f"(ratio to {sizes[0]:,}: {per_unit[-1] / per_unit[0]:.2f})"
                )
            key = label.replace(" ", "_").replace(".", "_")
            result[f"{key}_sizes"] = list(sizes)
            result[f"{key}_ratio"] = [round(t / per_unit[0], 2) for t in per_unit]
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--scaling", action="store_true", help="time per line at 1x, 10x, 100x")
    parser.add_argument("--plan", action="store_true", help="also the upgrade plan for 5.2")
    args = parser.parse_args()
    if args.scaling:
        scaling()
        return
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.pypi", "--serve", "--packages", str(args.packages),
         "--delay", str(args.delay)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base_url = server.stdout.readline().strip()
        print(
            f"stack benchmark: a GENERATED uv.lock of {args.packages:,} packages against "
            f"{base_url}, {args.delay * 1000:.0f} ms added to every answer"
        )
        text, paths = generated_lock(args.packages)
        config = PypiConfig(base_url=base_url)
        bare_s = asyncio.run(bare_fetch(base_url, paths, config.concurrency))
        with tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp:
            lock = Path(tmp) / "uv.lock"
            lock.write_text(text)
            with Catalog.open(Path(tmp) / "store") as catalog:
                load_snapshot(catalog)
                first_s, requests, rows = read_once(catalog, lock, config)
                again_s, again_requests, _ = read_once(catalog, lock, config)
                if args.plan:
                    plan_s, plan_requests, pages, moves = plan_once(catalog, config)
                    replan_s, replan_requests, _, _ = plan_once(catalog, config)
                    redraw_ms = redraw(catalog)
                    plan_bare_s = asyncio.run(bare_fetch(base_url, pages, config.concurrency))
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    print(f"first reading  {requests:,} requests  {first_s:.2f} s  {rows} dependencies")
    print(f"again (within the day)  {again_requests} requests  {again_s:.3f} s")
    print(
        f"bare requests + JSON decode of the same documents: {bare_s:.2f} s "
        f"(first / bare = {first_s / bare_s:.2f})"
    )
    assert again_requests == 0
    result = {
        "bench": "stack",
        "packages": args.packages,
        "first_s": round(first_s, 3),
        "again_s": round(again_s, 3),
        "requests": requests,
        "again_requests": again_requests,
        "bare_s": round(bare_s, 3),
    }
    if args.plan:
        print(
            f"plan for Django 5.2: {plan_requests:,} release pages read in {plan_s:.2f} s, "
            f"{moves:,} dependencies to move; the same pages bare: {plan_bare_s:.2f} s "
            f"(plan / bare = {plan_s / plan_bare_s:.2f})"
        )
        print(f"plan again (within the day)  {replan_requests} requests  {replan_s:.3f} s")
        print(f"the app's stack screen, judged and planned from the log: {redraw_ms:.1f} ms "
              "(median of 10; the budget of an interaction is 50 ms)")  # fmt: skip
        assert replan_requests == 0
        result |= {
            "plan_s": round(plan_s, 3),
            "plan_requests": plan_requests,
            "plan_bare_s": round(plan_bare_s, 3),
            "plan_ratio": round(plan_s / plan_bare_s, 2),
            "replan_requests": replan_requests,
            "replan_s": round(replan_s, 3),
            "moves": moves,
            "redraw_ms": round(redraw_ms, 1),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
