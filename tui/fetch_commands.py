"""The controller's fetching part: the catalogue's sync (the first start's too) and PyPI's
facts, for the catalogue, one package or a stack.

Each writes at the present (the browser returns to it first when a whole sync starts),
folds what it appended into the browser and says how it went. While one runs, the
workspace's ``syncing`` is set: what it appends is this app's own work, not another
process's news. It is given the ``Workspace`` it works in and the limits of the API and
PyPI; ``Controller`` runs it and publishes its progress.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from catalog.pypi.cache import pypi_status, stale_targets
from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets, read_ready_pages
from catalog.stacks.fetch import dependency_targets, plan_stack, refresh_stack
from catalog.stacks.judge import stack_view, target_django
from catalog.upstream.client import ClientConfig
from catalog.upstream.sync import Clock, ProgressCallback, first_sync, sync_catalog
from eventstore import StoreError
from projections.targets import Target
from tui.workspace import Workspace

if TYPE_CHECKING:
    from catalog.pypi.cache import PypiStatus

Progress = Callable[[int, int], None]


class FetchCommands:
    def __init__(
        self,
        workspace: Workspace,
        *,
        client_config: ClientConfig,
        pypi_config: PypiConfig,
        probe_seconds: float,
        clock: Clock,
        pypi_names: Callable[[], dict[str, Target]],
    ) -> None:
        self.space = workspace
        self.catalog = workspace.catalog
        self.client_config = client_config
        self.pypi_config = pypi_config
        self.probe_seconds = probe_seconds
        self.clock = clock
        self.pypi_names = pypi_names  # PyPI name -> package, from the rows in hand
        self.pypi_after_first = False  # the first start filled the store: PyPI's facts next

    def pypi_next(self) -> bool:
        """Whether the first start's sync has just filled the store, so PyPI's facts come
        next (asked once: it is then forgotten)."""
        due, self.pypi_after_first = self.pypi_after_first, False
        return due

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A sync's span: at the present, marked as this app's own writing."""
        if not self.space.browser.present:
            self.space.to_present()
        self.space.syncing = True
        try:
            yield
        finally:
            self.space.syncing = False

    # --- the catalogue ------------------------------------------------------------------

    async def sync(
        self,
        progress: ProgressCallback,
        *,
        first: bool = False,
        pypi_progress: Progress | None = None,
    ) -> None:
        """Sync (or, on first start, fill the store: live API, else the snapshot), then say
        how it went, then ask PyPI. Cancelling keeps the whole pages already written."""
        with self._writing():
            try:
                if first:
                    report = await first_sync(
                        self.catalog,
                        self.client_config,
                        probe_seconds=self.probe_seconds,
                        progress=progress,
                        clock=self.clock,
                    )
                else:
                    report = await sync_catalog(
                        self.catalog, self.client_config, progress=progress, clock=self.clock
                    )
            except asyncio.CancelledError:
                self.space.poll()
                raise
            except (StoreError, OSError) as exc:  # a full disk, a store gone bad: say so
                self.space.notify(f"sync stopped: {exc}", severity="error", timeout=10)
                self.space.poll()
                return
            self.space.poll()
            c = report.counts
            if report.source.startswith("snapshot:"):
                self.space.notify(
                    "The live API did not answer: loaded the catalogue snapshot that ships "
                    f"with djp ({c.records:,} records).",
                    timeout=8,
                )
            elif report.outcome == "complete":
                self.space.notify(
                    f"sync complete: {c.new:,} new, {c.changed:,} changed, {c.vanished:,} vanished"
                )
                for warning in report.warnings:
                    self.space.notify(f"sync: {warning}", severity="warning", timeout=10)
            else:
                self.space.notify(
                    f"sync {report.outcome}: {report.error}", severity="error", timeout=10
                )
            # after the first start's catalogue (live or the snapshot), PyPI's facts come in
            # the background (``sync_pypi``): thousands of projects take minutes, and the app
            # is usable meanwhile; PyPI may also answer where the catalogue's API did not
            self.pypi_after_first = first
            if not first:
                await self._stale_pypi_facts(pypi_progress)

    # --- PyPI -----------------------------------------------------------------------------

    def pypi_status(self, target: Target) -> PypiStatus | None:
        view = self.space.browser.package(target.key)
        if view is None:
            return None
        return pypi_status(self.catalog, self.space.browser.tables, view, self.space.now)

    async def sync_pypi(self, progress: Progress | None = None) -> None:
        """PyPI's facts older than a day, alone (after the first start filled the store)."""
        with self._writing():
            await self._stale_pypi_facts(progress)

    async def _stale_pypi_facts(self, progress: Progress | None) -> None:
        """Every package's PyPI facts older than a day, a few at a time."""
        wanted = stale_targets(self.catalog, pypi_targets(self.catalog), self.space.now)
        if not wanted:
            return
        try:
            report = await fetch_pypi(self.catalog, wanted, self.pypi_config, progress=progress)
        finally:
            self.space.poll()
        severity = "warning" if report.failed else "information"
        self.space.notify(report.summary(len(wanted)), severity=severity, timeout=8)

    async def refresh_pypi(self, target: Target) -> None:
        """Refresh one package's PyPI facts when they are older than a day (opening it)."""
        status = self.pypi_status(target)
        if (
            status is None
            or status.name is None
            or status.fresh(self.space.now)
            or not self.space.browser.present
            or self.space.read_only
        ):
            return
        try:
            report = await fetch_pypi(self.catalog, {target: status.name}, self.pypi_config)
            if not (report.unreachable or report.stopped):  # the smallest ready release
                django = self.space.browser.django_version
                report.add(await read_ready_pages(self.catalog, target, status.name, django,
                                                  self.pypi_config, self.space.now))  # fmt: skip
        except (StoreError, OSError) as exc:
            self.space.notify(f"PyPI facts not saved: {exc}", severity="error")
            return
        if report.changed:
            self.space.poll()
        elif report.unreachable or report.errors:
            self.space.announce()  # the package screen shows the failed fetch

    async def refresh_stack(self, name: str | None) -> None:
        """Fetch the facts of a stack's dependencies older than a day (the stack screen)."""
        view = stack_view(self.space.browser.tables, name) if name else None
        if view is None or not self.space.browser.present or self.space.read_only:
            return
        targets = dependency_targets(self.catalog, view, self.pypi_names())
        now = self.space.now
        version, _ = target_django(view)

        try:
            report = await refresh_stack(self.catalog, view, self.pypi_config, now, targets=targets)
            if not (report.unreachable or report.stopped):  # the pages the plan needs
                _, report = await plan_stack(self.catalog, view, version, self.pypi_config, now,
                                             targets=targets, report=report)  # fmt: skip
        except (StoreError, OSError) as exc:
            self.space.notify(f"PyPI facts not saved: {exc}", severity="error")
            return
        if report.changed:
            self.space.poll()
        if report.unreachable:
            self.space.notify(f"PyPI unreachable: {report.unreachable}", severity="warning")
