"""A year of history for the TUI benchmark (``python -m bench.tui`` runs it after the rest).

A GENERATED catalogue of 6,000 packages and 400 grids (not real packages) is synced, then
GENERATED upstream changes and local edits (one in a hundred) are appended until the log holds
``events`` events (default 1,000,000: a year of daily syncs), a sync's start and end every
6,000. The app is then driven headless:

- step: ``[`` and ``]`` one event each (25 back, 25 forward), each from the key to the
  catalogue redrawn: our part (the browser's step, the screen's refresh, drawing the lines in
  view), p50 and p95, and the same presses through Pilot;
- present: from 25 events back to the present, the same way;
- screens: every screen switch (grids, changes, log, readiness, stack, a package, its history,
  a comparison; each ``SWITCH_ROUNDS`` times), from the call to the first frame that shows
  the screen's content (what the user sees; ``FrameRecorder``) and to Pilot's pause
  returning (the app idle again), each next to a bare Textual screen pushed the same way
  (the floor on this machine);
- memory: the resident set after launch and after a browsing loop (the screens above, steps,
  filters, time travel: ``LOOPS`` rounds), and the store's bytes per event on disk.
"""

from __future__ import annotations

import asyncio
import math
import random
import statistics
import time
from datetime import datetime
from pathlib import Path

from textual._compositor import LayoutUpdate
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from bench.generated import generated_pypi_documents, sync_generated
from catalog.catalog import Catalog
from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets
from eventstore import Append, Edited, FieldChange, RecordChanged, SyncFinished, SyncStarted
from eventstore.events import SyncCounts
from projections.targets import Target
from tests.support.fakepypi import FakePypi, FakePypiServer
from tui.app import DjpApp
from tui.screens import CatalogueScreen, LogScreen
from tui.widgets import PackageTable

BATCH = 5000
LOOPS = 15
#: Every screen is opened this many times; p95 over 8 screens x 5 = 40 switches is the 3rd
#: slowest (over 24 it was the 2nd: one pause of the machine decided it).
SWITCH_ROUNDS = 5
#: Where the benchmark's app would ask PyPI: a closed loopback port. Every package's facts
#: are in the year's store and fresh, so nothing asks; if something did, it would not leave
#: the machine (an answer arriving mid-switch would also redraw the screen being timed).
NO_PYPI = "http://127.0.0.1:9/"


def build_year(path: Path, packages: int, grids: int, events: int) -> int:
    """The GENERATED store: a catalogue and its PyPI facts, then changes until ``events``
    events."""
    rng = random.Random(2026)
    with Catalog.open(path) as catalog:
        sync_generated(catalog, packages, grids)
        record_pypi_facts(catalog, packages)
        store = catalog.store
        watchers = {i: 0 for i in range(1, packages + 1)}
        batch: list[Append] = []
        n = store.last_seq
        step = 0
        sync = "generated-0"
        while n < events:
            step += 1
            if step % 6000 == 0:
                batch.append(Append("sync", [SyncFinished(
                    sync_id=sync, source="generated:", outcome="complete",
                    counts=SyncCounts(), duration_s=1.0,
                )]))  # fmt: skip
                sync = f"generated-{step}"
                batch.append(Append("sync", [SyncStarted(sync_id=sync, source="generated:")]))
                n += 2
            ident = rng.randint(1, packages)
            if rng.random() < 0.01:
                event = Edited(
                    target=f"package:{ident}",
                    changes={"notes": FieldChange(before=None, after=f"note {step}")},
                )
            else:
                w = watchers[ident]
                watchers[ident] = w + 1
                event = RecordChanged(
                    resource="package",
                    id=ident,
                    sync_id=sync,
                    changes={"repo_watchers": FieldChange(before=w, after=w + 1)},
                )
            batch.append(Append(f"package:{ident}", [event]))
            n += 1
            if len(batch) >= BATCH:
                store.append_batch(batch)
                batch = []
        if batch:
            store.append_batch(batch)
        return store.last_seq


def record_pypi_facts(catalog: Catalog, packages: int) -> None:
    """Every package's PyPI facts, from GENERATED documents served on loopback (as a year
    of use would have them: the app asks PyPI again only for facts older than a day)."""
    documents = generated_pypi_documents(packages)
    with FakePypiServer(FakePypi(documents=documents, frozen=True)) as server:
        config = PypiConfig(base_url=server.base_url, concurrency=8)
        report = asyncio.run(fetch_pypi(catalog, pypi_targets(catalog), config))
    assert not report.errors and not report.unreachable, report.errors[:3]


class BareScreen(Screen):
    """A screen as small as Textual makes them: a line of text and the footer."""

    BINDINGS = [Binding("x", "noop", "a key")]

    def compose(self):
        yield Static("a bare screen")
        yield Footer()


_NO_THUMBS = str.maketrans(dict.fromkeys("▁▂▃▄▅▆▇█▔", " "))


class FrameRecorder:
    """The frames Textual paints for the screen on top (``App._display``: headless, it
    renders each update and writes nothing), to say when a new screen's content was first
    on screen: the first full frame whose text is the text the screen settles on (scrollbar
    thumbs aside: Textual adds them a frame later, once a layout has seen the list's length).
    Pilot's ``pause`` returns later than that: it waits until the app is idle, through frames
    that only restyle (focus, the footer, the thumbs)."""

    def __init__(self, app: DjpApp) -> None:
        self.app = app
        self.frames: list[tuple[float, str]] = []
        self.below = None
        original = app._display

        def display(screen, renderable) -> None:
            if (
                renderable is not None
                and screen is app.screen
                and screen is not self.below
                and isinstance(renderable, LayoutUpdate)
            ):
                text = "\n".join("".join(s.text for s in strip) for strip in renderable.strips)
                self.frames.append((time.perf_counter(), text.translate(_NO_THUMBS)))
            return original(screen, renderable)

        app._display = display

    def start(self) -> None:
        self.frames.clear()
        self.below = self.app.screen

    def shown_ms(self, since: float) -> float:
        if not self.frames:
            return float("nan")
        final = self.frames[-1][1]
        return next((t - since) * 1e3 for t, text in self.frames if text == final)


def rss_mb() -> tuple[float, float]:
    """The process's resident set now, in MB (Linux): (private memory, pages of mapped
    files: the store's log, read through LMDB's map, which the kernel may drop at will)."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    return fields["RssAnon"], fields["RssFile"]


def p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile: the value at rank ceil(0.95 n) of n in order."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


def headless_app(path: Path, now: datetime) -> DjpApp:
    """The app on ``path`` as the benchmarks drive it (no polling, no blinking cursor)."""
    return DjpApp(
        path,
        now=now,
        poll_seconds=0,
        cursor_blink=False,
        config_path=path.parent / "none.toml",
        pypi_url=NO_PYPI,
    )


async def catalogue_shown(app: DjpApp) -> None:
    """Until the catalogue table holds its rows (the app is interactive)."""
    while not (
        isinstance(app.screen, CatalogueScreen) and len(app.screen.query_one(PackageTable).rows) > 0
    ):
        await asyncio.sleep(0.005)


async def drive_year(path: Path, now: datetime, minutes: float = 0) -> dict:
    """The figures above; the browsing loop runs ``LOOPS`` rounds, or ``minutes`` long."""
    app = headless_app(path, now)
    async with app.run_test(size=(160, 50)) as pilot:
        await catalogue_shown(app)
        await pilot.pause()
        rss_launch = rss_mb()
        controller = app.controller
        screen = app.screen
        table = screen.query_one(PackageTable)

        def draw() -> None:
            for y in range(table.size.height):
                table.render_line(y)

        ours, pressed = [], []
        for delta in [-1] * 25 + [1] * 25:
            t = time.perf_counter()
            controller.step(delta)
            draw()
            ours.append((time.perf_counter() - t) * 1e3)
        key = {-1: "left_square_bracket", 1: "right_square_bracket"}
        for delta in [-1] * 10 + [1] * 10:
            t = time.perf_counter()
            await pilot.press(key[delta])
            pressed.append((time.perf_counter() - t) * 1e3)
        await pilot.press("escape")
        for _ in range(25):
            controller.step(-1)
        t = time.perf_counter()
        controller.to_present()
        draw()
        present_ms = (time.perf_counter() - t) * 1e3
        await pilot.pause()

        frames = FrameRecorder(app)

        async def switch(open_screen) -> float:
            frames.start()
            t = time.perf_counter()
            open_screen()
            await pilot.pause()
            spent = (time.perf_counter() - t) * 1e3
            shown.append(frames.shown_ms(t))
            while len(app.screen_stack) > 2:
                app.pop_screen()
            await pilot.pause()
            return spent

        shown: list[float] = []

        first = table.rows[0].view.target
        keys = [r.key for r in table.rows[:20]]
        switches = {
            "grids": lambda: app.action_section("grids"),
            "changes": lambda: app.action_section("changes"),
            "log": lambda: app.push_screen(LogScreen()),
            "readiness": lambda: app.action_section("readiness"),
            "stack": lambda: app.action_section("stack"),
            "package": lambda: controller.open_package(first),
            "history": lambda: controller.open_history(Target.package(1)),
            "compare": lambda: controller.open_compare(keys),
        }
        times: dict[str, list[float]] = {name: [] for name in switches}
        shown_by: dict[str, list[float]] = {name: [] for name in switches}
        bare: list[float] = []
        bare_shown: list[float] = []
        for _ in range(SWITCH_ROUNDS):
            for name, open_screen in switches.items():
                times[name].append(await switch(open_screen))
                shown_by[name].append(shown[-1])
            bare.append(await switch(lambda: app.push_screen(BareScreen())))
            bare_shown.append(shown[-1])
        # a browsing loop: screens, steps, filters, a jump into the past and back
        loop_started = time.perf_counter()
        rounds = 0
        samples = [(0.0, rss_mb()[0])]
        while rounds < LOOPS if not minutes else time.perf_counter() - loop_started < minutes * 60:
            i = rounds
            rounds += 1
            for open_screen in switches.values():
                await switch(open_screen)
            screen.apply_filter(f"generated-package-{i}")
            screen.apply_filter("")
            controller.step(-5)
            controller.step(5)
            controller.travel(controller.browser.last_seq - 150)
            controller.to_present()
            if rounds % 10 == 0:
                samples.append(((time.perf_counter() - loop_started) / 60, rss_mb()[0]))
        await app.workers.wait_for_complete()
        rss_after = rss_mb()
    every = [v for values in times.values() for v in values]
    return {
        "step_ms": p95(ours),
        "step_p50_ms": statistics.median(ours),
        "step_press_p50_ms": statistics.median(pressed),
        "present_ms": present_ms,
        # opening a screen: the key to the first frame showing its content
        "log_open_ms": statistics.median(shown_by["log"]),
        "screen_p95_ms": p95([v for values in shown_by.values() for v in values]),
        "screen_switches": sum(len(values) for values in shown_by.values()),
        "screens_ms": {name: round(statistics.median(v), 1) for name, v in shown_by.items()},
        "screens_slowest_ms": sorted(
            ((round(v, 1), name) for name, values in shown_by.items() for v in values),
            reverse=True,
        )[:4],
        "year_bare_screen_ms": statistics.median(bare_shown),
        # the same switches until the app is idle again (Pilot's pause returns)
        "log_idle_ms": statistics.median(times["log"]),
        "screen_idle_p95_ms": p95(every),
        "screens_idle_ms": {name: round(statistics.median(v), 1) for name, v in times.items()},
        "year_bare_screen_idle_ms": statistics.median(bare),
        "rounds": rounds,
        "loop_minutes": (time.perf_counter() - loop_started) / 60,
        "rss_samples": [(round(m, 1), round(r)) for m, r in samples],
        "rss_launch_mb": rss_launch[0],
        "rss_launch_file_mb": rss_launch[1],
        "rss_mb": rss_after[0],
        "rss_file_mb": rss_after[1],
    }


def bytes_per_event(path: Path, events: int) -> float:
    return (path / "data.mdb").stat().st_size / max(events, 1)
