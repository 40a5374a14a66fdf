"""Turning stored values into text that is safe to print on a terminal.

Remote text (titles, descriptions, participants) is untrusted: control characters, including
the ESC that starts a terminal escape sequence, are shown as visible ``\\x1b``-style escapes
instead of being sent to the terminal. Rich/Textual markup is not this module's concern: the UI
renders remote text as ``rich.text.Text``, never as markup.
"""

from __future__ import annotations

import re
from datetime import datetime

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(value: object, *, single_line: bool = True) -> str:
    """``value`` as printable text; newlines become spaces when ``single_line``."""
    text = "" if value is None else str(value)
    if single_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(_escape, text)


def thousands(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def local_time(value: datetime | None) -> str:
    """An aware datetime in the local zone, to the second."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def event_summary(event: object) -> str:
    """One line saying what an event did, for logs and timelines (already made safe)."""
    from eventstore import (
        RecordChanged,
        RecordSeen,
        RecordVanished,
        SyncFinished,
        SyncStarted,
    )

    match event:
        case SyncStarted(source=source, kind=kind):
            text = f"{kind} sync from {source}"
        case SyncFinished(outcome=outcome, counts=c, duration_s=secs, error=error):
            text = (
                f"{outcome}: {c.records:,} records, {c.new:,} new, {c.changed:,} changed, "
                f"{c.vanished:,} vanished, {c.skipped:,} skipped in {secs:.1f}s"
            )
            if error:
                text += f" ({error})"
        case RecordSeen(resource=resource, record=record, again=again):
            verb = "seen again" if again else "first seen"
            text = f"{resource} {record.id} {verb}: {record.slug}"
        case RecordChanged(resource=resource, id=ident, changes=changes):
            text = f"{resource} {ident} changed: {', '.join(sorted(changes))}"
        case RecordVanished(resource=resource, id=ident):
            text = f"{resource} {ident} vanished upstream"
        case _:
            text = type(event).__name__
    return safe_text(text)


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """'3 mo ago' style age of an aware datetime; '' for none."""
    if value is None:
        return ""
    from datetime import UTC

    now = now or datetime.now(UTC)
    seconds = (now - value).total_seconds()
    if seconds < 0:
        return "in future"
    for unit, size in (("yr", 365 * 86400), ("mo", 30 * 86400), ("d", 86400), ("h", 3600)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now" if seconds < 60 else f"{int(seconds // 60)} min ago"


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """Block characters scaled to the largest value; zero is the lowest block."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[0 if v <= 0 else 1 + round((len(SPARKS) - 2) * v / top)] for v in values)


def changes_report(changes, name, limit: int = 100) -> tuple[str, list[tuple[str, list[str]]]]:
    """What changed between two syncs as (summary, [(section, lines)]), already made safe.

    ``name(package_id)`` gives a package's display name."""
    summary = (
        f"events {changes.from_seq + 1:,} to {changes.to_seq:,}: {len(changes.new)} new, "
        f"{len(changes.vanished)} vanished, {len(changes.returned)} back, "
        f"{changes.changed} changed"
    )
    sections = []
    for label, ids in (
        ("new", changes.new),
        ("vanished", changes.vanished),
        ("back", changes.returned),
    ):
        if ids:
            sections.append((label, [", ".join(name(i) for i in ids[:limit])]))
    if changes.versions:
        sections.append(
            (
                "versions",
                [
                    f"{name(v.id)}: {safe_text(v.before)} → {safe_text(v.after)}"
                    for v in changes.versions[:limit]
                ],
            )
        )
    if changes.watchers:
        sections.append(
            (
                "largest watcher gains",
                [
                    f"{name(w.id)}: {w.before:,} → {w.after:,} ({w.gain:+,})"
                    for w in changes.watchers
                ],
            )
        )
    return summary, sections
