"""The store itself: ``verify`` it, ``backup`` it, ``rebuild`` its projections."""

from __future__ import annotations

import time
from pathlib import Path

import click

from catalog.text import counted
from cli.context import Session, fold_progress_printer, pass_session
from projections.persisted import CatalogProjection


@click.command()
@pass_session
@click.pass_context
def verify(ctx: click.Context, session: Session) -> None:
    """Check the store's log, indexes and projections."""
    with session.open_existing() as store:
        report = CatalogProjection(store).verify(fold_progress_printer("verifying"))
    if report.ok:
        click.echo(
            f"ok: {counted(report.events, 'event')} in {counted(report.streams, 'stream')}; "
            "sequences gap-free, "
            "indexes consistent, projections equal a fresh fold"
        )
        return
    extra = len(report.problems) - 1
    more = f" (and {counted(extra, 'more problem', 'more problems')})" if extra else ""
    click.echo(f"djp: store is damaged: {report.problems[0]}{more}", err=True)
    ctx.exit(1)


@click.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--no-compact", is_flag=True, help="Copy pages as they are.")
@pass_session
def backup(session: Session, dest: Path, no_compact: bool) -> None:
    """Write a compacted copy of the store.

    DEST is a new or empty directory.
    """
    with session.open_existing() as store:
        written = store.backup(dest, compact=not no_compact)
        events = store.last_seq
    click.echo(f"backed up {counted(events, 'event')} to {written}")


@click.command()
@pass_session
def rebuild(session: Session) -> None:
    """Drop the projections and refold the whole log."""
    with session.open_catalog(fill=False) as catalog:
        started = time.perf_counter()
        events = catalog.projection.rebuild(fold_progress_printer("rebuilding"))
        elapsed = time.perf_counter() - started
    click.echo(f"rebuilt the projections from {counted(events, 'event')} in {elapsed:.2f}s")
