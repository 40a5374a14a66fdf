"""Dialogs over a screen: the edit form, a choice, a text, help, sync progress."""

from tui.modals.choice import ChoiceModal
from tui.modals.edit import EditModal
from tui.modals.help import HelpModal
from tui.modals.sync import SyncModal
from tui.modals.text_input import TextModal

__all__ = ["ChoiceModal", "EditModal", "HelpModal", "SyncModal", "TextModal"]
