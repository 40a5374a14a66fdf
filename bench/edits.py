"""Benchmark of moving edits between stores: export, then ``import-edits`` of 5,000 rows into
a store holding the same GENERATED catalogue of 6,000 packages.

Baseline in the same run: the same 5,000 events appended bare, in one transaction, with no
validation and no lookups. Prints figures, then one JSON line. Target: 5,000 rows in < 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.generated import sync_generated
from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.edits.files import export_edits, import_edits
from eventstore import Append, Edited, FieldChange


def build_catalogue(path: Path, packages: int) -> None:
    with Catalog.open(path) as catalog:
        sync_generated(catalog, packages, 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=6000)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
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
