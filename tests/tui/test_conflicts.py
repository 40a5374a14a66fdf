"""A conflict (upstream changed a field you edited) shows upstream's new value and is settled
by keeping yours or taking theirs: one event each, each undoable; after "take theirs" later
syncs show upstream's values again."""

from __future__ import annotations

import msgspec
import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.edits.validation import EditError
from projections.targets import Target
from tests.support.builders import sync_records
from tests.support.cli import run_djp
from tests.support.tui import filled_store, make_app, notifications, screen_text
from tui.modals import ChoiceModal

SIZE = (140, 40)
PKG = "django-address-model"  # id 4404


def upstream_says(catalog: Catalog, **fields) -> None:
    record = catalog.projection.entry("package", 4404).record
    sync_records(catalog, "package", [msgspec.structs.replace(record, **fields)], complete=False)


def conflicted(catalog: Catalog) -> None:
    edits.edit_package(catalog, PKG, {"repo_description": "mine"})
    upstream_says(catalog, repo_description="theirs")


@pytest.fixture
def store(tmp_path):
    return filled_store(tmp_path / "store", conflicted)


def view(catalog: Catalog):
    return catalog.package_view(PKG)


def test_keep_mine_settles_it_and_undo_brings_it_back(store):
    with Catalog.open(store) as catalog:
        assert view(catalog).conflicts == ["repo_description"]
        assert view(catalog).theirs == {"repo_description": "theirs"}
        edits.resolve_conflict(catalog, PKG, "repo_description", keep_mine=True)
        v = view(catalog)
        assert v.conflicts == [] and v.record.repo_description == "mine"
        edits.undo(catalog)
        assert view(catalog).conflicts == ["repo_description"]


def test_take_theirs_gives_the_field_back_to_upstream(store):
    with Catalog.open(store) as catalog:
        edits.resolve_conflict(catalog, PKG, "repo_description", keep_mine=False)
        v = view(catalog)
        assert v.conflicts == [] and "repo_description" not in v.overridden
        assert v.record.repo_description == "theirs"
        upstream_says(catalog, repo_description="theirs, later")  # no conflict: it follows
        v = view(catalog)
        assert v.record.repo_description == "theirs, later" and v.conflicts == []
        edits.undo(catalog)  # yours again, in conflict with upstream's newest
        v = view(catalog)
        assert v.record.repo_description == "mine" and v.conflicts == ["repo_description"]
        edits.redo(catalog)
        assert view(catalog).record.repo_description == "theirs, later"
        # what a rebuild from the log says is the same
        catalog.projection.rebuild()
        assert view(catalog).record.repo_description == "theirs, later"


def test_a_field_not_in_conflict_is_refused(store):
    with Catalog.open(store) as catalog, pytest.raises(EditError, match="is not in conflict"):
        edits.resolve_conflict(catalog, PKG, "title", keep_mine=True)


def test_the_command_line_shows_and_resolves(store):
    _, out, _ = run_djp("--store", store, "show", PKG)
    assert "repo_description: upstream now theirs" in out
    code, _, err = run_djp("--store", store, "resolve", PKG, "repo_description")
    assert code == 1 and "--mine" in err and "--theirs" in err
    code, out, _ = run_djp("--store", store, "resolve", PKG, "repo_description", "--theirs")
    assert code == 0 and "repo_description" in out
    _, out, _ = run_djp("--store", store, "show", PKG, "--json")
    assert '"conflicts":[]' in out and '"repo_description":"theirs"' in out


async def test_the_package_screen_offers_keep_mine_and_take_theirs(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.controller.open_package(Target.package(4404))
        await pilot.pause()
        assert "repo_description: upstream now theirs" in screen_text(app)
        assert "C resolve conflict" in screen_text(app)
        await pilot.press("C")
        assert isinstance(app.screen, ChoiceModal)
        assert app.screen.choices == [
            "repo_description: keep mine mine",
            "repo_description: take theirs theirs",
        ]
        await pilot.press("j", "enter")
        assert notifications(app)[-1].startswith("edited django-address-model: repo_description")
        assert "(u undoes)" in notifications(app)[-1]
        assert "upstream now" not in screen_text(app)
        assert "C resolve conflict" not in screen_text(app)  # offered only while in conflict
        await pilot.press("u")
        await pilot.pause()
        assert "repo_description: upstream now theirs" in screen_text(app)
