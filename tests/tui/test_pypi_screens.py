"""PyPI in the app: the readiness column and screen (key 5), the remembered Django version,
the package screen's PyPI section and its refresh on open, inline filter errors.

Over the loopback fake PyPI serving the recorded responses; the packages pointed at them
are the shipped snapshot's, their ``pypi_url`` changed here (as in tests/catalog).
"""

from __future__ import annotations

import asyncio
import copy
import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets
from catalog.pypi.verdicts import judge_django
from tests.support.builders import point_at_pypi
from tests.support.fakepypi import FakePypi, FakePypiServer, recorded
from tests.support.tui import filled_store, make_app, notifications, screen_text
from tests.support.waiting import until
from tui.screens import PackageScreen, ReadinessScreen
from tui.widgets import PackageTable

SIZE = (160, 48)
POINTED = {
    4404: "djangorestframework",
    359: "django-crispy-forms",
    4321: "nango",
    422: "django-minify-html",
    399: "django-fett",  # 404
}


@pytest.fixture
def pypi():
    documents = {n: recorded(n) for n in POINTED.values() if n != "django-fett"}
    with FakePypiServer(FakePypi(documents=documents)) as server:
        yield server


@pytest.fixture
def store(tmp_path, pypi):
    def prepare(catalog):
        point_at_pypi(catalog, POINTED)
        wanted = {t: n for t, n in pypi_targets(catalog).items() if t.id in POINTED}
        asyncio.run(fetch_pypi(catalog, wanted, PypiConfig(base_url=pypi.base_url)))

    return filled_store(tmp_path / "store", prepare)


async def test_readiness_is_judged_while_idle_after_launch(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # the catalogue on screen: the app is idle
        await app.workers.wait_for_complete()
        with mock.patch("catalog.pypi.readiness.judge_django", wraps=judge_django) as judged:
            await pilot.press("5")  # sorted by readiness: every package's verdict is needed
            await pilot.pause()
        assert isinstance(app.screen, ReadinessScreen)
        assert "Django 5.2: 0 yes, 0 no, 3 undeclared, 71 unknown, 1 n/a" in screen_text(app)
        # the sort's verdicts (5.2) were all worked out after launch, while the app was idle;
        # the table's other columns are judged for the rows on screen as they are drawn
        judged_for = {call.args[1] for call in judged.call_args_list}
        assert judged.call_count > 0 and "5.2" not in judged_for


@pytest.mark.slow
async def test_readiness_screen_and_the_remembered_django_version(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url)
    async with app.run_test(size=SIZE) as pilot:
        header = screen_text(app).splitlines()[2]
        assert "Dj 5.2" in header  # the newest supported LTS on 2026-11-01
        await pilot.press("5")
        assert isinstance(app.screen, ReadinessScreen)
        text = screen_text(app)
        assert "Django 5.2: 0 yes, 0 no, 3 undeclared, 71 unknown, 1 n/a of 75 packages" in text
        # 9 packages have no PyPI link (django-fett got one here); 61 others were not asked
        assert "(9 name no PyPI project; 61 without PyPI facts yet: S syncs them)" in text
        assert re.search(r"2\.2 +3\.0 +3\.1 +3\.2 +4\.0 +4\.1 +4\.2 +5\.0 +5\.1 +5\.2 +6\.0", text)
        await pilot.press("slash", *"django:4.0", "enter")
        await pilot.pause()
        assert (
            "Django 5.2: 0 yes, 0 no, 3 undeclared, 0 unknown, 0 n/a of 3 packages; v changes"
            in screen_text(app)
        )
        await pilot.press("v", "j", "j", "j", "enter")  # 6.0, 5.2 (current), 5.1, 5.0, 4.2
        await pilot.pause()
        assert app.controller.django_version == "4.2"
        assert "Django 4.2: 0 yes, 0 no, 3 undeclared" in screen_text(app)
        await pilot.press("slash", *(["backspace"] * 10), *"django:4.0:yes", "enter")
        await pilot.pause()
        assert "on Django 4.2: undeclared  declares 2.2" in screen_text(app)
        first = app.screen.query_one("ReadinessTable").current.view.record.title
        await pilot.press("j")
        await pilot.pause()
        second = app.screen.query_one("ReadinessTable").current.view.record.title
        assert first != second and f"{second} on Django 4.2: undeclared" in screen_text(app)
        await pilot.press("enter")  # opens the package under the cursor
        assert isinstance(app.screen, PackageScreen)
    again = make_app(store, pypi_url=pypi.base_url)
    async with again.run_test(size=SIZE):
        assert "Dj 4.2" in screen_text(again).splitlines()[2]  # remembered


@pytest.mark.slow
async def test_the_catalogue_shows_readiness_licence_and_release_age(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"license:MIT", "enter")
        await pilot.pause()
        rows = app.screen.query_one(PackageTable).rows
        assert {r.view.record.id for r in rows} == {359, 4321, 422}
        text = screen_text(app)
        header = next(line for line in text.splitlines() if "title" in line)
        assert "licence" in header and "released" in header and "Dj 5.2" in header
        line = next(x for x in text.splitlines() if "django-messages" in x)  # crispy forms
        assert "undeclared" in line and "MIT" in line and "yr ago" in line


@pytest.mark.slow
async def test_the_package_screen_shows_pypi_and_refreshes_old_facts_on_open(store, pypi):
    variant = copy.deepcopy(recorded("djangorestframework"))  # a variant: PEP 639, yanked
    variant["info"].update(license_expression="BSD-3-Clause", yanked=True, yanked_reason="bad")
    pypi.pypi.documents["djangorestframework"] = variant
    pypi.pypi.requests.clear()
    later = datetime.now(UTC) + timedelta(days=2)  # the facts are two days old by then
    app = make_app(store, pypi_url=pypi.base_url, now=later)
    async with app.run_test(size=SIZE) as pilot:
        app.controller.open_package(app.controller.browser.rows["package:4404"].view.target)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [path for path, _ in pypi.pypi.requests] == ["/pypi/djangorestframework/json"]
        text = screen_text(app)
        assert "licence  BSD-3-Clause" in text
        assert "yanked  3.13.1 is yanked: bad" in text
        assert "Django 4.0  ✓ yes  classifier Framework :: Django :: 4.0" in text
        # the releases after 4.0 fail for one reason: one line for all of them
        assert "Django 4.1-6.1  undeclared  declares 2.2-4.0; requires Django>=2.2" in text
        # no release declares 5.2 (the latest's newest is 4.0): no release page asked
        assert (
            "ready for 5.2  no release declares Django 5.2; newest 3.13.1 declares up to 4.0"
            in text
        )
        assert "Django 5.0" not in text
        assert "✗ latest release not yanked: 3.13.1 yanked: bad" in text
        await pilot.press("h")  # the change is in the package's history
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert "licence" in screen_text(app) and "pypi.license" not in screen_text(app)


async def test_fresh_facts_are_not_fetched_again_on_open(store, pypi):
    pypi.pypi.requests.clear()
    app = make_app(store, pypi_url=pypi.base_url, now=datetime.now(UTC))
    async with app.run_test(size=SIZE) as pilot:
        app.controller.open_package(app.controller.browser.rows["package:4404"].view.target)
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert pypi.pypi.requests == []


@pytest.mark.slow
async def test_a_filter_error_is_inline_once_not_a_toast_per_keystroke(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"is:sho")  # on the way to is:shortlisted
        table = app.screen.query_one(PackageTable)
        assert table.rows == []  # not the previous results, as if they matched
        assert notifications(app) == []
        await pilot.press("enter")
        assert "is:sho is not a filter" in screen_text(app)
        assert notifications(app) == []
        await pilot.press(*"rtlisted")
        await pilot.pause()
        assert "is not a filter" not in screen_text(app)


def offline_first_start(path, pypi: FakePypiServer):
    """The app on an empty store, the catalogue's API not answering (the snapshot loads),
    PyPI answering from ``pypi``."""
    return make_app(
        path, base_url="http://127.0.0.1:9/api/v4/", probe_seconds=0.5, pypi_url=pypi.base_url
    )


@pytest.mark.slow
async def test_the_first_start_on_the_snapshot_asks_pypi_in_the_background(tmp_path):
    """No catalogue API, but PyPI answers: after the snapshot, the app asks PyPI about its
    packages in the background (every name is unknown to this fake PyPI: "not on PyPI")."""
    with FakePypiServer(FakePypi()) as server:
        app = offline_first_start(tmp_path / "empty", server)
        async with app.run_test(size=SIZE) as pilot:
            # the snapshot's load, then PyPI's fetch: a worker started by the first's end
            await until(
                pilot,
                lambda: any(m.startswith("PyPI:") for m in notifications(app)),
                "the PyPI fetch's summary",
            )
            await app.workers.wait_for_complete()
            await pilot.pause()
            asked = {path for path, _ in server.pypi.requests}
            assert "/pypi/django-messages/json" in asked
            assert len(asked) == len(pypi_targets(app.catalog)) > 60
            [summary] = [m for m in notifications(app) if m.startswith("PyPI:")]
            assert f"{len(asked)} projects asked" in summary
            assert f"{len(asked)} not on PyPI" in summary
            assert app.controller.activity.kind == "idle"  # the status line is free again
            await pilot.press("slash", *"is:not-on-pypi", "enter")
            await pilot.pause()
            # all of them: the 10 without a PyPI name, and the 65 PyPI said it does not know
            assert len(app.screen.query_one(PackageTable).rows) == 75
    again = make_app(tmp_path / "empty", pypi_url="http://127.0.0.1:9/")
    async with again.run_test(size=SIZE):
        await again.workers.wait_for_complete()
        assert not any("PyPI" in m for m in notifications(again))  # a later start asks nothing


@pytest.mark.parametrize("first_key", ["q", "S"])
@pytest.mark.slow
async def test_quitting_or_cancelling_while_pypi_is_asked(tmp_path, first_key):
    """``q`` while PyPI's facts are being fetched: the fetch is cancelled, and ends before
    the store closes (whether its cleanup ran before or after the close was a race; the
    first-start test above lost it every time). ``S`` cancels it, as any sync."""
    # answers slower than a loaded machine takes to quit or cancel: few are ever asked
    with FakePypiServer(FakePypi(delay=5.0)) as server:
        app = offline_first_start(tmp_path / "empty", server)
        async with app.run_test(size=SIZE) as pilot:
            # the snapshot is in, PyPI is being asked
            await until(pilot, lambda: server.pypi.requests, "PyPI to be asked")
            assert app.controller.activity.kind == "pypi"
            if first_key == "S":
                await pilot.press("S")
                kept = "sync cancelled; the PyPI facts already fetched are kept"
                assert kept in notifications(app)
                assert app.controller.activity.kind == "idle"
            await pilot.press("q")
        assert app.return_code == 0
        assert len(server.pypi.requests) < 20  # cancelled, not waited for


@pytest.mark.slow
async def test_the_first_start_on_the_live_api_asks_pypi_after_its_dialog(tmp_path):
    """The first start's dialog covers the catalogue only: PyPI's facts (minutes for the
    whole catalogue) come after it, in the background, with the app usable meanwhile."""
    from tests.support.fakeapi import FakeApi, FakeApiServer
    from tui.modals import SyncModal
    from tui.screens import CatalogueScreen

    with FakeApiServer(FakeApi.recorded()) as api, FakePypiServer(FakePypi(delay=0.2)) as pypi:
        app = make_app(tmp_path / "empty", base_url=api.base_url, pypi_url=pypi.base_url)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: pypi.pypi.requests, "PyPI to be asked")
            assert isinstance(app.screen, CatalogueScreen)  # the dialog is gone
            assert not any(isinstance(s, SyncModal) for s in app.screen_stack)
            assert "sync: PyPI facts" in str(app.screen.query_one("#status").render())
            await pilot.press("enter")  # browsing while PyPI is asked
            assert isinstance(app.screen, PackageScreen)
            pypi.pypi.delay = 0
            await app.workers.wait_for_complete()
            await pilot.pause()
            asked = {path for path, _ in pypi.pypi.requests}
            assert len(asked) == len(pypi_targets(app.catalog)) > 1
            assert any(
                m.startswith(f"PyPI: {len(asked)} projects asked") for m in notifications(app)
            )


async def test_the_history_screen_speaks_words_not_the_stores_names(store, pypi):
    """The package's title above its history; fields and values as a person reads them
    ("latest release yanked", "yes"), not "pypi.yanked + False"."""
    variant = copy.deepcopy(recorded("djangorestframework"))  # a variant: the latest yanked
    variant["info"].update(yanked=True, yanked_reason="bad")
    pypi.pypi.documents["djangorestframework"] = variant
    later = datetime.now(UTC) + timedelta(days=2)
    app = make_app(store, pypi_url=pypi.base_url, now=later)
    async with app.run_test(size=SIZE) as pilot:
        app.controller.open_package(app.controller.browser.rows["package:4404"].view.target)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("h")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "history of django-address-model" in text
        assert "latest release yanked" in text and "pypi.yanked" not in text
        assert "was no" in text and "now yes" in text
        assert "False" not in text and "pypi.state" not in text
