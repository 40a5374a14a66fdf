"""The one kind of failure a user causes: a question or a change that cannot be done as asked.

Every such error is one line for the user; both UIs show ``str(error)`` and go on. Where the
failure is about one field, ``field`` names it (the app puts the message beside that field).
"""

from __future__ import annotations


class UserError(ValueError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
