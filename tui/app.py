"""The djp Textual app: life cycle, keys and navigation. Everything the screens do with the
catalogue goes through ``tui.controller.Controller``; the app never reads LMDB itself."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
import time
from collections import deque
from datetime import datetime
from functools import partial
from pathlib import Path

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.signal import Signal
from textual.worker import WorkerCancelled, WorkerError

from catalog.catalog import Catalog
from catalog.config import Config, load_config
from catalog.pypi.fetch import PypiConfig
from catalog.upstream.client import ClientConfig
from catalog.upstream.sync import Clock
from projections.targets import Target
from tui.collector import CHECK_SECONDS, QuietCollector
from tui.controller import Controller
from tui.keymap import read_keymap
from tui.modals import HelpModal, SyncModal
from tui.palette import JumpProvider, NamedCommandsProvider, PaletteCommands
from tui.screens import (
    CatalogueScreen,
    ChangesScreen,
    CompareScreen,
    GridScreen,
    GridsScreen,
    HistoryScreen,
    LogScreen,
    PackageScreen,
    ReadinessScreen,
    StackScreen,
)
from tui.textual_fixes import apply as apply_textual_fixes

#: How often the app checks that its terminal is still there (one ioctl).
TERMINAL_CHECK_SECONDS = 1.0
HUNG_UP = 129  # what a shell reports for a process that a hangup ended (128 + SIGHUP)


#: At most this long for a widget to handle a key before the next is delivered anyway.
KEY_SETTLE_SECONDS = 0.5


def _terminal_fd() -> int | None:
    """The terminal the app reads its keys from, when it reads them from one."""
    try:
        fd = sys.__stdin__.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    return fd if os.isatty(fd) else None


class DjpApp(PaletteCommands, App):
    TITLE = "djp — Django Packages"
    CSS_PATH = Path(__file__).with_name("djp.tcss")
    COMMANDS = App.COMMANDS | {JumpProvider, NamedCommandsProvider}
    BINDINGS = [
        Binding("q", "close", "quit", id="app.quit"),
        Binding("ctrl+q", "quit", "quit", show=False, id="app.quit_ctrl", priority=True),
        Binding("question_mark", "help", "help", id="app.help"),
        Binding("1", "section('packages')", "packages", show=False, id="app.packages"),
        Binding("2", "section('grids')", "grids", id="app.grids"),
        Binding("3", "section('changes')", "changes", id="app.changes"),
        Binding("4", "section('log')", "log", id="app.log"),
        Binding("5", "section('readiness')", "readiness", id="app.readiness"),
        Binding("6", "section('stack')", "stack", id="app.stack"),
        Binding("S", "sync", "sync", id="app.sync"),
        Binding("u", "undo", "undo", id="app.undo"),
        Binding("ctrl+r", "redo", "redo", id="app.redo"),
        Binding("left_square_bracket", "step(-1)", "back in time", show=False, id="app.step_back"),
        Binding(
            "right_square_bracket", "step(1)", "forward in time", show=False, id="app.step_forward"
        ),
    ]

    def __init__(
        self,
        store_path: Path,
        *,
        catalog: Catalog | None = None,
        base_url: str | None = None,
        now: datetime | None = None,
        store_label: str | None = None,
        probe_seconds: float = 3.0,
        poll_seconds: float = 1.0,
        config_path: Path | None = None,
        cursor_blink: bool = True,
        clock: Clock = time.monotonic,
        pypi_url: str | None = None,
        config: Config | None = None,
    ) -> None:
        """``config``: djp's settings (read from the environment and ``config_path`` when
        not given); ``base_url`` and ``pypi_url`` override them as options would."""
        super().__init__()
        apply_textual_fixes()
        config = config or load_config(path=config_path)
        self.config_path = config_path or config.path  # its [keys] too
        self.config = config.with_options(api_url=base_url, pypi_url=pypi_url)
        self.pypi_config = PypiConfig.from_config(self.config)
        self.cursor_blink = cursor_blink
        self.store_path = Path(store_path)
        self.client_config = ClientConfig.from_config(self.config)
        self.fixed_now = now
        self.store_label = store_label or _abbreviate(self.store_path)
        self.probe_seconds = probe_seconds
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.catalog: Catalog | None = catalog
        self._owns_catalog = False
        self.state_changed: Signal[Controller] = Signal(self, "state-changed")
        self.controller: Controller | None = None
        self.collector = QuietCollector()
        self._keys: deque[events.Key] = deque()
        self._key_task: asyncio.Task | None = None

    # --- life cycle ----------------------------------------------------------------------

    def on_mount(self) -> None:
        self._load_keymap()
        if self.catalog is None:
            self.catalog = Catalog.open(self.store_path)
            self._owns_catalog = True
        self.controller = Controller(
            self.catalog,
            changed=self.state_changed,
            notify=self.notify,
            navigator=self,
            runner=self,
            store_label=self.store_label,
            client_config=self.client_config,
            now=self.fixed_now,
            probe_seconds=self.probe_seconds,
            clock=self.clock,
            pypi_config=self.pypi_config,
        )
        self.push_screen(CatalogueScreen())
        # The catalogue's rows and tables live as long as the app: out of the cyclic
        # collector's sight, a full collection no longer walks them all (measured: one
        # screen switch in eight took 105-130 ms instead of 20-50 ms at 6,000 packages).
        # Collected first: garbage frozen with them would never be freed.
        gc.collect()
        gc.freeze()
        # and the full collections that remain are made while the user reads (tui.collector)
        self.screen_change_signal.subscribe(self, self.collector.active)
        self.state_changed.subscribe(self, self.collector.active)
        self.set_interval(CHECK_SECONDS, self.collector.tick)
        terminal = _terminal_fd() if not self.is_headless else None
        if terminal is not None:
            self.set_interval(TERMINAL_CHECK_SECONDS, partial(self._exit_if_hung_up, terminal))
        if self.catalog.is_empty:
            self.push_screen(SyncModal(self.controller), self._after_first_sync)
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.poll_store)
        self.call_after_refresh(self._judge_readiness)

    @work(group="readiness", exit_on_error=False)
    async def _judge_readiness(self) -> None:
        """The readiness verdicts, worked out in the event loop between key presses (a
        batch is a few milliseconds) once the catalogue is on screen."""
        for _ in self.controller.judge_readiness():
            await asyncio.sleep(0)

    def _exit_if_hung_up(self, fd: int) -> None:
        """Exit when the terminal has gone (an SSH connection dropped, tmux killed) but no
        SIGHUP came, because the app is not the terminal's session leader (``make run``
        is): the terminal then answers every read with EOF, on which Textual's input thread
        spins a core. Nothing is lost: every edit is in the log already."""
        if not os.isatty(fd):
            self.exit(return_code=HUNG_UP)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.active()
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._keys.append(event)  # delivered in order, each once the last has landed
            if self._key_task is None or self._key_task.done():
                self._key_task = asyncio.create_task(self._deliver_keys())
            return
        await super().on_event(event)

    async def _deliver_keys(self) -> None:
        """Keys in the order typed, each to where the keys before it left the focus.

        Textual forwards a key to the focused widget's own queue and goes on with the next:
        a key that moves the focus (``/``) or opens a screen or dialog (``n``) acts later, so
        keys typed at once went to the old widget (``/`` then "composed" ran ``c``, ``p``...)
        or to a dialog not yet focused (``n``, End and text: the text at the start). Here a
        key is delivered only after the one before it has been handled, the focus it set
        applied and a screen it opened mounted (a paste or a script at any speed)."""
        while self._keys:
            event = self._keys.popleft()
            target = self.focused or self.screen
            await super().on_event(event)
            await self._drained(target)  # the key handled
            await self._drained(self)  # the focus it moved, the screen it pushed or popped
            await self._drained(self.screen)  # the screen now in front mounted
            await self._drained(self)  # and focused

    @staticmethod
    async def _drained(pump) -> None:
        """Until what ``pump`` (a widget, screen or the app) had queued has been handled."""
        if pump._closing or pump._closed:  # a screen popped meanwhile: nothing comes
            return
        done = asyncio.Event()
        try:
            pump.call_later(done.set)
        except Exception:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(KEY_SETTLE_SECONDS):  # a closed queue never answers
                await done.wait()

    async def on_unmount(self) -> None:
        if self._key_task is not None:
            self._key_task.cancel()  # keys typed as the app closes go nowhere
        # a sync or PyPI fetch still running (quit meanwhile) ends first: its cleanup reads
        # the store, which must not be closed under it
        self.workers.cancel_all()
        for worker in list(self.workers):
            with contextlib.suppress(WorkerCancelled, WorkerError):  # not started: no task
                await worker.wait()
        if self._owns_catalog and self.catalog is not None:
            self.catalog.close()

    def _load_keymap(self) -> None:
        keymap = read_keymap(self.config_path)
        if keymap.problem:
            self.notify(keymap.problem, severity=keymap.severity, markup=False, timeout=10)
        self.set_keymap(keymap.keys)

    def poll_store(self) -> None:
        """Notice events appended by another process (a `djp sync` elsewhere)."""
        news = self.controller.outside_activity()
        if news:
            self.notify(news, markup=False)

    # --- navigation (the controller's Navigator) ----------------------------------------

    def open_package(self, target: Target) -> None:
        self.push_screen(PackageScreen(target))

    def open_compare(self, keys: list[str]) -> None:
        self.push_screen(CompareScreen(keys))

    def open_stack(self, name: str) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(StackScreen(name))

    def open_grid(self, target: Target) -> None:
        self.push_screen(GridScreen(target))

    def open_history(self, target: Target) -> None:
        self.push_screen(HistoryScreen(target))

    def go_back(self) -> None:
        if not self.controller.present:
            self.controller.to_present()
        elif len(self.screen_stack) > 2:
            self.pop_screen()

    def action_section(self, name: str) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        sections = {
            "grids": GridsScreen,
            "changes": ChangesScreen,
            "log": LogScreen,
            "readiness": ReadinessScreen,
            "stack": StackScreen,
        }
        if name in sections:
            self.push_screen(sections[name]())
        else:
            self.controller.announce()

    def action_close(self) -> None:
        """``q`` closes the screen in front, and quits only from the home screen (as tig and
        less do); ``ctrl+q`` always quits."""
        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:
            self.exit()

    def action_help(self) -> None:
        bindings = []
        for binding in self.screen.active_bindings.values():
            b = binding.binding
            bindings.append(
                (b.key_display or self.get_key_display(b), b.description or b.action, b.id or "")
            )
        self.push_screen(HelpModal(bindings))

    # --- keys that act on the catalogue ---------------------------------------------------

    _steps = 0  # presses of [ and ] not taken yet

    def action_step(self, delta: int) -> None:
        """Presses queued while a step is drawn add up: one move, one redraw."""
        if not self._steps:
            self.call_later(self._take_steps)
        self._steps += delta

    def _take_steps(self) -> None:
        delta, self._steps = self._steps, 0
        if delta:
            self.controller.step(delta)

    def action_present(self) -> None:
        self.controller.to_present()

    def action_undo(self) -> None:
        self.controller.undo()

    def action_redo(self) -> None:
        self.controller.redo()

    def action_sync(self) -> None:
        """S syncs in the background (progress in the status line); S again cancels."""
        self.controller.start_sync()

    def cancel_sync(self) -> None:
        self.controller.cancel_sync()

    def _after_first_sync(self, _: None) -> None:
        self.controller.after_first_start()

    # --- long work off the key path (the controller's Runner) -----------------------------

    def run_in_background(self, job, *, group: str, thread: bool = False) -> None:
        self.run_worker(job, group=group, exclusive=True, thread=thread)

    def cancel_background(self, group: str) -> None:
        self.workers.cancel_group(self, group)


def _abbreviate(path: Path) -> str:
    try:
        return "~/" + str(path.resolve().relative_to(Path.home()))
    except ValueError:
        return str(path)
