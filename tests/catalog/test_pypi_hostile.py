"""Hostile PyPI answers, over a loopback fake PyPI: none poisons the store, hangs a sync or
exhausts memory, and every other package's facts are kept.

The documents are VARIANTS of the recorded djangorestframework response (``fixtures/pypi``),
changed here for each case: upload times without an offset or past year 9999, a body of
``null``, bodies encoded twice, a body sent a byte at a time, a 429 asking for days.
"""

from __future__ import annotations

import copy
import tracemalloc
from datetime import UTC

import pytest

from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets
from eventstore import PypiFacts, PypiObserved
from projections.targets import Target
from tests.support.builders import pointed_catalog
from tests.support.cli import run_djp
from tests.support.fakepypi import FakePypi, FakePypiServer, recorded

POINTED = {4404: "djangorestframework", 359: "django-crispy-forms", 4321: "nango"}


@pytest.fixture
def catalog(store_path):
    with pointed_catalog(store_path, POINTED) as opened:
        yield opened


def serve(**variants) -> FakePypi:
    documents = {n: recorded(n) for n in POINTED.values()}
    documents.update(variants)
    return FakePypi(documents=documents)


def config(server, **kwargs) -> PypiConfig:
    return PypiConfig(base_url=server.base_url, backoff_seconds=0.01, **kwargs)


def targets(catalog) -> dict[Target, str]:
    return {t: n for t, n in pypi_targets(catalog).items() if t.id in POINTED}


def drf_with_times(*times: str) -> dict:
    """A VARIANT of the recorded djangorestframework document whose latest files carry
    ``times`` as their upload times."""
    document = copy.deepcopy(recorded("djangorestframework"))
    for f, when in zip(document["urls"], times, strict=False):
        f["upload_time_iso_8601"] = when
    latest = document["info"]["version"]
    for f, when in zip(document["releases"][latest], times, strict=False):
        f["upload_time_iso_8601"] = when
    return document


def every_command_opens(store_path) -> None:
    for argv in (["packages"], ["show", "4404"], ["readiness"], ["verify"]):
        code, _, err = run_djp("--store", store_path, *argv)
        assert code == 0, (argv, err)


async def test_upload_times_without_an_offset_are_utc_and_poison_nothing(catalog, pypi_mixed):
    report = await fetch_pypi(catalog, targets(catalog), config(pypi_mixed))
    assert report.errors == [] and report.fetched == 3
    facts = catalog.tables().pypi[b"package:4404"].observed.facts
    assert facts.released.tzinfo is not None
    assert facts.released.isoformat() == "2021-12-15T15:18:42+00:00"  # the naive one, as UTC
    catalog.close()
    every_command_opens(catalog.store.path)


@pytest.fixture
def pypi_mixed():
    # one file without an offset, one with: a mix crashed the sync (naive vs aware)
    document = drf_with_times("2021-12-15T15:18:42", "2021-12-16T10:00:00Z")
    with FakePypiServer(serve(djangorestframework=document)) as server:
        yield server


async def test_a_store_holding_naive_times_from_an_older_djp_still_opens(catalog):
    """Facts recorded before djp checked offsets: every command reads them as UTC."""
    from datetime import datetime

    facts = PypiFacts(
        name="djangorestframework",
        latest="3.13.1",
        released=datetime(2021, 12, 15, 15, 18),  # naive, as such a store holds it
        releases={"3.13.1": datetime(2021, 12, 15, 15, 18), "3.13.0": datetime(2021, 12, 13)},
    )
    catalog.store.append(
        "package:4404",
        [PypiObserved(target="package:4404", name="djangorestframework", state="ok", facts=facts)],
    )
    path = catalog.store.path
    catalog.close()
    every_command_opens(path)


async def test_an_upload_time_utc_cannot_hold_is_left_out(catalog):
    document = drf_with_times("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00")
    with FakePypiServer(serve(djangorestframework=document)) as server:
        report = await fetch_pypi(catalog, targets(catalog), config(server))
    assert report.errors == [] and report.fetched == 3
    facts = catalog.tables().pypi[b"package:4404"].observed.facts
    assert facts.released is None or facts.released.year < 9999
    assert all(when.tzinfo is UTC for when in facts.releases.values())
    path = catalog.store.path
    catalog.close()
    every_command_opens(path)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("null", "is not a PyPI document (a JSON null)"),
        ("gzip2", "Content-Encoding 'gzip, gzip'"),
        ("bomb", "sent more than 1 MB; stopped reading"),
    ],
)
async def test_a_malformed_answer_is_an_error_for_its_package_alone(catalog, fault, words):
    served = serve()
    served.faults["djangorestframework"] = [fault] * 5
    served.size = 100 * 2**20  # 100 MB once decoded
    served.compressed(fault)  # built before memory is traced: the server's, not djp's
    with FakePypiServer(served) as server:
        tracemalloc.start()
        report = await fetch_pypi(
            catalog, targets(catalog), config(server, max_response_bytes=2**20)
        )
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    [error] = report.errors
    assert error.startswith("djangorestframework: ") and words in error and "\n" not in error
    assert report.missing == 0  # a null is not "not on PyPI"
    assert peak < 16 * 2**20  # never decoded past the cap (the server's body is not traced)
    stored = catalog.tables().pypi
    assert b"package:4404" not in stored  # nothing recorded for it
    assert {b"package:359", b"package:4321"} <= set(stored)  # the others' facts are kept


async def test_a_drip_fed_answer_ends_at_the_request_deadline(catalog):
    served = serve()
    served.faults["djangorestframework"] = ["drip"] * 5
    with FakePypiServer(served) as server:
        report = await fetch_pypi(
            catalog, targets(catalog), config(server, request_deadline=0.5, max_attempts=1)
        )
    [error] = report.errors
    assert "no whole answer within 0.5 s" in error
    assert report.fetched == 2


async def test_the_whole_fetch_ends_at_its_deadline_and_says_what_it_left(catalog):
    served = serve()
    served.faults = {name: ["drip"] * 5 for name in POINTED.values()}
    with FakePypiServer(served) as server:
        report = await fetch_pypi(
            catalog, targets(catalog), config(server, request_deadline=30, deadline=1)
        )
    assert report.stopped == "stopped after 1 s (DJP_SYNC_DEADLINE sets the limit)"
    assert report.skipped == 3 and report.failed
    assert "3 not asked (try again later)" in report.summary(3)


def test_djp_sync_deadline_stops_the_pypi_phase_of_the_command_line(store_path, monkeypatch):
    with pointed_catalog(store_path, POINTED):
        pass
    served = serve()
    served.faults = {name: ["drip"] * 5 for name in POINTED.values()}
    monkeypatch.setenv("DJP_SYNC_DEADLINE", "1")
    with FakePypiServer(served) as server:
        code, _, err = run_djp(
            "--store", store_path, "sync", "--pypi-only", "--pypi-url", server.base_url
        )
    assert code == 1
    assert "stopped after 1 s (DJP_SYNC_DEADLINE sets the limit)" in err


async def test_a_429_asking_for_days_stops_every_request_not_just_its_own(catalog):
    names = pypi_targets(catalog)  # every package of the snapshot with a PyPI name
    assert len(names) > 60
    served = serve()
    second = list(names.values())[1]  # the first is asked alone, as a probe
    served.faults[second] = ["429"]
    with FakePypiServer(served) as server:
        report = await fetch_pypi(catalog, names, config(server, concurrency=4))
        asked = len(server.pypi.requests)
    assert "answered 429 Too Many Requests and asked djp to wait 999,999 s" in report.stopped
    assert asked <= 1 + 4 + 4  # the probe, the ones in flight, and no more
    assert report.skipped >= len(names) - asked
    assert report.failed


def test_a_stack_asks_for_no_release_page_of_a_project_pypi_does_not_have(store_path, tmp_path):
    project = tmp_path / "mysite"
    project.mkdir()
    names = [f"generated-missing-{i}" for i in range(30)]  # GENERATED names PyPI lacks
    (project / "requirements.txt").write_text("".join(f"{n}==1.0\n" for n in names))
    with FakePypiServer(FakePypi()) as server:
        code, _, err = run_djp(
            "--store", store_path, "stack", project, "--pypi-url", server.base_url
        )
        assert code == 0, err
        paths = [path for path, _ in server.pypi.requests]
        assert len(paths) == 30 and all(p.count("/") == 3 for p in paths)  # /pypi/NAME/json
        server.pypi.requests.clear()
        code, _, _ = run_djp("--store", store_path, "stack", project, "--pypi-url", server.base_url)
        assert code == 0 and server.pypi.requests == []  # within the day: nothing at all


async def test_a_flood_of_advisories_is_capped_and_says_how_many_were_left_out(catalog):
    """A VARIANT answer with 20,000 advisories, 10,005 of them distinct: 1,000 are kept (the
    package screen took 14.6 s to open with them all) and the rest counted."""
    document = copy.deepcopy(recorded("djangorestframework"))
    document["vulnerabilities"] = [
        {"id": f"GENERATED-{i % 10_005}", "aliases": [], "fixed_in": ["9.9"], "summary": "x"}
        for i in range(20_000)
    ]
    with FakePypiServer(serve(djangorestframework=document)) as server:
        report = await fetch_pypi(catalog, targets(catalog), config(server))
    assert report.errors == []
    facts = catalog.tables().pypi[b"package:4404"].observed.facts
    assert len(facts.vulnerabilities) == 1000 and facts.vulnerabilities_left_out == 9005
    path = catalog.store.path
    catalog.close()
    code, out, _ = run_djp("--store", path, "show", "4404")
    assert code == 0 and "and 9,005 more, not kept (djp keeps 1,000)" in out


def test_the_package_screen_lists_ten_advisories_and_counts_the_rest():
    """What the package screen shows of a release with as many advisories as djp keeps:
    ten, then how many more and where to read them (all thousand took it a second to
    open); ``djp show`` lists them all. GENERATED advisories."""
    from datetime import datetime

    from catalog.present.pypi import pypi_details
    from catalog.pypi.readiness import Digest
    from eventstore import Advisory
    from tui.screens.package import ADVISORIES_SHOWN

    flood = [Advisory(id=f"GENERATED-{i}", fixed_in=["9.9"]) for i in range(1000)]
    facts = PypiFacts(name="django-messages", latest="0.6.0", vulnerabilities=flood,
                      vulnerabilities_left_out=5)  # fmt: skip
    now = datetime(2026, 12, 1, tzinfo=UTC)
    digest = Digest("django-messages", "ok", facts, now)
    rows = pypi_details("django-messages", digest, now, None, None, now, ADVISORIES_SHOWN)
    advisories = [r.value for r in rows if r.label == "advisory"]
    assert len(advisories) == ADVISORIES_SHOWN + 2
    assert advisories[-2] == "and 990 more (djp show django-messages lists them)"
    assert advisories[-1] == "and 5 more, not kept (djp keeps 1,000)"
    every = pypi_details("django-messages", digest, now, None, None, now)
    assert len([r for r in every if r.label == "advisory"]) == 1001
