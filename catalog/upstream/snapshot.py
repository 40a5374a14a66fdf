"""The catalogue snapshot that ships inside the package, and the tool that builds it.

The snapshot is gzipped JSON shaped like the API's own list pages, so loading it goes through
exactly the validation and event path of a live sync::

    {"meta": {...}, "categories": {"count", "results"}, "grids": {...}, "packages": {...}}

Build it from the recorded API records with
``python -m catalog.upstream.snapshot ../shared/data/djangopackages-api``.
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import msgspec

from catalog.api import PATHS, RESOURCES, page_decoder

SNAPSHOT_FILE = "snapshot.json.gz"


class SnapshotMeta(msgspec.Struct, kw_only=True):
    name: str
    description: str
    origin: str
    collected: str
    fetched_from: str | None
    fetched_to: str | None
    built_at: str
    counts: dict[str, int]
    sources: dict[str, str] = {}


def read_snapshot_bytes() -> bytes:
    return gzip.decompress(
        resources.files("catalog.upstream").joinpath("data", SNAPSHOT_FILE).read_bytes()
    )


def snapshot_pages(raw: bytes | None = None):
    """(meta, {resource: ApiPage}) of the shipped snapshot."""
    document = msgspec.json.decode(raw if raw is not None else read_snapshot_bytes())
    meta = msgspec.convert(document["meta"], SnapshotMeta)
    pages = {
        resource: page_decoder.decode(msgspec.json.encode(document[PATHS[resource]]))
        for resource in RESOURCES
    }
    return meta, pages


def build(source_dir: Path, dest: Path) -> SnapshotMeta:
    """Build the snapshot from recorded ``{"path", "source_url", "body"}`` JSON lines."""
    document: dict = {}
    sources: dict[str, str] = {}
    fetched: list[str] = []
    counts = {}
    for resource in RESOURCES:
        plural = PATHS[resource]
        best: dict[int, dict] = {}
        for line in (source_dir / f"{plural}.jsonl").read_text().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            body = row["body"]
            old = best.get(body["id"])
            if old is None or (body.get("last_fetched") or "") > (old.get("last_fetched") or ""):
                best[body["id"]] = body
                sources[f"{resource}:{body['id']}"] = row.get("source_url", "")
            if body.get("last_fetched"):
                fetched.append(body["last_fetched"])
        results = [best[i] for i in sorted(best, reverse=True)]
        document[plural] = {
            "count": len(results),
            "next": None,
            "previous": None,
            "results": results,
        }
        counts[plural] = len(results)
    meta = SnapshotMeta(
        name=f"recorded-{max(fetched)[:10]}" if fetched else "recorded",
        description=(
            "Real Django Packages API v4 records (not the whole catalogue): package detail "
            "responses read from public copies of the API (djangopackages.org and a mirror "
            "of it), and the category and grid examples from the API's own documentation."
        ),
        origin="shared/data/djangopackages-api (collected from public copies of the API v4)",
        collected="crawled from public copies of the API between February and May 2026",
        fetched_from=min(fetched) if fetched else None,
        fetched_to=max(fetched) if fetched else None,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        counts=counts,
        sources=sources,
    )
    document["meta"] = msgspec.to_builtins(meta)
    dest.write_bytes(gzip.compress(json.dumps(document, sort_keys=True).encode(), mtime=0))
    return meta


def main(argv: list[str]) -> int:
    """``python -m catalog.upstream.snapshot DIR [OUTPUT]``: DIR holds ``packages.jsonl``,
    ``grids.jsonl`` and ``categories.jsonl`` of recorded API v4 pages (``{"path",
    "source_url", "body"}`` a line), as ``tests/support/fixtures`` in this repository does;
    OUTPUT defaults to the snapshot shipped in the package."""
    if not argv or argv[0] in ("-h", "--help"):
        print(main.__doc__)
        return 0 if argv else 2
    source = Path(argv[0])
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "data" / SNAPSHOT_FILE
    missing = [
        f"{PATHS[r]}.jsonl" for r in RESOURCES if not (source / f"{PATHS[r]}.jsonl").is_file()
    ]
    if missing:
        print(f"snapshot: {source} lacks {', '.join(missing)}", file=sys.stderr)
        return 1
    built = build(source, target)
    print(f"wrote {target}: {built.counts}, fetched {built.fetched_from} .. {built.fetched_to}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
