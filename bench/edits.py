"""Benchmark of moving edits between stores: export, then ``import-edits`` of 5,000 rows into
a store holding the same GENERATED catalogue of 6,000 packages.

Baseline in the same run: the same 5,000 events appended bare, in one transaction, with no
validation and no lookups. Prints figures, then one JSON line. Target: 5,000 rows in < 5 s.

``--scaling`` instead imports GENERATED files of 2,000, 20,000 and 200,000 rows (one in ten
an undo of the row before), spread over 6,000 packages and over two, each into a fresh copy
of the catalogue, and prints the time per row at each size and its ratio to the smallest's
(linear: about 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import msgspec

from bench.generated import sync_generated
from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.edits.files import export_edits, import_edits
from eventstore import Append, Edited, FieldChange


def build_catalogue(path: Path, packages: int) -> None:
    with Catalog.open(path) as catalog:
        sync_generated(catalog, packages, 50)


def generated_rows(path: Path, rows: int, packages: int) -> None:
    """An export file of ``rows`` GENERATED edits of notes on packages 1..``packages``, one
    in ten an undo of the edit before it."""
    import uuid

    encoder = msgspec.json.Encoder()
    last = None
    with open(path, "wb") as out:
        for i in range(rows):
            pkg = 1 + (i * 7) % packages
            row = {"id": str(uuid.uuid4()), "seq": i + 1, "recorded_at": "2026-12-01T00:00:00Z",
                   "target_slug": None}  # fmt: skip
            if i % 10 == 9 and last is not None:
                target, edit_id = last
                row |= {"type": "Undone", "target": target,
                        "data": {"target": target, "edit_id": edit_id}}  # fmt: skip
                last = None
            else:
                target = f"package:{pkg}"
                change = {"notes": {"before": "", "after": f"GENERATED {i}"}}
                row |= {"type": "Edited", "target": target,
                        "data": {"target": target, "changes": change}}  # fmt: skip
                last = (target, row["id"])
            out.write(encoder.encode(row) + b"\n")


def scaling(packages: int) -> None:
    sizes = (2_000, 20_000, 200_000)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_catalogue(root / "base", packages)
        result: dict = {"bench": "edits-scaling", "sizes": sizes}
        for spread in (packages, 2):
            per_row = []
            for rows in sizes:
                shutil.rmtree(root / "target", ignore_errors=True)
                shutil.copytree(root / "base", root / "target")
                generated_rows(root / "rows.jsonl", rows, spread)
                started = time.perf_counter()
                with Catalog.open(root / "target") as catalog:
                    report = import_edits(catalog, root / "rows.jsonl")
                took = time.perf_counter() - started
                assert report.imported == rows, (report.imported, report.skipped[:3])
                per_row.append(took / rows)
                print(
                    f"{rows:>8,} rows on {spread:,} packages: {took:6.2f} s, "
                    f"{took / rows * 1e6:6.1f} µs a row "
                    f"(ratio to {sizes[0]:,}: {per_row[-1] / per_row[0]:.2f})"
                )
            result[f"us_per_row_on_{spread}"] = [round(t * 1e6, 1) for t in per_row]
            result[f"ratio_on_{spread}"] = [round(t / per_row[0], 2) for t in per_row]
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=6000)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--scaling", action="store_true", help="time per row at 1x, 10x, 100x")
    args = parser.parse_args()
    if args.scaling:
        scaling(args.packages)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_catalogue(root / "base", args.packages)
        shutil.copytree(root / "base", root / "source")
        shutil.copytree(root / "base", root / "target")
        shutil.copytree(root / "base", root / "bare")
        os.sync()  # the copies on disk: else the first durable commit writes them out
        with Catalog.open(root / "source") as catalog:
            for i in range(args.rows):  # edits, with an undo now and then
                if i % 10 == 9:
                    edits.undo(catalog)
                else:
                    pkg = str(1 + (i * 7) % args.packages)
                    edits.edit_package(catalog, pkg, {"notes": f"GENERATED note {i}"})
            exported = export_edits(catalog, root / "edits.jsonl")
        started = time.perf_counter()
        with Catalog.open(root / "target") as catalog:
            report = import_edits(catalog, root / "edits.jsonl")
        import_s = time.perf_counter() - started
        events = [
            Edited(
                target=f"package:{1 + i % args.packages}",
                changes={"notes": FieldChange(before="", after=f"GENERATED note {i}")},
            )
            for i in range(exported)
        ]
        started = time.perf_counter()
        with Catalog.open(root / "bare") as catalog:
            catalog.store.append_batch([Append(e.target, [e]) for e in events])
        bare_s = time.perf_counter() - started
    print(
        f"import-edits benchmark: {exported:,} GENERATED rows onto "
        f"{args.packages:,} GENERATED packages"
    )
    print(
        f"import   {import_s:.2f} s ({exported / import_s:,.0f} rows/s), "
        f"{report.imported:,} imported"
    )
    print(
        f"baseline {bare_s:.2f} s: the same events appended bare in one transaction "
        f"(import / bare = {import_s / bare_s:.1f}); target < 5 s"
    )
    print(
        json.dumps(
            {
                "bench": "edits",
                "rows": exported,
                "import_s": round(import_s, 3),
                "imported": report.imported,
                "bare_s": round(bare_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
