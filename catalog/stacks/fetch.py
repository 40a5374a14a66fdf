"""The PyPI facts of a stack's dependencies: which catalogue package each names, and asking
PyPI about their projects and pinned releases (through ``catalog.pypi.fetch``).
"""

from __future__ import annotations

from datetime import datetime

from packaging.utils import canonicalize_name

from catalog.api import pypi_name
from catalog.catalog import Catalog
from catalog.pypi.cache import stale
from catalog.pypi.fetch import (
    PypiConfig,
    PypiReport,
    ask_pypi,
    project_ask,
    pypi_targets,
    release_ask,
)
from projections.stacks import StackView
from projections.targets import Target


def pypi_index(rows) -> dict[str, Target]:
    """Normalized PyPI name -> package, from rows already in memory (``catalog.read.rows``)."""
    index = {}
    for row in rows:
        name = pypi_name(row.view.record.pypi_url)
        if name:
            index[canonicalize_name(name)] = row.view.target
    return index


def dependency_targets(
    catalog: Catalog, view: StackView, by_name: dict[str, Target] | None = None
) -> dict[str, Target]:
    """Each dependency from PyPI -> the catalogue package with that PyPI name, else
    ``pypi:NAME``. ``by_name`` (PyPI name -> package) saves a scan of the catalogue when
    the caller holds it already (the app's rows)."""
    if by_name is None:
        by_name = {name: target for target, name in pypi_targets(catalog).items()}
    return {
        name: by_name.get(name) or Target.pypi(name)
        for name, dep in view.deps.items()
        if dep.get("kind") == "pypi"
    }


async def refresh_stack(
    catalog: Catalog,
    view: StackView,
    config: PypiConfig,
    now: datetime,
    *,
    progress=None,
    targets: dict[str, Target] | None = None,
) -> PypiReport:
    """Fetch the facts of the stack's projects, then of their pinned releases, each when
    older than a day (``targets``: ``dependency_targets``, when the caller has them). A
    project PyPI does not have (404, now or when last asked) has no release page to ask for."""
    targets = targets if targets is not None else dependency_targets(catalog, view)
    report = await _ask_stale(catalog, [project_ask(t, n) for n, t in targets.items()], config,
                              now, progress)  # fmt: skip
    if report.unreachable or report.stopped:
        return report
    tables = catalog.tables()
    missing = report.missing_names | {n for n, t in targets.items() if _missing(tables, t)}
    releases = [
        release_ask(target, name, pinned)
        for name, target in targets.items()
        if (pinned := view.deps[name].get("pinned")) and name not in missing
    ]
    return report.add(await _ask_stale(catalog, releases, config, now, progress))


async def _ask_stale(catalog: Catalog, asks: list, config: PypiConfig, now: datetime, progress):
    fresh_needed = stale(catalog, [a.key for a in asks], now)
    return await ask_pypi(catalog, [a for a in asks if a.key in fresh_needed], config,
                          progress=progress)  # fmt: skip


def _missing(tables, target: Target) -> bool:
    """PyPI said it has no such project when last asked."""
    entry = tables.pypi.get(target.raw)
    return entry is not None and entry.observed.state == "missing"
