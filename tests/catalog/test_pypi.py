"""PyPI facts over a loopback fake PyPI serving recorded responses and variants of them.

The catalogue is the shipped snapshot with four packages pointed at the recorded PyPI
projects (their ``pypi_url`` changed here, for the test) and one at a name PyPI lacks.
"""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from catalog.catalog import Catalog
from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets
from catalog.pypi.verdicts import default_django
from catalog.read.history import target_history
from catalog.read.settings import Settings
from catalog.upstream.sync import load_snapshot
from eventstore import FieldChange, PypiObserved
from projections.history import history_by_full_diff
from projections.targets import Target
from tests.support.builders import point_at_pypi
from tests.support.cli import run_djp
from tests.support.fakepypi import FakePypi, FakePypiServer, recorded

POINTED = {
    4404: "djangorestframework",
    359: "django-crispy-forms",
    4321: "nango",
    422: "django-minify-html",
    399: "django-fett",  # PyPI answers 404
}


@pytest.fixture
def catalog(store_path):
    with Catalog.open(store_path) as opened:
        load_snapshot(opened)
        point_at_pypi(opened, POINTED)
        yield opened


@pytest.fixture
def pypi():
    served = FakePypi(documents={n: recorded(n) for n in POINTED.values() if n != "django-fett"})
    with FakePypiServer(served) as server:
        yield server


def config(server, **kwargs) -> PypiConfig:
    return PypiConfig(base_url=server.base_url, backoff_seconds=0.01, **kwargs)


def targets(catalog) -> dict[Target, str]:
    return {t: n for t, n in pypi_targets(catalog).items() if t.id in POINTED}


def pypi_events(catalog) -> list[PypiObserved]:
    return [e.event for e in catalog.events() if isinstance(e.event, PypiObserved)]


async def test_first_fetch_records_facts_and_not_on_pypi(catalog, pypi):
    report = await fetch_pypi(catalog, targets(catalog), config(pypi))
    assert (report.fetched, report.missing, report.changed, report.errors) == (5, 1, 5, [])
    by_name = {e.name: e for e in pypi_events(catalog)}
    assert by_name["django-fett"].state == "missing" and by_name["django-fett"].facts is None
    drf = by_name["djangorestframework"].facts
    assert drf.latest == "3.13.1" and drf.requires_python == ">=3.6"
    assert "Framework :: Django :: 4.0" in drf.classifiers
    stored = catalog.tables().pypi[b"package:4404"].observed
    assert stored == by_name["djangorestframework"]


async def test_a_refetch_where_nothing_changed_is_all_304_and_appends_nothing(catalog, pypi):
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    before = catalog.last_seq
    pypi.pypi.requests.clear()
    report = await fetch_pypi(catalog, targets(catalog), config(pypi))
    assert report.not_modified == 4 and report.changed == 0
    assert catalog.last_seq == before
    assert all(etag for path, etag in pypi.pypi.requests if "django-fett" not in path)


async def test_a_changed_project_is_one_event(catalog, pypi):
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    variant = copy.deepcopy(recorded("djangorestframework"))  # a variant: PEP 639, yanked
    variant["info"].update(license_expression="BSD-3-Clause", yanked=True, yanked_reason="oops")
    pypi.pypi.documents["djangorestframework"] = variant
    report = await fetch_pypi(catalog, targets(catalog), config(pypi))
    assert report.changed == 1
    facts = pypi_events(catalog)[-1].facts
    assert facts.license_expression == "BSD-3-Clause" and facts.yanked


async def test_advisories_are_grouped_by_alias_and_withdrawn_ones_dropped(catalog, pypi):
    variant = copy.deepcopy(recorded("django-crispy-forms"))  # a variant with advisories
    variant["vulnerabilities"] = [
        {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1", "GHSA-aaaa"], "fixed_in": ["1.14.1"]},
        {"id": "GHSA-aaaa", "aliases": ["CVE-2099-1", "PYSEC-2099-1"], "fixed_in": ["1.14.1"]},
        {"id": "PYSEC-2099-2", "aliases": [], "withdrawn": "2099-01-01T00:00:00Z"},
    ]
    pypi.pypi.documents["django-crispy-forms"] = variant
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    [advisory] = catalog.tables().pypi[b"package:359"].observed.facts.vulnerabilities
    assert advisory.id == "PYSEC-2099-1" and advisory.fixed_in == ["1.14.1"]


async def test_errors_are_reported_per_package_and_the_rest_lands(catalog, pypi):
    pypi.pypi.faults = {"nango": ["malformed"], "django-minify-html": ["huge"]}
    report = await fetch_pypi(catalog, targets(catalog), config(pypi, max_response_bytes=2**20))
    assert report.changed == 3 and len(report.errors) == 2
    assert any("nango" in e and "not a PyPI document" in e for e in report.errors)
    assert any("more than 1 MB" in e for e in report.errors)


async def test_a_503_is_retried(catalog, pypi):
    pypi.pypi.faults = {"djangorestframework": ["503"]}
    report = await fetch_pypi(catalog, targets(catalog), config(pypi))
    assert report.errors == [] and report.changed == 5


def test_the_command_line_fetches_shows_and_judges(catalog, pypi, store_path):
    catalog.close()
    code, out, err = run_djp(
        "--store", store_path, "sync", "--pypi-only", "--pypi-url", pypi.base_url
    )
    assert code == 0, err
    assert "events appended" in out
    code, out, _ = run_djp("--store", store_path, "show", "4404", "--json")
    data = json.loads(out)["pypi"]
    assert data["name"] == "djangorestframework" and data["state"] == "ok"
    assert data["latest"] == "3.13.1" and data["license"] == "BSD"
    assert data["django"]["4.0"] == "yes" and data["django"]["5.2"] == "undeclared"
    assert (
        json.loads(run_djp("--store", store_path, "show", "399", "--json")[1])["pypi"]["state"]
        == "missing"
    )
    code, out, _ = run_djp(
        "--store", store_path, "readiness", "--django", "3.1", "--json", "--python", "3.11"
    )
    lines = {row["slug"]: row for row in map(json.loads, out.splitlines())}
    drf = lines["django-address-model"]  # pointed at djangorestframework
    assert (drf["verdict"], drf["evidence"]) == ("yes", "classifier Framework :: Django :: 3.1")
    assert drf["python"]["verdict"] == "undeclared"  # declares 3.6-3.10; nothing excludes 3.11
    crispy = lines["django-messages"]  # pointed at django-crispy-forms
    assert crispy["verdict"] == "undeclared"  # declares 2.2, 3.2, 4.0
    code, _, err = run_djp("--store", store_path, "readiness", "--django", "9.9")
    assert code == 1 and "not a feature release" in err
    # without --django: the app's choice, else the newest supported LTS, said on stderr
    code, out, err = run_djp("--store", store_path, "readiness")
    newest_lts = default_django(date.today())
    assert code == 0 and err.startswith(f"Django {newest_lts} (the newest supported LTS): ")
    assert err.rstrip().endswith(" undeclared, 71 unknown, 1 n/a of 75 packages")
    slugs = [line.split()[0] for line in out.splitlines()]
    assert len(slugs) == 75 and slugs == sorted(slugs, key=str.casefold)  # by slug, as shown
    with Catalog.open(store_path) as reopened:
        Settings(reopened).set("django", "3.1")
    _, _, err = run_djp("--store", store_path, "readiness")
    assert err.startswith("Django 3.1 (chosen in the app): ")


async def test_pypi_changes_are_in_the_package_history(catalog, pypi, store_path):
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    variant = copy.deepcopy(recorded("djangorestframework"))  # a variant: PEP 639, yanked
    variant["info"].update(license_expression="BSD-3-Clause", yanked=True)
    pypi.pypi.documents["djangorestframework"] = variant
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    _, items = target_history(catalog, "4404")
    first, second = [i for i in items if i.kind == "PyPI"]
    assert first.changes["pypi.latest"] == FieldChange(before=None, after="3.13.1")
    assert second.changes == {
        "pypi.license": FieldChange(before="BSD", after="BSD-3-Clause"),
        "pypi.yanked": FieldChange(before=False, after=True),
    }
    stream = catalog.stream(Target.package(4404))
    assert [i.changes for i in items] == history_by_full_diff(Target.package(4404), stream)
    catalog.close()
    _, out, _ = run_djp("--store", store_path, "history", "4404")
    assert "licence: BSD → BSD-3-Clause" in out  # in words; --json keeps pypi.license


def test_history_values_in_words():
    from catalog.present.events import field_words, value_words

    assert (field_words("pypi.state"), value_words("pypi.state", None)) == ("on PyPI", "—")
    assert value_words("pypi.state", "missing") == "no: PyPI has no such project"
    assert value_words("pypi.yanked", False) == "no"
    assert (
        value_words("release.django", ["Framework :: Django", "Framework :: Django :: 5.2"])
        == "5.2"
    )
    assert value_words("commits_over_52", [1, 2, 3]) == "6 commits"
    assert (
        field_words("repo_watchers") == "watchers" and value_words("repo_watchers", 1200) == "1,200"
    )
