"""Property tests over random sequences of syncs (with changing upstream data), edits, undos
and redos:

- the incrementally maintained projection equals a rebuild from the log;
- the view as of N equals the view captured right after the step that ended at N;
- an undo right after an edit restores the view from before the edit;
- a redo right after an undo restores the view from before the undo.
"""

from __future__ import annotations

import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.edits.validation import EditError
from eventstore import Grid, Package
from projections.history import history, history_by_full_diff
from projections.targets import Target
from projections.view import grid_views, package_views
from tests.support.builders import sync_records

IDS = (1, 2, 3)

upstream_package = st.builds(
    lambda i, title, watchers, version: Package(
        id=i,
        title=title,
        slug=f"pkg-{i}",
        category=1,
        repo_watchers=watchers,
        pypi_version=version,
        grids=[10] if i != 3 else [],
    ),
    st.sampled_from(IDS),
    st.sampled_from(["alpha", "beta", "gamma"]),
    st.integers(0, 5),
    st.sampled_from([None, "1.0", "2.0"]),
)

step = st.one_of(
    st.tuples(st.just("sync"), st.lists(upstream_package, max_size=3), st.sampled_from(["x", "y"])),
    st.tuples(
        st.just("edit"),
        st.sampled_from(IDS),
        st.sampled_from(["title", "notes", "status", "tags", "repo_description"]),
        st.sampled_from(["one", "two", "shortlisted", "using", "a,b"]),
    ),
    st.tuples(st.just("grid"), st.sampled_from(["add", "remove", "title"]), st.sampled_from(IDS)),
    st.tuples(st.just("undo"), st.integers(0, 3)),
    st.tuples(
        st.just("redo"),
    ),
)

VALUES = {"status": {"one": "evaluating", "two": "rejected"}}


def snapshot(catalog: Catalog) -> dict:
    tables = catalog.tables()
    views = {v.key: v.flat() for v in package_views(tables, include_vanished=True)}
    views.update({g.key: g.flat() for g in grid_views(tables, include_vanished=True)})
    return views


def run_step(catalog: Catalog, step) -> str | None:
    """Apply one step; returns what happened, or None when it was refused (nothing appended)."""
    kind = step[0]
    try:
        if kind == "sync":
            _, packages, grid_title = step
            sync_records(
                catalog, "grid", [Grid(id=10, title=grid_title, slug="g", packages=[1, 2])]
            )
            sync_records(catalog, "package", packages)
        elif kind == "edit":
            _, ident, name, value = step
            value = VALUES.get(name, {}).get(value, value)
            if name == "status" and value not in ("evaluating", "rejected", "shortlisted", "using"):
                value = "shortlisted"
            edits.edit_package(catalog, str(ident), {name: value})
        elif kind == "grid":
            _, action, ident = step
            if action == "title":
                edits.edit_grid(catalog, "10", {"title": f"mine {ident}"})
            else:
                key = "add" if action == "add" else "remove"
                edits.change_grid_members(catalog, "10", **{key: [str(ident)]})
        elif kind == "undo":
            log = catalog.tables().editlog.get(edits.EDIT_LOG)
            active = [a[0] for a in log.active] if log else []
            pick = step[1]
            edits.undo(
                catalog, None if pick == 0 or not active else active[-min(pick, len(active))]
            )
        else:
            edits.redo(catalog)
    except (EditError, LookupError):
        return None
    return kind


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14))
@pytest.mark.slow
def test_projections_time_travel_undo_and_redo(steps):
    path = tempfile.mkdtemp(prefix="djp-prop-")
    try:
        with Catalog.open(path + "/store") as catalog:
            captured = [(0, {})]
            previous_kind = None
            for s in steps:
                before = snapshot(catalog)
                done = run_step(catalog, s)
                after = snapshot(catalog)
                if done is None:
                    assert after == before  # a refused command changes nothing
                    continue
                if done == "undo" and previous_kind == "edit" and s[1] == 0:
                    assert after == captured[-2][1], "undo right after an edit"
                if done == "redo" and previous_kind == "undo":
                    assert after == captured[-2][1], "redo right after an undo"
                captured.append((catalog.store.last_seq, after))
                previous_kind = done
            assert catalog.projection.differences() == []
            for ident in IDS:  # the fast history equals the obvious whole-view diff
                stream = catalog.store.read_stream(f"package:{ident}")
                fast = [item.changes for item in history(Target.package(ident), stream)]
                assert fast == history_by_full_diff(Target.package(ident), stream)
            for seq, views in captured[1:]:
                tables = catalog.tables(as_of=seq)
                got = {v.key: v.flat() for v in package_views(tables, include_vanished=True)}
                got.update({g.key: g.flat() for g in grid_views(tables, include_vanished=True)})
                assert got == views, f"as of {seq}"
                for key, flat in views.items():
                    if key.startswith("package:"):
                        ident = key.split(":")[1]
                        assert catalog.package_view(ident, seq).flat() == flat
    finally:
        shutil.rmtree(path, ignore_errors=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(step, min_size=1, max_size=12),
    walk=st.lists(st.sampled_from([-3, -1, -1, 1, 2]), min_size=1, max_size=25),
)
def test_stepping_through_the_log_equals_a_fresh_fold(steps, walk):
    """From the present, any walk of steps back and forth (each un-applying or folding single
    events) leaves the tables and rows a fold of the log up to there gives; back at the
    present, the present is what it was."""
    from catalog.read.browse import Browser

    path = tempfile.mkdtemp(prefix="djp-walk-")
    try:
        with Catalog.open(path) as catalog:
            for s in steps:
                run_step(catalog, s)
            # a renamed package, so slugs are stepped over too
            record = catalog.projection.entry("package", 1)
            if record is not None:
                renamed = Package(id=1, title="renamed", slug="pkg-renamed", category=1, grids=[10])
                sync_records(catalog, "package", [renamed], complete=False)
            last = catalog.store.last_seq
            if not last:
                return
            browser = Browser(catalog)
            present = {k: r.view.flat() for k, r in browser.rows.items()}
            for delta in walk:
                browser.step(delta)
                fresh = catalog.tables(as_of=browser.seq)
                for name in ("upstream", "local", "slugs", "pypi"):
                    assert dict(getattr(browser.tables, name)) == dict(getattr(fresh, name))
                want = {v.key: v.flat() for v in package_views(fresh)}
                assert {r.key: r.view.flat() for r in browser.rows.values()} == want
            browser.step(last)
            assert browser.present and browser.seq == last
            assert {k: r.view.flat() for k, r in browser.rows.items()} == present
    finally:
        shutil.rmtree(path, ignore_errors=True)
