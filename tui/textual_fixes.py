"""Workarounds for faults of Textual that djp hits, each naming its upstream issue. Each
checks that the code it replaces is still the faulty one and leaves a fixed Textual alone.

- **StylesCache kept alive by an lru_cache** (Textualize/textual#6665, open): the method
  ``StylesCache.get_inner_outer`` is cached with ``functools.lru_cache``, whose key includes
  ``self``, so the 1,024 most recent widgets' style caches, and every line (``Strip``) each
  had drawn, stay alive after their widgets are gone. At a year of history, after a few
  minutes of browsing, that was 30,000 objects more per minute for the cyclic collector to
  scan until the cache filled (60-150 ms collections every half second in the benchmark's
  browsing loop). The result depends only on the two colours: cached by them here.
"""

from __future__ import annotations

from functools import lru_cache

from textual import _styles_cache
from textual.color import Color
from textual.style import Style


@lru_cache(maxsize=1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """What ``StylesCache.get_inner_outer`` returns, cached by the colours alone."""
    return Style(background=base_background + background), Style(background=base_background)


def _get_inner_outer(
    self: _styles_cache.StylesCache, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


def apply() -> None:
    """Install the workarounds (once per process; harmless when repeated)."""
    styles_cache = _styles_cache.StylesCache
    current = styles_cache.__dict__.get("get_inner_outer")
    if current is not _get_inner_outer and hasattr(current, "cache_clear"):
        current.cache_clear()  # let go of the style caches it holds
        styles_cache.get_inner_outer = _get_inner_outer
