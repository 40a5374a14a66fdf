"""What the app keeps in memory: closed screens are freed."""

from __future__ import annotations

import gc

import pytest

from projections.targets import Target
from tests.support.tui import filled_store, make_app
from tui.screens import CatalogueScreen, HistoryScreen, LogScreen

SIZE = (140, 40)


@pytest.fixture
def store(tmp_path):
    return filled_store(tmp_path / "store")


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
