"""The package keys act on the highlighted row wherever a row is highlighted (the catalogue,
a grid, the readiness screen, a stack), and a key that cannot act says why in one line; the
footer shows the keys that act there (issue 29, 1 and 4)."""

from __future__ import annotations

import pytest

from catalog.edits.commands import change_grid_members, create_local_grid
from catalog.stacks.files import read_stack
from catalog.stacks.record import record_stack
from projections.targets import Target
from tests.support.tui import filled_store, make_app, notifications, screen_text
from tui.modals import ChoiceModal, TextModal
from tui.screens import GridScreen, HistoryScreen, ReadinessScreen, StackScreen

SIZE = (160, 40)


@pytest.fixture
def store(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "requirements.txt").write_text("django-messages==0.6.0\nrequests\n")

    def prepare(catalog):
        record_stack(catalog, "site", read_stack([tmp_path / "site" / "requirements.txt"]))
        create_local_grid(catalog, "picks", "Picks")
        change_grid_members(catalog, "localgrid:picks", add=["django-messages"])

    return filled_store(tmp_path / "store", prepare)


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_on_the_catalogue_the_keys_act_on_the_highlighted_row(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"django-messages", "enter")
        row = app.screen.query_one("PackageTable").current
        assert row.view.record.slug == "django-messages"
        assert "x status" in footer(app) and "n notes" in footer(app)
        await pilot.press("x")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("escape", "n")
        assert isinstance(app.screen, TextModal)
        await pilot.press(*"compare with postman", "ctrl+s")
        await pilot.pause()
        assert app.controller.package(row.view.target).notes == "compare with postman"
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape", "slash", *"nothing-matches-this", "enter", "x")
        assert "no package is highlighted (the list is empty)" in notifications(app)


async def test_on_a_grid_the_row_keys_and_the_grids_own(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.controller.open_grid(Target.parse("localgrid:picks"))
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)
        assert "e edit grid" in footer(app) and "x status" in footer(app)
        await pilot.press("x")  # the row's status
        assert isinstance(app.screen, ChoiceModal), notifications(app)


async def test_on_the_readiness_screen_the_keys_act_on_the_highlighted_package(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        assert isinstance(app.screen, ReadinessScreen)
        await pilot.press("#")
        assert isinstance(app.screen, TextModal) and "tags of" in str(app.screen.title_text)


async def test_on_a_stack_a_dependency_outside_the_catalogue_says_so(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        assert isinstance(app.screen, StackScreen)
        names = [r.name for r in app.screen.rows]
        app.screen.query_one("#stack-rows").cursor = names.index("requests")
        await pilot.press("x")
        assert (
            "requests is not in the djp catalogue: these keys act on its packages"
            in notifications(app)
        )
        app.screen.query_one("#stack-rows").cursor = names.index("django-messages")
        await pilot.press("x")
        assert isinstance(app.screen, ChoiceModal)


async def test_space_says_it_marks_and_moves_down(store):
    app = make_app(store)
    async with app.run_test(size=SIZE):
        assert "space mark ↓" in footer(app)
