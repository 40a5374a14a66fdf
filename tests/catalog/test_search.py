"""The filter language's search: -word negation, field qualifiers, relevance; and the export
of a list of packages (Markdown, CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.present import export
from catalog.read.browse import Browser
from catalog.read.filters import FilterError, parse_filter, relevance
from catalog.read.rows import parse_sort
from tests.support.tui import NOW, filled_store


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    path = filled_store(tmp_path_factory.mktemp("search") / "store")
    catalog = Catalog.open(path)
    yield Browser(catalog, NOW)
    catalog.close()


def slugs(rows) -> list[str]:
    return [r.view.record.slug for r in rows]


def test_a_leading_minus_leaves_out_what_a_word_matches(browser):
    every = set(slugs(browser.filter("")))
    admin = set(slugs(browser.filter("admin")))
    assert admin and set(slugs(browser.filter("-admin"))) == every - admin
    assert browser.filter("admin -admin") == []
    assert set(slugs(browser.filter("admin -locking"))) == admin - {"django-locking"}


def test_a_minus_negates_qualifiers_too(browser):
    stale = set(slugs(browser.filter("is:stale")))
    assert 0 < len(stale) < 75
    assert set(slugs(browser.filter("-is:stale"))) == set(slugs(browser.filter(""))) - stale
    with pytest.raises(FilterError, match="is:nonsense is not a filter"):
        parse_filter("-is:nonsense")
    assert parse_filter("-").words == ["-"]  # a lone minus is a word


def test_a_phrase_in_double_quotes_is_one_word(browser):
    # django-messages: "A Django application handling private messages between users."
    assert slugs(browser.filter('"private messages"')) == ["django-messages"]
    assert browser.filter('"messages private"') == []  # the words as written, in order
    assert "django-messages" in slugs(browser.filter("messages private"))  # words: any order
    assert slugs(browser.filter('"private messages" -"between users"')) == []
    assert slugs(browser.filter('description:"private messages"')) == ["django-messages"]
    assert slugs(browser.filter('"private mess')) == ["django-messages"]  # still being typed
    assert parse_filter('"Private  Messages" x"y ""').words == ["private messages", 'x"y']


def test_a_phrase_spans_a_line_break(tmp_path):
    """A phrase's space matches any run of white space: a description may break a line."""

    def prepare(catalog):
        description = "Handles private\n  messages between users."
        edits.edit_package(catalog, "django-messages", {"repo_description": description})

    path = filled_store(tmp_path / "store", prepare)
    with Catalog.open(path) as catalog:
        browser = Browser(catalog, NOW)
        for text in ('"private messages"', 'description:"private messages"'):
            assert slugs(browser.filter(text)) == ["django-messages"]
        assert browser.filter('"private-messages"') == []


def test_field_qualifiers_look_in_one_field(browser):
    # "admin" is in django-locking's description, not its title
    assert slugs(browser.filter("title:admin")) == ["django-admin-ip-restrictor"]
    assert "django-locking" in slugs(browser.filter("description:admin"))
    assert "django-locking" in slugs(browser.filter("desc:admin"))
    assert slugs(browser.filter("participant:jezdez")) == ["django-qbe"]
    assert slugs(browser.filter("by:jezdez")) == ["django-qbe"]
    assert "django-qbe" not in slugs(browser.filter("-participant:jezdez"))
    assert parse_filter("title:Admin -desc:x y").words == ["admin", "y"]


def test_relevance_puts_a_whole_word_in_the_name_first(browser):
    rows = browser.filter("rest", "relevance")
    assert slugs(rows)[:3] == [
        "django-rest-framework-last-modified",  # "rest" is a word of its name (0 watchers)
        "django-admin-ip-restrictor",  # a word of its name starts with it
        "djangorestframework-mvt",  # inside a word
    ]
    assert slugs(rows)[-1] == "drf-timeordered-pagination"  # only in its description
    scores = [relevance(r, ["rest"]) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_relevance_without_words_is_by_title_and_is_a_known_sort(browser):
    assert parse_sort("relevance") == ("relevance", False)
    titles = [r.view.record.title.casefold() for r in browser.filter("is:stale", "relevance")]
    assert titles == sorted(titles)


# --- export --------------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path):
    def prepare(catalog):
        edits.edit_package(
            catalog, "django-messages", {"title": "=HYPERLINK(1) | pipes", "tags": "a, b"}
        )

    path = filled_store(tmp_path / "store", prepare)
    with Catalog.open(path) as catalog:
        yield Browser(catalog, NOW)


def test_markdown_export_is_one_row_a_package_with_pipes_escaped(hostile):
    rows = hostile.filter("", "watchers", True)
    text = export.render(rows, "markdown", "5.2")
    lines = text.splitlines()
    assert len(lines) == len(rows) + 2
    assert lines[0].startswith("| slug | title |") and "django_5.2" in lines[0]
    messages = next(line for line in lines if "django-messages" in line)
    assert r"=HYPERLINK(1) \| pipes" in messages
    assert messages.count(" | ") == lines[0].count(" | ")  # the escaped pipe is no column


def test_csv_export_quotes_what_a_spreadsheet_would_run(hostile):
    rows = hostile.filter("title:pipes")
    table = list(csv.reader(io.StringIO(export.render(rows, "csv", "5.2"))))
    header, [row] = table[0], table[1:]
    record = dict(zip(header, row, strict=True))
    assert record["title"] == "'=HYPERLINK(1) | pipes"
    assert record["tags"] == "a, b"
    assert record["watchers"] == "554"


def test_json_export_keeps_numbers_and_dates(hostile):
    rows = hostile.filter("", "watchers", True)
    data = json.loads(export.render(rows, "json", "4.2"))
    assert [d["slug"] for d in data] == slugs(rows)
    first = data[0]
    assert first["watchers"] == 554 and first["title"] == "=HYPERLINK(1) | pipes"
    assert first["last_commit"].startswith("20") and first["django_4.2"] == "unknown"


def test_a_long_changes_section_says_how_many_were_left_out():
    from catalog.present.report import changes_report
    from projections.changes import Changes

    changes = Changes(from_seq=0, to_seq=500, new=list(range(1, 251)))
    _, [(section, lines)] = changes_report(changes, str, limit=100)
    assert section == "new" and len(lines) == 101
    assert lines[0] == "1" and lines[0].package == 1
    assert lines[-1] == "… and 150 more (djp changes --all lists them)"
    assert lines[-1].package is None
    _, [(_, every)] = changes_report(changes, str, limit=None)
    assert len(every) == 250
