"""Reading the log: a target's ``history``, what a sync ``changes``d, the raw ``log``."""

from __future__ import annotations

from datetime import datetime

import click
import msgspec

from catalog.catalog import Catalog
from catalog.present.events import (
    MEMBER_FIELDS,
    event_summary,
    field_words,
    history_kind,
    member_words,
    value_words,
)
from catalog.present.report import changes_report, stack_change_words
from catalog.read import lookup, queries
from catalog.read.changes import what_changed
from catalog.read.history import target_history, target_names
from catalog.text import counted, local_time, safe_json, safe_text
from cli import complete
from cli.context import Session, as_of_option, echo_json, json_option, pass_session
from eventstore import Envelope
from projections.stacks import stacks


@click.command()
@click.argument("target", metavar="PKG", shell_complete=complete.packages_or_grids)
@click.option("--grid", is_flag=True, help="PKG names a grid.")
@as_of_option
@json_option
@pass_session
def history(session: Session, target: str, grid: bool, as_of: int | None, as_json: bool) -> None:
    """Every event that touched a package or grid (or stack:NAME, one of your stacks).

    Each with its field diffs: upstream changes, edits, undos and redos.
    """
    with session.open_catalog() as catalog:
        found, items = target_history(catalog, target, grid=grid, as_of=as_of)
        names = target_names(catalog)
        title = names(found.key)
        for item in items:  # look the names up while the store is open
            for field, change in item.changes.items():
                if field in MEMBER_FIELDS:
                    for ident in (*(change.before or ()), *(change.after or ())):
                        names(f"package:{ident}")
    if as_json:  # datetimes as show --json writes them
        echo_json(
            queries.site_times(msgspec.to_builtins(item, builtin_types=(datetime,)))
            for item in items
        )
        return
    name = f"{title} ({found.key})" if title != found.key else found.key
    until = f" up to event {as_of:,}" if as_of is not None else ""
    click.echo(f"history of {safe_text(name)}{until}: {counted(len(items), 'event')}")
    for item in items:
        origin = f"  sync {item.sync_id[:8]}" if item.sync_id else ""
        click.echo(f"{item.seq:>8}  {local_time(item.recorded_at)}  {history_kind(item)}{origin}")
        if item.note:
            click.echo(f"{'':>10}note: {safe_text(item.note)}")
        if item.kind == "first seen":
            continue
        for name, change in sorted(item.changes.items()):
            if found.kind in ("grid", "localgrid") and name in MEMBER_FIELDS:
                click.echo(f"{'':>10}{name}: {member_words(name, change, names, limit=50)}")
                continue
            if found.kind == "stack":
                if words := stack_change_words(name, change):
                    click.echo(f"{'':>10}{words}")
                continue
            before, after = (
                value_words(name, change.before, 60),
                value_words(name, change.after, 60),
            )
            click.echo(f"{'':>10}{field_words(name)}: {before} → {after}")


@click.command()
@click.option("--from", "older", metavar="SYNC", help="Sync id prefix (default: the one before).")
@click.option("--to", "newer", metavar="SYNC", help="Sync id prefix (default: the last).")
@click.option("--all", "show_all", is_flag=True, help="Every line (else 100 a section).")
@json_option
@pass_session
def changes(
    session: Session, older: str | None, newer: str | None, show_all: bool, as_json: bool
) -> None:
    """What changed upstream between two syncs.

    By default, between the last two.
    """
    with session.open_catalog() as catalog:
        found = what_changed(catalog, older, newer)
        tables = catalog.tables()
    if as_json:
        click.echo(safe_json(found))
        return

    def name(ident: int) -> str:
        view = lookup.find_package(tables, str(ident))
        return safe_text(view.record.slug) if view else str(ident)

    kept = {v.name: set(v.deps) for v in stacks(tables)}
    summary, sections = changes_report(found, name, None if show_all else 100, stacks=kept)
    click.echo(f"changes in {summary}")
    for section, lines in sections:
        click.echo(f"{section}:")
        for line in lines:
            click.echo(f"  {line}")


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


@click.command()
@click.option("--since", type=click.IntRange(min=0), metavar="SEQ", help="Only events after SEQ.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N events.")
@json_option
@pass_session
def log(session: Session, since: int | None, limit: int | None, as_json: bool) -> None:
    """Print the event log, newest last."""
    with session.open_existing() as store:
        name = target_names(Catalog(store))
        last = store.last_seq
        if since is not None:
            start = since + 1
            end = last if limit is None else min(last, since + limit)
        else:
            start = 1 if limit is None else max(1, last - limit + 1)
            end = last
        for envelope in store.read_all(start, end):
            if as_json:
                click.echo(safe_json(envelope_json(envelope)))
            else:
                click.echo(
                    f"{envelope.seq:>8}  {local_time(envelope.recorded_at)}  "
                    f"{safe_text(envelope.stream):<16} v{envelope.version:<4} "
                    f"{envelope.type:<14} {event_summary(envelope.event, name)}"
                )
    if not as_json:  # what --limit left out, said where it does not mix with the events
        earlier = start - 1 - (since or 0)
        if earlier > 0:
            click.echo(f"… and {earlier:,} earlier events (--limit cut them)", err=True)
        if end < last:
            click.echo(f"… and {last - end:,} later events (--limit cut them)", err=True)
