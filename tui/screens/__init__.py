"""The app's screens, one module each; they never import each other (``tests/test_layers``
checks it): going to another screen is the controller's ``open_*``."""

from tui.screens.base import DjpScreen
from tui.screens.catalogue import CatalogueScreen
from tui.screens.changes import ChangesScreen
from tui.screens.compare import CompareScreen
from tui.screens.grid import GridScreen
from tui.screens.grids import GridsScreen
from tui.screens.history import HistoryScreen
from tui.screens.log import LogScreen
from tui.screens.package import PackageScreen
from tui.screens.readiness import ReadinessScreen
from tui.screens.stack import StackScreen

__all__ = [
    "CatalogueScreen",
    "ChangesScreen",
    "CompareScreen",
    "DjpScreen",
    "GridScreen",
    "GridsScreen",
    "HistoryScreen",
    "LogScreen",
    "PackageScreen",
    "ReadinessScreen",
    "StackScreen",
]
