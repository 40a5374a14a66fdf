"""What ``djp mcp``'s tools answer, as plain data with the command line's ``--json`` keys:
the state they share (``Served``: the open catalogue and its rows, kept current), a package,
a grid, a project's stack; ``ToolError`` for what a user can cause, in one sentence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from catalog.catalog import Catalog
from catalog.pypi.readiness import health
from catalog.pypi.verdicts import DJANGO_RELEASES
from catalog.read import lookup, queries
from catalog.read.browse import Browser
from catalog.read.filters import FilterError
from catalog.read.rows import Row, shown_version
from catalog.read.settings import Settings

LIMIT_MAX = 500


@dataclass
class Served:
    """What the tools share: the open catalogue and its rows, kept current."""

    catalog: Catalog
    browser: Browser
    allow_edits: bool
    pypi_config: Any = None  # catalog.pypi.fetch.PypiConfig (refresh_package)

    def rows(self) -> Browser:
        """The rows as the log stands now (another process's events folded in)."""
        self.browser.refresh()
        self.browser.now = datetime.now(UTC)
        return self.browser

    def django(self, django: str | None) -> str:
        if django is None:
            return Settings(self.catalog).django(datetime.now(UTC).date())
        if django not in {r.version for r in DJANGO_RELEASES}:
            known = ", ".join(r.version for r in DJANGO_RELEASES)
            raise ToolError(f"Django {django} is not a feature release; choose one of {known}")
        return django

    def select(self, query: str, sort: str, django: str, descending: bool = False) -> list[Row]:
        """The rows the filter language selects, sorted; a filter not understood is one
        sentence."""
        index = self.rows()
        index.django_version = django
        try:
            return index.filter(query, sort, descending)
        except FilterError as exc:
            raise ToolError(str(exc)) from None

    def package(self, package: str) -> Row:
        """A package by slug or id; an unknown one names the nearest slugs."""
        index = self.rows()
        try:
            view = self.catalog.package_view(package)
        except LookupError as exc:
            raise ToolError(str(exc).strip("'\"")) from None
        row = index.rows.get(view.key)
        if row is None:
            raise ToolError(f"no package {package!r} in the catalogue now")
        return row


def capped(limit: int) -> tuple[int, str | None]:
    """``limit`` within 1..``LIMIT_MAX``, and a note when it was cut."""
    if limit > LIMIT_MAX:
        return LIMIT_MAX, f"limit {limit} is capped at {LIMIT_MAX}"
    return max(1, limit), None


def row_summary(row: Row, django: str) -> dict[str, Any]:
    """A package in a list: what a choice needs, with the verdict for ``django``."""
    record, d = row.view.record, row.pypi
    verdict = d.django(django) if d is not None else None
    return {
        "slug": record.slug,
        "title": record.title,
        "description": record.repo_description,
        "watchers": record.repo_watchers,
        "last_commit": queries.site_times(record.last_updated),
        "latest": shown_version(row) or None,
        "released": queries.site_times(d.released) if d is not None else None,
        "license": (d.license or None) if d is not None else None,
        "django": {
            "version": django,
            "verdict": verdict.verdict if verdict else "unknown",
            "evidence": verdict.evidence if verdict else "no PyPI facts yet",
        },
        "status": row.view.status,
        "tags": list(row.view.tags),
    }


def with_note(out: dict[str, Any], note: str | None) -> dict[str, Any]:
    return out | {"note": note} if note else out


def package_json(served: Served, row: Row) -> dict[str, Any]:
    from catalog.present.pypi import pypi_of

    index = served.rows()
    view = row.view
    out = queries.package_json(view)
    out["pypi"] = pypi_of(served.catalog, index.tables, view, index.now)
    d = row.pypi
    if d is not None and d.facts is not None:
        out["readiness"] = {
            r.version: {"verdict": d.django(r.version).verdict,
                        "evidence": d.django(r.version).evidence}
            for r in DJANGO_RELEASES
        }  # fmt: skip
    out["health"] = [
        {"rule": r.name, "ok": r.ok, "evidence": r.evidence}
        for r in health(view.record.last_updated, d, index.now)
    ]
    titles = {g.record.id: g.record.title for g in lookup.grids(index.tables) if not g.local}
    out["grid_titles"] = [titles.get(g, f"Grid {g}") for g in view.record.grids]
    return out


def grid_json(served: Served, grid: str) -> dict[str, Any]:
    index = served.rows()
    view = lookup.find_grid(index.tables, grid)
    if view is None:
        raise ToolError(f"no grid {grid!r} (list_grids lists them)")
    version = served.django(None)
    members = index.grid_member_ids(view)
    rows = [row for row in index.rows.values() if row.view.record.id in members]
    rows.sort(key=lambda r: -r.view.record.repo_watchers)
    return queries.grid_json(view) | {"packages": [row_summary(r, version) for r in rows]}


async def stack_json(
    served: Served, path: str, django: str | None, *, plan: bool
) -> dict[str, Any]:
    """A project's stack judged from the store's facts (recorded nowhere: reading is not an
    edit here), with the plan when ``plan``."""
    from catalog.stacks.fetch import dependency_targets, judged_rows, plan_stack, pypi_index
    from catalog.stacks.files import project_files, read_stack
    from catalog.stacks.judge import target_django
    from catalog.stacks.model import StackFileError
    from projections.stacks import StackView

    where = Path(path).expanduser()
    if not where.exists():
        raise ToolError(f"{path}: no such file or directory")
    try:
        files = project_files(where) if where.is_dir() else [where]
        stack = read_stack(files)
    except StackFileError as exc:
        raise ToolError(str(exc)) from None
    deps = {name: d.as_dict() for name, d in stack.dependencies.items()}
    view = StackView(where.resolve().name, files=stack.files, python=stack.python, deps=deps)
    if django is not None:
        served.django(django)  # a feature release, or a clear error
    version, why = target_django(view, django)
    index = served.rows()
    targets = dependency_targets(served.catalog, view, pypi_index(index.rows.values()))
    now = datetime.now(UTC)
    if plan:  # over the pages the log holds: config None reads none
        rows, _ = await plan_stack(served.catalog, view, version, None, now, targets=targets)
    else:
        rows = judged_rows(served.catalog, index.tables, view, targets, version, now)
    return {
        "stack": view.name,
        "files": view.files,
        "target_django": version,
        "target_because": why,
        "dependencies": [r.as_json() for r in rows],
        "problems": [p for r in rows for p in r.problems],
    }
