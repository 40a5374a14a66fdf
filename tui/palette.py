"""The command palette: its provider (jump to a package or grid by fuzzy name) and the app's
own commands (``PaletteCommands``: sync, undo, sections, stacks, saved filters, Django
versions)."""

from __future__ import annotations

from functools import partial

from textual.app import SystemCommand
from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape
from textual.widgets import Input

from catalog.text import counted, safe_text
from catalog.verdicts import DJANGO_RELEASES
from projections.targets import Target
from tui.modals import TextModal


def highlight(matcher: Matcher, text: str) -> Content:
    """``text`` with the fuzzy match highlighted, as literal content: Textual's own
    ``Matcher.highlight`` parses the text as markup, which a title must never be."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class JumpProvider(Provider):
    def _targets(self) -> list[tuple[str, Target]]:
        controller = getattr(self.app, "controller", None)
        if controller is None:
            return []
        browser = controller.browser
        out = [
            (f"package {safe_text(r.view.record.title)}", r.view.target)
            for r in browser.rows.values()
        ]
        out += [(f"grid {safe_text(g.record.title)}", g.target) for g in browser.grids]
        return out

    def _open(self, target: Target) -> None:
        controller = self.app.controller
        if target.kind == "package":
            controller.open_package(target)
        else:
            controller.open_grid(target)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, target in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, text),
                    partial(self._open, target),
                    text=text,
                    help="open",
                )

    # no discover(): the palette opens on commands; packages and grids come as you type


class PaletteCommands:
    """The app's commands in the palette (a mixin of ``DjpApp``)."""

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if self.controller is not None and self.controller.sync_status is not None:
            yield SystemCommand(
                "Cancel sync", "stop the sync; pages fetched are kept", self.cancel_sync
            )
        else:
            yield SystemCommand(
                "Sync", "fetch the catalogue from the API (in the background)", self.action_sync
            )
        yield SystemCommand("Undo", "undo the newest edit", self.action_undo)
        yield SystemCommand("Redo", "apply the most recently undone edit again", self.action_redo)
        yield SystemCommand(
            "Time travel", "pick an event in the log", partial(self.action_section, "log")
        )
        yield SystemCommand("Back to the present", "leave time travel", self.action_present)
        if hasattr(screen, "action_export"):
            yield SystemCommand(
                "Export",
                "what this screen lists, to Markdown, CSV or JSON (E)",
                screen.action_export,
            )
        yield SystemCommand("Grids", "all grids", partial(self.action_section, "grids"))
        yield SystemCommand(
            "Changes", "what the last sync changed", partial(self.action_section, "changes")
        )
        yield SystemCommand(
            "Readiness",
            "packages x Django releases: ready, not, unknown",
            partial(self.action_section, "readiness"),
        )
        for kept in self.controller.stacks() if self.controller else []:
            yield SystemCommand(
                f"Stack: {escape(kept.name)}",
                f"{counted(len(kept.deps), 'dependency', 'dependencies')}, problems first",
                partial(self.open_stack, kept.name),
            )
        yield from self._filter_commands(screen)
        current = self.controller.django_version if self.controller else ""
        for release in reversed(DJANGO_RELEASES):
            if release.version != current:
                yield SystemCommand(
                    f"Django {release.version}: judge readiness for it",
                    f"the readiness column and screen (now Django {current})",
                    partial(self.controller.set_django_version, release.version),
                )

    def _filter_commands(self, screen):
        """Saved filters: save the one typed, apply one, forget one."""
        if self.controller is None:
            return
        home = self.screen_stack[1] if len(self.screen_stack) > 1 else None
        typed = home.query_one("#filter", Input).value.strip() if home else ""
        if typed and screen is home:
            yield SystemCommand(
                "Save this filter",
                escape(f"keep {typed!r} under a name"),
                partial(self.save_filter, typed),
            )
        for name, text in sorted(self.controller.settings.saved_filters().items()):
            # the palette reads titles and help as markup: typed text is escaped
            yield SystemCommand(
                f"Filter: {escape(name)}", escape(text), partial(self.use_filter, text)
            )
            yield SystemCommand(
                f"Forget filter: {escape(name)}",
                escape(text),
                partial(self.controller.forget_filter, name),
            )

    def save_filter(self, text: str) -> None:
        self.push_screen(
            TextModal("name of this filter", ""),
            lambda name: name is not None and self.controller.save_filter(name, text),
        )

    def use_filter(self, text: str) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.screen_stack[1].use_filter(text)
