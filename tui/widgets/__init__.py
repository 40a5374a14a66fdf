"""Reusable widgets: the lazily drawn lists and table, the chrome, inputs."""

from tui.widgets.chrome import Banner, StatusLine
from tui.widgets.cursor import CursorView
from tui.widgets.inputs import DjpInput, DjpTextArea
from tui.widgets.line_list import LineList
from tui.widgets.package_table import PackageTable

__all__ = [
    "Banner",
    "CursorView",
    "DjpInput",
    "DjpTextArea",
    "LineList",
    "PackageTable",
    "StatusLine",
]
