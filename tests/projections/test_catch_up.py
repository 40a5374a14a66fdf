"""A projection that must catch up (events appended by a process without it) folds them in
memory through write-back tables: the result is exactly a fresh fold, with progress."""

from __future__ import annotations

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.upstream.sync import load_snapshot
from eventstore import FieldChange, RecordChanged, Store, scan
from projections import persisted


def test_catch_up_equals_a_fresh_fold_and_reports_progress(tmp_path, monkeypatch):
    path = tmp_path / "store"
    with Catalog.open(path) as catalog:
        load_snapshot(catalog)
        edits.edit_package(catalog, "django-messages", {"notes": "mine"})
    with Store.open(path) as store:  # no projection listening: these are left to catch up
        for i in range(120):
            change = {"repo_watchers": FieldChange(before=i, after=i + 1)}
            store.append("package:359", [RecordChanged(resource="package", id=359,
                                                       changes=change, sync_id="x")])  # fmt: skip
        store.append(
            "package:4404",
            [RecordChanged(resource="package", id=4404, changes={"slug": FieldChange(
                before="django-address-model", after="renamed")}, sync_id="x")],
        )  # fmt: skip
    monkeypatch.setattr(scan, "RANGE_AT_MOST", 50)
    seen = []
    with Store.open(path) as store:
        projection = persisted.CatalogProjection(store)
        assert projection.catch_up(lambda done, total: seen.append((done, total))) == 121
        fresh, _ = projection.fresh_fold()
        stored = store.read(lambda txn: {
            name: dict(getattr(projection.tables(txn), name).items()) for name in persisted.TABLES
        })  # fmt: skip
        for name in persisted.TABLES:
            assert stored[name] == dict(getattr(fresh, name)), name
    assert seen == [(50, 121), (100, 121), (121, 121)]
    with Catalog.open(path) as catalog:
        assert catalog.package_view("renamed").record.id == 4404
        assert catalog.package_view("django-messages").record.repo_watchers == 120
