"""The catalogue's search in the app: relevance while words are typed, the last sort and
filter restored on the next start, saved filters in the palette, and export (E)."""

from __future__ import annotations

import json

import pytest

from tests.support.tui import filled_store, make_app, notifications, screen_text
from tests.support.waiting import until
from tui.modals import ChoiceModal, TextModal
from tui.screens import GridScreen
from tui.widgets import PackageTable

SIZE = (140, 40)


@pytest.fixture
def store(tmp_path):
    return filled_store(tmp_path / "store")


def slugs(app) -> list[str]:
    return [r.view.record.slug for r in app.screen.query_one(PackageTable).rows]


@pytest.mark.slow
async def test_typed_words_order_by_relevance_until_a_column_is_chosen(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"rest")
        assert slugs(app)[:2] == [
            "django-rest-framework-last-modified",
            "django-admin-ip-restrictor",
        ]
        assert "best match first" in str(app.screen.query_one("#matches").render())
        await pilot.press("enter", "s")  # the title column: the user's order wins
        assert slugs(app) == sorted(slugs(app), key=str.casefold)
        assert "best match first" not in str(app.screen.query_one("#matches").render())
        await pilot.press("slash", *["backspace"] * 4, "enter")
        table = app.screen.query_one(PackageTable)
        assert not table.by_relevance and table.sort_key == "title"


async def test_a_sort_chosen_over_typed_words_comes_back_with_them(store):
    """Filter "rest", sorted by last commit: after a restart, still by last commit, not
    "best match first"."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"rest", "enter", *["right"] * 6, "s")
        table = app.screen.query_one(PackageTable)
        assert table.sort_key == "last_commit" and not table.by_relevance
        kept = slugs(app)
    again = make_app(store)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = again.screen.query_one(PackageTable)
        assert again.screen.query_one("#filter").value == "rest"
        assert table.sort_key == "last_commit" and not table.by_relevance
        assert "best match first" not in str(again.screen.query_one("#matches").render())
        assert slugs(again) == kept


@pytest.mark.slow
async def test_the_last_sort_and_filter_come_back(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"is:stale", "enter", "right", "right", "right", "right", "s")
        kept = slugs(app)
    again = make_app(store)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = again.screen.query_one(PackageTable)
        assert again.screen.query_one("#filter").value == "is:stale"
        assert (table.sort_key, table.descending) == ("watchers", False)
        assert slugs(again) == kept


@pytest.mark.slow
async def test_a_saved_filter_is_applied_from_the_palette(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"admin -locking", "enter")
        titles = [title for title, _, _ in app.named_commands(app.screen)]
        assert "Save this filter" in titles
        app.save_filter("admin -locking")
        await pilot.pause()
        assert isinstance(app.screen, TextModal)
        await pilot.press(*"my admin", "enter")
        assert "saved filter 'my admin': the palette applies it" in notifications(app)
        await pilot.press("escape", "escape", "2")  # clear the filter, go to the grids
        use = next(c for t, _, c in app.named_commands(app.screen) if t == "Filter: my admin")
        use()
        await pilot.pause()
        assert app.screen.query_one("#filter").value == "admin -locking"
        assert slugs(app) == ["django-admin-ip-restrictor"]
        forget = next(
            c for t, _, c in app.named_commands(app.screen) if t == "Forget filter: my admin"
        )
        forget()
        assert not any(t.startswith("Filter:") for t, _, _ in app.named_commands(app.screen))


@pytest.mark.slow
async def test_export_writes_the_rows_in_view_and_never_overwrites(store, tmp_path):
    target = tmp_path / "out.json"
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"admin", "enter", "E")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("j", "j", "enter")  # markdown, csv, json
        assert isinstance(app.screen, TextModal)
        assert app.screen.query_one("#value").value.endswith(".json")
        app.screen.query_one("#value").value = str(target)
        await pilot.press("enter")
        data = json.loads(target.read_text())
        assert [d["slug"] for d in data] == slugs(app)
        assert f"wrote {target}" in notifications(app)
        await pilot.press("E", "enter")  # markdown, to the same file: refused
        app.screen.query_one("#value").value = str(target)
        await pilot.press("enter")
        assert f"not written: {target} exists" in notifications(app)
        assert json.loads(target.read_text()) == data


async def test_a_grid_exports_its_packages(store, tmp_path):
    target = tmp_path / "grid.md"
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "enter")
        assert isinstance(app.screen, GridScreen)
        rows = slugs(app)
        await pilot.press("E", "enter")
        app.screen.query_one("#value").value = str(target)
        await pilot.press("enter")
        lines = target.read_text().splitlines()
        assert len(lines) == len(rows) + 2


@pytest.mark.slow
async def test_a_comparison_exports_in_any_of_its_forms(store, tmp_path):
    target = tmp_path / "compare.csv"
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "c", "E")
        assert isinstance(app.screen, ChoiceModal)
        assert app.screen.choices == ["markdown", "csv", "json", "text"]
        await pilot.press("j", "enter")
        assert app.screen.query_one("#value").value.endswith(".csv")
        app.screen.query_one("#value").value = str(target)
        await pilot.press("enter")
        header = target.read_text().splitlines()[0]
        assert header.startswith("attribute,") and header.count(",") == 2


@pytest.mark.slow
async def test_a_saved_filter_named_like_markup_is_shown_as_typed(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.controller.save_filter("[bold]mine[/bold]", "admin [red]")
        await pilot.press("ctrl+p", *"mine")
        await until(pilot, lambda: "[bold]mine[/bold]" in screen_text(app), "the saved filter")
        assert "admin [red]" in screen_text(app)


async def test_export_defaults_to_the_downloads_then_the_last_directory(
    store, tmp_path, monkeypatch
):
    """Not the current directory (under make run, the checkout): the user's downloads
    directory, then wherever the last export went (remembered across runs)."""
    downloads, chosen = tmp_path / "Downloads", tmp_path / "reports"
    downloads.mkdir()
    chosen.mkdir()
    monkeypatch.setattr("platformdirs.user_downloads_dir", lambda: str(downloads))
    monkeypatch.chdir(tmp_path)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"admin", "enter", "E", "enter")
        value = app.screen.query_one("#value").value
        assert value.startswith(str(downloads) + "/djp-") and value.endswith(".md")
        app.screen.query_one("#value").value = str(chosen / "admin.md")
        await pilot.press("enter")
        assert (chosen / "admin.md").exists()
    again = make_app(store)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("E", "enter")
        assert again.screen.query_one("#value").value.startswith(str(chosen) + "/djp-")
