"""Remote and typed text is never markup, never an action, never a terminal escape.

A hypothesis property drives every screen, dialog and the command palette over a catalogue
whose package, grid and category carry generated hostile strings (markup fragments,
unbalanced tags, ``@click`` actions, escapes, C1 controls, bidi overrides, zero-width and
wide characters, 10,000-character strings), and asserts that nothing raises and that the
text is shown as typed.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.text import safe_text
from projections.targets import Target
from tests.support.builders import sync_records
from tests.support.tui import filled_store, make_app, notifications, screen_text
from tests.support.waiting import palette_hits, until
from tui.modals import ChoiceModal, EditModal, HelpModal, PickModal, TextModal
from tui.screens import GridScreen, GridsScreen, HistoryScreen, PackageScreen

FRAGMENTS = [
    "[bold red]",
    "[/]",
    "[/bold]",
    "[@click=app.bell]ring[/]",
    "[@click=app.quit]bye[/]",
    "[link=https://example.invalid]l[/link]",
    "[",
    "]",
    "\\[",
    "\x1b[31m",
    "\x1b]8;;https://example.invalid\x07",
    "\x9b31m",
    "\x85",
    "\u202e",
    "\u2066",
    "\u200b",
    "\u200d",
    "\ufeff",
    "表格",
    "🎉",
    "$variable",
    "{x}",
    "%s",
    "\r\n",
    "\t",
]
hostile = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), min_size=2, max_size=8)
    .map("".join)
    .filter(lambda s: s.strip()),
    st.sampled_from(FRAGMENTS).map(lambda f: "x" * 10_000 + f),
)
SIZE = (120, 36)


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    return filled_store(tmp_path_factory.mktemp("hostile") / "store")


def hostile_store(base: Path, text: str) -> Path:
    path = Path(tempfile.mkdtemp()) / "store"
    shutil.copytree(base, path)
    with Catalog.open(path) as catalog:
        package = catalog.projection.entry("package", 4404).record
        grid = catalog.projection.entry("grid", 438).record
        category = catalog.projection.entry("category", 1).record
        replace = msgspec.structs.replace
        sync_records(
            catalog,
            "package",
            [replace(package, title=text, repo_description=text, participants=[text])],
            complete=False,
        )
        sync_records(
            catalog,
            "grid",
            [replace(grid, title=text, description=text, packages=[4404])],
            complete=False,
        )
        sync_records(catalog, "category", [replace(category, title=text)], complete=False)
        edits.edit_package(catalog, "4404", {"notes": text[:10_000]})
    return path


async def drive(path: Path, text: str) -> None:
    app = make_app(path)
    rung: list[str] = []
    app.bell = lambda: rung.append("bell")  # an [@click=app.bell] that fired would ring
    # the screenshot shows a no-break space as a space (tests/support/tui.screen_text)
    shown = safe_text(text)[:20].replace("\xa0", " ").strip()
    async with app.run_test(size=SIZE) as pilot:
        controller = app.controller
        await pilot.pause()
        controller.open_package(Target.package(4404))
        await pilot.pause()
        assert isinstance(app.screen, PackageScreen)
        assert shown in screen_text(app)
        await pilot.press("e")  # the edit form, whose category list holds the hostile title
        assert isinstance(app.screen, EditModal)
        await pilot.press("escape")
        controller.open_history(Target.package(4404))
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await app.workers.wait_for_complete()
        app.action_section("grids")
        await pilot.pause()
        assert isinstance(app.screen, GridsScreen)
        assert shown in screen_text(app)
        controller.open_grid(Target.grid(438))
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)
        app.action_section("changes")
        await pilot.pause()
        app.action_section("log")
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.action_section("packages")
        await pilot.pause()
        app.action_help()
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        await pilot.press("escape")
        # a refusal that quotes the text goes to a toast, literally
        controller.edit(Target.package(4404), {"documentation_url": text[:400]})
        await pilot.pause()
        # the palette lists every title: type part of it and let the hits draw
        await pilot.press("ctrl+p")
        await pilot.press(*[c for c in "addr" if c.isalpha()])
        await until(pilot, lambda: palette_hits(pilot), "the palette's hits")
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running  # no [@click=app.quit] fired
        assert rung == []
        assert any("documentation_url" in t for t in notifications(app))  # the refusal


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # each example runs the whole app: a failure is reported as found, without minutes of
    # shrinking
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(text=hostile)
@pytest.mark.slow
def test_every_screen_shows_hostile_text_literally(base_store, text):
    path = hostile_store(base_store, text)
    try:
        asyncio.run(drive(path, text))
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


@pytest.mark.parametrize(
    "text", ["[bold red]red[/]", "[@click=app.bell]ring[/]", "[/bold] unbalanced [", "a\x9b\u202eb"]
)
@pytest.mark.slow
def test_markup_in_titles_is_shown_as_typed(base_store, text):
    path = hostile_store(base_store, text)

    async def check() -> None:
        app = make_app(path)
        async with app.run_test(size=SIZE) as pilot:
            app.controller.open_package(Target.package(4404))
            await pilot.pause()
            assert safe_text(text) in screen_text(app)
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, EditModal)
            await pilot.press("escape")
            # dialog titles name packages (a slug is remote text too): shown as typed
            modals = (
                TextModal(f"notes of {text}", ""),
                ChoiceModal(f"status of {text}", ["none", "using"], "none"),
                PickModal(f"add {text} to a grid", [("a grid", "grid:1")], "none"),
            )
            for modal in modals:
                app.push_screen(modal)
                await pilot.pause()
                assert safe_text(text) in screen_text(app), type(modal).__name__
                await pilot.press("escape")
            await pilot.press("escape")
            await pilot.press("ctrl+p")  # the palette's hit for the package, literally
            app.screen.query_one(Input).value = f"package {safe_text(text)}"
            hit = f"package {safe_text(text)}"  # the hit itself, not the query line
            await until(
                pilot,
                lambda: hit in [line.strip() for line in screen_text(app).splitlines()],
                "the palette's hit for the package",
            )
            await pilot.press("escape")
            assert app.is_running

    try:
        asyncio.run(check())
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
