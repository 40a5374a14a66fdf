"""djp's application layer: the API client and sync, commands and queries the UIs call.

Never imports textual or tui.
"""

VERSION = "0.1.0"
