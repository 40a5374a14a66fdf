"""The ``djp`` command line.

Subcommands print plain text (made safe for the terminal) or, with ``--json``, one JSON object
per line. Every failure the user can cause ends in a one-line message and exit status 1.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec

from catalog.display import (
    changes_report,
    clip,
    event_summary,
    local_time,
    relative,
    safe_text,
    sparkline,
    thousands,
)
from catalog.edits import EditError
from catalog.queries import QueryError
from eventstore import Envelope, Store, StoreError
from projections.view import grid_members, packages_naming_grids

VERSION = "0.1.0"


class CommandError(Exception):
    """A failure to report as one line, exit status 1."""


def default_store_path() -> Path:
    env = os.environ.get("DJP_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("djp", appauthor=False)) / "store"


def _store_path(args: argparse.Namespace) -> Path:
    return Path(args.store).expanduser() if args.store else default_store_path()


def open_existing(args: argparse.Namespace) -> Store:
    path = _store_path(args)
    if not (path / "data.mdb").exists():
        raise CommandError(f"no store at {path} yet (a sync creates it)")
    return Store.open(path)


# --- log --------------------------------------------------------------------------------


def envelope_json(envelope: Envelope) -> dict:
    data = msgspec.to_builtins(envelope.event)
    data.pop("type", None)
    return {
        "seq": envelope.seq,
        "id": str(envelope.id),
        "stream": envelope.stream,
        "version": envelope.version,
        "type": envelope.type,
        "recorded_at": envelope.recorded_at.isoformat(),
        "data": data,
    }


def cmd_log(args: argparse.Namespace) -> int:
    with open_existing(args) as store:
        last = store.last_seq
        if args.since is not None:
            start = args.since + 1
            end = last if args.limit is None else min(last, args.since + args.limit)
        else:
            start = 1 if args.limit is None else max(1, last - args.limit + 1)
            end = last
        out = sys.stdout
        encode = msgspec.json.encode
        for envelope in store.read_all(start, end):
            if args.json:
                out.write(encode(envelope_json(envelope)).decode() + "\n")
            else:
                out.write(
                    f"{envelope.seq:>8}  {local_time(envelope.recorded_at)}  "
                    f"{safe_text(envelope.stream):<16} v{envelope.version:<4} "
                    f"{envelope.type:<14} {event_summary(envelope.event)}\n"
                )
    return 0


# --- sync -------------------------------------------------------------------------------


def open_catalog(args: argparse.Namespace, *, fill: bool = True):
    """The catalogue at the store path; an empty one is filled first (live, else snapshot)."""
    import asyncio

    from catalog.service import Catalog
    from catalog.sync import first_sync

    catalog = Catalog.open(_store_path(args))
    if fill and catalog.is_empty:
        print("djp: the store is empty; fetching the catalogue…", file=sys.stderr)
        report = asyncio.run(
            first_sync(catalog, _client_config(args), progress=_progress_printer())
        )
        if report.source.startswith("snapshot:"):
            print(
                "djp: the live API did not answer; loaded the catalogue snapshot that ships "
                f"with djp ({report.counts.records:,} records, {report.source}).",
                file=sys.stderr,
            )
        else:
            _print_sync_summary(report, file=sys.stderr)
    return catalog


def _client_config(args: argparse.Namespace):
    from catalog.client import ClientConfig

    base = getattr(args, "base_url", None) or os.environ.get("DJP_API_URL")
    return ClientConfig(base_url=base) if base else ClientConfig()


def _progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(p) -> None:
        sys.stderr.write(f"\r{p.describe()}\x1b[K")
        sys.stderr.flush()

    return show


def _print_sync_summary(report, file=None) -> None:
    file = file or sys.stdout
    if file.isatty():
        file.write("\r\x1b[K")
    c = report.counts
    line = (
        f"{report.outcome}: {c.records:,} records ({c.new:,} new, {c.changed:,} changed, "
        f"{c.returned:,} back, {c.vanished:,} vanished, {c.skipped:,} skipped) in "
        f"{report.duration_s:.1f}s, {c.requests} requests, {c.bytes / 1e6:.1f} MB"
    )
    print(line, file=file)
    for skipped in report.skipped[:20]:
        ident = skipped.id if skipped.id is not None else "?"
        print(f"  skipped {skipped.resource} {ident}: {safe_text(skipped.reason)}", file=file)
    if len(report.skipped) > 20:
        print(f"  … and {len(report.skipped) - 20} more skipped", file=file)
    if report.error:
        print(f"djp: {safe_text(report.error)}", file=sys.stderr)


def cmd_sync(args: argparse.Namespace) -> int:
    import asyncio

    from catalog.sync import load_snapshot, sync_catalog, sync_package

    with open_catalog(args, fill=False) as catalog:
        if args.snapshot:
            report = load_snapshot(catalog)
        elif args.package:
            report = asyncio.run(sync_package(catalog, args.package, _client_config(args)))
        else:
            report = asyncio.run(
                sync_catalog(catalog, _client_config(args), progress=_progress_printer())
            )
    if args.json:
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K")
        print(msgspec.json.encode(report.event).decode())
        if report.error:
            print(f"djp: {safe_text(report.error)}", file=sys.stderr)
    else:
        _print_sync_summary(report)
    return 0 if report.outcome == "complete" else 1


# --- catalogue queries ------------------------------------------------------------------


def _tables(catalog, args):
    try:
        return catalog.tables(getattr(args, "as_of", None))
    except LookupError as exc:
        raise CommandError(str(exc)) from None


def _print_json(rows) -> None:
    for row in rows:
        print(msgspec.json.encode(row).decode())


def _markers(view) -> str:
    marks = ""
    marks += "!" if view.conflicts else ("✎" if view.overridden else " ")
    marks += "★" if view.status in ("shortlisted", "using") else " "
    return marks


def cmd_packages(args: argparse.Namespace) -> int:
    from catalog import queries

    with open_catalog(args) as catalog:
        tables = _tables(catalog, args)
        rows = queries.packages(
            tables, query=args.query, grid=args.grid, category=args.category, sort=args.sort
        )
        names = queries.category_names(tables)
    if args.json:
        _print_json(queries.package_json(v) for v in rows)
        return 0
    print(
        f"   {'id':>6}  {'title':<36} {'category':<10} {'version':<12} {'watchers':>9} "
        f"{'forks':>6}  last commit"
    )
    for view in rows:
        p = view.record
        print(
            f"{_markers(view)} {p.id:>6}  {clip(safe_text(p.title), 36):<36} "
            f"{clip(safe_text(names.get(p.category, '')), 10):<10} "
            f"{clip(safe_text(p.pypi_version or ''), 12):<12} {thousands(p.repo_watchers):>9} "
            f"{thousands(p.repo_forks):>6}  {relative(p.last_updated)}"
        )
    print(f"{len(rows):,} packages", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from catalog import queries
    from catalog.api import pypi_name

    with open_catalog(args) as catalog:
        try:
            view = catalog.package_view(args.package, args.as_of)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        tables = catalog.tables()  # for the names of categories and grids
        names = queries.category_names(tables)
        grid_titles = {g.record.id: g.record.title for g in queries.grids(tables)}
    if args.json:
        _print_json([queries.package_json(view)])
        return 0
    p = view.record
    rows = [
        ("title", p.title),
        ("slug", p.slug),
        ("id", p.id),
        ("category", names.get(p.category, p.category or "")),
        ("description", p.repo_description),
        ("repo", p.repo_url),
        ("docs", p.documentation_url or ""),
        ("pypi", f"{pypi_name(p.pypi_url)} {p.pypi_version or ''}".strip()),
        ("watchers", thousands(p.repo_watchers)),
        ("forks", thousands(p.repo_forks)),
        (
            "last commit",
            f"{local_time(p.last_updated)} ({relative(p.last_updated)})" if p.last_updated else "",
        ),
        ("activity", sparkline(p.commits_over_52)),
        ("participants", ", ".join(p.participants)),
        ("grids", ", ".join(str(grid_titles.get(g, g)) for g in p.grids)),
        ("status", view.status),
        ("tags", ", ".join(view.tags)),
        ("notes", view.notes),
    ]
    if view.vanished:
        rows.append(("upstream", "vanished from the API"))
    if view.overridden:
        rows.append(("edited", ", ".join(sorted(view.overridden))))
    if view.conflicts:
        rows.append(
            ("conflicts", ", ".join(view.conflicts) + " (upstream changed since your edit)")
        )
    for label, value in rows:
        print(f"{label:>12}  {safe_text(value)}")
    return 0


def cmd_grids(args: argparse.Namespace) -> int:
    from catalog import queries

    with open_catalog(args) as catalog:
        tables = _tables(catalog, args)
        rows = queries.grids(tables)
        named = packages_naming_grids(tables)  # once, not once per grid
        sizes = {g.key: len(grid_members(tables, g, named)) for g in rows}
    if args.json:
        _print_json(queries.grid_json(g) for g in rows)
        return 0
    for g in rows:
        ident = "local" if g.local else g.record.id
        print(
            f"{ident:>5}  {clip(safe_text(g.record.slug), 28):<28} {sizes[g.key]:>4} packages  "
            f"{clip(safe_text(g.record.title), 40)}"
        )
    return 0


def cmd_grid(args: argparse.Namespace) -> int:
    from catalog import queries

    with open_catalog(args) as catalog:
        tables = _tables(catalog, args)
        grid = queries.get_grid(tables, args.grid)
        rows = queries.packages(
            tables, grid=grid.key if grid.local else str(grid.record.id), sort=args.sort
        )
    if args.json:
        _print_json([queries.grid_json(grid)])
        return 0
    where = "your grid" if grid.local else f"grid {grid.record.id}"
    print(f"{safe_text(grid.record.title)} ({safe_text(grid.record.slug)}, {where})")
    if grid.record.description:
        print(safe_text(grid.record.description))
    missing = len(set(grid.record.packages) - {v.record.id for v in rows})
    for view in rows:
        p = view.record
        print(
            f"{_markers(view)} {p.id:>6}  {clip(safe_text(p.title), 36):<36} "
            f"{thousands(p.repo_watchers):>9}  {relative(p.last_updated)}"
        )
    if missing:
        print(f"({missing} listed packages not fetched yet)")
    return 0


def cmd_categories(args: argparse.Namespace) -> int:
    from catalog import queries

    with open_catalog(args) as catalog:
        rows = queries.categories(_tables(catalog, args))
    if args.json:
        _print_json(queries.record_json(c) for c in rows)
        return 0
    for c in rows:
        print(f"{c.id:>3}  {safe_text(c.slug):<12} {safe_text(c.title)}")
    return 0


# --- edits ------------------------------------------------------------------------------


def cmd_edit(args: argparse.Namespace) -> int:
    from catalog.edits import edit_package, parse_assignments

    with open_catalog(args) as catalog:
        seq = edit_package(catalog, args.package, parse_assignments(args.fields), args.note)
    print(seq)
    return 0


def cmd_grid_edit(args: argparse.Namespace) -> int:
    from catalog import edits

    with open_catalog(args) as catalog:
        if args.action == "create":
            seq = edits.create_local_grid(
                catalog, args.grid, args.title or "", args.description or "", args.note
            )
        elif args.action == "set":
            seq = edits.edit_grid(
                catalog, args.grid, edits.parse_assignments(args.items), args.note
            )
        elif args.action == "add":
            seq = edits.change_grid_members(catalog, args.grid, add=args.items, note=args.note)
        elif args.action == "remove":
            seq = edits.change_grid_members(catalog, args.grid, remove=args.items, note=args.note)
        else:
            seq = edits.delete_local_grid(catalog, args.grid, args.note)
    print(seq)
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from catalog.edits import undo

    with open_catalog(args) as catalog:
        seq = undo(catalog, args.seq)
        undone = catalog.store.get(seq).event
    print(f"{seq}  undid edit {undone.edit_seq} of {safe_text(undone.target)}")
    return 0


def cmd_redo(args: argparse.Namespace) -> int:
    from catalog.edits import redo

    with open_catalog(args) as catalog:
        seq = redo(catalog)
        redone = catalog.store.get(seq).event
    print(f"{seq}  redid edit {redone.edit_seq} of {safe_text(redone.target)}")
    return 0


def _value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(safe_text(v) for v in value) + "]"
    if value is None:
        return "—"
    return clip(safe_text(value), 60)


def cmd_history(args: argparse.Namespace) -> int:
    from catalog.timeline import target_history

    with open_catalog(args) as catalog:
        key, items = target_history(catalog, args.target, grid=args.grid, as_of=args.as_of)
    if args.json:
        _print_json(msgspec.to_builtins(item) for item in items)
        return 0
    print(f"history of {safe_text(key)}: {len(items)} events")
    for item in items:
        what = item.kind
        if item.edit_seq is not None:
            what += f" of {item.edit_seq}"
        if item.undone:
            what += " (undone)"
        origin = f"  sync {item.sync_id[:8]}" if item.sync_id else ""
        print(f"{item.seq:>8}  {local_time(item.recorded_at)}  {what}{origin}")
        if item.note:
            print(f"{'':>10}note: {safe_text(item.note)}")
        for name, change in sorted(item.changes.items()):
            if item.kind == "first seen":
                continue
            print(f"{'':>10}{name}: {_value(change.before)} → {_value(change.after)}")
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from catalog import queries
    from catalog.timeline import what_changed

    with open_catalog(args) as catalog:
        changes = what_changed(catalog, args.older, args.newer)
        tables = catalog.tables()
    if args.json:
        print(msgspec.json.encode(changes).decode())
        return 0

    def name(ident: int) -> str:
        view = queries.find_package(tables, str(ident))
        return safe_text(view.record.slug) if view else str(ident)

    summary, sections = changes_report(changes, name)
    print(f"changes in {summary}")
    for section, lines in sections:
        print(f"{section}:")
        for line in lines:
            print(f"  {line}")
    return 0


def cmd_export_edits(args: argparse.Namespace) -> int:
    from catalog.timeline import export_edits

    with open_catalog(args, fill=False) as catalog:
        count = export_edits(catalog, Path(args.file))
    print(f"exported {count:,} edit events to {args.file}")
    return 0


def cmd_import_edits(args: argparse.Namespace) -> int:
    from catalog.timeline import import_edits

    if not Path(args.file).is_file():
        raise CommandError(f"{args.file} is not a file")
    with open_catalog(args) as catalog:
        report = import_edits(catalog, Path(args.file))
    print(
        f"imported {report.imported:,}, already present {report.already:,}, "
        f"skipped {len(report.skipped):,}"
    )
    for line in report.skipped:
        print(f"  skipped {safe_text(line)}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    import time

    with open_catalog(args, fill=False) as catalog:
        started = time.perf_counter()
        events = catalog.projection.rebuild()
        elapsed = time.perf_counter() - started
    print(f"rebuilt the projections from {events:,} events in {elapsed:.2f}s")
    return 0


# --- verify and backup ------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    from projections.persisted import CatalogProjection

    with open_existing(args) as store:
        report = store.verify()
        if report.ok:
            report.problems.extend(CatalogProjection(store).differences())
    if report.ok:
        print(
            f"ok: {report.events:,} events in {report.streams:,} streams; sequences gap-free, "
            "indexes consistent, projections equal a fresh fold"
        )
        return 0
    more = f" (and {len(report.problems) - 1} more problems)" if len(report.problems) > 1 else ""
    print(f"djp: store is damaged: {report.problems[0]}{more}", file=sys.stderr)
    return 1


def cmd_backup(args: argparse.Namespace) -> int:
    with open_existing(args) as store:
        dest = store.backup(args.dest, compact=not args.no_compact)
        events = store.last_seq
    print(f"backed up {events:,} events to {dest}")
    return 0


# --- the app ----------------------------------------------------------------------------


def run_app(args: argparse.Namespace) -> int:
    """Open the Textual app on the store (filled on first start, live API else snapshot)."""
    if not sys.stdout.isatty():
        build_parser().print_help()
        return 0
    from catalog.service import Catalog
    from tui.app import DjpApp

    path = _store_path(args)
    catalog = Catalog.open(path)  # a store that cannot be opened is a one-line error here
    try:
        DjpApp(path, catalog=catalog, base_url=os.environ.get("DJP_API_URL")).run()
    finally:
        catalog.close()
    return 0


# --- entry point ------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="djp",
        description="Django Packages in your terminal, on an event-sourced local store.",
    )
    parser.add_argument("--version", action="version", version=f"djp {VERSION}")
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="store directory (default: $DJP_STORE, else the user data dir)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("log", help="print the event log, newest last")
    p.add_argument("--since", type=int, metavar="SEQ", help="only events after SEQ")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N events")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("sync", help="fetch the catalogue from the API into the log")
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="API base (default: $DJP_API_URL or https://djangopackages.org/api/v4/)",
    )
    p.add_argument("--snapshot", action="store_true", help="load the snapshot shipped with djp")
    p.add_argument("--package", metavar="SLUG_OR_ID", help="refresh one package")
    p.add_argument("--json", action="store_true", help="print the SyncFinished event as JSON")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("edit", help="edit a package: FIELD=VALUE ... (one event)")
    p.add_argument("package", metavar="PKG", help="id or slug")
    p.add_argument(
        "fields",
        nargs="+",
        metavar="FIELD=VALUE",
        help="title, repo_description, category, documentation_url, repo_url, "
        "pypi_url, notes, tags (tags=a,b), status (none, evaluating, shortlisted, "
        "using, rejected)",
    )
    p.add_argument("--note", metavar="TEXT", help="why (kept with the edit)")
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("grid-edit", help="create, change, fill and delete grids")
    p.add_argument(
        "action",
        choices=["create", "set", "add", "remove", "delete"],
        help="create SLUG --title T; set X FIELD=VALUE...; add X PKG...; "
        "remove X PKG...; delete X (your own grids only)",
    )
    p.add_argument("grid", metavar="X", help="grid id or slug")
    p.add_argument(
        "items", nargs="*", metavar="ITEM", help="FIELD=VALUE for set, PKG for add/remove"
    )
    p.add_argument("--title")
    p.add_argument("--description")
    p.add_argument("--note", metavar="TEXT")
    p.set_defaults(func=cmd_grid_edit)

    p = sub.add_parser("undo", help="undo the newest edit, or the edit at SEQ")
    p.add_argument("seq", nargs="?", type=int, metavar="SEQ")
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("redo", help="apply the most recently undone edit again")
    p.set_defaults(func=cmd_redo)

    p = sub.add_parser("history", help="every event that touched a package (or grid)")
    p.add_argument("target", metavar="PKG", help="id or slug")
    p.add_argument("--grid", action="store_true", help="PKG names a grid")
    p.add_argument("--as-of", type=int, metavar="SEQ")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("changes", help="what changed upstream between two syncs")
    p.add_argument(
        "--from", dest="older", metavar="SYNC", help="sync id prefix (default: the one before)"
    )
    p.add_argument("--to", dest="newer", metavar="SYNC", help="sync id prefix (default: the last)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_changes)

    p = sub.add_parser("export-edits", help="write your edits, undos and redos as JSON lines")
    p.add_argument("file")
    p.set_defaults(func=cmd_export_edits)

    p = sub.add_parser("import-edits", help="replay exported edits onto this store")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_edits)

    p = sub.add_parser("rebuild", help="drop the projections and refold the whole log")
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("packages", help="list packages")
    p.add_argument("--query", "-q", metavar="Q", help="text in title, slug, description, people")
    p.add_argument("--grid", metavar="SLUG_OR_ID")
    p.add_argument("--category", metavar="ID_OR_NAME")
    p.add_argument(
        "--sort",
        default="title",
        metavar="FIELD",
        help="title, slug, id, watchers, forks, version, last_updated, created, "
        "modified; a leading - reverses",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--as-of", type=int, metavar="SEQ", help="as it was right after event SEQ")
    p.set_defaults(func=cmd_packages)

    p = sub.add_parser("show", help="one package")
    p.add_argument("package", metavar="PKG", help="id or slug")
    p.add_argument("--json", action="store_true")
    p.add_argument("--as-of", type=int, metavar="SEQ", help="as it was right after event SEQ")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("grids", help="list grids")
    p.add_argument("--json", action="store_true")
    p.add_argument("--as-of", type=int, metavar="SEQ", help="as it was right after event SEQ")
    p.set_defaults(func=cmd_grids)

    p = sub.add_parser("grid", help="one grid and all its packages")
    p.add_argument("grid", metavar="X", help="id or slug")
    p.add_argument("--sort", default="watchers", metavar="FIELD")
    p.add_argument("--json", action="store_true")
    p.add_argument("--as-of", type=int, metavar="SEQ", help="as it was right after event SEQ")
    p.set_defaults(func=cmd_grid)

    p = sub.add_parser("categories", help="list categories")
    p.add_argument("--json", action="store_true")
    p.add_argument("--as-of", type=int, metavar="SEQ", help="as it was right after event SEQ")
    p.set_defaults(func=cmd_categories)

    p = sub.add_parser("verify", help="check the store's log and indexes")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("backup", help="write a compacted copy of the store")
    p.add_argument("dest", help="a new or empty directory")
    p.add_argument("--no-compact", action="store_true", help="copy pages as they are")
    p.set_defaults(func=cmd_backup)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return run_app(args)
    try:
        return args.func(args)
    except (CommandError, StoreError, QueryError, EditError) as exc:
        print(f"djp: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (``djp packages | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            print(
                "djp: the disk is full; nothing was written. Free space and retry.", file=sys.stderr
            )
        else:
            print(f"djp: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("djp: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
