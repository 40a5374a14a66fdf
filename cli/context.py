"""What every command shares: the store it works on, options declared once, output helpers.

Every failure a user can cause ends in one line on stderr (``djp: ...``) and exit status 1;
``CommandError`` is that line.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from catalog.config import Config

if TYPE_CHECKING:
    from catalog.catalog import Catalog
    from catalog.pypi.fetch import PypiConfig
    from catalog.upstream.client import ClientConfig
    from catalog.upstream.sync import ProgressCallback, SyncProgress
    from eventstore import Store, SyncFinished


class CommandError(click.ClickException):
    """A failure to report as one line, exit status 1 (or ``exit_code``)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"djp: {self.message}", err=True)


def terminal_width() -> int | None:
    """The terminal's width when the output goes to one (None: a pipe or a file, which
    get every column)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


@dataclass
class Session:
    """djp's settings (``catalog.config``: defaults, config file, environment, the root
    options), read once and handed to every command as ``ctx.obj``."""

    config: Config

    @property
    def store_path(self) -> Path:
        return self.config.store

    def client_config(self, base_url: str | None = None) -> ClientConfig:
        """The API's limits, with a command's ``--base-url``."""
        from catalog.upstream import client  # httpx: only for the commands that fetch

        return client.ClientConfig.from_config(self.config.with_options(api_url=base_url))

    def pypi_config(self, pypi_url: str | None = None) -> PypiConfig:
        """PyPI's limits, with a command's ``--pypi-url``."""
        from catalog.pypi import fetch  # httpx: only for the commands that fetch

        return fetch.PypiConfig.from_config(self.config.with_options(pypi_url=pypi_url))

    def open_existing(self) -> Store:
        """The store, for commands that must not create one (log, verify, backup)."""
        from eventstore import Store

        path = self.store_path
        if not (path / "data.mdb").exists():
            raise CommandError(f"no store at {path} yet (a sync creates it)")
        return Store.open(path)

    def open_catalog(self, *, fill: bool = True, base_url: str | None = None) -> Catalog:
        """The catalogue at the store path; an empty one is filled first (live, else the
        snapshot) unless ``fill`` is off."""
        from catalog.catalog import Catalog

        catalog = Catalog.open(self.store_path, progress=fold_progress_printer("catching up"))
        if fill and catalog.is_empty:
            import asyncio

            from catalog.upstream.sync import first_sync  # httpx: only to fill an empty store

            click.echo("djp: the store has no catalogue yet; fetching it…", err=True)
            report = asyncio.run(
                first_sync(catalog, self.client_config(base_url), progress=progress_printer())
            )
            if report.source.startswith("snapshot:"):
                click.echo(
                    "djp: the live API did not answer; loaded the catalogue snapshot that "
                    f"ships with djp ({report.counts.records:,} records, {report.source}).",
                    err=True,
                )
            else:
                print_sync_report(report, err=True)
        return catalog


pass_session = click.make_pass_decorator(Session)


# --- options declared once ----------------------------------------------------------------

json_option = click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per line instead of text."
)
as_of_option = click.option(
    "--as-of",
    type=click.IntRange(min=1),
    metavar="SEQ",
    help="As it was right after event SEQ.",
)
note_option = click.option("--note", metavar="TEXT", help="Why (kept with the edit).")
base_url_option = click.option(
    "--base-url",
    metavar="URL",
    help="API base (default: $DJP_API_URL or https://djangopackages.org/api/v4/).",
)


# --- output -------------------------------------------------------------------------------


def echo_json(rows: Iterable[Any]) -> None:
    from catalog.text import safe_json

    for row in rows:
        click.echo(safe_json(row))


def progress_printer() -> ProgressCallback | None:
    if not sys.stderr.isatty():
        return None

    def show(p: SyncProgress) -> None:
        sys.stderr.write(f"\r{p.describe()}\x1b[K")
        sys.stderr.flush()

    return show


def fold_progress_printer(what: str):
    """``catching up: 450,000 of 1,000,000 events`` on a terminal during a long fold (and
    the line cleared when it ends); None elsewhere."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\r\x1b[K" if done >= total else ""
        sys.stderr.write(f"\r{what}: {done:,} of {total:,} events\x1b[K{end}")
        sys.stderr.flush()

    return show


def count_progress_printer(what: str):
    """``importing: 12,000 rows`` on a terminal while a long run goes; None elsewhere."""
    if not sys.stderr.isatty():
        return None

    def show(done: int) -> None:
        sys.stderr.write(f"\r{what}: {done:,} rows\x1b[K")
        sys.stderr.flush()

    return show


def pypi_progress_printer():
    """``PyPI 120/5,812`` on a terminal while PyPI facts are fetched."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rPyPI {done:,}/{total:,}\x1b[K")
        sys.stderr.flush()

    return show


def clear_progress_line() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")


def print_sync_report(report: SyncFinished, *, err: bool = False) -> None:
    from catalog.present.events import sync_summary
    from catalog.text import safe_text

    clear_progress_line()
    click.echo(sync_summary(report), err=err)
    for skipped in report.skipped[:20]:
        ident = skipped.id if skipped.id is not None else "?"
        click.echo(f"  skipped {skipped.resource} {ident}: {safe_text(skipped.reason)}", err=err)
    if report.counts.skipped > 20:
        click.echo(f"  … and {report.counts.skipped - 20:,} more skipped", err=err)
    for warning in report.warnings:
        click.echo(f"  warning: {safe_text(warning)}", err=err)
    if report.error:
        click.echo(f"djp: {safe_text(report.error)}", err=True)
