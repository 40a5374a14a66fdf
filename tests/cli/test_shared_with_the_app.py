"""The command line and the app say the same things: one filter language, one marker set,
one set of detail rows, real sub-commands."""

from __future__ import annotations

import json
from importlib.metadata import version

import pytest
from wcwidth import wcswidth as cells

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.read.browse import Browser
from catalog.read.filters import FilterError, parse_filter
from tests.support.cli import run_djp
from tests.support.tui import NOW, filled_store

PKG = "django-address-model"  # id 4404, in the snapshot


@pytest.fixture
def filled(tmp_path):
    return filled_store(tmp_path / "store")


def slugs(out: str) -> list[str]:
    return [json.loads(line)["slug"] for line in out.splitlines()]


@pytest.mark.parametrize(
    "query", ["mongo", "is:stale", "is:stale django", "cat:app", "grid:mine", "tag:geo"]
)
def test_packages_query_is_the_apps_filter(filled, query):
    with Catalog.open(filled) as catalog:
        edits.edit_package(catalog, PKG, {"tags": "geo"})
        edits.create_local_grid(catalog, "mine", "Mine")
        edits.change_grid_members(catalog, "mine", add=[PKG, "django-messages"])
        browser = Browser(catalog, NOW)
        want = sorted(r.view.record.slug for r in browser.filter(query))
    code, out, _ = run_djp("--store", filled, "packages", "--query", query, "--json")
    assert code == 0 and want  # every query selects something
    assert sorted(slugs(out)) == want


def test_an_unknown_qualifier_is_refused_with_the_apps_message(filled):
    with pytest.raises(FilterError) as info:
        parse_filter("colour:red")
    code, out, err = run_djp("--store", filled, "packages", "--query", "django colour:red")
    assert code == 1 and out == ""
    assert err == f"djp: {info.value}\n"
    assert "colour: is not a filter qualifier" in err


def test_text_output_has_the_apps_markers(filled):
    with Catalog.open(filled) as catalog:
        edits.edit_package(catalog, PKG, {"status": "rejected", "title": "Renamed"})
    _, out, _ = run_djp("--store", filled, "packages", "--query", "renamed")
    [row] = out.splitlines()[1:]
    assert row.startswith("✎✗")


def test_show_prints_the_same_detail_rows_as_the_package_screen(filled):
    code, out, _ = run_djp("--store", filled, "show", PKG)
    labels = [line.strip().split("  ")[0] for line in out.splitlines()]
    assert code == 0
    assert labels[:6] == ["title", "description", "slug", "id", "category", "repo"]


def test_wide_titles_keep_the_columns_in_line(filled):
    with Catalog.open(filled) as catalog:
        edits.edit_package(catalog, PKG, {"title": "表格 django 🎉 address " * 3})
    _, out, _ = run_djp("--store", filled, "packages", "--sort", "id")
    header, *rows = out.splitlines()
    wide = next(line for line in rows if "表格" in line)
    plain = next(line for line in rows if "表格" not in line and " App " in line)
    start = cells(header[: header.index("category")])
    for row in (wide, plain):
        assert cells(row[: row.index(" App ") + 1]) == start, row


def test_sub_commands_are_real():
    code, out, _ = run_djp("grid-edit", "add", "--help")
    assert code == 0 and "Usage: djp grid-edit add [OPTIONS] X PKG..." in out
    code, out, _ = run_djp("grid-edit", "--help")
    assert code == 0 and all(c in out for c in ("create", "set", "add", "remove", "delete"))
    code, _, err = run_djp("grid-edit", "rename")
    assert code == 2 and "No such command 'rename'" in err


def test_version_comes_from_the_installed_package():
    code, out, _ = run_djp("--version")
    assert code == 0 and out.strip() == f"djp {version('djp')}"
