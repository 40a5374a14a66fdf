"""``djp compare``: packages side by side, as the app's comparison shows them."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from catalog.present.compare import FORMATS, RENDERERS, compare, to_text
from catalog.pypi.verdicts import DJANGO_RELEASES, default_django
from catalog.read import queries
from catalog.read.rows import RowIndex
from cli import complete
from cli.context import CommandError, Session, pass_session, terminal_width


@click.command(name="compare")
@click.argument("packages", nargs=-1, metavar="PKG...", shell_complete=complete.packages)
@click.option(
    "--grid",
    metavar="X",
    help="Compare every package of this grid (with any PKGs).",
    shell_complete=complete.grids,
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
    help="markdown is what a pull request or a decision record takes.",
)  # fmt: skip
@click.option(
    "--django",
    metavar="X",
    help="The Django release of the readiness row.",
    shell_complete=complete.django_releases,
)
@click.option("--sort", metavar="ATTRIBUTE", help="Order the packages best first by a row.")
@pass_session
def compare_command(
    session: Session,
    packages: tuple[str, ...],
    grid: str | None,
    fmt: str,
    django: str | None,
    sort: str | None,
) -> None:
    """Packages side by side: one column a package, one row an attribute, best values marked.

    Rows: description, category, version, watchers, forks, last commit, 52-week commits,
    participants, links, your status/tags/notes, edits and conflicts, and PyPI's facts
    (latest release, release age, licence, yanked, advisories, Django readiness, health).
    """
    now = datetime.now(UTC)
    versions = [r.version for r in DJANGO_RELEASES]
    if django is not None and django not in versions:
        raise CommandError(
            f"Django {django} is not a feature release; choose {', '.join(versions)}"
        )
    with session.open_catalog() as catalog:
        tables = catalog.tables()
        index = RowIndex(tables, now)
        rows = []
        if grid is not None:
            rows += queries.packages(tables, grid=grid, sort="-watchers", now=now)
        for key in packages:
            target = catalog.lookup("package", key)
            if target is None:
                hint = catalog.suggestion("package", key)
                raise CommandError(f"no package {key!r} in the catalogue{hint}")
            rows.append(index.rows.get(target.key) or index.vanished_rows[target.key])
    unique = list({r.key: r for r in rows}.values())
    if len(unique) < 2:
        raise CommandError("name at least two packages (or --grid X) to compare")
    result = compare(unique, index.category_names, now, django or default_django(now.date()))
    if sort is not None:
        labels = [a.label for a in result.attributes]
        if sort not in labels:
            raise CommandError(f"no row {sort!r}; choose one of {', '.join(labels)}")
        result = result.sorted_by(sort)
    if fmt == "text":  # on a terminal, fitted to its width
        click.echo(to_text(result, total=terminal_width()))
    else:
        click.echo(RENDERERS[fmt](result))
