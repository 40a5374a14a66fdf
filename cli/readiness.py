"""``djp readiness``: packages x a Django (and Python) version, with the evidence."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import click

from catalog.api import pypi_name
from catalog.pypi.verdicts import DJANGO_RELEASES, verdict_counts
from catalog.read import queries
from catalog.read.settings import Settings
from catalog.text import counted, fit, safe_text
from cli import complete
from cli.context import CommandError, Session, echo_json, json_option, pass_session

VERSIONS = [r.version for r in DJANGO_RELEASES]


@click.command()
@click.option(
    "--django",
    "django",
    metavar="X",
    shell_complete=complete.django_releases,
    help="A Django feature release (default: the app's choice, else the newest supported LTS).",
)
@click.option("--python", "python", metavar="Y", help="Also a Python version (3.Y).")
@click.option(
    "--grid", metavar="X", help="Only the packages of this grid.", shell_complete=complete.grids
)
@click.option("--query", "-q", metavar="Q", help="Only the packages this filter selects.")
@json_option
@pass_session
def readiness(
    session: Session,
    django: str | None,
    python: str | None,
    grid: str | None,
    query: str | None,
    as_json: bool,
) -> None:
    """Will each package work with Django X? yes, no or unknown, with the evidence.

    Verdicts come from what PyPI says (djp sync --pypi-only fetches it): classifiers and the
    requirement on Django; never a guess.
    """
    if django is not None and django not in VERSIONS:
        raise CommandError(
            f"Django {django} is not a feature release; choose {', '.join(VERSIONS)}"
        )
    with session.open_catalog() as catalog:
        chosen = "--django"
        if django is None:
            django, chosen = Settings(catalog).django_choice(datetime.now(UTC).date())
        # by slug: the slug is what each line shows
        rows = queries.packages(catalog.tables(), grid=grid, query=query, sort="slug")
    lines = []
    for row in rows:
        d = row.pypi
        if d is None:
            why = (
                "no PyPI facts yet (djp sync --pypi-only)"
                if pypi_name(row.view.record.pypi_url)
                else "no PyPI name in the catalogue"
            )
            verdict = py = {"verdict": "unknown", "evidence": why}
        else:
            v = d.django(django)
            verdict = {"verdict": v.verdict, "evidence": v.evidence}
            p = d.python(python or "3")
            py = {"verdict": p.verdict, "evidence": p.evidence}
        line = {"id": row.view.record.id, "slug": row.view.record.slug, **verdict}
        if python:
            line["python"] = py
        lines.append(line)
    if as_json:
        echo_json(lines)
        return
    counts = Counter(line["verdict"] for line in lines)
    click.echo(
        f"Django {django} ({chosen}): {verdict_counts(counts)} of {counted(len(lines), 'package')}",
        err=True,
    )
    for line in lines:
        text = f"{fit(safe_text(line['slug']), 36)} {line['verdict']:<10} {line['evidence']}"
        if python:
            text += (
                f"  | Python {python}: {line['python']['verdict']} ({line['python']['evidence']})"
            )
        click.echo(safe_text(text))
