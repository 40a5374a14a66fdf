"""Remote text and theme colours for Rich renderables: literal text, never markup."""

from __future__ import annotations

from rich.text import Text
from textual.app import App

from catalog.text import safe_text


def tone(app: App, name: str) -> str:
    """A colour of the active theme (``error``, ``success``, ``warning``) as a Rich style;
    ``""`` for no colour."""
    if not name:
        return ""
    theme = app.current_theme
    return str(getattr(theme, name, None) or "")


def literal(value: object, style: str = "") -> Text:
    """Remote text as a Rich ``Text``: shown as typed, never parsed as markup."""
    return Text(safe_text(value, single_line=False), style=style)
