"""The one object the screens call: reads of the catalogue, edits, undo and redo
(``tui.edit_commands``), sync and PyPI's facts (``tui.fetch_commands``), marks and time
travel. Screens never reach into the app for these.

It reports to the user through ``notify`` (plain text, never markup) and announces every
change of what the screens show on ``changed``, a Textual signal that ``DjpScreen``
subscribes to. Opening another screen goes through the ``Navigator`` the app gives it, so
screens never import each other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from textual.signal import Signal

from catalog.catalog import Catalog
from catalog.errors import UserError
from catalog.present.compare import Comparison, compare
from catalog.pypi.fetch import PypiConfig
from catalog.read.browse import Browser, describe_kinds
from catalog.read.changes import SyncRun, sync_runs, what_changed
from catalog.read.history import target_history, target_names
from catalog.read.settings import Settings
from catalog.stacks.fetch import dependency_targets, pypi_index
from catalog.stacks.judge import StackRow, StackView, stack_rows, stack_view, stacks, target_django
from catalog.text import counted, relative
from catalog.upstream.client import ClientConfig
from catalog.upstream.sync import Clock
from eventstore import Envelope
from projections.changes import Changes
from projections.history import HistoryItem
from projections.targets import Target
from projections.view import GridView, PackageView
from tui.edit_commands import EditCommands
from tui.fetch_commands import FetchCommands


class Navigator(Protocol):
    """What the app does when a screen asks to go somewhere."""

    def open_package(self, target: Target) -> None: ...
    def open_grid(self, target: Target) -> None: ...
    def open_history(self, target: Target) -> None: ...
    def go_back(self) -> None: ...
    def open_compare(self, keys: list[str]) -> None: ...
    def travel_in_background(self, seq: int) -> None: ...


Notify = Callable[..., None]


class Controller(EditCommands, FetchCommands):
    def __init__(
        self,
        catalog: Catalog,
        *,
        changed: Signal,
        notify: Notify,
        navigator: Navigator,
        store_label: str,
        client_config: ClientConfig,
        now: datetime | None = None,
        probe_seconds: float = 3.0,
        clock: Clock = time.monotonic,
        pypi_config: PypiConfig,
    ) -> None:
        self.catalog = catalog
        self.pypi_config = pypi_config
        self.settings = Settings(catalog)
        self.changed = changed
        self._notify = notify
        self.navigator = navigator
        self.store_label = store_label
        self.client_config = client_config
        self.fixed_now = now
        self.probe_seconds = probe_seconds
        self.clock = clock
        self.browser = Browser(catalog, self.now)
        self.browser.django_version = self.settings.django(self.now.date())
        self._sync_state: tuple = (-1, None, None, False)  # (seq, last complete, failure, sample)
        self.marked: dict[str, None] = {}  # package keys marked for comparison, in order
        self.syncing = False  # this app's sync is writing: what it appends is not news
        self._traveled: tuple[int, set[str]] = (-1, set())
        self.sync_status: str | None = None  # a background sync's progress (status line)
        self.pypi_after_first = False  # the first start filled the store: PyPI's facts next
        self.travel_status: str | None = None  # a far jump folding in the background
        self._names = target_names(catalog)
        self._pypi_index: tuple[int, dict[str, Target]] = (-1, {})  # browser seq, name -> pkg

    @property
    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def notify(self, message: str, **kwargs: Any) -> None:
        self._notify(message, markup=False, **kwargs)

    def announce(self) -> None:
        """Tell every screen that what it shows may have changed."""
        self.changed.publish(self)

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
        return self.browser.django_version

    def set_django_version(self, version: str) -> None:
        self.browser.django_version = version
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
        return view, stack_rows(self.browser.tables, view, targets, version, self.now), version, why

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
        if self.browser.fold_cost(seq) > self.FOLD_AT_ONCE:
            self.navigator.travel_in_background(seq)
            return
        self.browser.travel(seq)
        self.announce()

    def step(self, delta: int) -> None:
        if self.browser.present and delta > 0:
            return
        self.browser.step(delta)
        self.announce()

    def to_present(self) -> None:
        if not self.browser.present:
            self.browser.load_present()
            self.announce()
            self.notify("back to the present")

    def poll(self) -> int:
        """Fold events appended since the browser last looked; returns how many."""
        if not self.browser.present:
            return 0
        count = self.browser.refresh()
        if count:
            self.announce()
        return count

    def outside_activity(self) -> str | None:
        """Fold what another process appended and say what it means ("2 edits, 5 changed");
        None when nothing came, or while this app's own sync is writing."""
        if self.syncing:
            return None
        count = self.poll()
        if not count:
            return None
        words = describe_kinds(self.browser.last_kinds)
        return f"another process wrote to the store: {words}" if words else None
