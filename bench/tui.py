"""TUI benchmark: ``python -m bench.tui [--packages 6000]``, headless.

A GENERATED catalogue (not real packages) of 6,000 packages and 400 grids is synced into a
fresh store through the normal page path; one package gets 1,000 more events (upstream
changes and edits). Then the app is driven headless:

- launch: from creating the app to the catalogue table holding every package;
- filter: each keystroke of typed queries, from the key press to the table redrawn
  (median and p95);
- details: the details pane's text for the row under the cursor (p95 of 50 moves), and a
  cursor move with the pane shown against one without it;
- compare: 20 packages side by side, from the call to the table drawn;
- history: opening the history screen of the package with 1,000 events.

Baseline in the same run: filling Textual's built-in DataTable with the same 6,000 rows, the
cost the lazily drawn table avoids. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from bench.generated import sync_generated
from bench.year import (
    build_year,
    bytes_per_event,
    catalogue_shown,
    drive_year,
    headless_app,
    p95,
)
from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.present.details import cell_text
from catalog.read.browse import Browser
from eventstore import FieldChange, RecordChanged, Store
from projections.targets import Target
from tui.screens import CompareScreen, HistoryScreen
from tui.widgets import PackageTable
from tui.widgets.package_table import TABLE_COLUMNS

QUERIES = [
    "django",
    "generated-package-12",
    "cat:generated category 3",
    "is:stale 42",
    "gen-user-17",
]


def build_store(path: Path, packages: int, grids: int) -> None:
    with Catalog.open(path) as catalog:
        sync_generated(catalog, packages, grids)
        for i in range(1000):  # package 1 gets 1,000 events of its own
            if i % 10 == 0:
                edits.edit_package(catalog, "1", {"notes": f"note {i}"})
            else:
                catalog.store.append(
                    "package:1",
                    [
                        RecordChanged(
                            resource="package",
                            id=1,
                            sync_id="generated",
                            changes={"repo_watchers": FieldChange(before=i, after=i + 1)},
                        )
                    ],
                )


async def drive(path: Path, now: datetime) -> dict:
    started = time.perf_counter()
    app = headless_app(path, now)
    async with app.run_test(size=(160, 50)) as pilot:
        await catalogue_shown(app)
        launch = time.perf_counter() - started
        screen = app.screen
        table = screen.query_one(PackageTable)
        samples, presses, noops = [], [], []
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                # the work of one keystroke: filter 6,000 rows, sort, update the table, and
                # draw every line on screen
                t = time.perf_counter()
                screen.apply_filter(query[:end])
                for y in range(table.size.height):
                    table.render_line(y)
                samples.append((time.perf_counter() - t) * 1e3)
        await pilot.press("slash")
        for ch in "django-12":  # the same through Pilot, next to a key that does nothing
            key = {"-": "minus"}.get(ch, ch)
            t = time.perf_counter()
            await pilot.press(key)
            presses.append((time.perf_counter() - t) * 1e3)
            t = time.perf_counter()
            await pilot.press("f12")
            noops.append((time.perf_counter() - t) * 1e3)
        screen.query_one("#filter").value = ""
        await pilot.pause()
        # the details pane: our part (the pane's text for the row under the cursor), and a
        # cursor move with the pane shown through Pilot next to one without it
        table.focus()
        moves_plain = []
        for _ in range(20):
            t = time.perf_counter()
            await pilot.press("down")
            moves_plain.append((time.perf_counter() - t) * 1e3)
        await pilot.press("D")
        details, moves = [], []
        for _ in range(50):
            t = time.perf_counter()
            await pilot.press("down")
            moves.append((time.perf_counter() - t) * 1e3)
            t = time.perf_counter()
            screen.show_details()
            details.append((time.perf_counter() - t) * 1e3)
        await pilot.press("D")
        # the baseline of a screen switch: a bare Textual screen pushed and drawn, as below
        bare = []
        for _ in range(5):
            t = time.perf_counter()
            await app.push_screen(_BareScreen())
            await pilot.pause()
            bare.append((time.perf_counter() - t) * 1e3)
            app.pop_screen()
            await pilot.pause()
        # a comparison of 20 packages: from the key to the filled table on screen
        keys = [r.key for r in table.rows[:20]]
        t = time.perf_counter()
        app.controller.open_compare(keys)
        while not (isinstance(app.screen, CompareScreen) and app.screen.comparison is not None):
            await asyncio.sleep(0.001)
        await pilot.pause()
        compare_ms = (time.perf_counter() - t) * 1e3
        t = time.perf_counter()
        app.controller.comparison(keys)
        compare_build_ms = (time.perf_counter() - t) * 1e3
        await pilot.press("escape")
        t = time.perf_counter()
        history = HistoryScreen(Target.package(1))
        await app.push_screen(history)  # compose, mount, and the first refresh
        while len(history.items) < 1000:
            await asyncio.sleep(0.001)
        open_ms = (time.perf_counter() - t) * 1e3
        t = time.perf_counter()
        # our part: read the stream, fold, diff (in a worker), then build the lines
        history.show_items(app.controller.history(Target.package(1), None))
        history_ms = (time.perf_counter() - t) * 1e3
        rows = len(app.controller.browser.rows)
    samples.sort()
    return {
        "launch_s": launch,
        "filter_p50_ms": statistics.median(samples),
        "filter_p95_ms": p95(samples),
        "history_ms": history_ms,
        "keystrokes": len(samples),
        "rows": rows,
        "history_open_ms": open_ms,
        "press_p50_ms": statistics.median(presses),
        "noop_p50_ms": statistics.median(noops),
        "details_ms": p95(details),
        "details_move_p50_ms": statistics.median(moves),
        "plain_move_p50_ms": statistics.median(moves_plain),
        "compare_ms": compare_ms,
        "bare_screen_ms": statistics.median(bare),
        "compare_build_ms": compare_build_ms,
    }


class _BareScreen(Screen):
    """A screen as small as Textual makes them: a line of text and the footer."""

    BINDINGS = [Binding("x", "noop", "a key")]

    def compose(self):
        yield Static("a bare screen")
        yield Footer()


class _DataTableApp(App):
    def __init__(self, rows) -> None:
        super().__init__()
        self.rows = rows

    def compose(self):
        yield DataTable()


async def datatable_baseline(path: Path, now: datetime) -> float:
    """Seconds for the built-in DataTable to take every row (what the lazy table avoids)."""
    with Catalog.open(path) as catalog:
        rows = Browser(catalog, now).filter("")
    app = _DataTableApp(rows)
    async with app.run_test(size=(160, 50)) as pilot:
        table = app.query_one(DataTable)
        t = time.perf_counter()
        table.add_columns(*(c.label or "·" for c in TABLE_COLUMNS))
        table.add_rows([[cell_text(c, r, now) for c in TABLE_COLUMNS] for r in rows])
        await pilot.pause()
        return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=6000)
    parser.add_argument("--grids", type=int, default=400)
    parser.add_argument("--events", type=int, default=1_000_000, help="the year's log (0: none)")
    parser.add_argument(
        "--browse-minutes", type=float, default=0, help="run the browsing loop this long"
    )
    parser.add_argument(
        "--year-only",
        action="store_true",
        help="only the year: no catalogue app or DataTable baseline runs before it in this "
        "process (the generated year is still built in it)",
    )
    parser.add_argument(
        "--year-store",
        type=Path,
        help="drive this year store (a copy: the app writes its settings) instead of building "
        "one: the process then holds only the app",
    )
    args = parser.parse_args()
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="djp-bench-") as tmp:
        path = Path(tmp) / "store"
        result: dict = {}
        if not args.year_only:
            build_store(path, args.packages, args.grids)
            result = asyncio.run(drive(path, now))
            result["baseline_s"] = asyncio.run(datatable_baseline(path, now))
        year: dict = {}
        if args.year_store:  # built by an earlier run: this process only runs the app
            year_path = args.year_store
            with Store.open(year_path) as store:
                events, built = store.last_seq, 0.0
        elif args.events:
            year_path = Path(tmp) / "year"
            t = time.perf_counter()
            events = build_year(year_path, args.packages, args.grids, args.events)
            built = time.perf_counter() - t
        if args.year_store or args.events:
            year = asyncio.run(drive_year(year_path, now, args.browse_minutes))
            year.update(events=events, built_s=built, bytes_per_event=bytes_per_event(
                year_path, events))  # fmt: skip
    if result:
        print(f"tui benchmark: GENERATED catalogue of {result['rows']:,} packages, headless")
        print(f"launch    {result['launch_s']:.2f} s to an interactive catalogue (target < 1 s)")
        print(
            f"filter    p50 {result['filter_p50_ms']:.1f} ms  p95 {result['filter_p95_ms']:.1f} ms"
            f" over {result['keystrokes']} keystrokes (target < 50 ms)"
        )
        print(
            f"pilot     a filter key press round trip p50 {result['press_p50_ms']:.1f} ms, a key "
            f"that does nothing {result['noop_p50_ms']:.1f} ms (Pilot's own wait)"
        )
        print(
            f"history   1,000 events: built in {result['history_ms']:.0f} ms (target < 100 ms); "
            f"pushing the screen and its first draw {result['history_open_ms']:.0f} ms"
        )
        print(
            f"details   pane text for the row under the cursor p95 {result['details_ms']:.1f} ms "
            f"(target < 100 ms); a cursor move with the pane p50 "
            f"{result['details_move_p50_ms']:.1f} ms vs {result['plain_move_p50_ms']:.1f} ms "
            "without it"
        )
        print(
            f"compare   20 packages: {result['compare_ms']:.0f} ms from the key to the table on "
            f"screen (target < 100 ms), of which building the comparison "
            f"{result['compare_build_ms']:.1f} ms; a bare Textual screen (a line and a footer) "
            f"pushed and drawn the same way {result['bare_screen_ms']:.0f} ms (compare / bare = "
            f"{result['compare_ms'] / result['bare_screen_ms']:.2f})"
        )
        print(
            f"baseline  DataTable filled with the same rows: {result['baseline_s']:.2f} s "
            f"(launch / baseline = {result['launch_s'] / result['baseline_s']:.2f})"
        )
    if year:
        print(
            f"year      GENERATED log of {year['events']:,} events (built in "
            f"{year['built_s']:.0f} s), {year['bytes_per_event']:.0f} bytes an event on disk"
        )
        print(
            f"step      [ or ] at {year['events']:,} events: our part p95 {year['step_ms']:.1f} ms"
            f" (p50 {year['step_p50_ms']:.1f}; target < 50 ms); through Pilot p50 "
            f"{year['step_press_p50_ms']:.0f} ms"
            + (f" (a key that does nothing: {result['noop_p50_ms']:.0f} ms)" if result else "")
        )
        print(f"present   from 25 events back: {year['present_ms']:.1f} ms (target < 50 ms)")
        print(
            f"screens   content on screen: p95 {year['screen_p95_ms']:.0f} ms over "
            f"{year['screen_switches']} switches (target < 100 ms); a bare Textual screen "
            f"{year['year_bare_screen_ms']:.0f} ms; log {year['log_open_ms']:.0f} ms; each "
            f"(median): {year['screens_ms']}"
        )
        print(
            f"          until the app is idle again (Pilot's pause): p95 "
            f"{year['screen_idle_p95_ms']:.0f} ms; a bare Textual screen "
            f"{year['year_bare_screen_idle_ms']:.0f} ms (ratio "
            f"{year['screen_idle_p95_ms'] / year['year_bare_screen_idle_ms']:.2f}); log "
            f"{year['log_idle_ms']:.0f} ms; each (median): {year['screens_idle_ms']}"
        )
        print(
            f"memory    resident, private: {year['rss_launch_mb']:.0f} MB after launch, "
            f"{year['rss_mb']:.0f} MB after {year['rounds']} rounds "
            f"({year['loop_minutes']:.0f} min) of browsing every screen, stepping, "
            f"filtering and travelling; the log's mapped pages besides: "
            f"{year['rss_launch_file_mb']:.0f} -> {year['rss_file_mb']:.0f} MB"
        )
    catalogue = {}
    if result:
        catalogue = {
            "packages": result["rows"],
            "launch_s": round(result["launch_s"], 3),
            "filter_p50_ms": round(result["filter_p50_ms"], 2),
            "filter_p95_ms": round(result["filter_p95_ms"], 2),
            "history_ms": round(result["history_ms"], 1),
            "history_open_ms": round(result["history_open_ms"], 1),
            "pilot_press_p50_ms": round(result["press_p50_ms"], 1),
            "pilot_noop_p50_ms": round(result["noop_p50_ms"], 1),
            "details_ms": round(result["details_ms"], 2),
            "details_move_p50_ms": round(result["details_move_p50_ms"], 1),
            "plain_move_p50_ms": round(result["plain_move_p50_ms"], 1),
            "compare_ms": round(result["compare_ms"], 1),
            "compare_build_ms": round(result["compare_build_ms"], 1),
            "bare_screen_ms": round(result["bare_screen_ms"], 1),
            "datatable_fill_s": round(result["baseline_s"], 3),
        }
    year_figures = {k: round(v, 2) if isinstance(v, float) else v for k, v in year.items()}
    print(json.dumps({"bench": "tui", **catalogue, **year_figures}))


if __name__ == "__main__":
    main()
