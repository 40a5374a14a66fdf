"""The command palette: its providers (jump to a package or grid by fuzzy name; the commands
named by what you typed: stacks and saved filters) and the app's own commands
(``PaletteCommands``: sync, undo, sections, Django versions).

Textual reads a system command's title as markup, so a command whose title holds a name
you typed (a stack, a saved filter) comes from ``NamedCommandsProvider``, which shows it as
literal content. Help lines are read as markup by the palette whatever the provider: typed
text in them is escaped."""

from __future__ import annotations

from functools import partial

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape
from textual.widgets import Input

from catalog.pypi.verdicts import DJANGO_RELEASES
from catalog.text import counted, safe_text
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
        out = [
            (f"package {safe_text(r.view.record.title)}", r.view.target) for r in controller.rows()
        ]
        out += [(f"grid {safe_text(g.record.title)}", g.target) for g in controller.grids]
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


class NamedCommandsProvider(Provider):
    """``PaletteCommands.named_commands``: titles shown as typed, never read as markup."""

    def _commands(self) -> list[tuple[str, str, object]]:
        named = getattr(self.app, "named_commands", None)
        return list(named(self.screen)) if named is not None else []

    async def discover(self) -> Hits:
        for title, help_text, callback in sorted(self._commands(), key=lambda c: c[0]):
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlight(matcher, title), callback, text=title, help=help_text)


class PaletteCommands:
    """The app's commands in the palette (a mixin of ``DjpApp``)."""

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if self.controller is not None and self.controller.activity.syncing:
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
        current = self.controller.django_version if self.controller else ""
        for release in reversed(DJANGO_RELEASES):
            if release.version != current:
                yield SystemCommand(
                    f"Django {release.version}: judge readiness for it",
                    f"the readiness column and screen (now Django {current})",
                    partial(self.controller.set_django_version, release.version),
                )

    def named_commands(self, screen):
        """(title, help, callback) of the commands named by what you typed: your stacks,
        and saved filters (save the one typed, apply one, forget one). Titles are literal
        text (``NamedCommandsProvider``); help lines are markup, so typed text is escaped."""
        if self.controller is None:
            return
        for kept in self.controller.stacks():
            deps = counted(len(kept.deps), "dependency", "dependencies")
            yield (
                f"Stack: {kept.name}",
                f"{deps}, problems first",
                partial(self.open_stack, kept.name),
            )
        home = self.screen_stack[1] if len(self.screen_stack) > 1 else None
        typed = home.query_one("#filter", Input).value.strip() if home else ""
        if typed and screen is home:
            yield (
                "Save this filter",
                escape(f"keep {typed!r} under a name"),
                partial(self.save_filter, typed),
            )
        for name, text in sorted(self.controller.saved_filters().items()):
            yield f"Filter: {name}", escape(text), partial(self.use_filter, text)
            yield (
                f"Forget filter: {name}",
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
