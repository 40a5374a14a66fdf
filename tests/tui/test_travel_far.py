"""Far jumps fold in a worker with progress; queued presses of [ add up to one move."""

from __future__ import annotations

from catalog.edits import commands as edits
from tests.support.tui import filled_store, make_app

SIZE = (140, 40)


def prepare(catalog) -> None:
    for i in range(30):
        edits.edit_package(catalog, "django-messages", {"notes": f"note {i}"})


async def test_a_far_jump_folds_in_the_background(tmp_path, monkeypatch):
    app = make_app(filled_store(tmp_path / "store", prepare))
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app.controller, "FOLD_AT_ONCE", 10)
        monkeypatch.setattr(type(app.controller.browser), "STEPS_AT_MOST", 5)
        seen = []  # what the status line said, from the one state the controller publishes
        app.controller.changed.subscribe(
            app.screen, lambda _: seen.append(app.controller.activity.status())
        )
        app.controller.travel(40)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.controller.browser.seq == 40 and not app.controller.browser.present
        assert seen[0] == "travelling to event 40"
        assert "travelling to event 40: 100%" in seen and seen[-1] is None  # idle again
        assert app.controller.activity.kind == "idle"
        assert "the past — event 40" in str(app.screen.query_one("#banner").render())


async def test_queued_steps_add_up_to_one_move(tmp_path, monkeypatch):
    app = make_app(filled_store(tmp_path / "store", prepare))
    async with app.run_test(size=SIZE) as pilot:
        moves = []
        real = app.controller.step
        monkeypatch.setattr(app.controller, "step", lambda d: moves.append(d) or real(d))
        last = app.controller.browser.seq
        app.action_step(-1)  # three presses before the app gets to draw
        app.action_step(-1)
        app.action_step(-1)
        await pilot.pause()
        assert moves == [-3] and app.controller.browser.seq == last - 3
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.controller.browser.seq == last - 1
