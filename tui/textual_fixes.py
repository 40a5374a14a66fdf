"""Workarounds for faults of Textual that djp hits, each naming its upstream issue. Each
checks that the code it replaces is still the faulty one and leaves a fixed Textual alone.

- **StylesCache kept alive by an lru_cache** (Textualize/textual#6665, open): the method
  ``StylesCache.get_inner_outer`` is cached with ``functools.lru_cache``, whose key includes
  ``self``, so the 1,024 most recent widgets' style caches, and every line (``Strip``) each
  had drawn, stay alive after their widgets are gone. At a year of history, after a few
  minutes of browsing, that was 30,000 objects more per minute for the cyclic collector to
  scan until the cache filled (60-150 ms collections every half second in the benchmark's
  browsing loop). The result depends only on the two colours: cached by them here.
- **An escape inside a bracketed paste ends it** (Textual's ``XTermParser``: the ESC of any
  escape sequence in the pasted text is read as the start of the closing marker, and what
  follows comes out as keys: a pasted ``ESC [`` stepped back in time). Here everything
  between ``ESC[200~`` and ``ESC[201~`` is the paste's text, whatever it holds; a closing
  marker split across reads is waited for.
"""

from __future__ import annotations

from functools import lru_cache

from textual import _styles_cache, events
from textual._xterm_parser import XTermParser
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


PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
_textual_feed = XTermParser.feed


def _feed(self: XTermParser, data: str):
    """``XTermParser.feed`` with bracketed pastes taken whole before the parser sees them."""
    out = []
    pasting = self.__dict__.get("_djp_paste")  # the text of a paste not yet closed
    if not data:  # the end of input
        return list(_textual_feed(self, data))
    while data:
        if pasting is not None:
            pasting += data
            end = pasting.find(PASTE_END)
            if end < 0:
                data = ""
                break
            out.append(events.Paste(pasting[:end].replace("\x00", "")))
            data, pasting = pasting[end + len(PASTE_END) :], None
            continue
        start = data.find(PASTE_START)
        if start < 0:
            out += _textual_feed(self, data)
            break
        if start:  # an empty string is the end of input to the parser
            out += _textual_feed(self, data[:start])
        data, pasting = data[start + len(PASTE_START) :], ""
    self.__dict__["_djp_paste"] = pasting
    return out


def _paste_is_faulty() -> bool:
    """Whether Textual still turns the rest of a paste holding an ESC into keys."""
    got = list(_textual_feed(XTermParser(), "\x1b[200~a\x1b[b\x1b[201~"))
    return any(isinstance(e, events.Key) for e in got)


def apply() -> None:
    """Install the workarounds (once per process; harmless when repeated)."""
    if XTermParser.feed is _textual_feed and _paste_is_faulty():
        XTermParser.feed = _feed
    styles_cache = _styles_cache.StylesCache
    current = styles_cache.__dict__.get("get_inner_outer")
    if current is not _get_inner_outer and hasattr(current, "cache_clear"):
        current.cache_clear()  # let go of the style caches it holds
        styles_cache.get_inner_outer = _get_inner_outer
