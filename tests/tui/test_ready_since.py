"""The package screen names the smallest release ready for the chosen Django: opening the
package reads the release pages that search needs (recorded December 2026, see
``fixtures/pypi/current``), once a day, and the answer is a release whose own page says so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.builders import point_at_pypi
from tests.support.fakepypi import FakePypiServer, current_pypi
from tests.support.tui import filled_store, make_app, screen_text
from tests.support.waiting import until
from tui.screens import PackageScreen

SIZE = (160, 60)


@pytest.fixture
def pypi():
    with FakePypiServer(current_pypi("django-debug-toolbar")) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    return filled_store(
        tmp_path / "store", lambda c: point_at_pypi(c, {4404: "django-debug-toolbar"})
    )


async def test_opening_a_package_reads_what_it_needs_and_names_the_smallest_ready(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url, now=datetime.now(UTC))
    async with app.run_test(size=SIZE) as pilot:
        app.controller.set_django_version("5.2")
        app.controller.open_package(app.controller.browser.rows["package:4404"].view.target)
        await pilot.pause()
        assert isinstance(app.screen, PackageScreen)
        await app.workers.wait_for_complete()
        await until(pilot, lambda: "ready for 5.2  5.1.0" in screen_text(app), "the answer")
        pages = [path for path, _ in pypi.pypi.requests if path.count("/") == 4]
        # a binary search: a handful of the 76 releases' pages, the answer's among them
        assert "/pypi/django-debug-toolbar/5.1.0/json" in pages and len(pages) <= 8
    pypi.pypi.requests.clear()
    again = make_app(store, pypi_url=pypi.base_url, now=datetime.now(UTC))
    async with again.run_test(size=SIZE) as pilot:
        again.controller.open_package(again.controller.browser.rows["package:4404"].view.target)
        await pilot.pause()
        await again.workers.wait_for_complete()
        assert "ready for 5.2  5.1.0" in screen_text(again)
        assert pypi.pypi.requests == []  # the same day: nothing asked again
