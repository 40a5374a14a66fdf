"""The stack screen (key 6) and the ``stack:NAME`` filter, over the loopback fake PyPI.

The store holds the shipped snapshot with two packages pointed at the recorded PyPI projects
(``djangorestframework``, ``django-crispy-forms``); the stack is the requirements fixture.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog.pypi.fetch import PypiConfig
from catalog.stacks.fetch import refresh_stack
from catalog.stacks.files import read_stack
from catalog.stacks.judge import stack_view
from catalog.stacks.record import record_stack
from tests.support.builders import point_at_pypi
from tests.support.fakepypi import FakePypi, FakePypiServer, recorded
from tests.support.tui import filled_store, make_app, notifications, screen_text
from tests.support.waiting import until
from tui.screens import PackageScreen, StackScreen
from tui.widgets import PackageTable

SIZE = (160, 40)
STACKS = Path(__file__).resolve().parents[1] / "support" / "fixtures" / "stacks"
POINTED = {4404: "djangorestframework", 359: "django-crispy-forms"}


@pytest.fixture
def pypi():
    served = FakePypi(documents={n: recorded(n) for n in POINTED.values()})
    with FakePypiServer(served) as server:
        yield server


@pytest.fixture
def store(tmp_path, pypi):
    shutil.copytree(STACKS / "reqs", tmp_path / "mysite")

    def prepare(catalog):
        point_at_pypi(catalog, POINTED)
        parsed = read_stack([tmp_path / "mysite" / "requirements.txt"])
        record_stack(catalog, "mysite", parsed, "4.1")
        view = stack_view(catalog.tables(), "mysite")
        config = PypiConfig(base_url=pypi.base_url)
        asyncio.run(refresh_stack(catalog, view, config, datetime.now(UTC)))

    return filled_store(tmp_path / "store", prepare)


@pytest.mark.slow
async def test_the_stack_screen_lists_problems_first_and_opens_packages(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url, now=datetime.now(UTC))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StackScreen)
        text = screen_text(app)
        # the project's own Django (django==1.10) before the one chosen when it was read (4.1)
        assert "stack mysite" in text
        assert "Django 1.10 (from Django==1.10 in requirements.txt)" in text
        rows = app.screen.rows
        assert rows[0].problems  # problems first
        first_clean = next(i for i, r in enumerate(rows) if not r.problems)
        assert all(r.problems for r in rows[:first_clean])
        drf = next(i for i, r in enumerate(rows) if r.name == "djangorestframework")
        assert "requires Django>=2.2" in " ".join(rows[drf].problems)
        assert "dependency" in text and "djp package" in text and "move to" in text
        assert "not ready: requires Django>=2.2" in text and "not on PyPI" in text
        for _ in range(drf):
            await pilot.press("j")
        await pilot.press("enter")
        assert isinstance(app.screen, PackageScreen)
        assert app.screen.target.key == "package:4404"
        await pilot.press("escape")
        requests = next(i for i, r in enumerate(app.screen.rows) if r.name == "requests")
        app.screen.query_one("#stack-rows").cursor = requests
        await pilot.press("enter")
        assert "requests is not in the djp catalogue" in notifications(app)


async def test_on_a_narrow_terminal_the_verdict_and_the_notes_stay(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url, now=datetime.now(UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if line.startswith("dependency"))
        # at 80 columns the release judged and the verdict stay; the plan is in the detail
        assert header.split() == ["dependency", "judged", "Django", "notes"]
        drf = next(line for line in lines if line.startswith("djangorestframework"))
        assert drf.split()[:4] == ["djangorestframework", "3.4.4", "pinned", "no"]
        assert "not ready: requires" in drf and len(drf) <= 80
        # the highlighted dependency (the first: it has problems) whole, below the list
        first = app.screen.rows[0]
        detail = str(app.screen.query_one("#stack-detail").render())
        assert detail.startswith(f"{first.requirement} · requirements.txt:")
        assert "; ".join(first.notes) in detail.replace("\n", " ")
        # the plan of each dependency from PyPI, from the pages the log holds
        assert all(r.plan is not None for r in app.screen.rows if r.kind == "pypi")
        assert f"plan: ready {first.plan['ready'] or '—'}" in detail
        await pilot.press("j")
        detail = str(app.screen.query_one("#stack-detail").render())
        assert detail.startswith(app.screen.rows[1].requirement)
        await pilot.resize_terminal(160, 40)  # wide again: every column is back
        await pilot.pause()
        header = next(ln for ln in screen_text(app).splitlines() if ln.startswith("dependency"))
        assert "djp package" in header and "licence" in header


@pytest.mark.slow
async def test_the_stack_filter_in_the_catalogue(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url, now=datetime.now(UTC))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"stack:mysite", "enter")
        await pilot.pause()
        rows = app.screen.query_one(PackageTable).rows
        assert {r.view.record.id for r in rows} == {4404, 359}
        await pilot.press("slash", *(["backspace"] * 12), *"stack:other", "enter")
        await pilot.pause()
        assert "stack:other: no such stack" in screen_text(app)


@pytest.mark.slow
async def test_the_palette_opens_a_stack_by_its_name(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url, now=datetime.now(UTC))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"stack: mysi")
        await until(pilot, lambda: "Stack: mysite" in screen_text(app), "the palette's hit")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StackScreen)
        assert "stack mysite" in screen_text(app)


async def test_without_a_stack_the_screen_says_how_to_read_one(tmp_path):
    app = make_app(filled_store(tmp_path / "store"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        assert "No stacks yet. Read one from a terminal, in your project's directory" in (
            screen_text(app)
        )
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert "dependency" not in screen_text(app)  # no column header over nothing


async def test_toasts_do_not_cover_the_detail_pane(store, pypi):
    app = make_app(store, pypi_url=pypi.base_url, now=datetime.now(UTC))
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await pilot.press("6")
        await app.workers.wait_for_complete()
        app.screen.notify("a note about the stack, long enough to take two lines of a toast")
        await pilot.pause()
        await pilot.pause()
        detail = app.screen.query_one("#stack-detail").region
        toasts = [t.region for t in app.screen.query("Toast")]
        assert toasts and all(not t.overlaps(detail) for t in toasts)
