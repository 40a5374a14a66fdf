"""Snapshot tests of the main screens at a fixed size, with deterministic data.

The store holds the shipped snapshot written with a fixed clock, the app's "now" is fixed,
the store label is fixed and cursors do not blink. Update with ``pytest --snapshot-update``
after checking the new pictures in snapshot_report.html.
"""

from __future__ import annotations

import msgspec
import pytest

from catalog.edits import commands as edits
from catalog.pypi.facts import facts_from_json
from eventstore import PypiObserved
from tests.support.builders import point_at_pypi, sync_records
from tests.support.fakepypi import recorded
from tests.support.tui import filled_store, make_app

SIZE = (130, 34)


def _edits(catalog) -> None:
    edits.edit_package(
        catalog,
        "django-messages",
        {"title": "Messages (fork)", "status": "using", "tags": "chat,inbox"},
        "trying the fork",
    )
    edits.edit_package(catalog, "django-messages", {"notes": "benchmarked; good enough"})
    edits.edit_package(catalog, "django-address-model", {"repo_description": "mine"})

    record = catalog.projection.entry("package", 4404).record
    sync_records(
        catalog,
        "package",
        [msgspec.structs.replace(record, repo_description="theirs", repo_watchers=20)],
        complete=False,
    )


@pytest.fixture
def app(tmp_path):
    return make_app(filled_store(tmp_path / "store"))


@pytest.fixture
def edited_app(tmp_path):
    return make_app(filled_store(tmp_path / "store", _edits))


def test_catalogue(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE)


@pytest.mark.slow
def test_catalogue_filtered(snap_compare, app):
    assert snap_compare(app, press=["slash", *"django-c"], terminal_size=SIZE)


def test_catalogue_sorted_by_title(snap_compare, app):
    # the first start is most watched first; s on the title column sorts by title
    assert snap_compare(app, press=["s"], terminal_size=SIZE)


@pytest.mark.slow
def test_catalogue_with_edit_markers(snap_compare, edited_app):
    assert snap_compare(edited_app, press=["slash", *"is:edited", "enter"], terminal_size=SIZE)


@pytest.mark.slow
def test_package(snap_compare, app):
    assert snap_compare(
        app, press=["slash", *"django-messages", "enter", "enter"], terminal_size=SIZE
    )


@pytest.mark.slow
def test_package_with_override_and_conflict(snap_compare, edited_app):
    assert snap_compare(
        edited_app, press=["slash", *"address", "enter", "enter"], terminal_size=SIZE
    )


@pytest.mark.slow
def test_edit_form(snap_compare, app):
    assert snap_compare(
        app, press=["slash", *"django-messages", "enter", "enter", "e"], terminal_size=SIZE
    )


def test_status_quick_edit(snap_compare, app):
    assert snap_compare(app, press=["enter", "x"], terminal_size=SIZE)


@pytest.mark.slow
def test_history(snap_compare, edited_app):
    assert snap_compare(
        edited_app, press=["slash", *"address", "enter", "enter", "h"], terminal_size=SIZE
    )


@pytest.mark.slow
def test_history_of_an_edit(snap_compare, edited_app):
    assert snap_compare(
        edited_app,
        press=["slash", *"messages (fork)", "enter", "enter", "h", "up"],
        terminal_size=SIZE,
    )


def test_grids(snap_compare, app):
    assert snap_compare(app, press=["2"], terminal_size=SIZE)


@pytest.mark.slow
def test_grid(snap_compare, app):
    # a grid the sample's packages name (its record not fetched): its members are shown
    assert snap_compare(app, press=["2", "slash", *"276", "enter", "enter"], terminal_size=SIZE)


def test_changes(snap_compare, edited_app):
    assert snap_compare(edited_app, press=["3"], terminal_size=SIZE)


def test_event_log(snap_compare, app):
    assert snap_compare(app, press=["4"], terminal_size=SIZE)


@pytest.mark.slow
def test_time_travel_banner(snap_compare, edited_app):
    assert snap_compare(edited_app, press=["4", "up", "up", "up", "enter", "1"], terminal_size=SIZE)


def test_help(snap_compare, app):
    assert snap_compare(app, press=["question_mark"], terminal_size=SIZE)


def _pypi_facts(catalog) -> None:
    """PyPI facts for four packages, from the recorded responses (their pypi_url pointed at
    those projects here), appended as a fetch would append them (no network)."""
    pointed = {
        4404: "djangorestframework",
        359: "django-crispy-forms",
        4321: "nango",
        422: "django-minify-html",
    }
    point_at_pypi(catalog, pointed)
    for ident, name in pointed.items():
        observed = PypiObserved(
            target=f"package:{ident}",
            name=name,
            state="ok",
            facts=facts_from_json(recorded(name), name),
        )
        catalog.store.transaction(lambda tx, o=observed: tx.append_event(o.target, o))


@pytest.fixture
def pypi_app(tmp_path):
    return make_app(filled_store(tmp_path / "store", _pypi_facts))


def test_readiness(snap_compare, pypi_app):
    assert snap_compare(pypi_app, press=["5"], terminal_size=SIZE)


@pytest.mark.slow
def test_package_pypi_section(snap_compare, pypi_app):
    assert snap_compare(
        pypi_app, press=["slash", *"license:BSD", "enter", "enter"], terminal_size=(130, 60)
    )


@pytest.mark.slow
def test_catalogue_at_80x24(snap_compare, pypi_app):
    assert snap_compare(pypi_app, press=["slash", *"django:4.0", "enter"], terminal_size=(80, 24))


@pytest.mark.slow
def test_compare(snap_compare, pypi_app):
    assert snap_compare(
        pypi_app,
        press=["slash", *"django:4.0", "enter", "space", "space", "space", "c"],
        terminal_size=(130, 40),
    )


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_compare_sizes(snap_compare, pypi_app, size):
    """The columns share the width; long cells wrap to a second line before they are cut."""
    assert snap_compare(
        pypi_app,
        press=["slash", *"django:4.0", "enter", "space", "space", "space", "c"],
        terminal_size=size,
    )


@pytest.mark.slow
def test_details_pane(snap_compare, pypi_app):
    assert snap_compare(
        pypi_app, press=["D", "slash", *"django", "enter", "j"], terminal_size=(130, 34)
    )
