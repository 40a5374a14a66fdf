"""Keys typed at once land where a terminal user expects, in order (issue 29, 2), and a
bracketed paste is text, never keys (3)."""

from __future__ import annotations

import unicodedata

import pytest
from textual import events
from textual._xterm_parser import XTermParser

from tests.support.tui import filled_store, make_app, notifications
from tests.support.waiting import until
from tui.modals import TextModal
from tui.textual_fixes import apply as apply_textual_fixes

SIZE = (120, 35)
NAMED = {"/": "slash", " ": "space"}


@pytest.fixture
def store(tmp_path):
    return filled_store(tmp_path / "store")


def at_once(app, *keys: str) -> None:
    """Every key sent to the app before it handles any, as a fast typist or a script does."""
    for key in keys:
        if len(key) == 1:
            name = NAMED.get(key, key if key.isalnum() else unicodedata.name(key).lower())
            event = events.Key(name.replace(" ", "_"), key)
        else:
            event = events.Key(key, None)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_a_filter_typed_at_once_is_the_filter_typed(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        at_once(app, "/", "ctrl+u", *"composed")
        await until(pilot, lambda: app.screen.query_one("#filter").value == "composed", "it")
        assert app.screen.query_one("#filter").value == "composed"
        assert not app.controller.marked  # no "c" compared, no "p" opened


async def test_a_note_typed_at_once_lands_at_the_end(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # the first package
        at_once(app, "n", "end", *"later")
        await until(pilot, lambda: isinstance(app.screen, TextModal), "the notes dialog")
        area = app.screen.query_one("TextArea")
        await until(pilot, lambda: area.text.endswith("later"), "the text")
        assert area.text.endswith("later")


def parse(data: str) -> list:
    apply_textual_fixes()
    return list(XTermParser().feed(data))


def test_a_bracketed_paste_holding_an_escape_is_one_paste():
    got = parse("\x1b[200~abc\x1b[def\x1b[201~z")
    assert [(type(e).__name__, getattr(e, "text", None) or e.key) for e in got] == [
        ("Paste", "abc\x1b[def"),
        ("Key", "z"),
    ]
    got = parse("\x1b[200~one\x1b[201~\x1b[200~two\x1b[201~")
    assert [e.text for e in got] == ["one", "two"]


async def test_a_paste_on_a_list_runs_nothing_and_says_so(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        before = app.controller.seq
        app._driver.send_message(events.Paste("[[[ t u"))
        await pilot.pause()
        assert app.controller.browser.present and app.controller.seq == before
        assert any("paste" in m for m in notifications(app))
        await pilot.press("slash")
        app._driver.send_message(events.Paste("messages"))
        await pilot.pause()
        assert app.screen.query_one("#filter").value == "messages"
