"""Events in words: a sync's summary, what one event did ("undid edit 219 of arecibo
(title, notes)"), a history line's kind, a value cut short."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalog.catalog import Catalog
from catalog.read.history import target_names
from catalog.text import (
    counted,
    safe_text,
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
from projections.history import HistoryItem

# --- markers ------------------------------------------------------------------------------


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


#: What a history calls a field, in words (the log's names are the API's and djp's own).
FIELD_WORDS = {
    "repo_description": "description", "repo_url": "repo", "documentation_url": "docs",
    "pypi_url": "PyPI address", "pypi_version": "version (the catalogue's)",
    "repo_watchers": "watchers", "repo_forks": "forks", "last_updated": "last commit",
    "commits_over_52": "commits in 52 weeks", "status": "your status", "tags": "your tags",
    "notes": "your notes", "exists": "exists",
    "pypi.state": "on PyPI", "pypi.latest": "latest release", "pypi.license": "licence",
    "pypi.requires_python": "requires Python", "pypi.yanked": "latest release yanked",
    "pypi.advisories": "advisories on the latest release",
    "pypi.django": "Django versions declared",
    "release.state": "release on PyPI", "release.yanked": "yanked",
    "release.advisories": "advisories", "release.django": "Django versions declared",
}  # fmt: skip


def field_words(name: str) -> str:
    """A field as a person reads it ("repo_watchers" is "watchers", "pypi.yanked" "latest
    release yanked"); a field without words is named as the log names it."""
    return FIELD_WORDS.get(name, name.replace("_", " "))


def value_words(name: str, value: Any, limit: int = 400) -> str:
    """A field's value as a person reads it: yes/no for a flag, "not on PyPI" for a state,
    the Django versions of classifiers, a count of commits, a dash for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name.endswith(".state"):
        return {"ok": "yes", "missing": "no: PyPI has no such project"}.get(value, str(value))
    if name.endswith(".django") and isinstance(value, list):
        prefix = "Framework :: Django :: "
        versions = [v[len(prefix) :] for v in value if v.startswith(prefix)]
        return ", ".join(safe_text(v) for v in versions) or "none"
    if name == "commits_over_52" and isinstance(value, list):
        return f"{sum(v for v in value if isinstance(v, int)):,} commits"
    if isinstance(value, list) and not value:
        return "none"
    if isinstance(value, int):
        return f"{value:,}"
    return short_value(value, limit)


def short_value(value: Any, limit: int = 60) -> str:
    """A field's value in a diff line: lists in brackets, none (or empty text) as a dash,
    long text cut."""
    if isinstance(value, list):
        return "[" + ", ".join(safe_text(v) for v in value[:60]) + "]"
    if value is None or value == "":
        return "—"
    text = safe_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
