"""``djp sync``: fetch the catalogue (or one package, or the shipped snapshot) into the log."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import click

from catalog.pypi.cache import stale_targets
from catalog.pypi.fetch import PypiConfig, PypiReport, fetch_pypi, pypi_targets
from catalog.read import queries
from catalog.text import safe_json, safe_text
from catalog.upstream.sync import load_snapshot, sync_catalog, sync_package
from cli.context import (
    CommandError,
    Session,
    base_url_option,
    clear_progress_line,
    json_option,
    pass_session,
    print_sync_report,
    progress_printer,
    pypi_progress_printer,
)


@click.command()
@base_url_option
@click.option("--snapshot", is_flag=True, help="Load the snapshot shipped with djp.")
@click.option("--package", metavar="SLUG_OR_ID", help="Refresh one package.")
@click.option(
    "--pypi-only", is_flag=True, help="Refresh PyPI facts now (of --package or --grid, or all)."
)
@click.option("--grid", metavar="X", help="With --pypi-only: the packages of this grid.")
@click.option("--no-pypi", is_flag=True, help="Do not refresh PyPI facts after the catalogue.")
@click.option("--pypi-url", metavar="URL", help="PyPI base (default: $DJP_PYPI_URL or pypi.org).")
@json_option
@pass_session
@click.pass_context
def sync(
    ctx: click.Context,
    session: Session,
    base_url: str | None,
    snapshot: bool,
    package: str | None,
    pypi_only: bool,
    grid: str | None,
    no_pypi: bool,
    pypi_url: str | None,
    as_json: bool,
) -> None:
    """Fetch the catalogue from the API into the log, then PyPI facts older than a day."""
    if pypi_only:
        ctx.exit(sync_pypi(session, package, grid, pypi_url, as_json))
    config = session.client_config(base_url)
    pypi_line = None
    with session.open_catalog(fill=False) as catalog:
        if snapshot:
            report = load_snapshot(catalog)
        elif package:
            report = asyncio.run(sync_package(catalog, package, config))
        else:
            report = asyncio.run(sync_catalog(catalog, config, progress=progress_printer()))
        if not (snapshot or no_pypi):
            wanted = pypi_targets(catalog)
            if package:
                target = catalog.lookup("package", package)
                wanted = {t: n for t, n in wanted.items() if t == target}
            wanted = stale_targets(catalog, wanted, datetime.now(UTC))
            if wanted:
                pypi = _fetch(catalog, wanted, session.pypi_config(pypi_url))
                pypi_line = pypi.summary(len(wanted)), pypi.errors, pypi.failed
    if as_json:
        clear_progress_line()
        click.echo(safe_json(report))
        if report.error:
            click.echo(f"djp: {safe_text(report.error)}", err=True)
    else:
        print_sync_report(report)
    if pypi_line is not None:  # PyPI's trouble is reported; the catalogue's outcome decides
        line, errors, unreachable = pypi_line
        click.echo(safe_text(line), err=as_json or unreachable or bool(errors))
        for error in errors[:20]:
            click.echo(f"djp: {safe_text(error)}", err=True)
    ctx.exit(0 if report.outcome == "complete" else 1)


def sync_pypi(
    session: Session, package: str | None, grid: str | None, pypi_url: str | None, as_json: bool
) -> int:
    """``djp sync --pypi-only``: PyPI facts of the packages asked for, whatever their age."""
    with session.open_catalog() as catalog:
        wanted = pypi_targets(catalog)
        if package or grid:
            tables = catalog.tables()
            rows = queries.packages(tables, grid=grid, query=None)
            keep = {r.view.target for r in rows}
            if package:
                target = catalog.lookup("package", package)
                if target is None:
                    raise CommandError(f"no package {package!r} in the catalogue")
                keep = {target} if not grid else keep & {target}
            wanted = {t: n for t, n in wanted.items() if t in keep}
        report = _fetch(catalog, wanted, session.pypi_config(pypi_url))
    if as_json:
        click.echo(safe_json(dataclasses.asdict(report)))
    else:
        click.echo(safe_text(report.summary(len(wanted))), err=report.failed)
    for error in report.errors[:20]:
        click.echo(f"djp: {safe_text(error)}", err=True)
    return 1 if report.failed else 0


def _fetch(catalog, wanted: dict, config: PypiConfig) -> PypiReport:
    """PyPI facts of ``wanted``, with progress on a terminal."""
    report = asyncio.run(fetch_pypi(catalog, wanted, config, progress=pypi_progress_printer()))
    clear_progress_line()
    return report
