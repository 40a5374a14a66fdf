"""The command palette's provider: jump to a package or grid by fuzzy name."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from catalog.text import safe_text
from projections.targets import Target


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
