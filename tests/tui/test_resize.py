"""After any resize the highlighted row is visible (issue 29, 9)."""

from __future__ import annotations

import pytest

from tests.support.tui import filled_store, make_app
from tui.widgets import PackageTable


@pytest.mark.parametrize("down", [0, 5, 25, 40])
async def test_the_cursor_row_stays_in_view_through_resizes(tmp_path, down):
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=(120, 35)) as pilot:
        table = app.screen.query_one(PackageTable)
        await pilot.press(*["j"] * down)
        for size in ((80, 24), (200, 50), (80, 24), (120, 35), (60, 15)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            visible = table.size.height - table.HEADER_LINES
            top = table.scroll_offset.y
            assert top <= table.cursor < top + visible, (size, top, table.cursor, visible)


@pytest.mark.parametrize("screen_key", ["4", "5"])  # the event log (a line list), readiness
async def test_other_lists_keep_their_cursor_in_view_through_resizes(tmp_path, screen_key):
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press(screen_key)
        await pilot.pause()
        view = app.screen.focused
        await pilot.press(*["k"] * 3, *["j"] * 20)
        for size in ((80, 24), (200, 50), (80, 24), (60, 15), (120, 35)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            top = view.scroll_offset.y
            visible = view.size.height - getattr(view, "HEADER_LINES", 0)
            assert top <= view.cursor < top + visible, (size, top, view.cursor, visible)
