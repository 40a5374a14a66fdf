"""What djp remembers of its PyPI requests: a cache of ETags and fetch times beside the log
(``pypi.cache``; not state: losing it only asks PyPI again), which answers are stale, and
one package's PyPI status as the screens show it. No network here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import msgspec

from catalog.api import canonical_name, pypi_name
from catalog.catalog import Catalog
from catalog.pypi.readiness import Digest, digest_of
from eventstore import StoreError
from projections.fold import Tables
from projections.targets import Target
from projections.view import PackageView

FRESH_FOR = timedelta(days=1)  # a plain sync and opening a package refetch older data

CACHE_DB = "pypi.cache"  # target -> the last ETag and when it was fetched (not state: a cache)


class CacheEntry(msgspec.Struct, kw_only=True):
    etag: str = ""
    fetched: float = 0.0  # seconds since the epoch
    error: str | None = None  # the last fetch's failure, when it failed


_cache_decoder = msgspec.msgpack.Decoder(CacheEntry)


def stale(catalog: Catalog, keys, now: datetime, within: timedelta = FRESH_FOR) -> set[bytes]:
    """Those cache ``keys`` last fetched ``within`` ago or more (or never, or whose last
    fetch failed)."""
    try:
        db = catalog.store.database(CACHE_DB)
    except StoreError:  # a read-only store that never fetched from PyPI: all of them
        return set(keys)
    horizon = (now - within).timestamp()

    def read(txn) -> set[bytes]:
        out = set()
        for key in keys:
            raw = txn.get(key, db=db)
            entry = _cache_decoder.decode(raw) if raw is not None else None
            if entry is None or entry.error or entry.fetched <= horizon:
                out.add(key)
        return out

    return catalog.store.read(read)


def stale_targets(
    catalog: Catalog, targets: dict[Target, str], now: datetime, within: timedelta = FRESH_FOR
) -> dict[Target, str]:
    """Those of ``targets`` whose PyPI facts were last fetched ``within`` ago or more (or
    never, or whose last fetch failed)."""
    keys = stale(catalog, [t.raw for t in targets], now, within)
    return {t: n for t, n in targets.items() if t.raw in keys}


def cached_errors(catalog: Catalog, keys, txn=None) -> dict[bytes, str]:
    """Why the last fetch of each of ``keys`` failed, for those whose last fetch failed
    (read in ``txn`` when the caller holds one: no second transaction inside it)."""
    try:
        db = catalog.store.database(CACHE_DB)
    except StoreError:  # a read-only store that never fetched from PyPI
        return {}

    def read(t) -> dict[bytes, str]:
        out = {}
        for key in keys:
            raw = t.get(key, db=db)
            entry = _cache_decoder.decode(raw) if raw is not None else None
            if entry is not None and entry.error:
                out[key] = entry.error
        return out

    return read(txn) if txn is not None else catalog.store.read(read)


def cache_entry(catalog: Catalog, target: Target | bytes) -> CacheEntry:
    try:
        db = catalog.store.database(CACHE_DB)
    except StoreError:  # a read-only store that never fetched from PyPI
        return CacheEntry()
    key = target if isinstance(target, bytes) else target.raw
    raw = catalog.store.read(lambda txn: txn.get(key, db=db))
    return _cache_decoder.decode(raw) if raw is not None else CacheEntry()


@dataclass
class PypiStatus:
    """What is known of one package's PyPI project: its name (None without one), the digest
    of the last facts recorded, when it was last fetched and that fetch's error."""

    name: str | None
    digest: Digest | None = None
    fetched: datetime | None = None
    error: str | None = None

    def fresh(self, now: datetime, within: timedelta = FRESH_FOR) -> bool:
        return self.fetched is not None and now - self.fetched < within


def pypi_status(catalog: Catalog, tables: Tables, view: PackageView, now: datetime) -> PypiStatus:
    name = pypi_name(view.record.pypi_url)
    if not name:
        return PypiStatus(None)
    entry = tables.pypi.get(view.target.raw)
    cached = cache_entry(catalog, view.target)
    return PypiStatus(
        canonical_name(name),
        digest_of(entry.observed if entry is not None else None, now),
        datetime.fromtimestamp(cached.fetched, UTC) if cached.fetched else None,
        cached.error,
    )
