"""``djp packages`` / ``djp grid``: relevance by default when words are given, saved filters
shared with the app, and the export formats."""

from __future__ import annotations

import csv
import io
import json

import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.read.settings import Settings
from tests.support.cli import run_djp


@pytest.fixture
def filled(snapshot_store):
    return snapshot_store


def slugs(out: str) -> list[str]:
    return [json.loads(line)["slug"] for line in out.splitlines()]


def test_words_sort_by_relevance_unless_a_sort_is_given(filled):
    _, out, _ = run_djp("--store", filled, "packages", "-q", "rest", "--json")
    assert slugs(out)[0] == "django-rest-framework-last-modified"
    _, out, _ = run_djp(
        "--store", filled, "packages", "-q", "rest", "--sort", "-watchers", "--json"
    )
    assert slugs(out)[0] == "djangorestframework-mvt"
    _, out, _ = run_djp("--store", filled, "packages", "-q", "rest -restrictor", "--json")
    assert "django-admin-ip-restrictor" not in slugs(out)


def test_a_saved_filter_is_the_apps(filled):
    code, _, err = run_djp("--store", filled, "packages", "-q", "is:stale admin", "--save", "old")
    assert code == 0 and "saved the filter 'is:stale admin' as 'old'" in err
    with Catalog.open(filled) as catalog:
        assert Settings(catalog).saved_filters() == {"old": "is:stale admin"}
    _, saved, _ = run_djp("--store", filled, "packages", "--saved", "old", "--json")
    _, typed, _ = run_djp("--store", filled, "packages", "-q", "is:stale admin", "--json")
    assert saved == typed and slugs(saved)
    # the saved filter and more words
    _, out, _ = run_djp("--store", filled, "packages", "--saved", "old", "-q", "-locking", "--json")
    assert set(slugs(out)) == set(slugs(saved)) - {"django-locking"}
    code, _, err = run_djp("--store", filled, "packages", "--saved", "nope")
    assert code == 1 and err == "djp: no saved filter 'nope'; saved: old\n"
    code, _, err = run_djp("--store", filled, "packages", "--save", "x")
    assert code == 1 and "--save needs a --query" in err


def test_packages_export_markdown_csv_json(filled):
    code, out, _ = run_djp("--store", filled, "packages", "-q", "admin", "--format", "markdown")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 + 2
    assert lines[2].startswith("| django-admin-ip-restrictor | django-admin-ip-restrictor | App |")
    _, out, _ = run_djp(
        "--store", filled, "packages", "-q", "admin", "--format", "csv", "--django", "4.2"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["slug"] for r in rows] == ["django-admin-ip-restrictor", "django-locking"]
    assert rows[0]["django_4.2"] == "unknown"  # no PyPI facts in this store
    _, out, _ = run_djp("--store", filled, "packages", "-q", "admin", "--format", "json")
    assert [d["slug"] for d in json.loads(out)] == ["django-admin-ip-restrictor", "django-locking"]


def test_grid_export(filled):
    with Catalog.open(filled) as catalog:
        edits.create_local_grid(catalog, "pick", "Pick")
        edits.change_grid_members(catalog, "pick", add=["django-messages", "arecibo"])
    code, out, _ = run_djp("--store", filled, "grid", "pick", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["slug"] for r in rows] == ["django-messages", "arecibo"]  # -watchers


def test_log_and_changes_say_what_they_left_out(filled):
    code, out, err = run_djp("--store", filled, "log", "--limit", "2")
    assert code == 0 and len(out.splitlines()) == 2
    assert err == "… and 77 earlier events (--limit cut them)\n"
    _, out, err = run_djp("--store", filled, "log", "--since", "3", "--limit", "2")
    assert err == "… and 74 later events (--limit cut them)\n"
    _, out, _ = run_djp("--store", filled, "changes", "--all")
    assert "new:" in out and "django-messages" in out
