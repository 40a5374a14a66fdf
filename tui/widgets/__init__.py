"""Reusable widgets: the lazily drawn lists and table, the chrome, inputs."""

from tui.widgets.chrome import Banner, KeyFooter, StatusLine
from tui.widgets.compare_grid import CompareGrid
from tui.widgets.cursor import CursorView
from tui.widgets.details import DetailsPane
from tui.widgets.inputs import DjpInput, DjpTextArea
from tui.widgets.line_list import LineList
from tui.widgets.options import DjpOptionList
from tui.widgets.package_table import PackageTable
from tui.widgets.readiness_table import ReadinessTable

__all__ = [
    "Banner",
    "CompareGrid",
    "CursorView",
    "DetailsPane",
    "DjpInput",
    "DjpOptionList",
    "DjpTextArea",
    "KeyFooter",
    "LineList",
    "PackageTable",
    "ReadinessTable",
    "StatusLine",
]
