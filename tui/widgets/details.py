"""The details pane under a package table (``D``): description, dates, links and your notes
for the row under the cursor, so a package need not be opened to be judged."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from catalog.api import pypi_name
from catalog.read.rows import Row
from catalog.text import local_time, relative, safe_text


class DetailsPane(Widget):
    """Of fixed height: a new row redraws the pane alone (a ``Static`` update lays the whole
    screen out again: measured, +50 ms a cursor move at 6,000 packages)."""

    DEFAULT_CSS = """
    DetailsPane { height: 7; border-top: solid $panel-lighten-2; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = Text("")

    def update(self, text: Text) -> None:
        self._text = text
        self.refresh()

    def render(self) -> Text:
        return self._text

    def show(self, row: Row | None, now: datetime | None, django: str = "") -> None:
        if row is None:
            self.update(Text("No package under the cursor.", style="dim"))
            return
        view, p, d = row.view, row.view.record, row.pypi
        text = Text(no_wrap=False, overflow="ellipsis")
        text.append(safe_text(p.title), style="bold")
        text.append(
            f"  {safe_text(p.slug)} · {safe_text(row.category) or 'no category'}", style="dim"
        )
        text.append("\n" + (safe_text(p.repo_description) or "(no description)") + "\n")
        dates = [f"last commit {relative(p.last_updated, now) or 'unknown'}"]
        if p.created:
            dates.append(f"listed {local_time(p.created)[:10]}")
        if d is not None and d.facts is not None:
            dates.append(f"PyPI {safe_text(d.latest)} released {relative(d.released, now)}")
            dates.append(f"licence {safe_text(d.license)}")
            if django:
                v = d.django(django)
                dates.append(f"Django {django}: {v.verdict} ({safe_text(v.evidence)})")
        text.append(" · ".join(dates) + "\n", style="dim")
        links = [("repo", p.repo_url), ("docs", p.documentation_url)]
        name = pypi_name(p.pypi_url)
        links.append(("PyPI", f"https://pypi.org/project/{name}/" if name else ""))
        text.append("   ".join(f"{k} {safe_text(v)}" for k, v in links if v) + "\n")
        mine = [f"status {view.status}"]
        if view.tags:
            mine.append("tags " + ", ".join(safe_text(t) for t in view.tags))
        if view.notes:
            mine.append("notes " + safe_text(view.notes, single_line=True))
        text.append("yours: " + " · ".join(mine))
        self.update(text)
