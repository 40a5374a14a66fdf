"""The persisted catalogue projection: incremental == rebuild, shared between processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.catalog import Catalog
from catalog.upstream.sync import load_snapshot
from eventstore import Append, Package, RecordChanged, RecordSeen, RecordVanished, Store
from eventstore.events import FieldChange
from projections.persisted import CatalogProjection

ROOT = Path(__file__).resolve().parents[2]


def test_rebuild_equals_incremental_after_a_snapshot_and_changes(store_path):
    with Catalog.open(store_path) as catalog:
        load_snapshot(catalog)
        catalog.store.append(
            "package:4404",
            [
                RecordChanged(
                    resource="package",
                    id=4404,
                    sync_id="t",
                    changes={"repo_watchers": FieldChange(before=14, after=99)},
                )
            ],
        )
        catalog.store.append(
            "package:4321", [RecordVanished(resource="package", id=4321, sync_id="t")]
        )
        incremental = catalog.projection.dump()
        assert incremental["upstream"][b"package:4404"].record.repo_watchers == 99
        assert incremental["upstream"][b"package:4404"].changed_at == {
            "repo_watchers": catalog.store.last_seq - 1
        }
        assert incremental["upstream"][b"package:4321"].vanished
        assert catalog.projection.rebuild() == catalog.store.last_seq
        assert catalog.projection.dump() == incremental
        assert catalog.projection.differences() == []


def test_events_appended_without_the_projection_are_caught_up(store_path):
    with Store.open(store_path) as store:  # a process that does not project
        store.append(
            "package:1",
            [
                RecordSeen(
                    resource="package", sync_id="s", record=Package(id=1, title="one", slug="one")
                )
            ],
        )
    with Catalog.open(store_path) as catalog:
        assert catalog.projection.entry("package", 1).record.title == "one"


def test_a_second_process_reads_the_projection_without_refolding(store_path):
    with Catalog.open(store_path) as catalog:
        load_snapshot(catalog)
        last = catalog.store.last_seq
    code = (
        "import sys\nfrom eventstore import Store\n"
        "from projections.persisted import CatalogProjection\n"
        f"s = Store.open({str(store_path)!r})\np = CatalogProjection(s)\n"
        "print(s.read(p.checkpoint), len(p.entries('package')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(last), "75"]


ops = st.lists(
    st.tuples(
        st.sampled_from(["seen", "change", "vanish"]),
        st.integers(1, 4),
        st.integers(0, 1000),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(ops=ops, split=st.integers(0, 25))
def test_property_incremental_equals_rebuild(tmp_path_factory, ops, split):
    path = tmp_path_factory.mktemp("prop") / "s"
    with Store.open(path) as store:
        projection = CatalogProjection(store)
        for i, (kind, ident, value) in enumerate(ops):
            if kind == "seen":
                event = RecordSeen(
                    resource="package",
                    sync_id="p",
                    record=Package(id=ident, title=f"t{value}", slug=f"s{ident}"),
                )
            elif kind == "change":
                event = RecordChanged(
                    resource="package",
                    id=ident,
                    sync_id="p",
                    changes={"repo_watchers": FieldChange(before=0, after=value)},
                )
            else:
                event = RecordVanished(resource="package", id=ident, sync_id="p")
            if i == split:  # some events arrive in a batch over several streams
                store.append_batch([Append(f"package:{ident}", [event]), Append("sync", [event])])
            else:
                store.append(f"package:{ident}", [event])
        incremental = projection.dump()
        projection.rebuild()
        assert projection.dump() == incremental


def test_check_views_knows_a_stacks_fields_and_their_types():
    from projections.fold import ActiveEdit, LocalEntry, Tables
    from projections.view import check_views

    def stack(values):
        edit = ActiveEdit(seq=1, values=values)
        return Tables(local={b"stack:mysite": LocalEntry(edits=[edit])})

    good = {"files": ["requirements.txt"], "django": "4.2", "forgotten": False,
            "dep:django": {"name": "django"}, "dep:six": None}  # fmt: skip
    assert check_views(stack(good)) == []
    assert check_views(stack({"title": "x"})) == [
        "edits of stack:mysite set a field it does not have: 'title'"
    ]
    [problem] = check_views(stack({"files": "requirements.txt"}))
    assert problem.startswith("edits of stack:mysite set files to a wrong value")
