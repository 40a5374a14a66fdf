"""The PyPI facts of a stack's dependencies: which catalogue package each names, and asking
PyPI about their projects and pinned releases (through ``catalog.pypi.fetch``).
"""

from __future__ import annotations

from datetime import datetime

from packaging.utils import canonicalize_name

from catalog.api import pypi_name
from catalog.catalog import Catalog
from catalog.pypi.cache import cached_errors, stale
from catalog.pypi.fetch import (
    RELEASE_PREFIX,
    PypiConfig,
    PypiReport,
    ask_pypi,
    current_of,
    project_ask,
    pypi_targets,
    readable,
    release_ask,
)
from catalog.pypi.releases import release_facts, same
from catalog.stacks.judge import StackRow, judged_release, stack_rows
from catalog.stacks.plan import MAX_ROUNDS, plan_rows, planners
from projections.fold import Tables, release_key
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
    """Fetch the facts of the stack's projects, then the pages of the releases judged (a pin,
    a lock's version, the newest a range allows; the latest's facts are the project's), each
    when older than a day or when its last reading failed. A project PyPI does not have (404,
    now or when last asked) has no release page to ask for."""
    targets = targets if targets is not None else dependency_targets(catalog, view)
    report = await _ask_stale(catalog, [project_ask(t, n) for n, t in targets.items()], config,
                              now, progress)  # fmt: skip
    if report.unreachable or report.stopped:
        return report
    tables = catalog.tables()
    releases = []
    for name, target in targets.items():
        entry = tables.pypi.get(target.raw)
        facts = entry.observed.facts if entry is not None else None
        if facts is None:  # not on PyPI, or not answered: no release to ask for
            continue
        judged, _, _ = judged_release(view.deps[name], facts)
        if judged and not same(judged, facts.latest):
            releases.append(release_ask(target, name, judged))
    return report.add(await _ask_stale(catalog, releases, config, now, progress))


async def ask_releases(catalog: Catalog, asks: list, config: PypiConfig, now: datetime,
                       progress=None) -> PypiReport:  # fmt: skip
    """Release pages, each when older than a day (or its last reading failed)."""
    return await _ask_stale(catalog, asks, config, now, progress)


def judged_rows(
    catalog: Catalog,
    tables: Tables,
    view: StackView,
    targets: dict[str, Target],
    django: str,
    now: datetime,
    failed: dict[str, str] | None = None,
    txn=None,
) -> list[StackRow]:
    """``stack_rows``, each unchecked release saying why its page was not read: this run's
    failure (``failed``: ``NAME==VERSION`` -> why), else the last one the cache keeps (a
    failed read is a cache error, not an event). ``txn``: the read transaction ``tables``
    come from, when lazy."""
    failed = dict(failed or {})
    unread = {}
    for name, target in targets.items():
        entry = tables.pypi.get(target.raw)
        facts = entry.observed.facts if entry is not None else None
        judged, _, _ = judged_release(view.deps[name], facts)
        label = f"{name}=={judged}"
        if judged and label not in failed and release_facts(tables, name, judged, facts) is None:
            unread[RELEASE_PREFIX + release_key(name, judged)] = label
    for key, error in cached_errors(catalog, unread, txn).items():
        failed[unread[key]] = without_address(error)
    return stack_rows(tables, view, targets, django, now, failures=failed)


def without_address(why: str) -> str:
    """An error without the address it starts with (the error line names it already)."""
    if why.startswith(("http://", "https://")) and " " in why:
        return why.split(" ", 1)[1]
    return why


def failures(report: PypiReport) -> dict[str, str]:
    """What could not be read this run: ``NAME==VERSION`` (or ``NAME``) -> why."""
    out = {}
    for error in report.errors:
        label, _, why = error.partition(": ")
        out.setdefault(label, without_address(why))
    return out


async def _ask_stale(catalog: Catalog, asks: list, config: PypiConfig, now: datetime, progress):
    fresh_needed = stale(catalog, [a.key for a in asks], now)
    return await ask_pypi(catalog, [a for a in asks if a.key in fresh_needed], config,
                          progress=progress)  # fmt: skip


async def plan_stack(
    catalog: Catalog,
    view: StackView,
    django: str,
    config: PypiConfig | None,
    now: datetime,
    *,
    targets: dict[str, Target],
    progress=None,
    report: PypiReport | None = None,
) -> tuple[list[StackRow], PypiReport]:
    """The stack's rows (``judged_rows``, for Django ``django``) with their plans: the search
    runs over the pages known and reads those it needs, a batch per round for the whole stack
    (``config`` None: reads nothing, a page not known is unknown)."""
    report = report or PypiReport()
    failed: dict[str, set[str]] = {}

    def one_round(txn) -> tuple[list[StackRow], dict[str, str]]:
        tables = catalog.projection.tables(txn)  # read lazily: no copy of the catalogue
        rows = judged_rows(catalog, tables, view, targets, django, now, failures(report), txn)
        return rows, plan_rows(rows, planners(tables, rows, targets, view.python, failed))

    for _ in range(MAX_ROUNDS):
        rows, needed = catalog.store.read(one_round)
        if not needed:
            return rows, report
        if config is not None:
            asks = [release_ask(targets[n], n, v) for n, v in needed.items()]
            report.add(await ask_releases(catalog, asks, config, now, progress))
        for name, version in needed.items():
            if not readable(current_of(catalog, release_ask(targets[name], name, version))):
                failed.setdefault(name, set()).add(version)  # not readable this run
    rows, _ = catalog.store.read(one_round)
    for row in rows:
        if row.kind == "pypi" and row.plan is None:
            row.plan = {"ready": None, "clear": None, "move_to": None,
                        "reason": f"the search took more than {MAX_ROUNDS} rounds"}  # fmt: skip
    return rows, report
