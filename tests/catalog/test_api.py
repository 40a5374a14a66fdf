"""Decoding and normalizing real API records (unit tests, no network)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from catalog.api import RecordError, decode_record, id_from_url, pypi_name, raw_id
from eventstore import Category, Grid, Package
from tests.support.fakeapi import recorded_bodies


@pytest.mark.parametrize(
    "name,resource", [("packages", "package"), ("grids", "grid"), ("categories", "category")]
)
def test_every_recorded_record_decodes(name, resource):
    bodies = recorded_bodies(name)
    assert bodies
    for body in bodies:
        record = decode_record(resource, json.dumps(body).encode())
        assert record.id == body["id"]
        assert record.title == body["title"]  # text kept exactly as sent


def test_package_references_become_ids_even_with_format_api():
    body = next(b for b in recorded_bodies("packages") if "?format=api" in (b["category"] or ""))
    record = decode_record("package", json.dumps(body).encode())
    assert isinstance(record, Package)
    assert record.category == int(body["category"].split("/")[-2])
    assert record.grids == [int(u.split("/")[-2]) for u in body["grids"]]


def test_naive_datetimes_are_new_york_time_and_offsets_are_kept():
    [category] = recorded_bodies("categories")
    record = decode_record("category", json.dumps(category).encode())
    assert isinstance(record, Category)
    assert record.created.utcoffset().total_seconds() == -4 * 3600  # 2010-08-14 was EDT
    body = recorded_bodies("packages")[0]
    package = decode_record("package", json.dumps(body).encode())
    assert package.last_updated == datetime.fromisoformat(body["last_updated"])


def test_grid_packages_are_ids():
    [grid] = recorded_bodies("grids")
    record = decode_record("grid", json.dumps(grid).encode())
    assert isinstance(record, Grid)
    assert record.packages == [5810, 976, 3142, 5811, 5754, 2225]


def test_nulls_empty_strings_and_empty_lists_are_accepted():
    body = dict(recorded_bodies("packages")[0])
    body.update(
        documentation_url=None,
        pypi_version=None,
        last_updated=None,
        pypi_url="",
        repo_url="",
        commits_over_52=[],
        participants=[],
        grids=[],
        repo_description='  spaced\r\nline :tada: "quoted"  ',
    )
    record = decode_record("package", json.dumps(body).encode())
    assert record.documentation_url is None and record.pypi_version is None
    assert record.commits_over_52 == [] and record.participants == []
    assert record.repo_description == '  spaced\r\nline :tada: "quoted"  '


def test_commits_of_any_length():
    body = dict(recorded_bodies("packages")[0], commits_over_52=[1, 2, 3])
    assert decode_record("package", json.dumps(body).encode()).commits_over_52 == [1, 2, 3]


@pytest.mark.parametrize(
    "field,value",
    [
        ("repo_watchers", "many"),
        ("repo_watchers", 1.5),
        ("title", None),
        ("grids", "x"),
        ("commits_over_52", ["a"]),
        ("last_updated", "yesterday"),
        ("id", "12"),
    ],
)
def test_wrong_types_are_refused(field, value):
    body = dict(recorded_bodies("packages")[0], **{field: value})
    with pytest.raises(RecordError, match=field if field != "id" else "id"):
        decode_record("package", json.dumps(body).encode())


def test_reference_without_id_is_refused():
    body = dict(recorded_bodies("packages")[0], category="https://djangopackages.org/x/")
    with pytest.raises(RecordError, match="names no id"):
        decode_record("package", json.dumps(body).encode())


def test_raw_id_of_a_bad_record():
    assert raw_id(b'{"id": 7, "title": 3}') == 7
    assert raw_id(b'{"title": 3}') is None
    assert raw_id(b"not json") is None


def test_id_from_url_and_pypi_name():
    assert id_from_url("https://djangopackages.org/api/v4/grids/71/?format=api") == 71
    assert id_from_url("https://djangopackages.org/api/v4/grids/71") == 71
    assert pypi_name("django-redis") == "django-redis"
    assert pypi_name("http://pypi.python.org/pypi/django-address-model") == "django-address-model"
    assert pypi_name("https://pypi.org/project/django-ninja/") == "django-ninja"
    assert pypi_name("") == "" and pypi_name(None) == ""
