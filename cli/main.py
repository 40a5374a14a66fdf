"""The ``djp`` command: the app when run bare on a terminal, else one of the commands.

Every failure a user can cause (a refused edit, a bad query, a store that cannot be opened,
a full disk) ends in one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from catalog import VERSION
from catalog.catalog import Catalog
from catalog.config import load_config
from catalog.errors import UserError
from cli import browse, compare, config, edits, history, readiness, stack, store, sync
from cli.context import CommandError, Session, fold_progress_printer, pass_session
from eventstore import StoreError


class DjpGroup(click.Group):
    """Turns what a user can cause into one line (``CommandError``), for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # one line, not click's usage block
            where = exc.ctx.command_path if exc.ctx else "djp"
            raise CommandError(f"{exc.format_message()} (see {where} --help)", 2) from None
        except (UserError, StoreError) as exc:
            raise CommandError(str(exc)) from None
        except BrokenPipeError:
            # the reader went away (``djp packages | head``): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            raise CommandError("interrupted", exit_code=130) from None
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise CommandError(
                    "the disk is full; nothing was written. Free space and retry."
                ) from None
            where = f"{exc.filename}: " if exc.filename else ""
            raise CommandError(f"{where}{exc.strerror or exc}") from None


@click.group(cls=DjpGroup, invoke_without_command=True)
@click.version_option(VERSION, "--version", prog_name="djp", message="%(prog)s %(version)s")
@click.option(
    "--store",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Store directory (default: $DJP_STORE, else the config file's, else the user data dir).",
)
@click.pass_context
def djp(ctx: click.Context, store: Path | None) -> None:
    """Django Packages in your terminal, on an event-sourced local store.

    Run bare on a terminal, djp opens the app.
    """
    ctx.obj = Session(load_config(store=store))
    if ctx.invoked_subcommand is None:
        ctx.invoke(run_app)


@pass_session
@click.pass_context
def run_app(ctx: click.Context, session: Session) -> None:
    """Open the Textual app on the store (filled on first start: live API, else snapshot)."""
    if not sys.stdout.isatty():
        click.echo(ctx.get_help())
        return
    # Textual loads only when the app runs: measured, `import cli.main` takes 0.35 s and
    # 0.69 s with tui.app, which every `djp packages` would pay for nothing
    from tui.app import DjpApp

    path = session.store_path
    # a store that cannot be opened is a one-line error here; a long catch-up shows progress
    catalog = Catalog.open(path, progress=fold_progress_printer("catching up"))
    try:
        app = DjpApp(path, catalog=catalog, config=session.config)
        app.run()
    finally:
        catalog.close()
    if app.return_code:  # it crashed (Textual printed why) or its terminal hung up
        ctx.exit(app.return_code)


for command in (
    sync.sync,
    browse.packages,
    browse.show,
    browse.grids,
    browse.grid,
    browse.categories,
    edits.edit,
    edits.undo,
    edits.redo,
    edits.resolve,
    edits.grid_edit,
    edits.export_edits_command,
    edits.import_edits_command,
    history.history,
    history.changes,
    history.log,
    store.verify,
    store.backup,
    store.rebuild,
    readiness.readiness,
    stack.stack,
    compare.compare_command,
    config.config_command,
):
    djp.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``djp`` with ``argv`` and return its exit status (the console script's entry)."""
    try:
        result = djp.main(
            args=list(argv) if argv is not None else None, prog_name="djp", standalone_mode=False
        )
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("djp: interrupted", err=True)
        return 130
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
