"""The history of one package or grid, as both UIs show it: every event, with field diffs."""

from __future__ import annotations

from catalog.catalog import Catalog
from catalog.read.lookup import QueryError
from eventstore import SyncStarted
from projections.history import HistoryItem, history
from projections.targets import STREAM_PREFIX, Target


def sync_starts(catalog: Catalog) -> dict[str, SyncStarted]:
    """Every sync's start event by sync id (where a history item came from)."""
    return {
        e.event.sync_id: e.event for e in catalog.stream("sync") if isinstance(e.event, SyncStarted)
    }


def find_history_target(catalog: Catalog, key: str | Target, *, grid: bool = False) -> Target:
    """The target a user named: a ``Target``, or an id or slug (of a grid with ``grid``).

    A grid you deleted still has a history, so ``localgrid:SLUG`` finds it while its
    stream exists."""
    if isinstance(key, Target):
        return key
    if key.startswith(STREAM_PREFIX["stack"]):  # one of your stacks
        if catalog.store.stream_version(key):
            return Target.parse(key)
        raise QueryError(f"no stack {key.removeprefix(STREAM_PREFIX['stack'])!r}")
    grid = grid or key.startswith((STREAM_PREFIX["localgrid"], STREAM_PREFIX["grid"]))
    resource = "grid" if grid else "package"
    target = catalog.lookup(resource, key)
    if target is None and grid:
        local = Target.local_grid(key.removeprefix(STREAM_PREFIX["localgrid"]))
        target = local if catalog.store.stream_version(local.key) else None
    if target is None:
        hint = ""
        if not grid and catalog.lookup("grid", key) is not None:
            hint = f"; a grid is: djp history --grid {key}"
        raise QueryError(f"no {resource} {key!r} in the catalogue{hint}")
    return target


def target_history(
    catalog: Catalog, key: str | Target, *, grid: bool = False, as_of: int | None = None
) -> tuple[Target, list[HistoryItem]]:
    """(target, history items) of a package (or grid), optionally as of event N."""
    target = find_history_target(catalog, key, grid=grid)
    envelopes = [e for e in catalog.stream(target) if as_of is None or e.seq <= as_of]
    return target, history(target, envelopes, sync_starts(catalog))


def target_names(catalog: Catalog):
    """``name(target)``: the slug of a package or grid target (``package:3324`` ->
    ``django-x``), the name of a stack or PyPI project, else the target; looked up once."""
    known: dict[str, str] = {}

    def name(key: str) -> str:
        if key not in known:
            try:
                target = Target.parse(key)
            except ValueError:
                return key
            if target.kind in ("localgrid", "stack", "pypi"):
                known[key] = {
                    "localgrid": f"your grid {target.ident}",
                    "stack": f"stack {target.ident}",
                    "pypi": target.ident,
                }[target.kind]
            else:
                entry = catalog.projection.entry(target.kind, int(target.ident))
                known[key] = entry.record.slug if entry is not None else key
        return known[key]

    return name
