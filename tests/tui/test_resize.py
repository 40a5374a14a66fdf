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
