"""What djp derives from PyPI facts and where it shows: filters, sorts, columns, health rules,
the changes report's words, time travel over a PyPI change, and an interrupted fetch.

Over the loopback fake PyPI serving the recorded responses (``tests/support/fixtures/pypi``)
and variants built here from them; each variant says what it changed.
"""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from catalog.present.details import COLUMNS, cell_text
from catalog.present.pypi import readiness_spans
from catalog.present.report import changes_report, pypi_change_words
from catalog.pypi.cache import stale_targets
from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets
from catalog.pypi.readiness import Digest, health
from catalog.read.browse import Browser
from catalog.read.changes import what_changed
from catalog.read.filters import FilterError, filter_rows
from catalog.read.rows import RowIndex, sort_rows
from catalog.upstream.sync import load_snapshot
from eventstore import PypiFacts, PypiObserved
from tests.support.builders import point_at_pypi, sync_records
from tests.support.fakepypi import FakePypi, FakePypiServer, recorded

# package id in the shipped snapshot -> the recorded PyPI project its pypi_url points at here
POINTED = {
    4404: "djangorestframework",  # BSD, Django 2.2-4.0, released 2021-12-15
    359: "django-crispy-forms",  # MIT, Django 2.2, 3.2, 4.0
    4321: "nango",  # MIT by classifier, no Django classifiers
    422: "django-minify-html",  # MIT, Django 2.2-4.0
    399: "django-fett",  # PyPI answers 404
}
NOW = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.fixture
def catalog(store_path):
    from catalog.catalog import Catalog

    with Catalog.open(store_path) as opened:
        load_snapshot(opened)
        point_at_pypi(opened, POINTED)
        yield opened


def variants() -> dict[str, dict]:
    """The recorded documents, and variants of them for the cases they lack."""
    docs = {n: recorded(n) for n in POINTED.values() if n != "django-fett"}
    # variant: crispy forms with two advisories (one alias group) on its latest release
    docs["django-crispy-forms"]["vulnerabilities"] = [
        {"id": "PYSEC-2099-1", "aliases": ["GHSA-aaaa"], "fixed_in": ["1.14.1"]},
        {"id": "GHSA-aaaa", "aliases": ["PYSEC-2099-1"], "fixed_in": ["1.14.1"]},
        {"id": "GHSA-bbbb", "aliases": [], "fixed_in": []},
    ]
    # variant: minify-html marked Inactive, its latest release yanked, released last month
    info = docs["django-minify-html"]["info"]
    info["classifiers"] = [
        c.replace("5 - Production/Stable", "7 - Inactive") for c in info["classifiers"]
    ]
    info.update(yanked=True, yanked_reason="broken wheel")
    for f in docs["django-minify-html"]["urls"]:
        f["upload_time_iso_8601"] = "2026-10-30T10:00:00.000000Z"
    # variant: nango with a PEP 639 licence expression
    docs["nango"]["info"]["license_expression"] = "MIT OR Apache-2.0"
    return docs


@pytest.fixture
def pypi():
    with FakePypiServer(FakePypi(documents=variants())) as server:
        yield server


def config(server, **kwargs) -> PypiConfig:
    return PypiConfig(base_url=server.base_url, backoff_seconds=0.01, **kwargs)


def targets(catalog):
    return {t: n for t, n in pypi_targets(catalog).items() if t.id in POINTED}


def ids(rows) -> set[int]:
    return {r.view.record.id for r in rows}


async def test_filters_select_by_what_pypi_says(catalog, pypi):
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    index = RowIndex(catalog.tables(), NOW)
    assert ids(filter_rows(index, "django:4.0")) == {4404, 359, 422}
    # declared up to 4.0 and nothing excludes 5.2: undeclared, not no
    assert ids(filter_rows(index, "django:5.2:undeclared")) == {4404, 359, 422}
    assert ids(filter_rows(index, "django:5.2:no")) == set()
    assert ids(filter_rows(index, "django:3.1:undeclared")) >= {359}
    assert 4404 not in ids(filter_rows(index, "django:3.1:undeclared"))
    assert ids(filter_rows(index, "django:3.1:n/a")) >= {4321}  # names Django nowhere
    # Python classifiers end at 3.10 (3.9 for crispy forms) and nothing excludes 3.13
    assert ids(filter_rows(index, "py:3.13:undeclared")) == {4404, 359, 422}
    assert ids(filter_rows(index, "py:3.13:no")) == set()
    assert ids(filter_rows(index, "py:3.8")) == {4404, 359, 422}
    assert ids(filter_rows(index, "license:MIT")) == {359, 4321, 422}  # nango: MIT OR Apache
    assert ids(filter_rows(index, "license:apache")) == {4321}
    assert ids(filter_rows(index, "license:BSD")) == {4404}
    assert ids(filter_rows(index, "is:vulnerable")) == {359}
    assert ids(filter_rows(index, "is:yanked")) == {422}
    assert ids(filter_rows(index, "is:inactive")) == {422}
    assert ids(filter_rows(index, "is:unreleased")) == {4404, 359, 4321}  # not 422 (last month)
    not_on_pypi = ids(filter_rows(index, "is:not-on-pypi"))
    assert 399 in not_on_pypi and not not_on_pypi & {4404, 359, 4321, 422}
    assert ids(filter_rows(index, "django:4.0 license:MIT is:inactive")) == {422}
    for bad in ("django:five", "django:5.2:maybe", "py:3"):
        with pytest.raises(FilterError, match="is not a filter"):
            filter_rows(index, bad)


async def test_columns_and_sorts(catalog, pypi):
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    index = RowIndex(catalog.tables(), NOW)
    rows = {r.view.record.id: r for r in index.rows.values()}
    cell = lambda key, ident: cell_text(COLUMNS[key], rows[ident], NOW, "4.0")  # noqa: E731
    assert (cell("license", 4404), cell("released", 4404)) == ("BSD", "4 yr ago")
    assert (cell("django", 4404), cell("django", 4321), cell("django", 399)) == (
        "✓ yes",
        "n/a",  # names Django nowhere
        "unknown",  # not on PyPI
    )
    assert cell("released", 399) == "no PyPI" and cell("license", 4321) == "MIT OR Apache-2.0"
    pointed = [r for r in index.rows.values() if r.view.record.id in POINTED]
    newest = sort_rows(pointed, "released", descending=True)
    assert newest[0].view.record.id == 422  # released last month
    ready = sort_rows(pointed, "django", descending=True, django="4.0")
    assert {r.view.record.id for r in ready[:3]} == {4404, 359, 422}
    assert [r.pypi.license for r in sort_rows(pointed, "license")][-1] == "MIT OR Apache-2.0"


def test_health_rules_each_with_evidence():
    facts = msgspec.convert(
        {
            "name": "x",
            "latest": "2.0",
            "released": "2026-09-01T00:00:00Z",
            "classifiers": ["Framework :: Django :: 5.2", "Development Status :: 7 - Inactive"],
            "yanked": True,
            "yanked_reason": "bad",
            "vulnerabilities": [{"id": "GHSA-1"}],
        },
        PypiFacts,
    )
    rules = health(NOW - timedelta(days=400), Digest("x", "ok", facts, NOW), NOW)
    assert [(r.name, r.ok, r.evidence) for r in rules] == [
        ("commit within a year", False, "last commit 2025-10-24"),
        ("release within a year", True, "2.0 released 2026-09-01"),
        ("supports a supported Django", True, "ready for 5.2"),
        ("latest release not yanked", False, "2.0 yanked: bad"),
        ("no open advisory", False, "1 for 2.0: GHSA-1"),
        ("not Inactive", False, "Development Status :: 7 - Inactive"),
    ]
    missing = health(None, Digest("x", "missing", None, NOW), NOW)
    assert [(r.name, r.ok) for r in missing] == [
        ("commit within a year", None),
        ("on PyPI", False),
    ]
    assert health(None, None, NOW)[-1].evidence == "PyPI not fetched yet"
    old = msgspec.structs.replace(facts, classifiers=["Framework :: Django :: 3.2"])
    rule = health(None, Digest("x", "ok", old, NOW), NOW)[2]
    assert (rule.ok, rule.evidence) == (None, "none of 5.2, 6.0, 6.1 declared")
    excluded = msgspec.structs.replace(facts, classifiers=[], requires_dist=["django<4"])
    rule = health(None, Digest("x", "ok", excluded, NOW), NOW)[2]
    assert (rule.ok, rule.evidence) == (False, "not ready for any of 5.2, 6.0, 6.1")


async def test_the_changes_report_words_what_pypi_changed(catalog, pypi):
    seen = [catalog.projection.entry("package", 4404).record]
    sync_records(catalog, "package", seen, complete=False)  # a sync, then its PyPI fetch
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    first = what_changed(catalog)
    assert first.pypi == [] and first.pypi_first == 5  # first facts are counted, not listed
    docs = pypi.pypi.documents
    drf = docs["djangorestframework"]  # variant: a new release, PEP 639, 4.0 dropped, yanked
    drf["info"].update(version="3.15.0", license_expression="BSD-3-Clause", yanked=True)
    drf["info"]["classifiers"].remove("Framework :: Django :: 4.0")
    docs["django-crispy-forms"]["vulnerabilities"].append({"id": "GHSA-cccc"})  # variant
    sync_records(catalog, "package", seen, complete=False)
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    changes = what_changed(catalog)
    names = {4404: "drf", 359: "crispy"}
    _, sections = changes_report(changes, lambda i: names.get(i, str(i)))
    assert dict(sections)["PyPI"] == [
        "crispy: 1 new advisory",
        "drf: new release 3.15.0; licence BSD -> BSD-3-Clause; dropped Django 4.0; "
        "latest release yanked",
    ]


def test_change_words_for_each_kind():
    from eventstore import FieldChange as C

    assert pypi_change_words({"pypi.state": C(before="ok", after="missing")}) == "gone from PyPI"
    words = pypi_change_words(
        {
            "pypi.django": C(
                before=["Framework :: Django :: 4.1"], after=["Framework :: Django :: 5.2"]
            ),
            "pypi.advisories": C(before=["A"], after=["A", "B", "C"]),
        }
    )
    assert words == "added Django 5.2; dropped Django 4.1; 2 new advisories"


async def test_time_travel_shows_pypi_facts_as_they_were(catalog, pypi):
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    before = catalog.last_seq
    variant = copy.deepcopy(pypi.pypi.documents["djangorestframework"])  # a PEP 639 variant
    variant["info"]["license_expression"] = "BSD-3-Clause"
    pypi.pypi.documents["djangorestframework"] = variant
    await fetch_pypi(catalog, targets(catalog), config(pypi))
    browser = Browser(catalog, NOW)
    assert browser.package("package:4404") is not None
    assert browser.rows["package:4404"].pypi.license == "BSD-3-Clause"
    browser.travel(before)
    assert browser.rows["package:4404"].pypi.license == "BSD"
    assert ids(browser.filter("license:BSD-3-Clause")) == set()
    browser.step(1)  # forward to the present: the new licence again
    assert browser.present and browser.rows["package:4404"].pypi.license == "BSD-3-Clause"
    browser.travel(before - 5)  # before the first facts of the last packages fetched
    assert sum(1 for i in POINTED if browser.rows[f"package:{i}"].pypi is None) > 0


@pytest.mark.slow
async def test_stopping_mid_fetch_keeps_every_package_done(catalog, pypi):
    pypi.pypi.delay = 0.05
    wanted = targets(catalog)
    task = None
    done = []

    def progress(finished: int, total: int) -> None:
        done.append(finished)
        if finished == 2:
            task.cancel()  # what Ctrl-C does to asyncio.run's main task

    task = asyncio.ensure_future(
        fetch_pypi(catalog, wanted, config(pypi, concurrency=1), progress=progress)
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    kept = [e.event for e in catalog.events() if isinstance(e.event, PypiObserved)]
    assert 2 <= len(kept) < len(wanted)
    assert catalog.store.verify().ok
    rest = stale_targets(catalog, wanted, datetime.now(UTC))
    assert len(rest) == len(wanted) - len(kept)  # only what was not done is asked again
    report = await fetch_pypi(catalog, rest, config(pypi))
    assert report.changed == len(rest)
    assert stale_targets(catalog, wanted, datetime.now(UTC)) == {}


def test_readiness_spans_join_releases_judged_for_one_reason():
    # variant of django-node-assets' facts (PyPI, 0.9.15): classifiers 4.2, 5.2, 6.0
    facts = PypiFacts(
        name="x",
        classifiers=[f"Framework :: Django :: {v}" for v in ("4.2", "5.2", "6.0")],
    )
    spans = readiness_spans(Digest("x", "ok", facts, NOW))
    assert [(label, v.verdict, v.evidence) for label, v in spans] == [
        ("2.2-4.1", "undeclared", "declares 4.2, 5.2, 6.0; no Django requirement"),
        ("4.2", "yes", "classifier Framework :: Django :: 4.2"),
        ("5.0-5.1", "undeclared", "declares 4.2, 5.2, 6.0; no Django requirement"),
        ("5.2", "yes", "classifier Framework :: Django :: 5.2"),
        ("6.0", "yes", "classifier Framework :: Django :: 6.0"),
        ("6.1", "undeclared", "declares 4.2, 5.2, 6.0; no Django requirement"),
    ]
    # a release alone keeps its whole evidence
    one = PypiFacts(
        name="x", classifiers=["Framework :: Django :: 3.0", "Framework :: Django :: 3.2"]
    )
    assert ("3.1", "undeclared", "declares 3.0, 3.2; no Django requirement") in [
        (label, v.verdict, v.evidence) for label, v in readiness_spans(Digest("x", "ok", one, NOW))
    ]


async def test_the_comparison_ranks_the_five_verdicts(catalog, pypi):
    from catalog.present.compare import compare

    await fetch_pypi(catalog, targets(catalog), config(pypi))
    index = RowIndex(catalog.tables(), NOW)
    # django-address-model (DRF: declares up to 4.0, requires >=2.2): undeclared for 5.2;
    # nango: n/a; django-fett: not on PyPI (unknown)
    rows = [index.rows[f"package:{i}"] for i in (4321, 4404, 399)]
    table = compare(rows, {}, NOW, "5.2")
    django = next(a for a in table.attributes if a.label == "Django 5.2")
    assert django.values == ["n/a", "undeclared", "unknown"]
    assert django.best == {1}  # undeclared (allowed, not yet said) beats n/a


async def test_one_version_per_row_pypis_latest_where_its_facts_exist(catalog, pypi):
    from catalog.present.details import package_details

    await fetch_pypi(catalog, targets(catalog), config(pypi))
    index = RowIndex(catalog.tables(), NOW)
    drf = index.rows["package:4404"]  # the catalogue says 1.0.4; PyPI's latest is 3.13.1
    assert drf.view.record.pypi_version == "1.0.4"
    assert cell_text(COLUMNS["version"], drf, NOW) == "3.13.1"
    unasked = next(r for r in index.rows.values() if r.pypi is None and r.view.record.pypi_version)
    assert cell_text(COLUMNS["version"], unasked, NOW) == unasked.view.record.pypi_version
    rows = {d.label: d.value for d in package_details(drf.view, {}, {}, NOW, "3.13.1")}
    assert rows["pypi"] == "djangorestframework 3.13.1 (the catalogue says 1.0.4)"
    rows = {d.label: d.value for d in package_details(drf.view, {}, {}, NOW)}
    assert rows["pypi"] == "djangorestframework 1.0.4"  # no PyPI facts: the catalogue's


async def test_the_advisories_column_says_why_is_vulnerable_matches(catalog, pypi):
    from cli.browse import read_columns

    await fetch_pypi(catalog, targets(catalog), config(pypi))
    index = RowIndex(catalog.tables(), NOW)
    assert cell_text(COLUMNS["advisories"], index.rows["package:359"], NOW) == "2"
    assert cell_text(COLUMNS["advisories"], index.rows["package:422"], NOW) == "none, yanked"
    assert read_columns("is:vulnerable admin", None) == {"advisories"}
    assert read_columns("license:MIT", "-released") == {"license", "released"}
