"""Turning stored values into text that is safe to print on a terminal, and fits its cells.

Remote text (titles, descriptions, participants) is untrusted: control characters, including
the ESC that starts a terminal escape sequence, C1 controls, bidi overrides and zero-width
characters, are shown as visible ``\\x1b``-style escapes instead of being sent to the terminal.
Rich/Textual markup is not this module's concern: the app renders remote text as
``rich.text.Text``, never as markup.

Widths are terminal cells (``wcwidth``): a CJK character or an emoji takes two, so columns
stay aligned whatever the titles hold.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

import msgspec

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(value: object, *, single_line: bool = True) -> str:
    """``value`` as printable text; newlines become spaces when ``single_line``."""
    text = "" if value is None else str(value)
    if single_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(_escape, text)


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def safe_json(value: object) -> str:
    """``value`` as one line of JSON that is safe on a terminal: C1 controls, bidi overrides
    and zero-width characters are written as ``\\uXXXX`` escapes (the JSON means the same)."""
    text = msgspec.json.encode(value).decode()
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def category_label(names: dict[int, str], category: int | None, *, short: bool = False) -> str:
    """A category's title; one the store has not fetched is named by its id (the catalogue
    lists only the categories it fetched, packages may name others)."""
    if not category:
        return ""
    title = names.get(category)
    if title is not None:
        return safe_text(title)
    return f"#{category}" if short else f"#{category} (not fetched yet)"


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes (characters it cannot measure count as one)."""
    if text.isascii():
        return len(text)
    return _wide_cells(text)


@lru_cache(maxsize=1 << 14)
def _wide_cells(text: str) -> int:
    # wcwidth is pure Python: the same titles and sparklines are measured on every redraw
    # (imported here, on the first text that is not ASCII: most commands never need it)
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    return width if width >= 0 else sum(w if (w := wcwidth(ch)) >= 0 else 1 for ch in text)


def counted(count: int, noun: str, plural: str = "") -> str:
    """``1 package``, ``2 packages``, ``1,200 dependencies`` (``plural`` when not noun + s)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    size = cells(text)
    if size > width:  # cut by cells: a wide character that would straddle the edge goes
        out, used = [], 0
        for ch in text:
            w = cells(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text, size = "".join(out) + "…", used + 1
    pad = " " * (width - size)
    return pad + text if right else text + pad


def thousands(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def local_time(value: datetime | None) -> str:
    """An aware datetime in the local zone, to the second."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """'3 mo ago' style age of an aware datetime; '' for none."""
    if value is None:
        return ""
    now = now or datetime.now(UTC)
    seconds = (now - value).total_seconds()
    if seconds < 0:
        return "in future"
    for unit, size in (("yr", 365 * 86400), ("mo", 30 * 86400), ("d", 86400), ("h", 3600)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now" if seconds < 60 else f"{int(seconds // 60)} min ago"


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """Block characters scaled to the largest value; zero is the lowest block and any
    commit at least the second, so a quiet week and a slow one differ."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[0 if v <= 0 else 1 + round((len(SPARKS) - 2) * v / top)] for v in values)


def weekly(values: list[int], width: int) -> str:
    """Weekly counts folded into ``width`` cells (two weeks a cell for 52 into 26)."""
    if not values:
        return ""
    if not any(values):  # not a row of the lowest bars, which read as a little activity
        return "no commits"
    size = max(1, -(-len(values) // width))
    buckets = [sum(values[i : i + size]) for i in range(0, len(values), size)]
    return sparkline(buckets)


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run: remote text starting like a formula is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
