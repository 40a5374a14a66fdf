"""Time travel highlights the row the event in view changed; history timelines number their
events."""

from __future__ import annotations

import pytest

from catalog.edits import commands as edits
from tests.support.tui import filled_store, make_app, screen_text
from tui.screens import HistoryScreen
from tui.widgets import PackageTable

SIZE = (140, 40)


def prepare(catalog) -> None:
    edits.edit_package(catalog, "django-messages", {"notes": "read the code"})  # event 80
    edits.edit_package(catalog, "arecibo", {"notes": "later"})  # event 81


async def test_the_row_the_event_changed_is_highlighted(tmp_path):
    app = make_app(filled_store(tmp_path / "store", prepare))
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(PackageTable)
        traveled = table.get_component_rich_style("package-table--traveled")

        def highlighted() -> list[str]:
            out = []
            for y in range(1, table.size.height):
                strip = table.render_line(y)
                index = table.scroll_offset.y + y - 1
                if index < len(table.rows) and any(
                    seg.style and seg.style.bgcolor == traveled.bgcolor for seg in strip
                ):
                    out.append(table.rows[index].view.record.slug)
            return out

        assert highlighted() == []
        await pilot.press("left_square_bracket")  # back to event 80
        assert app.controller.browser.seq == 80
        assert app.controller.traveled_keys() == {"package:359"}
        table.cursor = 5  # the cursor on another row (django-messages, most watched, is first)
        assert highlighted() == ["django-messages"]
        await pilot.press("left_square_bracket")  # event 79, the end of a sync: no package
        assert highlighted() == []
        await pilot.press("escape")
        assert app.controller.traveled_keys() == set()


@pytest.mark.slow
async def test_history_timelines_show_event_numbers(tmp_path):
    app = make_app(filled_store(tmp_path / "store", prepare))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"title:django-messages", "enter", "enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        lines = [str(line) for line in app.screen.query_one("#timeline").lines]
        assert lines[-1].split()[0] == "80" and "edit" in lines[-1]
        assert "80" in screen_text(app)
