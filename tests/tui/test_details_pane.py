"""The details pane (D, remembered), the count of rows a filter matches, and its words
highlighted in titles."""

from __future__ import annotations

import pytest

from tests.support.tui import filled_store, make_app, screen_text
from tui.widgets import DetailsPane, PackageTable

SIZE = (140, 40)


async def test_the_details_pane_follows_the_cursor_and_is_remembered(tmp_path):
    store = filled_store(tmp_path / "store")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen.query_one(DetailsPane)
        assert not pane.display
        await pilot.press("D")
        assert pane.display
        table = app.screen.query_one(PackageTable)
        first = table.current.view.record
        text = screen_text(app)
        assert first.repo_description[:40] in text and "yours: status none" in text
        await pilot.press("j")
        await pilot.pause()
        second = table.current.view.record
        assert second.repo_description[:40] in screen_text(app)
        assert first.repo_description[:40] not in screen_text(app)
    again = make_app(store)
    async with again.run_test(size=SIZE):
        assert again.screen.query_one(DetailsPane).display  # remembered in the store


@pytest.mark.slow
async def test_the_count_of_matches_and_highlighted_words(tmp_path):
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"mongo", "enter")
        await pilot.pause()
        assert "1 of 75 packages match" in screen_text(app)
        table = app.screen.query_one(PackageTable)
        strip = table.render_line(1)
        styled = [seg.text for seg in strip if seg.style and seg.style.underline]
        assert styled == ["mongo"]
