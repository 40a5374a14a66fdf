"""Grids managed in the app: create, rename/describe/annotate, delete (undoable), add a
package from its screen or a grid's with a fuzzy picker, remove with a toast that names it;
grid counts that match the grid's screen; history by package name."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.read.history import target_history
from tests.support.cli import run_djp
from tests.support.tui import filled_store, make_app, notifications, screen_text
from tui.modals import GridFormModal, PickModal
from tui.modals.pick import rank
from tui.screens import GridScreen, GridsScreen, PackageScreen
from tui.widgets import PackageTable

SIZE = (140, 40)


@pytest.fixture
def store(tmp_path):
    return filled_store(tmp_path / "store")


def last(app) -> str:
    return notifications(app)[-1]


def members(app) -> list[str]:
    return [r.view.record.slug for r in app.screen.query_one(PackageTable).rows]


async def new_grid(pilot, title: str) -> None:
    await pilot.press("2", "n")
    assert isinstance(pilot.app.screen, GridFormModal)
    await pilot.press(*title)
    await pilot.press("ctrl+s")


@pytest.mark.slow
async def test_create_edit_and_delete_a_grid(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await new_grid(pilot, "My API picks!")
        assert isinstance(app.screen, GridsScreen)
        assert last(app).startswith("created your grid my-api-picks (My API picks!): event ")
        assert last(app).endswith("(u undoes)")
        assert app.screen.highlighted_key == "localgrid:my-api-picks"
        # the same slug again is refused beside the slug, the form stays
        await pilot.press("n", *"My API picks", "ctrl+s")
        assert isinstance(app.screen, GridFormModal)
        assert "exists already" in str(app.screen.query_one("#e-slug").render())
        await pilot.press("escape")
        # describe and annotate it; the grid's screen shows both
        await pilot.press("e")
        form = app.screen
        form.query_one("#f-description").text = "REST frameworks we consider"
        form.query_one("#f-notes").text = "decide by Friday"
        await pilot.press("ctrl+s")
        assert "edited your grid my-api-picks" in last(app)
        await pilot.press("enter")
        assert isinstance(app.screen, GridScreen)
        head = str(app.screen.query_one("#grid-title").render())
        assert "REST frameworks we consider" in head and "decide by Friday" in head
        # delete it from its screen: back on the grids list, and u brings it back
        await pilot.press("delete")
        assert isinstance(app.screen, GridsScreen)
        assert last(app).startswith("deleted your grid my-api-picks")
        assert "u brings it back" in last(app)
        assert "My API picks!" not in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert "My API picks!" in screen_text(app)


async def test_an_upstream_grid_is_not_deleted(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "delete")
        assert "comes from upstream; only your own grids can be deleted" in last(app)
        assert "Health checkers" in screen_text(app)


@pytest.mark.slow
async def test_add_from_the_package_screen_and_remove_with_a_toast(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await new_grid(pilot, "Messaging")
        await pilot.press("1", "slash", *"title:django-messages", "enter", "enter")
        assert isinstance(app.screen, PackageScreen)
        await pilot.press("a")
        assert isinstance(app.screen, PickModal)
        await pilot.press(*"msgng", "enter")  # letters in order find "Messaging"
        assert "edited your grid messaging: added django-messages" in last(app)
        assert "Messaging" in screen_text(app)  # the package's grid list
        await pilot.press("2")
        app.screen.select("localgrid:messaging")
        await pilot.press("enter")
        assert members(app) == ["django-messages"]
        await pilot.press("r")
        assert last(app).startswith("edited your grid messaging: removed django-messages")
        assert last(app).endswith("(u undoes)")
        assert members(app) == []
        await pilot.press("u")
        await pilot.pause()
        assert members(app) == ["django-messages"]


@pytest.mark.slow
async def test_the_grid_screen_adds_with_a_fuzzy_picker(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await new_grid(pilot, "Picks")
        app.screen.select("localgrid:picks")
        await pilot.press("enter", "a")
        picker = app.screen
        assert isinstance(picker, PickModal)
        await pilot.press(*"calendar")
        first = picker.query_one("#pick-list").get_option_at_index(0)
        assert first.id == "package:" + str(first.id).split(":")[1]
        await pilot.press("enter")
        assert members(app) == ["django-calendarium"]
        # a package already in the grid is not offered again
        await pilot.press("a", *"calendarium")
        assert "no package matches" in screen_text(app)
        await pilot.press("escape")


def test_rank_puts_prefixes_then_substrings_then_letters():
    items = [(t, t) for t in ["django-rest-framework", "rest-auth", "drf-yasg", "restless"]]
    assert [t for t, _ in rank("rest", items)] == [
        "restless",
        "rest-auth",
        "django-rest-framework",
    ]
    assert [t for t, _ in rank("drf", items)] == ["drf-yasg", "django-rest-framework"]
    assert rank("zzz", items) == []


@pytest.mark.slow
async def test_grid_counts_say_what_the_screen_shows(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        text = screen_text(app)
        # the sample's one grid record: none of its 6 packages is in the 75-package sample
        assert "Health checkers  0 packages (6 not fetched yet)" in text
        await pilot.press("enter")
        assert "None of this grid's 6 packages is in the catalogue yet" in screen_text(app)
        # grids the sample's packages name, whose records were not fetched
        await pilot.press("escape", "slash", *"276")
        assert "Grid 276  3 packages  (not fetched yet)" in screen_text(app)
        await pilot.press("enter", "enter")
        assert sorted(members(app)) == [
            "django-mongoengine-filter",
            "django-querystring-tag",
            "django-xformula",
        ]
        await pilot.press("escape", "slash", *"zzz")  # a filter that keeps none says so
        assert "No grid matches the filter." in screen_text(app)
        assert "press S to sync" not in screen_text(app)


@pytest.mark.slow
async def test_grid_history_names_packages(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await new_grid(pilot, "Named")
        app.screen.select("localgrid:named")
        await pilot.press("enter", "a", *"django-messages", "enter", "a", *"arecibo", "enter")
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert "added arecibo" in screen_text(app)
    with Catalog.open(store) as catalog:
        _, items = target_history(catalog, "localgrid:named")
        assert len(items) == 3
    code, out, _ = run_djp("--store", store, "history", "localgrid:named")
    assert code == 0
    assert "packages: added django-messages" in out and "packages: added arecibo" in out
    _, log, _ = run_djp("--store", store, "log")
    assert "edited your grid named: added arecibo" in log


@pytest.mark.slow
async def test_the_log_pages_through_every_event_lazily(store, monkeypatch):
    from catalog.edits import commands as edits
    from tui.screens import LogScreen

    with Catalog.open(store) as catalog:  # 600 edits: 679 events, 68 pages of 10
        for i in range(600):
            edits.edit_package(catalog, "django-messages", {"notes": f"note {i}"})

    monkeypatch.setattr(LogScreen, "PAGE", 10)
    read = []
    real = LogScreen._read_page
    monkeypatch.setattr(
        LogScreen, "_read_page", lambda self, page: read.append(page) or real(self, page)
    )
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        events = app.screen.query_one("#events")
        assert len(events.lines) == 679  # every event, not the newest N
        assert set(read) <= {64, 65, 66, 67}  # only the pages in view: none from the top
        assert "edited django-messages: notes" in str(events.lines[events.cursor])
        await pilot.press("g")
        await pilot.pause()
        assert str(events.lines[0]).split()[0] == "1"
        await pilot.press("j", "j", "enter")
        assert app.controller.browser.seq == 3
