"""The PyPI section of a package, as the package screen and ``djp show`` print it: facts,
advisories, readiness for every Django release with its evidence, the health rules; and
``djp show --json``'s ``pypi``."""

from __future__ import annotations

from datetime import datetime

from catalog.catalog import Catalog

# --- markers ------------------------------------------------------------------------------
from catalog.present.details import VERDICT_CELLS, VERDICT_TONES, Detail
from catalog.pypi.cache import pypi_status
from catalog.pypi.readiness import Digest, health, pypi_summary
from catalog.pypi.verdicts import DJANGO_RELEASES, DJANGO_TABLE_SOURCE, Verdict
from catalog.text import (
    local_time,
    relative,
    safe_text,
)
from projections.fold import Tables
from projections.view import PackageView


def pypi_details(
    name: str | None,
    digest: Digest | None,
    fetched: datetime | None,
    error: str | None,
    last_commit: datetime | None,
    now: datetime,
    advisories_shown: int | None = None,
    ready_since: tuple[str, tuple[str | None, str]] | None = None,
) -> list[Detail]:
    """The PyPI section of the package screen and ``djp show``: facts, advisories, readiness
    for every Django release in the table with its evidence, and the health rules.
    ``advisories_shown``: list that many advisories and count the rest (the package screen:
    a thousand made it take a second to open; ``djp show`` lists them all). ``ready_since``:
    (Django X, the smallest release ready for it or None and why), from
    ``catalog.pypi.releases``."""
    if not name:
        return [Detail("PyPI", "no PyPI name in the catalogue")]
    when = f"fetched {relative(fetched, now)}" if fetched else "not fetched yet"
    rows = [Detail("PyPI", safe_text(f"{name} ({when})"))]
    if error:
        rows.append(Detail("last fetch", safe_text(error), "error"))
    if digest is not None and digest.facts is None:
        rows.append(Detail("on PyPI", "no: PyPI has no such project", "warning"))
    if digest is not None and digest.facts is not None:
        d = digest
        released = f"{local_time(d.released)} ({relative(d.released, now)})" if d.released else ""
        rows += [
            Detail("latest", safe_text(f"{d.latest}  {released}".strip())),
            Detail("releases", f"{d.releases_last_year} in the last 12 months"),
            Detail("licence", safe_text(d.license)),
            Detail(
                "requires", safe_text(f"Python {d.requires_python}" if d.requires_python else "")
            ),
            Detail(
                "status",
                safe_text(f"{d.dev_status[0]} - {d.dev_status[1]}" if d.dev_status else ""),
            ),
        ]
        if d.yanked:
            reason = f": {d.yanked_reason}" if d.yanked_reason else ""
            rows.append(Detail("yanked", safe_text(f"{d.latest} is yanked{reason}"), "error"))
        shown = d.advisories if advisories_shown is None else d.advisories[:advisories_shown]
        for a in shown:
            fixed = f"fixed in {', '.join(a.fixed_in)}" if a.fixed_in else "no fixed version"
            also = f" ({', '.join(a.aliases)})" if a.aliases else ""
            rows.append(
                Detail(
                    "advisory", safe_text(f"{a.id}{also}: {fixed}. {a.summary}".strip()), "error"
                )
            )
        if len(shown) < len(d.advisories):
            more = f"and {len(d.advisories) - len(shown):,} more (djp show {name} lists them)"
            rows.append(Detail("advisory", safe_text(more), "error"))
        if d.advisories_left_out:
            more = f"and {d.advisories_left_out:,} more, not kept (djp keeps {len(d.advisories):,})"
            rows.append(Detail("advisory", more, "error"))
        for versions, v in readiness_spans(d):
            rows.append(
                Detail(
                    f"Django {versions}",
                    safe_text(f"{VERDICT_CELLS[v.verdict]}  {v.evidence}"),
                    VERDICT_TONES[v.verdict],
                )
            )
    if ready_since is not None and digest is not None and digest.facts is not None:
        django, (version, why) = ready_since
        text = f"{version} (the smallest release that declares it)" if version else why
        rows.append(Detail(f"ready for {django}", safe_text(text), "success" if version else ""))
    for rule in health(last_commit, digest, now):
        mark = {True: "✓", False: "✗", None: "?"}[rule.ok]
        tone = {True: "", False: "warning", None: ""}[rule.ok]
        rows.append(Detail("health", safe_text(f"{mark} {rule.name}: {rule.evidence}"), tone))
    rows.append(Detail("", DJANGO_TABLE_SOURCE))
    return rows


def readiness_spans(digest: Digest) -> list[tuple[str, Verdict]]:
    """The verdict for each Django release, in order; releases in a row with the same verdict
    for the same reason are one span ("4.1-6.1": undeclared, declares 2.2-4.0; requires
    Django>=2.2)."""
    spans: list[tuple[list[str], Verdict]] = []
    for release in DJANGO_RELEASES:
        v = digest.django(release.version)
        if spans and spans[-1][1] == v:
            spans[-1][0].append(release.version)
        else:
            spans.append(([release.version], v))
    return [(f"{vs[0]}-{vs[-1]}" if len(vs) > 1 else vs[0], v) for vs, v in spans]


def pypi_details_of(catalog: Catalog, tables: Tables, view: PackageView, now: datetime) -> list:
    """The PyPI rows of ``pypi_details`` for one package."""
    status = pypi_status(catalog, tables, view, now)
    return pypi_details(
        status.name, status.digest, status.fetched, status.error, view.record.last_updated, now
    )


def pypi_of(catalog: Catalog, tables: Tables, view: PackageView, now: datetime) -> dict | None:
    """``djp show --json``'s ``pypi``: null without a PyPI name; else what was recorded, the
    state (``ok``, ``missing``, ``error`` when the last fetch failed; null before the first)
    and the verdicts (``catalog.pypi.readiness.pypi_summary``)."""
    status = pypi_status(catalog, tables, view, now)
    if status.name is None:
        return None
    digest = status.digest
    state = "error" if status.error else (digest.state if digest is not None else None)
    facts = digest.facts if digest is not None else None
    summary = pypi_summary(status.name, state, facts, status.fetched, now)
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in summary.items()}
