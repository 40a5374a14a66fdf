"""Packages side by side: one column a package, one row an attribute, the best value of each
row marked. The app's comparison screen and ``djp compare`` both print this table; text,
Markdown (for a pull request or a decision record), CSV and JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalog.api import pypi_name
from catalog.pypi.readiness import health
from catalog.read.rows import VERDICT_ORDER, Row, shown_version
from catalog.text import (
    category_label,
    cells,
    csv_cell,
    fit,
    local_time,
    md_cell,
    relative,
    safe_json,
    safe_text,
    sparkline,
)

FORMATS = ("text", "markdown", "csv", "json")


@dataclass
class Attribute:
    """One row: its label, each package's value (for sorting and JSON) and shown text, and
    which columns hold the best value (none when the row has no better or worse)."""

    label: str
    values: list[Any]
    texts: list[str]
    best: set[int] = field(default_factory=set)


@dataclass
class Comparison:
    packages: list[str]  # the column titles (slugs)
    rows: list[Row]  # the packages, in column order
    attributes: list[Attribute]

    def sorted_by(self, label: str) -> Comparison:
        """The same comparison with its columns ordered best first by one attribute."""
        attribute = next(a for a in self.attributes if a.label == label)
        order = sorted(
            range(len(self.packages)),
            key=lambda i: (i not in attribute.best, _key(attribute.values[i]), i),
        )
        if attribute.label in DESCENDING:
            best = [i for i in order if i in attribute.best]
            rest = sorted(
                (i for i in order if i not in attribute.best),
                key=lambda i: _key(attribute.values[i]),
                reverse=True,
            )
            order = best + rest
        return Comparison(
            [self.packages[i] for i in order],
            [self.rows[i] for i in order],
            [
                Attribute(
                    a.label,
                    [a.values[i] for i in order],
                    [a.texts[i] for i in order],
                    {order.index(i) for i in a.best},
                )
                for a in self.attributes
            ],
        )


def _key(value: Any) -> tuple:
    if value is None:
        return (1, "")
    if isinstance(value, datetime):
        return (0, value.timestamp())
    if isinstance(value, int | float | bool):
        return (0, float(value))
    return (0, str(value).casefold())


#: Attributes where more (or newer) is better, so sorting puts the largest first.
DESCENDING = {"watchers", "forks", "last commit", "52-week commits", "participants",
              "released", "releases in 12 months", "health"}  # fmt: skip


def _best(values: list[Any], better: Callable[[Any], Any] | None) -> set[int]:
    """The columns holding the best value (``better`` maps a value to a number to maximise;
    None: no best). No best when all are equal or only one package has a value."""
    if better is None:
        return set()
    scored = {i: better(v) for i, v in enumerate(values) if v is not None}
    scored = {i: s for i, s in scored.items() if s is not None}
    if len(scored) < 2 or len(set(scored.values())) < 2:
        return set()
    top = max(scored.values())
    return {i for i, s in scored.items() if s == top}


def compare(
    rows: list[Row],
    category_names: dict[int, str],
    now: datetime,
    django: str,
) -> Comparison:
    """The comparison of ``rows`` (their order is the columns')."""
    attributes: list[Attribute] = []

    def add(label, values, texts=None, better=None) -> None:
        texts = texts or ["" if v is None else safe_text(v) for v in values]
        attributes.append(Attribute(label, values, texts, _best(values, better)))

    views = [r.view for r in rows]
    records = [v.record for v in views]
    digests = [r.pypi for r in rows]
    ts = lambda d: d.timestamp() if d else None  # noqa: E731
    add("title", [p.title for p in records])
    add("description", [p.repo_description for p in records])
    add("category", [category_label(category_names, p.category) for p in records])
    add("version", [shown_version(r) or None for r in rows])
    add(
        "watchers",
        [p.repo_watchers for p in records],
        [f"{p.repo_watchers:,}" for p in records],
        lambda v: v,
    )
    add(
        "forks",
        [p.repo_forks for p in records],
        [f"{p.repo_forks:,}" for p in records],
        lambda v: v,
    )
    add(
        "last commit",
        [p.last_updated for p in records],
        [
            f"{local_time(p.last_updated)[:10]} ({relative(p.last_updated, now)})"
            if p.last_updated
            else ""
            for p in records
        ],
        ts,
    )
    commits = [sum(p.commits_over_52) for p in records]
    add(
        "52-week commits",
        commits,
        [
            f"{sparkline(p.commits_over_52)} {n}" if n else "none in a year"
            for p, n in zip(records, commits, strict=True)
        ],
        lambda v: v,
    )
    add(
        "participants",
        [len(p.participants) for p in records],
        [str(len(p.participants)) for p in records],
        lambda v: v,
    )
    add("repo", [p.repo_url or None for p in records])
    add("docs", [p.documentation_url or None for p in records])
    add(
        "PyPI",
        [
            f"https://pypi.org/project/{n}/" if (n := pypi_name(p.pypi_url)) else None
            for p in records
        ],
    )
    add("your status", [v.status for v in views])
    add("your tags", [", ".join(v.tags) or None for v in views])
    add("your notes", [v.notes or None for v in views])
    add("edited", [", ".join(sorted(v.overridden)) or None for v in views])
    add("conflicts", [", ".join(v.conflicts) or None for v in views])
    add("latest release", [d.latest if d and d.facts else None for d in digests])
    add(
        "released",
        [d.released if d and d.facts else None for d in digests],
        [
            f"{local_time(d.released)[:10]} ({relative(d.released, now)})"
            if d and d.released
            else ""
            for d in digests
        ],
        ts,
    )
    add(
        "releases in 12 months",
        [d.releases_last_year if d and d.facts else None for d in digests],
        better=lambda v: v,
    )
    add("licence", [d.license if d and d.facts else None for d in digests])
    add("requires Python", [d.requires_python or None if d and d.facts else None for d in digests])
    add(
        "development status",
        [f"{d.dev_status[0]} - {d.dev_status[1]}" if d and d.dev_status else None for d in digests],
        better=lambda v: None if v is None else -abs(int(v.split(" ")[0]) - 5),
    )
    add(
        "latest yanked",
        [d.yanked if d and d.facts else None for d in digests],
        ["yes" if d and d.yanked else ("no" if d and d.facts else "") for d in digests],
        lambda v: not v,
    )
    add(
        "advisories",
        [len(d.advisories) if d and d.facts else None for d in digests],
        [", ".join(a.id for a in d.advisories) or "none" if d and d.facts else "" for d in digests],
        lambda v: -v,
    )
    verdicts = [d.django(django) if d else None for d in digests]
    add(
        f"Django {django}",
        [v.verdict if v else None for v in verdicts],
        [f"{v.verdict}: {v.evidence}" if v else "" for v in verdicts],
        lambda v: VERDICT_ORDER[v],  # yes, undeclared, unknown, n/a, no
    )
    failed = [
        [r.name for r in health(p.last_updated, d, now) if r.ok is False]
        for p, d in zip(records, digests, strict=True)
    ]
    add(
        "health",
        [6 - len(f) for f in failed],
        ["all rules pass" if not f else "fails: " + ", ".join(f) for f in failed],
        lambda v: v,
    )
    return Comparison([p.slug for p in records], list(rows), attributes)


# --- output formats -------------------------------------------------------------------------


#: The narrowest a package's column gets on a terminal before the packages go in blocks.
NARROWEST = 16


def to_text(comparison: Comparison, width: int = 24, total: int | None = None) -> str:
    """A plain table, laid out by cell width; ``*`` marks the best value of a row. ``total``
    (a terminal's width): the columns narrow to ``NARROWEST`` cells to fit it, then the
    packages go in blocks that fit, one table after another."""
    label_width = max(cells(a.label) for a in comparison.attributes)
    count = len(comparison.packages)
    per_block = count
    if total is not None:
        room = total - label_width
        per_block = max(1, min(count, room // (NARROWEST + 2)))
        width = max(NARROWEST, min(width, room // per_block - 2))
    blocks = [range(i, min(i + per_block, count)) for i in range(0, count, per_block)]
    return "\n\n".join(_text_block(comparison, block, label_width, width) for block in blocks)


def _text_block(comparison: Comparison, block: range, label_width: int, width: int) -> str:
    lines = [
        fit("", label_width)
        + "  "
        + "  ".join(fit(safe_text(comparison.packages[i]), width) for i in block)
    ]
    for a in comparison.attributes:
        texts = [("* " if i in a.best else "") + a.texts[i] for i in block]
        lines.append(fit(a.label, label_width) + "  " + "  ".join(fit(t, width) for t in texts))
    return "\n".join(line.rstrip() for line in lines)


def to_markdown(comparison: Comparison) -> str:
    """A Markdown table (GitHub's), best values in bold."""
    head = "| | " + " | ".join(md_cell(safe_text(p)) for p in comparison.packages) + " |"
    rule = "|---|" + "---|" * len(comparison.packages)
    lines = [head, rule]
    for a in comparison.attributes:
        texts = [
            f"**{md_cell(t)}**" if i in a.best and t else md_cell(t) for i, t in enumerate(a.texts)
        ]
        lines.append(f"| {a.label} | " + " | ".join(texts) + " |")
    return "\n".join(lines)


def to_csv(comparison: Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["attribute", *map(csv_cell, comparison.packages)])
    for a in comparison.attributes:
        writer.writerow([a.label, *map(csv_cell, a.texts)])
    return out.getvalue().rstrip("\n")


def to_json(comparison: Comparison) -> str:
    """One object: the packages, and per attribute its values and the best columns' slugs."""

    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    data = {
        "packages": comparison.packages,
        "attributes": [
            {
                "attribute": a.label,
                "values": dict(zip(comparison.packages, map(plain, a.values), strict=True)),
                "best": [comparison.packages[i] for i in sorted(a.best)],
            }
            for a in comparison.attributes
        ],
    }
    return safe_json(data)


RENDERERS = {"text": to_text, "markdown": to_markdown, "csv": to_csv, "json": to_json}
