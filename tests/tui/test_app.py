"""Pilot tests of the app: every screen and the flows a user goes through."""

from __future__ import annotations

import subprocess
import sys

import msgspec
import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.read import browse
from catalog.read.browse import Browser
from eventstore import FieldChange, RecordChanged, Store, StoreError
from projections.targets import Target
from projections.view import package_views
from tests.support.builders import sync_records
from tests.support.fakeapi import FakeApi, FakeApiServer, Fault
from tests.support.tui import filled_store, make_app, notifications
from tests.support.waiting import palette_hits, until
from tui.modals import EditModal, HelpModal, SyncModal
from tui.screens import (
    ChangesScreen,
    GridScreen,
    GridsScreen,
    HistoryScreen,
    LogScreen,
    PackageScreen,
)
from tui.screens.base import QUICK_READ_EVENTS
from tui.widgets import PackageTable

SIZE = (140, 40)


def changes_text(app) -> str:
    """The changes screen's heading and every line of its list."""
    screen = app.screen
    lines = screen.query_one("#changes").lines
    return "\n".join([str(screen.query_one("#changes-title").content), *map(str, lines)])


@pytest.fixture
def store(tmp_path):
    return filled_store(tmp_path / "store")


def table(app) -> PackageTable:
    return app.screen.query_one(PackageTable)


def events(path) -> list:
    with Store.open(path) as store:
        return list(store.read_all())


@pytest.mark.slow
async def test_filter_then_open_a_package(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        assert len(table(app).rows) == 75
        await pilot.press("slash", *"mongo")
        assert [r.view.record.slug for r in table(app).rows] == ["django-mongoengine-filter"]
        await pilot.press("enter")  # Enter in the filter moves to the first match
        assert table(app).has_focus and table(app).cursor == 0
        await pilot.press("enter")
        assert isinstance(app.screen, PackageScreen)
        assert app.screen.target.key == "package:4321"
        await pilot.press("escape")
        assert not isinstance(app.screen, PackageScreen)


@pytest.mark.slow
async def test_qualifiers_and_sorting(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"grid:healt-checkers")
        assert table(app).rows == []
        await pilot.press(*["backspace"] * 19, *"is:stale")
        assert 0 < len(table(app).rows) < 75 and all(r.stale for r in table(app).rows)
        await pilot.press(*["backspace"] * 8, "enter")
        # the first start opens most watched first
        watchers = [r.view.record.repo_watchers for r in table(app).rows]
        assert watchers == sorted(watchers, reverse=True)
        await pilot.press("right", "right", "right", "right", "s")  # the watchers column
        watchers = [r.view.record.repo_watchers for r in table(app).rows]
        assert watchers == sorted(watchers)
        await pilot.press("s")
        watchers = [r.view.record.repo_watchers for r in table(app).rows]
        assert watchers == sorted(watchers, reverse=True)
        await pilot.press("G")
        assert table(app).cursor == 74
        await pilot.press("g", "j", "j", "k")
        assert table(app).cursor == 1


@pytest.mark.slow
async def test_edit_form_saves_one_event_and_shows_the_marker(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"django-messages", "enter", "enter", "e")
        assert isinstance(app.screen, EditModal)
        assert app.focused is app.screen.query_one("#f-title")  # type straight away
        await pilot.press("ctrl+a", "ctrl+k", *"Messages (fork)", "ctrl+s")
        assert isinstance(app.screen, PackageScreen)
        await pilot.press("escape")
        row = table(app).rows[0]
        assert row.view.record.title == "Messages (fork)" and row.view.overridden
        assert table(app).render_line(1).text.startswith(" ✎")  # the first cell: marked or not
    last = events(store)[-1]
    assert last.type == "Edited" and set(last.event.changes) == {"title"}


async def test_edit_form_shows_validation_in_place_and_escape_appends_nothing(store):
    before = len(events(store))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "e")
        app.screen.query_one("#f-repo_url").value = "ftp://nope"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EditModal)
        error = app.screen.query_one("#e-repo_url")
        assert "repo_url must be an http(s) URL" in str(error.render())
        await pilot.press("escape")
        assert isinstance(app.screen, PackageScreen)
    assert len(events(store)) == before


@pytest.mark.slow
async def test_quick_status_and_tags(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "x", "down", "down", "enter")
        await pilot.press("number_sign", *"orm,cache", "enter")  # t is time travel elsewhere
        view = app.controller.package(app.screen.target)
        assert view.status == "shortlisted" and view.tags == ["cache", "orm"]


async def test_undo_from_history_brings_the_value_back(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        target = app.screen.target
        original = app.controller.package(target).record.title
        app.controller.edit(target, {"title": "Changed"})
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("u")  # the newest item, the edit, is selected
        assert app.controller.package(target).record.title == original
        await pilot.press("ctrl+r")
        assert app.controller.package(target).record.title == "Changed"
    assert [e.type for e in events(store)[-3:]] == ["Edited", "Undone", "Redone"]


async def test_refused_undo_says_why(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        target = app.screen.target
        first = app.controller.edit(target, {"title": "one"}).seq
        second = app.controller.edit(target, {"title": "two"}).seq
        await pilot.press("h", "up")  # select the older edit
        assert app.screen.selected().seq == first
        await pilot.press("u")
        assert any(
            f"edit {first} cannot be undone: edit {second} changed title" in m
            for m in notifications(app)
        )
        assert app.controller.package(target).record.title == "two"


@pytest.mark.slow
async def test_the_log_goes_to_an_event_by_its_number(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "colon", *"12", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LogScreen)
        detail = app.screen.query_one("#event-detail")
        assert str(detail.render()).split()[0] == "12"
        await pilot.press("question_mark", "escape")  # help, and back
        await pilot.pause()
        assert str(detail.render()).split()[0] == "12"  # the cursor stays where it was put
        await pilot.press("t")  # and travel there, as from any line
        assert app.controller.browser.seq == 12
        await pilot.press("colon", *"999999", "enter")
        await pilot.pause()
        [warning] = [m for m in notifications(app) if m.startswith("no event")]
        assert warning == f"no event '999999': the log holds 1 to {app.controller.browser.last_seq}"
        assert str(detail.render()).split()[0] == "12"  # the cursor stayed


@pytest.mark.slow
async def test_time_travel_and_return(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        target = app.screen.target
        seq = app.controller.edit(target, {"notes": "later"}).seq
        await pilot.press("escape", "4")
        assert isinstance(app.screen, LogScreen)
        detail = app.screen.query_one("#event-detail")  # the highlighted event, whole
        assert str(detail.render()).split()[:4] == [str(seq), *str(detail.render()).split()[1:3],
                                                    "Edited"]  # fmt: skip
        assert str(detail.render()).rstrip().endswith("edited django-messages: notes — → later")
        await pilot.press("up")
        assert str(detail.render()).split()[0] == str(seq - 1)
        await pilot.press("enter")  # the event before the edit
        assert not app.controller.browser.present and app.controller.browser.seq == seq - 1
        banner = str(app.screen.query_one("#banner").render())
        assert banner.startswith(f"the past — event {seq - 1:,} (")
        assert app.controller.package(target).notes == ""

        await pilot.press("right_square_bracket")
        assert app.controller.browser.present and app.controller.package(target).notes == "later"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.controller.browser.seq == seq - 2
        app.controller.edit(target, {"notes": "blocked"})
        await pilot.pause()
        assert any("editing is disabled while viewing the past" in m for m in notifications(app))
        await pilot.press("escape")
        assert app.controller.browser.present and app.controller.package(target).notes == "later"


@pytest.mark.slow
async def test_sync_with_the_loopback_server(tmp_path):
    path = filled_store(tmp_path / "store")
    with FakeApiServer(FakeApi.recorded()) as server:
        server.api.data["packages"][4404]["repo_watchers"] = 4242
        server.api.latency = 0.1  # slow enough for the store poll to run during the sync
        app = make_app(path, base_url=server.base_url, poll_seconds=0.02)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("S")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.controller.package(Target.package(4404)).record.repo_watchers == 4242
            # the app's own sync is not news from another process
            assert not any("another process" in m for m in notifications(app))
            assert any(
                "sync complete: 0 new, 1 changed, 0 vanished" in m for m in notifications(app)
            )


@pytest.mark.slow
async def test_a_sync_without_network_fails_fast_in_one_line(store):
    app = make_app(store, base_url="http://127.0.0.1:9/api/v4/")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [failure] = [m for m in notifications(app) if m.startswith("sync failed")]
        assert "failed after 2 attempts: connection failed" in failure
        assert "\n" not in failure


async def test_first_start_without_network_loads_the_snapshot(tmp_path):
    app = make_app(tmp_path / "empty", base_url="http://127.0.0.1:9/api/v4/", probe_seconds=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.controller.browser.rows) == 75
        assert any(
            "loaded the catalogue snapshot that ships with djp" in m for m in notifications(app)
        )


@pytest.fixture
def failed_sync_store(tmp_path):
    """A store whose log holds one sync, failed for want of a network, and nothing else."""
    from cli.main import main

    assert main(["--store", str(tmp_path / "s"), "sync", "--base-url", "http://127.0.0.1:9/"]) == 1
    return tmp_path / "s"


async def test_a_store_that_only_failed_to_sync_starts_like_an_empty_one(failed_sync_store):
    app = make_app(failed_sync_store, base_url="http://127.0.0.1:9/api/v4/", probe_seconds=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.controller.browser.rows) == 75  # the snapshot, not an empty table


@pytest.mark.slow
async def test_markup_in_a_description_is_shown_literally(tmp_path):
    evil = "[bold]loud[/bold] [link=https://evil.example]click[/link] \x1b[31mred\x1b[0m"

    def prepare(catalog: Catalog) -> None:
        record = catalog.projection.entry("package", 4404).record
        sync_records(
            catalog,
            "package",
            [msgspec.structs.replace(record, repo_description=evil, title="[red]title[/red]")],
            complete=False,
        )

    path = filled_store(tmp_path / "store", prepare)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"loud", "enter", "enter")
        content = app.screen.query_one("#details").content
        plain = "".join(segment.text for segment in app.console.render(content))
        assert "[bold]loud[/bold] [link=https://evil.example]click[/link]" in plain
        assert "\\x1b[31mred\\x1b[0m" in plain and "\x1b[31m" not in plain
        assert "[red]title[/red]" in plain


async def test_another_process_appending_is_noticed(store):
    app = make_app(store, poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        code = (
            "from catalog.catalog import Catalog\nfrom catalog.edits import commands as edits\n"
            "import sys\n"
            f"c = Catalog.open({str(store)!r})\n"
            "edits.edit_package(c, 'django-messages', {'status': 'using'})\nc.close()\n"
        )
        # LMDB allows one environment per process: the writer is a real second process
        subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            cwd=str(__import__("pathlib").Path(__file__).parent.parent.parent),
        )
        await until(
            pilot,
            lambda: app.controller.package(Target.package(359)).status == "using",
            "the other process's edit to be noticed",
        )
        assert "another process wrote to the store: 1 edit" in notifications(app)


@pytest.mark.slow
async def test_grids_grid_membership_and_changes(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        assert isinstance(app.screen, GridsScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, GridScreen) and table(app).rows == []
        app.controller.change_grid(app.screen.target, add=["django-messages"])
        await pilot.pause()
        assert [r.view.record.slug for r in table(app).rows] == ["django-messages"]
        await pilot.press("r")
        assert table(app).rows == []
        await pilot.press("u")
        assert [r.view.record.slug for r in table(app).rows] == ["django-messages"]
        await pilot.press("3")
        assert isinstance(app.screen, ChangesScreen)


async def test_help_lists_the_keys_of_the_screen(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "question_mark")
        assert isinstance(app.screen, HelpModal)
        keys = {ident for _, _, ident in app.screen.bindings}
        assert {"package.edit", "package.history", "package.open_repo", "app.quit"} <= keys


async def test_keys_can_be_remapped_in_the_config_file(store, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"package.history" = "y"\n')
    app = make_app(store, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "y")
        assert isinstance(app.screen, HistoryScreen)


async def test_a_config_entry_that_cannot_be_used_is_named_and_the_rest_applies(store, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"package.histroy" = "z"\n"package.edit" = 5\n"app.sync" = "F"\n')
    app = make_app(store, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        [warning] = [m for m in notifications(app) if str(config) in m]
        assert "no binding has the id package.histroy (? shows the ids)" in warning
        assert 'package.edit: not a key (a string: "y", "ctrl+s")' in warning
        assert "\n" not in warning
        await pilot.press("enter", "e")  # 5 did not replace e
        assert isinstance(app.screen, EditModal)


@pytest.mark.slow
async def test_links_open_with_open_url(store, monkeypatch):
    opened = []
    app = make_app(store)
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    monkeypatch.setattr("tui.screens.package_keys.browser_available", lambda: True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"django-messages", "enter", "enter", "o", "p")
    assert opened == [
        "https://github.com/arneb/django-messages",
        "https://pypi.org/project/django-messages/",
    ]


async def test_without_a_browser_the_address_goes_to_the_clipboard_and_is_said(store, monkeypatch):
    """No display and no browser (webbrowser finds none): opening a link says so in one
    note with the whole address, and puts it on the clipboard; nothing claims "opening"."""
    opened, copied = [], []
    app = make_app(store)
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    monkeypatch.setenv("BROWSER", "")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    import webbrowser

    monkeypatch.setattr(webbrowser, "_tryorder", [])
    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.setattr(webbrowser, "register_standard_browsers", lambda: None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"django-messages", "enter", "p")  # on the list's row
        await pilot.pause()
        assert opened == [] and copied == ["https://pypi.org/project/django-messages/"]
        [said] = [m for m in notifications(app) if "browser" in m]
        assert said == (
            "no browser can be started here; the address, copied to the clipboard: "
            "https://pypi.org/project/django-messages/"
        )
        assert not any(m.startswith("opening") for m in notifications(app))


@pytest.mark.slow
async def test_command_palette_jumps_to_a_package(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"mongoengine")
        await until(pilot, lambda: palette_hits(pilot), "the palette's hits")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PackageScreen) and app.screen.target.key == "package:4321"


@pytest.mark.slow
async def test_sync_runs_in_the_background_and_s_cancels_it(tmp_path):
    path = filled_store(tmp_path / "store")
    with FakeApiServer(FakeApi.recorded()) as server:
        # hangs longer than a loaded machine takes to press S again
        server.api.faults.append(Fault("slow", path="/api/v4/packages/", delay=30.0))
        app = make_app(path, base_url=server.base_url)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("S")
            assert not isinstance(app.screen, SyncModal)  # no dialog: the app stays usable
            await until(
                pilot,
                lambda: any(r.startswith("/api/v4/packages/") for r in server.api.requests),
                "the sync to ask for packages",
            )
            status = str(app.screen.query_one("#status").render())
            assert "sync: " in status and "(S cancels)" in status
            await pilot.press("enter")  # browsing while it runs
            assert isinstance(app.screen, PackageScreen)
            assert "(S cancels)" in str(app.screen.query_one("#status").render())
            await pilot.press("escape")
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "Cancel sync" in titles and "Sync" not in titles
            await pilot.press("S")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert any("sync cancelled" in m for m in notifications(app))
            assert "(S cancels)" not in str(app.screen.query_one("#status").render())
    last = events(path)[-1]
    assert last.type == "SyncFinished" and last.event.error == "interrupted"
    with Store.open(path) as store:
        assert store.verify().ok


async def test_a_store_error_during_an_edit_is_a_toast(store, monkeypatch):

    def broken(*args, **kwargs):
        raise StoreError("the disk is full")

    monkeypatch.setattr("catalog.edits.commands.edit_package", broken)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert app.controller.edit(app.screen.target, {"notes": "x"}) is None
        await pilot.pause()
        assert "not saved: the disk is full" in notifications(app)


@pytest.mark.slow
async def test_changes_of_any_sync(tmp_path):
    def prepare(catalog: Catalog) -> None:
        record = catalog.projection.entry("package", 4404).record
        sync_records(
            catalog,
            "package",
            [msgspec.structs.replace(record, pypi_version="2.0")],
            complete=False,
        )

    app = make_app(filled_store(tmp_path / "store", prepare))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        text = changes_text(app)
        assert "What the last sync changed" in text and "1.0.4 → 2.0" in text
        await pilot.press("less_than_sign")
        text = changes_text(app)
        assert "the sync 1 before the last" in text and "75 new" in text
        # every new package is a line of its own (none cut), and enter opens it
        assert "new (75)" in text
        assert len(app.screen.query_one("#changes").lines) == 76
        await pilot.press("down", "enter")
        assert isinstance(app.screen, PackageScreen)
        await pilot.press("escape")
        await pilot.press("greater_than_sign")
        assert "What the last sync changed" in changes_text(app)


def test_stepping_back_uses_checkpoints_and_matches_a_fresh_fold(store, monkeypatch):

    monkeypatch.setattr(browse, "CHECKPOINT_EVERY", 7)
    monkeypatch.setattr(Browser, "STEPS_AT_MOST", 3)
    with Catalog.open(store) as catalog:
        for i in range(12):
            edits.edit_package(catalog, "django-messages", {"notes": f"note {i}"})
        browser = Browser(catalog)
        last = catalog.store.last_seq
        browser.travel(last - 10)  # a far jump: folded from checkpoints made on the way
        assert set(browser.checkpoints) == {c for c in range(7, last - 10, 7)}
        for _ in range(15):  # then step back one event at a time
            browser.step(-1)
            want = {v.key: v.flat() for v in package_views(catalog.tables(as_of=browser.seq))}
            assert {r.key: r.view.flat() for r in browser.rows.values()} == want


def test_steps_un_apply_single_events_and_match_a_fresh_fold(store):
    """From the present back through edits, an undo, a rename, a vanish and the first sync,
    then forward again: after every step the tables (the edit log aside: nothing is edited
    in the past) and the rows are what a fold of the log up to there gives."""
    with Catalog.open(store) as catalog:
        edits.edit_package(catalog, "django-messages", {"notes": "one", "title": "Msgs"})
        edits.edit_package(catalog, "django-messages", {"notes": "two"})
        edits.undo(catalog)
        record = catalog.projection.entry("package", 4404).record
        sync_records(
            catalog,
            "package",
            [msgspec.structs.replace(record, slug="renamed-address", repo_watchers=99)],
            complete=False,
        )
        present = catalog.tables()
        browser = Browser(catalog)
        last = catalog.store.last_seq

        def check() -> None:
            fresh = catalog.tables(as_of=browser.seq)
            for name in ("upstream", "local", "slugs", "pypi", "releases"):
                assert dict(getattr(browser.tables, name)) == dict(getattr(fresh, name)), name
            want = {v.key: v.flat() for v in package_views(fresh)}
            assert {r.key: r.view.flat() for r in browser.rows.values()} == want

        for _ in range(last - 1):  # all the way back to the first event
            browser.step(-1)
            check()
        assert browser.seq == 1
        for _ in range(last - 3):
            browser.step(1)
            check()
        browser.step(5)  # onto the newest event: the present again, as it was kept
        assert browser.present and browser.seq == last
        assert dict(browser.tables.upstream) == dict(present.upstream)


async def test_a_long_history_loads_in_a_worker_and_the_app_stays_usable(tmp_path):
    def prepare(catalog: Catalog) -> None:
        changes = [
            RecordChanged(
                resource="package",
                id=4404,
                changes={"repo_watchers": FieldChange(before=14 + i, after=15 + i)},
                sync_id="generated",
            )
            for i in range(QUICK_READ_EVENTS + 100)
        ]
        catalog.store.append("package:4404", changes)

    app = make_app(filled_store(tmp_path / "store", prepare))
    async with app.run_test(size=SIZE) as pilot:
        app.controller.open_history(Target.package(4404))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(screen.items) == QUICK_READ_EVENTS + 101  # first seen, then the changes
        assert not screen.query_one("#timeline").loading
        assert screen.items[-1].changes["repo_watchers"].after == 15 + QUICK_READ_EVENTS + 99


async def test_what_the_apps_own_sync_writes_is_not_outside_activity(store):
    app = make_app(store)
    async with app.run_test(size=SIZE):
        controller = app.controller
        controller.space.syncing = True  # as during the app's own sync
        edits.edit_package(controller.catalog, "arecibo", {"notes": "written meanwhile"})
        assert controller.outside_activity() is None
        controller.space.syncing = False
        edits.edit_package(controller.catalog, "arecibo", {"notes": "by another process"})
        edits.edit_package(controller.catalog, "nece", {"status": "using"})
        assert controller.outside_activity() == "another process wrote to the store: 3 edits"


async def test_changes_open_on_the_last_sync_that_completed(tmp_path):
    from catalog.upstream.sync import SyncSession

    def prepare(catalog: Catalog) -> None:
        record = catalog.projection.entry("package", 4404).record
        sync_records(
            catalog, "package", [msgspec.structs.replace(record, pypi_version="2.0")],
            complete=False,
        )  # fmt: skip
        SyncSession(catalog, "test:", "full", clock=lambda: 0.0).finish("failed", "offline")

    app = make_app(filled_store(tmp_path / "store", prepare))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        text = changes_text(app)
        assert "the sync 1 before the last" in text and "1.0.4 → 2.0" in text


async def test_a_link_is_copied_to_the_clipboard(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.controller.open_package(Target.package(359))  # django-messages: repo and docs
        await pilot.pause()
        await pilot.press("y", "j", "enter")  # the second link: docs
        await pilot.pause()
        docs = app.controller.package(Target.package(359)).record.documentation_url
        assert app.clipboard == docs and f"copied {docs}" in notifications(app)


def test_no_activity_does_not_look_like_low_activity():
    from catalog.text import weekly

    assert weekly([0] * 52, 26) == "no commits"
    assert weekly([0] * 51 + [1], 26) == "▁" * 25 + "█"


async def test_the_banner_says_what_the_event_did(store):
    app = make_app(store)
    async with app.run_test(size=(200, 40)) as pilot:
        first = app.controller.edit(Target.package(359), {"notes": "first"}).seq
        app.controller.edit(Target.package(359), {"notes": "second"})
        app.controller.travel(first)
        await pilot.pause()
        banner = str(app.screen.query_one("#banner").render())
        assert banner.startswith(f"the past — event {first:,} (")
        assert "edited django-messages: notes — → first" in banner
