"""What the app and the command line both show, built once so the two cannot drift.

Row markers, the package columns, a package's detail rows, one-line summaries of events,
syncs and history entries, and the report of what a sync changed. Everything returned here
is already made safe (``catalog.text.safe_text``); the app wraps it in ``rich.text.Text``,
the command line prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from catalog.api import pypi_name
from catalog.present.events import short_value
from catalog.read.rows import Row, shown_version
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
        Column("django", "Django", 10),
        Column("advisories", "advisories", 12),
    )
}
#: The five verdicts as every front end writes and colours them (``catalog.pypi.verdicts``).
VERDICT_CELLS = {"yes": "✓ yes", "no": "✗ no", "undeclared": "undeclared", "unknown": "unknown",
                 "n/a": "n/a"}  # fmt: skip
VERDICT_TONES = {"yes": "success", "no": "error", "undeclared": "warning", "unknown": "",
                 "n/a": ""}  # fmt: skip


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
            return safe_text(shown_version(row))
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
        case "advisories":  # the latest release's (is:vulnerable, is:yanked say why)
            if d is None or d.facts is None:
                return ""
            count = len(d.advisories) + d.advisories_left_out
            said = f"{count:,}" if count else "none"
            return f"{said}, yanked" if d.yanked else said
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
    latest: str = "",
) -> list[Detail]:
    """Every row the package screen and ``djp show`` print, in order. ``latest``: PyPI's
    latest release, when its facts exist: the version shown, the catalogue's own only where
    it differs, marked as the catalogue's."""
    p = view.record
    version = latest or p.pypi_version or ""
    if latest and p.pypi_version and p.pypi_version != latest:
        version = f"{latest} (the catalogue says {p.pypi_version})"
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
        Detail("pypi", safe_text(f"{pypi_name(p.pypi_url)} {version}".strip())),
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


def grid_count(shown: int, missing: int) -> str:
    """``12 packages (3 not fetched yet)``: what a grid holds, as both UIs say it."""
    extra = f" ({missing:,} not fetched yet)" if missing else ""
    return counted(shown, "package") + extra


# --- events, syncs, history -------------------------------------------------------------
