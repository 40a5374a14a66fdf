"""Readiness (key 5): the packages the filter selects (all, or ``grid:X``...) against every
Django release since 2.2, like pyreadiness but for Django; the selected package's evidence
for the chosen release below the table. ``v`` chooses that release."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from catalog.api import pypi_name
from catalog.present.details import VERDICT_CELLS
from catalog.pypi.verdicts import DJANGO_RELEASES, VERDICT_WORDS, verdict_counts
from catalog.read.filters import FilterError
from catalog.text import counted, safe_text
from projections.targets import Target
from tui.modals import ChoiceModal
from tui.screens.base import BACK, DjpScreen
from tui.screens.package_keys import PACKAGE_KEYS, PackageKeys
from tui.widgets import DjpInput, KeyFooter
from tui.widgets.readiness_table import ReadinessTable


class ReadinessScreen(PackageKeys, DjpScreen):
    AUTO_FOCUS = "ReadinessTable"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        BACK,
        Binding("slash", "focus_filter", "filter", id="readiness.filter"),
        Binding("v", "choose_django", "Django version", id="readiness.django"),
        *PACKAGE_KEYS,
    ]

    def package_target(self) -> Target | None:
        row = self.query_one(ReadinessTable).current
        return row.view.target if row is not None else None

    def no_package_why(self) -> str:
        return "no package is highlighted (the filter selects none)"

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield DjpInput(
            value=self.initial_query,
            placeholder="/ filter: the catalogue's language (grid:SLUG, is:shortlisted...)",
            id="readiness-filter",
        )
        yield Static(id="readiness-summary", markup=False)
        yield ReadinessTable(id="readiness", django=lambda: self.controller.django_version)
        yield Static(id="readiness-evidence", markup=False)
        yield KeyFooter()

    def refresh_state(self) -> None:
        super().refresh_state()
        controller = self.controller
        table = self.query_one(ReadinessTable)
        summary = self.query_one("#readiness-summary", Static)
        text = self.query_one("#readiness-filter", Input).value
        try:
            rows = controller.filter(text, "django", True)
        except FilterError as exc:
            summary.update(Text(str(exc), style="bold"))
            table.empty_text = "The filter is not understood."
            table.set_rows([])
            return
        version = self.controller.django_version
        counts = dict.fromkeys(VERDICT_WORDS, 0)
        unnamed = waiting = 0  # without PyPI facts: no PyPI link / not asked yet
        for row in rows:
            if row.pypi is not None:
                counts[row.pypi.django(version).verdict] += 1
                continue
            counts["unknown"] += 1
            if pypi_name(row.view.record.pypi_url):
                waiting += 1
            else:
                unnamed += 1
        why = [
            f"{unnamed:,} name no PyPI project" if unnamed else "",
            f"{waiting:,} without PyPI facts yet: S syncs them" if waiting else "",
        ]
        why_text = "; ".join(w for w in why if w)
        summary.update(
            f"Django {version}: {verdict_counts(counts)} of {counted(len(rows), 'package')}"
            + (f" ({why_text})" if why_text else "")
            + "; v changes the version"
        )
        table.empty_text = "No package matches the filter."
        table.set_rows(rows)
        self.show_evidence()

    def show_evidence(self) -> None:
        row = self.query_one(ReadinessTable).current
        evidence = self.query_one("#readiness-evidence", Static)
        if row is None:
            evidence.update("")
            return
        version = self.controller.django_version
        if row.pypi is None:
            why = "no PyPI facts yet"
        else:
            v = row.pypi.django(version)
            why = f"{VERDICT_CELLS[v.verdict]}  {v.evidence}"
        evidence.update(f"{safe_text(row.view.record.title)} on Django {version}: {why}")

    @on(ReadinessTable.Opened)
    def open_package(self, message: ReadinessTable.Opened) -> None:
        self.controller.open_package(message.row.view.target)

    @on(ReadinessTable.Highlighted)
    def highlighted(self) -> None:
        self.show_evidence()

    @on(Input.Changed, "#readiness-filter")
    def filter_changed(self) -> None:
        self.refresh_state()

    @on(Input.Submitted, "#readiness-filter")
    def filter_submitted(self) -> None:
        self.query_one(ReadinessTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#readiness-filter", Input).focus()

    def action_choose_django(self) -> None:
        versions = [r.version for r in reversed(DJANGO_RELEASES)]

        def chosen(version: str | None) -> None:
            if version:
                self.controller.set_django_version(version)

        self.app.push_screen(
            ChoiceModal("judge readiness for Django", versions, self.controller.django_version),
            chosen,
        )
