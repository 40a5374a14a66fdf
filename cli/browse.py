"""Reading the catalogue: ``packages``, ``show``, ``grids``, ``grid``, ``categories``.

Text output uses the app's columns, markers and detail rows (``catalog.present.details``), fitted to
terminal cells; ``--json`` prints one object per line.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from catalog.catalog import Catalog
from catalog.present import export
from catalog.present.details import COLUMNS, cell_text, grid_count, package_details
from catalog.present.pypi import pypi_details_of, pypi_of
from catalog.read import lookup, queries
from catalog.read.filters import parse_filter
from catalog.read.rows import Row, RowIndex
from catalog.read.settings import Settings
from catalog.text import counted, fit, safe_text
from cli import complete
from cli.context import (
    CommandError,
    Session,
    as_of_option,
    echo_json,
    json_option,
    pass_session,
    terminal_width,
)
from projections.fold import Tables

#: What ``djp packages`` prints: the app's columns (less the activity graph), with the id,
#: PyPI's release age, licence and the readiness verdict for the chosen Django.
LIST_COLUMNS = ["status", "id", "title", "category", "version", "watchers", "forks",
                "last_commit", "released", "license", "django"]  # fmt: skip
TITLE_WIDTH = 36
#: On a terminal narrower than the list, the title shrinks to ``MIN_TITLE`` cells, then these
#: columns go, least important first (piped output keeps every column); a column the filter
#: or the sort reads is never dropped.
LIST_DROP_ORDER = ("category", "forks", "released", "version", "license", "watchers",
                   "last_commit", "advisories")  # fmt: skip
MIN_TITLE = 24
#: The column that says why a row matches a qualifier (or a sort).
QUALIFIER_COLUMNS = {
    "license": "license", "django": "django", "stale": "last_commit", "unreleased": "released",
    "vulnerable": "advisories", "yanked": "advisories", "released": "released",
    "last_commit": "last_commit", "version": "version", "watchers": "watchers",
    "forks": "forks", "category": "category", "cat": "category",
}  # fmt: skip
#: ``djp grids``: id (5), slug, size, title, each column with the spaces after it.
GRID_SLUG, GRID_SIZE, GRID_TITLE = 28, 13, 40
GRID_BEFORE = 5 + 2 + GRID_SLUG + 1 + GRID_SIZE + 2  # the cells before the title
SORT_HELP = (
    "title, slug, id, category, version, watchers, forks, last_commit, activity, created, "
    "modified, status, license, released; a leading - sorts descending (as Django's order_by)"
)


def tables_at(catalog: Catalog, as_of: int | None) -> Tables:
    try:
        return catalog.tables(as_of)
    except LookupError as exc:
        raise CommandError(str(exc)) from None


def fitted_columns(
    columns: list[str], width: int | None, kept: frozenset[str] = frozenset()
) -> tuple[list[str], dict[str, int]]:
    """The columns of a list that fit ``width`` cells, and their widths; those in ``kept``
    (what the filter or the sort reads) stay."""
    widths = {k: COLUMNS[k].width or TITLE_WIDTH for k in columns}
    if width is None or "title" not in columns:
        return columns, widths

    def room() -> int:  # for the title, beside the other columns
        return width - sum(widths[k] + 1 for k in columns if k != "title")

    for key in LIST_DROP_ORDER:
        if room() >= MIN_TITLE:
            break
        if key not in kept:
            columns = [k for k in columns if k != key]
    widths["title"] = max(MIN_TITLE, min(TITLE_WIDTH, room()))
    return columns, widths


def read_columns(query: str | None, sort: str | None) -> frozenset[str]:
    """The columns a filter's qualifiers and a sort read (``license:MIT`` the licence,
    ``is:vulnerable`` the advisories, ``--sort=-released`` the release age)."""
    kept = set()
    if query:
        for clause in parse_filter(query).clauses:
            key = clause.value if clause.name == "is" else clause.name
            if isinstance(key, str) and key in QUALIFIER_COLUMNS:
                kept.add(QUALIFIER_COLUMNS[key])
    if sort:
        name = sort.lstrip("-")
        kept.add(QUALIFIER_COLUMNS.get(name, name))
    return frozenset(k for k in kept if k in COLUMNS)


def print_rows(
    rows: list[Row], columns: list[str], django: str = "", kept: frozenset[str] = frozenset()
) -> None:
    """The rows in ``columns`` that fit the terminal (``kept`` stay; a kept column that is
    not one of ``columns`` is added before the last)."""
    columns = columns + [k for k in sorted(kept) if k not in columns]
    columns, widths = fitted_columns(columns, terminal_width(), kept)
    if not django:
        columns = [k for k in columns if k != "django"]
    header = [fit(label_of(k, django), widths[k], COLUMNS[k].right) for k in columns]
    click.echo(" ".join(header).rstrip())
    now = datetime.now(UTC)
    for row in rows:
        cells = [
            fit(cell_text(COLUMNS[k], row, now, django), widths[k], COLUMNS[k].right)
            for k in columns
        ]
        click.echo(" ".join(cells).rstrip())


def label_of(key: str, django: str) -> str:
    return f"Dj {django}" if key == "django" else COLUMNS[key].label


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", *export.FORMATS]),
    default="text",
    help="text (columns), or the app's export: markdown, csv, json (one array).",
)
django_option = click.option(
    "--django",
    metavar="X.Y",
    shell_complete=complete.django_releases,
    help="Django release the readiness column judges (default: django:X in the query, else "
    "the app's choice).",
)


def list_django(settings: Settings, query: str | None, django: str | None) -> str:
    """The Django the readiness column judges: ``--django``, else the one a ``django:X``
    qualifier names, else the app's choice."""
    if django:
        return django
    for clause in parse_filter(query).clauses if query else []:
        if clause.name == "django" and not clause.negated:
            return clause.value[0]
    return settings.django(datetime.now(UTC).date())


def print_export(catalog: Catalog, rows: list[Row], fmt: str, django: str | None) -> None:
    version = django or Settings(catalog).django(datetime.now(UTC).date())
    click.echo(export.render(rows, fmt, version))


@click.command()
@click.option(
    "--query", "-q", metavar="Q", help="The app's filter: words, -word, grid: cat: tag: is: ..."
)
@click.option("--saved", metavar="NAME", help="A filter saved in the app (or with --save).")
@click.option("--save", metavar="NAME", help="Keep --query under NAME, for the app and --saved.")
@click.option(
    "--grid",
    metavar="SLUG_OR_ID",
    help="Only packages in this grid.",
    shell_complete=complete.grids,
)
@click.option("--category", metavar="ID_OR_NAME", help="Only packages in this category.")
@click.option(
    "--sort", metavar="FIELD", help=SORT_HELP + " (default: relevance to --query, else title)"
)
@format_option
@django_option
@json_option
@as_of_option
@pass_session
def packages(
    session: Session,
    query: str | None,
    saved: str | None,
    save: str | None,
    grid: str | None,
    category: str | None,
    sort: str | None,
    fmt: str,
    django: str | None,
    as_json: bool,
    as_of: int | None,
) -> None:
    """List packages; export them with --format."""
    with session.open_catalog() as catalog:
        settings = Settings(catalog)
        if saved is not None:
            query = " ".join(filter(None, [settings.saved_filter(saved), query]))
        tables = tables_at(catalog, as_of)
        rows = queries.packages(
            tables,
            query=query,
            grid=grid,
            category=category,
            sort=sort or ("relevance" if query else "title"),
        )
        if save is not None:
            if not query:
                raise CommandError("--save needs a --query to keep")
            if not settings.save_filter(save, query):
                raise CommandError("the store is read-only: the filter was not saved")
            click.echo(f"saved the filter {query!r} as {save!r}", err=True)
        if fmt != "text":
            print_export(catalog, rows, fmt, django)
            return
        shown_django = list_django(settings, query, django)
    if as_json:
        echo_json(queries.package_json(r.view) for r in rows)
        return
    print_rows(rows, LIST_COLUMNS, shown_django, read_columns(query, sort))
    click.echo(counted(len(rows), "package"), err=True)


@click.command()
@click.argument("package", metavar="PKG", shell_complete=complete.packages)
@json_option
@as_of_option
@pass_session
def show(session: Session, package: str, as_json: bool, as_of: int | None) -> None:
    """One package, by id or slug.

    JSON adds local (notes, tags, status), overridden, conflicts and pypi (what PyPI says:
    latest release, licence, advisories, a readiness verdict for every Django release).
    """
    with session.open_catalog() as catalog:
        try:
            view = catalog.package_view(package, as_of)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        tables = catalog.tables()  # for the names of categories and grids
        now = datetime.now(UTC)
        past = tables_at(catalog, as_of) if as_of is not None else tables
        pypi = pypi_of(catalog, past, view, now)
        pypi_rows = pypi_details_of(catalog, past, view, now)
    if as_json:
        echo_json([queries.package_json(view) | {"pypi": pypi}])
        return
    grid_titles = {g.record.id: g.record.title for g in lookup.grids(tables) if not g.local}
    latest = (pypi or {}).get("latest") or ""
    for row in package_details(view, lookup.category_names(tables), grid_titles, None, latest):
        click.echo(f"{row.label:>12}  {row.value}")
    for row in pypi_rows:
        click.echo(f"{row.label:>12}  {row.value}")


@click.command()
@json_option
@as_of_option
@pass_session
def grids(session: Session, as_json: bool, as_of: int | None) -> None:
    """List grids."""
    with session.open_catalog() as catalog:
        tables = tables_at(catalog, as_of)
        rows = lookup.grids(tables)
        index = RowIndex(tables, datetime.now(UTC))
        sizes = {g.key: index.grid_counts(g) for g in rows}
        unfetched = len(index.grids) - len(rows)
    if as_json:
        echo_json(queries.grid_json(g) for g in rows)
        return
    if not rows:
        click.echo(
            "no grids at this point (djp sync fetches them; djp grid-edit create makes one)",
            err=True,
        )
    width = terminal_width()  # on a terminal, the title gives up cells to fit it
    title_width = GRID_TITLE if width is None else max(12, min(GRID_TITLE, width - GRID_BEFORE))
    for g in rows:
        ident = "local" if g.local else g.record.id
        shown, missing = sizes[g.key]
        size = fit(counted(shown, "package"), GRID_SIZE, right=True)
        click.echo(
            f"{ident:>5}  {fit(safe_text(g.record.slug), GRID_SLUG)} {size}  "
            f"{fit(safe_text(g.record.title), title_width).rstrip()}"
            + (f"  ({missing:,} not fetched yet)" if missing else "")
        )
    if unfetched:
        click.echo(
            f"{counted(unfetched, 'more grid', 'more grids')} named by packages but not"
            " fetched yet (djp grid ID lists its packages)",
            err=True,
        )


@click.command()
@click.argument("grid_key", metavar="X", shell_complete=complete.grids)
@click.option("--sort", default="-watchers", metavar="FIELD", help=SORT_HELP)
@format_option
@django_option
@json_option
@as_of_option
@pass_session
def grid(
    session: Session,
    grid_key: str,
    sort: str,
    fmt: str,
    django: str | None,
    as_json: bool,
    as_of: int | None,
) -> None:
    """One grid and all its packages, by id or slug; export them with --format."""
    with session.open_catalog() as catalog:
        tables = tables_at(catalog, as_of)
        view = lookup.get_grid(tables, grid_key)
        rows = queries.packages(
            tables, grid=view.target.key if view.local else str(view.record.id), sort=sort
        )
        if fmt != "text":
            print_export(catalog, rows, fmt, django)
            return
        shown_django = list_django(Settings(catalog), None, django)
    if as_json:
        echo_json([queries.grid_json(view)])
        return
    if view.unfetched:
        click.echo(f"{safe_text(view.record.title)} (not fetched yet)")
    else:
        where = "your grid" if view.local else f"grid {view.record.id}"
        click.echo(f"{safe_text(view.record.title)} ({safe_text(view.record.slug)}, {where})")
    if view.record.description:
        click.echo(safe_text(view.record.description))
    columns = ["status", "id", "title", "watchers", "last_commit", "released", "license", "django"]
    print_rows(rows, columns, shown_django, read_columns(None, sort))
    missing = len(set(view.record.packages) - {r.view.record.id for r in rows})
    click.echo(grid_count(len(rows), missing))


@click.command()
@json_option
@as_of_option
@pass_session
def categories(session: Session, as_json: bool, as_of: int | None) -> None:
    """List categories."""
    with session.open_catalog() as catalog:
        rows = lookup.categories(tables_at(catalog, as_of))
    if as_json:
        echo_json(queries.record_json(c) for c in rows)
        return
    if not rows:
        click.echo("no categories at this point (djp sync fetches them)", err=True)
    for c in rows:
        click.echo(f"{c.id:>3}  {fit(safe_text(c.slug), 12)} {safe_text(c.title)}")
