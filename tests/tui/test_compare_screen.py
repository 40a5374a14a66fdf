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
        assert grid.visible() == 4  # 160 columns: the labels and four packages
        assert "0 more · 6 more →" in grid.render_line(0).text
        await pilot.press("right", "right", "right", "right", "right")
        assert (grid.column, grid.first) == (5, 2)
        header = grid.render_line(0).text
        assert "← 2 more · 4 more →" in header
        assert app.screen.comparison.packages[5] in header
        await pilot.press("enter")
        assert isinstance(app.screen, PackageScreen)
        assert app.screen.target.key == keys[5]
