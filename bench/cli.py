"""Command-line start-up benchmark: ``python -m bench.cli [--runs 10]``.

Each read command runs as a whole process (``python -m cli.main ...``, as the ``djp`` script
does) against a store holding the shipped snapshot (real records), ``--runs`` times; the
baseline, measured in the same run and interleaved with the commands, is the interpreter
importing click, msgspec and lmdb and nothing else. Printed: each command's median in ms and
its ratio to the baseline's median; the last line is one JSON object (``help_ratio``,
``show_ratio``, ``packages_ratio``, ...). Target: every read command within 2.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from catalog.catalog import Catalog
from catalog.upstream.sync import load_snapshot

ROOT = Path(__file__).resolve().parent.parent
BARE = [sys.executable, "-c", "import click, msgspec, lmdb"]
COMMANDS = {
    "help": ["--help"],
    "show": ["show", "django-messages"],
    "packages": ["packages"],
    "grids": ["grids"],
    "grid": ["grid", "438"],
    "readiness": ["readiness"],
    "compare": ["compare", "django-messages", "arecibo"],
    "history": ["history", "django-messages"],
    "log": ["log", "--limit", "20"],
}
TARGET = 2.5
PACKAGES = ["catalog", "cli", "eventstore", "projections"]


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[3:]} failed: {done.stderr.decode().strip()}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        with Catalog.open(store) as catalog:
            load_snapshot(catalog)
        # djp's modules compiled as an installed djp's are (this machine may set
        # PYTHONDONTWRITEBYTECODE, which would make every run compile them from source)
        subprocess.run([sys.executable, "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, check=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("DJP_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        env |= {"DJP_STORE": str(store), "DJP_CONFIG": str(Path(tmp) / "none.toml")}
        djp = [sys.executable, "-m", "cli.main"]
        for argv in [BARE, *(djp + c for c in COMMANDS.values())]:  # warm the file cache
            timed(argv, env)
        times: dict[str, list[float]] = {"bare": [], **{name: [] for name in COMMANDS}}
        for _ in range(args.runs):
            times["bare"].append(timed(BARE, env))
            for name, command in COMMANDS.items():
                times[name].append(timed(djp + command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["bare"]
    print(f"bare import of click, msgspec, lmdb: {bare * 1000:.0f} ms (median of {args.runs})")
    result: dict[str, float | int | str] = {"bench": "cli", "runs": args.runs}
    result["bare_ms"] = round(bare * 1000, 1)
    for name in COMMANDS:
        ratio = medians[name] / bare
        mark = "ok" if ratio <= TARGET else f"over {TARGET}x"
        line = f"djp {' '.join(COMMANDS[name]):<32} {medians[name] * 1000:6.0f} ms"
        print(f"{line}  {ratio:4.2f}x  {mark}")
        result[f"{name}_ms"] = round(medians[name] * 1000, 1)
        result[f"{name}_ratio"] = round(ratio, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
