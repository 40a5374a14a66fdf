"""Full collections of Python's cyclic garbage collector made while the user reads a screen,
so that fewer of them land in a key press.

The catalogue's rows and tables are frozen out of the collector's sight at launch
(``gc.freeze``), so a full collection walks only what was made since: the screens, their
widgets and drawn lines, ~26,000 objects at a year of history, 10-45 ms on the benchmark
box. Python starts one after ten collections of its middle generation, which drawing a new
screen reaches in one or two switches, so in a run of screen switches one in two or three
holds a full collection. When the app has been quiet for ``QUIET_SECONDS`` (no key, click,
screen change or change of what is shown) and objects reached the oldest generation since
the last full collection, the app makes one itself: the next switches start with Python's
count back at zero. Python's own thresholds are left as they are: raising them made each
collection longer (the garbage of more closed screens at once: 60-200 ms), not rarer where
it matters.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

#: A full collection is made when nothing happened for this long...
QUIET_SECONDS = 1.0
#: ...and the middle generation was collected at least this often since the last one (each
#: of those moved objects into the oldest generation).
PROMOTIONS_AT_LEAST = 2
#: How often the app asks whether to collect.
CHECK_SECONDS = 0.5


class QuietCollector:
    """``active`` on anything the user does or sees change, ``tick`` every
    ``CHECK_SECONDS``."""

    def __init__(
        self,
        quiet_seconds: float = QUIET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self.last_active = clock()
        self.collections = 0  # made by ``tick``

    def active(self, *_: object) -> None:
        """Something happened (its arguments, from a signal or an event, are ignored)."""
        self.last_active = self.clock()

    def tick(self) -> bool:
        """Make a full collection if it is quiet and one is due; whether it made one."""
        if self.clock() - self.last_active < self.quiet_seconds:
            return False
        if gc.get_count()[2] < PROMOTIONS_AT_LEAST:
            return False
        gc.collect()
        self.collections += 1
        return True
