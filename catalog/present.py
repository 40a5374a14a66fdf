"""What the app and the command line both show, built once so the two cannot drift.

Row markers, the package columns, a package's detail rows, one-line summaries of events,
syncs and history entries, and the report of what a sync changed. Everything returned here
is already made safe (``catalog.text.safe_text``); the app wraps it in ``rich.text.Text``,
the command line prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog.api import pypi_name
from catalog.rows import Row
from catalog.text import local_time, relative, safe_text, sparkline, thousands, weekly
from eventstore import (
    Edited,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    Redone,
    SyncFinished,
    SyncStarted,
    Undone,
)
from projections.changes import Changes
from projections.history import HistoryItem
from projections.view import PackageView

# --- markers ------------------------------------------------------------------------------


def markers(view: PackageView, stale: bool) -> str:
    """Three cells: edited/conflict, shortlisted/rejected, stale."""
    edit = "!" if view.conflicts else ("✎" if view.overridden else " ")
    star = (
        "★"
        if view.status in ("shortlisted", "using")
        else ("✗" if view.status == "rejected" else " ")
    )
    return edit + star + ("⚠" if stale else " ")


# --- the package columns ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # a sort key of catalog.rows.SORTS
    label: str
    width: int  # 0: takes the remaining width
    right: bool = False


COLUMNS = {
    c.key: c
    for c in (
        Column("status", "", 3),
        Column("id", "id", 6, right=True),
        Column("title", "title", 0),
        Column("category", "category", 10),
        Column("version", "version", 10),
        Column("watchers", "★ watchers", 10, right=True),
        Column("forks", "forks", 6, right=True),
        Column("last_commit", "last commit", 12),
        Column("activity", "52 weeks", 26),
    )
}


def cell_text(column: Column, row: Row, now: datetime | None) -> str:
    """What one cell of a package row says (safe text, not yet fitted to the column)."""
    p = row.view.record
    match column.key:
        case "status":
            return markers(row.view, row.stale)
        case "id":
            return str(p.id)
        case "title":
            return safe_text(p.title)
        case "category":
            return safe_text(row.category)
        case "version":
            return safe_text(p.pypi_version or "")
        case "watchers":
            return thousands(p.repo_watchers)
        case "forks":
            return thousands(p.repo_forks)
        case "last_commit":
            return relative(p.last_updated, now)
        case "activity":
            return weekly(p.commits_over_52, column.width)
    return ""


# --- a package's details ------------------------------------------------------------------


@dataclass(frozen=True)
class Detail:
    label: str
    value: str  # safe text
    tone: str = ""  # "", "warning" or "error": how the app colours it


def package_details(
    view: PackageView,
    category_names: dict[int, str],
    grid_titles: dict[int, str],
    now: datetime | None,
) -> list[Detail]:
    """Every row the package screen and ``djp show`` print, in order."""
    p = view.record
    last = (
        f"{local_time(p.last_updated)} ({relative(p.last_updated, now)})" if p.last_updated else ""
    )
    rows = [
        Detail("title", safe_text(p.title)),
        Detail("description", safe_text(p.repo_description)),
        Detail("slug", safe_text(p.slug)),
        Detail("id", str(p.id)),
        Detail("category", safe_text(category_names.get(p.category, p.category or ""))),
        Detail("repo", safe_text(p.repo_url)),
        Detail("docs", safe_text(p.documentation_url or "")),
        Detail("pypi", safe_text(f"{pypi_name(p.pypi_url)} {p.pypi_version or ''}".strip())),
        Detail("watchers", f"★ {thousands(p.repo_watchers)}   forks {thousands(p.repo_forks)}"),
        Detail("last commit", last),
        Detail("activity", sparkline(p.commits_over_52)),
        Detail("participants", safe_text(", ".join(p.participants))),
        Detail("grids", safe_text(", ".join(str(grid_titles.get(g, g)) for g in p.grids))),
        Detail("status", safe_text(view.status)),
        Detail("tags", safe_text(", ".join(view.tags))),
        Detail("notes", safe_text(view.notes)),
    ]
    if view.vanished:
        rows.append(Detail("upstream", "vanished from the API", "error"))
    if view.overridden:
        rows.append(Detail("edited", ", ".join(sorted(view.overridden)), "warning"))
    if view.conflicts:
        rows.append(
            Detail(
                "conflicts",
                ", ".join(view.conflicts) + " — upstream changed this since you edited it",
                "error",
            )
        )
    return rows


def grid_count(shown: int, missing: int) -> str:
    """``12 packages (3 not fetched yet)``: what a grid holds, as both UIs say it."""
    extra = f" ({missing:,} not fetched yet)" if missing else ""
    return f"{shown:,} package{'' if shown == 1 else 's'}{extra}"


# --- events, syncs, history -------------------------------------------------------------


def sync_summary(report: SyncFinished) -> str:
    """One line for a finished sync: outcome, counts, time, requests."""
    c = report.counts
    text = (
        f"{report.outcome}: {c.records:,} records ({c.new:,} new, {c.changed:,} changed, "
        f"{c.returned:,} back, {c.vanished:,} vanished, {c.skipped:,} skipped) in "
        f"{report.duration_s:.1f}s"
    )
    if c.requests:
        text += f", {c.requests} requests, {c.bytes / 1e6:.1f} MB"
    return safe_text(text)


def event_summary(event: object) -> str:
    """One line saying what an event did, for logs and timelines (already made safe)."""
    match event:
        case SyncStarted(source=source, kind=kind):
            text = f"{kind} sync from {source}"
        case SyncFinished(error=error, warnings=warnings):
            text = sync_summary(event) + (f" ({error})" if error else "")
            if warnings:
                text += f"; {len(warnings)} warning{'s' if len(warnings) > 1 else ''}"
        case RecordSeen(resource=resource, record=record, again=again):
            verb = "seen again" if again else "first seen"
            text = f"{resource} {record.id} {verb}: {record.slug}"
        case RecordChanged(resource=resource, id=ident, changes=changes):
            text = f"{resource} {ident} changed: {', '.join(sorted(changes))}"
        case RecordVanished(resource=resource, id=ident):
            text = f"{resource} {ident} vanished upstream"
        case Edited(target=target, changes=changes):
            text = f"edited {', '.join(sorted(changes))} of {target}"
        case Undone(target=target, edit_seq=edit_seq):
            text = f"undid edit {edit_seq} of {target}"
        case Redone(target=target, edit_seq=edit_seq):
            text = f"redid edit {edit_seq} of {target}"
        case _:
            text = type(event).__name__
    return safe_text(text)


def history_kind(item: HistoryItem) -> str:
    """``edit``, ``undo of 81``, ``edit (undone)``: what a history entry is."""
    text = item.kind
    if item.edit_seq is not None:
        text += f" of {item.edit_seq}"
    if item.undone:
        text += " (undone)"
    return text


def short_value(value: Any, limit: int = 60) -> str:
    """A field's value in a diff line: lists in brackets, none as a dash, long text cut."""
    if isinstance(value, list):
        return "[" + ", ".join(safe_text(v) for v in value[:60]) + "]"
    if value is None:
        return "—"
    text = safe_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes_report(
    changes: Changes, name: Callable[[int], str], limit: int = 100
) -> tuple[str, list[tuple[str, list[str]]]]:
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
