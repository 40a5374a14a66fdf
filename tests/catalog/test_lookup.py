"""One lookup for every command: ids and slugs through the slug index, renamed slugs too."""

from __future__ import annotations

import msgspec
import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.read.history import target_history
from catalog.read.lookup import find_package
from catalog.upstream.sync import load_snapshot
from eventstore import pack_u64
from projections.persisted import PROJECTION_VERSION, VERSION_KEY
from projections.targets import Target
from tests.support.builders import sync_records
from tests.support.cli import run_djp


@pytest.fixture
def renamed(store_path):
    """django-address-model (4404) renamed upstream to address-model-renamed."""
    with Catalog.open(store_path) as catalog:
        load_snapshot(catalog)
        record = catalog.projection.entry("package", 4404).record
        new = msgspec.structs.replace(record, slug="address-model-renamed")
        sync_records(catalog, "package", [new], complete=False)
    return store_path


def test_a_renamed_package_is_found_by_its_new_and_old_slug(renamed):
    with Catalog.open(renamed) as catalog:
        for key in ("address-model-renamed", "django-address-model", "4404"):
            assert catalog.lookup("package", key) == Target.package(4404)
            assert find_package(catalog.tables(), key).record.id == 4404
        assert target_history(catalog, "address-model-renamed")[0] == Target.package(4404)
        envelope = edits.edit_package(catalog, "address-model-renamed", {"notes": "x"})
        assert envelope.stream == "package:4404"
    for command in ("show", "history"):
        code, out, err = run_djp("--store", renamed, command, "address-model-renamed")
        assert code == 0, err
        assert "address-model-renamed" in out or "package:4404" in out


def test_a_store_folded_by_an_older_projection_is_refolded_when_opened(renamed):
    # what a store written before renamed slugs were indexed looks like
    with Catalog.open(renamed) as catalog:
        projection = catalog.projection

        def downgrade(txn):
            txn.delete(b"package:address-model-renamed", db=projection.dbs["slugs"])
            txn.put(VERSION_KEY, pack_u64(1), db=projection.checkpoints)

        catalog.store.write(downgrade)
        assert catalog.lookup("package", "address-model-renamed") is None
    with Catalog.open(renamed) as catalog:
        assert catalog.projection.stored_version() == PROJECTION_VERSION
        assert catalog.lookup("package", "address-model-renamed") == Target.package(4404)
        assert catalog.projection.differences() == []
