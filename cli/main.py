"""The ``djp`` command: the app when run bare on a terminal, else one of the commands.

Every failure a user can cause (a refused edit, a bad query, a store that cannot be opened,
a full disk) ends in one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from catalog import VERSION
from catalog.config import load_config
from catalog.errors import UserError
from cli.context import CommandError, Session, fold_progress_printer, pass_session

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


#: Every command: name -> (module, attribute, the short help ``djp --help`` lists). A command's
#: module is imported only when that command runs (or is asked for its help), so ``djp show``
#: never loads httpx, Textual or what other commands need; tests/cli/test_startup.py checks
#: that each short help here is the command's own.
COMMANDS = {
    "backup": ("cli.store", "backup", "Write a compacted copy of the store."),
    "categories": ("cli.browse", "categories", "List categories."),
    "changes": ("cli.history", "changes", "What changed upstream between two syncs."),
    "compare": ("cli.compare", "compare_command", "Packages side by side: one column a..."),
    "config": ("cli.config", "config_command", "Show the settings in effect and where each..."),
    "edit": ("cli.edits", "edit", "Edit a package: FIELD=VALUE... as one event."),
    "export-edits": (
        "cli.edits", "export_edits_command", "Write your edits, undos and redos as JSON..."
    ),
    "grid": ("cli.browse", "grid", "One grid and all its packages, by id or..."),
    "grid-edit": ("cli.edits", "grid_edit", "Create, change, fill and delete grids."),
    "grids": ("cli.browse", "grids", "List grids."),
    "history": ("cli.history", "history", "Every event that touched a package or grid..."),
    "import-edits": ("cli.edits", "import_edits_command", "Replay exported edits onto this store."),
    "log": ("cli.history", "log", "Print the event log, newest last."),
    "mcp": ("cli.mcp_command", "mcp_command", "Serve the catalogue, readiness, stacks and..."),
    "packages": ("cli.browse", "packages", "List packages; export them with --format."),
    "readiness": ("cli.readiness", "readiness", "Will each package work with Django X? yes,..."),
    "rebuild": ("cli.store", "rebuild", "Drop the projections and refold the whole..."),
    "redo": ("cli.edits", "redo", "Apply the most recently undone edit again."),
    "resolve": ("cli.edits", "resolve", "Settle a conflict: upstream changed FIELD..."),
    "show": ("cli.browse", "show", "One package, by id or slug."),
    "stack": ("cli.stack", "stack", "Read a project's dependencies and say, for..."),
    "sync": ("cli.sync", "sync", "Fetch the catalogue from the API into the..."),
    "undo": ("cli.edits", "undo", "Undo the newest edit, or the edit at SEQ."),
    "verify": ("cli.store", "verify", "Check the store's log, indexes and..."),
}  # fmt: skip


def _user_errors() -> tuple[type[Exception], ...]:
    """What a user can cause: ``UserError`` and, once the store was imported, ``StoreError``
    (an ``except`` clause is evaluated when an exception reaches it; ``djp --help`` never
    imports the store)."""
    errors = sys.modules.get("eventstore.errors")
    return (UserError, errors.StoreError) if errors is not None else (UserError,)


def _store_damage(exc: Exception) -> bool:
    """An LMDB error reading the store's pages (a page overwritten, a file damaged): the
    store says so in one line (LMDB is imported by then, or no such error was raised)."""
    lmdb = sys.modules.get("lmdb")
    damage = ("CorruptedError", "PageNotFoundError", "InvalidError", "VersionMismatchError",
              "BadTxnError")  # fmt: skip
    return lmdb is not None and isinstance(exc, tuple(getattr(lmdb, n) for n in damage))


class DjpGroup(click.Group):
    """Loads each command's module when it is used; turns what a user can cause into one
    line (``CommandError``), for every command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from ``COMMANDS``, without importing every command."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in self.list_commands(ctx)])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        names = [n for n in self.list_commands(ctx) if n.startswith(incomplete)]
        return [
            CompletionItem(n, help=COMMANDS[n][2]) for n in names
        ] + click.Command.shell_complete(self, ctx, incomplete)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # one line, not click's usage block
            where = exc.ctx.command_path if exc.ctx else "djp"
            raise CommandError(f"{exc.format_message()} (see {where} --help)", 2) from None
        except _user_errors() as exc:
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
        except Exception as exc:
            if not _store_damage(exc):
                raise
            path = ctx.obj.store_path if isinstance(ctx.obj, Session) else "the store"
            reason = str(exc).split(": ", 1)[-1]
            raise CommandError(
                f"the store at {path} is damaged ({reason}); restore it from a backup (djp "
                "backup writes one), or run djp rebuild if only its views are damaged"
            ) from None


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
    from catalog.catalog import Catalog
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
