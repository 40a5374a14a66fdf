"""Local edits, undo and redo, conflicts, grids, time travel, export and import."""

from __future__ import annotations

import json

import msgspec
import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.edits.files import export_edits, import_edits
from catalog.edits.validation import EditError
from catalog.read.changes import what_changed
from catalog.read.history import target_history
from catalog.read.lookup import find_grid
from catalog.read.queries import package_json
from catalog.upstream.sync import load_snapshot
from eventstore import Undone
from projections.history import series
from projections.targets import Target
from projections.view import grid_members
from tests.support.builders import sync_records
from tests.support.cli import run_djp

PKG = "django-address-model"  # id 4404, in the snapshot


@pytest.fixture
def catalog(store_path):
    with Catalog.open(store_path) as opened:
        load_snapshot(opened)
        yield opened


@pytest.fixture
def filled_path(store_path):
    """A store holding the snapshot, closed, for tests that run the command line."""
    with Catalog.open(store_path) as opened:
        load_snapshot(opened)
    return store_path


def last_seq(path) -> int:
    with Catalog.open(path) as opened:
        return opened.store.last_seq


def view(catalog, key=PKG, as_of=None):
    return catalog.package_view(key, as_of)


def test_edit_is_one_event_with_before_and_after(catalog):
    envelope = edits.edit_package(
        catalog, PKG, {"title": "Address model", "tags": "geo,forms"}, "why"
    )
    assert catalog.store.get(envelope.seq) == envelope
    assert envelope.stream == "package:4404" and envelope.type == "Edited"
    changes = {k: (c.before, c.after) for k, c in envelope.event.changes.items()}
    assert changes == {"title": (PKG, "Address model"), "tags": ([], ["forms", "geo"])}
    assert envelope.event.note == "why"
    v = view(catalog)
    assert v.record.title == "Address model" and v.tags == ["forms", "geo"]
    assert sorted(v.overridden) == ["tags", "title"] and v.conflicts == []


def test_undo_restores_the_override_it_replaced_and_never_touches_upstream(catalog):
    upstream = catalog.projection.entry("package", 4404).record
    first = edits.edit_package(catalog, PKG, {"title": "A"}).seq
    edits.edit_package(catalog, PKG, {"title": "B"})
    edits.undo(catalog)
    assert view(catalog).record.title == "A"
    assert view(catalog).overridden == {"title": first}
    edits.undo(catalog)
    assert view(catalog).record.title == PKG and view(catalog).overridden == {}
    assert catalog.projection.entry("package", 4404).record == upstream
    with pytest.raises(EditError, match="nothing to undo"):
        edits.undo(catalog)


def test_undo_of_an_edit_a_later_edit_built_on_is_refused(catalog):
    first = edits.edit_package(catalog, PKG, {"title": "A", "notes": "n"}).seq
    later = edits.edit_package(catalog, PKG, {"title": "B"}).seq
    before = catalog.store.last_seq
    with pytest.raises(EditError) as info:
        edits.undo(catalog, first)
    assert str(info.value) == (
        f"edit {first} cannot be undone: edit {later} changed title after it; undo {later} first"
    )
    assert catalog.store.last_seq == before
    other = edits.edit_package(catalog, "django-messages", {"status": "using"})
    edits.undo(catalog, later)  # a specific edit, not the newest one
    edits.undo(catalog, first)
    assert view(catalog).record.title == PKG
    assert view(catalog, "django-messages").status == "using"
    with pytest.raises(EditError, match=f"edit {first} is already undone"):
        edits.undo(catalog, first)
    with pytest.raises(EditError, match="event 1 is SyncStarted, not an edit"):
        edits.undo(catalog, 1)
    assert other


def test_redo_reapplies_as_a_new_event_and_survives_a_restart(catalog, store_path):
    edit = edits.edit_package(catalog, PKG, {"status": "shortlisted"}).seq
    edits.undo(catalog)
    catalog.close()
    with Catalog.open(store_path) as reopened:
        assert view(reopened).status == "none"
        redone = edits.redo(reopened)
        assert reopened.store.get(redone.seq) == redone
        assert redone.type == "Redone" and redone.event.edit_seq == edit
        assert view(reopened).status == "shortlisted"
        with pytest.raises(EditError, match="nothing to redo"):
            edits.redo(reopened)
        edits.undo(reopened)  # the redo itself can be undone
        assert view(reopened).status == "none"


def test_a_new_edit_ends_what_redo_could_bring_back(catalog):
    edits.edit_package(catalog, PKG, {"notes": "x"})
    edits.undo(catalog)
    edits.edit_package(catalog, PKG, {"notes": "y"})
    with pytest.raises(EditError, match="nothing to redo"):
        edits.redo(catalog)


def test_conflict_when_upstream_changes_an_overridden_field(catalog):
    edits.edit_package(catalog, PKG, {"repo_description": "mine"})
    record = catalog.projection.entry("package", 4404).record
    changed = msgspec.structs.replace(record, repo_description="theirs", repo_watchers=99)
    others = [e.record for e in catalog.projection.entries("package") if e.record.id != 4404]
    sync_records(catalog, "package", [*others, changed])
    v = view(catalog)
    assert v.record.repo_description == "mine"  # the edit still wins
    assert v.record.repo_watchers == 99  # upstream flows through where not overridden
    assert v.conflicts == ["repo_description"]
    data = package_json(v)
    assert data["conflicts"] == ["repo_description"]
    assert data["overridden"] == ["repo_description"]


@pytest.mark.parametrize(
    "argv,message",
    [
        (["edit", "no-such-package", "title=x"], "no package 'no-such-package' in the catalogue"),
        (["edit", PKG, "colour=red"], "package has no editable field 'colour'; editable: title"),
        (
            ["edit", PKG, "repo_watchers=5"],
            "repo_watchers is read-only: it is fetched from upstream",
        ),
        (["edit", PKG, "id=5"], "id is read-only: it is fetched from upstream"),
        (["edit", PKG, "category=nonsense"], "category must be a known category id or name"),
        (["edit", PKG, "status=maybe"], "status must be one of none, evaluating, shortlisted"),
        (["edit", PKG, "title="], "title cannot be empty"),
        (["edit", PKG, "title=   "], "title cannot be empty"),
        (["edit", PKG, "repo_url=ftp://example.com/x"], "repo_url must be an http(s) URL"),
        (
            ["edit", PKG, "documentation_url=javascript:alert(1)"],
            "documentation_url must be an http(s) URL",
        ),
        (["edit", PKG, f"title={PKG}"], "that edit changes nothing: title is already"),
        (["edit", PKG, "title=" + "x" * 101], "title is 101 characters; the limit is 100"),
        (["edit", PKG, "notes=" + "x" * 10_001], "notes is 10,001 characters; the limit is 10,000"),
        (["edit", PKG, "tags=ok,has space"], "tag 'has space' must be one word"),
        (["edit", PKG, "title"], "'title' is not FIELD=VALUE"),
        (["undo", "99999"], "there is no event 99999"),
        (["redo"], "nothing to redo"),
        (
            ["grid-edit", "delete", "healt-checkers"],
            "grid 'healt-checkers' comes from upstream; only your own grids",
        ),
        (["grid-edit", "add", "healt-checkers", "nope"], "no package 'nope' in the catalogue"),
        (["grid-edit", "create", "Bad Slug", "--title", "x"], "grid slug 'Bad Slug' must be"),
        (
            ["grid-edit", "create", "healt-checkers", "--title", "x"],
            "a grid 'healt-checkers' exists",
        ),
    ],
)
def test_invalid_edits_fail_with_one_line_and_append_nothing(filled_path, argv, message):
    before = last_seq(filled_path)
    code, out, err = run_djp("--store", filled_path, *argv)
    assert code == 1 and out == ""
    assert err.startswith(f"djp: {message}"), err
    assert err.count("\n") == 1
    assert last_seq(filled_path) == before


def test_cli_edit_prints_the_sequence_and_show_json_gains_local(filled_path):
    store = str(filled_path)
    code, out, _ = run_djp("--store", store, "edit", PKG, "status=using", "notes=ok", "--note", "n")
    assert code == 0
    seq = int(out)
    assert seq == last_seq(filled_path)
    data = json.loads(run_djp("--store", store, "show", PKG, "--json")[1])
    assert data["local"] == {"notes": "ok", "tags": [], "status": "using"}
    assert data["overridden"] == ["notes", "status"] and data["conflicts"] == []
    _, out, _ = run_djp("--store", store, "show", PKG, "--json", "--as-of", seq - 1)
    assert json.loads(out)["local"]["status"] == "none"


def test_grid_rename_and_membership_are_undoable_edits(catalog):
    grid = find_grid(catalog.tables(), "healt-checkers")
    edits.edit_grid(catalog, "healt-checkers", {"title": "Health checks"})
    changed = edits.change_grid_members(catalog, "healt-checkers", add=[PKG], remove=["976"])
    tables = catalog.tables()
    now = find_grid(tables, "438")
    assert now.record.title == "Health checks"
    assert 4404 in now.record.packages and 976 not in now.record.packages
    assert 4404 in grid_members(tables, now)
    assert changed.stream == "grid:438" and catalog.store.get(changed.seq) == changed
    with pytest.raises(EditError, match="is already in grid"):
        edits.change_grid_members(catalog, "438", add=[PKG])
    edits.undo(catalog)
    assert find_grid(catalog.tables(), "438").record.packages == grid.record.packages


def test_local_grid_create_fill_delete_and_undo(catalog):
    edits.create_local_grid(catalog, "my-picks", "My picks", "shortlist for the shop")
    edits.change_grid_members(catalog, "my-picks", add=[PKG, "django-messages"])
    grid = find_grid(catalog.tables(), "my-picks")
    assert grid.local and grid.key == "localgrid:my-picks"
    assert sorted(grid.record.packages) == [359, 4404]
    edits.delete_local_grid(catalog, "my-picks")
    assert find_grid(catalog.tables(), "my-picks") is None
    edits.undo(catalog)
    assert find_grid(catalog.tables(), "my-picks").record.title == "My picks"
    # its history: created and deleted with the fields it has, not a local grid's empty
    # upstream defaults (id 0, is_locked and header false)
    _, items = target_history(catalog, "my-picks", grid=True)
    assert [i.kind for i in items] == ["created", "edit", "deleted", "undo"]
    assert set(items[0].changes) == {"slug", "title", "description"}
    assert set(items[2].changes) == {"slug", "title", "description", "packages"}
    assert set(items[3].changes) == set(items[2].changes)


def test_history_lists_every_kind_with_field_diffs(catalog):
    edit = edits.edit_package(catalog, PKG, {"title": "T"}, "try").seq
    edits.undo(catalog)
    edits.redo(catalog)
    record = catalog.projection.entry("package", 4404).record
    sync_records(
        catalog, "package", [msgspec.structs.replace(record, repo_watchers=20)], complete=False
    )
    target, items = target_history(catalog, PKG)
    assert target == Target.package(4404)
    assert [i.kind for i in items] == ["first seen", "edit", "undo", "redo", "changed upstream"]
    assert items[0].sync_source.startswith("snapshot:")
    assert items[1].changes["title"].before == PKG and items[1].changes["title"].after == "T"
    assert items[1].note == "try" and items[1].undone is False  # redone since
    assert items[2].changes["title"].after == PKG and items[2].edit_seq == edit
    assert items[4].changes["repo_watchers"].after == 20
    assert series(items, "repo_watchers") == [
        (items[0].seq, items[0].recorded_at, 14),
        (items[4].seq, items[4].recorded_at, 20),
    ]
    _, past = target_history(catalog, PKG, as_of=edit)
    assert [i.kind for i in past] == ["first seen", "edit"]


def test_history_shows_upstream_changes_hidden_by_an_override(catalog):
    edits.edit_package(catalog, PKG, {"repo_description": "mine"})
    record = catalog.projection.entry("package", 4404).record
    sync_records(
        catalog,
        "package",
        [msgspec.structs.replace(record, repo_description="theirs")],
        complete=False,
    )
    _, items = target_history(catalog, PKG)
    change = items[-1].changes["repo_description"]
    assert (items[-1].kind, change.before, change.after) == (
        "changed upstream",
        record.repo_description,
        "theirs",
    )
    assert view(catalog).conflicts == ["repo_description"]


def test_what_changed_between_the_last_two_syncs(catalog):
    records = {e.record.id: e.record for e in catalog.projection.entries("package")}
    new_list = [r for i, r in records.items() if i != 4321]
    new_list = [
        msgspec.structs.replace(r, pypi_version="9.9", repo_watchers=r.repo_watchers + 100)
        if r.id == 4404
        else r
        for r in new_list
    ]
    new_list.append(msgspec.structs.replace(records[4404], id=77777, slug="brand-new"))
    sync_records(catalog, "package", new_list)
    changes = what_changed(catalog)
    assert changes.new == [77777] and changes.vanished == [4321]
    assert [(v.id, v.after) for v in changes.versions] == [(4404, "9.9")]
    assert changes.watchers[0].id == 4404 and changes.watchers[0].gain == 100


def test_export_then_import_into_a_fresh_store_gives_the_same_views(catalog, tmp_path):
    edits.edit_package(catalog, PKG, {"title": "A", "status": "using"})
    edits.edit_package(catalog, "django-messages", {"tags": "chat"})
    edits.edit_package(catalog, PKG, {"notes": "n"})
    edits.undo(catalog)
    edits.redo(catalog)
    edits.create_local_grid(catalog, "mine", "Mine")
    edits.change_grid_members(catalog, "mine", add=[PKG])
    edits.edit_grid(catalog, "healt-checkers", {"description": "d"})
    exported = tmp_path / "edits.jsonl"
    assert export_edits(catalog, exported) == 8
    with Catalog.open(tmp_path / "other") as other:
        load_snapshot(other)
        report = import_edits(other, exported)
        assert (report.imported, report.already, report.skipped) == (8, 0, [])

        def views(c):
            t = c.tables()
            return sorted(
                v.flat().items().__repr__()
                for v in (
                    [
                        c.package_view(PKG),
                        c.package_view("django-messages"),
                        find_grid(t, "mine"),
                        find_grid(t, "438"),
                    ]
                )
            )

        assert views(other) == views(catalog)
        before = other.store.last_seq
        again = import_edits(other, exported)
        assert (again.imported, again.already) == (0, 8)
        assert other.store.last_seq == before
        undo = next(e for e in other.store.read_all() if isinstance(e.event, Undone))
        assert other.store.get(undo.event.edit_seq).type == "Edited"


def test_import_skips_and_reports_missing_targets(catalog, tmp_path):
    edits.edit_package(catalog, PKG, {"title": "A"})
    exported = tmp_path / "edits.jsonl"
    export_edits(catalog, exported)
    with Catalog.open(tmp_path / "empty") as other:
        report = import_edits(other, exported)
    assert report.imported == 0 and len(report.skipped) == 1
    assert "package:4404 (django-address-model) is not here" in report.skipped[0]


def test_rebuild_and_verify_from_the_cli(filled_path):
    store = str(filled_path)
    assert run_djp("--store", store, "edit", PKG, "title=A")[0] == 0
    code, out, _ = run_djp("--store", store, "rebuild")
    assert code == 0 and "rebuilt the projections from" in out
    code, out, _ = run_djp("--store", store, "verify")
    assert code == 0 and "projections equal a fresh fold" in out


def test_changes_command_text_and_json(filled_path):
    with Catalog.open(filled_path) as catalog:
        record = catalog.projection.entry("package", 4404).record
        changed = msgspec.structs.replace(record, pypi_version="9.9", repo_watchers=114)
        others = [e.record for e in catalog.projection.entries("package") if e.record.id != 4404]
        sync_records(catalog, "package", [*others, changed])
    code, out, _ = run_djp("--store", filled_path, "changes")
    assert code == 0
    assert "0 new, 0 vanished, 0 back, 1 changed" in out
    assert "  django-address-model: 1.0.4 → 9.9\n" in out
    assert "  django-address-model: 14 → 114 (+100)\n" in out
    code, out, _ = run_djp("--store", filled_path, "changes", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["watchers"] == [{"id": 4404, "before": 14, "after": 114}]


def test_an_edit_on_a_full_disk_is_one_line_and_the_store_stays_sound(tiny_disk):
    path = tiny_disk / "store"
    with Catalog.open(path, map_size=1 << 20) as catalog:
        load_snapshot(catalog)
        before = catalog.store.last_seq
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as out:  # every byte left (unbuffered: no flush at close)
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    code, out, err = run_djp("--store", path, "edit", PKG, "notes=" + "n" * 9000)
    assert code == 1 and out == ""
    assert err.startswith("djp: could not write to the store") and err.count("\n") == 1
    filler.unlink()
    with Catalog.open(path) as catalog:
        assert catalog.store.last_seq == before and catalog.store.verify().ok
