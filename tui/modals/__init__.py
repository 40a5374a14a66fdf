"""Dialogs over a screen: the edit form, a choice, a text, help, sync progress."""

from tui.modals.choice import ChoiceModal
from tui.modals.edit import EditModal
from tui.modals.grid_form import GridFormModal, grid_form
from tui.modals.help import HelpModal
from tui.modals.pick import PickModal
from tui.modals.sync import SyncModal
from tui.modals.text_input import TextModal

__all__ = [
    "ChoiceModal",
    "EditModal",
    "GridFormModal",
    "HelpModal",
    "PickModal",
    "SyncModal",
    "TextModal",
    "grid_form",
]
