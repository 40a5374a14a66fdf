"""A store this user can only read (a colleague's, a backup on a read-only mount) is browsed
read-only: everything shows, nothing is written, each refusal is one line."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from eventstore import Store, StoreReadOnlyError, SyncStarted
from tests.support.cli import run_djp
from tests.support.tui import filled_store, make_app, notifications
from tui.screens import PackageScreen

SIZE = (140, 40)


@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """A filled store, opened as by a user without write permission (root, who runs CI
    here, may write anything: the permission check is what is replaced)."""
    path = filled_store(tmp_path / "store")
    monkeypatch.setattr("eventstore.store.writable", lambda _path: False)
    return path


def test_the_store_opens_read_only_and_refuses_writes(read_only):
    with Store.open(read_only) as store:
        assert store.read_only and store.last_seq == 79
        with pytest.raises(StoreReadOnlyError, match="read-only for this user: nothing was"):
            store.append("s", [])
    with Catalog.open(read_only) as catalog:
        assert len(catalog.tables().upstream) > 75
        with pytest.raises(StoreReadOnlyError):
            edits.edit_package(catalog, "django-messages", {"notes": "x"})


def test_a_read_only_store_whose_views_are_behind_is_refused_in_one_line(tmp_path, monkeypatch):
    path = filled_store(tmp_path / "store")
    with Store.open(path) as store:  # an event the projection (not opened) does not fold
        store.append("sync", [SyncStarted(sync_id="s", source="https://example.invalid/")])
    monkeypatch.setattr("eventstore.store.writable", lambda _path: False)
    code, out, err = run_djp("--store", path, "packages")
    assert code == 1 and out == ""
    assert "is read-only for this user and its views" in err and err.count("\n") == 1


def test_the_command_line_reads_and_refuses_edits(read_only):
    code, out, _ = run_djp("--store", read_only, "show", "django-messages")
    assert code == 0 and "django-messages" in out
    code, _, err = run_djp("--store", read_only, "edit", "django-messages", "notes=x")
    assert code == 1
    assert err == f"djp: the store at {read_only} is read-only for this user: nothing was changed\n"


@pytest.mark.slow
async def test_the_app_browses_a_read_only_store(read_only):
    app = make_app(read_only)
    async with app.run_test(size=SIZE) as pilot:
        assert "read-only" in str(app.screen.query_one("#status").render())
        await pilot.press("D", "slash", *"admin", "enter")  # settings are not kept: no error
        await pilot.press("enter")
        assert isinstance(app.screen, PackageScreen)
        await pilot.press("n")  # notes: refused before any form opens
        assert isinstance(app.screen, PackageScreen)
        assert "the store is read-only for this user: browsing only" in notifications(app)
        await pilot.press("S", "u")
        assert "the store is read-only for this user: it cannot be synced" in notifications(app)
        await pilot.press("escape", "4", "enter")  # time travel still works
        assert not app.controller.browser.present
