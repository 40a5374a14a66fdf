"""What the app keeps in memory and when it collects: closed screens are freed, and full
collections are made while the user reads (``tui.collector``)."""

from __future__ import annotations

import gc

import pytest

from projections.targets import Target
from tests.support.tui import filled_store, make_app
from tui.collector import PROMOTIONS_AT_LEAST, QuietCollector
from tui.screens import CatalogueScreen, HistoryScreen, LogScreen

SIZE = (140, 40)


@pytest.fixture
def store(tmp_path):
    return filled_store(tmp_path / "store")


@pytest.mark.slow
async def test_closed_screens_are_not_held_by_the_state_signal(store):
    # Textual's Signal forgets a removed subscriber only when it next publishes, and the
    # subscription (a bound method) held the screen: until the state changed, every screen
    # closed since stayed alive, and each full collection walked them all (at a year of
    # history: collections grew to 100-200 ms after thirty screens). What holds a closed
    # screen now is transient: asyncio keeps the context of a cancelled timer (which names
    # the screen) until that timer's time, ~30 s.
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        subscribers = app.controller.changed._subscriptions  # a WeakKeyDictionary
        for _ in range(5):
            app.controller.open_history(Target.package(4321))
            await pilot.pause()
            app.push_screen(LogScreen())
            await pilot.pause()
            assert {type(node) for node in subscribers} >= {HistoryScreen, LogScreen}
            app.pop_screen()
            app.pop_screen()
            await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)
        gc.collect()
        assert [type(node) for node in subscribers if node is not app] == [CatalogueScreen]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def promote(times: int) -> None:
    """Collect the middle generation ``times`` times (each counts toward a full one)."""
    gc.collect()
    for _ in range(times):
        gc.collect(1)


def test_collects_only_when_quiet_and_due():
    clock = Clock()
    collector = QuietCollector(quiet_seconds=1.0, clock=clock)
    promote(PROMOTIONS_AT_LEAST)
    clock.now += 0.5
    assert not collector.tick()  # something happened half a second ago
    clock.now += 0.6
    assert collector.tick()
    assert gc.get_count()[2] == 0 and collector.collections == 1
    clock.now += 5
    assert not collector.tick()  # nothing reached the oldest generation since
    promote(PROMOTIONS_AT_LEAST)
    collector.active()
    assert not collector.tick()
    clock.now += 1.0
    assert collector.tick() and collector.collections == 2


async def test_keys_and_screens_count_as_activity(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        clock = Clock()
        app.collector.clock = clock
        app.collector.last_active = 0.0
        await pilot.press("down")
        assert app.collector.last_active == clock.now
        clock.now += 10
        app.push_screen(HistoryScreen(Target.package(4321)))
        await pilot.pause()
        assert app.collector.last_active == clock.now
        clock.now += 10
        app.controller.step(-1)  # what is shown changes
        await pilot.pause()
        assert app.collector.last_active == clock.now
