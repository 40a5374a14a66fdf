"""Your stack (key 6): a project's dependencies as ``djp stack`` read them, problems first,
with the readiness verdict for the stack's target Django; Enter opens the djp package.
``w`` picks another stack; facts older than a day are fetched again in the background."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from catalog.present.details import VERDICT_TONES
from catalog.present.stack import stack_cells, stack_columns
from catalog.stacks.judge import StackRow
from catalog.text import counted, fit, safe_text
from projections.targets import Target
from tui.modals import ChoiceModal
from tui.screens.base import BACK, DjpScreen
from tui.screens.package_keys import PACKAGE_KEYS, PackageKeys
from tui.text import tone
from tui.widgets import KeyFooter, LineList


class StackScreen(PackageKeys, DjpScreen):
    AUTO_FOCUS = "#stack-rows"  # focused before the first frame: the footer shows its keys
    BINDINGS = [
        BACK,
        Binding("w", "choose_stack", "other stack", id="stack.choose"),
        *PACKAGE_KEYS,
    ]

    def _row(self) -> StackRow | None:
        index = self.query_one("#stack-rows", LineList).cursor
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def package_target(self) -> Target | None:
        row = self._row()
        return row.package_target if row is not None else None

    def no_package_why(self) -> str:
        row = self._row()
        if row is None:
            return "no dependency is highlighted"
        return f"{row.name} is not in the djp catalogue: these keys act on its packages"

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.stack_name = name
        self.rows: list[StackRow] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static(id="stack-title")
        yield Static(id="stack-header")
        yield LineList(id="stack-rows")
        yield Static(id="stack-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_facts()

    def on_resize(self) -> None:
        self.lay_out()  # the columns follow the width; the report stays as it is

    @work(exclusive=True, group="stack-pypi")
    async def refresh_facts(self) -> None:
        if self.stack_name or self.controller.stacks():
            await self.controller.refresh_stack(self.current_name())

    def current_name(self) -> str | None:
        names = [s.name for s in self.controller.stacks()]
        if self.stack_name not in names:
            self.stack_name = names[0] if names else None
        return self.stack_name

    def refresh_state(self) -> None:
        super().refresh_state()
        title = self.query_one("#stack-title", Static)
        rows = self.query_one("#stack-rows", LineList)
        name = self.current_name()
        if name is None:
            title.update(
                Text("No stacks yet. Read one from a terminal, in your project's directory: "
                     "djp stack (or name its files: requirements.txt, pyproject.toml, uv.lock).")
            )  # fmt: skip
            self.rows = []
            rows.set_lines([], 0)
            return
        view, rows_, version, why = self.controller.stack_report(name)
        self.rows = rows_
        problems = sum(1 for r in rows_ if r.problems)
        head = Text()
        head.append(f"stack {safe_text(name)}", style="bold")
        head.append(
            f"  {counted(len(rows_), 'dependency', 'dependencies')}, {problems} with problems · "
            f"Django {version} "
            f"({safe_text(why)}) · {', '.join(safe_text(f) for f in view.files)}",
            style="dim",
        )
        title.update(head)
        self.lay_out()

    def lay_out(self) -> None:
        """The header and one line a dependency, in the columns the width leaves room for."""
        if self.stack_name is None:  # no stack yet: the title says how to read one
            return
        rows = self.query_one("#stack-rows", LineList)
        columns = stack_columns(self.size.width or self.app.size.width)
        header = " ".join(fit(label, width) for label, width in columns) + " notes"
        self.query_one("#stack-header", Static).update(Text(header, style="bold", no_wrap=True))
        lines = [self.line(r, columns) for r in self.rows]
        rows.set_lines(lines, min(rows.cursor, max(0, len(lines) - 1)))
        self.show_detail()

    @on(LineList.Highlighted, "#stack-rows")
    def show_detail(self) -> None:
        """The highlighted dependency whole, below the list: what its cut line leaves out."""
        detail = self.query_one("#stack-detail", Static)
        index = self.query_one("#stack-rows", LineList).cursor
        if not 0 <= index < len(self.rows):
            detail.update("")
            return
        r = self.rows[index]
        facts = [r.requirement or r.name, r.source]  # file:line, in the project
        if r.judged:
            checked = "checked" if r.checked else f"not checked: {r.unchecked_why}"
            facts.append(f"judged {r.judged} ({r.judged_because}; {checked})")
        facts += [f"latest {r.latest}"] if r.latest else []
        facts += [f"djp package {r.package}"] if r.package else []
        facts += [r.license] if r.license else []
        if r.django:
            facts.append(f"Django {r.target_django}: {r.django}, {r.django_evidence}")
        text = Text(safe_text(" · ".join(f for f in facts if f)), style="bold")
        if r.plan is not None:
            p = r.plan
            text.append("\n")
            text.append(safe_text(
                f"plan: ready {p['ready'] or '—'}, clear {p['clear'] or '—'}, "
                f"move to {p['move_to'] or 'none'}: {p['reason']}"
            ))  # fmt: skip
        if r.notes:
            text.append("\n" + safe_text("; ".join(r.notes)))
        detail.update(text)

    def line(self, r: StackRow, columns: list[tuple[str, int]]) -> Text:
        cells = stack_cells(r)
        text = Text()
        for label, width in columns:
            word = r.django or ""
            style = tone(self.app, VERDICT_TONES.get(word, "")) if label == "Django" else ""
            text.append(fit(cells[label], width) + " ", style=style)
        notes = r.notes
        text.append(
            safe_text("; ".join(notes)), style=tone(self.app, "error" if r.problems else "")
        )
        return text

    @on(LineList.Selected, "#stack-rows")
    def open_package(self, event: LineList.Selected) -> None:
        row = self.rows[event.index] if event.index < len(self.rows) else None
        if row is None:
            return
        if row.package_target is None:
            self.notify(f"{row.name} is not in the djp catalogue", markup=False)
            return
        self.controller.open_package(row.package_target)

    def action_choose_stack(self) -> None:
        names = [s.name for s in self.controller.stacks()]
        if not names:
            return

        def chosen(name: str | None) -> None:
            if name:
                self.stack_name = name
                self.refresh_state()
                self.refresh_facts()

        self.app.push_screen(ChoiceModal("stack", names, self.stack_name or names[0]), chosen)
