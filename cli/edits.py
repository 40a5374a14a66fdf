"""Local edits: ``edit``, ``undo``, ``redo``, the ``grid-edit`` group, and moving edits
between stores (``export-edits``, ``import-edits``). Each change prints the new event's
sequence (or what it did) and is undoable."""

from __future__ import annotations

from pathlib import Path

import click

from catalog.edits import commands as edits
from catalog.edits.files import export_edits, import_edits
from catalog.present.events import act_summary
from catalog.text import counted, safe_text
from cli import complete
from cli.context import (
    CommandError,
    Session,
    clear_progress_line,
    count_progress_printer,
    note_option,
    pass_session,
)
from projections.stacks import stacks


@click.command()
@click.argument("package", metavar="PKG", shell_complete=complete.packages)
@click.argument("fields", nargs=-1, required=True, metavar="FIELD=VALUE...")
@note_option
@pass_session
def edit(session: Session, package: str, fields: tuple[str, ...], note: str | None) -> None:
    """Edit a package: FIELD=VALUE... as one event.

    Prints the new event's sequence.

    Editable: title, repo_description, category, documentation_url, repo_url, pypi_url,
    notes, tags (tags=a,b), status (none, evaluating, shortlisted, using, rejected).
    """
    with session.open_catalog() as catalog:
        envelope = edits.edit_package(catalog, package, edits.parse_assignments(list(fields)), note)
    click.echo(envelope.seq)


@click.command()
@click.argument("seq", required=False, type=click.IntRange(1, 2**63 - 1), metavar="SEQ")
@pass_session
def undo(session: Session, seq: int | None) -> None:
    """Undo the newest edit, or the edit at SEQ."""
    with session.open_catalog() as catalog:
        envelope = edits.undo(catalog, seq)
        click.echo(f"{envelope.seq}  {act_summary(catalog, envelope)}")


@click.command()
@pass_session
def redo(session: Session) -> None:
    """Apply the most recently undone edit again."""
    with session.open_catalog() as catalog:
        envelope = edits.redo(catalog)
        click.echo(f"{envelope.seq}  {act_summary(catalog, envelope)}")


@click.command()
@click.argument("package", metavar="PKG", shell_complete=complete.packages)
@click.argument("field", metavar="FIELD")
@click.option("--mine", "keep_mine", flag_value=True, default=None, help="Keep your value.")
@click.option("--theirs", "keep_mine", flag_value=False, help="Take upstream's value.")
@note_option
@pass_session
def resolve(
    session: Session, package: str, field: str, keep_mine: bool | None, note: str | None
) -> None:
    """Settle a conflict: upstream changed FIELD since you edited it.

    --mine keeps your value; --theirs drops your edit of the field so upstream's value (and
    its later changes) show. Either is one event that undo takes back. djp show lists the
    conflicts with upstream's new value.
    """
    if keep_mine is None:
        raise CommandError("say --mine (keep your value) or --theirs (take upstream's)")
    with session.open_catalog() as catalog:
        envelope = edits.resolve_conflict(catalog, package, field, keep_mine=keep_mine, note=note)
        click.echo(f"{envelope.seq}  {act_summary(catalog, envelope)}")


# --- grids ----------------------------------------------------------------------------------


@click.group("grid-edit")
def grid_edit() -> None:
    """Create, change, fill and delete grids.

    Every change is one undoable event.
    """


@grid_edit.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="The grid's title.")
@click.option("--description", default="", help="What it compares.")
@note_option
@pass_session
def grid_create(
    session: Session, slug: str, title: str, description: str, note: str | None
) -> None:
    """Create a grid of your own, SLUG."""
    with session.open_catalog() as catalog:
        envelope = edits.create_local_grid(catalog, slug, title, description, note)
    click.echo(envelope.seq)


@grid_edit.command("set")
@click.argument("grid", metavar="X", shell_complete=complete.grids)
@click.argument("fields", nargs=-1, required=True, metavar="FIELD=VALUE...")
@note_option
@pass_session
def grid_set(session: Session, grid: str, fields: tuple[str, ...], note: str | None) -> None:
    """Change a grid's title, description or notes."""
    with session.open_catalog() as catalog:
        envelope = edits.edit_grid(catalog, grid, edits.parse_assignments(list(fields)), note)
    click.echo(envelope.seq)


def _change_members(session: Session, grid: str, note: str | None, **change: list[str]) -> None:
    with session.open_catalog() as catalog:
        envelope = edits.change_grid_members(catalog, grid, note=note, **change)
    click.echo(envelope.seq)


@grid_edit.command("add")
@click.argument("grid", metavar="X", shell_complete=complete.grids)
@click.argument(
    "packages", nargs=-1, required=True, metavar="PKG...", shell_complete=complete.packages
)
@note_option
@pass_session
def grid_add(session: Session, grid: str, packages: tuple[str, ...], note: str | None) -> None:
    """Add packages to grid X."""
    _change_members(session, grid, note, add=list(packages))


@grid_edit.command("remove")
@click.argument("grid", metavar="X", shell_complete=complete.grids)
@click.argument(
    "packages", nargs=-1, required=True, metavar="PKG...", shell_complete=complete.packages
)
@note_option
@pass_session
def grid_remove(session: Session, grid: str, packages: tuple[str, ...], note: str | None) -> None:
    """Remove packages from grid X."""
    _change_members(session, grid, note, remove=list(packages))


@grid_edit.command("delete")
@click.argument("grid", metavar="X", shell_complete=complete.grids)
@note_option
@pass_session
def grid_delete(session: Session, grid: str, note: str | None) -> None:
    """Delete one of your own grids (undoable)."""
    with session.open_catalog() as catalog:
        envelope = edits.delete_local_grid(catalog, grid, note)
    click.echo(envelope.seq)


# --- moving edits between stores ----------------------------------------------------------


@click.command("export-edits")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_session
def export_edits_command(session: Session, file: Path) -> None:
    """Write your edits, undos and redos as JSON lines (not your stacks: djp stack reads
    them again from their files)."""
    with session.open_catalog(fill=False) as catalog:
        count = export_edits(catalog, file)
        kept = len(stacks(catalog.tables()))
    left = (
        f" (not {counted(kept, 'stack')}: djp stack reads stacks from their files)" if kept else ""
    )
    click.echo(f"exported {count:,} edit events to {safe_text(str(file))}{left}")


@click.command("import-edits")
@click.argument("file", type=click.Path(path_type=Path))
@pass_session
def import_edits_command(session: Session, file: Path) -> None:
    """Replay exported edits onto this store."""
    if not file.is_file():
        raise CommandError(f"{file} is not a file")
    with session.open_catalog(fill=False) as catalog:
        if catalog.is_empty:  # every edit would be skipped: say so, and fetch nothing
            raise CommandError(
                "the store has no catalogue yet: the edited packages are not here; djp sync first, "
                "then import-edits"
            )
        report = import_edits(catalog, file, progress=count_progress_printer("importing"))
    clear_progress_line()
    click.echo(
        f"imported {report.imported:,}, already present {report.already:,}, "
        f"skipped {len(report.skipped):,}"
    )
    for line in report.skipped:
        click.echo(f"  skipped {safe_text(line)}")
    if report.skipped and not (report.imported or report.already):
        raise CommandError(f"nothing imported: all {len(report.skipped):,} edits were skipped")
