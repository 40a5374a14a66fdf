"""Files the user imports are input too: ``import-edits`` takes nothing on trust.

Each row passes the validation of ``djp edit``; references are checked; one bad row refuses
the whole file and appends nothing; the file is streamed, its lines bounded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.edits.files import export_edits, import_edits
from catalog.read.lookup import QueryError, find_grid
from catalog.upstream.sync import load_snapshot
from eventstore import Edited, FieldChange
from tests.support.cli import run_djp

PKG = "django-address-model"  # id 4404
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(snapshot_store):
    return snapshot_store


def row(**overrides) -> dict:
    """One exported edit, as ``export-edits`` writes it."""
    base = {
        "id": str(uuid.uuid4()),
        "seq": 90,
        "type": "Edited",
        "recorded_at": "2026-03-01T12:00:00+00:00",
        "target": "package:4404",
        "target_slug": PKG,
        "data": {
            "target": "package:4404",
            "changes": {"notes": {"before": "", "after": "imported"}},
            "note": None,
        },
    }
    base.update(overrides)
    return base


def write(path: Path, *rows: dict | str | bytes) -> Path:
    with open(path, "wb") as out:
        for r in rows:
            if isinstance(r, dict):
                r = json.dumps(r)
            out.write(r if isinstance(r, bytes) else r.encode())
            out.write(b"\n")
    return path


def changes(**fields) -> dict:
    return {
        "target": "package:4404",
        "changes": {k: {"before": None, "after": v} for k, v in fields.items()},
    }


def last_seq(path: Path) -> int:
    with Catalog.open(path) as catalog:
        return catalog.last_seq


BAD_ROWS = {
    "a field no package has": (row(data=changes(colour="red")), "has no editable field 'colour'"),
    "forged watchers": (row(data=changes(repo_watchers=10**6)), "repo_watchers is read-only"),
    "a forged slug": (row(data=changes(slug="other")), "slug is read-only"),
    "a forged version": (row(data=changes(pypi_version="9.9")), "pypi_version is read-only"),
    "notes past the limit": (row(data=changes(notes="n" * 20_000)), "the limit is 10,000"),
    "a note past the limit": (
        row(data={**changes(notes="x"), "note": "n" * 5_000}),
        "the note is 5,000 characters",
    ),
    "a title of the wrong type": (row(data=changes(title=5)), "title must be text"),
    "a status that does not exist": (row(data=changes(status="hoarded")), "status must be one"),
    "an id that is not a UUID": (row(id="nope"), "is not an exported edit"),
    "data that is not an object": (row(data=5), "is not an exported edit"),
    "an unknown event type": (row(type="Deleted"), "is not an exported edit"),
    "a target that is not one": (row(target="user:1"), "is not an exported edit"),
    "an undo naming no edit": (row(type="Undone", data={"edit_seq": 3}), "names no edit"),
    "not JSON": ("{not json", "is not an exported edit"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_refuses_the_whole_file_and_appends_nothing(store, tmp_path, case):
    bad, message = BAD_ROWS[case]
    path = write(tmp_path / "edits.jsonl", row(), bad)  # a good row first: all or nothing
    before = last_seq(store)
    code, out, err = run_djp("--store", store, "import-edits", path)
    assert code == 1 and out == ""
    assert err.startswith(f"djp: {path}:2") and message in err, err
    assert err.count("\n") == 1
    assert last_seq(store) == before
    assert run_djp("--store", store, "packages")[0] == 0  # the catalogue still opens


def test_an_undo_that_names_an_undo_is_refused(store, tmp_path):
    with Catalog.open(store) as catalog:
        edits.edit_package(catalog, PKG, {"notes": "a"})
        undone = edits.undo(catalog)
    path = write(
        tmp_path / "edits.jsonl",
        row(type="Undone", data={"target": "package:4404", "edit_id": str(undone.id)}),
    )
    with Catalog.open(store) as catalog, pytest.raises(QueryError, match="not an edit of"):
        import_edits(catalog, path)
    assert run_djp("--store", store, "redo")[0] == 0  # redo still works


def test_a_line_longer_than_a_mebibyte_is_refused_without_reading_it_whole(store, tmp_path):
    path = write(tmp_path / "edits.jsonl", row(data=changes(notes="n" * (2 << 20))))
    with Catalog.open(store) as catalog, pytest.raises(QueryError, match="longer than 1 MiB"):
        import_edits(catalog, path)


def test_a_byte_order_mark_is_accepted(store, tmp_path):
    path = tmp_path / "edits.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(row()).encode() + b"\n")
    with Catalog.open(store) as catalog:
        report = import_edits(catalog, path)
        assert report.imported == 1
        assert catalog.package_view(PKG).notes == "imported"


def test_before_values_are_the_ones_here_and_a_no_op_is_skipped(store, tmp_path):
    with Catalog.open(store) as catalog:
        edits.edit_package(catalog, PKG, {"notes": "mine"})
    forged = row(
        data={"target": "package:4404", "changes": {"notes": {"before": "X", "after": "imported"}}}
    )
    same = row(data=changes(notes="imported"))
    path = write(tmp_path / "edits.jsonl", forged, same)
    with Catalog.open(store) as catalog:
        report = import_edits(catalog, path)
        assert report.imported == 1 and "changes nothing" in report.skipped[0]
        edited = catalog.event(catalog.last_seq).event
        assert edited.changes["notes"] == FieldChange(before="mine", after="imported")


def test_edits_undos_and_redos_round_trip_through_a_file(store, tmp_path):
    def shown(catalog: Catalog) -> tuple:
        tables = catalog.tables()
        grid = find_grid(tables, "mine")
        return catalog.package_view(PKG).flat(), grid.record.packages, grid.record.title

    with Catalog.open(store) as catalog:
        edits.edit_package(catalog, PKG, {"title": "A", "tags": "x,y"})
        edits.create_local_grid(catalog, "mine", "Mine")
        edits.change_grid_members(catalog, "mine", add=[PKG])
        edits.edit_package(catalog, PKG, {"status": "using"})
        edits.undo(catalog)
        edits.redo(catalog)
        edits.undo(catalog)
        export_edits(catalog, tmp_path / "out.jsonl")
        want = shown(catalog)
    other = tmp_path / "other"
    with Catalog.open(other) as catalog:
        load_snapshot(catalog)
        report = import_edits(catalog, tmp_path / "out.jsonl")
        assert (report.imported, report.skipped) == (7, [])
        assert shown(catalog) == want
        assert catalog.projection.differences() == []


def test_verify_finds_an_edit_no_validation_let_in_and_the_app_still_opens(store):
    with Catalog.open(store) as catalog:  # written past every check, as an old djp might have
        catalog.store.append(
            "package:4404",
            [Edited(target="package:4404", changes={"colour": FieldChange(None, "red")})],
        )
    code, _, err = run_djp("--store", store, "verify")
    assert code == 1 and "set fields it does not have: ['colour']" in err
    code, out, _ = run_djp("--store", store, "show", PKG)
    assert code == 0 and PKG in out


def test_verify_while_another_process_edits_sees_no_damage(store):
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.support.workers", "edit_forever", str(store)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "editing"
        with Catalog.open(store) as catalog:
            for _ in range(15):
                assert catalog.projection.differences() == []
                assert catalog.store.verify().ok
    finally:
        worker.kill()
        worker.wait()


def test_a_local_grid_slug_grid_edit_create_refuses_is_refused(store, tmp_path):
    rows = write(
        tmp_path / "e.jsonl",
        row(target="localgrid:Not A Slug!", target_slug=None,
            data={"changes": {"exists": {"before": False, "after": True},
                              "title": {"before": None, "after": "Mine"}}}),
    )  # fmt: skip
    with Catalog.open(store) as catalog, pytest.raises(QueryError) as raised:
        import_edits(catalog, rows)
    assert "e.jsonl:1: grid slug 'Not A Slug!' must be lowercase letters" in str(raised.value)
    assert "nothing was imported" in str(raised.value)


def test_an_undo_of_an_edit_neither_here_nor_in_the_file_is_refused(store, tmp_path):
    unknown = str(uuid.uuid4())
    rows = write(
        tmp_path / "e.jsonl",
        row(),
        row(type="Undone", data={"target": "package:4404", "edit_id": unknown}),
    )
    with Catalog.open(store) as catalog:
        before = catalog.last_seq
        with pytest.raises(QueryError) as raised:
            import_edits(catalog, rows)
        assert catalog.last_seq == before  # the good row before it is not kept either
    assert f"e.jsonl:2: Undone names edit {unknown}, which neither this store nor" in str(
        raised.value
    )


def test_the_undo_of_a_row_skipped_is_skipped_and_both_are_reported_by_line(store, tmp_path):
    skipped = row(target="package:999999", target_slug="not-in-this-catalogue")
    rows = write(
        tmp_path / "e.jsonl",
        skipped,
        row(type="Undone", target="package:999999", target_slug="not-in-this-catalogue",
            data={"target": "package:999999", "edit_id": skipped["id"]}),
        row(),
    )  # fmt: skip
    with Catalog.open(store) as catalog:
        report = import_edits(catalog, rows)
    assert report.imported == 1
    assert [line.split(":")[0] for line in report.skipped] == ["line 1", "line 2"]
    assert "not-in-this-catalogue) is not here" in report.skipped[1]


@pytest.mark.slow
def test_many_edits_and_undos_on_few_packages_land_as_the_source_has_them(tmp_path):
    """The import keeps each package's values up to date as rows land (worked out again
    for each row, 10,000 rows on two packages took 165 s): the views after it are the
    source's. GENERATED edits."""
    source, target = tmp_path / "source", tmp_path / "target"
    for path in (source, target):
        with Catalog.open(path) as catalog:
            load_snapshot(catalog)
    with Catalog.open(source) as catalog:
        for i in range(3000):
            if i % 10 == 9:
                edits.undo(catalog)
            elif i % 10 == 5:
                edits.undo(catalog)
                edits.redo(catalog)
            else:
                slug = PKG if i % 2 else "django-messages"
                edits.edit_package(
                    catalog, slug, {"notes": f"GENERATED {i}", "tags": [f"t{i % 7}"]}
                )
        export_edits(catalog, tmp_path / "e.jsonl")
        expected = [catalog.package_view(slug) for slug in (PKG, "django-messages")]
    with Catalog.open(target) as catalog:
        report = import_edits(catalog, tmp_path / "e.jsonl")
        assert report.skipped == []
        got = [catalog.package_view(slug) for slug in (PKG, "django-messages")]
        assert catalog.store.verify().ok
    assert [(v.notes, v.tags) for v in got] == [(v.notes, v.tags) for v in expected]
