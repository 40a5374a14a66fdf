"""``djp stack``: read a project's requirements, keep them as a watchlist, judge them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import click

from catalog.api import canonical_name
from catalog.present.stack import plan_cells, plan_columns, stack_cells, stack_columns
from catalog.pypi.fetch import PypiReport
from catalog.stacks.fetch import (
    dependency_targets,
    failures,
    judged_rows,
    plan_stack,
    refresh_stack,
)
from catalog.stacks.files import project_directory, project_files, read_stack
from catalog.stacks.judge import StackRow, StackView, stack_view, stacks, target_django
from catalog.stacks.model import StackFileError
from catalog.stacks.record import forget_stack, record_stack, stack_name
from catalog.stacks.rewrite import rewritten
from catalog.text import counted, fit, safe_text
from cli import complete
from cli.context import (
    CommandError,
    Session,
    clear_progress_line,
    echo_json,
    json_option,
    pass_session,
    pypi_progress_printer,
    terminal_width,
)


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--django",
    "django",
    metavar="X",
    help="Judge readiness for Django X.",
    shell_complete=complete.django_releases,
)
@click.option("--name", metavar="NAME", help="The stack's name (default: the project directory).")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 on a yanked judged release, a known advisory, a 'no', or a release not checked.",
)
@click.option(
    "--strict", is_flag=True, help="With --check: fail on 'undeclared' and 'unknown' too."
)
@click.option(
    "--ignore",
    "ignored",
    multiple=True,
    metavar="NAME",
    help="With --check: leave this dependency out (a private package PyPI lacks); repeatable.",
)
@click.option(
    "--plan",
    is_flag=True,
    help="The upgrade plan: per dependency the smallest release ready, clear, and both.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["table", "requirements"]),
    default="table",
    help="requirements: the dependency files with the plan's moves applied (implies --plan).",
)
@click.option("--list", "list_", is_flag=True, help="List the stacks kept in the store.")
@click.option(
    "--show", metavar="NAME", help="Report on a stack already read.", shell_complete=complete.stacks
)
@click.option(
    "--forget",
    metavar="NAME",
    help="Forget a stack (undoable: djp undo).",
    shell_complete=complete.stacks,
)
@click.option("--no-pypi", is_flag=True, help="Use the PyPI facts in the store as they are.")
@click.option("--pypi-url", metavar="URL", help="PyPI base (default: $DJP_PYPI_URL or pypi.org).")
@json_option
@pass_session
@click.pass_context
def stack(
    ctx: click.Context,
    session: Session,
    files: tuple[Path, ...],
    django: str | None,
    name: str | None,
    check: bool,
    strict: bool,
    ignored: tuple[str, ...],
    plan: bool,
    format_: str,
    list_: bool,
    show: str | None,
    forget: str | None,
    no_pypi: bool,
    pypi_url: str | None,
    as_json: bool,
) -> None:
    """Read a project's dependencies and say, for each, what matters before an upgrade.

    FILES: requirements*.txt (with -r/-c includes), pyproject.toml (PEP 621, dependency
    groups, Poetry), uv.lock, pylock.toml; a directory (none: the current one) reads those
    it holds, its lock last. The stack is kept in the log (named after the project
    directory); reading it again records what changed. Per dependency: the pinned
    and latest versions, the djp package, whether the pin is yanked or has advisories, the
    readiness verdict for the target Django, licence and failed health rules.
    """
    if list_:
        _list(session, as_json)
        return
    if forget:
        with session.open_catalog(fill=False) as catalog:
            envelope = forget_stack(catalog, forget)
        click.echo(
            f"forgot stack {safe_text(forget)}: event {envelope.seq:,} (djp undo brings it back)"
        )
        return
    if not files and not show:
        files = (Path("."),)  # the project in the current directory
    with session.open_catalog(fill=False) as catalog:
        if files:
            try:
                files = tuple(f for path in files for f in _expand(path))
                parsed = read_stack(list(files))
            except StackFileError as exc:
                raise CommandError(str(exc)) from None
            key = stack_name(list(files), name)
            envelope = record_stack(catalog, key, parsed, django)
            if not as_json:
                said = f"event {envelope.seq:,}" if envelope else "unchanged since the last reading"
                click.echo(
                    f"stack {safe_text(key)}: "
                    f"{counted(len(parsed.dependencies), 'dependency', 'dependencies')} from "
                    f"{safe_text(', '.join(parsed.files))} ({said})",
                    err=True,
                )
        else:
            key = show
        view = stack_view(catalog.tables(), key)
        if view is None or view.forgotten:
            raise CommandError(f"no stack {key!r} (djp stack --list shows them)")
        now = datetime.now(UTC)
        targets = dependency_targets(catalog, view)  # one scan of the catalogue
        if not no_pypi:
            report = asyncio.run(
                refresh_stack(
                    catalog,
                    view,
                    session.pypi_config(pypi_url),
                    now,
                    progress=pypi_progress_printer(),
                    targets=targets,
                )
            )
            clear_progress_line()
            if report.unreachable:
                click.echo(
                    f"djp: PyPI unreachable, facts not refreshed: {report.unreachable}", err=True
                )
            elif report.stopped:
                click.echo(
                    f"djp: PyPI: {safe_text(report.stopped)}; {report.skipped:,} not asked",
                    err=True,
                )
            for error in report.errors[:20]:
                click.echo(f"djp: {safe_text(error)}", err=True)
        else:
            report = PypiReport()
        version, why = target_django(view, django)
        plan = plan or format_ == "requirements"

        if plan:
            reading = not (no_pypi or report.unreachable or report.stopped)
            said = len(report.errors)
            config = session.pypi_config(pypi_url) if reading else None
            rows, report = asyncio.run(
                plan_stack(catalog, view, version, config, now, targets=targets,
                           progress=pypi_progress_printer(), report=report)
            )  # fmt: skip
            clear_progress_line()
            for error in report.errors[said : max(said, 20)]:
                click.echo(f"djp: {safe_text(error)}", err=True)
        else:
            rows = judged_rows(catalog, catalog.tables(), view, targets, version, now,
                               failures(report))  # fmt: skip
    if format_ == "requirements":
        _rewrite(view, rows, project_directory(list(files)) if files else Path("."))
    elif as_json:
        echo_json(r.as_json() for r in rows)
    else:
        _print(view, rows, version, why, plan)
    if check:
        left_out = {canonical_name(n) for n in ignored}
        failing = [
            (r, p) for r in rows if r.name not in left_out
            for p in r.problems + (r.doubts if strict else [])
        ]  # fmt: skip
        if left_out:
            said = ", ".join(sorted(left_out & {r.name for r in rows})) or "none of them here"
            click.echo(f"{safe_text(view.name)}: left out of the check: {safe_text(said)}",
                       err=True)  # fmt: skip
        if report.unreachable or report.stopped:  # facts kept from before: not checked now
            why = report.unreachable or report.stopped
            failing.insert(0, (None, f"PyPI could not be asked ({why}): nothing was checked now"))
        for _, problem in failing:
            click.echo(f"{safe_text(view.name)}: {safe_text(problem)}", err=True)
        if failing:
            click.echo(
                f"{safe_text(view.name)}: {counted(len(failing), 'problem')} in "
                f"{counted(len({r.name for r, _ in failing if r}), 'dependency', 'dependencies')}"
                + ("" if strict else " (--strict also fails on undeclared and unknown)"),
                err=True,
            )
        ctx.exit(1 if failing else 0)


def _list(session: Session, as_json: bool) -> None:
    with session.open_catalog(fill=False) as catalog:
        kept = stacks(catalog.tables())
    if as_json:
        echo_json(
            {"name": v.name, "files": v.files, "django": v.django, "dependencies": len(v.deps)}
            for v in kept
        )
        return
    if not kept:
        click.echo(
            "no stacks yet: djp stack in a project's directory reads one (or name its files)"
        )
    for v in kept:
        files = ", ".join(safe_text(f) for f in v.files)
        click.echo(f"{safe_text(v.name):<24} {len(v.deps):>4} dependencies  {files}")


def _print(view: StackView, rows: list[StackRow], version: str, why: str, plan: bool) -> None:
    """The report; on a terminal, in the columns its width leaves room for (as in the app)."""
    click.echo(f"stack {safe_text(view.name)}: Django {version}, {safe_text(why)}")
    if plan:
        _print_plan(rows)
        return
    columns = stack_columns(terminal_width(), plan=False)
    click.echo(" ".join(fit(label, cells) for label, cells in columns) + " notes")
    for r in rows:
        cells = stack_cells(r)
        line = " ".join(fit(cells[label], w) for label, w in columns)
        click.echo(line + " " + safe_text("; ".join(r.notes)))
    with_problems = sum(1 for r in rows if r.problems)
    click.echo(
        f"{counted(len(rows), 'dependency', 'dependencies')}, {with_problems} with problems "
        f"({sum(1 for r in rows if r.package)} in the djp catalogue)"
    )


def _print_plan(rows: list[StackRow]) -> None:
    """The plan as a table: dependency, now, ready, clear, move to, why."""
    columns = plan_columns(terminal_width())
    click.echo(" ".join(fit(label, w) for label, w in columns) + " why")
    for r in rows:
        cells = plan_cells(r)
        line = " ".join(fit(cells[label], w) for label, w in columns)
        click.echo(line + " " + cells["why"])
    moving = sum(1 for r in rows if r.plan and r.plan["move_to"] and r.plan["move_to"] != r.judged)
    stuck = sum(1 for r in rows if r.plan and r.plan["move_to"] is None)
    click.echo(
        f"{counted(len(rows), 'dependency', 'dependencies')}: {moving:,} to move, "
        f"{stuck:,} with no release to move to"
    )


def _rewrite(view: StackView, rows: list[StackRow], base: Path) -> None:
    """The dependency files with each move applied, for a reviewer to diff (one file: its
    text alone; several: each after a ``# djp: FILE`` line). A lock's pins are the locker's
    to move: said on stderr."""
    try:
        texts = rewritten(view, rows, base)
    except StackFileError as exc:
        raise CommandError(str(exc)) from None
    for path, text, skipped in texts:
        if len(texts) > 1:
            click.echo(f"# djp: {path}")
        click.echo(text, nl=False)
        for line in skipped:
            click.echo(f"djp: {safe_text(line)}", err=True)


def _expand(path: Path) -> list[Path]:
    """A directory stands for the dependency files it holds; a file for itself."""
    return project_files(path) if path.is_dir() else [path]
