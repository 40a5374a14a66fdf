"""Workarounds for Textual's faults (``tui.textual_fixes``)."""

from __future__ import annotations

import gc

from textual import _styles_cache
from textual.app import App
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Label

from tui.textual_fixes import apply


def live_style_caches() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is _styles_cache.StylesCache)


async def test_removed_widgets_style_caches_are_freed():
    # Textualize/textual#6665: StylesCache.get_inner_outer's lru_cache kept the style cache
    # (and the drawn lines) of up to 1,024 removed widgets alive
    apply()

    class Rebuilding(App):
        def compose(self):
            yield Vertical(id="list")

    app = Rebuilding()
    async with app.run_test(size=(40, 60)) as pilot:
        box = app.query_one("#list")
        before = live_style_caches()
        for round_ in range(6):
            await box.remove_children()
            await box.mount(*(Label(f"card {round_}.{i}") for i in range(40)))
            await pilot.pause()
        await box.remove_children()
        await pilot.pause()
        # 240 labels were drawn and removed: their caches are gone with them, but for the
        # last 40 (the screen's last layout still holds those); without the fix, all 240 stay
        assert live_style_caches() - before <= 40


def test_apply_is_idempotent_and_keeps_the_colours():
    apply()
    apply()
    cache = _styles_cache.StylesCache()

    base, over = Color(10, 20, 30), Color(0, 0, 0, 0.5)
    inner, outer = cache.get_inner_outer(base, over)
    assert (inner.background, outer.background) == (base + over, base)
