"""``djp compare``: packages side by side in text, Markdown, CSV and JSON, the best of each
row marked, a grid's packages, and one-line refusals."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.support.cli import run_djp


@pytest.fixture
def filled(snapshot_store):
    return snapshot_store


def test_markdown_marks_the_best_of_each_row(filled):
    code, out, err = run_djp(
        "--store", filled, "compare", "django-messages", "django-calendarium", "arecibo",
        "--format", "markdown",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "| | django-messages | django-calendarium | arecibo |"
    assert lines[1] == "|---|---|---|---|"
    watchers = next(line for line in lines if line.startswith("| watchers |"))
    assert watchers == "| watchers | **554** | 223 | 89 |"
    assert any(line.startswith("| Django ") for line in lines)  # PyPI's rows are there too
    assert "| your status | none | none | none |" in lines


def test_json_csv_and_text_say_the_same(filled):
    args = ("--store", filled, "compare", "django-messages", "arecibo")
    data = json.loads(run_djp(*args, "--format", "json")[1])
    assert data["packages"] == ["django-messages", "arecibo"]
    watchers = next(a for a in data["attributes"] if a["attribute"] == "watchers")
    assert watchers == {
        "attribute": "watchers",
        "values": {"django-messages": 554, "arecibo": 89},
        "best": ["django-messages"],
    }
    rows = list(csv.reader(io.StringIO(run_djp(*args, "--format", "csv")[1])))
    assert rows[0] == ["attribute", "django-messages", "arecibo"]
    assert ["watchers", "554", "89"] in rows
    text = run_djp(*args)[1].splitlines()
    assert text[0].split() == ["django-messages", "arecibo"]
    assert next(t for t in text if t.startswith("watchers")).split() == [
        "watchers",
        "*",
        "554",
        "89",
    ]


def test_sorting_puts_the_best_first(filled):
    _, out, _ = run_djp(
        "--store", filled, "compare", "arecibo", "django-messages", "django-calendarium",
        "--sort", "watchers", "--format", "json",
    )  # fmt: skip
    assert json.loads(out)["packages"] == ["django-messages", "django-calendarium", "arecibo"]


def test_a_grid_and_refusals(filled):
    from catalog.catalog import Catalog
    from catalog.edits.commands import change_grid_members, create_local_grid

    with Catalog.open(filled) as catalog:
        create_local_grid(catalog, "mine", "Mine")
        change_grid_members(catalog, "localgrid:mine", add=["arecibo", "nece", "django-messages"])
    code, out, _ = run_djp("--store", filled, "compare", "--grid", "mine", "--format", "json")
    assert code == 0
    assert json.loads(out)["packages"] == ["django-messages", "arecibo", "nece"]  # by watchers
    code, _, err = run_djp("--store", filled, "compare", "django-mesages", "arecibo")
    assert code == 1 and "did you mean django-messages" in err and err.count("\n") == 1
    code, _, err = run_djp("--store", filled, "compare", "arecibo")
    assert code == 1 and "at least two packages" in err
    code, _, err = run_djp("--store", filled, "compare", "arecibo", "nece", "--sort", "stars")
    assert code == 1 and "no row 'stars'" in err


def test_csv_never_hands_a_spreadsheet_a_formula(filled, store_path):
    from catalog.catalog import Catalog
    from catalog.edits.commands import edit_package

    with Catalog.open(filled) as catalog:
        edit_package(catalog, "arecibo", {"notes": '=HYPERLINK("http://x")'})
    out = run_djp("--store", filled, "compare", "arecibo", "nece", "--format", "csv")[1]
    notes = next(r for r in csv.reader(io.StringIO(out)) if r[0] == "your notes")
    assert notes[1].startswith("'=")


def test_on_a_terminal_the_packages_go_in_blocks_that_fit(filled, monkeypatch):
    slugs = ["django-messages", "django-babel", "arecibo", "nece", "snorky"]
    _, piped, _ = run_djp("--store", filled, "compare", *slugs)
    assert piped.count("\n\n") == 0 and max(map(len, piped.splitlines())) > 80  # one table
    monkeypatch.setattr("cli.compare.terminal_width", lambda: 80)
    _, out, _ = run_djp("--store", filled, "compare", *slugs)
    blocks = out.strip("\n").split("\n\n")
    assert [block.splitlines()[0].split() for block in blocks] == [slugs[:3], slugs[3:]]
    assert max(map(len, out.splitlines())) <= 80
    watchers = [line for line in out.splitlines() if line.startswith("watchers")]
    assert watchers[0].split()[1:3] == ["*", "554"]  # the best, marked in its own block
