"""A list of packages (the filtered catalogue, a grid) as Markdown, CSV or JSON: what the app's
export (``E``) writes and ``djp packages --format`` / ``djp grid --format`` print. One row a
package, the columns a choice turns on; a comparison has its own forms
(``catalog.present.compare``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from catalog.api import pypi_name
from catalog.read.rows import Row, shown_version
from catalog.text import csv_cell, local_time, md_cell, safe_json, safe_text

FORMATS = ("markdown", "csv", "json")
SUFFIX = {"markdown": ".md", "csv": ".csv", "json": ".json", "text": ".txt"}


def _release(row: Row) -> datetime | None:
    return row.pypi.released if row.pypi else None


def columns(django: str) -> list[tuple[str, Callable[[Row], Any]]]:
    """(name, value) per column; ``django``: the Django version readiness is judged for."""
    return [
        ("slug", lambda r: r.view.record.slug),
        ("title", lambda r: r.view.record.title),
        ("category", lambda r: r.category),
        ("version", shown_version),
        ("watchers", lambda r: r.view.record.repo_watchers),
        ("forks", lambda r: r.view.record.repo_forks),
        ("last_commit", lambda r: r.view.record.last_updated),
        ("latest_release", _release),
        ("license", lambda r: (r.pypi.license if r.pypi else "") or ""),
        (f"django_{django}", lambda r: r.pypi.django(django).verdict if r.pypi else "unknown"),
        ("status", lambda r: r.view.status),
        ("tags", lambda r: ", ".join(r.view.tags)),
        ("repo", lambda r: r.view.record.repo_url or ""),
        ("pypi", lambda r: pypi_name(r.view.record.pypi_url) or ""),
        ("description", lambda r: r.view.record.repo_description),
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_time(value)[:10]
    return safe_text(str(value))


def render(rows: list[Row], fmt: str, django: str) -> str:
    """``rows`` in ``fmt`` (one of ``FORMATS``), in their order."""
    cols = columns(django)
    if fmt == "json":
        plain = [
            {
                name: value.isoformat() if isinstance(value := get(r), datetime) else value
                for name, get in cols
            }
            for r in rows
        ]
        return safe_json(plain)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([name for name, _ in cols])
        for r in rows:
            writer.writerow([csv_cell(_text(get(r))) for _, get in cols])
        return out.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = [
            "| " + " | ".join(name for name, _ in cols) + " |",
            "|" + "---|" * len(cols),
        ]
        for r in rows:
            lines.append("| " + " | ".join(md_cell(_text(get(r))) for _, get in cols) + " |")
        return "\n".join(lines)
    raise ValueError(f"no export format {fmt!r}; choose one of {', '.join(FORMATS)}")
