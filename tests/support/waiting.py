"""Waiting for a condition, not for a moment: a loaded machine only makes the wait longer."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

#: Only a test whose condition never comes (a real fault) reaches this; it is no limit on
#: how fast anything must be.
HANG_GUARD_SECONDS = 120.0


async def until(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run (its workers, timers and redraws) until ``condition()`` holds."""
    guard = time.monotonic() + HANG_GUARD_SECONDS
    while not condition():
        if time.monotonic() > guard:
            pytest.fail(f"waited {HANG_GUARD_SECONDS:g} s for {what}")
        await pilot.pause()  # until the app is idle again (Textual's own measure), then look


def palette_hits(pilot: Pilot) -> int:
    """How many hits the open command palette lists (0 while it searches)."""
    screen = pilot.app.screen
    if not isinstance(screen, CommandPalette):
        return 0
    return screen.query_one(CommandList).option_count
