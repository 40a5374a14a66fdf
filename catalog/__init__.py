"""djp's application layer: the API client and sync, commands and queries the UIs call, and
the presentation both UIs share. Never imports textual, click or the UI packages.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("djp")
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0+unknown"
