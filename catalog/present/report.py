"""What changed, in words: the report of a sync (new, vanished, versions, watchers, what PyPI
said changed, each stack's packages first) and a stack's changes reading by reading. Both
UIs print these; everything returned is already made safe."""

from __future__ import annotations

from collections.abc import Callable

from catalog.present.events import short_value
from catalog.text import counted, safe_text
from eventstore import FieldChange
from projections.changes import Changes


def _django_versions(classifiers: list[str] | None) -> list[str]:
    prefix = "Framework :: Django :: "
    return [c[len(prefix) :] for c in classifiers or [] if c.startswith(prefix)]


def pypi_change_words(changes: dict[str, FieldChange]) -> str:
    """``new release 3.15.0; licence BSD -> BSD-3-Clause; dropped Django 4.1``: what PyPI
    said changed, in the words of a release note."""
    words = []
    if (state := changes.get("pypi.state")) and state.after == "missing":
        return "gone from PyPI"
    if state and state.before == "missing":
        words.append("back on PyPI")
    if latest := changes.get("pypi.latest"):
        words.append(f"new release {latest.after}" if latest.after else "no release any more")
    if lic := changes.get("pypi.license"):
        words.append(f"licence {lic.before or 'unknown'} -> {lic.after or 'unknown'}")
    if django := changes.get("pypi.django"):
        before, after = _django_versions(django.before), _django_versions(django.after)
        added = [v for v in after if v not in before]
        dropped = [v for v in before if v not in after]
        if added:
            words.append(f"added Django {', '.join(added)}")
        if dropped:
            words.append(f"dropped Django {', '.join(dropped)}")
    if py := changes.get("pypi.requires_python"):
        words.append(f"requires Python {py.after or 'anything'}")
    if (yanked := changes.get("pypi.yanked")) is not None:
        words.append("latest release yanked" if yanked.after else "latest release no longer yanked")
    if advisories := changes.get("pypi.advisories"):
        fresh = [a for a in advisories.after or [] if a not in (advisories.before or [])]
        if fresh:
            words.append(counted(len(fresh), "new advisory", "new advisories"))
        elif not advisories.after:
            words.append("no advisories any more")
    return safe_text("; ".join(words))


def stack_change_words(name: str, change: FieldChange) -> str:
    """A stack's change in words: "django-x pinned 1.2 -> 1.3", "added django-y"."""
    before, after = change.before, change.after
    if name.startswith("dep:"):
        dep = safe_text(name[4:])
        if before is None:
            return f"added {dep} ({safe_text(after.get('requirement', ''))})"
        if after is None:
            return f"removed {dep}"
        words = []
        if before.get("pinned") != after.get("pinned"):
            old, new = before.get("pinned") or "nothing", after.get("pinned") or "nothing"
            words.append(f"{dep} pinned {safe_text(old)} -> {safe_text(new)}")
        elif before.get("requirement") != after.get("requirement"):
            words.append(
                f"{dep} {safe_text(before.get('requirement'))} -> "
                f"{safe_text(after.get('requirement'))}"
            )
        return "; ".join(words) or f"{dep} declared at {safe_text(after.get('source', ''))}"
    if name == "forgotten":
        return "forgotten" if after else ("read again" if before is not None else "")
    if name == "django":
        return f"target Django {short_value(before)} -> {short_value(after)}"
    if name == "files":
        return "files: " + ", ".join(safe_text(f) for f in after or [])
    return f"{safe_text(name)}: {short_value(before)} -> {short_value(after)}"


class Line(str):
    """A line of a report; ``package`` is the id of the package it is about (the app opens
    it), if one."""

    package: int | None = None


def line(text: str, package: int | None = None) -> Line:
    out = Line(text)
    out.package = package
    return out


def _cut(lines: list[Line], total: int, limit: int | None) -> list[Line]:
    """``lines`` cut at ``limit``, saying how many were left out."""
    if limit is None or total <= limit:
        return lines
    return [*lines[:limit], line(f"… and {total - limit:,} more (djp changes --all lists them)")]


def changes_report(
    changes: Changes,
    name: Callable[[int], str],
    limit: int | None = 100,
    stacks: dict[str, set[str]] | None = None,
) -> tuple[str, list[tuple[str, list[Line]]]]:
    """What changed between two syncs as (summary, [(section, lines)]), already made safe;
    each section cut at ``limit`` lines (None: all) with "… and N more".

    ``name(package_id)`` gives a package's display name. ``stacks`` (stack name -> the PyPI
    names of its dependencies) puts what changed for each stack's packages first: a new
    release, a yank, an advisory are what the user acts on."""
    summary = (
        f"events {changes.from_seq + 1:,} to {changes.to_seq:,}: {len(changes.new):,} new, "
        f"{len(changes.vanished):,} vanished, {len(changes.returned):,} back, "
        f"{changes.changed:,} changed"
    )
    sections = []
    for stack, names in sorted((stacks or {}).items()):
        lines = [
            line(f"{safe_text(c.name)}: {words}", c.id)
            for c in changes.pypi
            if c.name in names and (words := pypi_change_words(c.changes))
        ]
        for r in changes.releases:
            if r.name in names:
                words = []
                if r.yanked is not None:
                    words.append("yanked" if r.yanked else "no longer yanked")
                if r.new_advisories:
                    n = counted(len(r.new_advisories), "new advisory", "new advisories")
                    words.append(f"{n}: {', '.join(r.new_advisories)}")
                lines.append(line(safe_text(f"{r.name}=={r.version} (pinned): {'; '.join(words)}")))
        if lines:
            sections.append((f"your stack {safe_text(stack)}", _cut(lines, len(lines), limit)))
    for label, ids in (
        ("new", changes.new),
        ("vanished", changes.vanished),
        ("back", changes.returned),
    ):
        if ids:
            shown = ids if limit is None else ids[:limit]
            sections.append((label, _cut([line(name(i), i) for i in shown], len(ids), limit)))
    if changes.versions:
        shown = changes.versions if limit is None else changes.versions[:limit]
        lines = [
            line(f"{name(v.id)}: {safe_text(v.before)} → {safe_text(v.after)}", v.id) for v in shown
        ]
        sections.append(("versions", _cut(lines, len(changes.versions), limit)))
    if changes.watchers:
        sections.append(
            (
                "largest watcher gains",
                [
                    line(f"{name(w.id)}: {w.before:,} → {w.after:,} ({w.gain:+,})", w.id)
                    for w in changes.watchers
                ],
            )
        )
    pypi = [(c.id, pypi_change_words(c.changes)) for c in changes.pypi if c.id is not None]
    pypi = [(i, words) for i, words in pypi if words]
    if pypi or changes.pypi_first:
        shown = pypi if limit is None else pypi[:limit]
        lines = _cut([line(f"{name(i)}: {words}", i) for i, words in shown], len(pypi), limit)
        if changes.pypi_first:
            n = changes.pypi_first
            lines.append(line(f"first PyPI facts for {counted(n, 'project')}"))
        sections.append(("PyPI", lines))
    return summary, sections
