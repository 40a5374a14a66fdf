"""``djp sync`` refreshes PyPI facts older than a day after the catalogue (loopback fake API
and fake PyPI); ``--no-pypi`` skips it; an unreachable PyPI is one line and a fast give-up."""

from __future__ import annotations

import json

import pytest

from eventstore import PypiObserved, Store
from tests.support.cli import run_djp
from tests.support.fakeapi import FakeApi, FakeApiServer
from tests.support.fakepypi import FakePypi, FakePypiServer, recorded


@pytest.fixture
def api():
    with FakeApiServer(FakeApi.recorded()) as running:
        yield running


@pytest.fixture
def pypi():
    # a variant: the recorded djangorestframework document served as django-knowledge's
    # (a package of the recorded catalogue); every other name answers 404
    document = recorded("djangorestframework")
    document["info"]["name"] = "django-knowledge"
    with FakePypiServer(FakePypi(documents={"django-knowledge": document})) as running:
        yield running


def pypi_events(store_path) -> list[PypiObserved]:
    with Store.open(store_path) as store:
        envelopes = store.read_all(1, store.last_seq)
        return [e.event for e in envelopes if isinstance(e.event, PypiObserved)]


@pytest.mark.slow
def test_a_sync_fetches_pypi_facts_older_than_a_day(api, pypi, store_path):
    args = ("--store", store_path, "sync", "--base-url", api.base_url, "--pypi-url")
    code, out, err = run_djp(*args, pypi.base_url)
    assert code == 0, err
    asked = len(pypi.pypi.requests)
    assert asked > 50  # every package of the catalogue with a PyPI name
    assert f"PyPI: {asked:,} projects asked, {asked:,} answered" in out
    assert f"{asked - 1:,} not on PyPI, {asked:,} events appended" in out
    events = pypi_events(store_path)
    assert len(events) == asked  # facts for one, "not on PyPI" for the rest
    assert [e.name for e in events if e.state == "ok"] == ["django-knowledge"]
    code, out, _ = run_djp("--store", store_path, "show", "django-knowledge", "--json")
    assert json.loads(out)["pypi"]["latest"] == "3.13.1"

    code, out, _ = run_djp(*args, pypi.base_url)  # again, within the day: PyPI not asked
    assert code == 0 and len(pypi.pypi.requests) == asked and "PyPI" not in out
    code, out, _ = run_djp(*args, pypi.base_url, "--pypi-only")  # now, whatever the age
    assert code == 0 and len(pypi.pypi.requests) == 2 * asked
    assert "1 unchanged (304)" in out and len(pypi_events(store_path)) == asked


def test_no_pypi_skips_it(api, pypi, store_path):
    code, out, _ = run_djp(
        "--store", store_path, "sync", "--base-url", api.base_url, "--no-pypi",
        "--pypi-url", pypi.base_url,
    )  # fmt: skip
    assert code == 0 and pypi.pypi.requests == [] and "PyPI" not in out


@pytest.mark.slow
def test_an_unreachable_pypi_is_one_line_and_the_catalogue_sync_stands(api, store_path):
    # DJP_PYPI_URL points at a loopback port where nothing listens (tests/conftest.py)
    code, out, err = run_djp("--store", store_path, "sync", "--base-url", api.base_url)
    assert code == 0
    assert out.startswith("complete:")
    [line] = err.splitlines()
    assert line.startswith("PyPI unreachable, ") and "projects not refreshed" in line
    assert "failed after 2 attempts: connection failed" in line
    assert pypi_events(store_path) == []
    code, _, err = run_djp("--store", store_path, "sync", "--pypi-only")
    assert code == 1 and err.startswith("PyPI unreachable")
