"""``djp sync``: fetch the catalogue (or one package, or the shipped snapshot) into the log."""

from __future__ import annotations

import asyncio

import click

from catalog.sync import load_snapshot, sync_catalog, sync_package
from catalog.text import safe_json, safe_text
from cli.context import (
    Session,
    base_url_option,
    clear_progress_line,
    client_config,
    json_option,
    pass_session,
    print_sync_report,
    progress_printer,
)


@click.command()
@base_url_option
@click.option("--snapshot", is_flag=True, help="Load the snapshot shipped with djp.")
@click.option("--package", metavar="SLUG_OR_ID", help="Refresh one package.")
@json_option
@pass_session
@click.pass_context
def sync(
    ctx: click.Context,
    session: Session,
    base_url: str | None,
    snapshot: bool,
    package: str | None,
    as_json: bool,
) -> None:
    """Fetch the catalogue from the API into the log."""
    config = client_config(base_url)
    with session.open_catalog(fill=False) as catalog:
        if snapshot:
            report = load_snapshot(catalog)
        elif package:
            report = asyncio.run(sync_package(catalog, package, config))
        else:
            report = asyncio.run(sync_catalog(catalog, config, progress=progress_printer()))
    if as_json:
        clear_progress_line()
        click.echo(safe_json(report))
        if report.error:
            click.echo(f"djp: {safe_text(report.error)}", err=True)
    else:
        print_sync_report(report)
    ctx.exit(0 if report.outcome == "complete" else 1)
