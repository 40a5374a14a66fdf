"""The controller's fetching commands: the catalogue's sync (the first start's too) and
PyPI's facts, for the catalogue, one package or a stack.

Each writes at the present (the browser returns to it first when a whole sync starts),
folds what it appended into the browser and says how it went. While one runs, ``syncing``
is set: what it appends is this app's own work, not another process's news. ``Controller``
inherits them; they use its ``catalog``, ``browser``, configurations, ``notify``,
``announce``, ``poll`` and ``to_present``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from catalog.pypi.cache import pypi_status, stale_targets
from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets
from catalog.stacks.fetch import dependency_targets, refresh_stack
from catalog.stacks.judge import stack_view
from catalog.upstream.client import ClientConfig
from catalog.upstream.sync import Clock, ProgressCallback, first_sync, sync_catalog
from eventstore import StoreError
from projections.targets import Target

if TYPE_CHECKING:
    from catalog.catalog import Catalog
    from catalog.pypi.cache import PypiStatus
    from catalog.read.browse import Browser
    from projections.view import PackageView

Progress = Callable[[int, int], None]


class FetchCommands:
    catalog: Catalog
    browser: Browser
    client_config: ClientConfig
    pypi_config: PypiConfig
    probe_seconds: float
    clock: Clock
    syncing: bool  # this app's sync is writing: what it appends is not news
    pypi_after_first: bool  # the first start filled the store: PyPI's facts next
    now: datetime
    read_only: bool

    def notify(self, message: str, **kwargs: Any) -> None:
        raise NotImplementedError

    def announce(self) -> None:
        raise NotImplementedError

    def poll(self) -> int:
        raise NotImplementedError

    def to_present(self) -> None:
        raise NotImplementedError

    def package(self, target: Target) -> PackageView | None:
        raise NotImplementedError

    def pypi_names(self) -> dict[str, Target]:
        raise NotImplementedError

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A sync's span: at the present, marked as this app's own writing."""
        if not self.browser.present:
            self.to_present()
        self.syncing = True
        try:
            yield
        finally:
            self.syncing = False

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
                self.poll()
                raise
            except (StoreError, OSError) as exc:  # a full disk, a store gone bad: say so
                self.notify(f"sync stopped: {exc}", severity="error", timeout=10)
                self.poll()
                return
            self.poll()
            c = report.counts
            if report.source.startswith("snapshot:"):
                self.notify(
                    "The live API did not answer: loaded the catalogue snapshot that ships "
                    f"with djp ({c.records:,} records).",
                    timeout=8,
                )
            elif report.outcome == "complete":
                self.notify(
                    f"sync complete: {c.new:,} new, {c.changed:,} changed, {c.vanished:,} vanished"
                )
                for warning in report.warnings:
                    self.notify(f"sync: {warning}", severity="warning", timeout=10)
            else:
                self.notify(f"sync {report.outcome}: {report.error}", severity="error", timeout=10)
            # after the first start's catalogue (live or the snapshot), PyPI's facts come in
            # the background (``sync_pypi``): thousands of projects take minutes, and the app
            # is usable meanwhile; PyPI may also answer where the catalogue's API did not
            self.pypi_after_first = first
            if not first:
                await self._stale_pypi_facts(pypi_progress)

    # --- PyPI -----------------------------------------------------------------------------

    def pypi_status(self, target: Target) -> PypiStatus | None:
        view = self.package(target)
        if view is None:
            return None
        return pypi_status(self.catalog, self.browser.tables, view, self.now)

    async def sync_pypi(self, progress: Progress | None = None) -> None:
        """PyPI's facts older than a day, alone (after the first start filled the store)."""
        with self._writing():
            await self._stale_pypi_facts(progress)

    async def _stale_pypi_facts(self, progress: Progress | None) -> None:
        """Every package's PyPI facts older than a day, a few at a time."""
        wanted = stale_targets(self.catalog, pypi_targets(self.catalog), self.now)
        if not wanted:
            return
        try:
            report = await fetch_pypi(self.catalog, wanted, self.pypi_config, progress=progress)
        finally:
            self.poll()
        severity = "warning" if report.unreachable or report.errors else "information"
        self.notify(report.summary(len(wanted)), severity=severity, timeout=8)

    async def refresh_pypi(self, target: Target) -> None:
        """Refresh one package's PyPI facts when they are older than a day (opening it)."""
        status = self.pypi_status(target)
        if (
            status is None
            or status.name is None
            or status.fresh(self.now)
            or not self.browser.present
            or self.read_only
        ):
            return
        try:
            report = await fetch_pypi(self.catalog, {target: status.name}, self.pypi_config)
        except (StoreError, OSError) as exc:
            self.notify(f"PyPI facts not saved: {exc}", severity="error")
            return
        if report.changed:
            self.poll()
        elif report.unreachable or report.errors:
            self.announce()  # the package screen shows the failed fetch

    async def refresh_stack(self, name: str | None) -> None:
        """Fetch the facts of a stack's dependencies older than a day (the stack screen)."""
        view = stack_view(self.browser.tables, name) if name else None
        if view is None or not self.browser.present or self.read_only:
            return
        targets = dependency_targets(self.catalog, view, self.pypi_names())
        try:
            report = await refresh_stack(
                self.catalog, view, self.pypi_config, self.now, targets=targets
            )
        except (StoreError, OSError) as exc:
            self.notify(f"PyPI facts not saved: {exc}", severity="error")
            return
        if report.changed:
            self.poll()
        if report.unreachable:
            self.notify(f"PyPI unreachable: {report.unreachable}", severity="warning")
