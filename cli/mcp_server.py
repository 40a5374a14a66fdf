"""``djp mcp``: the catalogue, readiness, stacks and your notes for AI assistants, over the
Model Context Protocol (the official MCP Python SDK, ``mcp`` 2.x: ``MCPServer``, its tool
decorators, type hints as the input schema, structured results).

Every tool reads the local store, as the app does: the rows are kept in a ``Browser`` and
what another process appended since the last call (a sync in another terminal) is folded in
before each answer. No tool touches the network unless its description says so
(``refresh_package``). Results use the keys of the command line's ``--json``; lists take a
``limit`` (capped at ``LIMIT_MAX``, and the answer says so). Remote text is returned as plain
strings. Writing tools exist only with ``--allow-edits``: each is one event like the app's
edits, with a note naming the MCP server, and ``undo`` takes it back. The answers live in
``cli.mcp_answers``, the stdio transport in ``cli.mcp_stdio``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from catalog import VERSION
from catalog.errors import UserError
from catalog.read import lookup, queries
from catalog.read.changes import what_changed
from catalog.read.filters import plain_words
from catalog.read.history import target_history
from cli.mcp_answers import (
    Served,
    capped,
    grid_json,
    package_json,
    row_summary,
    stack_json,
    with_note,
)

#: The note every edit made through the server carries (the log names where it came from).
MCP_NOTE = "via djp mcp"

INSTRUCTIONS = (
    "djp answers from a local copy of the Django Packages catalogue (djangopackages.org) with "
    "PyPI's facts: readiness for each Django release with evidence, licence, release age, "
    "yanks and advisories, and the user's own notes, status and tags. Search with "
    "search_packages (the filter language: words, grid:SLUG, is:FLAG, django:5.2, "
    "license:MIT), then get_package or compare_packages; check_stack and plan_upgrade judge a "
    "project's dependency files."
)


def build_server(served: Served) -> MCPServer:
    """The server and its tools (the writing ones only when ``served.allow_edits``)."""
    server = MCPServer("djp", version=VERSION, instructions=INSTRUCTIONS)

    @server.tool(
        description="Search the Django Packages catalogue with djp's filter language (words "
        "all present; grid:SLUG, cat:NAME, tag:X, is:starred/stale/vulnerable/yanked, "
        "django:5.2 or django:5.2:no, license:MIT, -word), best match first. Each result: "
        "slug, title, description, watchers, last commit, latest release and its date, "
        "licence, the readiness verdict for `django` (default: the user's chosen Django), the "
        "user's status and tags. Local store only; no network."
    )
    def search_packages(query: str, django: str | None = None, limit: int = 20) -> dict[str, Any]:
        version = served.django(django)
        limit, note = capped(limit)
        sort = "relevance" if plain_words(query) else "watchers"
        rows = served.select(query, sort, version, descending=sort == "watchers")
        found = [row_summary(r, version) for r in rows[:limit]]
        return with_note({"total": len(rows), "django": version, "packages": found}, note)

    @server.tool(
        description="Everything djp knows of one package (by slug or id), as `djp show "
        "--json`: the catalogue's fields, PyPI facts, the readiness verdict with evidence for "
        "every Django release, the health rules, its grids, the user's notes, status and "
        "tags. Local store only."
    )
    def get_package(package: str) -> dict[str, Any]:
        return package_json(served, served.package(package))

    @server.tool(
        description="Compare 2 to 10 packages (slugs or ids) side by side: one row per "
        "attribute (watchers, last commit, release, licence, advisories, readiness for "
        "`django`, health...), each value per package and which are best. Local store only."
    )
    def compare_packages(packages: list[str], django: str | None = None) -> dict[str, Any]:
        from catalog.present.compare import compare

        if not 2 <= len(packages) <= 10:
            raise ToolError("name 2 to 10 packages to compare")
        version = served.django(django)
        rows = [served.package(p) for p in packages]
        index = served.rows()
        result = compare(rows, index.category_names, index.now, version)
        return {
            "packages": result.packages,
            "django": version,
            "rows": [
                {"attribute": a.label, "values": dict(zip(result.packages, a.texts, strict=True)),
                 "best": [result.packages[i] for i in sorted(a.best)]}
                for a in result.attributes
            ],
        }  # fmt: skip

    @server.tool(
        description="The grids (comparison lists) of the catalogue and the user's own, whose "
        "title or slug holds `query` (all without one): slug, title, how many packages. "
        "Local store only."
    )
    def list_grids(query: str | None = None, limit: int = 50) -> dict[str, Any]:
        limit, note = capped(limit)
        index = served.rows()
        wanted = (query or "").casefold()
        grids = [
            g for g in lookup.grids(index.tables)
            if wanted in g.record.title.casefold() or wanted in g.record.slug.casefold()
        ]  # fmt: skip
        listed = [
            {"slug": g.record.slug, "key": g.key, "title": g.record.title, "local": g.local,
             "packages": len(index.grid_member_ids(g))}
            for g in grids[:limit]
        ]  # fmt: skip
        return with_note({"total": len(grids), "grids": listed}, note)

    @server.tool(
        description="One grid (by slug or id) as `djp grid --json` and its packages (as "
        "search_packages lists them). Local store only."
    )
    def get_grid(grid: str) -> dict[str, Any]:
        return grid_json(served, grid)

    @server.tool(
        description="Will the packages `query` selects (all without one) work with Django "
        "`django`? One of yes / no / undeclared / unknown / n/a per package, with the "
        "evidence, and how many of each. Local store only."
    )
    def readiness(django: str, query: str | None = None, limit: int = 100) -> dict[str, Any]:
        version = served.django(django)
        limit, note = capped(limit)
        rows = served.select(query or "", "title", version)
        counts: dict[str, int] = {}
        listed = []
        for row in rows:
            v = row.pypi.django(version) if row.pypi else None
            word = v.verdict if v else "unknown"
            counts[word] = counts.get(word, 0) + 1
            if len(listed) < limit:
                listed.append({"slug": row.view.record.slug, "verdict": word,
                               "evidence": v.evidence if v else "no PyPI facts yet"})  # fmt: skip
        return with_note({"django": version, "counts": counts, "packages": listed}, note)

    @server.tool(
        description="Judge a project's dependencies (a directory or a requirements*.txt, "
        "pyproject.toml, uv.lock or pylock.toml the user names) as `djp stack --json`: per "
        "dependency the release judged and why, the verdict for the target Django, yanks, "
        "advisories (id, aliases, fix versions), whether it was checked, and its problems. "
        "Uses the PyPI facts in the store (no network): a release not read yet is unchecked."
    )
    async def check_stack(path: str, django: str | None = None) -> dict[str, Any]:
        return await stack_json(served, path, django, plan=False)

    @server.tool(
        description="The upgrade plan for a project (as check_stack) and Django `django`: per "
        "dependency the smallest release that declares it (ready), that has no known advisory "
        "(clear), and both (move_to), with the reason, as `djp stack --plan --json`. Uses the "
        "release pages in the store (no network): `djp stack --plan` reads the missing ones."
    )
    async def plan_upgrade(path: str, django: str) -> dict[str, Any]:
        return await stack_json(served, path, django, plan=True)

    @server.tool(
        description="What happened to one package (slug or id), newest last: upstream "
        "changes and the user's edits, field by field, as `djp history --json`. Local store "
        "only."
    )
    def package_history(package: str, limit: int = 50) -> dict[str, Any]:
        limit, note = capped(limit)
        row = served.package(package)
        try:
            _, items = target_history(served.catalog, str(row.view.record.id))
        except UserError as exc:
            raise ToolError(str(exc)) from None
        kept = [
            queries.site_times(msgspec.to_builtins(i, builtin_types=(datetime,)))
            for i in items[-limit:]
        ]
        return with_note({"package": row.view.record.slug, "total": len(items),
                          "events": kept}, note)  # fmt: skip

    @server.tool(
        description="What changed upstream between two syncs (`since`: a sync id prefix; "
        "default: the last two), as `djp changes --json`. Local store only."
    )
    def changes(since: str | None = None) -> dict[str, Any]:
        served.rows()
        try:
            found = what_changed(served.catalog, since, None)
        except UserError as exc:
            raise ToolError(str(exc)) from None
        return queries.site_times(msgspec.to_builtins(found, builtin_types=(datetime,)))

    @server.tool(
        description="NETWORK: ask PyPI now for one package's facts (latest release, licence, "
        "classifiers, yanks, advisories), as opening the package in the app does, and "
        "return get_package's answer."
    )
    async def refresh_package(package: str) -> dict[str, Any]:
        from catalog.api import canonical_name, pypi_name
        from catalog.pypi.fetch import fetch_pypi

        row = served.package(package)
        name = pypi_name(row.view.record.pypi_url)
        if not name:
            raise ToolError(f"{row.view.record.slug} names no PyPI project")
        report = await fetch_pypi(
            served.catalog, {row.view.target: canonical_name(name)}, served.pypi_config
        )
        if report.unreachable or report.errors:
            raise ToolError(f"PyPI: {report.unreachable or report.errors[0]}")
        return package_json(served, served.package(package))

    @server.resource("djp://package/{slug}", description="get_package's answer")
    def package_resource(slug: str) -> dict[str, Any]:
        return package_json(served, served.package(slug))

    @server.resource("djp://grid/{slug}", description="get_grid's answer")
    def grid_resource(slug: str) -> dict[str, Any]:
        return grid_json(served, slug)

    if served.allow_edits:
        add_edit_tools(server, served)
    return server


def add_edit_tools(server: MCPServer, served: Served) -> None:
    """The writing tools (``--allow-edits``): validated as ``djp edit`` validates, one event
    each, noted as coming from the MCP server, undoable."""
    from catalog.edits.commands import change_grid_members, edit_package, undo
    from catalog.present.events import act_summary

    def done(envelope) -> dict[str, Any]:
        served.rows()
        return {"event": envelope.seq, "summary": act_summary(served.catalog, envelope)}

    def edit(package: str, fields: dict, note: str | None) -> dict[str, Any]:
        row = served.package(package)
        text = f"{MCP_NOTE}: {note}" if note else MCP_NOTE
        try:
            return done(edit_package(served.catalog, str(row.view.record.id), fields, text))
        except UserError as exc:
            raise ToolError(str(exc)) from None

    @server.tool(
        description="EDIT: set the user's status of a package (none, shortlisted, "
        "using, rejected, watching...), with an optional note. One undoable event."
    )
    def set_status(package: str, status: str, note: str | None = None) -> dict[str, Any]:
        return edit(package, {"status": status}, note)

    @server.tool(
        description="EDIT: add a line to the user's notes of a package. One undoable event."
    )
    def add_note(package: str, text: str) -> dict[str, Any]:
        current = served.package(package).view.notes
        return edit(package, {"notes": f"{current}\n{text}" if current else text}, None)

    @server.tool(
        description="EDIT: add tags to a package (kept with its others). One undoable event."
    )
    def tag(package: str, tags: list[str]) -> dict[str, Any]:
        current = list(served.package(package).view.tags)
        merged = current + [t for t in tags if t not in current]
        return edit(package, {"tags": ", ".join(merged)}, None)

    @server.tool(
        description="EDIT: add packages (slugs or ids) to a grid (slug, id, or one "
        "of the user's). One undoable event."
    )
    def add_to_grid(grid: str, packages: list[str]) -> dict[str, Any]:
        index = served.rows()
        view = lookup.find_grid(index.tables, grid)
        if view is None:
            raise ToolError(f"no grid {grid!r} (list_grids lists them)")
        ids = [str(served.package(p).view.record.id) for p in packages]
        try:
            key = view.key if view.local else str(view.record.id)
            return done(change_grid_members(served.catalog, key, add=ids, note=MCP_NOTE))
        except UserError as exc:
            raise ToolError(str(exc)) from None

    @server.tool(
        name="undo", description="EDIT: undo the user's newest edit (made here or anywhere)."
    )
    def undo_edit() -> dict[str, Any]:
        try:
            return done(undo(served.catalog))
        except UserError as exc:
            raise ToolError(str(exc)) from None
