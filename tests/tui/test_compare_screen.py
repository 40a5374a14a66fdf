"""Marking packages (space), the status line's count, comparing them (c), sorting the
comparison by a row (s), opening a column's package, clearing marks, and q/escape."""

from __future__ import annotations

import pytest

from tests.support.tui import filled_store, make_app, notifications, screen_text
from tui.screens import CatalogueScreen, CompareScreen, PackageScreen
from tui.widgets import CompareGrid, PackageTable

SIZE = (160, 44)


def table(app) -> PackageTable:
    return app.screen.query_one(PackageTable)


@pytest.mark.slow
async def test_mark_compare_sort_open_and_clear(tmp_path):
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=SIZE) as pilot:
        first, second, third = (r.key for r in table(app).rows[:3])
        await pilot.press("space", "space", "space")  # marks and moves down, three times
        assert list(app.controller.marked) == [first, second, third]
        assert "3 marked (c compares, ctrl+a clears)" in screen_text(app)
        assert table(app).render_line(1).text.startswith("●")
        await pilot.press("up", "space")  # unmark the third
        assert list(app.controller.marked) == [first, second]
        await pilot.press("c")
        assert isinstance(app.screen, CompareScreen)
        text = screen_text(app)
        assert "comparing 2 packages" in text and "watchers" in text and "Django 5.2" in text
        grid = app.screen.query_one(CompareGrid)
        labels = [a.label for a in app.screen.comparison.attributes]
        grid.cursor = labels.index("watchers")
        await pilot.press("s")
        comparison = app.screen.comparison
        watchers = next(a for a in comparison.attributes if a.label == "watchers").values
        assert watchers == sorted(watchers, reverse=True)
        assert "best first by watchers" in screen_text(app)
        await pilot.press("enter")  # the package of the cursor's column
        assert isinstance(app.screen, PackageScreen)
        assert app.screen.target.key == comparison.rows[0].key
        await pilot.press("q")  # q closes the screen in front...
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("q")
        assert isinstance(app.screen, CatalogueScreen)
        await pilot.press("ctrl+a")
        assert app.controller.marked == {} and "cleared 2 marks" in notifications(app)


async def test_c_without_marks_says_how(tmp_path):
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, CatalogueScreen)
        assert "mark two packages or more with space, then c compares them" in notifications(app)


@pytest.mark.slow
async def test_escape_clears_the_filter_then_the_marks(tmp_path):
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        await pilot.press("slash", *"django", "enter")
        await pilot.press("escape")  # the filter first
        assert app.screen.query_one("#filter").value == "" and len(table(app).rows) == 75
        assert len(app.controller.marked) == 2
        await pilot.press("escape")  # then the marks
        assert app.controller.marked == {}
        await pilot.press("q")  # q on the home screen quits
    assert app.return_code == 0


async def test_a_grid_compares_all_its_packages(tmp_path):
    from catalog.edits.commands import change_grid_members, create_local_grid

    def prepare(catalog):
        create_local_grid(catalog, "mine", "Mine")
        change_grid_members(catalog, "localgrid:mine", add=["arecibo", "nece", "django-messages"])

    app = make_app(filled_store(tmp_path / "store", prepare))
    async with app.run_test(size=SIZE) as pilot:
        app.controller.open_grid(app.controller.browser.grid("localgrid:mine").target)
        await pilot.pause()
        await pilot.press("c")
        assert isinstance(app.screen, CompareScreen)
        assert sorted(app.screen.comparison.packages) == ["arecibo", "django-messages", "nece"]


async def test_many_columns_scroll_sideways_with_the_cursor(tmp_path):
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=SIZE) as pilot:
        keys = [r.key for r in table(app).rows[:10]]
        app.controller.open_compare(keys)
        await pilot.pause()
        grid = app.screen.query_one(CompareGrid)
        # 160 columns: the labels, then ten packages would get 12 cells each, less than
        # the 16 a column keeps: eight share the width, the other two scroll
        assert grid.visible() == 8
        assert grid.render_line(0).text.startswith("2 more →")
        await pilot.press(*["right"] * 9)
        assert (grid.column, grid.first) == (9, 2)
        header = grid.render_line(0).text
        assert header.startswith("← 2 more ")
        assert app.screen.comparison.packages[9] in header
        await pilot.press(*["left"] * 4)
        await pilot.press("enter")
        assert isinstance(app.screen, PackageScreen)
        assert app.screen.target.key == keys[5]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_the_columns_share_the_width_and_long_cells_wrap(tmp_path, size):
    """Three packages at 80x24 all show (not one at a time); at 200x50 each column takes a
    third of the room, and a description longer than its column wraps to a second line."""
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=size) as pilot:
        keys = [r.key for r in table(app).rows[:3]]
        app.controller.open_compare(keys)
        await pilot.pause()
        grid = app.screen.query_one(CompareGrid)
        label, cell, shown = grid.widths()
        assert shown == 3
        used = label + 1 + 3 * (cell + 1)
        assert size[0] - 6 < used <= size[0]  # the width shared, less a scrollbar
        header = grid.render_line(0).text
        assert all(slug in header for slug in app.screen.comparison.packages)
        description = next(
            i for i, a in enumerate(app.screen.comparison.attributes) if a.label == "description"
        )
        text = app.screen.comparison.attributes[description].texts[0]
        lines = [grid.render_line(1 + n).text for n in range(len(grid._lines))]
        at = grid._starts[description]
        if len(text) > cell:  # wrapped: its words go on on the next line
            assert grid._lines[at + 1] == (description, 1)
            first, second = lines[at][label + 1 :], lines[at + 1][label + 1 :]
            assert (first[:cell].strip() + " " + second[:cell].strip()).startswith(
                text[: cell + 5].split(" ")[0]
            )
