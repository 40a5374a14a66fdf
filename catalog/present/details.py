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
from catalog.catalog import Catalog
from catalog.pypi.cache import pypi_status
from catalog.pypi.readiness import Digest, health, pypi_summary
from catalog.pypi.verdicts import DJANGO_RELEASES, DJANGO_TABLE_SOURCE, Verdict
from catalog.read.history import target_names
from catalog.read.rows import Row
from catalog.text import (
    category_label,
    counted,
    local_time,
    relative,
    safe_text,
    sparkline,
    thousands,
    weekly,
)
from eventstore import (
    Edited,
    FieldChange,
    PypiObserved,
    RecordChanged,
    RecordSeen,
    RecordVanished,
    Redone,
    ReleaseObserved,
    SyncFinished,
    SyncStarted,
    Undone,
)
from projections.fold import Tables
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
    key: str  # a sort key of catalog.read.rows.SORTS
    label: str
    width: int  # 0: takes the remaining width
    right: bool = False


COLUMNS = {
    c.key: c
    for c in (
        Column("status", "", 4),
        Column("id", "id", 6, right=True),
        Column("title", "title", 0),
        Column("category", "category", 10),
        Column("version", "version", 10),
        Column("watchers", "★ watchers", 10, right=True),
        Column("forks", "forks", 6, right=True),
        Column("last_commit", "last commit", 12),
        Column("activity", "52 weeks", 26),
        Column("license", "licence", 12),
        Column("released", "released", 10),
        Column("django", "Django", 7),
    )
}
VERDICT_CELLS = {"yes": "✓ yes", "no": "✗ no", "unknown": "?"}
VERDICT_TONES = {"yes": "success", "no": "error", "unknown": ""}


def column_label(column: Column, django: str) -> str:
    return f"Dj {django}" if column.key == "django" else column.label


def cell_text(column: Column, row: Row, now: datetime | None, django: str = "") -> str:
    """What one cell of a package row says (safe text, not yet fitted to the column);
    ``django`` is the version of the readiness column."""
    p = row.view.record
    d = row.pypi
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
        case "license":
            return safe_text(d.license) if d else ""
        case "released":
            if d is None:
                return ""
            if d.facts is None:
                return "no PyPI"
            return relative(d.released, now)
        case "django":
            return VERDICT_CELLS[d.django(django).verdict] if d and django else ""
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
        Detail("category", category_label(category_names, p.category)),
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
    for name in view.conflicts:  # yours is what the rows above show; upstream's new value:
        theirs = short_value(view.theirs.get(name), 60)
        rows.append(
            Detail(
                "conflict",
                f"{name}: upstream now {theirs} — yours kept until you choose (C)",
                "error",
            )
        )
    return rows


def pypi_details(
    name: str | None,
    digest: Digest | None,
    fetched: datetime | None,
    error: str | None,
    last_commit: datetime | None,
    now: datetime,
    advisories_shown: int | None = None,
) -> list[Detail]:
    """The PyPI section of the package screen and ``djp show``: facts, advisories, readiness
    for every Django release in the table with its evidence, and the health rules.
    ``advisories_shown``: list that many advisories and count the rest (the package screen:
    a thousand made it take a second to open; ``djp show`` lists them all)."""
    if not name:
        return [Detail("PyPI", "no PyPI name in the catalogue")]
    when = f"fetched {relative(fetched, now)}" if fetched else "not fetched yet"
    rows = [Detail("PyPI", safe_text(f"{name} ({when})"))]
    if error:
        rows.append(Detail("last fetch", safe_text(error), "error"))
    if digest is not None and digest.facts is None:
        rows.append(Detail("on PyPI", "no: PyPI has no such project", "warning"))
    if digest is not None and digest.facts is not None:
        d = digest
        released = f"{local_time(d.released)} ({relative(d.released, now)})" if d.released else ""
        rows += [
            Detail("latest", safe_text(f"{d.latest}  {released}".strip())),
            Detail("releases", f"{d.releases_last_year} in the last 12 months"),
            Detail("licence", safe_text(d.license)),
            Detail(
                "requires", safe_text(f"Python {d.requires_python}" if d.requires_python else "")
            ),
            Detail(
                "status",
                safe_text(f"{d.dev_status[0]} - {d.dev_status[1]}" if d.dev_status else ""),
            ),
        ]
        if d.yanked:
            reason = f": {d.yanked_reason}" if d.yanked_reason else ""
            rows.append(Detail("yanked", safe_text(f"{d.latest} is yanked{reason}"), "error"))
        shown = d.advisories if advisories_shown is None else d.advisories[:advisories_shown]
        for a in shown:
            fixed = f"fixed in {', '.join(a.fixed_in)}" if a.fixed_in else "no fixed version"
            also = f" ({', '.join(a.aliases)})" if a.aliases else ""
            rows.append(
                Detail(
                    "advisory", safe_text(f"{a.id}{also}: {fixed}. {a.summary}".strip()), "error"
                )
            )
        if len(shown) < len(d.advisories):
            more = f"and {len(d.advisories) - len(shown):,} more (djp show {name} lists them)"
            rows.append(Detail("advisory", safe_text(more), "error"))
        if d.advisories_left_out:
            more = f"and {d.advisories_left_out:,} more, not kept (djp keeps {len(d.advisories):,})"
            rows.append(Detail("advisory", more, "error"))
        for versions, v in readiness_spans(d):
            rows.append(
                Detail(
                    f"Django {versions}",
                    safe_text(f"{VERDICT_CELLS[v.verdict]}  {v.evidence}"),
                    VERDICT_TONES[v.verdict],
                )
            )
    for rule in health(last_commit, digest, now):
        mark = {True: "✓", False: "✗", None: "?"}[rule.ok]
        tone = {True: "", False: "warning", None: ""}[rule.ok]
        rows.append(Detail("health", safe_text(f"{mark} {rule.name}: {rule.evidence}"), tone))
    rows.append(Detail("", DJANGO_TABLE_SOURCE))
    return rows


def readiness_spans(digest: Digest) -> list[tuple[str, Verdict]]:
    """The verdict for each Django release, in order; releases in a row with the same verdict
    for the same reason are one span ("4.1-6.1": ✗ no, declares 2.2-4.0 only; "2.2-4.1": ?
    declares 4.2, 5.2, 6.0: each release's "not X" is the span's label)."""
    spans: list[tuple[list[str], Verdict]] = []
    for release in DJANGO_RELEASES:
        v = digest.django(release.version)
        reason = Verdict(v.verdict, v.evidence.removesuffix(f", not {release.version}"))
        if spans and spans[-1][1] == reason:
            spans[-1][0].append(release.version)
        else:
            spans.append(([release.version], reason))
    return [
        (f"{vs[0]}-{vs[-1]}", v) if len(vs) > 1 else (vs[0], digest.django(vs[0]))
        for vs, v in spans
    ]


def grid_count(shown: int, missing: int) -> str:
    """``12 packages (3 not fetched yet)``: what a grid holds, as both UIs say it."""
    extra = f" ({missing:,} not fetched yet)" if missing else ""
    return counted(shown, "package") + extra


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


#: Fields that hold package ids: a grid's members, and the members you added or removed.
MEMBER_FIELDS = frozenset({"packages", "added", "removed"})


def package_names(ids: list[int], name: Callable[[str], str], limit: int = 5) -> str:
    """``django-a, django-b and 3 more``: packages by slug (an id not fetched yet as such)."""

    def one(ident: int) -> str:
        key = f"package:{ident}"
        found = name(key)
        return f"package {ident} (not fetched)" if found == key else found

    shown = ", ".join(one(i) for i in ids[:limit])
    more = len(ids) - limit
    return shown + (f" and {more:,} more" if more > 0 else "")


def member_words(
    field: str, change: FieldChange, name: Callable[[str], str], limit: int = 5
) -> str:
    """A change of a grid's members in words: ``added django-a; removed django-b`` (a package
    leaving the list of those you removed is back in the grid)."""
    before, after = set(change.before or []), set(change.after or [])
    gained, lost = sorted(after - before), sorted(before - after)
    if field == "removed":
        gained, lost = lost, gained
    parts = []
    if gained:
        parts.append("added " + package_names(gained, name, limit))
    if lost:
        parts.append("removed " + package_names(lost, name, limit))
    return "; ".join(parts) or "no change"


def _changed(
    changes: dict[str, FieldChange], limit: int = 3, name: Callable[[str], str] | None = None
) -> str:
    """``title "A" → "B"; tags [] → [x]``: a few fields' changes, the rest counted; a grid's
    members by name when ``name`` is given."""
    parts = [
        member_words(field, c, name, 3)
        if name is not None and field in MEMBER_FIELDS
        else f"{field} {short_value(c.before, 30)} → {short_value(c.after, 30)}"
        for field, c in sorted(changes.items())[:limit]
    ]
    if len(changes) > limit:
        parts.append(f"and {counted(len(changes) - limit, 'more field', 'more fields')}")
    return "; ".join(parts)


def event_summary(event: object, name: Callable[[str], str] | None = None) -> str:
    """One line saying what an event did, for logs and timelines (already made safe);
    ``name(target)`` gives the slug of ``package:3324`` (else the target is shown)."""
    name = name or (lambda target: target)
    match event:
        case SyncStarted(source=source, kind=kind):
            text = f"{kind} sync from {source}"
        case SyncFinished(error=error, warnings=warnings):
            text = sync_summary(event) + (f" ({error})" if error else "")
            if warnings:
                text += "; " + counted(len(warnings), "warning")
        case RecordSeen(resource=resource, record=record, again=again):
            verb = "seen again" if again else "first seen"
            text = f"{resource} {record.slug} {verb} (id {record.id})"
        case RecordChanged(resource=resource, id=ident, changes=changes):
            what = _changed(changes, name=name if resource == "grid" else None)
            text = f"{resource} {name(f'{resource}:{ident}')} changed upstream: {what}"
        case RecordVanished(resource=resource, id=ident):
            text = f"{resource} {name(f'{resource}:{ident}')} vanished upstream"
        case Edited(target=target, changes=changes) if "exists" in changes:
            verb = "created" if changes["exists"].after else "deleted"
            title = changes["title"].after if "title" in changes else None
            text = f"{verb} {name(target)}" + (f" ({title})" if title else "")
        case Edited(target=target, changes=changes):
            grid = target.startswith(("grid:", "localgrid:"))
            text = f"edited {name(target)}: {_changed(changes, name=name if grid else None)}"
        case Undone(target=target, edit_seq=edit_seq):
            text = f"undid edit {edit_seq:,} of {name(target)}"
        case Redone(target=target, edit_seq=edit_seq, changes=changes):
            grid = target.startswith(("grid:", "localgrid:"))
            what = _changed(changes, name=name if grid else None)
            text = f"redid edit {edit_seq:,} of {name(target)}: {what}"
        case PypiObserved(target=target, state=state, facts=facts):
            if state == "missing":
                text = f"PyPI: {name(target)} is not on PyPI"
            else:
                text = f"PyPI facts of {name(target)}: latest {facts.latest if facts else '?'}"
        case ReleaseObserved(name=project, version=version, state="missing"):
            text = f"PyPI release {project}=={version}: PyPI has no page for it"
        case ReleaseObserved(name=project, version=version, yanked=yanked, vulnerabilities=v):
            state = "yanked" if yanked else "not yanked"
            text = f"PyPI release {project}=={version}: {state}, " + counted(
                len(v), "advisory", "advisories"
            )
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
    """A field's value in a diff line: lists in brackets, none (or empty text) as a dash,
    long text cut."""
    if isinstance(value, list):
        return "[" + ", ".join(safe_text(v) for v in value[:60]) + "]"
    if value is None or value == "":
        return "—"
    text = safe_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pypi_details_of(catalog: Catalog, tables: Tables, view: PackageView, now: datetime) -> list:
    """The PyPI rows of ``catalog.present.details.pypi_details`` for one package."""
    status = pypi_status(catalog, tables, view, now)
    return pypi_details(
        status.name, status.digest, status.fetched, status.error, view.record.last_updated, now
    )


def pypi_of(catalog: Catalog, tables: Tables, view: PackageView, now: datetime) -> dict | None:
    """``djp show --json``'s ``pypi``: null without a PyPI name; else what was recorded, the
    state (``ok``, ``missing``, ``error`` when the last fetch failed; null before the first)
    and the verdicts (``catalog.pypi.readiness.pypi_summary``)."""
    status = pypi_status(catalog, tables, view, now)
    if status.name is None:
        return None
    digest = status.digest
    state = "error" if status.error else (digest.state if digest is not None else None)
    facts = digest.facts if digest is not None else None
    summary = pypi_summary(status.name, state, facts, status.fetched, now)
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in summary.items()}


def act_summary(catalog: Catalog, envelope) -> str:
    """What an edit, an undo or a redo did, naming the package and fields: "undid edit 219
    of arecibo (title, notes)" — for toasts and the command line."""
    name = target_names(catalog)
    event = envelope.event
    edit_seq = getattr(event, "edit_seq", None)
    if edit_seq is not None and not getattr(event, "changes", None):  # an undo
        original = catalog.event(edit_seq)
        changes = getattr(original.event, "changes", {}) if original else {}
        if "exists" in changes:  # a creation or a deletion: say which was undone
            what = "its creation" if changes["exists"].after else "its deletion"
        else:
            what = ", ".join(sorted(changes))
        return safe_text(f"undid edit {edit_seq:,} of {name(event.target)} ({what})")
    return event_summary(event, name)
