"""The one object the screens call, and the one owner of the app's state.

It reads the catalogue (through its ``Workspace``'s browser: the rows at the present or in
the past), writes through its parts (``EditCommands``: edits, undo, redo; ``FetchCommands``:
sync and PyPI's facts), and keeps the marks and time travel. What the app is doing (idle, a
sync, PyPI's facts, a far jump) with its progress is its ``activity``, changed by it alone.

Every change reaches the screens one way: the ``changed`` signal, which says whether what
they show changed (``Change.DATA``) or only the activity (``Change.ACTIVITY``: the status
line). It tells the user through ``notify`` (plain text, never markup). Going to another
screen goes through the ``Navigator`` the app gives it, and long work runs through the app's
``Runner``, so screens never import each other and never run the controller's work.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Literal, Protocol

from textual.signal import Signal

from catalog.catalog import Catalog
from catalog.errors import UserError
from catalog.present.compare import Comparison, compare
from catalog.pypi.cache import PypiStatus
from catalog.pypi.fetch import PypiConfig
from catalog.pypi.releases import smallest_ready_known
from catalog.read.browse import Browser, describe_kinds
from catalog.read.changes import SyncRun, sync_runs, what_changed
from catalog.read.history import target_history, target_names
from catalog.read.rows import Row
from catalog.read.settings import Settings
from catalog.stacks.fetch import dependency_targets, judged_rows, pypi_index
from catalog.stacks.judge import StackRow, StackView, stack_view, stacks, target_django
from catalog.stacks.plan import plan_known
from catalog.text import counted, relative
from catalog.upstream.client import ClientConfig
from catalog.upstream.sync import Clock, SyncProgress
from eventstore import Envelope
from projections.changes import Changes
from projections.history import HistoryItem
from projections.targets import Target
from projections.view import GridView, PackageView
from tui.edit_commands import EditCommands
from tui.fetch_commands import FetchCommands
from tui.workspace import Change, Notify, Workspace

__all__ = ["Activity", "Change", "Controller", "Navigator", "Runner"]


class Navigator(Protocol):
    """What the app does when a screen asks to go somewhere."""

    def open_package(self, target: Target) -> None: ...
    def open_grid(self, target: Target) -> None: ...
    def open_history(self, target: Target) -> None: ...
    def go_back(self) -> None: ...
    def open_compare(self, keys: list[str]) -> None: ...


class Runner(Protocol):
    """How the controller's long work runs off the key path (the app's workers)."""

    def run_in_background(
        self, job: Callable[[], Any] | Awaitable[Any], *, group: str, thread: bool = False
    ) -> None: ...
    def cancel_background(self, group: str) -> None: ...
    def call_from_thread(self, callback: Callable[..., Any], *args: Any) -> Any: ...


Doing = Literal["idle", "sync", "pypi", "travel"]


@dataclass(frozen=True)
class Activity:
    """What the app is doing besides waiting for keys, and how far it got."""

    kind: Doing = "idle"
    detail: str = ""

    @property
    def syncing(self) -> bool:
        """A sync or PyPI's facts are being fetched (``S`` cancels)."""
        return self.kind in ("sync", "pypi")

    def status(self) -> str | None:
        """The status line's words for it (None when idle)."""
        detail = f" {self.detail}" if self.detail else ""
        if self.kind == "sync":
            return f"sync:{detail} (S cancels)"
        if self.kind == "pypi":
            return f"sync: PyPI facts{detail} (S cancels)"
        if self.kind == "travel":
            return f"travelling{detail}"
        return None


IDLE = Activity()


class Controller:
    def __init__(
        self,
        catalog: Catalog,
        *,
        changed: Signal,
        notify: Notify,
        navigator: Navigator,
        runner: Runner,
        store_label: str,
        client_config: ClientConfig,
        pypi_config: PypiConfig,
        now: datetime | None = None,
        probe_seconds: float = 3.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.space = Workspace(catalog, changed=changed, notify=notify, now=now)
        self.catalog = catalog
        self.changed = changed
        self.navigator = navigator
        self.runner = runner
        self.store_label = store_label
        self.settings = Settings(catalog)
        self.space.browser.django_version = self.settings.django(self.now.date())
        self.activity = IDLE  # changed by _set_activity alone
        self._sync_run: object | None = None  # the background sync whose progress is shown
        self.marked: dict[str, None] = {}  # package keys marked for comparison, in order
        self._sync_state: tuple = (-1, None, None, False)  # (seq, last complete, failure, sample)
        self._traveled: tuple[int, set[str]] = (-1, set())
        self._names = target_names(catalog)
        self._pypi_index: tuple[int, dict[str, Target]] = (-1, {})  # browser seq, name -> pkg
        edits = EditCommands(self.space)
        self._fetching = FetchCommands(
            self.space,
            client_config=client_config,
            pypi_config=pypi_config,
            probe_seconds=probe_seconds,
            clock=clock,
            pypi_names=self.pypi_names,
        )
        # the parts' commands, offered to the screens as the controller's own
        self.require_present = edits.require_present
        self.edit, self.resolve, self.undo, self.redo = (
            edits.edit,
            edits.resolve,
            edits.undo,
            edits.redo,
        )
        self.change_grid, self.create_grid = edits.change_grid, edits.create_grid
        self.edit_grid, self.delete_grid = edits.edit_grid, edits.delete_grid
        self.pypi_status = self._fetching.pypi_status
        self.refresh_pypi = self._fetching.refresh_pypi
        self.refresh_stack = self._fetching.refresh_stack
        self.poll, self.to_present = self.space.poll, self.space.to_present
        self.notify, self.announce = self.space.notify, self.space.announce

    @property
    def browser(self) -> Browser:
        """The rows and tables in view; the app's tests and benchmarks read it, screens ask
        the controller (``tests/test_layers.py`` checks that they do)."""
        return self.space.browser

    @property
    def now(self) -> datetime:
        return self.space.now

    @property
    def read_only(self) -> bool:
        return self.space.read_only

    def _set_activity(self, kind: Doing = "idle", detail: str = "") -> None:
        self.activity = Activity(kind, detail)
        self.announce(Change.ACTIVITY)

    # --- going places ----------------------------------------------------------------------

    def open_package(self, target: Target) -> None:
        self.navigator.open_package(target)

    def open_grid(self, target: Target) -> None:
        self.navigator.open_grid(target)

    def open_history(self, target: Target) -> None:
        self.navigator.open_history(target)

    def back(self) -> None:
        self.navigator.go_back()

    # --- reading ---------------------------------------------------------------------------

    def package(self, target: Target) -> PackageView | None:
        return self.browser.package(target.key)

    def grid(self, target: Target) -> GridView | None:
        return self.browser.grid(target.key)

    def event(self, seq: int) -> Envelope | None:
        return self.catalog.event(seq)

    # what the screens show, at the point in view (the present or the past)

    @property
    def present(self) -> bool:
        return self.space.browser.present

    @property
    def seq(self) -> int:
        """The event in view (the newest at the present)."""
        return self.space.browser.seq

    @property
    def last_seq(self) -> int:
        return self.space.browser.last_seq

    def counts(self) -> tuple[int, int]:
        """(packages, grids) in view."""
        return self.space.browser.counts()

    @property
    def package_count(self) -> int:
        return len(self.space.browser.rows)

    def rows(self) -> Iterator[Row]:
        """Every package's row in view."""
        return iter(self.space.browser.rows.values())

    def row(self, key: str) -> Row | None:
        """A package's row, a vanished one's too."""
        browser = self.space.browser
        return browser.rows.get(key) or browser.vanished_rows.get(key)

    def filter(self, text: str, sort: str, descending: bool) -> list[Row]:
        """The rows the filter language selects, sorted (raises ``UserError``)."""
        return self.space.browser.filter(text, sort, descending)

    @property
    def grids(self) -> list[GridView]:
        return self.space.browser.grids

    @property
    def category_names(self) -> dict[int, str]:
        return self.space.browser.category_names

    def grids_of(self, package_id: int) -> set[str]:
        """The grids that list a package (ids, and slugs of your own grids)."""
        return self.space.browser.memberships.get(package_id, set())

    def grid_rows(self, grid: GridView) -> list[Row]:
        return self.space.browser.grid_rows(grid)

    def grid_counts(self, grid: GridView) -> tuple[int, int]:
        """(shown, not in the catalogue) of a grid's packages."""
        return self.space.browser.grid_counts(grid)

    def grid_member_ids(self, grid: GridView) -> set[int]:
        return self.space.browser.grid_member_ids(grid)

    # what the app remembers (a db beside the log)

    def remembered(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def remember(self, key: str, value: Any) -> bool:
        """Keep a choice (False: the store is read-only, the choice lasts until quit)."""
        return self.settings.set(key, value)

    def saved_filters(self) -> dict[str, str]:
        return self.settings.saved_filters()

    def judge_readiness(self, batch: int = 250) -> Iterator[None]:
        """Work out every package's readiness for the chosen Django release, ``batch``
        packages at a time (yielding after each): the app runs it while idle after
        launch, and the readiness screen, which sorts by it, then opens without that work
        (6,000 verdicts, 50-100 ms). Verdicts are kept by value (``catalog.pypi.verdicts``), so
        they outlive the rows a jump or a sync rebuilds."""
        version = self.django_version
        digests = [row.pypi for row in self.browser.rows.values() if row.pypi is not None]
        for start in range(0, len(digests), batch):
            for digest in digests[start : start + batch]:
                digest.django(version)
            yield

    def traveled_keys(self) -> set[str]:
        """While in the past: the package the event in view changed (its row is
        highlighted); none at the present or for an event of no package."""
        browser = self.browser
        if browser.present:
            return set()
        if self._traveled[0] != browser.seq:
            envelope = self.event(browser.seq)
            stream = envelope.stream if envelope else ""
            keys = {stream} if stream.startswith("package:") else set()
            self._traveled = (browser.seq, keys)
        return self._traveled[1]

    def events(self, first: int, last: int) -> Iterator[Envelope]:
        return self.catalog.events(first, last)

    def history(self, target: Target, as_of: int | None) -> list[HistoryItem]:
        """The target's history up to event ``as_of`` (raises ``UserError``); safe to call
        from a worker thread (it reads the log, not the browser)."""
        return target_history(self.catalog, target, as_of=as_of)[1]

    def stream_size(self, target: Target) -> int:
        """How many events a target's history holds (how long reading it takes)."""
        return self.catalog.store.stream_version(target.key)

    def finished_syncs(self) -> list[SyncRun]:
        return [r for r in sync_runs(self.catalog) if r.finished_seq is not None]

    def what_changed(self, newer: str | None) -> Changes:
        return what_changed(self.catalog, newer=newer)

    def last_sync_text(self) -> str:
        last = self.catalog.last_seq
        if self._sync_state[0] != last:  # read the sync stream once per change of the log
            runs = self.finished_syncs()
            complete = [r for r in runs if r.outcome == "complete"]
            latest_failed = runs[-1].outcome if runs and runs[-1].outcome != "complete" else None
            sample = bool(complete) and all(r.source.startswith("snapshot:") for r in complete)
            when = complete[-1].recorded_at if complete else None
            self._sync_state = (last, when, latest_failed, sample)
        _, when, latest_failed, _ = self._sync_state
        text = relative(when, self.now) if when else "never"
        if latest_failed:
            text += f" (the latest {latest_failed})"
        return text

    def target_name(self, key: str) -> str:
        """The slug of ``package:3324`` (as the log and toasts say it)."""
        return self._names(key)

    # --- saved filters ---------------------------------------------------------------------

    def save_filter(self, name: str, text: str) -> None:
        try:
            kept = self.settings.save_filter(name, text)
        except UserError as exc:
            self.notify(str(exc), severity="error")
            return
        if kept:
            self.notify(f"saved filter {' '.join(name.split())!r}: the palette applies it")
        else:
            self.notify("the store is read-only: the filter was not saved", severity="error")

    def forget_filter(self, name: str) -> None:
        try:
            self.settings.forget_filter(name)
        except UserError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"forgot the saved filter {name!r}")

    # --- PyPI ------------------------------------------------------------------------------

    @property
    def django_version(self) -> str:
        """The Django feature release the readiness column and screen judge against."""
        return self.space.browser.django_version

    def set_django_version(self, version: str) -> None:
        self.space.browser.django_version = version
        if not self.settings.set("django", version):
            self.notify("the store is read-only: this choice lasts until you quit")
        self.announce()
        self.notify(f"readiness now judged for Django {version}")

    # --- stacks --------------------------------------------------------------------------

    def stacks(self) -> list[StackView]:
        return stacks(self.browser.tables)

    def stack_report(self, name: str) -> tuple[StackView, list[StackRow], str, str]:
        """A stack, its rows (problems first), and its target Django with the reason."""
        view = stack_view(self.browser.tables, name)
        version, why = target_django(view)
        targets = dependency_targets(self.catalog, view, self.pypi_names())
        rows = judged_rows(self.catalog, self.browser.tables, view, targets, version, self.now)
        plan_known(self.browser.tables, rows, targets, view.python)  # no request: pages known
        return view, rows, version, why

    def ready_since(self, status: PypiStatus) -> tuple[str | None, str] | None:
        """The smallest release of a package (its ``pypi_status``) ready for the chosen
        Django, from the release pages in the log (None: no PyPI facts); opening the package
        reads those it needs."""
        if status.digest is None or status.digest.facts is None:
            return None
        facts = status.digest.facts
        return smallest_ready_known(self.browser.tables, status.name, facts, self.django_version)

    def pypi_names(self) -> dict[str, Target]:
        """PyPI name -> package, from the rows in hand (no scan of the store), kept until
        the browser moves."""
        if self._pypi_index[0] != self.browser.seq:
            self._pypi_index = (self.browser.seq, pypi_index(self.browser.rows.values()))
        return self._pypi_index[1]

    def snapshot_only(self) -> bool:
        """Whether the catalogue is only the snapshot shipped with djp (no live sync yet)."""
        self.last_sync_text()  # reads the sync stream when the log changed
        return self._sync_state[3]

    # --- marks and comparison -------------------------------------------------------------

    def toggle_mark(self, key: str) -> None:
        if key in self.marked:
            del self.marked[key]
        else:
            self.marked[key] = None
        self.announce()

    def clear_marks(self) -> bool:
        """Clear the marks; False when there were none."""
        if not self.marked:
            return False
        count = len(self.marked)
        self.marked.clear()
        self.announce()
        self.notify(f"cleared {counted(count, 'mark')}")
        return True

    def comparison(self, keys: list[str]) -> Comparison:
        rows = [
            r for k in keys if (r := self.browser.rows.get(k) or self.browser.vanished_rows.get(k))
        ]
        return compare(rows, self.browser.category_names, self.now, self.django_version)

    def open_compare(self, keys: list[str]) -> None:
        if len(keys) < 2:
            self.notify(
                "mark two packages or more with space, then c compares them", severity="warning"
            )
            return
        self.navigator.open_compare(keys)

    # --- time travel -----------------------------------------------------------------------

    #: A jump that folds more events than this runs in a worker with progress.
    FOLD_AT_ONCE = 20_000

    def travel(self, seq: int) -> None:
        """Go to event ``seq``; a far jump folds in a thread, its progress the activity."""
        if self.space.browser.fold_cost(seq) > self.FOLD_AT_ONCE:
            self._set_activity("travel", f"to event {seq:,}")
            self.runner.run_in_background(partial(self._fold_far, seq), group="travel", thread=True)
            return
        self.space.browser.travel(seq)
        self.announce()

    def _fold_far(self, seq: int) -> None:
        """In a worker thread: fold the tables at ``seq``, then arrive there."""

        def progress(done: int, total: int) -> None:
            detail = f"to event {seq:,}: {done * 100 // max(total, 1)}%"
            self.runner.call_from_thread(self._set_activity, "travel", detail)

        tables = self.space.browser.tables_at(seq, progress)
        self.runner.call_from_thread(self._arrive, tables, seq)

    def _arrive(self, tables, seq: int) -> None:
        self.space.browser.adopt(tables, seq)
        self._set_activity()
        self.announce()

    def step(self, delta: int) -> None:
        if self.space.browser.present and delta > 0:
            return
        self.space.browser.step(delta)
        self.announce()

    # --- sync, in the background ------------------------------------------------------------

    def start_sync(self) -> None:
        """``S``: sync in the background (progress in the status line); again cancels."""
        if self.activity.syncing:
            self.cancel_sync()
            return
        if self.read_only:
            self.notify(
                "the store is read-only for this user: it cannot be synced", severity="warning"
            )
            return
        self._set_activity("sync", "connecting")
        self._background(self._sync_in_background)

    def cancel_sync(self) -> None:
        pypi = self.activity.kind == "pypi"
        self.runner.cancel_background("sync")
        self._set_activity()
        kept = "the PyPI facts already fetched" if pypi else "whole pages already fetched"
        self.notify(f"sync cancelled; {kept} are kept", severity="warning")

    async def first_sync(self, progress: Callable[[SyncProgress], None]) -> None:
        """The first start's sync (live API, else the snapshot), its progress in the dialog
        that runs it; PyPI's facts come after the dialog (``after_first_start``)."""
        await self._fetching.sync(progress, first=True)

    def after_first_start(self) -> None:
        """The first start's dialog closed: PyPI's facts follow in the background (the
        readiness, licence and release columns), as ``S`` would fetch them."""
        if self._fetching.pypi_next() and not self.read_only:
            self._set_activity("pypi")
            self._background(partial(self._sync_in_background, pypi_only=True))

    def _background(self, sync: Callable[[object], Awaitable[None]]) -> None:
        """Run a sync as the one in the background (a newer one replaces it); ``sync`` is
        given a token that stays current until another starts or this one is cancelled."""
        self._sync_run = token = object()
        self.runner.run_in_background(sync(token), group="sync")

    async def _sync_in_background(self, token: object, pypi_only: bool = False) -> None:
        def current() -> bool:
            return self._sync_run is token and self.activity.syncing

        def progress(p: SyncProgress) -> None:
            if current():
                self._set_activity("sync", p.describe())

        def pypi_progress(done: int, total: int) -> None:
            if current():
                self._set_activity("pypi", f"{done:,} of {total:,}")

        try:
            if pypi_only:
                await self._fetching.sync_pypi(pypi_progress)
            else:
                await self._fetching.sync(progress, pypi_progress=pypi_progress)
        finally:
            if current():  # not cancelled (that said so already), not replaced
                self._set_activity()

    def outside_activity(self) -> str | None:
        """Fold what another process appended and say what it means ("2 edits, 5 changed");
        None when nothing came, or while this app's own sync is writing."""
        if self.space.syncing:
            return None
        count = self.poll()
        if not count:
            return None
        words = describe_kinds(self.browser.last_kinds)
        return f"another process wrote to the store: {words}" if words else None
